"""kpixl remind: a reminder to each lead whose return is missing, still has errors, or has questions unanswered,
saying what is outstanding (with their feedback workbook where there is one); nobody else.

The wording follows the stage of [reminders] in kpixl.toml that the day has reached (--on DATE, default today;
or --stage NAME): reminder_<stage>.txt in workbook_templates/. A stage may copy the service's deputy and its cc
addresses (after the deadline, say). Each service's reminder of a stage goes at most once: the ledger's ref is
<period>:<service>:<stage> (kpixl.steps.mailing), so a run killed mid-send and run again sends nobody a second
copy, and the one it was sending is reported uncertain.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kpixl.domain import Quarter, Service
from kpixl.domain.deadlines import Stage, stage_on
from kpixl.domain.indicators import is_email
from kpixl.errors import ConfigError
from kpixl.files import archive_name
from kpixl.intake.assess import ReturnResult
from kpixl.intake.feedback import write_feedbacks
from kpixl.mail.compose import Note, compose_note
from kpixl.mail.transports import Transport
from kpixl.problems import Report, Severity, count, is_explained, safe
from kpixl.steps.mailing import Ledger, deliver_once
from kpixl.steps.status import ServiceStatus, service_status
from kpixl.steps.templates import render_template, template_path
from kpixl.steps.workspace import ARCHIVE, Workspace

__all__ = ["RemindOutcome", "RemindSummary", "choose_stage", "outstanding", "remind"]

_TITLES = {"friendly": "reminder", "due": "due today", "overdue": "overdue"}


@dataclass(frozen=True)
class RemindOutcome:
    service: str
    lead: str
    to: str
    cc: tuple[str, ...]
    status: str  # "sent", "drafted", "would send", "skipped" (sent before), "failed", "uncertain"
    outstanding: tuple[str, ...]
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "lead": self.lead, "to": self.to, "cc": list(self.cc),
                "status": self.status.replace(" ", "_"), "outstanding": list(self.outstanding), "detail": self.detail}


@dataclass
class RemindSummary:
    quarter: Quarter
    on: date
    stage: Stage | None  # None: no stage reached yet, nothing sent
    outcomes: list[RemindOutcome] = field(default_factory=list)
    first_day: date | None = None  # when no stage is reached: the first stage's day

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") or self.count("uncertain") else 0

    def to_dict(self) -> dict[str, Any]:
        return {"period": self.quarter.slug, "on": self.on.isoformat(), "stage": self.stage.name if self.stage else None,
                "first_day": self.first_day.isoformat() if self.first_day else None,
                "reminders": [o.to_dict() for o in self.outcomes]}


def choose_stage(workspace: Workspace, name: str | None, on: date) -> tuple[Stage | None, date | None]:
    """The stage named, or the one the day has reached; with the first stage's day when none is reached yet."""
    config = workspace.config
    stages = config.reminders
    if name is not None:
        found = next((s for s in stages if s.name == name), None)
        if found is None:
            raise ConfigError(f"No reminder stage '{name}': [reminders] in kpixl.toml has "
                              f"{', '.join(s.name for s in stages)}")
        return found, None
    if config.deadline is None:
        raise ConfigError("kpixl.toml has no [cycle] deadline to time reminders from: set it, or name the stage "
                          "with --stage")
    reached = stage_on(stages, config.deadline, on)
    return reached, None if reached else min(s.day(config.deadline) for s in stages)


def outstanding(status: ServiceStatus) -> tuple[str, ...]:
    """What the lead still owes, a line each (nothing: nobody to remind)."""
    latest = status.latest
    if latest is None:
        return ("Your return has not been received yet.",)
    lines = []
    if status.outstanding:
        lines.append(f"Your return {latest.file_name} has {count(len(status.outstanding), 'error')} to correct: the "
                     "attached feedback workbook marks each one.")
    questions = _open_questions(status)
    if questions:
        lines.append(f"Your return {latest.file_name} has {count(len(questions), 'question')} to answer: the attached "
                     "feedback workbook lists them.")
    if status.missing and latest.accepted:
        gaps = ", ".join(f"indicator {i} ({p})" for i, p in status.missing[:10])
        lines.append(f"No figure yet for {gaps}{' and more' if len(status.missing) > 10 else ''}.")
    return tuple(lines)


def _open_questions(status: ServiceStatus) -> list[Any]:
    """Queries the lead has not explained; a query about who sent the return is the team's, not the lead's."""
    latest = status.latest
    if latest is None:
        return []
    return [p for p in latest.problems if p.severity is Severity.QUERY and not is_explained(p)
            and p.code != "SENDER_UNKNOWN"]


