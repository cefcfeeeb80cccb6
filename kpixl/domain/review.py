"""The words of the quarter's log and of review: each event kind, and the states of a query and of an
annotation (docs/review.md). Pure: the steps and the store share these words, and scripts reading
`kpixl log --json` may rely on them.
"""

from __future__ import annotations

from enum import Enum

__all__ = [
    "ANNOTATION_ACCEPTED",
    "ANNOTATION_REJECTED",
    "FIGURE_ANNOTATED",
    "HISTORY_IMPORTED",
    "KINDS",
    "QUERY_ACCEPTED",
    "QUERY_EXPLAINED",
    "QUERY_RAISED",
    "QUERY_REJECTED",
    "REOPENED",
    "REPORT_APPROVED",
    "REPORT_BUILT",
    "RETURN_ACCEPTED",
    "RETURN_HELD",
    "RETURN_RECEIVED",
    "RETURN_REFUSED",
    "SIGNED_OFF",
    "SIGNOFF_PROPOSED",
    "WORKBOOK_GENERATED",
    "AnnotationState",
    "QueryState",
    "annotation_id",
    "parse_id",
    "query_id",
]

WORKBOOK_GENERATED = "workbook-generated"
HISTORY_IMPORTED = "history-imported"
RETURN_RECEIVED = "return-received"
RETURN_ACCEPTED = "return-accepted"
RETURN_REFUSED = "return-refused"
RETURN_HELD = "return-held"  # recorded while its service's figures were signed off: not current until reopened
QUERY_RAISED = "query-raised"
QUERY_EXPLAINED = "query-explained"
QUERY_ACCEPTED = "query-accepted"
QUERY_REJECTED = "query-rejected"
FIGURE_ANNOTATED = "figure-annotated"
ANNOTATION_ACCEPTED = "annotation-accepted"
ANNOTATION_REJECTED = "annotation-rejected"
SIGNOFF_PROPOSED = "signoff-proposed"  # a return's Sign-off sheet filled in: the officer confirms it
SIGNED_OFF = "signed-off"
REOPENED = "reopened"
REPORT_BUILT = "report-built"
REPORT_APPROVED = "report-approved"

# Every kind issue 16 logs (the mail steps log mail-sending, mail-sent, mail-failed and mail-uncertain).
KINDS = (WORKBOOK_GENERATED, HISTORY_IMPORTED, RETURN_RECEIVED, RETURN_ACCEPTED, RETURN_REFUSED, RETURN_HELD,
         QUERY_RAISED, QUERY_EXPLAINED, QUERY_ACCEPTED, QUERY_REJECTED, FIGURE_ANNOTATED, ANNOTATION_ACCEPTED,
         ANNOTATION_REJECTED, SIGNOFF_PROPOSED, SIGNED_OFF, REOPENED, REPORT_BUILT, REPORT_APPROVED)


class QueryState(str, Enum):
    OPEN = "open"  # raised, not explained: waiting for the lead
    EXPLAINED = "explained"  # the lead explained it: waiting for the team
    ACCEPTED = "accepted"  # the team accepted it: closed
    REJECTED = "rejected"  # the team did not accept the explanation: back to the lead

    @property
    def waiting(self) -> bool:
        """Still open for the final paper: anything but accepted."""
        return self is not QueryState.ACCEPTED


class AnnotationState(str, Enum):
    FINAL = "final"  # a note: the team's own remark, final when made
    PROPOSED = "proposed"  # a commentary edit waiting for approval
    APPROVED = "approved"  # the report prints it in place of the lead's commentary
    REJECTED = "rejected"


def query_id(first_problem: int) -> str:
    """A query's ID: the store's id of the first problem row that raised it ("Q12")."""
    return f"Q{first_problem}"


def annotation_id(event: int) -> str:
    """An annotation's ID: the id of its figure-annotated event ("A7")."""
    return f"A{event}"


def parse_id(text: str) -> tuple[str, int] | None:
    """("Q", 12) for "Q12" or "q12", ("A", 7) for "A7"; None for anything else."""
    cleaned = text.strip().upper()
    if len(cleaned) < 2 or cleaned[0] not in "QA" or not cleaned[1:].isascii() or not cleaned[1:].isdigit():
        return None
    return cleaned[0], int(cleaned[1:])
