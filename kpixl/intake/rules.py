"""The rules a returned row is checked against, and the context they judge by: pure functions, one rule
each, over cells already read.

The context (IntakeContext) is what kpixl.steps.collect loads once per command: the register, the council,
the quarter being collected, the signing key, the RAG bands, and every figure already known (for the history
checks). Each rule takes the cell (with its A1 place) and what kpixl knows of the indicator, and gives values
and Problems; none reads a file or the store. Percentages are fractions throughout (68% is 0.68), as Excel
and kpixl hold them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property

from kpixl.domain import (
    Comparison,
    Figure,
    Indicator,
    Month,
    Period,
    Quarter,
    Rag,
    Register,
    Tolerances,
    Unit,
    format_value,
    parse_period,
    rate,
)
from kpixl.domain.numbers import parse_number, to_decimal
from kpixl.domain.periods import MONTH_NAMES
from kpixl.errors import NotANumber, PeriodError
from kpixl.intake.book import Cell, cell_text
from kpixl.problems import Problem, Where, problem, shown

__all__ = ["COMMENTARY_MIN", "HISTORY_MIN", "SHORT_SHARE", "SPREAD", "FigureReading", "IntakeContext", "Unusual", "as_stored", "check_action_owner", "check_actions", "check_commentary", "check_context", "check_texts", "context_value", "cumulative_fall", "is_red", "period_of", "read_count", "read_due_date", "read_figure", "read_text", "unusual_change"]

@dataclass(frozen=True)
class IntakeContext:
    council: str
    register: Register
    quarter: Quarter  # the collection under way: a return for another quarter is refused
    secret: bytes
    tolerances: Tolerances = field(default_factory=Tolerances)
    known: Mapping[tuple[str, str], Figure] = field(default_factory=dict)  # (indicator, period slug)

    def values(self, indicator: str) -> dict[Period, Decimal]:
        """An indicator's known usable figures by period, for the history checks (a copy)."""
        return dict(self._values_by_indicator.get(indicator, {}))

    @cached_property
    def _values_by_indicator(self) -> dict[str, dict[Period, Decimal]]:
        # Indexed once: values() is asked for every row, and scanning every known figure each time made
        # a collect cost rows x figures (2.7 s of 10 s at 1,600 indicators).
        index: dict[str, dict[Period, Decimal]] = {}
        for (ident, _slug), figure in self.known.items():
            if figure.usable is not None:
                index.setdefault(ident, {})[figure.period] = figure.usable
        return index


_MONTHS = {name.casefold(): number for number, name in enumerate(MONTH_NAMES, start=1)}


def period_of(text: str) -> Period | None:
    """A period as the workbook prints it ("2023/24 Q2", "September 2023") or as a slug; None if neither."""
    text = " ".join(text.split())
    try:
        return parse_period(text)
    except PeriodError:
        pass
    parts = text.split(" ")
    # [0-9]{4}, not str.isdigit(): a lead may type "²⁰²³", which isdigit() takes and int() refuses.
    if len(parts) == 2 and parts[0].casefold() in _MONTHS and re.fullmatch(r"[0-9]{4}", parts[1]):
        return Month(int(parts[1]), _MONTHS[parts[0].casefold()])
    return None


COMMENTARY_MIN = 10  # characters: "n/a" or "see above" does not explain a figure
_REASON_HEADER = "Reason if no figure"


@dataclass(frozen=True)
class FigureReading:
    value: Decimal | None = None  # a number kpixl accepts
    blank: bool = True  # nothing typed
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.severity.value == "error" for p in self.problems)


MAX_PLACES = 10  # decimal places a message shows at most (a float's tail beyond is noise)


def as_stored(value: Decimal, unit: Unit) -> str:
    """A lead's figure in a message with every decimal place kpixl keeps, so the message never shows another
    number than the one stored: 47.9% typed as text is "47.9%", never the report's rounded "48%"."""
    scaled = value * 100 if unit is Unit.PERCENTAGE else value
    exponent = scaled.normalize().as_tuple().exponent
    places = min(MAX_PLACES, max(0, -exponent)) if isinstance(exponent, int) else 0
    if unit is Unit.MONEY and places == 1:  # £1,250.50, as money is written: the same amount
        places = 2
    return format_value(value, unit, places)


def _not_number(value: object, where: Where) -> Problem:
    return problem("FIGURE_NOT_NUMBER", where, text=shown(value), reason_header=_REASON_HEADER)


def _percent_one(value: Decimal, percent: bool, unit: Unit, typed: str, where: Where) -> list[Problem]:
    """1 without a % sign for a percentage is 100%, but is as likely a 1% whose sign was left off."""
    if unit is Unit.PERCENTAGE and not percent and value == 1:
        return [problem("FIGURE_PERCENT_ONE", where, shown=typed)]
    return []