def _copies(service: Service, stage: Stage) -> tuple[str, ...]:
    wanted = ([service.deputy_email] if "deputy" in stage.copy else []) + (list(service.cc) if "cc" in stage.copy
                                                                            else [])
    return tuple(dict.fromkeys(a.strip() for a in wanted if a.strip() and is_email(a.strip()) and a.isascii()))


def _feedback(workspace: Workspace, status: ServiceStatus, folder: Path) -> tuple[tuple[str, bytes], ...]:
    """The lead's feedback workbook, made again from their latest return as archived and its stored problems."""
    latest = status.latest
    if latest is None or not (latest.errors or _open_questions(status)):
        return ()
    result = ReturnResult(Path(latest.file_name), latest.file_hash, "xlsx", latest.service,
                          report=Report(list(latest.problems)))
    result.archived = workspace.path(ARCHIVE) / archive_name(latest.file_hash, "xlsx")
    return tuple((p.name, p.read_bytes()) for p in write_feedbacks([result], folder))


def _values(workspace: Workspace, quarter: Quarter, status: ServiceStatus, stage: Stage, lines: tuple[str, ...],
            copies: tuple[str, ...]) -> dict[str, str]:
    config = workspace.config
    day = config.deadline
    service = status.service
    values = {"council": config.council, "team": config.team, "service": service.name, "period": str(quarter),
              "period_long": f"Quarter {quarter.number} {quarter.year}",
              "deadline": f"{day:%A} {day.day} {day:%B %Y}" if day else "the date in the workbook",
              "lead_name": service.lead_name or "colleague", "outstanding": "\n".join(f"- {line}" for line in lines),
              "contact_name": config.contact_name or config.team, "contact_email": config.contact_email,
              "stage": stage.name, "stage_title": _TITLES.get(stage.name, stage.name),
              "copied": (f"Copied to {', '.join(copies)}, so that someone can help.\n" if copies else "")}
    return {key: safe(value) for key, value in values.items()}


def _body_template(workspace: Workspace, stage: Stage) -> Path:
    own = template_path(workspace, f"reminder_{stage.name}.txt")
    return own if own.is_file() else template_path(workspace, "reminder_due.txt")


def remind(workspace: Workspace, quarter: Quarter, transport: Transport | None, sender: str, *,
           stage_name: str | None = None, on: date | None = None, dry_run: bool = False) -> RemindSummary:
    """Remind each lead with something outstanding, at the stage the day has reached (or the one named)."""
    day = on or date.today()
    stage, first_day = choose_stage(workspace, stage_name, day)
    summary = RemindSummary(quarter, day, stage, first_day=first_day)
    if stage is None:
        return summary
    report = service_status(workspace, quarter)
    due = [(s, lines) for s in report.services if (lines := outstanding(s))]
    sending = bool(due) and not dry_run and transport is not None
    store = workspace.open_store() if sending and transport is not None and transport.sends else None
    try:
        ledger = Ledger(store, quarter.slug, sender, workspace) if store else None
        if sending and transport is not None:
            transport.open()
        try:
            with tempfile.TemporaryDirectory(prefix="kpixl-remind-") as scratch:
                for status, lines in due:
                    summary.outcomes.append(_one(workspace, quarter, status, lines, stage, transport, sender,
                                                 ledger, Path(scratch) / status.service.id, dry_run))
        finally:
            if sending and transport is not None:
                transport.close()
    finally:
        if store:
            store.close()
    return summary


def _one(workspace: Workspace, quarter: Quarter, status: ServiceStatus, lines: tuple[str, ...], stage: Stage,
         transport: Transport | None, sender: str, ledger: Ledger | None, scratch: Path,
         dry_run: bool) -> RemindOutcome:
    service = status.service
    to, copies = service.lead_email.strip(), _copies(service, stage)

    def outcome(state: str, detail: str = "") -> RemindOutcome:
        return RemindOutcome(service.id, service.lead_name, to, copies, state, lines, detail)

    if not (to and is_email(to) and to.isascii()):
        return outcome("failed", f"the register gives no address kpixl can send to for {service.id}'s lead")
    if dry_run or transport is None:
        return outcome("would send", f"stage {stage.name}")
    values = _values(workspace, quarter, status, stage, lines, copies)
    note = Note(values["lead_name"], to, render_template(template_path(workspace, "reminder_subject.txt"), values),
                render_template(_body_template(workspace, stage), values), cc=copies,
                attachments=_feedback(workspace, status, scratch))
    config = workspace.config
    message = compose_note(note, config.team, sender, config.contact_email, draft=not transport.sends)
    done = deliver_once(ledger, f"{quarter.slug}:{service.id}:{stage.name}", service.id, message, transport, sender,
                        to, copies)
    return outcome(done.status, done.detail)
