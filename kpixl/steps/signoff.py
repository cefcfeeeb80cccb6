"""Sign-off: a head of service signs off the service's figures for a quarter (which locks them), and a reopen
unlocks them. What `kpixl approve SERVICE` and `kpixl reopen` call (docs/review.md); the committee's paper,
what it waits for and its approval, is in steps/readiness.py.

    approve_service(workspace, "libraries", quarter, by="Jane Smith", role="Head of Libraries")
    reopen_service(workspace, "libraries", quarter, reason="Figure 37 corrected")

Each is one event. A state change names the event it follows in its ref, so two officers doing the same at
the same moment log it once. The lock itself is in the store's current-figure rule (queries.held_now).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpixl.domain import Figure, Quarter, Register, Service
from kpixl.domain.figures import Submission
from kpixl.domain.review import REOPENED, SIGNED_OFF, SIGNOFF_PROPOSED
from kpixl.errors import PathError, ReviewError, WorkspaceError
from kpixl.problems import Problem, count
from kpixl.steps.journal import log_decision
from kpixl.steps.review import Query, current_returns, lead_items, quarter_queries
from kpixl.steps.workspace import Receipt, Workspace
from kpixl.store import Event, Store, SubmissionRecord
from kpixl.untrusted.limits import MAX_FILE_BYTES

__all__ = [
    "ReopenResult",
    "ServiceReview",
    "SignOff",
    "SignOffResult",
    "approve_service",
    "proposals",
    "reopen_service",
    "service_reviews",
    "sign_offs",
]

_EXT = re.compile(r"[a-z0-9]{1,10}")


@dataclass(frozen=True)
class SignOff:
    """A service's figures for a quarter, signed off by its head: the signed-off event in force."""

    event: Event

    @property
    def service(self) -> str:
        return self.event.service

    @property
    def by(self) -> str:
        return self.event.actor

    @property
    def role(self) -> str:
        return str(self.event.detail.get("role", ""))

    @property
    def at(self) -> datetime:
        return self.event.at

    @property
    def evidence(self) -> dict[str, Any] | None:
        found = self.event.detail.get("evidence")
        return found if isinstance(found, dict) else None

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "by": self.by, "role": self.role, "at": self.at.isoformat(),
                "evidence": self.evidence, "event": self.event.id}


def _last_states(store: Store, period: str) -> dict[str, Event]:
    """Per service, its last signed-off or reopened event for the quarter."""
    return {e.service: e for e in store.events(period, kinds=[SIGNED_OFF, REOPENED])}


def sign_offs(store: Store, period: str) -> dict[str, SignOff]:
    """The services whose figures for the quarter are signed off now (no reopen since), with the sign-off."""
    return {service: SignOff(e) for service, e in _last_states(store, period).items() if e.kind == SIGNED_OFF}


def proposals(store: Store, period: str, records: Sequence[SubmissionRecord] | None = None) -> dict[str, Event]:
    """Per service, the sign-off its head typed in the Sign-off sheet of its current return (signoff-proposed),
    for the officer to confirm with `kpixl approve SERVICE`; one typed in an earlier return is not proposed."""
    current = current_returns(store.submissions(period) if records is None else records)
    return {e.service: e for e in store.events(period, kinds=[SIGNOFF_PROPOSED])
            if e.service in current and e.detail.get("submission") == current[e.service].id}


@dataclass(frozen=True)
class ServiceReview:
    """Where a service's quarter stands after collection: review and sign-off (what `kpixl status` adds)."""

    signed_off: SignOff | None = None
    queries: tuple[Query, ...] = ()  # the queries of its current return, in every state
    held: tuple[SubmissionRecord, ...] = ()  # returns recorded after the sign-off, not current
    to_answer: tuple[Problem, ...] = ()  # what its lead still has to do (review.outstanding_for)
    proposed: Event | None = None  # a sign-off typed in its current return, not yet confirmed

    @property
    def waiting(self) -> tuple[Query, ...]:
        """Its queries not yet accepted: the final paper waits for them."""
        return tuple(q for q in self.queries if q.state.waiting)

    def to_dict(self) -> dict[str, Any]:
        return {"signed_off": self.signed_off.to_dict() if self.signed_off else None,
                "queries": {state: sum(q.state.value == state for q in self.queries)
                            for state in ("open", "explained", "rejected", "accepted")},
                "waiting": [q.id for q in self.waiting], "held": [r.file_name for r in self.held],
                "to_answer": [p.to_dict() for p in self.to_answer],
                "proposed_sign_off": self.proposed.detail if self.proposed else None}


