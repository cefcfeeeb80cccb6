"""A saved email message (.eml, RFC 5322 with MIME), read with the standard library's parser within kpixl's
limits (kpixl.mail.bounded_parser): its sender, Date, subject, Message-ID and attachments.

A message from a real mail program is often a little wrong (an 8-bit header, a Date without a time zone, a
broken base64 line): what can be read is taken, as mail programs do, and a workbook damaged on the way is
refused when it is checked as a return. A header kpixl cannot read leaves its field empty, never raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

from kpixl.mail.bounded_parser import parse_bounded
from kpixl.mail.message import Attachment, ReceivedMessage, attachment_name

__all__ = ["message_ids", "read_eml"]

# The transfer encodings mail programs use; anything else (uuencode, a made-up name) is not guessed at.
_ENCODINGS = ("", "7bit", "8bit", "binary", "base64", "quoted-printable")
_MESSAGE_ID = re.compile(r"<[^<>\s]{1,250}>")
MAX_REFERENCES = 50  # Message-IDs kept from References: a long thread's first and last are enough


def read_eml(data: bytes) -> ReceivedMessage:
    """The message in data; MessageLimit when it is over one of kpixl's limits."""
    root = parse_bounded(data)
    sender_name, sender = _sender(root)
    message = ReceivedMessage("eml", sender, sender_name, _date(root), _text(root, "Subject"),
                              _first_id(_text(root, "Message-ID")),
                              message_ids(_text(root, "In-Reply-To") + " " + _text(root, "References")))
    _walk(root, message, forwarded=False)
    return message


def _walk(part: Message[Any, Any], message: ReceivedMessage, forwarded: bool) -> None:
    if part.is_multipart():  # a multipart, or a message/rfc822 (a message forwarded as an attachment)
        inside = forwarded or part.get_content_type() in ("message/rfc822", "message/global")
        for sub in part.get_payload():
            if isinstance(sub, Message):
                _walk(sub, message, inside)
        return
    raw_name = _safe_call(part.get_filename)
    disposition = _safe_call(part.get_content_disposition)
    if raw_name is None and disposition != "attachment":
        return  # a body part
    if disposition != "attachment" and part.get("Content-ID") and part.get_content_maintype() == "image":
        return  # a picture the body shows (an Outlook signature's logo), not something sent
    name = attachment_name(raw_name, len(message.attachments) + len(message.skipped) + 1)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if encoding not in _ENCODINGS:
        message.skipped.append((name, f"it is encoded as '{encoding[:30]}', which kpixl does not read"))
        return
    payload = part.get_payload(decode=True)
    message.take(Attachment(name, payload if isinstance(payload, bytes) else b"", forwarded))


def _safe_call(method: Any) -> str | None:
    """A header-derived value, or None when the header cannot be read."""
    try:
        value = method()
    except Exception:  # noqa: BLE001 - a malformed header: read as absent, as mail programs do
        return None
    return str(value) if value is not None else None


def _text(message: EmailMessage, name: str) -> str:
    """A header's text on one line ("" when absent or unreadable); 8-bit bytes that are not UTF-8 become �."""
    try:
        value = message.get(name)
    except Exception:  # noqa: BLE001
        return ""
    if value is None:
        return ""
    text = str(value).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return " ".join(text.split())


def _sender(message: EmailMessage) -> tuple[str, str]:
    """(display name, address) of the first From address."""
    try:
        header = message.get("From")
        addresses = getattr(header, "addresses", ()) if header is not None else ()
    except Exception:  # noqa: BLE001 - a From the header registry cannot read: the lenient parser below
        addresses = ()
    if addresses:
        return _clean(addresses[0].display_name), _clean(addresses[0].addr_spec)
    name, address = parseaddr(_text(message, "From"))
    return _clean(name), _clean(address)


def _clean(text: str) -> str:
    return " ".join(text.encode("utf-8", "surrogateescape").decode("utf-8", "replace").split())


def _date(message: EmailMessage) -> datetime | None:
    """The Date, with its time zone; a Date without one ("-0000") is UTC; None when it does not read."""
    text = _text(message, "Date")
    if not text:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _first_id(text: str) -> str:
    ids = message_ids(text)
    return ids[0] if ids else text[:250]


def message_ids(text: str) -> tuple[str, ...]:
    """The <message-id>s in a header's text, in order, each once (the first and the last MAX_REFERENCES)."""
    found = tuple(dict.fromkeys(_MESSAGE_ID.findall(text)))
    return found if len(found) <= MAX_REFERENCES else found[:1] + found[-(MAX_REFERENCES - 1):]
