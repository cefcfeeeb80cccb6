"""From rows as a reader found them (workbook or YAML) to the Register model, and the rules across its rows,
collecting every problem.

A RawRow carries where it came from (sheet and row, or YAML line) so that each problem names its place. Each
rule checks one thing and yields Problems with their places.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from kpixl.domain import (
    Calculation,
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
from kpixl.domain.indicators import is_email, is_safe_url
from kpixl.domain.numbers import parse_number
from kpixl.domain.outlook import ADDITIVE_UNITS, periods_of_year
from kpixl.domain.periods import FinancialYear, Month, Quarter, parse_period
from kpixl.errors import NotANumber, PeriodError
from kpixl.layout.register import FALSE_WORDS, SHEETS, TRUE_WORDS, Column
from kpixl.problems import Problem, Where, has_control, problem, safe, shown
from kpixl.untrusted.limits import MAX_TEXT_CHARS

__all__ = ["RawRow", "build_register", "check_register", "committee_ids", "row_text"]

@dataclass(slots=True)  # a register of 400 indicators has ~5,000 rows, most of them targets
class RawRow:
    sheet: str  # "Indicators", "Targets", "Links", "Services", "Committees"
    values: dict[str, object]
    place: Callable[[str], str] = lambda key: ""  # the cell (or line) a key's value came from
    row: int = 0

    def where(self, file: str, key: str, indicator: str = "") -> Where:
        """The place of a key's value in file, for a problem found there."""
        return Where(file, self.sheet, self.place(key), indicator)


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

    def problem(self, code: str, where: Where, **values: object) -> None:
        self.problems.append(problem(code, where, **values))

    text = staticmethod(row_text)

    def required(self, row: RawRow, columns: Iterable[Column], indicator: str = "") -> bool:
        ok = True
        for column in columns:
            if column.required and not self.text(row, column.key):
                self.problem("REG_MISSING", row.where(self.file, column.key, indicator), header=column.header)
                ok = False
        return ok

    def choice(self, row: RawRow, column: Column, indicator: str, default: str) -> str:
        value = self.text(row, column.key).lower().replace(" ", "_") or default
        if column.choices and value not in column.choices:
            self.problem("REG_BAD_CHOICE", row.where(self.file, column.key, indicator), header=column.header,
                         value=self.text(row, column.key), choices=", ".join(column.choices))
            return default
        return value

    def number(self, row: RawRow, key: str, header: str, indicator: str) -> Decimal | None:
        raw = row.values.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            return parse_number(raw).value
        except NotANumber as exc:
            self.problem("REG_NOT_A_NUMBER", row.where(self.file, key, indicator), header=header, detail=exc)
            return None


_COLUMNS = {sheet: {c.key: c for c in cols} for sheet, cols in SHEETS.items()}
# The names and addresses kpixl prints and puts in email headers, by sheet: no control character allowed.
# (Titles and descriptions may hold line breaks; they are made safe where they are shown.)
_NAMES = {"Services": ("id", "name", "lead_name", "lead_email", "directorate", "deputy_name", "deputy_email", "cc"),
          "Committees": ("id", "name"),
          "Indicators": ("id", "service")}


def _service(b: _Builder, row: RawRow) -> Service | None:
    if not b.required(row, SHEETS["Services"]):
        return None
    return Service(b.text(row, "id"), b.text(row, "name"), b.text(row, "lead_name"),
                   b.text(row, "lead_email"), b.text(row, "directorate"), b.text(row, "deputy_name"),
                   b.text(row, "deputy_email"), copied(row))


def copied(row: RawRow) -> tuple[str, ...]:
    """A service's cc addresses: a YAML list, or text with commas or semicolons (Outlook's separator)."""
    value = row.values.get("cc")
    items = [str(v) for v in value] if isinstance(value, list) else re.split(r"[,;]", row_text(row, "cc"))
    return tuple(a.strip() for a in items if a.strip())


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
        b.problem("REG_BAD_CHOICE/yes_no", row.where(b.file, key, indicator), header="Cumulative", value=word)
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
        targets=targets.get(ident.casefold(), {}),
        description=b.text(row, "description"),
        links=tuple(links.get(ident.casefold(), ())),
        links_note=b.text(row, "links_note"),
        data_source=b.text(row, "data_source"),
        decimals=None if decimals is None else int(decimals),
        tolerances=_tolerances(b, row, ident),
        statistical_neighbours_mean=b.number(row, "statistical_neighbours_mean", "Statistical neighbours mean",
                                             ident),
        england_mean=b.number(row, "england_mean", "England mean", ident),
        calculation=_calculation(b, row, ident),
        benchmark_metric=b.text(row, "benchmark_metric"),
    )


