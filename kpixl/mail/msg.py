"""An Outlook message saved as .msg (MS-OXMSG: MAPI properties in an OLE2 compound file, MS-CFB), read with
olefile, within kpixl's limits: its sender, Date, subject, Message-ID and attachments.

olefile (BSD) reads the compound file and nothing else; the properties are read here, each stream's size
checked before it is read. (extract-msg, the usual .msg library, is GPL-3.0 and builds on olefile; kpixl is
MIT and reads the few properties it needs itself.) Outlook keeps the message's own header block when it
received it by Internet mail (PR_TRANSPORT_MESSAGE_HEADERS): its Date and Message-ID are the message's, read
with the same bounded parser as an .eml; without it, the time Outlook says the message was sent.
"""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr, parsedate_to_datetime
from typing import Any

import olefile

from kpixl.mail.bounded_parser import MessageLimit, parse_bounded
from kpixl.mail.eml import message_ids
from kpixl.mail.message import Attachment, ReceivedMessage, attachment_name
from kpixl.untrusted.limits import MAX_MESSAGE_BYTES, MAX_MSG_ENTRIES, MAX_MSG_STRING_BYTES

__all__ = ["read_msg"]

# MAPI property ids (MS-OXPROPS) kpixl reads.
_SUBJECT, _HEADERS, _MESSAGE_ID, _IN_REPLY_TO, _REFERENCES = "0037", "007D", "1035", "1042", "1039"
_SENDER_SMTP, _SENDER_ADDRESS, _SENDER_NAME = "5D01", "0C1F", "0C1A"
_SUBMIT_TIME, _DELIVERY_TIME = 0x00390040, 0x0E060040
_LONG_NAME, _SHORT_NAME, _DISPLAY_NAME, _MIME_TYPE, _CONTENT_ID = "3707", "3704", "3001", "370E", "3712"
_METHOD, _HIDDEN = 0x37050003, 0x7FFE000B
_BY_VALUE, _EMBEDDED = 1, 5
_DATA = "__substg1.0_37010102"
_EMBEDDED_MESSAGE = "__substg1.0_3701000D"
_EMBEDDED_WHY = "it is a message attached inside the message: open it in Outlook, save its attachment and collect that"


def read_msg(data: bytes) -> ReceivedMessage:
    """The Outlook message in data; MessageLimit when it is over one of kpixl's limits or cannot be read."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise MessageLimit(f"it is {len(data) / 2**20:.1f} MB (limit {MAX_MESSAGE_BYTES // 2**20} MB)")
    # olefile takes a bytes object shorter than 1,536 bytes for a file name: hand it a file object, always.
    # DEFECT_INCORRECT: a broken sector chain or a loop is refused, not "repaired".
    try:
        with olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT) as ole:
            if len(ole.direntries) > MAX_MSG_ENTRIES:
                raise MessageLimit(f"it holds more than {MAX_MSG_ENTRIES:,} parts")
            return _read(_Streams(ole))
    except MessageLimit:
        raise
    except RecursionError:  # olefile walks the directory's trees recursively
        raise MessageLimit("its directory is nested too deep to read") from None
    except Exception as exc:  # noqa: BLE001 - olefile raises many kinds for a damaged file: one answer
        raise MessageLimit(f"its Outlook structure is damaged ({type(exc).__name__})") from None


class _Streams:
    """The compound file's streams, each read only after its size is checked."""

    def __init__(self, ole: Any) -> None:
        self.ole = ole

    def raw(self, path: str, limit: int) -> bytes | None:
        if not self.ole.exists(path) or self.ole.get_type(path) != olefile.STGTY_STREAM:
            return None
        size = self.ole.get_size(path)
        if size > limit:
            raise MessageLimit(f"its part {path[-40:]} is {size / 2**20:.1f} MB (limit {limit / 2**20:.0f} MB)")
        return bytes(self.ole.openstream(path).read())

    def text(self, prefix: str, prop: str) -> str:
        """A string property: UTF-16 (type 001F), or 8-bit (001E, read as Windows-1252, Outlook's usual)."""
        unicode = self.raw(f"{prefix}__substg1.0_{prop}001F", MAX_MSG_STRING_BYTES)
        if unicode is not None:
            return unicode.decode("utf-16-le", "replace").rstrip("\0")
        ansi = self.raw(f"{prefix}__substg1.0_{prop}001E", MAX_MSG_STRING_BYTES)
        return ansi.decode("cp1252", "replace").rstrip("\0") if ansi is not None else ""

    def fixed(self, prefix: str, header: int) -> dict[int, int]:
        """The fixed-size properties (MS-OXMSG 2.4.2): 16-byte entries after a header of header bytes."""
        raw = self.raw(f"{prefix}__properties_version1.0", MAX_MSG_STRING_BYTES) or b""
        found = {}
        for offset in range(header, len(raw) - 15, 16):
            tag, _flags, value = struct.unpack_from("<IIQ", raw, offset)
            found[tag] = value
        return found

    def attachment_folders(self) -> list[str]:
        names = {entry[0] for entry in self.ole.listdir(streams=True, storages=True)}
        return sorted(name for name in names if name.startswith("__attach_version1.0_#"))


