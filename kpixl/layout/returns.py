"""The collection workbook's cell map, shared by the writer (kpixl.workbook) and the reader (kpixl.intake)
so that the two cannot drift, and the signature that lets kpixl trust a workbook that comes back.

The Return sheet has a title (row 1), one header row (row 2) and one row per indicator and period from row 3,
the header and the rows an Excel table. Columns are found by header when reading (a lead may have moved
them, and older workbooks have another order or lack the newer columns), so headers here are the contract;
their order is the lead's: what a lead reads to fill a row, then what they type, then the rest
(docs/workbooks.md). A workbook with a calculated indicator's row also has the two count columns.

Each row says what plan_rows decides: one row per indicator and period (a monthly indicator gets a row per
month of the quarter), in the register's order, with the context the lead needs; the writer lays the plan
out and the reader (identity) rebuilds the same plan to know what a return should hold.

The hidden metadata sheet holds one key/value pair per row (column A key, column B value); row entries
are keyed "row:<n>" with a JSON value. The signature is an HMAC-SHA256, with the workspace's secret, over
the canonical JSON of everything the workbook asserts: council, service, period, version and, for each
row, the indicator, its period and the context figures printed (target, comparison). A return whose
metadata or context cells were changed, or whose metadata was copied into another service's file, fails.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for annotations only: the catalogue's messages name this layout's sheets and headers, and
    # `kpixl --help` reaches them through kpixl.problems without importing the domain (benchmarks/README.md)
    from kpixl.domain import Figure, Indicator, Period, Quarter, Register, Tolerances

__all__ = [
    "ACTIONS_MAX",
    "ALL_COLUMNS",
    "COMMENTARY_MAX",
    "COUNT_COLUMNS",
    "DUE_DATE_FORMAT",
    "DUE_FIRST",
    "DUE_LAST",
    "EXPLANATION_MARK",
    "FEEDBACK_BANNER",
    "FEEDBACK_HEADERS",
    "FEEDBACK_SHEET",
    "FIRST_ROW",
    "FORMAT_NAME",
    "HEADER_ROW",
    "INPUT_KEYS",
    "INSTRUCTIONS_SHEET",
    "LISTS_SHEET",
    "MAX_ROWS",
    "META_SHEET",
    "OWNER_MAX",
    "REASON_MAX",
    "RESPONSE_HEADER",
    "RETURN_COLUMNS",
    "RETURN_SHEET",
    "REVISION_REASONS",
    "SIGNOFF_FIELDS",
    "SIGNOFF_HELP",
    "SIGNOFF_MAX",
    "SIGNOFF_SHEET",
    "SIGNOFF_TITLE",
    "TEMPLATE_VERSION",
    "TITLE_ROW",
    "Col",
    "ReturnRow",
    "RowMeta",
    "WorkbookMeta",
    "column",
    "column_in",
    "context_texts",
    "meta_pairs",
    "plan_rows",
    "return_columns",
    "sign",
    "verify",
]

FORMAT_NAME = "kpixl-return"
TEMPLATE_VERSION = 1
RETURN_SHEET = "Return"
INSTRUCTIONS_SHEET = "Instructions"
LISTS_SHEET = "Lists"
META_SHEET = "kpixl"
TITLE_ROW = 1  # 1-based, as Excel shows it: what the sheet is, above the table
HEADER_ROW = 2
FIRST_ROW = 3
MAX_ROWS = 2000  # a return never has more rows; beyond this the reader stops

COMMENTARY_MAX = 4000  # characters; the longest seed commentary is about 1,700
ACTIONS_MAX = 2000
REASON_MAX = 500
OWNER_MAX = 200  # who owns a Red indicator's actions: a name or a role
DUE_DATE_FORMAT = "d mmm yyyy"  # 31 Jan 2024: the day first, as a UK reader writes it, and never ambiguous
# The due dates the workbook's validation takes: a later one is a typing slip (2204), an earlier one no plan.
DUE_FIRST, DUE_LAST = date(2000, 1, 1), date(2099, 12, 31)

REVISION_REASONS = (
    "Estimated figure replaced with actual",
    "Late data received",
    "Error corrected",
    "Other (explain in commentary)",
)

# The feedback workbook's sheet, which a lead may send back with a response to each query.
FEEDBACK_SHEET = "Problems"
RESPONSE_HEADER = "Your response"
FEEDBACK_HEADERS = ("Severity", "Code", "Sheet", "Cell", "Indicator", "Period", "Problem", "What to do",
                    RESPONSE_HEADER)
# Row 1 of the Problems sheet, above its header row: what the lead is to do with the file.
FEEDBACK_BANNER = ("What to do with this file: correct each coloured cell on the Return sheet (its note says what "
                   "is wrong), answer each query in the 'Your response' column below, then save this file and "
                   "send it back to the performance team as your return.")
EXPLANATION_MARK = "Explanation:"  # a commentary paragraph starting so explains the row's queries

# The Sign-off sheet, after Return: the head of service may type their name, role and the date, read back as
# a proposed sign-off for the officer to confirm with `kpixl approve SERVICE` (docs/review.md). One column, as
# the Instructions: the title (A1), what it is for (A2), then each field's label and, in the row below it,
# the cell to type in. Each field: (key, label, the 1-based row of its input in column A).
SIGNOFF_SHEET = "Sign-off"
SIGNOFF_TITLE = "Sign-off by the head of service"
SIGNOFF_HELP = ("Optional. If the head of service has approved this return, type their name, their role and the "
                "date they approved it. The performance team confirms it as their sign-off of these figures.")
SIGNOFF_FIELDS = (("name", "Name", 5), ("role", "Role", 7), ("date", "Date approved", 9))
SIGNOFF_MAX = 200  # characters of a name, role or date kept


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    width: int
    input: bool = False  # unlocked for the lead to type in
    help: str = ""  # the input message (inputs) or a note on what the column holds


# The first screen (1366 x 768 at 100% zoom) shows the indicator, what the lead needs to see to fill the row,
# and the first input, Current figure (tests/test_workbook_writer.py measures it); the rest is to the right.
RETURN_COLUMNS: tuple[Col, ...] = (
    Col("indicator", "Indicator", 10),
    Col("title", "Title", 40),
    Col("period", "Period", 14),
    Col("direction", "Direction for improvement", 14),
    Col("target", "Target value", 12),
    Col("comparison_label", "Compared with", 16),
    Col("comparison", "Comparison figure", 13),
    Col("current", "Current figure", 13, True, "The figure for this period."),
    Col("reason", "Reason if no figure", 20, True,
        "If you cannot give a figure, or your figure is provisional: choose why, and explain in Commentary."),
    Col("rag", "RAG preview", 11, help="Worked out from your figure and the target, as the report will rate it."),
    Col("commentary", "Commentary", 50, True, "What explains the figure this period (required)."),
    Col("actions", "Actions", 40, True, "What is being done to improve. Required when the RAG preview is Red."),
    # Issue 17: who owns the actions and by when, for the report's exceptions table (docs/insight.md).
    Col("action_owner", "Action owner", 20, True,
        "Who owns the actions: a name or a role. Asked for when the RAG preview is Red."),
    Col("action_due", "Action due date", 14, True,
        "When the actions are due: a date, such as 31/01/2024. Asked for when the RAG preview is Red."),
    Col("unit", "Unit", 12),
    Col("target_label", "Target or baseline", 12),
    Col("revise_period", "Revise earlier period", 14,
        help="The period whose reported figure you may correct in the next column."),
    Col("revised", "Revised figure", 13, True, "Only to correct the figure reported for the earlier period."),
    Col("revision_reason", "Reason for revision", 24, True, "Why the earlier figure changed."),
    Col("last_commentary", "Last period's commentary", 40),
)

# A calculated indicator's row asks for its two counts (docs/insight.md, section 3), right of Current figure,
# which then shows the rate worked out from them. A workbook has these columns only when one of its rows is
# calculated; both fit on the first screen with the rest (the test measures that too).
COUNT_COLUMNS: tuple[Col, ...] = (
    Col("numerator", "Numerator", 12, True, "The first of the two counts: the figure is numerator ÷ denominator."),
    Col("denominator", "Denominator", 12, True, "The second of the two counts: the figure is numerator ÷ "
                                                "denominator."),
)
_AFTER_CURRENT = [c.key for c in RETURN_COLUMNS].index("current") + 1
# Every heading a return may have: the reader looks for each, wherever the lead has moved it.
ALL_COLUMNS: tuple[Col, ...] = (*RETURN_COLUMNS[:_AFTER_CURRENT], *COUNT_COLUMNS, *RETURN_COLUMNS[_AFTER_CURRENT:])

INPUT_KEYS = tuple(c.key for c in ALL_COLUMNS if c.input)
_INDEX = {c.key: i for i, c in enumerate(RETURN_COLUMNS)}


def column(key: str) -> int:
    """The 0-based column of a key in the Return sheet as kpixl writes it (without the count columns)."""
    return _INDEX[key]


def column_in(columns: Sequence[Col], key: str) -> int:
    """The 0-based column of a key among the columns a Return sheet was written with (return_columns)."""
    return next(i for i, c in enumerate(columns) if c.key == key)


def return_columns(calculated: bool) -> tuple[Col, ...]:
    """The Return sheet's columns: with the two count columns when some row is a calculated indicator's."""
    return ALL_COLUMNS if calculated else RETURN_COLUMNS


@dataclass(frozen=True)
class RowMeta:
    """What kpixl wrote in one row of the Return sheet, as the signature covers it."""

    row: int  # 1-based sheet row
    indicator: str
    period: str  # period slug
    target: str  # Decimal as text, "" when none
    comparison_period: str
    comparison: str  # Decimal as text, "" when none
    revise_period: str

    def as_list(self) -> list[Any]:
        return [self.row, self.indicator, self.period, self.target, self.comparison_period, self.comparison,
                self.revise_period]

    @classmethod
    def from_list(cls, data: list[Any]) -> RowMeta:
        row, indicator, period, target, comparison_period, comparison, revise = data
        return cls(int(row), str(indicator), str(period), str(target), str(comparison_period), str(comparison),
                   str(revise))


@dataclass(frozen=True)
class WorkbookMeta:
    council: str
    service: str  # service id
    service_name: str
    period: str  # quarter slug
    generated: str  # ISO date-time, for the people reading it; signed like the rest
    rows: tuple[RowMeta, ...] = field(default_factory=tuple)
    version: int = TEMPLATE_VERSION
    format: str = FORMAT_NAME

    def payload(self) -> bytes:
        """The canonical bytes the signature covers."""
        data = {"format": self.format, "version": self.version, "council": self.council,
                "service": self.service, "service_name": self.service_name, "period": self.period,
                "generated": self.generated, "rows": [r.as_list() for r in self.rows]}
        return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()

    def pairs(self, signature: str) -> list[tuple[str, str]]:
        """The metadata sheet's key/value rows."""
        head = [("format", self.format), ("version", str(self.version)), ("council", self.council),
                ("service", self.service), ("service_name", self.service_name), ("period", self.period),
                ("generated", self.generated)]
        rows = [(f"row:{r.row}", json.dumps(r.as_list())) for r in self.rows]
        return head + rows + [("signature", signature)]

    @classmethod
    def from_pairs(cls, pairs: dict[str, str]) -> WorkbookMeta:
        """Rebuild from the sheet's pairs; KeyError, ValueError, TypeError, OverflowError (a row number of 1e999)
        or RecursionError (a row nested a million deep) when they are incomplete or malformed."""
        rows = sorted((RowMeta.from_list(json.loads(v)) for k, v in pairs.items() if k.startswith("row:")),
                      key=lambda r: r.row)
        return cls(pairs["council"], pairs["service"], pairs["service_name"], pairs["period"],
                   pairs["generated"], tuple(rows), int(pairs["version"]), pairs["format"])


