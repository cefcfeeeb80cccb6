"""Reporting periods of UK local government: financial years, quarters and months.

A financial year runs April to March and is written "2023/24"; it is held as its starting calendar
year (2023). Quarters count from April: Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar.

Two spellings of each period: the one people read ("2023/24 Q2", "September 2023") and the one a
command line or a file name can carry ("2023-24-Q2", "2023-09"). Both parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from kpixl.errors import PeriodError

__all__ = [
    "FinancialYear",
    "Month",
    "Period",
    "Quarter",
    "last_completed_quarter",
    "parse_period",
    "period_start",
    "report_month",
]

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)


def _fy_start(calendar_year: int, month: int) -> int:
    """The financial year (by its starting calendar year) that a calendar month belongs to."""
    return calendar_year if month >= 4 else calendar_year - 1


@dataclass(frozen=True, order=True)
class FinancialYear:
    start: int  # calendar year in which the financial year begins (April)

    def __str__(self) -> str:
        return f"{self.start}/{(self.start + 1) % 100:02d}"

    @property
    def short(self) -> str:
        """The two-digit form used in headings such as "Quarter 2 22/23"."""
        return f"{self.start % 100:02d}/{(self.start + 1) % 100:02d}"

    @cached_property
    def slug(self) -> str:
        return f"{self.start}-{(self.start + 1) % 100:02d}"

    def quarters(self) -> tuple[Quarter, ...]:
        return tuple(Quarter(self.start, q) for q in (1, 2, 3, 4))

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start - 1)

    @classmethod
    def parse(cls, text: str) -> FinancialYear:
        m = re.fullmatch(r"\s*([0-9]{4})\s*[/-]\s*([0-9]{2}|[0-9]{4})\s*", text)
        if not m:
            raise PeriodError(f"'{text}' is not a financial year: write it as 2023/24 or 2023-24")
        start, end = int(m.group(1)), int(m.group(2))
        if end % 100 != (start + 1) % 100:
            raise PeriodError(f"'{text}' is not a financial year: the second year must follow the first")
        return cls(start)


@dataclass(frozen=True, order=True)
class Quarter:
    fy: int  # financial year, by its starting calendar year
    number: int  # 1..4, Q1 = April to June

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise PeriodError(f"quarter {self.number} does not exist: quarters are 1 to 4")

    kind = "quarter"

    @cached_property
    def year(self) -> FinancialYear:
        return FinancialYear(self.fy)

    def __str__(self) -> str:
        return self.label

    @cached_property
    def label(self) -> str:
        """As people read it: "2023/24 Q2"."""
        return f"{self.year} Q{self.number}"

    @cached_property
    def slug(self) -> str:
        return f"{self.year.slug}-Q{self.number}"

    @property
    def long_label(self) -> str:
        """As a heading prints it: "Quarter 2 22/23"."""
        return f"Quarter {self.number} {self.year.short}"

    def months(self) -> tuple[Month, ...]:
        first = 4 + 3 * (self.number - 1)  # April, July, October, January(13)
        return tuple(Month.from_index(self.fy * 12 + first - 1 + i) for i in range(3))

    @property
    def start_date(self) -> date:
        return self.months()[0].start_date

    @property
    def end_date(self) -> date:
        return self.months()[-1].end_date

    def previous(self) -> Quarter:
        return Quarter(self.fy - 1, 4) if self.number == 1 else Quarter(self.fy, self.number - 1)

    def next(self) -> Quarter:
        return Quarter(self.fy + 1, 1) if self.number == 4 else Quarter(self.fy, self.number + 1)

    def same_period_last_year(self) -> Quarter:
        return Quarter(self.fy - 1, self.number)

    def quarter(self) -> Quarter:
        return self

    def index(self) -> int:
        """A running count of quarters, for ordering and spacing on a chart."""
        return self.fy * 4 + self.number - 1

    def periods_to_date(self) -> tuple[Quarter, ...]:
        """This year's quarters up to and including this one (the span of a cumulative figure)."""
        return tuple(Quarter(self.fy, n) for n in range(1, self.number + 1))


