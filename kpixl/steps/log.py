"""The quarter's log: every event the store holds, in the order it was logged, and each one in a line. What
`kpixl log` calls (docs/review.md lists the kinds)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kpixl.domain import Quarter
from kpixl.domain.review import (
    ANNOTATION_ACCEPTED,
    ANNOTATION_REJECTED,
    FIGURE_ANNOTATED,
    HISTORY_IMPORTED,
    QUERY_ACCEPTED,
    QUERY_EXPLAINED,
    QUERY_RAISED,
    QUERY_REJECTED,
    REOPENED,
    REPORT_APPROVED,
    REPORT_BUILT,
    RETURN_ACCEPTED,
    RETURN_HELD,
    RETURN_RECEIVED,
    RETURN_REFUSED,
    SIGNED_OFF,
    SIGNOFF_PROPOSED,
    WORKBOOK_GENERATED,
    annotation_id,
)
from kpixl.problems import count
from kpixl.steps.workspace import Workspace
from kpixl.store import Event

__all__ = ["describe", "event_log"]


def event_log(workspace: Workspace, quarter: Quarter | None, service: str | None = None) -> list[Event]:
    """The events of a quarter (None: every one, those of no quarter too), of one service (a message to a lead
    of several services counts for each), in the order they were logged."""
    with workspace.open_store() as store:
        found = store.events(quarter.slug if quarter else None)
    if service is None:
        return found
    wanted = service.strip().casefold()
    return [e for e in found if wanted in (s.strip().casefold() for s in e.service.split(","))]


def _text(detail: dict[str, Any], key: str) -> str:
    return " ".join(str(detail.get(key) or "").split())


def _return(d: dict[str, Any]) -> str:
    return f"{_text(d, 'file')}" + (f" from {_text(d, 'sender')}" if d.get("sender") else "")


def _signed(d: dict[str, Any]) -> str:
    evidence = d.get("evidence")
    shown = f"; evidence {evidence.get('file')} ({str(evidence.get('sha256'))[:12]})" if isinstance(evidence, dict) \
        else ""
    return f"by {_text(d, 'by')}, {_text(d, 'role')}{shown}"


_SAYS: dict[str, Callable[[Event], str]] = {
    WORKBOOK_GENERATED: lambda e: _text(e.detail, "file"),
    HISTORY_IMPORTED: lambda e: f"{_text(e.detail, 'file')}: {count(e.detail.get('figures', 0), 'figure version')}",
    RETURN_RECEIVED: lambda e: _return(e.detail),
    RETURN_ACCEPTED: lambda e: f"{_text(e.detail, 'file')}: {count(e.detail.get('figures', 0), 'figure version')} stored",
    RETURN_REFUSED: lambda e: f"{_text(e.detail, 'file')}: {count(e.detail.get('errors', 0), 'error')}",
    RETURN_HELD: lambda e: f"{_text(e.detail, 'file')}: signed off, not current until reopened",
    QUERY_RAISED: lambda e: f"{_text(e.detail, 'query')} {_text(e.detail, 'code')}: {_text(e.detail, 'question')}",
    QUERY_EXPLAINED: lambda e: f"{_text(e.detail, 'query')}: {_text(e.detail, 'explanation')}",
    QUERY_ACCEPTED: lambda e: f"{_text(e.detail, 'query')} {_text(e.detail, 'note')}".strip(),
    QUERY_REJECTED: lambda e: f"{_text(e.detail, 'query')}: {_text(e.detail, 'note')}",
    FIGURE_ANNOTATED: lambda e: (f"{annotation_id(e.id)} {'commentary proposed' if 'commentary' in e.detail else 'note'}"
                                 f": {_text(e.detail, 'commentary') or _text(e.detail, 'note')}"),
    ANNOTATION_ACCEPTED: lambda e: f"{_text(e.detail, 'annotation')} {_text(e.detail, 'note')}".strip(),
    ANNOTATION_REJECTED: lambda e: f"{_text(e.detail, 'annotation')}: {_text(e.detail, 'note')}",
    SIGNOFF_PROPOSED: lambda e: (f"{_text(e.detail, 'name')}, {_text(e.detail, 'role')}, dated "
                                 f"{_text(e.detail, 'date') or '-'}, in {_text(e.detail, 'file')}"),
    SIGNED_OFF: lambda e: _signed(e.detail),
    REOPENED: lambda e: _text(e.detail, "reason"),
    REPORT_BUILT: lambda e: (f"{_text(e.detail, 'committee')} {'final' if e.detail.get('final') else 'draft'}: "
                             f"{_text(e.detail, 'file')}"),
    REPORT_APPROVED: lambda e: f"{_text(e.detail, 'committee')} by {_text(e.detail, 'by')}",
}


def describe(event: Event) -> str:
    """What an event says beyond who, when, what and where, in one line (its detail, as a person reads it)."""
    says = _SAYS.get(event.kind)
    if says is not None:
        return says(event)
    return ", ".join(f"{key} {_text(event.detail, key)}" for key in sorted(event.detail) if event.detail[key])
