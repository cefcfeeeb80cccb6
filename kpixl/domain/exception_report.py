"""What needs the committee's attention: the exception list and the RAG counts with direction of travel
(docs/insight.md, section 5).

An exception is every Red indicator, and every Amber one that is declining, with what is being done about it
(actions), who owns that and by when (the return's action owner and due date), and the director's comment.
The comment comes from the caller (indicator id -> text): the hook for the register or an annotation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from kpixl.domain.figures import Change, Headline, Rag

__all__ = ["CHANGE_ORDER", "ExceptionItem", "exception_list", "is_exception", "rag_summary"]

CHANGE_ORDER = (Change.IMPROVING, Change.UNCHANGED, Change.DECLINING, Change.NOT_APPLICABLE)


def is_exception(headline: Headline) -> bool:
    """Red, or Amber and declining."""
    return headline.rag is Rag.RED or (headline.rag is Rag.AMBER and headline.change is Change.DECLINING)


@dataclass(frozen=True)
class ExceptionItem:
    headline: Headline
    actions: str
    action_owner: str
    action_due: date | None
    director_comment: str

    @property
    def why(self) -> str:
        """ "Red", or "Amber and declining"."""
        return "Red" if self.headline.rag is Rag.RED else "Amber and declining"

    @property
    def missing(self) -> tuple[str, ...]:
        """What the lead has not given of the three an exception needs."""
        given = (("actions", self.actions), ("action owner", self.action_owner), ("due date", self.action_due))
        return tuple(name for name, value in given if not value)

    def to_dict(self) -> dict[str, Any]:
        h = self.headline
        return {"indicator": h.indicator.id, "title": h.indicator.title, "period": h.period.slug,
                "rag": h.rag.value, "change": h.change.value, "why": self.why, "current": h.current_text,
                "target": h.target_text, "actions": self.actions, "action_owner": self.action_owner,
                "action_due": self.action_due.isoformat() if self.action_due else None,
                "director_comment": self.director_comment, "missing": list(self.missing)}


def exception_list(headlines: Iterable[Headline],
                   comments: Mapping[str, str] | None = None) -> tuple[ExceptionItem, ...]:
    """Every exception, in the order given (the register's), with its action, owner, due date and comment."""
    comments = comments or {}
    items = []
    for h in headlines:
        if not is_exception(h):
            continue
        current = h.current
        items.append(ExceptionItem(h, current.actions if current else "", current.action_owner if current else "",
                                   current.action_due if current else None, comments.get(h.indicator.id, "")))
    return tuple(items)


def rag_summary(headlines: Iterable[Headline]) -> dict[Rag, dict[Change, int]]:
    """Each rating's count by direction of travel: {Red: {Improving: 1, Unchanged: 0, Declining: 2, N/A: 0}}."""
    counts: Counter[tuple[Rag, Change]] = Counter((h.rag, h.change) for h in headlines)
    return {rag: {change: counts[(rag, change)] for change in CHANGE_ORDER} for rag in Rag}