@dataclass(frozen=True, order=True)
class Month:
    calendar_year: int
    month: int  # 1..12

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise PeriodError(f"month {self.month} does not exist: months are 01 to 12")

    kind = "month"

    @classmethod
    def from_index(cls, index: int) -> Month:
        return Month(index // 12, index % 12 + 1)

    def index(self) -> int:
        return self.calendar_year * 12 + self.month - 1

    @property
    def fy(self) -> int:
        return _fy_start(self.calendar_year, self.month)

    @cached_property
    def year(self) -> FinancialYear:
        return FinancialYear(self.fy)

    def __str__(self) -> str:
        return self.label

    @cached_property
    def label(self) -> str:
        """As people read it: "September 2023"."""
        return f"{MONTH_NAMES[self.month - 1]} {self.calendar_year}"

    @cached_property
    def slug(self) -> str:
        return f"{self.calendar_year}-{self.month:02d}"

    @property
    def long_label(self) -> str:
        return str(self)

    @property
    def start_date(self) -> date:
        return date(self.calendar_year, self.month, 1)

    @property
    def end_date(self) -> date:
        nxt = Month.from_index(self.index() + 1).start_date
        return date.fromordinal(nxt.toordinal() - 1)

    def previous(self) -> Month:
        return Month.from_index(self.index() - 1)

    def next(self) -> Month:
        return Month.from_index(self.index() + 1)

    def same_period_last_year(self) -> Month:
        return Month(self.calendar_year - 1, self.month)

    def quarter(self) -> Quarter:
        return Quarter(self.fy, (self.month - 4) % 12 // 3 + 1)

    def periods_to_date(self) -> tuple[Month, ...]:
        first = Month(self.fy, 4).index()
        return tuple(Month.from_index(i) for i in range(first, self.index() + 1))


Period = Quarter | Month


_QUARTER = re.compile(r"\s*([0-9]{4})\s*[/-]\s*([0-9]{4}|[0-9]{2})\s*[- ]?\s*Q([1-4])\s*", re.IGNORECASE)
_MONTH = re.compile(r"\s*([0-9]{4})-([0-9]{1,2})\s*")


def _financial_year(text: str) -> FinancialYear | None:
    try:
        return FinancialYear.parse(text)
    except PeriodError:
        return None


def parse_period(text: str) -> Period:
    """Read "2023/24 Q2", "2023-24-Q2" or "2023-09"; anything else is a PeriodError saying what to write.
    A financial year ("2024-25") is not a period here: the error names its quarters."""
    hint = "write a quarter as 2023-24-Q2 (or 2023/24 Q2) and a month as 2023-09"
    month = _MONTH.fullmatch(text)
    year = _financial_year(text)
    if year is not None and not (month and 1 <= int(month.group(2)) <= 12):
        # "2024-25" read as a month said "month 25 does not exist"
        raise PeriodError(f"'{text.strip()}' is the financial year {year}, not a quarter or a month: name one of "
                          f"its quarters, {year.slug}-Q1 to {year.slug}-Q4, or a month such as {year.start}-09")
    try:
        m = _QUARTER.fullmatch(text)
        if m:
            year = FinancialYear.parse(f"{m.group(1)}/{m.group(2)}")
            return Quarter(year.start, int(m.group(3)))
        if month:
            return Month(int(month.group(1)), int(month.group(2)))
    except PeriodError as exc:
        raise PeriodError(f"{exc}; {hint}") from None
    raise PeriodError(f"'{text}' is not a period: {hint}")


def last_completed_quarter(day: date) -> Quarter:
    """The quarter that ended most recently before day: the one a performance team collects (a quarter's
    figures exist only once it is over; Q2, July to September, is collected in October)."""
    return Month(day.year, day.month).quarter().previous()


def period_start(text: str) -> date | None:
    """The first day of a period written as a slug or as people read it, or of a financial year ("2024-25"
    starts on 1 April 2024); None when the text is neither."""
    try:
        return parse_period(text).start_date
    except PeriodError:
        year = _financial_year(text)
        return date(year.start, 4, 1) if year else None


def report_month(produced_on: date) -> str:
    """The month a report is dated, as its pages print it: "December 2023"."""
    return f"{MONTH_NAMES[produced_on.month - 1]} {produced_on.year}"
