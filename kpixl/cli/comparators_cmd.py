"""kpixl comparators import / show: published benchmark values, and where the council stands among its group
(docs/insight.md)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    clean,
    handle_errors,
    number,
    open_workspace,
    print_json,
    print_problems,
)
from kpixl.cli.tables import Column, Table, print_table, say
from kpixl.steps import count

if TYPE_CHECKING:
    from kpixl.steps.comparators import ComparatorImport, ComparatorView

NOT_GIVEN = "not given"  # the Source of values imported without --source from a file that names none

app = typer.Typer(help="Published comparators (LG Inform and others): import them, and see where the council "
                       "stands among its group.", no_args_is_help=True, rich_markup_mode=None)


@app.command(name="import")
@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(
        help="A .csv: kpixl's columns (indicator or metric, area_code, area_name, period, value) or an LG "
             "Inform download.", exists=True, dir_okay=False)],
    source: Annotated[str, typer.Option(help="Who published the values, as pages will credit them "
                                             "(default: LG Inform for its files).")] = "",
    metric: Annotated[str, typer.Option(help="The metric an LG Inform download with a column per period holds "
                                             "(its LG Inform id, as the register's Benchmark metric).")] = "",
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Import published comparator values, checked like a history file: any error and nothing is stored;
    otherwise the file is kept in the archive and its values stored. Importing the same file again changes
    nothing.

    Example: kpixl comparators import comparators-synthetic.csv --source "Synthetic example data"
    """
    from kpixl.steps.comparators import import_comparators

    result = import_comparators(open_workspace(workspace), file, source, metric)
    if json:
        print_json(_summary(result))
    else:
        print_problems(result.report, title=f"Problems in {file.name}")
        say(clean(_sentence(result)))
    raise typer.Exit(result.exit_code)


def _summary(result: ComparatorImport) -> dict[str, Any]:
    recorded = result.recorded
    return {"file": str(result.path), "format": result.format,
            "stored": recorded is not None and not recorded.duplicate,
            "duplicate": bool(recorded and recorded.duplicate), "values": len(result.values),
            "no_value": result.skipped, "sha256": result.sha256,
            "archived": str(result.archived) if result.archived else "", "problems": result.report.to_list()}


def _sentence(result: ComparatorImport) -> str:
    name, recorded = result.path.name, result.recorded
    if recorded is None:
        return (f"{name}: {count(len(result.report.errors), 'error')}; nothing was stored. Correct the file and "
                "import it again.")
    if recorded.duplicate:
        return f"{name} was imported before: nothing changed."
    return (f"{name}: {count(recorded.values, 'published value')} stored ({count(result.skipped, 'cell')} with no "
            "value published).")


@app.command()
@handle_errors
def show(
    indicator: Annotated[str, typer.Argument(help="The indicator's number, e.g. 37.")],
    period: Annotated[str | None, typer.Argument(
        help="The quarter reported, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period): the most recent "
             "values published by its end are ranked.")] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """List an indicator's published comparator values and, with [comparators] in kpixl.toml, the council's
    rank and quartile among its group, the group's mean and England's value.

    Example: kpixl comparators show 37
    """
    from kpixl.steps.comparators import comparator_view

    ws = open_workspace(workspace)
    view = comparator_view(ws, indicator, ws.period_or_default(period) if period else None)
    if json:
        print_json(_view(view))
    else:
        _print_view(view)


def _view(view: ComparatorView) -> dict[str, Any]:
    def area(code: str) -> str:
        group = view.group
        if group is None:
            return ""
        return "council" if code == group.area else "group" if code in group.neighbours else \
            "national" if code == group.national else ""

    return {
        "indicator": view.indicator.id, "title": view.indicator.title,
        "benchmark_metric": view.indicator.benchmark_metric,
        "group": None if view.group is None else {"name": view.group.name, "area": view.group.area,
                                                  "members": list(view.group.neighbours),
                                                  "national": view.group.national},
        "benchmark": _benchmark(view),
        "values": [{"area_code": s.value.area_code, "area_name": s.value.area_name, "role": area(s.value.area_code),
                    "period": s.value.period.slug, "period_label": s.value.period.label,
                    "value": number(s.value.value), "per_cent": s.value.per_cent, "metric": s.value.metric,
                    "source": s.value.source, "file": s.file_name, "file_hash": s.file_hash,
                    "line": s.value.line, "imported_at": s.imported_at.isoformat()} for s in view.stored],
    }


def _benchmark(view: ComparatorView) -> dict[str, Any] | None:
    """The council's standing for --json, its values as numbers (as the comparator file gives them)."""
    found = view.benchmark
    if found is None:
        return None
    return found.to_dict() | {"council": number(found.council), "group_mean": number(found.group_mean),
                              "national": number(found.national)}


def _print_view(view: ComparatorView) -> None:
    from kpixl.steps.comparators import shown_value

    title = clean(f"Indicator {view.indicator.id}: {view.indicator.title}")
    if not view.stored:
        say(title)
        say("No published values are stored for it. Import them with kpixl comparators import FILE"
            + ("" if view.indicator.benchmark_metric else ", and give it a Benchmark metric in the "
               "register if the file names LG Inform metrics") + ".")
        return
    found = view.benchmark
    if found is None:
        say("No comparison group is set: add [comparators] to kpixl.toml (docs/insight.md) to rank the council.")
    elif found.period is not None:
        council, mean, national = (shown_value(view.indicator, v) if v is not None else "not published"
                                   for v in (found.council, found.group_mean, found.national))
        say(clean(f"{found.period}: council {council}; {found.group.name} mean {mean} ({found.group_count} "
                  f"with a value); {found.group.national_name} {national}."))
        say(clean(found.text))
    else:
        say(clean(found.text))
    table = Table(title, [Column("Period"), Column("Area", drop=2), Column("Name"), Column("Value", right=True),
                          Column("Source", drop=1), Column("File", drop=3), Column("Line", right=True, drop=4)])
    for s in view.stored:
        v = s.value
        # A tidy file imported without --source names no publisher: say so, rather than leave a blank
        table.add(v.period.label, clean(v.area_code), clean(v.area_name),
                  shown_value(view.indicator, v.for_indicator(view.indicator).value),
                  clean(v.source) or NOT_GIVEN, clean(s.file_name), str(v.line))
    print_table(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="comparators")
