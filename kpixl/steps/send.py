"""send_workbooks: each service lead gets one message with their workbooks, as drafts or through SMTP.

Workbooks are those recorded in workbooks/<period>/manifest.json; any service's workbook that is missing
is generated first. A workbook changed since it was generated is not sent (its digest no longer matches
the manifest). A failed recipient does not stop the others; what was sent is recorded in sent.json after
each message, and a rerun skips it unless resend is asked for. A service whose return for the quarter was
accepted is not sent a workbook again either (a new one would be blank), unless resend is asked for;
drafts are written for every service, for the officer to check.

Each message goes at most once. Before it is handed to the server, a `mail-sending` event is logged in the
store, keyed by its ref (the period, the services, the purpose, the attempt): logging it again is refused, so
a run that died mid-send, or another officer sending at the same moment, cannot send a second copy; the
rerun reports the message as uncertain instead. Its end is logged as `mail-sent`, `mail-failed` (not sent:
the next run tries again) or `mail-uncertain` (the server took the whole message but never confirmed it:
recorded in sent.json too, reported, and sent again only with --resend).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpixl.crashpoint import crash_point
from kpixl.domain import Quarter, Service
from kpixl.domain.indicators import is_email
from kpixl.errors import ConfigError, DeliveryError, DeliveryUncertain, WorkspaceError
from kpixl.mail.compose import Letter, compose, names
from kpixl.mail.transports import DraftsTransport, SmtpTransport, Transport, parse_server
from kpixl.problems import safe
from kpixl.steps.generate import accepted_returns, default_folder, long_date, write_workbooks
from kpixl.steps.journal import log_decision
from kpixl.steps.manifests import read_manifest, read_sent, record_sent
from kpixl.steps.templates import render_template, template_path
from kpixl.steps.workspace import Workspace
from kpixl.store import Store, SubmissionRecord

__all__ = ["Outcome", "SendSummary", "Transport", "make_transport", "send_workbooks", "sender_address"]

SendProgress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Outcome:
    lead: str
    email: str
    services: tuple[str, ...]  # service ids
    status: str  # "sent", "drafted", "would send", "skipped", "failed" or "uncertain" (may have gone)
    detail: str = ""


@dataclass
class SendSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # services whose missing workbook was generated first

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def exit_code(self) -> int:
        """1 when a message failed or may have gone without confirmation: either needs the officer."""
        return 1 if self.count("failed") or self.count("uncertain") else 0


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
            summary.outcomes.append(Outcome(service.lead_name, service.lead_email, (service.id,), "skipped",
                                            _already(sent[service.id]) + _regenerated(sent[service.id],
                                                                                      manifest[service.id])))
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
    """What the mail templates' {placeholders} stand for in the letter to one lead: text from the register and
    kpixl.toml, each made safe (kpixl.problems.safe), so that no control character reaches the lead's screen."""
    config = workspace.config
    day = config.deadline
    values = {"council": config.council, "team": config.team, "service": names(letter.services),
            "period": str(quarter), "period_long": f"Quarter {quarter.number} {quarter.year}",
            "deadline": long_date(day) if day else "the date in the workbook",
            "contact_name": config.contact_name or config.team, "contact_email": config.contact_email,
            "lead_name": letter.lead_name or "colleague", "files": "\n".join(f"  {p.name}" for p in letter.files)}
    return {key: safe(value) for key, value in values.items()}


def _already(record: dict[str, Any]) -> str:
    """What sent.json says of a service's workbook sent before."""
    if record.get("status") == "uncertain":
        return (f"may have gone to {record.get('to')} on {record.get('sent')} (the server never confirmed it): "
                "ask the lead whether it arrived; --resend sends it again")
    return f"sent to {record.get('to')} on {record.get('sent')}"


