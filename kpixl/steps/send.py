"""send_workbooks: each service lead gets one message with their workbooks, as drafts or through SMTP.

Workbooks are those recorded in workbooks/<period>/manifest.json; any service's workbook that is missing
is generated first. A workbook changed since it was generated is not sent (its digest no longer matches
the manifest). A failed recipient does not stop the others; what was sent is recorded in sent.json after
each message, and a rerun skips it unless resend is asked for. A service whose return for the quarter was
accepted is not sent a workbook again either (a new one would be blank), unless resend is asked for;
drafts are written for every service, for the officer to check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpixl.domain import Quarter, Service
from kpixl.errors import ConfigError, DeliveryError
from kpixl.mail.compose import Letter, compose, names
from kpixl.mail.transports import DraftsTransport, SmtpTransport, Transport, parse_server
from kpixl.steps.generate import accepted_returns, default_folder, long_date, write_workbooks
from kpixl.steps.manifests import read_manifest, read_sent, record_sent
from kpixl.steps.templates import render_template, template_path
from kpixl.steps.workspace import Workspace
from kpixl.store import SubmissionRecord

__all__ = ["Outcome", "SendSummary", "Transport", "make_transport", "send_workbooks"]

SendProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Outcome:
    lead: str
    email: str
    services: tuple[str, ...]  # service ids
    status: str  # "sent", "drafted", "would send", "skipped" or "failed"
    detail: str = ""


@dataclass
class SendSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # services whose missing workbook was generated first

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def exit_code(self) -> int:
        return 1 if self.count("failed") else 0


def _workbooks(workspace: Workspace, quarter: Quarter, services: tuple[Service, ...], folder: Path,
               summary: SendSummary) -> dict[str, dict[str, Any]]:
    manifest = read_manifest(folder)
    missing = [s.id for s in services if not _present(manifest.get(s.id), folder)]
    if missing:
        write_workbooks(workspace, quarter, missing)
        summary.generated.extend(missing)
        manifest = read_manifest(folder)
    return manifest


def _present(entry: Any, folder: Path) -> bool:
    """A manifest entry naming a workbook that is in the folder (a name that leads elsewhere is not)."""
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in ("file", "sha256")):
        return False
    name = entry["file"]
    return Path(name).name == name and name not in ("", ".", "..") and (folder / name).is_file()


def _check_one(service: Service, entry: dict[str, Any], folder: Path) -> str:
    """Why this service's workbook cannot go in a letter ("" when it can)."""
    if not service.lead_email:
        return f"the register gives no lead_email for service {service.id}: add it, then run kpixl send again"
    data = (folder / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        return f"{entry['file']} changed since it was generated: run 'kpixl workbooks --service {service.id}'"
    return ""


def _letters(services: tuple[Service, ...], manifest: dict[str, dict[str, Any]], folder: Path,
             sent: dict[str, Any], done: dict[str, SubmissionRecord], summary: SendSummary) -> list[Letter]:
    groups: dict[str, list[Service]] = {}
    for service in services:
        if service.id in done:  # the lead has answered this quarter: a new blank workbook is not sent
            record = done[service.id]
            summary.outcomes.append(Outcome(service.lead_name, service.lead_email, (service.id,), "skipped",
                                            f"its return {record.file_name} was accepted: --resend sends it anyway"))
            continue
        if service.id in sent:
            record = sent[service.id]
            summary.outcomes.append(Outcome(service.lead_name, service.lead_email, (service.id,), "skipped",
                                            f"sent to {record.get('to')} on {record.get('sent')}"))
            continue
        problem = _check_one(service, manifest[service.id], folder)
        if problem:
            summary.outcomes.append(Outcome(service.lead_name, service.lead_email, (service.id,), "failed", problem))
            continue
        groups.setdefault(service.lead_email.strip().casefold(), []).append(service)
    return [Letter(group[0].lead_name, group[0].lead_email.strip(), tuple(group),
                   tuple(folder / manifest[s.id]["file"] for s in group),
                   tuple(manifest[s.id]["sha256"] for s in group)) for group in groups.values()]


def mail_values(workspace: Workspace, quarter: Quarter, letter: Letter) -> dict[str, str]:
    """What the mail templates' {placeholders} stand for in the letter to one lead."""
    config = workspace.config
    day = config.deadline
    return {"council": config.council, "team": config.team, "service": names(letter.services),
            "period": str(quarter), "period_long": f"Quarter {quarter.number} {quarter.year}",
            "deadline": long_date(day) if day else "the date in the workbook",
            "contact_name": config.contact_name or config.team, "contact_email": config.contact_email,
            "lead_name": letter.lead_name or "colleague", "files": "\n".join(f"  {p.name}" for p in letter.files)}


def _deliver(workspace: Workspace, quarter: Quarter, letter: Letter, transport: Transport, sender: str,
             folder: Path, dry_run: bool) -> Outcome:
    ids = tuple(s.id for s in letter.services)
    values = mail_values(workspace, quarter, letter)
    subject = render_template(template_path(workspace, "mail_subject.txt"), values)
    body = render_template(template_path(workspace, "mail_body.txt"), values)
    config = workspace.config
    message = compose(letter, subject, body, config.team, sender, config.contact_email, draft=not transport.sends)
    if dry_run:
        return Outcome(letter.lead_name, letter.lead_email, ids, "would send", ", ".join(p.name for p in letter.files))
    try:
        where = transport.deliver(message, sender, letter.lead_email)
    except DeliveryError as exc:
        return Outcome(letter.lead_name, letter.lead_email, ids, "failed", str(exc))
    if not transport.sends:
        return Outcome(letter.lead_name, letter.lead_email, ids, "drafted", where)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    record_sent(folder, quarter.slug, {s.id: {"to": letter.lead_email, "file": p.name, "sha256": h, "sent": stamp,
                                              "via": where, "message_id": message["Message-ID"]}
                                       for s, p, h in zip(letter.services, letter.files, letter.sha256)})
    return Outcome(letter.lead_name, letter.lead_email, ids, "sent", where)


def make_transport(period: str, *, drafts: Path | None = None, smtp: str | None = None, starttls: bool = True,
                   user: str = "", password: str = "") -> Transport:
    """Where the messages go: .eml drafts in a folder, or the SMTP server HOST[:PORT] (ConfigError if it
    cannot be read)."""
    if drafts is not None:
        return DraftsTransport(drafts, period)
    if smtp is None:
        raise ConfigError("Choose where the messages go: a drafts folder or an SMTP server")
    try:
        host, port = parse_server(smtp, starttls)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return SmtpTransport(host, port, starttls, user, password)


def send_workbooks(workspace: Workspace, quarter: Quarter, transport: Transport, *, sender: str | None = None,
                   dry_run: bool = False, resend: bool = False,
                   progress: SendProgress | None = None) -> SendSummary:
    """Send (or draft) each lead's workbooks for quarter; the summary says what happened to each."""
    sender = (sender or workspace.config.contact_email).strip()
    if not sender:
        raise ConfigError("Whom is the email from? Pass --from ADDRESS, or set [cycle] contact_email in kpixl.toml")
    register, folder, summary = workspace.valid_register(), default_folder(workspace, quarter), SendSummary()
    services = register.services_reporting(quarter)
    manifest = _workbooks(workspace, quarter, services, folder, summary)
    sent = read_sent(folder) if transport.sends and not resend else {}
    answered = accepted_returns(workspace, quarter, [s.id for s in services]) if transport.sends and not resend else {}
    letters = _letters(services, manifest, folder, sent, answered, summary)
    if letters and not dry_run:
        transport.open()
    try:
        for done, letter in enumerate(letters, start=1):
            summary.outcomes.append(_deliver(workspace, quarter, letter, transport, sender, folder, dry_run))
            if progress:
                progress(done, len(letters), letter.label)
    finally:
        transport.close()
    return summary
