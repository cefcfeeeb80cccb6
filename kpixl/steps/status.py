"""Where a quarter's collection stands, per service: what `kpixl status` prints and scripts call.

A service is complete when every period its indicators ask for this quarter has a figure in the store
(a figure, or an explained "not available") and its latest return has no error left to correct. Figures
imported as history count: a council that starts mid-year has nobody to chase for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from kpixl.domain import Committee, Indicator, Quarter, Register, Service
from kpixl.domain.deadlines import Timeliness, timeliness
from kpixl.problems import Problem, Report
from kpixl.register import load_register
from kpixl.steps.generate import default_folder
from kpixl.steps.manifests import read_manifest, read_sent
from kpixl.steps.signoff import ServiceReview, service_reviews
from kpixl.steps.workspace import Workspace
from kpixl.store import Event, SubmissionRecord

__all__ = ["CommitteeGaps", "Missing", "ServiceStatus", "StatusReport", "service_status"]

Missing = tuple[str, str]  # (indicator, period slug) without a figure


@dataclass(frozen=True)
class ServiceStatus:
    service: Service
    indicators: int
    generated: bool  # its workbook is in workbooks/<period>/manifest.json
    sent: bool  # recorded in workbooks/<period>/sent.json
    latest: SubmissionRecord | None  # its latest-sent return for the quarter
    missing: tuple[Missing, ...]
    superseded: tuple[SubmissionRecord, ...] = ()  # refused returns a later-sent accepted one replaced
    partly: Event | None = None  # the latest return was refused, and its rows without errors taken
    sent_on: str = ""  # when its workbook was sent (sent.json)
    reminded: tuple[datetime, str] | None = None  # the last reminder sent: when, and its stage
    first_accepted: SubmissionRecord | None = None  # the earliest-sent accepted return: what timeliness counts
    timeliness: str = ""  # on time, late, due, overdue... (kpixl.domain.deadlines)
    review: ServiceReview = field(default_factory=ServiceReview)  # queries and sign-off (docs/review.md)

    @property
    def received(self) -> bool:
        return self.latest is not None

    @property
    def accepted(self) -> bool:
        return self.latest is not None and self.latest.accepted

    @property
    def outstanding(self) -> tuple[Problem, ...]:
        """The errors of the latest return: what the lead still has to correct."""
        return self.latest.errors if self.latest else ()

    @property
    def complete(self) -> bool:
        return not self.missing and not self.outstanding


@dataclass(frozen=True)
class CommitteeGaps:
    committee: Committee
    missing: tuple[Missing, ...]


@dataclass
class StatusReport:
    quarter: Quarter
    services: list[ServiceStatus]
    committees: list[CommitteeGaps]
    report: Report = field(default_factory=Report)  # the register's own problems, if any
    deadline: date | None = None
    hard_deadline: date | None = None

    @property
    def on_time_rate(self) -> float | None:
        """The share of services whose return came by the deadline (None before the deadline has passed for
        anyone, or with no deadline set): the council's on-time rate."""
        judged = [s for s in self.services if s.timeliness not in (Timeliness.DUE, Timeliness.NO_DEADLINE)]
        return sum(s.timeliness == Timeliness.ON_TIME for s in judged) / len(judged) if judged else None

    @property
    def complete(self) -> bool:
        return all(s.complete for s in self.services)

    @property
    def exit_code(self) -> int:
        """0 when every service is complete, 1 while anything is outstanding."""
        return 0 if self.complete else 1

    @property
    def totals(self) -> dict[str, int]:
        s = self.services
        return {"services": len(s), "generated": sum(x.generated for x in s), "sent": sum(x.sent for x in s),
                "received": sum(x.received for x in s), "accepted": sum(x.accepted for x in s),
                "complete": sum(x.complete for x in s), "problems": sum(len(x.outstanding) for x in s),
                "missing": sum(len(x.missing) for x in s),
                "signed_off": sum(x.review.signed_off is not None for x in s),
                "queries_waiting": sum(len(x.review.waiting) for x in s)}


def _missing(indicators: tuple[Indicator, ...], quarter: Quarter,
             present: set[tuple[str, str]]) -> tuple[Missing, ...]:
    """Each period the quarter's return asks for (the quarter, or each month) that has no figure."""
    wanted = ((i.id, p.slug) for i in indicators for p in i.periods_in(quarter))
    return tuple(key for key in wanted if key not in present)


def _reminders(events: list[Event], period: str) -> dict[str, tuple[datetime, str]]:
    """Each service's last reminder sent (kpixl.steps.remind's refs: <period>:<service>:<stage>[#n])."""
    last: dict[str, tuple[datetime, str]] = {}
    for event in events:
        parts = event.ref.split("#")[0].split(":")
        if len(parts) == 3 and parts[0] == period and parts[1] != "receipt":
            last[parts[1]] = (event.at, parts[2])
    return last


def _first_accepted(records: list[SubmissionRecord]) -> dict[str, SubmissionRecord]:
    first: dict[str, SubmissionRecord] = {}
    for record in sorted(records, key=lambda r: r.order):
        if record.source == "return" and record.accepted and record.service:
            first.setdefault(record.service, record)
    return first


def service_status(workspace: Workspace, quarter: Quarter, today: date | None = None) -> StatusReport:
    loaded = load_register(workspace.register_path)
    register: Register = loaded.register
    config = workspace.config
    with workspace.open_store() as store:
        present = set(store.current_figures())
        latest = store.latest_submission_by_service(quarter.slug)
        replaced = store.superseded(quarter.slug)
        submissions = {r.id: r for r in store.submissions(quarter.slug)}
        partly = store.partly_accepted(quarter.slug)
        reviews = service_reviews(store, quarter.slug)
        reminded = _reminders(store.events(quarter.slug, kinds={"mail-sent"}), quarter.slug)
    first = _first_accepted(list(submissions.values()))
    folder = default_folder(workspace, quarter)
    generated, sent = read_manifest(folder), read_sent(folder)
    services = []
    for service in register.services_reporting(quarter):
        indicators = register.indicators_of_service(service.id)
        record = latest.get(service.id)
        superseded = tuple(submissions[i] for i in replaced if submissions[i].service == service.id)
        earliest = first.get(service.id)
        mailed = sent.get(service.id)
        services.append(ServiceStatus(
            service, len(indicators), service.id in generated, service.id in sent, record,
            _missing(indicators, quarter, present), superseded, partly.get(record.id) if record else None,
            str(mailed.get("sent", "")) if isinstance(mailed, dict) else "", reminded.get(service.id), earliest,
            timeliness(earliest.sent if earliest else None, config.deadline, config.hard_deadline,
                       today or date.today()),
            reviews.get(service.id, ServiceReview())))
    committees = [CommitteeGaps(c, _missing(register.indicators_of_committee(c.id), quarter, present))
                  for c in register.committees]
    return StatusReport(quarter, services, committees, Report(list(loaded.report)), config.deadline,
                        config.hard_deadline)
