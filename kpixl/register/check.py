"""Rules across the register's rows: each function checks one thing and yields Problems with their places."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator

from kpixl.domain import Direction, Frequency, Kind, Register, Unit
from kpixl.domain.indicators import is_email, is_safe_url
from kpixl.domain.numbers import parse_number
from kpixl.domain.periods import FinancialYear, Month, Quarter, parse_period
from kpixl.errors import NotANumber, PeriodError
from kpixl.problems import Problem, Severity
from kpixl.register.build import RawRow, committee_ids
from kpixl.register.build import row_text as _text

__all__ = ["check_register"]

Rows = dict[str, list[RawRow]]


class _Checker:
    def __init__(self, register: Register, rows: Rows, file: str) -> None:
        self.register, self.rows, self.file = register, rows, file
        self._periods: dict[str, object] = {}  # each period text read once (3,000 targets name ~20 periods)

    def problem(self, row: RawRow, key: str, code: str, message: str, hint: str, indicator: str = "",
                severity: Severity = Severity.ERROR) -> Problem:
        return Problem(code, severity, message, hint, self.file, row.sheet, row.place(key), indicator)

    def duplicates(self) -> Iterator[Problem]:
        for sheet, key, what in (("Indicators", "id", "indicator"), ("Services", "id", "service"),
                                 ("Committees", "id", "committee")):
            seen: dict[str, RawRow] = {}
            for row in self.rows.get(sheet, []):
                ident = _text(row, key)
                if ident and ident in seen:
                    yield self.problem(row, key, "REG_DUPLICATE_ID",
                                       f"The {what} id '{ident}' is used twice (also at {seen[ident].place(key)}).",
                                       f"Give each {what} its own id, or delete the repeated row.",
                                       ident if what == "indicator" else "")
                seen.setdefault(ident, row)

    def references(self) -> Iterator[Problem]:
        services = {s.id for s in self.register.services}
        committees = {c.id for c in self.register.committees}
        for row in self.rows.get("Indicators", []):
            ident = _text(row, "id")
            service = _text(row, "service")
            if service and service not in services:
                yield self.problem(row, "service", "REG_UNKNOWN_SERVICE",
                                   f"Service '{service}' is not on the Services sheet.",
                                   "Use an id from the Services sheet, or add the service there.", ident)
            for committee in committee_ids(row):
                if committee not in committees:
                    yield self.problem(row, "committees", "REG_UNKNOWN_COMMITTEE",
                                       f"Committee '{committee}' is not on the Committees sheet.",
                                       "Use ids from the Committees sheet, separated by commas.", ident)
        # Ids as written, not as built: a row that failed to build is reported once, at its own place.
        listed = {_text(r, "id") for r in self.rows.get("Indicators", [])}
        for sheet in ("Targets", "Links"):
            for row in self.rows.get(sheet, []):
                ident = _text(row, "indicator")
                if ident and ident not in listed:
                    yield self.problem(row, "indicator", "REG_UNKNOWN_INDICATOR",
                                       f"Indicator '{ident}' is not on the Indicators sheet.",
                                       "Correct the number, or add the indicator to the Indicators sheet.", ident)

    def targets(self) -> Iterator[Problem]:
        seen: Counter[tuple[str, str]] = Counter()
        for row in self.rows.get("Targets", []):
            ident, period = _text(row, "indicator"), _text(row, "period")
            indicator = self.register.indicator(ident)
            if not indicator or not period:
                continue
            seen[(ident, period)] += 1
            if seen[(ident, period)] == 2:
                yield self.problem(row, "period", "REG_DUPLICATE_TARGET",
                                   f"Indicator {ident} has two targets for {period}.",
                                   "Keep one row per indicator and period.", ident)
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
        if parsed is None:
            yield self.problem(row, "period", "REG_BAD_PERIOD", f"'{period}' is not a period.",
                               "Write a quarter as 2023-24-Q2, a month as 2023-09, a year as 2023-24.", ident)
            return
        if frequency is Frequency.MONTHLY and isinstance(parsed, Quarter):
            yield self.problem(row, "period", "REG_TARGET_FREQUENCY",
                               f"Indicator {ident} is monthly but this target is for a quarter ({period}).",
                               "Give a target per month (2023-09) or per year (2023-24), "
                               "or make the indicator quarterly.", ident)
        if frequency is Frequency.QUARTERLY and isinstance(parsed, Month):
            yield self.problem(row, "period", "REG_TARGET_FREQUENCY",
                               f"Indicator {ident} is quarterly but this target is for a month ({period}).",
                               "Give a target per quarter (2023-24-Q2) or per year (2023-24), "
                               "or make the indicator monthly.", ident)

    def _target_type(self, row: RawRow, kind: Kind, ident: str) -> Iterator[Problem]:
        given = _text(row, "type").lower()
        if given == "target" and kind in (Kind.CONTEXTUAL, Kind.BASELINE):
            yield self.problem(row, "type", "REG_TARGET_NOT_RATED",
                               f"Indicator {ident} is {kind.label.lower()}, which has no target, but a target is "
                               "given.", "Enter the figure as a baseline, or change the indicator's kind to "
                               "target.", ident)
        if given == "baseline" and kind is Kind.TARGET:
            yield self.problem(row, "type", "REG_BASELINE_ON_TARGET",
                               f"Indicator {ident} is rated against a target, but this row is a baseline.",
                               "Enter it as a target, or change the indicator's kind to baseline.", ident)

    def _target_percentage(self, row: RawRow, unit: Unit, ident: str) -> Iterator[Problem]:
        try:
            parsed = parse_number(row.values.get("value"))
        except NotANumber:
            return  # reported when the row was built
        if unit is Unit.PERCENTAGE and not parsed.percent_sign and parsed.value > 1:
            yield self.problem(row, "value", "REG_PERCENT_SCALE",
                               f"Indicator {ident} is a percentage but its target is {parsed.value}.",
                               f"Did you mean {parsed.value}%? Write percentages with a % sign.", ident)

    def indicators(self) -> Iterator[Problem]:
        for row in self.rows.get("Indicators", []):
            indicator = self.register.indicator(_text(row, "id"))
            if indicator is None or self.register.indicator(indicator.id) is not indicator:
                continue
            ident = indicator.id
            if indicator.kind is Kind.TARGET and indicator.direction is Direction.NONE:
                yield self.problem(row, "direction", "REG_TARGET_NO_DIRECTION",
                                   f"Indicator {ident} has a target but no direction, so it cannot be rated.",
                                   "Set the direction to up or down, or change the kind to contextual.", ident)
            if indicator.kind is Kind.TARGET and not indicator.targets:
                yield self.problem(row, "kind", "REG_NO_TARGET",
                                   f"Indicator {ident} is rated against a target but has none on the Targets "
                                   "sheet.", "Add its targets on the Targets sheet; until then it is Not rated.",
                                   ident, Severity.WARNING)
            tolerances = indicator.tolerances
            if tolerances and not (0 <= tolerances.blue and 0 <= tolerances.red <= 1):
                yield self.problem(row, "red", "REG_BAD_TOLERANCE",
                                   f"Indicator {ident} has RAG bands of red {tolerances.red}, blue {tolerances.blue}.",
                                   "Write bands as percentages between 0% and 100%, e.g. 10% and 5%.", ident)

    def links(self) -> Iterator[Problem]:
        for row in self.rows.get("Links", []):
            url = _text(row, "url")
            if url and not is_safe_url(url):
                yield self.problem(row, "url", "REG_BAD_URL", f"'{url[:80]}' is not a web or mail address.",
                                   "Write the full address starting https:// (or http://, mailto:).",
                                   _text(row, "indicator"))

    def services(self) -> Iterator[Problem]:
        used = {i.service for i in self.register.indicators}
        for row in self.rows.get("Services", []):
            email = _text(row, "lead_email")
            if email and not is_email(email):
                yield self.problem(row, "lead_email", "REG_BAD_EMAIL", f"'{email}' is not an email address.",
                                   "Write the lead's address as name@council.gov.uk.")
            elif not email and _text(row, "id") in used:
                yield self.problem(row, "lead_email", "REG_NO_LEAD_EMAIL",
                                   f"Service '{_text(row, 'id')}' has no lead email, so its workbook cannot be "
                                   "sent.", "Add the lead's email address.", severity=Severity.WARNING)

    def committees(self) -> Iterator[Problem]:
        for row in self.rows.get("Committees", []):
            ident = _text(row, "id")
            if ident and not self.register.indicators_of_committee(ident):
                yield self.problem(row, "id", "REG_EMPTY_COMMITTEE",
                                   f"Committee '{ident}' has no indicators, so its report would be empty.",
                                   "List it in the Committee IDs of its indicators, or delete the row.",
                                   severity=Severity.WARNING)


def check_register(register: Register, rows: Rows, file: str) -> list[Problem]:
    """Every cross-row problem of a register, in sheet order."""
    checker = _Checker(register, rows, file)
    rules: tuple[Callable[[], Iterator[Problem]], ...] = (
        checker.duplicates, checker.references, checker.indicators, checker.targets, checker.links,
        checker.services, checker.committees,
    )
    return [problem for rule in rules for problem in rule()]
