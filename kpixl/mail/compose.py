"""The message to one service lead: subject and body from workbook_templates/mail_subject.txt and
mail_body.txt, and that lead's workbooks attached (a lead of several services gets one message with every
workbook: one email to answer, not several that cross)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid
from pathlib import Path

from kpixl.domain import Service
from kpixl.problems import one_line

__all__ = ["XLSX_TYPE", "Letter", "Note", "compose", "compose_note", "names"]

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


def names(services: tuple[Service, ...]) -> str:
    names = [s.name for s in services]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def compose(letter: Letter, subject: str, body: str, team: str, sender: str, reply_to: str = "",
            draft: bool = False) -> EmailMessage:
    """The message from team <sender> to the letter's lead, attachments read from disk byte for byte.
    draft: marked X-Unsent for Outlook. Every header is one line of safe text (kpixl.problems.one_line): a name
    with a line break would inject a header, one with an escape sequence would reach the lead's screen."""
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    message["From"] = formataddr((one_line(team), sender))
    message["To"] = formataddr((one_line(letter.lead_name), letter.lead_email))
    if reply_to and reply_to != sender:
        message["Reply-To"] = one_line(reply_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("kpixl", sender.rpartition("@")[2] or None)
    if draft:
        message["X-Unsent"] = "1"
    message.set_content(body)
    for path in letter.files:
        message.add_attachment(path.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=path.name)
    return message


@dataclass(frozen=True)
class Note:
    """A message kpixl writes to people other than with their workbooks: a receipt for a return, a reminder.
    A receipt answers the lead's own message, so mail programs show it in that conversation (RFC 5322
    In-Reply-To and References)."""

    to_name: str
    to: str
    subject: str
    body: str
    cc: tuple[str, ...] = ()
    attachments: tuple[tuple[str, bytes], ...] = ()  # (file name, bytes): feedback workbooks
    in_reply_to: str = ""
    references: tuple[str, ...] = ()


def compose_note(note: Note, team: str, sender: str, reply_to: str = "", draft: bool = False) -> EmailMessage:
    """The note from team <sender>, every header one line of safe text (as compose())."""
    message = EmailMessage()
    message["Subject"] = one_line(note.subject)
    message["From"] = formataddr((one_line(team), sender))
    message["To"] = formataddr((one_line(note.to_name), note.to))
    if note.cc:
        message["Cc"] = ", ".join(note.cc)
    if reply_to and reply_to != sender:
        message["Reply-To"] = one_line(reply_to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid("kpixl", sender.rpartition("@")[2] or None)
    if note.in_reply_to:
        message["In-Reply-To"] = one_line(note.in_reply_to)
        message["References"] = " ".join(one_line(r) for r in (*note.references, note.in_reply_to))
    if draft:
        message["X-Unsent"] = "1"
    message.set_content(note.body)
    for name, data in note.attachments:
        message.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=name)
    return message
