"""Deadlines: when a return is due, whether it came on time, and which reminder a day calls for. Pure.

A council sets a soft deadline ([cycle] deadline: the date the workbooks give) and may set a hard one
([cycle] hard_deadline: the last day the report can wait). A return sent on the deadline's day, UK time,
is on time. Reminders follow a schedule of stages, each a number of days from the deadline (negative:
before it), as Camms' escalating stages and DHIS2's "N days before or after" do (docs/mail.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["DEFAULT_STAGES", "UK", "Stage", "Timeliness", "local_day", "stage_on", "timeliness"]


def _uk() -> tzinfo:
    """UK time; UTC where the system has no time zone database (Windows without the tzdata package)."""
    try:
        return ZoneInfo("Europe/London")
    except ZoneInfoNotFoundError:
        return UTC


UK = _uk()


@dataclass(frozen=True)
class Stage:
    """A reminder's stage: its name (the wording's template, reminder_<name>.txt), its day relative to the
    deadline, and who is copied ("deputy", "cc": the service's deputy, its cc addresses)."""

    name: str
    days: int
    copy: tuple[str, ...] = ()

    def day(self, deadline: date) -> date:
        return deadline + timedelta(days=self.days)


# Five days before, on the day, three days after with the deputy copied: the example schedule.
DEFAULT_STAGES = (Stage("friendly", -5), Stage("due", 0), Stage("overdue", 3, ("deputy", "cc")))


def local_day(moment: datetime) -> date:
    """The day a moment falls on in the UK (a return sent at 00:30 BST on the 28th was sent on the 28th)."""
    return moment.astimezone(UK).date()


def stage_on(stages: tuple[Stage, ...], deadline: date, today: date) -> Stage | None:
    """The latest stage whose day has come by today; None before the first."""
    reached = [s for s in stages if s.day(deadline) <= today]
    return max(reached, key=lambda s: s.days) if reached else None


class Timeliness:
    """Stable words (as --json gives them); shown with spaces for underscores."""

    ON_TIME = "on_time"
    LATE = "late"  # after the deadline, by the hard deadline
    AFTER_HARD = "after_hard_deadline"
    DUE = "due"  # not received, the deadline not yet passed
    OVERDUE = "overdue"
    PAST_HARD = "overdue_past_hard_deadline"
    NO_DEADLINE = "no_deadline"


def timeliness(sent: datetime | None, deadline: date | None, hard: date | None, today: date) -> str:
    """Whether a return sent at sent (None: not yet received) met the deadlines, as of today."""
    if deadline is None:
        return Timeliness.NO_DEADLINE
    if sent is not None:
        day = local_day(sent)
        if day <= deadline:
            return Timeliness.ON_TIME
        return Timeliness.AFTER_HARD if hard is not None and day > hard else Timeliness.LATE
    if today <= deadline:
        return Timeliness.DUE
    return Timeliness.PAST_HARD if hard is not None and today > hard else Timeliness.OVERDUE