def _read(streams: _Streams) -> ReceivedMessage:
    props = streams.fixed("", 32)  # the top-level message: a 32-byte header
    headers = streams.text("", _HEADERS)
    parsed = parse_bounded(headers.encode("utf-8", "replace") + b"\r\n\r\n") if headers.strip() else None

    def header(name: str) -> str:
        value = parsed.get(name) if parsed is not None else None
        return " ".join(str(value).split()) if value is not None else ""

    sender = streams.text("", _SENDER_SMTP) or streams.text("", _SENDER_ADDRESS)
    if "@" not in sender:  # an Exchange address (/O=ORG/OU=...): the header's From has the SMTP one
        sender = _address(header("From")) or sender
    message_id = (message_ids(header("Message-ID")) or message_ids(streams.text("", _MESSAGE_ID)) or ("",))[0]
    references = message_ids(" ".join((streams.text("", _IN_REPLY_TO), streams.text("", _REFERENCES),
                                       header("In-Reply-To"), header("References"))))
    message = ReceivedMessage("msg", " ".join(sender.split()), " ".join(streams.text("", _SENDER_NAME).split()),
                              _date(header("Date"), props), " ".join(streams.text("", _SUBJECT).split()),
                              message_id, references)
    for folder in streams.attachment_folders():
        _attachment(streams, folder + "/", message)
    return message


def _attachment(streams: _Streams, prefix: str, message: ReceivedMessage) -> None:
    number = len(message.attachments) + len(message.skipped) + 1
    name = attachment_name(streams.text(prefix, _LONG_NAME) or streams.text(prefix, _SHORT_NAME)
                           or streams.text(prefix, _DISPLAY_NAME), number)
    props = streams.fixed(prefix, 8)
    method = props.get(_METHOD, _BY_VALUE) & 0xFFFFFFFF
    if method == _EMBEDDED or streams.ole.exists(prefix + _EMBEDDED_MESSAGE):
        message.skipped.append((name, _EMBEDDED_WHY))
        return
    inline = props.get(_HIDDEN, 0) & 1 or streams.text(prefix, _CONTENT_ID)
    if inline and streams.text(prefix, _MIME_TYPE).lower().startswith("image/"):
        return  # a picture the body shows (a signature's logo), not something sent
    if method != _BY_VALUE:
        message.skipped.append((name, "it is a link or a reference, not the file itself: attach the file"))
        return
    data = streams.raw(prefix + _DATA, MAX_MESSAGE_BYTES)
    if data is None:
        message.skipped.append((name, "the message holds no data for it"))
        return
    message.take(Attachment(name, data))


def _address(text: str) -> str:
    return parseaddr(text)[1]


def _date(header: str, props: dict[int, int]) -> datetime | None:
    """The header's Date; else when Outlook says it was sent (PR_CLIENT_SUBMIT_TIME), else delivered."""
    if header:
        try:
            moment = parsedate_to_datetime(header)
            return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            pass
    for tag in (_SUBMIT_TIME, _DELIVERY_TIME):
        if props.get(tag):
            return _filetime(props[tag])
    return None


def _filetime(value: int) -> datetime | None:
    """A Windows FILETIME (100 ns since 1601) as a time; None for one outside any calendar."""
    try:
        return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=value // 10)
    except OverflowError:
        return None