def _regenerated(record: dict[str, Any], entry: dict[str, Any]) -> str:
    """A warning when the workbook was generated again after it was sent: the lead holds the earlier one."""
    if record.get("sha256") and entry.get("sha256") and record["sha256"] != entry["sha256"]:
        return (f". The workbook was regenerated since it was sent ({entry.get('file')}): the lead has the earlier "
                "one. --resend sends them this one")
    return ""


PURPOSE = "workbooks"  # what the message is for, in its ref: a later message to the same lead has its own


@dataclass
class Journal:
    """The store's record of each message's attempts (events mail-sending, then mail-sent, mail-failed or
    mail-uncertain), so that a message goes at most once whatever happens to this process."""

    store: Store
    period: str
    actor: str
    workspace: Workspace  # its journal keeps each entry too, so that a rebuilt store sends nothing twice

    def _refs(self, kind: str) -> dict[str, str]:
        return {e.ref: e.at.isoformat(timespec="seconds") for e in self.store.events(self.period, kinds={kind})}

    def begin(self, letter: Letter, message_id: str, resend: bool) -> tuple[str, str]:
        """The ref of this attempt and "" when it may go; or the ref and why it must not (an earlier attempt
        began and never recorded its end: it may have gone)."""
        ids = tuple(s.id for s in letter.services)
        base = f"{self.period}/{'+'.join(ids)}/{PURPOSE}"
        failed = [ref for ref in self._refs("mail-failed") if ref.startswith(base + "#")]
        ref = f"{base}#resend {message_id}" if resend else f"{base}#{len(failed) + 1}"
        logged = log_decision(self.workspace, self.store, "mail-sending", actor=self.actor, period=self.period,
                              service=",".join(ids), ref=ref, detail={"to": letter.lead_email, "message_id": message_id,
                                                                      "files": [p.name for p in letter.files]})
        if logged is not None:
            return ref, ""
        began = self.store.events(self.period, kinds={"mail-sending"})
        at = next((e.at.isoformat(timespec="seconds") for e in began if e.ref == ref), "?")
        return ref, (f"an earlier kpixl send began sending this message on {at} and never recorded how it "
                     "ended: it may have gone, so it was not sent again. Ask the lead whether it arrived; "
                     "--resend sends it again")

    def end(self, kind: str, ref: str, letter: Letter, detail: str) -> None:
        log_decision(self.workspace, self.store, kind, actor=self.actor, period=self.period,
                     service=",".join(s.id for s in letter.services), ref=ref,
                     detail={"to": letter.lead_email, "detail": detail})


def _record(folder: Path, quarter: Quarter, letter: Letter, where: str, message_id: str, status: str) -> None:
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    record_sent(folder, quarter.slug, {s.id: {"to": letter.lead_email, "file": p.name, "sha256": h, "sent": stamp,
                                              "via": where, "message_id": message_id, "status": status}
                                       for s, p, h in zip(letter.services, letter.files, letter.sha256)})


def _deliver(workspace: Workspace, quarter: Quarter, letter: Letter, transport: Transport, sender: str,
             folder: Path, dry_run: bool, journal: Journal | None, resend: bool) -> Outcome:
    ids = tuple(s.id for s in letter.services)
    values = mail_values(workspace, quarter, letter)
    subject = render_template(template_path(workspace, "mail_subject.txt"), values)
    body = render_template(template_path(workspace, "mail_body.txt"), values)
    config = workspace.config
    message = compose(letter, subject, body, config.team, sender, config.contact_email, draft=not transport.sends)
    if dry_run:
        return Outcome(letter.lead_name, letter.lead_email, ids, "would send", ", ".join(p.name for p in letter.files))
    message_id = str(message["Message-ID"])
    ref, refused = journal.begin(letter, message_id, resend) if journal else ("", "")
    if refused:
        _record(folder, quarter, letter, "", message_id, "uncertain")
        return Outcome(letter.lead_name, letter.lead_email, ids, "uncertain", refused)
    crash_point("mail-sending")
    try:
        where = transport.deliver(message, sender, letter.lead_email)
    except DeliveryUncertain as exc:
        _record(folder, quarter, letter, f"{exc}", message_id, "uncertain")
        if journal:
            journal.end("mail-uncertain", ref, letter, str(exc))
        return Outcome(letter.lead_name, letter.lead_email, ids, "uncertain",
                       f"{exc}. Ask the lead whether it arrived; --resend sends it again")
    except DeliveryError as exc:
        if journal:
            journal.end("mail-failed", ref, letter, str(exc))
        return Outcome(letter.lead_name, letter.lead_email, ids, "failed", str(exc))
    if not transport.sends:
        return Outcome(letter.lead_name, letter.lead_email, ids, "drafted", where)
    _record(folder, quarter, letter, where, message_id, "sent")
    if journal:
        journal.end("mail-sent", ref, letter, where)
    return Outcome(letter.lead_name, letter.lead_email, ids, "sent", where)