def _number(cell: Cell, unit: Unit, where: Where,
            explained: bool) -> tuple[Decimal | None, bool, list[Problem]]:
    """The cell's number, whether it came with a % (sign or format), and the problems on the way."""
    value = cell.value
    if cell.formula:
        return None, False, [problem("FIGURE_FORMULA", where, formula=shown(value))]
    if isinstance(value, bool):
        return None, False, [problem("FIGURE_BOOLEAN", where, shown=cell_text(value))]
    if isinstance(value, (datetime, date, time, timedelta)):
        return None, False, [problem("FIGURE_DATE", where, shown=shown(cell_text(value)))]
    if isinstance(value, (int, float)):
        try:
            parsed = parse_number(value)
        except NotANumber:
            return None, False, [_not_number(value, where)]
        percent = "%" in cell.number_format
        notes = [] if parsed.held is None else [problem("FIGURE_ROUNDED", where, held=f"{parsed.held:f}",
                                                        value=f"{parsed.value:f}")]
        return parsed.value, percent, notes + _percent_one(parsed.value, percent, unit, cell_text(value), where)
    try:
        parsed = parse_number(str(value))
    except NotANumber:
        if explained:  # "n/a" with a reason chosen: the figure is not available, and that is fine
            return None, False, []
        return None, False, [_not_number(value, where)]
    one = _percent_one(parsed.value, parsed.percent_sign, unit, shown(value), where)
    return parsed.value, parsed.percent_sign, one or [problem("FIGURE_TEXT", where, text=shown(value),
                                                              value=as_stored(parsed.value, unit))]


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text.removesuffix(".0")


def _unit_rules(value: Decimal, percent: bool, unit: Unit, where: Where) -> list[Problem]:
    shown_value = as_stored(value, unit) if percent or unit is not Unit.PERCENTAGE else _plain(value)
    if value < 0:
        return [problem("FIGURE_NEGATIVE", where, shown=shown_value, unit_words=unit.words)]
    if unit is Unit.PERCENTAGE and value > 1:
        return [problem("FIGURE_PERCENT_SCALE", where, shown=shown_value, guess=_plain(value))]
    if unit.whole and value != value.to_integral_value():
        return [problem("FIGURE_NOT_WHOLE", where, shown=shown_value)]
    return []


def read_figure(cell: Cell | None, indicator: Indicator, where: Where,
                reason_given: bool = False) -> FigureReading:
    """A figure cell: its value, or why it has none. A number typed as text is read (with a warning)."""
    if cell is None or cell.blank:
        return FigureReading()
    where = where.at(cell.ref)
    value, percent, problems = _number(cell, indicator.unit, where, reason_given)
    if value is None:
        return FigureReading(None, False, problems)
    rules = _unit_rules(value, percent, indicator.unit, where)
    if rules:  # the rule says it all; "read as text" would only add noise
        return FigureReading(None, False, rules)
    return FigureReading(value, False, problems)


def read_text(cell: Cell | None, column: str, limit: int, where: Where) -> tuple[str, list[Problem]]:
    """A text cell as typed (line endings made \\n), or the problem with it: a formula, or too long."""
    if cell is None or cell.blank:
        return "", []
    if cell.formula:
        return "", [problem("TEXT_FORMULA", where.at(cell.ref), column=column, formula=shown(cell.value))]
    text = cell_text(cell.value).replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > limit:
        code = "COMMENTARY_TOO_LONG" if column == "commentary" else "TEXT_TOO_LONG"
        return text[:limit], [problem(code, where.at(cell.ref), column=column, length=len(text), limit=limit)]
    return text, []


def check_commentary(text: str, cell: Cell | None, period: str, where: Where) -> list[Problem]:
    """Every figure of the report's period needs a commentary that says something."""
    if len(text) >= COMMENTARY_MIN:
        return []
    return [problem("COMMENTARY_MISSING", where.at(cell.ref if cell else ""), period=period,
                    minimum=COMMENTARY_MIN)]


def is_red(indicator: Indicator, value: Decimal | None, target: Decimal | None, tolerances: Tolerances) -> bool:
    """kpixl rates the figure itself: the workbook's RAG preview is a formula whose cached value depends on
    the program that saved it (0, empty, or stale), so it is never read."""
    bands = indicator.tolerances or tolerances
    return value is not None and target is not None and rate(
        indicator.kind, value, target, indicator.direction, indicator.unit, bands) is Rag.RED