def service_reviews(store: Store, period: str) -> dict[str, ServiceReview]:
    """Per service with a return or a sign-off for the quarter, its review and sign-off."""
    records = [r for r in store.submissions(period) if r.source == "return" and r.service]
    latest = {r.service: r for r in sorted(records, key=lambda r: r.order)}
    queries = quarter_queries(store, period)
    signed = sign_offs(store, period)
    proposed = proposals(store, period, records)
    reviews = {}
    for service in sorted({*latest, *signed}):
        mine = tuple(q for q in queries if q.service == service)
        reviews[service] = ServiceReview(signed.get(service), mine,
                                         tuple(r for r in records if r.service == service and r.held),
                                         lead_items(latest.get(service), mine),
                                         None if service in signed else proposed.get(service))
    return reviews


def _service(register: Register, quarter: Quarter, ident: str) -> Service:
    services = register.services_reporting(quarter)
    wanted = ident.strip().casefold()
    found = next((s for s in services if wanted in (s.id.casefold(), s.name.casefold())), None)
    if found is None:
        known = ", ".join(s.id for s in services) or "none"
        raise WorkspaceError(f"No service '{ident}' reports for {quarter}. Services: {known}.")
    return found


def _gaps(store: Store, register: Register, service: Service, quarter: Quarter,
          figures: Mapping[tuple[str, str], Figure]) -> list[str]:
    """Why a service's figures cannot be signed off: periods without a figure, errors in its latest return."""
    latest = store.latest_submission_by_service(quarter.slug).get(service.id)
    missing = [f"{i.number} ({p})" for i in register.indicators_of_service(service.id) for p in i.periods_in(quarter)
               if (i.id, p.slug) not in figures]
    gaps = [f"no figure yet for {', '.join(missing)}"] if missing else []
    if latest is not None and latest.errors:
        gaps.append(f"its latest return, {latest.file_name}, has {count(len(latest.errors), 'error')} to correct")
    return gaps


@dataclass(frozen=True)
class SignOffResult:
    service: Service
    quarter: Quarter
    signoff: SignOff
    already: bool  # it was signed off before this command (by whom: signoff)
    waiting: tuple[Query, ...] = ()  # its queries not yet accepted: the final paper waits for them


def approve_service(workspace: Workspace, ident: str, quarter: Quarter, by: str = "", role: str = "",
                    evidence: Path | None = None) -> SignOffResult:
    """Sign off a service's figures for the quarter (a signed-off event, by the head of service), keeping the
    evidence file in the archive; from now a return collected for it is held (docs/review.md). Without by,
    the sign-off the head typed in the Sign-off sheet of the service's current return is confirmed. ReviewError
    while a figure is missing or its latest return has errors."""
    by, role = " ".join(by.split()), " ".join(role.split())
    if (by and not role) or (role and not by):
        raise ReviewError("Say who signs off and as what: --by NAME --role ROLE.", usage=True)
    register = workspace.valid_register()
    service = _service(register, quarter, ident)
    with workspace.open_store(by=by or None) as store:
        proposal: dict[str, Any] = {}
        if not by:
            by, role, proposal = _proposed(store, service, quarter)
        last = _last_states(store, quarter.slug).get(service.id)
        if last is not None and last.kind == SIGNED_OFF:
            if evidence is not None:  # kept again: what puts back an archived copy lost or damaged since
                _keep_evidence(workspace, store, evidence, service, quarter)
            return SignOffResult(service, quarter, SignOff(last), True)
        gaps = _gaps(store, register, service, quarter, store.current_figures())
        if gaps:
            raise ReviewError(f"{service.name}'s figures for {quarter} cannot be signed off yet: {'; '.join(gaps)}. "
                              "'kpixl status' says what to chase.")
        kept = _keep_evidence(workspace, store, evidence, service, quarter) if evidence is not None else None
        made = log_decision(workspace, store, SIGNED_OFF, actor=by, period=quarter.slug, service=service.id,
                               ref=f"{quarter.slug}/{service.id}@{last.id if last else 0}",
                               detail={"by": by, "role": role, "evidence": kept, "recorded_by": workspace.actor(),
                                       **proposal})
        now = _last_states(store, quarter.slug)[service.id]  # another officer's, if theirs came first
        waiting = tuple(q for q in quarter_queries(store, quarter.slug) if q.service == service.id and q.state.waiting)
    return SignOffResult(service, quarter, SignOff(now), made is None, waiting)


