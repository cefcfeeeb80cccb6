"""What a file is, by its bytes, never by its name: a lead renames files, and Excel saves .xls, .xlsm or a
password-protected workbook under any name. Each kind gets its own answer ("save it as .xlsx").

    .xlsx   a zip with xl/workbook.xml and no macros
    .xlsm   the same with xl/vbaProject.bin or a macro-enabled content type
    .ods    a zip whose first member "mimetype" says application/vnd.oasis.opendocument.spreadsheet
    .xls    an OLE2 compound file (D0 CF 11 E0 ...) with a "Workbook" or "Book" stream
    encrypted .xlsx   also an OLE2 compound file: Excel wraps the encrypted package in one, beside an
            "EncryptionInfo" stream
    .msg    an OLE2 compound file holding Outlook's property streams ("__properties_version1.0")
    .eml    text that starts with an email's header fields (From:, Date:, Subject:...)

A message is not a return but may carry some: message_kind() tells collect to read its attachments
(kpixl/mail/), and sniff() names it when one is given where a workbook was expected.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from kpixl.untrusted.limits import (
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_PARTS,
    MAX_RATIO,
    MAX_SHEET_ROWS,
    MAX_UNCOMPRESSED_BYTES,
    RATIO_FLOOR,
)
from kpixl.untrusted.parts import PartsHit, scan_parts

__all__ = ["Kind", "Sniffed", "message_kind", "sniff", "workbook_hazard", "zip_limit_hit"]

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_DIR_ENTRY = 128  # bytes per OLE2 directory entry; entries start on 128-byte boundaries
_CONTENT_TYPES_MAX = 2**20


class Kind(str, Enum):
    XLSX = "xlsx"
    XLSM = "xlsm"
    XLS = "xls"
    ENCRYPTED = "encrypted"
    ODS = "ods"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    CORRUPT = "corrupt"
    OTHER = "other"  # a PDF, an image, a Word document...: `what` says which


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    ext: str  # the extension the archive gives the original bytes
    what: str = ""  # for OTHER: "a PDF document"; for CORRUPT and TOO_LARGE: what is wrong


def _mb(n: int) -> str:
    return f"{n / 2**20:.0f} MB"


def zip_limit_hit(infos: Sequence[zipfile.ZipInfo]) -> str:
    """Which limit a zip's directory breaks, in words; "" when none. Sizes are the declared ones: zipfile
    never inflates a member beyond its declared size, so checking them bounds what openpyxl can read."""
    if len(infos) > MAX_PARTS:
        return f"it has {len(infos):,} parts inside; a workbook has a few dozen (limit {MAX_PARTS:,})"
    total = 0
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            return (f"its part {info.filename[:60]} inflates to {_mb(info.file_size)} "
                    f"(limit {_mb(MAX_PART_BYTES)})")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            return f"its part {info.filename[:60]} inflates {ratio:,} times (limit {MAX_RATIO}): a zip bomb"
        total += info.file_size
    if total > MAX_UNCOMPRESSED_BYTES:
        return f"its contents inflate to {_mb(total)} (limit {_mb(MAX_UNCOMPRESSED_BYTES)})"
    return ""


def _ole2_has_stream(data: bytes, name: str) -> bool:
    """Whether an OLE2 file's directory holds a stream of this name. Directory entries sit at 128-byte
    boundaries and start with the UTF-16LE name and its length in bytes (with the terminator) at offset 64:
    matching both is exact enough without walking the sector chains."""
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    start = data.find(encoded)
    while start != -1:
        if start % _DIR_ENTRY == 0 and data[start + 64:start + 66] == struct.pack("<H", len(encoded)):
            return True
        start = data.find(encoded, start + 1)
    return False


def _sniff_ole2(data: bytes) -> Sniffed:
    if _ole2_has_stream(data, "EncryptionInfo") or _ole2_has_stream(data, "EncryptedPackage"):
        return Sniffed(Kind.ENCRYPTED, "bin")
    if _ole2_has_stream(data, "Workbook") or _ole2_has_stream(data, "Book"):
        return Sniffed(Kind.XLS, "xls")
    if _ole2_has_stream(data, _MSG_PROPERTIES):
        return Sniffed(Kind.OTHER, "msg", "an Outlook message (.msg): collect it to read its attachments")
    return Sniffed(Kind.OTHER, "bin", "an old-style Office document (Word or PowerPoint 97-2003)")


_MSG_PROPERTIES = "__properties_version1.0"  # every Outlook .msg has this stream at its root (MS-OXMSG 2.4)
# Header fields a saved message starts with; two of them among well-formed header lines make a message.
_MESSAGE_FIELDS = {b"from", b"date", b"subject", b"message-id", b"mime-version", b"received", b"to",
                   b"return-path", b"content-type", b"delivered-to", b"x-unsent", b"reply-to", b"cc"}
_FIELD_LINE = re.compile(rb"^([!-9;-~]{1,76}):")


def _looks_like_email(head: bytes) -> bool:
    """Whether the text starts with an email's header block: every line up to the first empty one a header
    field (or its folded continuation), two or more of them fields every message has."""
    lines = head.lstrip(b"\xef\xbb\xbf").split(b"\n")[:-1][:200]  # whole lines only
    if lines and lines[0].startswith(b"From "):  # an mbox separator, as some programs save a message
        lines = lines[1:]
    known = 0
    for line in lines:
        line = line.rstrip(b"\r")
        if not line:
            return known >= 2
        if line[:1] in (b" ", b"\t"):
            continue
        match = _FIELD_LINE.match(line)
        if match is None:
            return False
        known += match.group(1).lower() in _MESSAGE_FIELDS
    return known >= 2  # a header block longer than the lines looked at


def message_kind(data: bytes) -> str:
    """"eml" or "msg" when the bytes are a saved email message, else "" (a workbook or anything else)."""
    if data.startswith(OLE2_MAGIC):
        return "msg" if _ole2_has_stream(data, _MSG_PROPERTIES) else ""
    return "eml" if _looks_like_email(data[:16384]) else ""


def _sniff_zip(data: bytes) -> Sniffed:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            hit = zip_limit_hit(infos)
            if hit:
                return Sniffed(Kind.TOO_LARGE, "zip", hit)
            names = {i.filename for i in infos}
            if "mimetype" in names:
                return _sniff_odf(zf.read("mimetype")[:200])
            types = b""
            part = "[Content_Types].xml"
            if part in names and zf.getinfo(part).file_size < _CONTENT_TYPES_MAX:
                types = zf.read(part)
        found = _sniff_ooxml(names, types)
        return _scanned(data) if found.kind is Kind.XLSX else found
    except _ZIP_DAMAGE as exc:
        return Sniffed(Kind.CORRUPT, "zip", _damage(exc))


# What zipfile and zlib raise for a damaged archive or member (a bad checksum, a cut deflate stream), and
# RuntimeError: zipfile's answer to a part flagged as encrypted (one flipped bit does it).
_ZIP_DAMAGE = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
               zlib.error, RuntimeError)


def _damage(exc: Exception) -> str:
    if isinstance(exc, RuntimeError) and not isinstance(exc, NotImplementedError):
        return "a part inside it is marked as needing a zip password"
    return f"its zip structure is broken: {str(exc)[:80]}"


def workbook_hazard(data: bytes, max_rows: int = MAX_SHEET_ROWS) -> PartsHit | None:
    """What makes a workbook kpixl did not write unsafe for openpyxl to open: its zip directory over the
    limits (zip_limit_hit), a part over them or not safe XML (parts.scan_parts: a DOCTYPE, a million
    rows), or a damaged zip; None when openpyxl may open it. sniff() runs the same checks on a return; this
    is for the workbooks read whatever their kind (the register, which may be .xlsm, and history files), with
    the rows a sheet of theirs may hold (max_rows)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            hit = zip_limit_hit(zf.infolist())
        return PartsHit("FILE_TOO_LARGE", hit) if hit else scan_parts(data, max_rows)
    except _ZIP_DAMAGE as exc:
        return PartsHit("FILE_CORRUPT", _damage(exc))