def meta_pairs(rows: Iterable[Sequence[Any]], text: Callable[[Any], str] = str) -> dict[str, str]:
    """The metadata sheet's key/value pairs from its rows (column A, column B), as text; empty keys skipped.
    The writer's reader and the return reader both read the sheet through this, so they agree."""
    pairs: dict[str, str] = {}
    for row in rows:
        key, value = (tuple(row) + (None, None))[:2]
        if key is not None:
            pairs[text(key).strip()] = "" if value is None else text(value).strip()
    return pairs


def sign(meta: WorkbookMeta, secret: bytes) -> str:
    return hmac.new(secret, meta.payload(), hashlib.sha256).hexdigest()


def verify(meta: WorkbookMeta, signature: str, secret: bytes) -> bool:
    # As bytes: compare_digest raises TypeError for a str holding anything but ASCII, which an edited cell may.
    return hmac.compare_digest(sign(meta, secret).encode(), signature.strip().lower().encode("utf-8", "replace"))


@dataclass(frozen=True)
class ReturnRow:
    row: int  # 1-based sheet row
    indicator: Indicator
    period: Period
    target: Decimal | None
    comparison_period: Period
    comparison: Decimal | None
    revise_period: Period
    last_commentary: str
    tolerances: Tolerances

    @property
    def target_text(self) -> str:
        """What the target cell shows when it holds no number: the words the report prints there."""
        return self.indicator.figure_text

    @property
    def calculated(self) -> bool:
        """The row asks for two counts, and its figure is their rate (docs/insight.md, section 3)."""
        return self.indicator.calculation is not None

    def meta(self) -> RowMeta:
        return RowMeta(self.row, self.indicator.id, self.period.slug, _text(self.target),
                       self.comparison_period.slug, _text(self.comparison), self.revise_period.slug)

    def context_texts(self) -> dict[str, str]:
        """The text the row's locked context cells hold, by column key."""
        return context_texts(self.indicator, self.period, self.comparison_period, self.revise_period,
                             self.last_commentary)