def _calculation(b: _Builder, row: RawRow, ident: str) -> Calculation | None:
    """Numerator and Denominator: a calculated indicator (its checks are the Checker's); Scale alone: nothing."""
    numerator, denominator = b.text(row, "numerator"), b.text(row, "denominator")
    scale = b.number(row, "scale", "Scale", ident)
    if not (numerator and denominator):
        return None
    unit = b.text(row, "unit").lower()
    default = Decimal(100) if unit == Unit.PERCENTAGE.value else Decimal(1)
    return Calculation(numerator, denominator, default if scale is None else scale)


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
            targets.setdefault(ident.casefold(), {})[b.text(row, "period")] = value  # ids ignore case
    links: dict[str, list[Link]] = {}
    for row in by_sheet["Links"]:
        ident = b.text(row, "indicator")
        if b.required(row, SHEETS["Links"], ident):
            links.setdefault(ident.casefold(), []).append(Link(b.text(row, "label"), b.text(row, "url")))
    services = [s for s in (_service(b, r) for r in by_sheet["Services"]) if s]
    committees = [c for c in (_committee(b, r) for r in by_sheet["Committees"]) if c]
    indicators = [i for i in (_indicator(b, r, targets, links) for r in by_sheet["Indicators"]) if i]
    register = Register(tuple(services), tuple(committees), tuple(indicators))
    return register, b.problems, by_sheet


Rows = dict[str, list[RawRow]]


