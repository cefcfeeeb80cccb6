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
            with zf.open(info) as stream:
                hit = _count_part(stream, info, counter)
            if hit is not None:
                return hit
            whole |= counter.workbooks
    return None
