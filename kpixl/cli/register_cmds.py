"""kpixl register template / check / export: the council's list of indicators."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    clean,
    echo,
    fail,
    handle_errors,
    number,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import Column, Table, print_table, say
from kpixl.steps import count

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


def _change(c: Any) -> dict[str, Any]:
    """A proposed change for --json: its figures as numbers (percentages as fractions), with their texts."""
    return c.to_dict() | {"before": number(c.before), "after": number(c.after)}  # type: ignore[no-any-return]


def _rolled(rolled: RolledRegister) -> dict[str, Any]:
    r = rolled.rollover
    return {"year": r.year.slug, "uplift": number(r.uplift), "file": str(rolled.path),
            "proposed": [_change(c) for c in r.proposed], "to_review": [_change(c) for c in r.to_review]}


def _print_roll(rolled: RolledRegister) -> None:
    r = rolled.rollover
    table = Table(f"Targets proposed for {r.year}", [
        Column("No."), Column("Indicator"), Column("From", drop=1), Column("To"), Column("Last year", right=True),
        Column("Proposed", right=True), Column("Rule", drop=2)])
    for c in r.proposed:
        table.add(clean(c.indicator), clean(c.title), c.period_from, c.period_to, c.before_text, c.after_text,
                  c.rule)
    print_table(table)
    for c in r.to_review:
        say(clean(f"Indicator {c.indicator}: {c.rule}."))
    say(f"Wrote {rolled.path}: {count(len(r.proposed), 'target')} proposed, {count(len(r.to_review), 'indicator')} "
        "to review. Check it with kpixl register check, then use it as the register.")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="register")
