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
from kpixl.cli.tables import Cell, Column, Table, print_table

if TYPE_CHECKING:
    from kpixl.domain import Headline
    from kpixl.domain.outlook import Forecast
    from kpixl.steps.indicators import Overview

RAG_STYLE = {"Red": "white on red", "Amber": "black on dark_orange", "Green": "white on green4",
             "Blue": "white on blue"}


@handle_errors
def indicators(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    committee: Annotated[str | None, typer.Option(help="Only this committee's indicators (id or name).")] = None,
    forecast: Annotated[bool, typer.Option(
        "--forecast", help="Add each indicator's year-end forecast (docs/insight.md); --json always has it.")] = False,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """List the indicators, in the register's order, with their target, current and comparison figures,
    RAG rating and change, and (--forecast) their year-end forecast.

    Example: kpixl indicators 2023-24-Q2 --committee csmi --forecast
    """
    from kpixl.steps.indicators import load_overview

    ws = open_workspace(workspace)
    overview = load_overview(ws, ws.period_or_default(period), committee)
    if json:
        print_json({"period": overview.quarter.slug,
                    "indicators": [record(h, overview.forecasts.get(h.indicator.id)) for h in overview.headlines],
                    "forecast_to_meet_target": overview.forecast_to_meet, "problems": overview.report.to_list()})
    else:
        print_problems(overview.report)
        print_table(_table(overview, forecast))
    raise typer.Exit(overview.report.exit_code)


def record(h: Headline, outlook: Forecast | None = None) -> dict[str, object]:
    """One indicator for --json: numbers as numbers (percentages as fractions, 0.5 for 50%), states as stable
    words, and under "display" the words the report prints; its year-end forecast, every key saying so."""
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
        "forecast": _forecast(outlook) if outlook else None,  # never an actual figure: its keys say forecast_
    }


def _forecast(outlook: Forecast) -> dict[str, object]:
    return outlook.to_dict() | {
        "forecast_outturn": number(outlook.value), "forecast_year_to_date": number(outlook.year_to_date),
        "forecast_annual_target": number(outlook.annual_target), "forecast_rag": outlook.rag.key}


def _table(overview: Overview, forecast: bool) -> Table:
    # At 80 columns the direction and the comparison are left out first: the change says where it went.
    columns = [Column("No."), Column("Indicator"), Column("Target"), Column("Dir.", drop=2), Column("Current"),
               Column("Compared with", drop=1), Column("RAG"), Column("Change")]
    caption = f"{overview.forecast_to_meet} forecast to meet their annual target" if forecast else ""
    table = Table(f"Indicators, {overview.quarter}", columns + ([Column("Year-end forecast")] if forecast else []),
                  caption=caption)
    for h in overview.headlines:
        rag = h.rag.value
        provisional = h.current is not None and h.current.status.value == "provisional"
        cells: list[Cell] = [
            clean(h.indicator.id), clean(h.indicator.title), f"{h.indicator.target_word}: {h.target_text}",
            h.indicator.direction.arrow, h.current_text + (" (provisional)" if provisional else ""),
            f"{h.comparison_text} ({h.comparison_label})", (rag, RAG_STYLE.get(rag, "")), h.change.value]
        if forecast:
            outlook = overview.forecasts.get(h.indicator.id)
            judged = outlook.rag.value if outlook and outlook.annual_target is not None else "no annual target"
            cells.append(f"{outlook.value_text} ({judged})" if outlook else "")
        table.add(*cells)
    return table


def register(app: typer.Typer) -> None:
    app.command()(indicators)
