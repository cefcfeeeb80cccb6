"""kpixl indicators: every indicator of a quarter with its target, figures, RAG rating and change."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    handle_errors,
    open_workspace,
    plain,
    print_json,
    print_problems,
)

if TYPE_CHECKING:
    from rich.text import Text

    from kpixl.domain import Headline
    from kpixl.steps.indicators import Overview

_RAG_STYLE = {"Red": "white on red", "Amber": "black on dark_orange", "Green": "white on green4",
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
    """List the indicators with their target, current and comparison figures, RAG rating and change.

    Example: kpixl indicators 2023-24-Q2 --committee csmi --forecast
    """
    from kpixl.steps.indicators import load_overview

    ws = open_workspace(workspace)
    overview = load_overview(ws, ws.period_or_default(period), committee)
    if json:
        print_json({"period": overview.quarter.slug, "indicators": [_record(h, overview) for h in overview.headlines],
                    "forecast_to_meet_target": overview.forecast_to_meet, "problems": overview.report.to_list()})
    else:
        print_problems(overview.report)
        _table(overview, forecast)
    raise typer.Exit(overview.report.exit_code)


def _record(h: Headline, overview: Overview) -> dict[str, object]:
    outlook = overview.forecasts.get(h.indicator.id)
    return {
        "indicator": h.indicator.id, "title": h.indicator.title, "period": h.period.slug,
        "target_label": h.indicator.target_word, "target": h.target_text,
        "direction": h.indicator.direction.arrow, "current_label": h.current_label, "current": h.current_text,
        "comparison_label": h.comparison_label, "comparison": h.comparison_text,
        "rag": h.rag.value, "change": h.change.value,
        "status": h.current.status.value if h.current else "missing",
        "forecast": outlook.to_dict() if outlook else None,  # never an actual figure: its keys say forecast_
    }


def _table(overview: Overview, forecast: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    caption = f"{overview.forecast_to_meet} forecast to meet their annual target" if forecast else None
    table = Table(title=f"Indicators, {overview.quarter}", caption=caption)
    columns = ("No.", "Indicator", "Target", "Dir.", "Current", "Compared with", "RAG", "Change")
    for column in (*columns, "Year-end forecast") if forecast else columns:
        table.add_column(column, overflow="fold")
    for h in overview.headlines:
        record = _record(h, overview)
        rag = str(record["rag"])
        styled = f"[{_RAG_STYLE[rag]}] {rag} [/]" if rag in _RAG_STYLE else rag
        caveat = " (provisional)" if record["status"] == "provisional" else ""
        cells: list[Text | str] = [plain(h.indicator.id), plain(h.indicator.title), f"{record['target_label']}: {record['target']}",
                 str(record["direction"]), f"{record['current']}{caveat}",
                 f"{record['comparison']} ({record['comparison_label']})", styled, str(record["change"])]
        if forecast:
            outlook = overview.forecasts.get(h.indicator.id)
            judged = outlook.rag.value if outlook and outlook.annual_target is not None else "no annual target"
            cells.append(f"{outlook.value_text} ({judged})" if outlook else "")
        table.add_row(*cells)
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command()(indicators)
