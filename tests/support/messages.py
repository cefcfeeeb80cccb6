"""Messages as leads send them, for the mail tests: an .eml with attachments (the standard library writes it,
as mail programs do), the same as an Outlook .msg (support.outlook), and messages built to hit each of
kpixl's limits (after /work/proto/mail/tests/test_eml.py). No tests here."""

from __future__ import annotations

from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from support.outlook import Attachment as MsgAttachment
from support.outlook import build_msg

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LEAD = "libraries.lead@example.org"  # the seed register's Library Service lead
SENT = datetime(2023, 10, 20, 9, 30, tzinfo=UTC)


def eml(attachments: list[tuple[str, bytes]], *, sender: str = LEAD, name: str = "Library lead",
        date: datetime | None = SENT, subject: str = "Q2 return", message_id: str = "<q2-libraries@example.org>",
        in_reply_to: str = "") -> bytes:
    """A reply with each (file name, bytes) attached: a workbook as a workbook, anything else by its kind."""
    message = EmailMessage()
    message["From"] = f"{name} <{sender}>"
    message["To"] = "performance@example.org"
    message["Subject"] = subject
    if date is not None:
        message["Date"] = format_datetime(date)
    if message_id:
        message["Message-ID"] = message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message.set_content("Please find our return attached.\n\nThanks,\nLibrary lead\n")
    for file_name, data in attachments:
        kind = XLSX if file_name.endswith(".xlsx") else ("application", "pdf") if file_name.endswith(".pdf") \
            else ("application", "octet-stream")
        message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=file_name)
    return message.as_bytes()


def msg(attachments: list[tuple[str, bytes]], *, sender: str = LEAD, name: str = "Library lead",
        date: datetime = SENT, subject: str = "Q2 return", message_id: str = "<q2-libraries@example.org>") -> bytes:
    """The same reply as Outlook saves it (.msg)."""
    return build_msg(subject=subject, sender_name=name, sender_email=sender, to_name="Performance team",
                     to_email="performance@example.org", date=date, message_id=message_id,
                     body="Please find our return attached.\r\n",
                     attachments=[MsgAttachment(n, d) for n, d in attachments])


def save(folder: Path, name: str, data: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    return path


# Messages over kpixl's limits; each would cost the standard library's parser seconds to minutes, or a
# RecursionError (measured in the research: docs/mail.md).

def nested(depth: int) -> bytes:
    head = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (i, i) for i in range(depth))
    tail = b"".join(b"\r\n--b%d--\r\n" % i for i in reversed(range(depth)))
    return b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\nSubject: x\r\n" + head + b"Content-Type: text/plain\r\n\r\nhi" + tail


def many_parts(count: int) -> bytes:
    body = b"".join(b"--B\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(count))
    return b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\nContent-Type: multipart/mixed; boundary=B\r\n\r\n" + body + b"--B--\r\n"


HEADER_BOMBS = {
    "100,000 header fields": b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(100_000))
    + b"\r\nbody",
    "a 5 MB folded Subject": b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\nSubject: " + b"\r\n a" * 1_000_000 + b"\r\n\r\nbody",
    "50,000 encoded words": b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\nSubject: " + b"=?utf-8?q?a?= " * 50_000 + b"\r\n\r\nx",
    "nested comments": b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\nContent-Type: text/plain" + b"(" * 1500 + b")" * 1500
    + b"\r\n\r\nx",
    "50,000 parameters": b"From: a@example.org\r\nDate: Fri, 20 Oct 2023 09:30:00 +0000\r\nContent-Type: text/plain"
    + b"".join(b"; p%d=v" % i for i in range(50_000)) + b"\r\n\r\nx",
}
