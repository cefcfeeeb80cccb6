"""kpixl register template / check / export: the council's list of indicators."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    echo,
    fail,
    handle_errors,
    open_workspace,
    plain,
    print_json,
    print_problems,
)

if TYPE_CHECKING:
    from kpixl.steps.roll import RolledRegister

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
    echo(f"Wrote {file}: fill in Services, Committees, Indicators, Targets and Links.")


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
        print_json({"file": str(path), "valid": report.valid, "problems": report.to_list()})
    else:
        print_problems(report, title=f"Problems in {path.name}")
        echo(f"{path.name}: {len(register.indicators)} indicators, {len(register.services)} services, "
                   f"{len(register.committees)} committees; {len(report.errors)} errors, "
                   f"{len(report) - len(report.errors)} warnings.")
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
    echo(f"Wrote {file}.")


@app.command()
@handle_errors
def roll(
    year: Annotated[str, typer.Argument(help="The financial year to propose, e.g. 2024-25.")],
    uplift: Annotated[str | None, typer.Option(
        help="Change every target by this much in its direction for improvement, e.g. 5% (raised 5% where "
             "higher is better, lowered 5% where lower is better). Baselines are carried forward.")] = None,
    same: Annotated[bool, typer.Option("--same", help="The same targets as the year before (the default).")] = False,
    out: Annotated[Path | None, typer.Option(
        help="The proposed register to write, .yaml or .xlsx (default: register-YEAR beside the register).",
        dir_okay=False)] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Propose next year's register: each target and baseline of the year before moved to the same period of
    the year, the same or changed by --uplift, written as a new register file with a diff to review. The
    workspace's register is not changed.

    Example: kpixl register roll 2024-25 --uplift 5%
    """
    from kpixl.steps.roll import parse_uplift, roll_workspace_register

    if same and uplift is not None:
        raise fail("choose --same or --uplift, not both", 2)
    rolled = roll_workspace_register(open_workspace(workspace), year, parse_uplift(uplift), out)
    if json:
        print_json(_rolled(rolled))
    else:
        _print_roll(rolled)


def _rolled(rolled: RolledRegister) -> dict[str, Any]:
    r = rolled.rollover
    return {"year": r.year.slug, "uplift": None if r.uplift is None else str(r.uplift), "file": str(rolled.path),
            "proposed": [c.to_dict() for c in r.proposed], "to_review": [c.to_dict() for c in r.to_review]}


def _print_roll(rolled: RolledRegister) -> None:
    from rich.console import Console
    from rich.table import Table

    r = rolled.rollover
    table = Table(title=f"Targets proposed for {r.year}")
    for column in ("No.", "Indicator", "From", "To", "Last year", "Proposed", "Rule"):
        table.add_column(column, overflow="fold")
    for c in r.proposed:
        table.add_row(plain(c.indicator), plain(c.title), c.period_from, c.period_to, c.before_text, c.after_text,
                      c.rule)
    Console().print(table)
    for c in r.to_review:
        echo(f"Indicator {c.indicator}: {c.rule}.")
    echo(f"Wrote {rolled.path}: {len(r.proposed)} target(s) proposed, {len(r.to_review)} indicator(s) to "
               "review. Check it with kpixl register check, then use it as the register.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="register")