def make_transport(period: str, *, drafts: Path | None = None, smtp: str | None = None, starttls: bool = True,
                   user: str = "", password: str = "", purpose: str = "") -> Transport:
    """Where the messages go: .eml drafts in a folder (named for the recipient, the period and the purpose:
    "receipt", "reminder-due"), or the SMTP server HOST[:PORT] (ConfigError if it cannot be read)."""
    if drafts is not None:
        return DraftsTransport(drafts, period, purpose=purpose)
    if smtp is None:
        raise ConfigError("Choose where the messages go: a drafts folder or an SMTP server")
    try:
        host, port = parse_server(smtp, starttls)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    return SmtpTransport(host, port, starttls, user, password)


def sender_address(workspace: Workspace, sender: str | None) -> str:
    """The From address: --from, else [cycle] contact_email; ConfigError when there is none kpixl can use."""
    sender = (sender or workspace.config.contact_email).strip()
    if not sender:
        raise ConfigError("Whom is the email from? Pass --from ADDRESS, or set [cycle] contact_email in kpixl.toml")
    if not (is_email(sender) and sender.isascii()):
        raise ConfigError(f"'{sender}' is not an email address kpixl can send from: write it as name@council.gov.uk "
                          "in ASCII letters (--from, or [cycle] contact_email in kpixl.toml)")
    return sender


def send_workbooks(workspace: Workspace, quarter: Quarter, transport: Transport, *, sender: str | None = None,
                   dry_run: bool = False, resend: bool = False, only: tuple[str, ...] = (),
                   progress: SendProgress | None = None) -> SendSummary:
    """Send (or draft) each lead's workbooks for quarter (only: those of these service ids); the summary says
    what happened to each."""
    sender = sender_address(workspace, sender)
    register, folder, summary = workspace.valid_register(), default_folder(workspace, quarter), SendSummary()
    services = register.services_reporting(quarter)
    if only:
        unknown = sorted(set(only) - {s.id for s in services})
        if unknown:
            raise WorkspaceError(f"No service {', '.join(unknown)} reports for {quarter}. Services: "
                                 f"{', '.join(s.id for s in services)}")
        services = tuple(s for s in services if s.id in only)
    manifest = _workbooks(workspace, quarter, services, folder, summary)
    sent = read_sent(folder) if transport.sends and not resend else {}
    answered = accepted_returns(workspace, quarter, [s.id for s in services]) if transport.sends and not resend else {}
    letters = _letters(services, manifest, folder, sent, answered, summary)
    sending = bool(letters) and not dry_run
    store = workspace.open_store() if sending and transport.sends else None  # the journal; drafts are not sends
    try:
        journal = Journal(store, quarter.slug, sender, workspace) if store else None
        if sending:
            transport.open()
        try:
            for done, letter in enumerate(letters, start=1):
                summary.outcomes.append(_deliver(workspace, quarter, letter, transport, sender, folder, dry_run,
                                                 journal, resend))
                if progress:
                    progress(done, len(letters), letter.label)
        finally:
            transport.close()
    finally:
        if store:
            store.close()
    return summary
