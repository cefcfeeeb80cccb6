"""kpixl's command line: each command parses its arguments, calls one library function, prints the result.

Heavy libraries (openpyxl, xlsxwriter, python-docx, rich) are imported inside the commands that use them,
so that `kpixl --help` stays fast.
"""

from __future__ import annotations

import typer

from kpixl.cli import (
    check_cmd,
    comparators_cmd,
    demo_cmd,
    export_cmd,
    fetch_cmd,
    history_cmd,
    indicators_cmd,
    register_cmds,
    remind_cmd,
    report_cmd,
    returns,
    review_cmds,
    send_cmd,
    signoff_cmds,
    status_cmd,
    workbooks_cmd,
    workspace_cmds,
)
from kpixl.cli.common import root

app = typer.Typer(
    name="kpixl",
    help=(
        "kpixl runs a council's quarterly performance cycle: collection workbooks for service leads, "
        "checked returns, and the committee's Word performance report.\n\n"
        "Start with: kpixl demo demo (the whole cycle on the bundled example), or kpixl init demo --example cambridgeshire"
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

app.callback()(root)  # --version
# In the order of the cycle, which is the order --help lists them.
demo_cmd.register(app)
workspace_cmds.register(app)
register_cmds.register(app)
workbooks_cmd.register(app)
send_cmd.register(app)
returns.register(app)
fetch_cmd.register(app)
status_cmd.register(app)
remind_cmd.register(app)
check_cmd.register(app)
indicators_cmd.register(app)
history_cmd.register(app)
comparators_cmd.register(app)
export_cmd.register(app)
review_cmds.register(app)
signoff_cmds.register(app)
report_cmd.register(app)

def main() -> None:
    app()


__all__ = ["app", "main"]