def check_actions(indicator: Indicator, value: Decimal | None, target: Decimal | None, actions: str,
                  cell: Cell | None, tolerances: Tolerances, where: Where) -> list[Problem]:
    """Red needs actions."""
    if actions or value is None or target is None or not is_red(indicator, value, target, tolerances):
        return []
    bands = indicator.tolerances or tolerances
    return [problem("ACTIONS_REQUIRED", where.at(cell.ref if cell else ""),
                    shown=as_stored(value, indicator.unit), target=as_stored(target, indicator.unit),
                    red=format_value(bands.red, Unit.PERCENTAGE, 1 if (bands.red * 100) % 1 else 0))]


def check_action_owner(indicator: Indicator, value: Decimal | None, target: Decimal | None, actions: str,
                       owner: str, due: date | None, cells: Mapping[str, Cell], tolerances: Tolerances,
                       where: Where) -> list[Problem]:
    """Red needs someone to own the actions, and a date they are due by: the report's exceptions table prints
    both (docs/insight.md). A query, as ACTIONS_REQUIRED is: the lead may explain why there is none. Asked
    only of actions given: a Red figure without actions has ACTIONS_REQUIRED's one query, not two."""
    if not actions or value is None or target is None or not is_red(indicator, value, target, tolerances):
        return []
    missing = [key for key, given in (("action_owner", owner), ("action_due", due)) if not given]
    if not missing:
        return []
    cell = cells.get(missing[0]) or cells.get("actions")
    words = " or ".join(_OWNER_WORDS[key] for key in missing)
    return [problem("ACTION_OWNER_REQUIRED", where.at(cell.ref if cell else ""),
                    shown=as_stored(value, indicator.unit), target=as_stored(target, indicator.unit),
                    missing=words)]


_OWNER_WORDS = {"action_owner": "owner", "action_due": "due date"}
# How people type a date as text, when a spreadsheet left it text: ISO first, then the UK's day-first forms.
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%d/%m/%y")


def _text_date(text: str) -> date | None:
    cleaned = " ".join(text.split())
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    return None


def read_due_date(cell: Cell | None, where: Where) -> tuple[date | None, list[Problem]]:
    """The actions' due date: a date cell, or a date typed as text (31/01/2024, 2024-01-31, 31 January 2024,
    the day first as in the UK); anything else is refused, never guessed."""
    if cell is None or cell.blank:
        return None, []
    at = where.at(cell.ref)
    if cell.formula:
        return None, [problem("TEXT_FORMULA", at, column="action due date", formula=shown(cell.value))]
    value = cell.value
    if isinstance(value, datetime):
        return value.date(), []
    if isinstance(value, date):
        return value, []
    found = _text_date(value) if isinstance(value, str) else None
    if found is None:
        return None, [problem("ACTION_DUE_NOT_DATE", at, text=shown(cell_text(value)))]
    return found, []


def read_count(cell: Cell | None, column: str, label: str, where: Where) -> FigureReading:
    """One of a calculated indicator's two counts: a number, 0 or more, never a percentage."""
    if cell is None or cell.blank:
        return FigureReading()
    at = where.at(cell.ref)
    value, percent, problems = _number(cell, Unit.NUMBER, at, False)
    if value is None:
        return FigureReading(None, False, problems)
    if percent:
        return FigureReading(None, False, [problem("CALC_COUNTS/percent", at, shown=as_stored(value, Unit.PERCENTAGE),
                                                   column=column, label=shown(label))])
    if value < 0:
        return FigureReading(None, False, [problem("FIGURE_NEGATIVE", at, shown=_plain(value),
                                                   unit_words="a count")])
    return FigureReading(value, False, problems)


def context_value(cell: Cell) -> Decimal | str | None:
    """A context cell's number, None when it holds none, or a description when it holds something else."""
    if cell.formula:
        return "a formula"
    if cell.blank or isinstance(cell.value, bool):
        return None if cell.blank else cell_text(cell.value)
    if isinstance(cell.value, (int, float)):
        try:
            return to_decimal(cell.value)
        except NotANumber:  # NaN or 1e308 where kpixl printed a target: not what it printed
            return cell_text(cell.value)
    try:
        return parse_number(cell_text(cell.value)).value
    except NotANumber:
        return None  # a word kpixl printed ("In Development") or typed over a blank: no figure either way


def check_context(cell: Cell | None, printed: str, column: str, indicator: Indicator,
                  where: Where) -> list[Problem]:
    """A target or comparison figure must still say what kpixl printed (and signed); kpixl uses its own."""
    if cell is None:
        return []
    expected = Decimal(printed) if printed else None
    found = context_value(cell)
    if found == expected:
        return []

    def words(value: Decimal | str | None) -> str:
        if isinstance(value, str):
            return f"'{shown(value)}'"
        return "blank" if value is None else as_stored(value, indicator.unit)

    return [problem("CONTEXT_EDITED", where.at(cell.ref), column=column, expected=words(expected),
                    found=words(found))]


