"""The register's columns: one list that the YAML reader, the workbook reader and the template writer share,
so that a column cannot be spelled one way in the template and another in the reader."""

from __future__ import annotations

from dataclasses import dataclass

from kpixl.domain import Comparison, Direction, Frequency, Kind, PercentageBasis, Unit

__all__ = [
    "COMMITTEE_COLUMNS",
    "FALSE_WORDS",
    "INDICATOR_COLUMNS",
    "LINK_COLUMNS",
    "SERVICE_COLUMNS",
    "SHEETS",
    "TARGET_COLUMNS",
    "TRUE_WORDS",
    "Column",
]

TRUE_WORDS = ("yes", "true", "y", "1")
FALSE_WORDS = ("no", "false", "n", "0", "")


@dataclass(frozen=True)
class Column:
    key: str  # the YAML key and the model's field
    header: str  # the workbook's column heading
    required: bool = False
    choices: tuple[str, ...] = ()  # a dropdown in the template, checked on reading
    width: int = 16
    help: str = ""  # the input message a template shows


def _values(enum: type) -> tuple[str, ...]:
    return tuple(member.value for member in enum)  # type: ignore[attr-defined]


SERVICE_COLUMNS = (
    Column("id", "Service ID", True, width=16, help="A short code, e.g. libraries. Used by the Indicators sheet."),
    Column("name", "Service name", True, width=30),
    Column("lead_name", "Lead name", width=24, help="The person who receives and returns the workbook."),
    Column("lead_email", "Lead email", width=30),
    Column("directorate", "Directorate", width=24),
    Column("deputy_name", "Deputy name", width=24, help="Optional: who may send the return when the lead cannot."),
    Column("deputy_email", "Deputy email", width=30),
    Column("cc", "Copy to", width=30,
           help="Optional: addresses copied into reminders after the deadline (a lead's manager), separated by commas."),
)

COMMITTEE_COLUMNS = (
    Column("id", "Committee ID", True, width=16, help="A short code, e.g. csmi."),
    Column("name", "Committee name", True, width=50),
)

INDICATOR_COLUMNS = (
    Column("id", "Indicator", True, width=10, help="The indicator's number or id, as the report prints it."),
    Column("title", "Title", True, width=50),
    Column("service", "Service ID", True, width=16, help="An id from the Services sheet."),
    Column("committees", "Committee IDs", True, width=18,
           help="One or more ids from the Committees sheet, separated by commas."),
    Column("unit", "Unit", True, _values(Unit), width=12),
    Column("direction", "Direction", True, _values(Direction), width=10,
           help="up: higher is better; down: lower is better; none: neither."),
    Column("frequency", "Frequency", True, _values(Frequency), width=12),
    Column("comparison", "Compare with", True, _values(Comparison), width=22,
           help="previous_period, or same_period_last_year (for seasonal or cumulative figures)."),
    Column("cumulative", "Cumulative", False, ("yes", "no"), width=11,
           help="yes when the figure is a year-to-date total that restarts each April."),
    Column("kind", "Kind", True, _values(Kind), width=15,
           help="target: rated Red to Blue; baseline, contextual, in_development: not rated against a target."),
    Column("description", "Description", width=50),
    Column("links_note", "Links note", width=30, help="e.g. There is no public facing data for this KPI."),
    Column("data_source", "Data source", width=24),
    Column("decimals", "Decimal places", width=10),
    Column("red", "Red beyond", width=11, help="Optional: off target by more than this is Red (default 10%)."),
    Column("blue", "Blue beyond", width=11, help="Optional: over target by more than this is Blue (default 5%)."),
    Column("percentage_basis", "Percentage basis", False, _values(PercentageBasis), width=14),
    Column("statistical_neighbours_mean", "Statistical neighbours mean", width=14),
    Column("england_mean", "England mean", width=12),
    # A calculated indicator (docs/insight.md): the two counts a lead gives, and what their ratio is multiplied by.
    Column("numerator", "Numerator", width=24,
           help="Optional: for a figure calculated from two counts, what the first is (e.g. Courses achieved)."),
    Column("denominator", "Denominator", width=24,
           help="With Numerator: what the second count is (e.g. Courses completed)."),
    Column("scale", "Scale", width=10,
           help="With Numerator: 100 for a percentage (the default), 1000 for a rate per 1,000, 1 for a ratio."),
    Column("benchmark_metric", "Benchmark metric", width=14,
           help="Optional: the id of the published metric that compares with this one (an LG Inform metric id)."),
)

TARGET_COLUMNS = (
    Column("indicator", "Indicator", True, width=10),
    Column("period", "Period", True, width=14,
           help="A quarter (2023-24-Q2), a month (2023-09) or a whole year (2023-24)."),
    Column("value", "Target or baseline", True, width=16, help="A number; percentages as 70%."),
    Column("type", "Type", False, ("target", "baseline"), width=10,
           help="target for indicators of kind target; baseline for the others. Empty: from the kind."),
)

LINK_COLUMNS = (
    Column("indicator", "Indicator", True, width=10),
    Column("label", "Label", True, width=40),
    Column("url", "URL", True, width=50, help="An address starting https://, http:// or mailto:"),
)

# Sheet name -> its columns, in the order the template writes them.
SHEETS = {
    "Indicators": INDICATOR_COLUMNS,
    "Targets": TARGET_COLUMNS,
    "Links": LINK_COLUMNS,
    "Services": SERVICE_COLUMNS,
    "Committees": COMMITTEE_COLUMNS,
}
