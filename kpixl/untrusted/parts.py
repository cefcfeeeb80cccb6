"""Every XML part of a returned .xlsx, streamed once through expat before openpyxl opens anything.

Why a pass of its own: the zip directory (sniff.zip_limit_hit) bounds how many bytes each part inflates to,
but not what openpyxl builds from them. openpyxl's read-only mode loads the whole shared-strings table into
a list, parses styles and the workbook part whole, and builds every cell of a row before handing it over;
a 25 MB part of tiny elements (a million shared strings, a million empty rows, a row of a million cells)
would cost hundreds of MB. Counting them here costs a few MB whatever the part holds: expat builds no tree,
the part is fed in chunks, and the scan stops at the first limit hit, naming it.

It also refuses any document type declaration: a workbook part never has one, and a DTD is how external
entities (XXE) and entity expansion ("billion laughs") get in. openpyxl would refuse or ignore them too
(defusedxml, lxml without entity resolution); refusing here gives one clear reason for every part.

Elements are counted by local name whatever their namespace prefix: overcounting is harmless, and openpyxl
itself matches shared strings (si) and rows anywhere in a part.

Most parts of a return are small and plain, and for those counting in Python (a callback per element: 0.12 s
of a 50-return collect) proves nothing the bytes cannot prove faster. A part up to QUICK_MAX_BYTES that is
UTF-8 (so a part openpyxl reads whole cannot be in an encoding lxml reads and expat refuses), holds no "<!" (no DOCTYPE, comment or CDATA) and no processing instruction but the XML declaration,
has fewer "<" than the smallest element limit that applies to it (every element starts with one), no run of text between two
"<" longer than a cell's text limit, no element that is listed or counted by name, and a dimension within the
row limit, cannot break any limit: it is only parsed by expat without handlers (well-formedness, at C speed).
Any doubt at all sends the part through the full count, which alone names what is wrong.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO
from xml.parsers import expat

from kpixl.untrusted.limits import (
    MAX_DEFINED_NAMES,
    MAX_PART_ELEMENTS,
    MAX_ROW_CELLS,
    MAX_ROW_ELEMENTS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_TEXT_CHARS,
    MAX_WHOLE_PART_ELEMENTS,
)

__all__ = ["PartsHit", "scan_parts"]

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


@dataclass(frozen=True)
class PartsHit:
    code: str  # FILE_TOO_LARGE (a limit) or FILE_CORRUPT (not XML, or a DTD)
    detail: str  # which part, and which limit, in words


class _Stop(Exception):
    def __init__(self, hit: PartsHit) -> None:
        super().__init__(hit.detail)
        self.hit = hit


class _Counter:
    """expat handlers for one part: counts what openpyxl would build, and stops at the first limit."""

    def __init__(self, part: str, whole: bool, max_rows: int = MAX_SHEET_ROWS) -> None:
        self.part, self.whole, self.max_rows = part[:60], whole, max_rows
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
        local = name.rpartition(":")[2]
        if self.inside:
            self.inner_element(local)
        elif local in ("row", "si"):
            self.container(local)
        else:  # outside rows and strings openpyxl keeps what it builds (styles, names, relationships)
            self.elements += 1
            if self.elements > self.budget:
                raise self.too_large(f"holds over {self.budget:,} XML elements outside its rows "
                                     f"(limit {self.budget:,})")
            if local == "dimension":
                self.dimension(attrs.get("ref", ""))
            elif local in _COUNTED:
                self.listed(local)
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
            if self.cells > MAX_ROW_CELLS:
                raise self.too_large(f"has a row of over {MAX_ROW_CELLS:,} cells (limit {MAX_ROW_CELLS:,})")

    def dimension(self, ref: str) -> None:
        """A sheet's declared size: the file's own claim, which a hostile file makes A1:XFD1048576."""
        if _dimension_too_deep(ref, self.max_rows):
            last = ref.rpartition(":")[2].strip()
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


def _dimension_too_deep(ref: str, max_rows: int) -> bool:
    last = _REF.match(ref.rpartition(":")[2].strip())
    return bool(last and (len(last.group(1)) > 9 or int(last.group(1)) > max_rows))


QUICK_MAX_BYTES = 2**21  # parts up to 2 MB may be proved within the limits from their bytes (read whole)
_UTF8_BOM = b"\xef\xbb\xbf"
_DECLARATION = re.compile(rb"<\?xml(?:\s+version\s*=\s*([\"'])[^\"']*\1)?"
                          rb"(?:\s+encoding\s*=\s*([\"'])(?:utf-8|UTF-8|utf8|UTF8)\2)?"
                          rb"(?:\s+standalone\s*=\s*([\"'])(?:yes|no)\3)?\s*\?>")
_LISTED = (b"sheet", b"definedName", b"Override")  # the elements the full count lists or reads by name
_NAME_ENDS = (b" ", b"\t", b"\r", b"\n", b"/", b">")
_DIMENSION = re.compile(rb"dimension\s+ref\s*=\s*([\"'])([A-Za-z0-9$:]*)\1\s*/?>")


def _within_limits(data: bytes, max_rows: int, budget: int = MAX_PART_ELEMENTS) -> bool:
    """True when the bytes alone prove that the part breaks no limit (see the module's note); False when
    only the full count can tell."""
    body = data[3:] if data.startswith(_UTF8_BOM) else data
    if not body.startswith(b"<") or b"<!" in body:
        return False
    instructions = body.count(b"<?")
    if instructions > 1 or (instructions == 1 and _DECLARATION.match(body) is None):
        return False  # only a leading UTF-8 declaration: another encoding, or a PI amid a text, is counted
    smallest = min(max_rows, MAX_SHARED_STRINGS, MAX_ROW_CELLS, MAX_ROW_ELEMENTS, budget)
    if body.count(b"<") > smallest or _lists_by_name(body):
        return False
    # The bytes between two "<" are at least as many as the characters of any text among them.
    if len(body) > MAX_TEXT_CHARS and max(map(len, body.split(b"<"))) > MAX_TEXT_CHARS:
        return False
    if not _dimensions_within(body, max_rows):
        return False
    parser = expat.ParserCreate()  # no handlers: well-formedness alone, in C
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(body, True)
    except expat.ExpatError:
        return False
    return True


def _lists_by_name(body: bytes) -> bool:
    """Whether the part has an element the full count lists or reads by name (a sheet, a defined name, a
    content-type override), whatever its prefix. Plain searches for each name (a pattern run over the whole
    part cost more than the rest of the proof): a "<sheetData" or a "sheet" in a text does not count."""
    for name in _LISTED:
        at = body.find(name)
        while at >= 0:
            end = at + len(name)
            if body[at - 1:at] in (b"<", b":") and body[end:end + 1] in _NAME_ENDS:
                return True
            at = body.find(name, end)
    return False


def _dimensions_within(body: bytes, max_rows: int) -> bool:
    """Every "dimension" in the part is a <dimension ref="..."/> element within the row limit (a sheet has
    one, near its start: found with a plain search, not a pattern run over the whole part)."""
    at = body.find(b"dimension")
    while at >= 0:
        found = _DIMENSION.match(body, at)
        if (found is None or body[at - 1:at] not in (b"<", b":")
                or _dimension_too_deep(found.group(2).decode("ascii"), max_rows)):
            return False
        at = body.find(b"dimension", found.end())
    return True


def _is_xml(head: bytes) -> bool:
    return head.lstrip(b" \t\r\n").startswith(_XML_STARTS)


def _scan_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, counter: _Counter) -> PartsHit | None:
    if info.file_size <= QUICK_MAX_BYTES:
        data = zf.read(info)
        if not counter.whole and not _is_xml(data[:_CHUNK]):
            return None  # a picture, a printer setting, a vbaProject: openpyxl does not parse it as XML
        if _within_limits(data, counter.max_rows, counter.budget):
            return None
        return _count_part(io.BytesIO(data), info, counter)
    with zf.open(info) as stream:
        return _count_part(stream, info, counter)


def _count_part(stream: IO[bytes], info: zipfile.ZipInfo, counter: _Counter) -> PartsHit | None:
    """The full count: every element through the counter's handlers, stopping at the first limit hit."""
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


def scan_parts(data: bytes, max_rows: int = MAX_SHEET_ROWS) -> PartsHit | None:
    """The first limit the parts of this .xlsx break, or the first part that is not safe XML; None if all
    are fine. max_rows: the rows a sheet may hold (a return's limit by default; a register or a history
    workbook has its own). The caller has checked the zip directory (declared sizes) already, so each read
    is bounded."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = [i for i in zf.infolist() if i.file_size and not i.is_dir()]
        whole = set(_WHOLE)
        for info in sorted(infos, key=lambda i: i.filename != _TYPES):  # the content types first
            name = info.filename
            counter = _Counter(name, name in whole or name.startswith(_WHOLE_PREFIXES)
                               or name.endswith(_WHOLE_SUFFIXES), max_rows)
            hit = _scan_part(zf, info, counter)
            if hit is not None:
                return hit
            whole |= counter.workbooks
    return None