def _says(typed: str, printed: str, key: str) -> bool:
    """Whether a context cell still says what kpixl printed: spacing and capitals aside, and a period in
    either of its spellings."""
    if key.endswith("period") or key == "comparison_label":
        ours, theirs = period_of(printed), period_of(typed)
        if ours is not None and theirs is not None:
            return ours == theirs
    return " ".join(typed.split()).casefold() == " ".join(printed.split()).casefold()


def check_texts(cells: Mapping[str, Cell], printed: Mapping[str, str], headers: Mapping[str, str],
                where: Where) -> list[Problem]:
    """The text context cells (title, period, unit, direction, labels, last commentary) must still say what
    kpixl printed: a change is reported at its cell and ignored, the register's words being kpixl's."""
    found = []
    for key, text in printed.items():
        cell = cells.get(key)
        if cell is None:  # the column was deleted or its heading changed: nothing to compare
            continue
        typed = "" if cell.blank else cell_text(cell.value)
        if cell.formula or not _says(typed, text, key):
            found.append(problem("CONTEXT_EDITED", where.at(cell.ref), column=headers[key],
                                 expected=f"'{shown(text)}'" if text else "blank",
                                 found="a formula" if cell.formula else f"'{shown(typed)}'" if typed else "blank"))
    return found


HISTORY_MIN = 4  # earlier changes needed before the indicator's own spread is the yardstick
SPREAD = Decimal(3)  # times the largest earlier change
SHORT_SHARE = Decimal("0.5")  # of the comparison figure, while the history is short
_RUNNING_TOTALS = (Unit.COUNT, Unit.HOURS, Unit.MONEY, Unit.DAYS, Unit.NUMBER)  # a YTD % or rate may fall


@dataclass(frozen=True)
class Unusual:
    previous_period: Period
    previous: Decimal
    change: str  # "+59 (+67%)"
    rule: str


def _comparable(indicator: Indicator, period: Period, earlier: Period) -> bool:
    """Whether a change from earlier to period means anything (not across a cumulative restart)."""
    restart = indicator.cumulative and indicator.comparison is Comparison.PREVIOUS_PERIOD
    return not (restart and earlier.year != period.year)


def _history(indicator: Indicator, period: Period, values: Mapping[Period, Decimal]) -> list[Decimal]:
    """The size of each earlier period's change against its comparison period."""
    changes = []
    for earlier, value in values.items():
        if type(earlier) is not type(period) or not earlier < period:  # type: ignore[operator]
            continue
        before = indicator.comparison_period(earlier)
        if before in values and _comparable(indicator, earlier, before):
            changes.append(abs(value - values[before]))
    return changes


def _change_text(change: Decimal, previous: Decimal, unit: Unit) -> str:
    sign = "+" if change > 0 else "-"
    text = sign + format_value(abs(change), unit)
    if unit is Unit.PERCENTAGE:
        return text.replace("%", " percentage points")
    if previous:
        text += f" ({change / abs(previous) * 100:+.0f}%)"
    return text


def unusual_change(indicator: Indicator, period: Period, value: Decimal,
                   values: Mapping[Period, Decimal]) -> Unusual | None:
    """The change from the comparison period, when it is far outside the indicator's history (values: the
    indicator's figures by period)."""
    before = indicator.comparison_period(period)
    previous = values.get(before)
    if previous is None or not _comparable(indicator, period, before):
        return None
    change = value - previous
    history = _history(indicator, period, values)
    if len(history) >= HISTORY_MIN and max(history) > 0:
        if abs(change) <= SPREAD * max(history):
            return None
        largest = format_value(max(history), indicator.unit)
        rule = f"more than {SPREAD} times its largest earlier change, {largest}"
    else:
        if not previous or abs(change) <= SHORT_SHARE * abs(previous):
            return None
        rule = f"more than {SHORT_SHARE * 100:.0f}%, with fewer than {HISTORY_MIN} earlier changes to compare"
    return Unusual(before, previous, _change_text(change, previous, indicator.unit), rule)


def cumulative_fall(indicator: Indicator, period: Period, value: Decimal,
                    values: Mapping[Period, Decimal]) -> tuple[Period, Decimal] | None:
    """The earlier period of the same year whose year-to-date figure is higher than this one's."""
    if not indicator.cumulative or indicator.unit not in _RUNNING_TOTALS:
        return None
    before = period.previous()
    previous = values.get(before)
    if before.year != period.year or previous is None or value >= previous:
        return None
    return before, previous
