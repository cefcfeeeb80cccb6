"""kpixl export: the store's figures as a table a performance officer can filter, every version with its
rating, change and provenance, written as .xlsx or .csv by kpixl.workbook.export (which keeps text a lead
typed from ever becoming a formula)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kpixl.domain import (
    Figure,
    Period,
    Quarter,
    Register,
    Tolerances,
    change_in_performance,
    parse_period,
    rate,
)
from kpixl.errors import OutputError
from kpixl.register import load_register
from kpixl.steps.workspace import Workspace
from kpixl.store import StoredFigure
from kpixl.workbook.export import write_csv, write_xlsx

__all__ = ["EXPORT_SUFFIXES", "ExportResult", "export_figures", "export_rows"]

EXPORT_SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class ExportResult:
    path: Path
    rows: int


def _periods(period: Period | None) -> set[str] | None:
    if period is None:
        return None
    if isinstance(period, Quarter):  # a quarter's return also carries its months' figures
        return {period.slug, *(m.slug for m in period.months())}
    return {period.slug}


def _row(s: StoredFigure, register: Register, current: Mapping[tuple[str, str], Figure],
         tolerances: Tolerances) -> dict[str, Any]:
    f, indicator = s.figure, register.indicator(s.figure.indicator)
    cell = f"{s.provenance.sheet}!{s.provenance.cell}" if s.provenance.sheet else s.provenance.cell
    row: dict[str, Any] = {
        "indicator": f.indicator, "title": "", "service": "", "committees": "", "period": f.period.slug,
        "version": s.version, "current": "yes" if s.current else "no", "value": f.value, "unit": "",
        "status": f.status.value, "reason": f.reason, "target": s.target or None, "rag": "", "change": "",
        "commentary": f.commentary, "actions": f.actions, "file": s.provenance.file_name, "cell": cell,
        "received": s.submission.received_at, "numerator": f.numerator, "denominator": f.denominator,
        "action_owner": f.action_owner, "action_due": f.action_due.isoformat() if f.action_due else "",
    }
    if indicator is None:  # figures of an indicator since removed from the register keep their own facts
        return row
    service = register.service(indicator.service)
    names = [c.name for c in register.committees if c.id in indicator.committees]
    target = indicator.target_for(f.period)
    previous = current.get((indicator.id, indicator.comparison_period(f.period).slug))
    row.update(title=indicator.title, service=service.name if service else indicator.service,
               committees="; ".join(names), unit=indicator.unit.value,
               target=target if target is not None else row["target"],
               rag=rate(indicator.kind, f.usable, target, indicator.direction, indicator.unit,
                        indicator.tolerances or tolerances).value,
               change=change_in_performance(f.usable, previous.usable if previous else None,
                                            indicator.direction).value)
    return row


def export_rows(workspace: Workspace, register: Register,
                period: Period | None = None) -> list[dict[str, Any]]:
    """Every stored version (of a quarter and its months, or of a month), as export rows."""
    with workspace.open_store() as store:
        stored, current = store.figures(_periods(period)), store.current_figures()
    return [_row(s, register, current, workspace.config.tolerances) for s in stored]


def export_figures(workspace: Workspace, path: Path, period: str | None = None) -> ExportResult:
    """Write the store's figures (of a period: a quarter with its months, or a month) to path (.xlsx or .csv);
    OutputError when it cannot be written."""
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise OutputError(f"{path.name}: kpixl exports to .xlsx or .csv; choose a name ending in one of them")
    register = load_register(workspace.register_path).register
    rows = export_rows(workspace, register, parse_period(period) if period else None)
    if suffix == ".csv":
        write_csv(path, rows)
    else:
        write_xlsx(path, rows, register)
    return ExportResult(path, len(rows))