def _scanned(data: bytes) -> Sniffed:
    """An .xlsx whose every part is safe XML within the limits, or what is wrong with it."""
    hit = scan_parts(data)
    if hit is None:
        return Sniffed(Kind.XLSX, "xlsx")
    return Sniffed(Kind.TOO_LARGE if hit.code == "FILE_TOO_LARGE" else Kind.CORRUPT, "zip", hit.detail)


def _sniff_odf(mimetype: bytes) -> Sniffed:
    if mimetype.strip().startswith(ODS_MIME):
        return Sniffed(Kind.ODS, "ods")
    kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1][:30] or "unknown"
    return Sniffed(Kind.OTHER, "zip", f"an OpenDocument file ({kind}), not a spreadsheet")


def _sniff_ooxml(names: set[str], types: bytes) -> Sniffed:
    if "xl/workbook.xml" in names or b"spreadsheetml.sheet.main" in types or b"macroEnabled.main" in types:
        if "xl/vbaProject.bin" in names or b"macroEnabled" in types:
            return Sniffed(Kind.XLSM, "xlsm")
        return Sniffed(Kind.XLSX, "xlsx")
    if any(n.startswith("word/") for n in names):
        return Sniffed(Kind.OTHER, "docx", "a Word document")
    if any(n.startswith("ppt/") for n in names):
        return Sniffed(Kind.OTHER, "pptx", "a PowerPoint presentation")
    return Sniffed(Kind.OTHER, "zip", "a zip archive")


_MAGIC = (
    (b"%PDF", "pdf", "a PDF document"),
    (b"\x89PNG", "png", "an image (PNG)"),
    (b"\xff\xd8\xff", "jpg", "an image (JPEG)"),
    (b"GIF8", "gif", "an image (GIF)"),
    (b"{\\rtf", "rtf", "an RTF document"),
)


def _sniff_text(data: bytes) -> Sniffed:
    if _looks_like_email(data[:16384]):
        return Sniffed(Kind.OTHER, "eml", "a saved email message (.eml): collect it to read its attachments")
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return Sniffed(Kind.OTHER, "html", "a web page (HTML)")
    if head.startswith(b"<?xml"):
        return Sniffed(Kind.OTHER, "xml", "an XML file (perhaps an Excel 2003 XML spreadsheet)")
    try:
        data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        return Sniffed(Kind.OTHER, "bin", "a file of unknown type")
    return Sniffed(Kind.OTHER, "txt", "a text or CSV file")


def sniff(data: bytes) -> Sniffed:
    """The kind of file these bytes are."""
    if not data:
        return Sniffed(Kind.EMPTY, "bin")
    if len(data) > MAX_FILE_BYTES:
        return Sniffed(Kind.TOO_LARGE, "bin", f"it is {len(data) / 2**20:.1f} MB "
                                              f"(limit {MAX_FILE_BYTES / 2**20:.0f} MB)")
    if data.startswith(OLE2_MAGIC):
        return _sniff_ole2(data)
    if data.startswith(b"PK"):
        return _sniff_zip(data)
    for magic, ext, what in _MAGIC:
        if data.startswith(magic):
            return Sniffed(Kind.OTHER, ext, what)
    return _sniff_text(data)
