"""kpixl indicators: every indicator of a quarter with its target, figures, RAG rating and change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

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
from kpixl.cli.tables import Column, Table, print_table

if TYPE_CHECKING:
    from kpixl.domain import Headline
    from kpixl.steps.indicators import Overview

RAG_STYLE = {"Red": "white on red", "Amber": "black on dark_orange", "Green": "white on green4",
             "Blue": "white on blue"}


@handle_errors
def indicators(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    committee: Annotated[str | None, typer.Option(help="Only this committee's indicators (id or name).")] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """List the indicators, in the register's order, with their target, current and comparison figures,
    RAG rating and change.

    Example: kpixl indicators 2023-24-Q2 --committee csmi
    """
    from kpixl.steps.indicators import load_overview

    ws = open_workspace(workspace)
    overview = load_overview(ws, ws.period_or_default(period), committee)
    if json:
        print_json({"period": overview.quarter.slug, "indicators": [record(h) for h in overview.headlines],
                    "problems": overview.report.to_list()})
    else:
        print_problems(overview.report)
        print_table(_table(overview))
    raise typer.Exit(overview.report.exit_code)


def record(h: Headline) -> dict[str, object]:
    """One indicator for --json: numbers as numbers (percentages as fractions, 0.5 for 50%), states as stable
    words, and under "display" the words the report prints."""
    i = h.indicator
    return {
        "indicator": i.id, "title": i.title, "period": h.period.slug, "kind": i.kind.value,
        "unit": i.unit.value, "direction": i.direction.value, "target": number(h.target),
        "current": number(h.current.usable if h.current else None),
        "comparison_period": h.comparison_period.slug,
        "comparison": number(h.comparison.usable if h.comparison else None),
        "rag": h.rag.key, "change": h.change.key,
        "status": h.current.status.value if h.current else "missing",
        "display": {"target_label": i.target_word, "target": h.target_text, "direction": i.direction.arrow,
                    "current_label": h.current_label, "current": h.current_text,
                    "comparison_label": h.comparison_label, "comparison": h.comparison_text,
                    "rag": h.rag.value, "change": h.change.value},
    }


def _table(overview: Overview) -> Table:
    # At 80 columns the direction and the comparison are left out first: the change says where it went.
    table = Table(f"Indicators, {overview.quarter}", [
        Column("No."), Column("Indicator"), Column("Target"), Column("Dir.", drop=2), Column("Current"),
        Column("Compared with", drop=1), Column("RAG"), Column("Change")])
    for h in overview.headlines:
        rag = h.rag.value
        provisional = h.current is not None and h.current.status.value == "provisional"
        table.add(clean(h.indicator.id), clean(h.indicator.title), f"{h.indicator.target_word}: {h.target_text}",
                  h.indicator.direction.arrow, h.current_text + (" (provisional)" if provisional else ""),
                  f"{h.comparison_text} ({h.comparison_label})", (rag, RAG_STYLE.get(rag, "")), h.change.value)
    return table


def register(app: typer.Typer) -> None:
    app.command()(indicators)
