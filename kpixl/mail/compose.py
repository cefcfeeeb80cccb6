"""The message to one service lead: subject and body from workbook_templates/mail_subject.txt and
mail_body.txt, and that lead's workbooks attached (a lead of several services gets one message with every
workbook: one email to answer, not several that cross)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from kpixl.domain import Quarter, Service
from kpixl.steps.templates import render_template, template_path
from kpixl.steps.workspace import Workspace

__all__ = ["XLSX_TYPE", "Letter", "compose", "mail_values"]

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@dataclass(frozen=True)
class Letter:
    """What goes to one lead: the services, their workbooks, and the digests the manifest recorded."""

    lead_name: str
    lead_email: str
    services: tuple[Service, ...]
    files: tuple[Path, ...]
    sha256: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.lead_name or self.lead_email} ({', '.join(s.name for s in self.services)})"


def _one_line(text: str) -> str:
    """No line breaks in a header: a name or subject with one would be an injected header."""
    return " ".join(text.split())


def _names(services: tuple[Service, ...]) -> str:
    names = [s.name for s in services]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def mail_values(workspace: Workspace, quarter: Quarter, letter: Letter) -> dict[str, str]:
    config = workspace.config
    day = config.deadline
    return {"council": config.council, "team": config.team, "service": _names(letter.services),
            "period": str(quarter), "period_long": f"Quarter {quarter.number} {quarter.year}",
            "deadline": f"{day:%A} {day.day} {day:%B %Y}" if day else "the date in the workbook",
            "contact_name": config.contact_name or config.team, "contact_email": config.contact_email,
            "lead_name": letter.lead_name or "colleague", "files": "\n".join(f"  {p.name}" for p in letter.files)}


def compose(workspace: Workspace, quarter: Quarter, letter: Letter, sender: str, draft: bool = False) -> EmailMessage:
    """The message, attachments read from disk byte for byte. draft: marked X-Unsent for Outlook."""
    values = mail_values(workspace, quarter, letter)
    message = EmailMessage()
    message["Subject"] = _one_line(render_template(template_path(workspace, "mail_subject.txt"), values))
    message["From"] = formataddr((_one_line(workspace.config.team), sender))
    message["To"] = formataddr((_one_line(letter.lead_name), letter.lead_email))
    if workspace.config.contact_email and workspace.config.contact_email != sender:
        message["Reply-To"] = workspace.config.contact_email
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("kpixl", sender.rpartition("@")[2] or None)
    if draft:
        message["X-Unsent"] = "1"
    message.set_content(render_template(template_path(workspace, "mail_body.txt"), values))
    for path in letter.files:
        message.add_attachment(path.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=path.name)
    return message
