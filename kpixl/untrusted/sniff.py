"""What a file is, by its bytes, never by its name, and whether openpyxl may open it: its zip directory and
every XML part within the limits of kpixl/untrusted/limits.py, and (untrusted/sheets.py) the sheets kpixl reads
meaning one thing.

A lead renames files, and Excel saves .xls, .xlsm or a password-protected workbook under any name. Each kind
gets its own answer ("save it as .xlsx").

    .xlsx   a zip with xl/workbook.xml and no macros
    .xlsm   the same with xl/vbaProject.bin or a macro-enabled content type
    .ods    a zip whose first member "mimetype" says application/vnd.oasis.opendocument.spreadsheet
    .xls    an OLE2 compound file (D0 CF 11 E0 ...) with a "Workbook" or "Book" stream
    encrypted .xlsx   also an OLE2 compound file: Excel wraps the encrypted package in one, beside an
            "EncryptionInfo" stream

Every XML part of an .xlsx is streamed once through expat before openpyxl opens anything (scan_parts). The zip
directory (zip_limit_hit) bounds how many bytes each part inflates to, but not what openpyxl builds from them:
its read-only mode loads the whole shared-strings table into a list, parses styles and the workbook part
whole, and builds every cell of a row before handing it over; its full mode (a feedback workbook) builds an
object for every cell, and for every cell a merged range or a hyperlink covers. A 25 MB part of tiny elements
(a million shared strings, a million empty rows, a row of a million cells) would cost hundreds of MB.
Counting them here costs a few MB whatever the part holds: expat builds no tree, the part is fed in chunks,
and the scan stops at the first limit hit, naming it; the whole file's elements and cells are bounded too,
so that any file within every limit is read in bounded time. The counts are kept (Work), so that tests hold
the cost bound by counting work, not by timing it.

The scan also refuses any document type declaration: a workbook part never has one, and a DTD is how
external entities (XXE) and entity expansion ("billion laughs") get in. Elements are counted by local name
whatever their namespace prefix: overcounting is harmless, and openpyxl itself matches shared strings (si)
and rows anywhere in a part.

Messages are told apart too:

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
from dataclasses import dataclass, field
from enum import Enum
from typing import IO
from xml.parsers import expat

from kpixl.untrusted.limits import (
    MAX_CELLS,
    MAX_DEFINED_NAMES,
    MAX_ELEMENTS,
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_PART_ELEMENTS,
    MAX_PARTS,
    MAX_RATIO,
    MAX_ROW_CELLS,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_TEXT_CHARS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_WHOLE_PART_ELEMENTS,
    RATIO_FLOOR,
)
from kpixl.untrusted.sheets import check_sheets

__all__ = ["Kind", "PartsHit", "Scan", "Sniffed", "Work", "message_kind", "scan_parts", "sniff", "workbook_hazard",
           "zip_limit_hit"]

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
    AMBIGUOUS = "ambiguous"  # a workbook spreadsheet programs may read two ways: `sheet` and `cell` say where
    OTHER = "other"  # a PDF, an image, a Word document...: `what` says which


@dataclass(frozen=True)
class Work:
    """What reading a workbook cost, counted: issue 12's bound on the time and memory any file within the
    limits may take is held in the tests by these, never by a clock."""

    elements: int = 0  # XML elements the parts scan streamed
    cells: int = 0  # cells in every sheet
    full_cells: int = 0  # cells openpyxl's full mode builds: every cell, and every cell merges and links cover
    sheets_checked: int = 0  # sheets untrusted/sheets.py checked for one reading
    cells_checked: int = 0
    kept: int = 0  # elements outside rows and strings: the styles, names and relationships openpyxl keeps


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    ext: str  # the extension the archive gives the original bytes
    what: str = ""  # for OTHER: "a PDF document"; for CORRUPT, TOO_LARGE and AMBIGUOUS: what is wrong
    sheet: str = ""  # for AMBIGUOUS: where
    cell: str = ""
    work: Work = Work()
    last_rows: dict[str, int] = field(default_factory=dict)  # the sheets kpixl reads: each one's last row


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
    limits (zip_limit_hit), a part over them or not safe XML (scan_parts: a DOCTYPE, a million rows), or a
    damaged zip; None when openpyxl may open it. sniff() runs the same checks on a return; this is for the
    workbooks read whatever their kind (the register, which may be .xlsm, and history files), with the rows a
    sheet of theirs may hold (max_rows) and no bound on the whole file's elements and cells (a council's
    history runs to 100,000 rows)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            hit = zip_limit_hit(zf.infolist())
        return PartsHit("FILE_TOO_LARGE", hit) if hit else scan_parts(data, max_rows, None, None).hit
    except _ZIP_DAMAGE as exc:
        return PartsHit("FILE_CORRUPT", _damage(exc))


def _scanned(data: bytes) -> Sniffed:
    """An .xlsx whose every part is safe XML within the limits and whose sheets kpixl reads mean one thing,
    with the work it took to tell; or what is wrong with it."""
    scan = scan_parts(data)
    if scan.hit is not None:
        kind = Kind.TOO_LARGE if scan.hit.code == "FILE_TOO_LARGE" else Kind.CORRUPT
        return Sniffed(kind, "zip", scan.hit.detail,
                       work=Work(scan.elements, scan.cells, scan.full_cells, kept=scan.kept))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        read = check_sheets(zf)
    work = Work(scan.elements, scan.cells, scan.full_cells, read.sheets, read.cells, scan.kept)
    if read.corrupt:
        return Sniffed(Kind.CORRUPT, "zip", read.corrupt, work=work)
    if read.ambiguity is not None:
        found = read.ambiguity
        return Sniffed(Kind.AMBIGUOUS, "xlsx", found.detail, found.sheet, found.cell, work)
    return Sniffed(Kind.XLSX, "xlsx", work=work, last_rows=read.last_rows)


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


# ---------------------------------------------------------------------------------------------------------
# Every XML part, streamed once

_CHUNK = 2**16
_TYPES = "[Content_Types].xml"
# Parts openpyxl parses whole into objects, by the names it reads them under; the workbook part is added
# from the content types, which is where openpyxl looks for it. Other parts are streamed (rows, strings) or
# never read in read-only mode (what follows a sheet's rows, drawings, comments).
_WHOLE = (_TYPES, "xl/styles.xml", "xl/workbook.xml")
_WHOLE_PREFIXES, _WHOLE_SUFFIXES = ("docProps/",), (".rels",)
_LOOSE_SUFFIXES = (".vml",)  # legacy drawings: Excel writes them loosely and openpyxl's reader skips them
_XML_STARTS = (b"<", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00<", b"<\x00")
_COUNTED = {"sheet": (MAX_SHEETS, "sheets"), "definedName": (MAX_DEFINED_NAMES, "defined names")}
_REF = re.compile(r"\$?[A-Za-z]{1,3}\$?([0-9]+)$")
_AREA = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})(?::\$?([A-Za-z]{1,3})\$?([0-9]{1,7}))?$")
_COVERING = ("mergeCell", "hyperlink")  # a range openpyxl's full mode fills with a cell object for each cell


@dataclass(frozen=True)
class PartsHit:
    code: str  # FILE_TOO_LARGE (a limit) or FILE_CORRUPT (not XML, or a DTD)
    detail: str  # which part, and which limit, in words


@dataclass(frozen=True)
class Scan:
    hit: PartsHit | None  # the first limit hit, or None
    elements: int  # what was counted, over every part (up to the limit hit)
    cells: int
    full_cells: int  # cells, and the cells merged ranges and hyperlinks cover (what openpyxl's full mode builds)
    kept: int = 0  # elements outside rows and strings (styles, names, relationships): objects openpyxl keeps


class _Stop(Exception):
    def __init__(self, hit: PartsHit) -> None:
        super().__init__(hit.detail)
        self.hit = hit


def _too_large(what: str) -> _Stop:
    return _Stop(PartsHit("FILE_TOO_LARGE", what))


def _area(ref: str) -> int:
    """The cells a range such as A1:C3 covers (0 for a plain cell: it is counted as a cell already); a range
    that is not one counts as too many, so that no feedback workbook is built from it."""
    m = _AREA.match(ref.strip())
    if m is None:
        return MAX_CELLS + 1
    if m[3] is None:
        return 0
    rows = abs(int(m[4]) - int(m[2])) + 1
    return rows * (abs(_column(m[3]) - _column(m[1])) + 1)


def _column(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Tally:
    """What the whole file holds, counted across its parts: bounded (for a return) so that any file within
    every limit is read in bounded time."""

    def __init__(self, max_elements: int | None, max_cells: int | None) -> None:
        self.max_elements, self.max_cells = max_elements, max_cells
        self.elements = self.cells = self.covered = 0
        self.kept = 0  # elements outside rows and strings: what openpyxl's full mode keeps as objects

    def element(self) -> None:
        self.elements += 1
        if self.max_elements is not None and self.elements > self.max_elements:
            raise _too_large(f"its parts hold over {self.max_elements:,} XML elements in all (limit "
                             f"{self.max_elements:,})")

    def cell(self) -> None:
        self.cells += 1
        if self.max_cells is not None and self.cells > self.max_cells:
            raise _too_large(f"its sheets hold over {self.max_cells:,} cells in all (limit {self.max_cells:,})")

    def cover(self, ref: str) -> None:
        self.covered = min(self.covered + _area(ref), 2**62)


class _Counter:
    """expat handlers for one part: counts what openpyxl would build, and stops at the first limit."""

    def __init__(self, part: str, whole: bool, tally: _Tally, max_rows: int = MAX_SHEET_ROWS) -> None:
        self.part, self.whole, self.max_rows, self.tally = part[:60], whole, max_rows, tally
        self.budget = MAX_WHOLE_PART_ELEMENTS if whole else MAX_PART_ELEMENTS
        self.workbooks: set[str] = set()  # in the content types: the parts declared as a workbook
        self.elements = self.rows = self.cells = self.strings = self.text = 0
        self.depth = 0
        self.inside = 0  # the depth of the row or shared string being read; 0 outside them
        self.inner = 0  # elements in it so far
        self.counts: dict[str, int] = {}  # sheets and defined names listed

    def too_large(self, what: str) -> _Stop:
        return _Stop(PartsHit("FILE_TOO_LARGE", f"its part {self.part} {what}"))

    def doctype(self, *_: object) -> None:
        raise _Stop(PartsHit("FILE_CORRUPT", f"its part {self.part} declares a document type (<!DOCTYPE>), "
                                             "which no workbook has: kpixl never expands XML entities"))

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.text = 0
        self.depth += 1
        self.tally.element()
        local = name.rpartition(":")[2]
        if self.inside:
            self.inner_element(local)
        elif local in ("row", "si"):
            self.container(local)
        else:  # outside rows and strings openpyxl keeps what it builds (styles, names, relationships)
            self.elements += 1
            self.tally.kept += 1
            if self.elements > self.budget:
                raise self.too_large(f"holds over {self.budget:,} XML elements outside its rows "
                                     f"(limit {self.budget:,})")
            if local == "dimension":
                self.dimension(attrs.get("ref", ""))
            elif local in _COUNTED:
                self.listed(local)
            elif local in _COVERING:
                self.tally.cover(attrs.get("ref", ""))
            elif local == "Override" and attrs.get("ContentType", "").endswith(".main+xml"):
                self.workbooks.add(attrs.get("PartName", "").lstrip("/"))

    def listed(self, local: str) -> None:
        """Sheets and defined names: few elements, but openpyxl does real work for each."""
        self.counts[local] = self.counts.get(local, 0) + 1
        limit, words = _COUNTED[local]
        if self.counts[local] > limit:
            raise self.too_large(f"lists over {limit:,} {words} (limit {limit:,})")

    def container(self, local: str) -> None:
        """A row or a shared string: openpyxl builds each whole, then lets it go."""
        self.inside, self.inner, self.cells = self.depth, 0, 0
        if local == "row":
            self.rows += 1
            if self.rows > self.max_rows:
                raise self.too_large(f"has over {self.max_rows:,} rows (limit {self.max_rows:,})")
        else:
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise self.too_large(f"holds over {MAX_SHARED_STRINGS:,} shared strings "
                                     f"(limit {MAX_SHARED_STRINGS:,})")

    def inner_element(self, local: str) -> None:
        self.inner += 1
        if self.inner > MAX_ROW_ELEMENTS:
            raise self.too_large(f"has a row or string of over {MAX_ROW_ELEMENTS:,} XML elements "
                                 f"(limit {MAX_ROW_ELEMENTS:,})")
        if local == "c":
            self.cells += 1
            self.tally.cell()
            if self.cells > MAX_ROW_CELLS:
                raise self.too_large(f"has a row of over {MAX_ROW_CELLS:,} cells (limit {MAX_ROW_CELLS:,})")

    def dimension(self, ref: str) -> None:
        """A sheet's declared size: the file's own claim, which a hostile file makes A1:XFD1048576."""
        last = ref.rpartition(":")[2].strip()
        row = _REF.match(last)
        if row and (len(row.group(1)) > 9 or int(row.group(1)) > self.max_rows):
            raise self.too_large(f"declares cells down to {last[:16]} (limit {self.max_rows:,} rows)")

    def end(self, _name: str) -> None:
        self.text = 0
        if self.depth == self.inside:
            self.inside = 0
        self.depth -= 1

    def data(self, text: str) -> None:
        self.text += len(text)
        if self.text > MAX_TEXT_CHARS:
            raise self.too_large(f"has a text of over {MAX_TEXT_CHARS:,} characters, more than an Excel cell "
                                 "can hold")


def _parser(counter: _Counter) -> expat.XMLParserType:
    parser = expat.ParserCreate()  # no namespace processing: local names are split off by hand
    parser.buffer_text = True  # long texts arrive in a few big pieces, not one per line
    parser.StartDoctypeDeclHandler = counter.doctype
    parser.EntityDeclHandler = counter.doctype
    parser.StartElementHandler = counter.start
    parser.EndElementHandler = counter.end
    parser.CharacterDataHandler = counter.data
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def _is_xml(head: bytes) -> bool:
    return head.lstrip(b" \t\r\n").startswith(_XML_STARTS)


def _count_part(stream: IO[bytes], info: zipfile.ZipInfo, counter: _Counter) -> PartsHit | None:
    """Every element of one part through the counter's handlers, stopping at the first limit hit."""
    parser = _parser(counter)
    head = stream.read(_CHUNK)
    # A part openpyxl reads whole is always scanned: lxml would read UTF-32 and more that expat refuses.
    if not counter.whole and not _is_xml(head):
        return None  # a picture, a printer setting, a vbaProject: openpyxl does not parse it as XML
    try:
        chunk = head
        while chunk:
            parser.Parse(chunk, False)
            chunk = stream.read(_CHUNK)
        parser.Parse(b"", True)
    except _Stop as stop:
        return stop.hit
    except expat.ExpatError as exc:
        if info.filename.lower().endswith(_LOOSE_SUFFIXES):
            return None
        return PartsHit("FILE_CORRUPT", f"its part {counter.part} is not well-formed XML "
                                        f"({expat.ErrorString(exc.code)}, line {exc.lineno})")
    return None


def scan_parts(data: bytes, max_rows: int = MAX_SHEET_ROWS, max_elements: int | None = MAX_ELEMENTS,
               max_cells: int | None = MAX_CELLS) -> Scan:
    """The first limit the parts of this .xlsx break, or the first part that is not safe XML (hit None if
    all are fine), and what the parts hold. max_rows: the rows a sheet may hold (a return's limit by default;
    a register or a history workbook has its own); max_elements and max_cells: what the whole file may hold
    (None: no bound). The caller has checked the zip directory (declared sizes) already, so each read is
    bounded."""
    tally = _Tally(max_elements, max_cells)
    hit = None
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = [i for i in zf.infolist() if i.file_size and not i.is_dir()]
        whole = set(_WHOLE)
        for info in sorted(infos, key=lambda i: i.filename != _TYPES):  # the content types first
            name = info.filename
            counter = _Counter(name, name in whole or name.startswith(_WHOLE_PREFIXES)
                               or name.endswith(_WHOLE_SUFFIXES), tally, max_rows)
            with zf.open(info) as stream:
                hit = _count_part(stream, info, counter)
            if hit is not None:
                break
            whole |= counter.workbooks
    return Scan(hit, tally.elements, tally.cells, tally.cells + tally.covered, tally.kept)
