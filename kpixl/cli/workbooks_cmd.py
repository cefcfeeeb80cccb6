"""kpixl workbooks: one collection workbook per service for a quarter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpixl.cli.common import WorkspaceOption, echo, handle_errors, open_workspace, warn
from kpixl.steps import count


@handle_errors
def workbooks(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    service: Annotated[list[str] | None, typer.Option(
        "--service", "-s", metavar="ID", help="Only this service (its id in the register); repeat for several.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="The folder to write to (default: workbooks/<period>/ in the workspace).", file_okay=False)] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Write one workbook per service for the service lead to fill in: prefilled, validated and signed.

    Each workbook holds the service's indicators for the quarter, with targets and the last figures,
    input cells for this quarter's figures, commentary and actions, and a live RAG preview.

    Example: kpixl workbooks 2023-24-Q2 --service libraries
    """
    from rich.progress import Progress

    from kpixl.steps.generate import accepted_returns, deadline_passed, regenerated_warning, write_workbooks

    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    with Progress(transient=True) as bar:
        task = bar.add_task("Writing workbooks", total=None)

        def advance(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, description=f"Wrote {name}")

        written = write_workbooks(ws, quarter, service, out, advance)
    folder = written[0].path.parent if written else (out or ws.path("workbooks") / quarter.slug)
    echo(f"Wrote {count(len(written), 'workbook')} for {quarter} in {folder}:")
    for w in written:
        echo(f"  {w.path.name}  ({w.service_name}, {count(w.rows, 'row')})")
    late = deadline_passed(ws, "these workbooks")
    if late and written:
        warn(late)
    returned = accepted_returns(ws, quarter, [w.service for w in written])
    for w in written:
        if w.service in returned:
            warn(regenerated_warning(returned[w.service], w.service_name, quarter))
    if written:
        echo(f"Next: kpixl send {quarter.slug} --drafts drafts/   (or --smtp HOST to send them)")


def register(app: typer.Typer) -> None:
    app.command()(workbooks)
