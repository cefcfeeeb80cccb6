"""kpixl register template / check / export: the council's list of indicators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    handle_errors,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import say
from kpixl.steps import count

app = typer.Typer(help="The indicator register: a workbook (or YAML) of services, committees and indicators.",
                  no_args_is_help=True, rich_markup_mode=None)


@app.command()
@handle_errors
def template(file: Annotated[Path, typer.Argument(help="The .xlsx file to write.", dir_okay=False)]) -> None:
    """Write a blank register workbook with a dropdown on every coded column.

    Example: kpixl register template register.xlsx
    """
    from kpixl.steps.register import write_template

    write_template(file)
    typer.echo(f"Wrote {file}: fill in Services, Committees, Indicators, Targets and Links.")


@app.command()
@handle_errors
def check(
    file: Annotated[Path | None, typer.Argument(help="The register (.xlsx or .yaml); default: the workspace's.",
                                                   dir_okay=False)] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Check a register and list every problem with its sheet, row and column. Exit 1 when any is an error.

    Example: kpixl register check register.xlsx
    """
    from kpixl.steps.register import check_register_file

    path = file or open_workspace(workspace).register_path
    loaded = check_register_file(path)
    report, register = loaded.report, loaded.register
    if json:
        print_json({"file": str(path), "valid": report.valid, "indicators": len(register.indicators),
                    "services": len(register.services), "committees": len(register.committees),
                    "errors": len(report.errors), "warnings": len(report) - len(report.errors),
                    "problems": report.to_list()})
    else:
        print_problems(report, title=f"Problems in {path.name}")
        say(f"{path.name}: {count(len(register.indicators), 'indicator')}, "
            f"{count(len(register.services), 'service')}, {count(len(register.committees), 'committee')}; "
            f"{count(len(report.errors), 'error')}, {count(len(report) - len(report.errors), 'warning')}.")
    raise typer.Exit(report.exit_code)


@app.command()
@handle_errors
def export(
    file: Annotated[Path, typer.Argument(help="The file to write: .xlsx or .yaml.", dir_okay=False)],
    workspace: WorkspaceOption = None,
) -> None:
    """Write the workspace's register as a workbook or as YAML (to move between the two).

    Example: kpixl register export register.xlsx
    """
    from kpixl.steps.register import check_register_file, export_register

    loaded = check_register_file(open_workspace(workspace).register_path)
    if not loaded.report.valid:
        print_problems(loaded.report)
    export_register(loaded, file)
    typer.echo(f"Wrote {file}.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="register")
