"""From rows as a reader found them (workbook or YAML) to the Register model, collecting every problem.

A RawRow carries where it came from (sheet and row, or YAML line) so that each problem names its place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kpixl.domain import (
    Committee,
    Comparison,
    Direction,
    Frequency,
    Indicator,
    Kind,
    Link,
    PercentageBasis,
    Register,
    Service,
    Tolerances,
    Unit,
)
from kpixl.domain.numbers import parse_number
from kpixl.errors import NotANumber
from kpixl.layout.register import FALSE_WORDS, SHEETS, TRUE_WORDS, Column
from kpixl.problems import Problem, Severity

__all__ = ["RawRow", "build_register", "committee_ids", "row_text"]


@dataclass(slots=True)  # a register of 400 indicators has ~5,000 rows, most of them targets
class RawRow:
    sheet: str  # "Indicators", "Targets", "Links", "Services", "Committees"
    values: dict[str, object]
    place: Callable[[str], str] = lambda key: ""  # the cell (or line) a key's value came from
    row: int = 0


def row_text(row: RawRow, key: str) -> str:
    """A cell's value as trimmed text; whole floats lose their ".0" (Excel stores 37 as 37.0)."""
    value = row.values.get(key)
    if value is None:
        return ""
    if type(value) is str:  # most values (every YAML one): no conversion
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def committee_ids(row: RawRow) -> list[str]:
    """The committees of an indicator row: a YAML list, or ids separated by commas in a cell."""
    value = row.values.get("committees")
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,;]", row_text(row, "committees"))
    return [str(item).strip() for item in items if str(item).strip()]


@dataclass
class _Builder:
    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, row: RawRow, key: str, code: str, message: str, hint: str,
                indicator: str = "", severity: Severity = Severity.ERROR) -> None:
        self.problems.append(Problem(code, severity, message, hint, self.file, row.sheet,
                                     row.place(key), indicator))

    text = staticmethod(row_text)

    def required(self, row: RawRow, columns: Iterable[Column], indicator: str = "") -> bool:
        ok = True
        for column in columns:
            if column.required and not self.text(row, column.key):
                self.problem(row, column.key, "REG_MISSING", f"{column.header} is empty.",
                             f"Fill in {column.header}: every row needs one.", indicator)
                ok = False
        return ok

    def choice(self, row: RawRow, column: Column, indicator: str, default: str) -> str:
        value = self.text(row, column.key).lower().replace(" ", "_") or default
        if column.choices and value not in column.choices:
            self.problem(row, column.key, "REG_BAD_CHOICE",
                         f"{column.header} '{self.text(row, column.key)}' is not one of the allowed values.",
                         f"Choose one of: {', '.join(column.choices)}.", indicator)
            return default
        return value

    def number(self, row: RawRow, key: str, header: str, indicator: str) -> Decimal | None:
        raw = row.values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            return parse_number(raw).value
        except NotANumber as exc:
            self.problem(row, key, "REG_NOT_A_NUMBER", f"{header}: {exc}.",
                         "Enter a number, with % for percentages (70%).", indicator)
            return None


_COLUMNS = {sheet: {c.key: c for c in cols} for sheet, cols in SHEETS.items()}


def _service(b: _Builder, row: RawRow) -> Service | None:
    if not b.required(row, SHEETS["Services"]):
        return None
    return Service(b.text(row, "id"), b.text(row, "name"), b.text(row, "lead_name"),
                   b.text(row, "lead_email"), b.text(row, "directorate"))


def _committee(b: _Builder, row: RawRow) -> Committee | None:
    if not b.required(row, SHEETS["Committees"]):
        return None
    return Committee(b.text(row, "id"), b.text(row, "name"))