class _Checker:
    def __init__(self, register: Register, rows: Rows, file: str) -> None:
        self.register, self.rows, self.file = register, rows, file
        self._periods: dict[str, object] = {}  # each period text read once (3,000 targets name ~20 periods)

    def duplicates(self) -> Iterator[Problem]:
        for sheet, key, what in (("Indicators", "id", "indicator"), ("Services", "id", "service"),
                                 ("Committees", "id", "committee")):
            seen: dict[str, RawRow] = {}
            for row in self.rows.get(sheet, []):
                ident = row_text(row, key)
                first = seen.get(ident.casefold())
                if ident and first is not None:
                    where = row.where(self.file, key, ident if what == "indicator" else "")
                    other = row_text(first, key)
                    if other == ident:
                        yield problem("REG_DUPLICATE_ID", where, what=what, id=ident, first=first.place(key))
                    else:  # lookups ignore case ("r03" finds R03), so these two would be one
                        yield problem("REG_DUPLICATE_ID/case", where, what=what, id=ident, other=other,
                                      first=first.place(key))
                seen.setdefault(ident.casefold(), row)

    def id_digits(self) -> Iterator[Problem]:
        """An indicator id with a character that looks like a digit but is not 0-9 ("3²", "٣٦")."""
        for row in self.rows.get("Indicators", []):
            ident = row_text(row, "id")
            odd = next((c for c in ident if c.isdigit() and c not in "0123456789"), None)
            if odd:
                yield problem("REG_ID_DIGIT", row.where(self.file, "id", ident), ident=shown(ident), character=odd)

    def references(self) -> Iterator[Problem]:
        services = {s.id for s in self.register.services}
        committees = {c.id for c in self.register.committees}
        for row in self.rows.get("Indicators", []):
            ident = row_text(row, "id")
            service = row_text(row, "service")
            if service and service not in services:
                yield problem("REG_UNKNOWN_SERVICE", row.where(self.file, "service", ident), service=service)
            for committee in committee_ids(row):
                if committee not in committees:
                    yield problem("REG_UNKNOWN_COMMITTEE", row.where(self.file, "committees", ident),
                                  committee=committee)
        # Ids as written, not as built: a row that failed to build is reported once, at its own place.
        listed = {row_text(r, "id").casefold() for r in self.rows.get("Indicators", [])}
        for sheet in ("Targets", "Links"):
            for row in self.rows.get(sheet, []):
                ident = row_text(row, "indicator")
                if ident and ident.casefold() not in listed:
                    yield problem("REG_UNKNOWN_INDICATOR", row.where(self.file, "indicator", ident), indicator=ident)

    def targets(self) -> Iterator[Problem]:
        seen: Counter[tuple[str, str]] = Counter()
        for row in self.rows.get("Targets", []):
            ident, period = row_text(row, "indicator"), row_text(row, "period")
            indicator = self.register.indicator(ident)
            if not indicator or not period:
                continue
            seen[(indicator.id, period)] += 1
            if seen[(indicator.id, period)] == 2:
                yield problem("REG_DUPLICATE_TARGET", row.where(self.file, "period", ident), indicator=ident,
                              period=period)
            yield from self._target_period(row, indicator.frequency, period, ident)
            yield from self._target_type(row, indicator.kind, ident)
            if indicator.unit is Unit.PERCENTAGE:  # the only unit _target_percentage checks
                yield from self._target_percentage(row, indicator.unit, ident)

    def _parsed_period(self, period: str) -> object:
        """A target's period: a quarter, a month or a financial year; None when it is none of them."""
        if period not in self._periods:
            try:
                parsed: object = parse_period(period)
            except PeriodError:
                try:
                    parsed = FinancialYear.parse(period)
                except PeriodError:
                    parsed = None
            self._periods[period] = parsed
        return self._periods[period]

    def _target_period(self, row: RawRow, frequency: Frequency, period: str, ident: str) -> Iterator[Problem]:
        parsed = self._parsed_period(period)
        where = row.where(self.file, "period", ident)
        if parsed is None:
            yield problem("REG_BAD_PERIOD", where, period=period)
            return
        if frequency is Frequency.MONTHLY and isinstance(parsed, Quarter):
            yield problem("REG_TARGET_FREQUENCY/monthly", where, indicator=ident, period=period)
        if frequency is Frequency.QUARTERLY and isinstance(parsed, Month):
            yield problem("REG_TARGET_FREQUENCY/quarterly", where, indicator=ident, period=period)

    def _target_type(self, row: RawRow, kind: Kind, ident: str) -> Iterator[Problem]:
        given = row_text(row, "type").lower()
        if given == "target" and kind in (Kind.CONTEXTUAL, Kind.BASELINE):
            yield problem("REG_TARGET_NOT_RATED", row.where(self.file, "type", ident), indicator=ident,
                          kind=kind.label.lower())
        if given == "baseline" and kind is Kind.TARGET:
            yield problem("REG_BASELINE_ON_TARGET", row.where(self.file, "type", ident), indicator=ident)

    def _target_percentage(self, row: RawRow, unit: Unit, ident: str) -> Iterator[Problem]:
        try:
            parsed = parse_number(row.values.get("value"))
        except NotANumber:
            return  # reported when the row was built
        if unit is Unit.PERCENTAGE and not parsed.percent_sign and parsed.value > 1:
            yield problem("REG_PERCENT_SCALE", row.where(self.file, "value", ident), indicator=ident,
                          value=parsed.value)

    def indicators(self) -> Iterator[Problem]:
        for row in self.rows.get("Indicators", []):
            indicator = self.register.indicator(row_text(row, "id"))
            if indicator is None or self.register.indicator(indicator.id) is not indicator:
                continue
            ident = indicator.id
            if indicator.kind is Kind.TARGET and indicator.direction is Direction.NONE:
                yield problem("REG_TARGET_NO_DIRECTION", row.where(self.file, "direction", ident), indicator=ident)
            if indicator.kind is Kind.TARGET and not indicator.targets:
                yield problem("REG_NO_TARGET", row.where(self.file, "kind", ident), indicator=ident)
            tolerances = indicator.tolerances
            if tolerances and not (0 <= tolerances.blue and 0 <= tolerances.red <= 1):
                yield problem("REG_BAD_TOLERANCE", row.where(self.file, "red", ident), indicator=ident,
                              red=tolerances.red, blue=tolerances.blue)

    def empty(self) -> Iterator[Problem]:
        """A register with no services, committees or indicators yet (a new workspace's) is valid, but
        nothing can be collected or reported from it: say what is still to add."""
        for key, sheet, what in (("REG_EMPTY/services", "Services", self.register.services),
                                 ("REG_EMPTY/committees", "Committees", self.register.committees),
                                 ("REG_EMPTY/indicators", "Indicators", self.register.indicators)):
            if not what and not self.rows.get(sheet):
                yield problem(key, Where(self.file, sheet))

    def calculations(self) -> Iterator[Problem]:
        """Numerator and Denominator together, a positive Scale (100 for a percentage), never a count."""
        for row in self.rows.get("Indicators", []):
            ident = row_text(row, "id")
            indicator = self.register.indicator(ident)
            if indicator is None or self.register.indicator(indicator.id) is not indicator:
                continue
            labels = {key: row_text(row, key) for key in ("numerator", "denominator")}
            given = [key for key, text in labels.items() if text]
            if len(given) == 1 or (not given and row_text(row, "scale")):
                missing = next((k for k in labels if not labels[k]), "numerator")
                yield problem("REG_CALC_INCOMPLETE", row.where(self.file, missing, ident), indicator=ident,
                              missing=missing.capitalize())
            calculation = indicator.calculation
            if calculation is None:
                continue
            if calculation.scale <= 0:
                yield problem("REG_CALC_SCALE", row.where(self.file, "scale", ident), indicator=ident,
                              scale=calculation.scale)
            elif indicator.unit is Unit.PERCENTAGE and calculation.scale != 100:
                yield problem("REG_CALC_SCALE/percentage", row.where(self.file, "scale", ident), indicator=ident,
                              scale=calculation.scale)
            if indicator.unit is Unit.COUNT:
                yield problem("REG_CALC_UNIT", row.where(self.file, "unit", ident), indicator=ident)

    def profiles(self) -> Iterator[Problem]:
        """A year's target standing in for the periods of a cumulative (or monthly additive) indicator: a
        year-to-date figure in June against the whole year's target is Red all year (docs/insight.md)."""
        for row in self.rows.get("Targets", []):
            indicator = self.register.indicator(row_text(row, "indicator"))
            year = self._parsed_period(row_text(row, "period"))
            if indicator is None or not isinstance(year, FinancialYear) or indicator.kind is not Kind.TARGET:
                continue
            monthly = indicator.frequency is Frequency.MONTHLY
            if not (indicator.cumulative or (monthly and indicator.unit in ADDITIVE_UNITS)):
                continue
            periods = periods_of_year(indicator, year)
            bare = [p.slug for p in periods if not ({p.slug, p.quarter().slug} & indicator.targets.keys())]
            if bare:
                what = "cumulative" if indicator.cumulative else "monthly"
                yield problem("REG_TARGET_PROFILE", row.where(self.file, "period", indicator.id),
                              indicator=indicator.id, what=what, count=len(bare), of=len(periods), year=year,
                              first=bare[0], word="month" if monthly else "quarter")

    def links(self) -> Iterator[Problem]:
        for row in self.rows.get("Links", []):
            url = row_text(row, "url")
            if url and not is_safe_url(url):
                yield problem("REG_BAD_URL", row.where(self.file, "url", row_text(row, "indicator")), url=url[:80])

    def controls(self) -> Iterator[Problem]:
        """Names and addresses are printed on the officer's terminal and written into email headers: a control
        character in one (an escape sequence, a bell, a line break) is refused at its cell."""
        for sheet, keys in _NAMES.items():
            for row in self.rows.get(sheet, []):
                for key in keys:
                    value = row.values.get(key)
                    if isinstance(value, list):  # a YAML list of cc addresses: each is one
                        value = next((v for v in value if isinstance(v, str) and has_control(v)), "")
                    if isinstance(value, str) and has_control(value):
                        ident = row_text(row, "id") if sheet == "Indicators" else ""
                        yield problem("REG_CONTROL_CHAR", row.where(self.file, key, ident),
                                      header=_COLUMNS[sheet][key].header, shown=shown(safe(value)))

    def long_texts(self) -> Iterator[Problem]:
        """A text longer than an Excel cell holds could not be written into a workbook (a collection workbook
        shows the title, the register workbook every value): refused here, at its cell, not when writing."""
        for sheet, rows in self.rows.items():
            for row in rows:
                for key, value in row.values.items():
                    if isinstance(value, str) and len(value) > MAX_TEXT_CHARS:
                        column = _COLUMNS.get(sheet, {}).get(key)
                        ident = row_text(row, "id") if sheet == "Indicators" else row_text(row, "indicator")
                        yield problem("REG_TEXT_TOO_LONG", row.where(self.file, key, ident),
                                      header=column.header if column else key, length=len(value),
                                      limit=MAX_TEXT_CHARS)

    def services(self) -> Iterator[Problem]:
        used = {i.service for i in self.register.indicators}
        for row in self.rows.get("Services", []):
            email = row_text(row, "lead_email")
            if not email and row_text(row, "id") in used:
                yield problem("REG_NO_LEAD_EMAIL", row.where(self.file, "lead_email"), service=row_text(row, "id"))
            # The lead's, the deputy's and each copied address, checked alike: kpixl sends to each of them.
            for key, written in (("lead_email", [email]), ("deputy_email", [row_text(row, "deputy_email")]),
                                 ("cc", list(copied(row)))):
                for address in written:
                    if not address or has_control(address):
                        continue  # none, or refused by controls()
                    if not is_email(address):
                        yield problem("REG_BAD_EMAIL", row.where(self.file, key), email=address)
                    elif not address.isascii():
                        yield problem("REG_BAD_EMAIL/ascii", row.where(self.file, key), email=address)

    def committees(self) -> Iterator[Problem]:
        for row in self.rows.get("Committees", []):
            ident = row_text(row, "id")
            if ident and not self.register.indicators_of_committee(ident):
                yield problem("REG_EMPTY_COMMITTEE", row.where(self.file, "id"), committee=ident)


def check_register(register: Register, rows: Rows, file: str) -> list[Problem]:
    """Every cross-row problem of a register, in sheet order."""
    checker = _Checker(register, rows, file)
    rules: tuple[Callable[[], Iterator[Problem]], ...] = (
        checker.empty, checker.duplicates, checker.id_digits, checker.references, checker.indicators,
        checker.calculations, checker.targets, checker.profiles, checker.links, checker.services, checker.committees,
        checker.controls, checker.long_texts,
    )
    return [found for rule in rules for found in rule()]