def _proposed(store: Store, service: Service, quarter: Quarter) -> tuple[str, str, dict[str, Any]]:
    """Who signs off, as what, and where it was proposed: the Sign-off sheet of the service's current return."""
    found = proposals(store, quarter.slug).get(service.id)
    if found is None:
        raise ReviewError(f"Say who signs off {service.name}'s figures and as what: --by NAME --role ROLE (no "
                          "sign-off is typed in the Sign-off sheet of its current return).", usage=True)
    d = found.detail
    return (" ".join(str(d.get("name", "")).split()), " ".join(str(d.get("role", "")).split()),
            {"proposed_in": d.get("file", ""), "proposal": found.id, "date": d.get("date", "")})


def _keep_evidence(workspace: Workspace, store: Store, path: Path, service: Service,
                   quarter: Quarter) -> dict[str, Any]:
    """Archive the evidence of a sign-off under its SHA-256, as a received file is, and record it (source
    "evidence") so that `kpixl check` hashes it again. Its file name, hash and archived name, for the event."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise PathError(f"Cannot read the evidence {path}: {exc.strerror or exc}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise ReviewError(f"The evidence {path.name} is over {MAX_FILE_BYTES // 2**20} MB: keep the approving email "
                          "itself (.eml), not its attachments.")
    sha = hashlib.sha256(data).hexdigest()
    ext = path.suffix.lower().lstrip(".")
    ext = ext if _EXT.fullmatch(ext) else "bin"
    archived = workspace.archive(data, sha, ext)
    made = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    submission = Submission(sha, path.name, datetime.now(UTC), service.id, quarter.slug, True, source="evidence",
                            sent_at=made)
    if not store.record(submission, []).duplicate:
        workspace.note_receipt(sha, Receipt.of(submission, quarter.slug, ext, "file modified"))
    return {"file": path.name, "sha256": sha, "archived": archived.name}


@dataclass(frozen=True)
class ReopenResult:
    service: Service
    quarter: Quarter
    event: Event | None  # the reopened event; None: it was not signed off (another officer reopened it)
    released: tuple[SubmissionRecord, ...] = ()  # returns the sign-off held, current now by their sent time


def reopen_service(workspace: Workspace, ident: str, quarter: Quarter, reason: str,
                   by: str | None = None) -> ReopenResult:
    """Reopen a signed-off service's figures for the quarter (a reopened event): the returns the sign-off held
    count again by their sent time. ReviewError when it is not signed off."""
    reason = " ".join(reason.split())
    if not reason:
        raise ReviewError("Say why with --reason TEXT: the log keeps it.", usage=True)
    register = workspace.valid_register()
    service = _service(register, quarter, ident)
    with workspace.open_store(by=by) as store:
        last = _last_states(store, quarter.slug).get(service.id)
        if last is None or last.kind != SIGNED_OFF:
            raise ReviewError(f"{service.name}'s figures for {quarter} are not signed off: there is nothing to "
                              "reopen.")
        made = log_decision(workspace, store, REOPENED, actor=store.actor, period=quarter.slug, service=service.id,
                               ref=f"{quarter.slug}/{service.id}@{last.id}",
                               detail={"reason": reason, "signed_off": last.id})
        event = next((e for e in store.events(quarter.slug, kinds=[REOPENED]) if e.id == made), None)
        released = tuple(r for r in store.submissions(quarter.slug) if r.held_by == last.id)
    return ReopenResult(service, quarter, event, released)