def _bool(b: _Builder, row: RawRow, key: str, indicator: str) -> bool:
    value = row.values.get(key)
    if isinstance(value, bool):
        return value
    word = b.text(row, key).lower()
    if word in TRUE_WORDS:
        return True
    if word not in FALSE_WORDS:
        b.problem(row, key, "REG_BAD_CHOICE", f"Cumulative '{word}' is not yes or no.", "Write yes or no.",
                  indicator)
    return False


def _tolerances(b: _Builder, row: RawRow, ident: str) -> Tolerances | None:
    red = b.number(row, "red", "Red beyond", ident)
    blue = b.number(row, "blue", "Blue beyond", ident)
    basis = b.text(row, "percentage_basis")
    if red is None and blue is None and not basis:
        return None
    defaults = Tolerances()
    return Tolerances(
        red=defaults.red if red is None else red,
        blue=defaults.blue if blue is None else blue,
        percentage_basis=PercentageBasis(b.choice(row, _COLUMNS["Indicators"]["percentage_basis"], ident,
                                                  defaults.percentage_basis.value)),
    )


def _indicator(b: _Builder, row: RawRow, targets: dict[str, dict[str, Decimal]],
               links: dict[str, list[Link]]) -> Indicator | None:
    ident = b.text(row, "id")
    if not b.required(row, SHEETS["Indicators"], ident):
        return None
    cols = _COLUMNS["Indicators"]
    decimals = b.number(row, "decimals", "Decimal places", ident)
    return Indicator(
        id=ident,
        title=b.text(row, "title"),
        service=b.text(row, "service"),
        committees=tuple(committee_ids(row)),
        unit=Unit(b.choice(row, cols["unit"], ident, "count")),
        direction=Direction(b.choice(row, cols["direction"], ident, "up")),
        frequency=Frequency(b.choice(row, cols["frequency"], ident, "quarterly")),
        comparison=Comparison(b.choice(row, cols["comparison"], ident, "previous_period")),
        cumulative=_bool(b, row, "cumulative", ident),
        kind=Kind(b.choice(row, cols["kind"], ident, "target")),
        targets=targets.get(ident, {}),
        description=b.text(row, "description"),
        links=tuple(links.get(ident, ())),
        links_note=b.text(row, "links_note"),
        data_source=b.text(row, "data_source"),
        decimals=None if decimals is None else int(decimals),
        tolerances=_tolerances(b, row, ident),
        statistical_neighbours_mean=b.number(row, "statistical_neighbours_mean", "Statistical neighbours mean",
                                             ident),
        england_mean=b.number(row, "england_mean", "England mean", ident),
    )


def build_register(rows: Iterable[RawRow], file: str) -> tuple[Register, list[Problem], dict[str, list[RawRow]]]:
    """The register the rows describe, the problems found on the way, and the rows by sheet."""
    b = _Builder(file)
    by_sheet: dict[str, list[RawRow]] = {name: [] for name in SHEETS}
    for row in rows:
        by_sheet.setdefault(row.sheet, []).append(row)
    targets: dict[str, dict[str, Decimal]] = {}
    for row in by_sheet["Targets"]:
        ident = b.text(row, "indicator")
        value = b.number(row, "value", "Target or baseline", ident)
        if b.required(row, SHEETS["Targets"], ident) and value is not None:
            targets.setdefault(ident, {})[b.text(row, "period")] = value
    links: dict[str, list[Link]] = {}
    for row in by_sheet["Links"]:
        ident = b.text(row, "indicator")
        if b.required(row, SHEETS["Links"], ident):
            links.setdefault(ident, []).append(Link(b.text(row, "label"), b.text(row, "url")))
    services = [s for s in (_service(b, r) for r in by_sheet["Services"]) if s]
    committees = [c for c in (_committee(b, r) for r in by_sheet["Committees"]) if c]
    indicators = [i for i in (_indicator(b, r, targets, links) for r in by_sheet["Indicators"]) if i]
    register = Register(tuple(services), tuple(committees), tuple(indicators))
    return register, b.problems, by_sheet