def context_texts(indicator: Indicator, period: Period, comparison_period: Period, revise_period: Period,
                  last_commentary: str) -> dict[str, str]:
    """What kpixl writes in a row's text context cells, by column key: the writer writes it, and the reader
    checks that a return still says it (a lead who unprotects the sheet can type over any of them)."""
    return {"indicator": indicator.id, "title": indicator.title, "period": str(period),
            "unit": indicator.unit.label, "direction": indicator.direction.words,
            "target_label": indicator.target_word, "comparison_label": str(comparison_period),
            "revise_period": str(revise_period), "last_commentary": last_commentary}


def _text(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _usable(figures: Mapping[tuple[str, str], Figure], indicator: str, period: Period) -> Figure | None:
    return figures.get((indicator, period.slug))


def _row(number: int, indicator: Indicator, period: Period, figures: Mapping[tuple[str, str], Figure],
         tolerances: Tolerances) -> ReturnRow:
    compared = indicator.comparison_period(period)
    comparison = _usable(figures, indicator.id, compared)
    previous = period.previous()
    last = _usable(figures, indicator.id, previous)
    target = None if indicator.in_development else indicator.target_for(period)
    return ReturnRow(number, indicator, period, target, compared, comparison.usable if comparison else None,
                     previous, last.commentary if last else "", indicator.tolerances or tolerances)


def plan_rows(register: Register, service_id: str, quarter: Quarter,
              figures: Mapping[tuple[str, str], Figure], tolerances: Tolerances) -> list[ReturnRow]:
    """The rows of a service's return for a quarter, numbered from layout.FIRST_ROW."""
    rows: list[ReturnRow] = []
    for indicator in register.indicators_of_service(service_id):
        for period in indicator.periods_in(quarter):
            rows.append(_row(FIRST_ROW + len(rows), indicator, period, figures, tolerances))
    return rows
