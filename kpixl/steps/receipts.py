"""Receipts: after a collect or a fetch, each message's sender gets a reply saying what became of what they sent
(accepted with N figures, or what to correct with the feedback workbook attached; no workbook in it; a message
kpixl could not read), threaded under their own message (In-Reply-To, References). As drafts or through SMTP,
as kpixl send does; each receipt at most once (kpixl.steps.mailing: ref <period>:receipt:<Message-ID>).

Only messages get receipts: a file collected from a folder does not say who sent it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kpixl.domain import Quarter
from kpixl.domain.indicators import is_email
from kpixl.intake.assess import ReturnResult
from kpixl.intake.feedback import write_feedbacks
from kpixl.mail.compose import Note, compose_note
from kpixl.mail.transports import Transport
from kpixl.problems import Severity, count, is_explained, one_line, safe
from kpixl.steps.mailing import Ledger, deliver_once
from kpixl.steps.messages import MessageResult
from kpixl.steps.templates import render_template, template_path
from kpixl.steps.workspace import Workspace

__all__ = ["ReceiptOutcome", "ReceiptSummary", "send_receipts"]


@dataclass(frozen=True)
class ReceiptOutcome:
    to: str
    message: str  # the message answered (its name)
    status: str  # "sent", "drafted", "would send", "skipped", "failed", "uncertain"
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return {"to": self.to, "message": self.message, "status": self.status.replace(" ", "_"),
                "detail": self.detail}


@dataclass
class ReceiptSummary:
    outcomes: list[ReceiptOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


def _figures(result: ReturnResult) -> int:
    return len(result.figures) if result.accepted else 0


def _line(result: ReturnResult) -> str:
    """What became of one attachment, in a sentence or two for its sender."""
    name = result.file_name + (f" ({result.service_name})" if result.service_name else "")
    if result.superseded_by:
        return f"- {name}: replaced by {result.superseded_by}, sent later: nothing to correct."
    if result.accepted:
        open_queries = [p for p in result.report if p.severity is Severity.QUERY and not is_explained(p)
                        and p.code != "SENDER_UNKNOWN"]
        text = f"- {name}: accepted, {count(_figures(result), 'figure')} stored."
        if open_queries:
            text += (f" {count(len(open_queries), 'question')} to answer: the attached feedback workbook lists them; "
                     "explain each there and reply with it attached.")
        return text
    errors = result.report.errors
    if result.service:
        return (f"- {name}: not accepted: {count(len(errors), 'thing')} to correct, each marked in the attached feedback "
                "workbook. Please correct them in your workbook and reply with it attached.")
    first = errors[0] if errors else None
    why = f"{first.message} {first.hint}" if first else "it could not be read."
    return f"- {name}: not read as a return: {why}"


def outcome_text(message: MessageResult) -> str:
    """The receipt's {outcome}: a line per attachment, or why there is none."""
    if not message.accepted:
        detail = message.report.errors[0].message if message.report.errors else "it could not be read"
        return (f"Your message could not be read safely, so nothing in it was taken: {detail} Please send the "
                "workbook again, attached to a new message.")
    if not message.returns:
        return ("Your message had no attachment, so no return was received. If you meant to send your return, "
                "please reply with the workbook attached.")
    return "\n".join(_line(r) for r in message.returns)


def _values(workspace: Workspace, quarter: Quarter, message: MessageResult) -> dict[str, str]:
    config = workspace.config
    m = message.message
    sent = f"{message.sent_at:%d %B %Y %H:%M} UTC" if message.sent_at else "today"
    values = {"council": config.council, "team": config.team, "period": str(quarter),
              "period_long": f"Quarter {quarter.number} {quarter.year}", "sent": sent,
              "subject": message.subject or f"your {quarter} return",
              "sender_name": (m.sender_name if m else "") or "colleague", "outcome": outcome_text(message),
              "contact_name": config.contact_name or config.team, "contact_email": config.contact_email}
    return {key: safe(value) for key, value in values.items()}


def _feedback(results: list[ReturnResult], folder: Path) -> tuple[tuple[str, bytes], ...]:
    """The feedback workbooks of the returns with something to correct or answer, as attachments."""
    attached = []
    for result in results:
        if result.superseded_by or not result.report.problems:
            continue
        for path in write_feedbacks([result], folder):
            attached.append((path.name, path.read_bytes()))
    return tuple(attached)


def send_receipts(workspace: Workspace, quarter: Quarter, messages: list[MessageResult], transport: Transport,
                  sender: str, dry_run: bool = False) -> ReceiptSummary:
    """A receipt to the sender of each message, at most once each."""
    summary = ReceiptSummary()
    config = workspace.config
    wanted = [m for m in messages if m.message is not None or m.report.errors]
    if not wanted:
        return summary
    store = workspace.open_store() if transport.sends and not dry_run else None
    try:
        ledger = Ledger(store, quarter.slug, sender, workspace) if store else None
        if not dry_run:
            transport.open()
        try:
            with tempfile.TemporaryDirectory(prefix="kpixl-receipts-") as scratch:
                for message in wanted:
                    to = message.sender.strip()
                    if not (to and is_email(to) and to.isascii()):
                        summary.outcomes.append(ReceiptOutcome(to, message.name, "failed",
                                                               f"'{one_line(to)}' is not an address kpixl can answer"))
                        continue
                    values = _values(workspace, quarter, message)
                    m = message.message
                    note = Note(values["sender_name"], to,
                                render_template(template_path(workspace, "receipt_subject.txt"), values),
                                render_template(template_path(workspace, "receipt_body.txt"), values),
                                attachments=_feedback(message.returns, Path(scratch) / message.sha256[:16]),
                                in_reply_to=message.message_id, references=m.references if m else ())
                    if dry_run:
                        summary.outcomes.append(ReceiptOutcome(to, message.name, "would send", outcome_text(message)))
                        continue
                    email = compose_note(note, config.team, sender, config.contact_email, draft=not transport.sends)
                    base = f"{quarter.slug}:receipt:{message.message_id or message.sha256}"
                    done = deliver_once(ledger, base, "", email, transport, sender, to)
                    summary.outcomes.append(ReceiptOutcome(to, message.name, done.status, done.detail))
        finally:
            if not dry_run:
                transport.close()
    finally:
        if store:
            store.close()
    return summary
