"""One reading or none: the sheets kpixl reads, found by name through the workbook part and its relationships,
and the proof that their XML means one thing to every spreadsheet program before openpyxl's reading of it is
stored (issue 12; docs/one-reading.md gives the rules with the evidence for each).

Spreadsheet programs disagree wherever the XML leaves a choice: which of two row 2s counts, which of two
values of one cell, in what order an inline string's pieces join; and wherever one program's parser takes
what another refuses ("1_000" is 1000 to Python and 1 to LibreOffice). openpyxl makes one choice and
LibreOffice or Excel another, so a lead's file could show one figure and kpixl store a different one. Every
such room is closed here by requiring the one form that genuine writers (Excel, LibreOffice, Google Sheets,
xlsxwriter, openpyxl) produce; anything else is refused, naming the sheet and the cell.

    check_sheets(zf) -> SheetsRead    the first ambiguity (or None), and the work done finding it

The sheets checked are the ones kpixl's reader opens: the Return sheet by name (or, renamed, every sheet
that may be it), the hidden metadata sheet and a feedback workbook's Problems sheet. Cells kpixl reads (a
sheet's READ window, kpixl/untrusted/limits.py) get the text rules too: the _xHHHH_ escapes Excel writes for
characters XML cannot hold, of which kpixl decodes tab, line feed and carriage return as Excel and LibreOffice
do (decode_text) and refuses the rest. Each sheet is streamed through expat once, twice when it has merged
cells (their ranges follow the rows), with constant state per element: sniff.scan_parts has already bounded
every part, so this pass is bounded too.
"""

from __future__ import annotations

import bisect
import heapq
import math
import posixpath
import re
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

from kpixl.layout.returns import FEEDBACK_SHEET, META_SHEET, RETURN_SHEET
from kpixl.untrusted.limits import FEEDBACK_READ, MAX_TEXT_CHARS, META_READ, RETURN_READ

__all__ = ["Ambiguity", "SheetsRead", "check_sheets", "decode_text", "inert_text", "sheet_key"]

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SEP = "\x01"  # expat's namespace separator: names arrive as "uri\x01local"
_M = MAIN + _SEP
_CHUNK = 2**16
_TYPES = "[Content_Types].xml"
# The workbook content types in the order openpyxl looks for them (reader/excel.py _find_workbook_part).
_WORKBOOK_TYPES = tuple(f"application/vnd.{kind}.main+xml" for kind in (
    "ms-excel.template.macroEnabled", "openxmlformats-officedocument.spreadsheetml.template",
    "ms-excel.sheet.macroEnabled", "openxmlformats-officedocument.spreadsheetml.sheet"))
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

MAX_ROW, MAX_COL = 1_048_576, 16_384
_MAX_NUMBER_CHARS = 400  # a longer number is no spreadsheet's; Python and LibreOffice may round it apart
_ROW_NUMBER = re.compile(r"[1-9][0-9]{0,6}\Z")
_CELL_REF = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6})\Z")
_RANGE = re.compile(r"([A-Z]{1,3})([1-9][0-9]{0,6}):([A-Z]{1,3})([1-9][0-9]{0,6})\Z")
# xsd:double without INF and NaN, the digits 0-9 only, no spaces: every text that Python (as openpyxl reads a
# <v>) and LibreOffice both read whole, and alike. Python also takes "1_000", " 12" and Arabic digits.
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?\Z")
_INDEX = re.compile(r"(0|[1-9][0-9]{0,8})\Z")
_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_CELL_TYPES = frozenset({"n", "s", "str", "inlineStr", "b", "e"})  # "d" (ISO dates): no genuine writer's
# Excel writes a character XML cannot hold (or a typed "_x0041_") as _xHHHH_ and decodes every such escape;
# LibreOffice decodes _x005F_ ("_") and those of control characters, with one to four hex digits ("_x0_" is
# U+0000 to it, a text to Excel); openpyxl decodes none but _x005F_ in shared strings, where it deletes every
# "x005F_". kpixl decodes tab, line feed and carriage return (a commentary pasted into Excel holds _x000D_
# before each line feed) as Excel and LibreOffice do; any other escape in a text kpixl reads is refused.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{1,4})_")
_DECODED = {"0009": "\t", "000a": "\n", "000d": "\r"}
_DECODE = re.compile(r"_x(000[9AaDd])_")
_SHARED_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{1,4}_|x005F_")  # openpyxl deletes a bare "x005F_" too
_ESCAPED_ESCAPE = re.compile(r"x(005F|000[9AaDd])_")


@dataclass(frozen=True)
class Ambiguity:
    detail: str  # what may be read two ways, in words
    sheet: str = ""
    cell: str = ""  # the cell (A2), or "" when it is the workbook, a sheet or a row


@dataclass(frozen=True)
class SheetsRead:
    ambiguity: Ambiguity | None
    sheets: int = 0  # sheet parts checked
    cells: int = 0  # cells visited checking them
    corrupt: str = ""  # a part that is not XML at all (the parts scan passes over what does not look like XML)
    last_rows: dict[str, int] = field(default_factory=dict)  # each sheet checked: the number of its last row


class _Stop(Exception):
    def __init__(self, found: Ambiguity) -> None:
        super().__init__(found.detail)
        self.found = found


def sheet_key(name: str) -> str:
    """How kpixl's reader matches a sheet's name ("Return", " return "): spaces collapsed, case folded."""
    return " ".join(name.split()).casefold()


def decode_text(text: str) -> str:
    """A text as Excel and LibreOffice show it: the escapes of tab, line feed and carriage return decoded
    (openpyxl leaves them); check_sheets has refused every other escape in a cell kpixl reads."""
    return _DECODE.sub(lambda m: _DECODED[m.group(1).lower()], text) if "_x000" in text else text


def inert_text(text: str) -> str:
    """A text to write as an inline string that every program reads as written: a word joiner (U+2060,
    invisible) after the underscore of anything shaped like an escape, so that a message quoting a lead's
    "_x0041_" does not make kpixl refuse its own feedback workbook when it comes back."""
    return _ESCAPE.sub(lambda m: "_\u2060" + m.group()[1:], text) if "_x" in text else text


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _doctype(*_: object) -> None:
    raise _Stop(Ambiguity("a part declares a document type"))  # scan_parts refuses these first


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=_SEP)
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _doctype
    parser.EntityDeclHandler = _doctype
    return parser


def _parse(zf: zipfile.ZipFile, part: str, parser: expat.XMLParserType) -> None:
    """Stream one part through the parser; scan_parts has refused any part that is not safe, well-formed XML."""
    with zf.open(part) as stream:
        chunk = stream.read(_CHUNK)
        while chunk:
            parser.Parse(chunk, False)
            chunk = stream.read(_CHUNK)
    parser.Parse(b"", True)


# ---------------------------------------------------------------------------------------------------------
# Which part is which: the package's own map, read the way openpyxl reads it and the way LibreOffice does


def _elements(zf: zipfile.ZipFile, part: str, take: Callable[[str, dict[str, str]], None]) -> None:
    """Each element of a part (none when the part is missing: the reader then finds nothing there either)."""
    if part in zf.NameToInfo:
        parser = _parser()
        parser.StartElementHandler = take
        _parse(zf, part, parser)


def _relationships(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """The (id, type, target) of a relationships part, targets resolved against its source part's folder as
    openpyxl resolves them (external targets left out)."""
    folder = posixpath.dirname(posixpath.dirname(part))
    found: list[tuple[str, str, str]] = []

    def take(name: str, attrs: dict[str, str]) -> None:
        if name.endswith(_SEP + "Relationship") and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            found.append((attrs.get("Id", ""), attrs.get("Type", ""), path))

    _elements(zf, part, take)
    return found


def _rels_of(part: str) -> str:
    return posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")


def _one(items: list[str], what: str) -> str | None:
    if len(set(items)) > 1:
        raise _Stop(Ambiguity(f"it names two {what} ({', '.join(sorted(set(items))[:2])})"))
    return items[0] if items else None


@dataclass(frozen=True)
class _Sheet:
    name: str
    part: str
    read: tuple[int, int]  # the rows and columns kpixl reads (its text rules apply there)


def _workbook_map(zf: zipfile.ZipFile) -> tuple[list[_Sheet], str | None]:
    """The sheets kpixl reads and the shared strings part; _Stop where openpyxl and LibreOffice would take
    different parts (openpyxl goes by the content types, LibreOffice by the relationships)."""
    overrides: list[tuple[str, str]] = []
    _elements(zf, _TYPES, lambda name, attrs: overrides.append(
        (attrs.get("PartName", "").lstrip("/"), attrs.get("ContentType", "")))
        if name.endswith(_SEP + "Override") else None)
    typed = [part for kind in _WORKBOOK_TYPES for part, ctype in overrides if ctype == kind]
    workbook = _one(typed, "workbook parts") or "xl/workbook.xml"
    office = [target for _, kind, target in _relationships(zf, "_rels/.rels") if kind.endswith("/officeDocument")]
    if (_one(office, "workbook parts") or workbook) != workbook:
        raise _Stop(Ambiguity(f"its content types name the workbook part {workbook[:40]} and its relationships "
                              f"{office[0][:40]}"))
    rels = _relationships(zf, _rels_of(workbook))
    strings = _one([part for part, ctype in overrides if ctype == _STRINGS_TYPE], "shared strings parts")
    linked = _one([target for _, kind, target in rels if kind.endswith("/sharedStrings")], "shared strings parts")
    if strings != linked:
        raise _Stop(Ambiguity("its content types and its relationships name different shared strings parts"))
    return _chosen(_listed(zf, workbook, rels)), strings if strings in zf.NameToInfo else None


def _listed(zf: zipfile.ZipFile, workbook: str, rels: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(name, part) of every worksheet the workbook lists whose part exists, as both programs open them."""
    targets = {rid: target for rid, kind, target in rels if kind.endswith("/worksheet")}
    listed: list[tuple[str, str]] = []

    def take(name: str, attrs: dict[str, str]) -> None:
        rid = attrs.get(_REL + _SEP + "id", "")
        if name == _M + "sheet" and targets.get(rid, "") in zf.NameToInfo:
            listed.append((attrs.get("name", ""), targets[rid]))

    _elements(zf, workbook, take)
    return listed


def _chosen(listed: list[tuple[str, str]]) -> list[_Sheet]:
    """The sheets kpixl's reader opens (kpixl/intake/book.py): Return by name, else every sheet that may be
    it; the metadata sheet; a feedback workbook's Problems sheet."""
    keys: dict[str, str] = {}
    parts: dict[str, str] = {}
    for name, part in listed:
        if sheet_key(name) in keys:
            raise _Stop(Ambiguity(f"two sheets are named {name[:31]!r}, and programs open different ones",
                                  name[:31]))
        if part in parts:
            raise _Stop(Ambiguity(f"the sheets {parts[part][:31]!r} and {name[:31]!r} are one sheet under two "
                                  "names", name[:31]))
        keys[sheet_key(name)], parts[part] = name, name
    chosen = [_Sheet(name, part, META_READ if name == META_SHEET else FEEDBACK_READ)
              for name, part in listed if name in (META_SHEET, FEEDBACK_SHEET)]
    named = [(name, part) for name, part in listed if sheet_key(name) == sheet_key(RETURN_SHEET)]
    candidates = named or [(n, p) for n, p in listed if n not in (META_SHEET, FEEDBACK_SHEET)]
    return [_Sheet(name, part, RETURN_READ) for name, part in candidates] + chosen


# ---------------------------------------------------------------------------------------------------------
# Text: an inline string (<is>) or a shared string (<si>)


def _escape_problem(pieces: list[str], shared: bool) -> str | None:
    """Why a text's _xHHHH_ escapes may be read differently, or None. pieces: its <t> texts."""
    pattern = _SHARED_ESCAPE if shared else _ESCAPE
    joined, ends, at = "".join(pieces), set(), 0
    for piece in pieces:
        at += len(piece)
        ends.add(at)
    for m in pattern.finditer(joined):
        if any(m.start() < end < m.end() for end in ends):
            return "an escape (_xHHHH_) is split across two runs of its text"
    for piece in pieces:
        for m in pattern.finditer(piece):
            token = m.group()
            if token == "x005F_":
                return "it holds 'x005F_', which openpyxl deletes and Excel and LibreOffice keep"
            hex_digits = token[2:-1]
            if shared and hex_digits == "005F":  # a typed "_": Excel, LibreOffice and openpyxl all decode it
                if _ESCAPED_ESCAPE.match(piece, m.end()):
                    return f"it holds {piece[m.start():m.end() + 6]!r}, an escaped escape openpyxl decodes twice"
            elif hex_digits.lower() not in _DECODED:
                return f"it holds {token!r}, an escape Excel, LibreOffice and openpyxl each decode their own way"
    return None


class _Text:
    """The rich-text content shared by an inline string and a shared string: one <t>, or <r> runs with one
    <t> each, never both; phonetic guides (<rPh>, <phoneticPr>) and run fonts (<rPr>) ignored, as every
    program ignores them; no other element and no text outside a <t>. Element events below the container
    (the <is> or <si> itself is not passed)."""

    _IGNORED = ("rPh", "phoneticPr", "rPr")

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.plain = self.runs = self.run_texts = self.length = 0
        self.path: list[str] = []
        self.ignore = 0  # depth inside an ignored element
        self.collect = False
        self.form: str | None = None  # why its form has no one reading

    def fail(self, why: str) -> None:
        self.form = self.form or why

    def start(self, name: str) -> None:
        if self.ignore:
            self.ignore += 1
            return
        if not name.startswith(_M):
            self.fail(f"it holds an element of another namespace, <{name.rpartition(_SEP)[2][:20]}>, which "
                      "openpyxl reads by its name and LibreOffice ignores")
            self.ignore = 1
            return
        local, parent = name[len(_M):], self.path[-1] if self.path else ""
        if local in self._IGNORED and (local == "rPr") == (parent == "r") and parent in ("", "r"):
            self.ignore = 1
            return
        self.path.append(local)
        self.collect = (local == "t" and parent in ("", "r"))
        if parent == "" and local == "t":
            self.plain += 1
            self.fail_if(self.plain > 1, "it has two texts (<t>): LibreOffice joins them, openpyxl keeps the last")
            self.fail_if(self.runs > 0, "it mixes rich-text runs (<r>) with a plain text (<t>), which programs "
                                        "join in different orders")
        elif parent == "" and local == "r":
            self.runs, self.run_texts = self.runs + 1, 0
            self.fail_if(self.plain > 0, "it mixes a plain text (<t>) with rich-text runs (<r>), which programs "
                                         "join in different orders")
        elif parent == "r" and local == "t":
            self.run_texts += 1
            self.fail_if(self.run_texts > 1, "a run of its text has two texts (<t>)")
        else:
            self.fail(f"it holds an unexpected <{local[:20]}> element")

    def fail_if(self, condition: bool, why: str) -> None:
        if condition:
            self.fail(why)

    def end(self) -> None:
        if self.ignore:
            self.ignore -= 1
        else:
            self.path.pop()
            self.collect = False

    def data(self, text: str) -> None:
        if self.ignore:
            return
        if self.collect:
            self.length += len(text)
            if self.length > MAX_TEXT_CHARS:
                self.fail(f"its text is longer than {MAX_TEXT_CHARS:,} characters, which programs cut differently")
            else:
                self.pieces.append(text)
        elif text.strip():
            self.fail("it holds text outside its <t> elements")


@dataclass
class _Strings:
    count: int = 0  # <si> elements: a t="s" index must be below this
    form: dict[int, str] = field(default_factory=dict)  # index -> why the string's form has no one reading
    text: dict[int, str] = field(default_factory=dict)  # index -> why its text is read differently


class _StringsScan:
    def __init__(self) -> None:
        self.found = _Strings()
        self.depth = 0
        self.text: _Text | None = None

    def start(self, name: str, _attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.text is not None:
            self.text.start(name)
        elif self.depth == 1 and name != _M + "sst":
            raise _Stop(Ambiguity("its shared strings part is not a transitional <sst> table"))
        elif name == _M + "si":
            if self.depth != 2:
                raise _Stop(Ambiguity("its shared strings table has a string (<si>) inside another element, "
                                      "which openpyxl counts and LibreOffice does not"))
            self.text = _Text()

    def end(self, _name: str) -> None:
        if self.text is not None:
            if self.depth == 2:
                self.finish(self.text)
                self.text = None
            else:
                self.text.end()
        self.depth -= 1

    def finish(self, text: _Text) -> None:
        index = self.found.count
        self.found.count += 1
        if text.form:
            self.found.form[index] = text.form
        why = _escape_problem(text.pieces, shared=True)
        if why:
            self.found.text[index] = why

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.data(text)


def _shared_strings(zf: zipfile.ZipFile, part: str | None) -> _Strings | None:
    if part is None:
        return None
    scan = _StringsScan()
    parser = _parser()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.data
    _parse(zf, part, parser)
    return scan.found


# ---------------------------------------------------------------------------------------------------------
# Merged cells: their ranges follow the rows, so a sheet that has some is read a second time


def _merge_range(ref: str) -> tuple[int, int, int, int]:
    """A <mergeCell ref="A1:B2"/> as (first row, first column, last row, last column)."""
    m = _RANGE.match(ref)
    if m is None:
        raise _Stop(Ambiguity(f"a merged range is written {ref[:20]!r}, not as A1:B2"))
    c1, r1, c2, r2 = _column_number(m[1]), int(m[2]), _column_number(m[3]), int(m[4])
    if not (r1 <= r2 <= MAX_ROW and c1 <= c2 <= MAX_COL):
        raise _Stop(Ambiguity(f"the merged range {ref} is reversed or off the sheet"))
    return r1, c1, r2, c2


class _Merges:
    """Which merged range covers a cell, swept row by row as the rows arrive in increasing order."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]) -> None:
        self.pending = sorted(ranges)  # by first row
        self.next = 0
        self.active: list[tuple[int, int, int, int]] = []  # (c1, c2, r1, r2), by first column, disjoint
        self.ends: list[tuple[int, int, int, int, int]] = []  # heap of (r2, c1, c2, r1, r2)

    def row(self, r: int) -> None:
        while self.ends and self.ends[0][0] < r:
            _, c1, c2, r1, r2 = heapq.heappop(self.ends)
            self.active.remove((c1, c2, r1, r2))
        while self.next < len(self.pending) and self.pending[self.next][0] <= r:
            r1, c1, r2, c2 = self.pending[self.next]
            self.next += 1
            if r2 < r:
                continue
            item = (c1, c2, r1, r2)
            at = bisect.bisect_left(self.active, item)
            if (at > 0 and self.active[at - 1][1] >= c1) or (at < len(self.active) and self.active[at][0] <= c2):
                raise _Stop(Ambiguity("two merged ranges overlap, which programs resolve differently"))
            self.active.insert(at, item)
            heapq.heappush(self.ends, (r2, c1, c2, r1, r2))

    def hiding(self, r: int, c: int) -> str:
        """The merged range hiding the cell (r, c) under its top-left cell, or ""."""
        at = bisect.bisect_right(self.active, (c, MAX_COL + 1, 0, 0)) - 1
        if at < 0 or not self.active[at][0] <= c <= self.active[at][1]:
            return ""
        c1, c2, r1, r2 = self.active[at]
        if (r1, c1) == (r, c):
            return ""
        return f"{_column_letters(c1)}{r1}:{_column_letters(c2)}{r2}"


# ---------------------------------------------------------------------------------------------------------
# A sheet


class _SheetCheck:
    """expat handlers for one worksheet part: the first thing in it programs may read two ways raises _Stop.

    Depths: 1 <worksheet>, 2 <sheetData>, 3 <row>, 4 <c>, 5 <v> <f> <is> (and the inline string below)."""

    def __init__(self, sheet: _Sheet, strings: _Strings | None, merges: _Merges | None) -> None:
        self.sheet, self.strings, self.merges = sheet, strings, merges
        self.merge_ranges: list[tuple[int, int, int, int]] = []  # seen on a first pass, for the second
        self.depth = 0
        self.sheet_data = 0  # how many <sheetData> seen
        self.in_data = self.in_row = False
        self.row = self.col = 0  # the current row and the last column seen in it
        self.cells = 0
        self.skip = 0  # depth of an <extLst> being skipped in a cell
        # the open cell
        self.cell = ""
        self.kind = "n"
        self.read = False  # within the rows and columns kpixl reads
        self.values: dict[str, int] = {}  # how many <v>, <f>, <is>
        self.value: list[str] = []
        self.in_value = False
        self.inline: _Text | None = None

    def stop(self, detail: str, cell: str = "") -> _Stop:
        return _Stop(Ambiguity(detail, self.sheet.name, cell))

    # -- handlers

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.skip:
            return
        if self.inline is not None:
            self.inline.start(name)
        elif self.depth == 1:
            if name != _M + "worksheet":
                raise self.stop("the sheet is not a transitional <worksheet> (strict OOXML, which openpyxl "
                                "does not read, or another kind of part)")
        elif self.cell:
            self.cell_child(name)
        elif self.in_row:
            if name != _M + "c":
                raise self.stop(f"row {self.row} holds a <{name.rpartition(_SEP)[2][:20]}> element, which "
                                "openpyxl reads as a cell and LibreOffice skips")
            self.open_cell(attrs)
        elif self.in_data:
            if name != _M + "row":
                raise self.stop(f"its rows hold a <{name.rpartition(_SEP)[2][:20]}> element that is not a row")
            self.open_row(attrs)
        else:
            self.outside(name, attrs)

    def outside(self, name: str, attrs: dict[str, str]) -> None:
        """An element outside the sheet's rows."""
        if name == _M + "sheetData":
            self.sheet_data += 1
            if self.sheet_data > 1 or self.depth != 2:
                raise self.stop("the sheet has a second table of rows (<sheetData>), which programs keep or "
                                "drop differently")
            self.in_data = True
        elif name in (_M + "row", _M + "c"):
            raise self.stop("the sheet has a row or cell outside its rows (<sheetData>), which openpyxl reads "
                            "and LibreOffice does not")
        elif name == _M + "mergeCell" and self.merges is None:
            self.merge_ranges.append(_merge_range(attrs.get("ref", "")))

    def open_row(self, attrs: dict[str, str]) -> None:
        r = attrs.get("r")
        if r is None:
            number = self.row + 1  # every program takes a row without a number as the next one
        elif _ROW_NUMBER.match(r) is None or int(r) > MAX_ROW:
            raise self.stop(f"a row after row {self.row} is numbered {r[:12]!r}, which programs read "
                            "differently")
        else:
            number = int(r)
        if number == self.row:
            raise self.stop(f"row {number} is there twice, and programs keep different copies of it")
        if number < self.row:
            raise self.stop(f"row {number} comes after row {self.row}, out of order, and programs keep, merge or "
                            "drop such rows differently")
        self.row, self.col, self.in_row = number, 0, True
        if self.merges is not None:
            self.merges.row(number)

    def open_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        if ref is None:
            col = self.col + 1  # every program takes a cell without a reference as the next one
        else:
            m = _CELL_REF.match(ref)
            if m is None:
                raise self.stop(f"a cell in row {self.row} has the reference {ref[:16]!r}, which programs read "
                                "differently")
            col = _column_number(m[1])
            if int(m[2]) != self.row:
                raise self.stop(f"the cell {ref} is in row {self.row}: openpyxl puts it in row {self.row}, "
                                f"LibreOffice in row {m[2]}", ref)
        if col > MAX_COL:
            raise self.stop(f"a cell in row {self.row} is past the last column of a sheet")
        label = f"{_column_letters(col)}{self.row}"
        if col <= self.col:
            raise self.stop(f"it comes after {_column_letters(self.col)}{self.row} in its row: a repeated or "
                            "out-of-order cell, which programs keep or drop differently", label)
        kind = attrs.get("t", "n")
        if kind not in _CELL_TYPES:
            raise self.stop(f"its type is t={kind[:12]!r}, which programs read differently", label)
        self.cells += 1
        self.col, self.cell, self.kind = col, label, kind
        rows, columns = self.sheet.read
        self.read = self.row <= rows and col <= columns
        self.values, self.value, self.in_value = {"v": 0, "f": 0, "is": 0}, [], False

    def cell_child(self, name: str) -> None:
        local = name[len(_M):] if name.startswith(_M) else ""
        if self.in_value or self.depth != 5 or not local:
            raise self.stop("it has an element inside its value, or one of another namespace", self.cell)
        if local in self.values:
            self.values[local] += 1
            if self.values[local] > 1:
                raise self.stop(f"it has two <{local}> elements, and programs keep different ones", self.cell)
            if local == "is":
                self.inline = _Text()
            else:
                self.in_value = True
        elif local == "extLst":
            self.skip = self.depth
        else:
            raise self.stop(f"it holds an unexpected <{local[:20]}> element", self.cell)

    def end(self, _name: str) -> None:
        if self.skip:
            if self.depth == self.skip:
                self.skip = 0
        elif self.inline is not None:
            if self.depth == 5:
                self.inline_done(self.inline)
                self.inline = None
            else:
                self.inline.end()
        elif self.cell:
            if self.depth == 4:
                self.close_cell()
            else:
                self.in_value = False
        elif self.in_row and self.depth == 3:
            self.in_row = False
        elif self.in_data and self.depth == 2:
            self.in_data = False
        self.depth -= 1

    def data(self, text: str) -> None:
        if self.skip:
            return
        if self.inline is not None:
            self.inline.data(text)
        elif self.in_value:
            self.value.append(text)
        elif self.in_data and text.strip():
            raise self.stop("it holds text outside any value", self.cell)

    def comment(self, _text: str) -> None:
        if self.cell:
            raise self.stop("it has an XML comment inside, which splits its value", self.cell)

    def instruction(self, _target: str, _data: str) -> None:
        if self.cell:
            raise self.stop("it has a processing instruction inside, which splits its value", self.cell)

    # -- a cell, once read

    def inline_done(self, text: _Text) -> None:
        if text.form:
            raise self.stop(f"its text: {text.form}", self.cell)
        why = _escape_problem(text.pieces, shared=False) if self.read else None
        if why:
            raise self.stop(f"its text: {why}", self.cell)

    def close_cell(self) -> None:
        cell, kind, values = self.cell, self.kind, self.values
        if self.merges is not None and any(values.values()):
            hidden = self.merges.hiding(self.row, self.col)
            if hidden:
                raise self.stop(f"it holds a value hidden under the merged cells {hidden}, which LibreOffice "
                                "shows and Excel does not", cell)
        if values["is"] and (kind != "inlineStr" or values["v"] or values["f"]):
            raise self.stop("it has an inline string (<is>) beside another value, or is not of the inline "
                            "string type, and programs show different ones", cell)
        if kind == "inlineStr" and values["v"]:
            raise self.stop("it is of the inline string type but holds a <v> value, which LibreOffice does not "
                            "show and openpyxl does", cell)
        if values["v"] and not values["f"]:  # openpyxl reads a formula's text, never its cached value
            self.check_value(cell, kind, "".join(self.value))
        self.cell = ""

    def check_value(self, cell: str, kind: str, value: str) -> None:
        if value == "":  # an empty value is no value to every program
            return
        why = {"n": _number_problem, "s": self.string_problem, "b": _boolean_problem, "e": _error_problem,
               "str": self.text_problem, "inlineStr": _no_problem}[kind](value)
        if why:
            raise self.stop(why, cell)

    def string_problem(self, value: str) -> str:
        strings = self.strings
        if strings is None:
            return "it points to a shared string, but the workbook has no shared strings"
        if _INDEX.match(value) is None or int(value) >= strings.count:
            return f"it points to shared string {value[:12]!r}, which is not one of the {strings.count:,}"
        index = int(value)
        if index in strings.form:
            return f"its shared string: {strings.form[index]}"
        if self.read and index in strings.text:
            return f"its shared string: {strings.text[index]}"
        return ""

    def text_problem(self, value: str) -> str:
        if not self.read:
            return ""
        if _trimmable(value[0]) or _trimmable(value[-1]):
            return ("its text (t=\"str\") starts or ends with a space or a line break, which LibreOffice trims "
                    "and openpyxl keeps")
        if _ESCAPE.search(value):
            return "its text (t=\"str\") holds an escape (_xHHHH_), which Excel decodes and LibreOffice does not"
        return ""


def _trimmable(ch: str) -> bool:
    """A character LibreOffice may trim from the ends of a t="str" text (seen: space, tab, line breaks,
    U+2003; not U+00A0), taken widely: controls, spaces, and the U+2000-U+206F punctuation block."""
    return ch <= " " or ch.isspace() or "\u2000" <= ch <= "\u206f" or ch == "\ufeff"


def _number_problem(value: str) -> str:
    if len(value) > _MAX_NUMBER_CHARS or _NUMBER.match(value) is None:
        return f"it holds {value[:20]!r} as a number, which programs read as different numbers or none"
    x = float(value)
    mantissa = value.partition("e")[0].partition("E")[0]
    if not math.isfinite(x) or (x == 0 and any(d in mantissa for d in "123456789")) \
            or (x != 0 and abs(x) < sys.float_info.min):
        return f"it holds {value[:20]!r}, beyond what a spreadsheet number can hold"
    return ""


def _boolean_problem(value: str) -> str:
    return "" if value in ("0", "1") else f"it holds the true/false value {value[:12]!r}, which is not 0 or 1"


def _error_problem(value: str) -> str:
    return "" if value in _ERRORS else f"it holds the error {value[:16]!r}, which programs show differently"


def _no_problem(_value: str) -> str:
    return ""


# ---------------------------------------------------------------------------------------------------------
# The check


def _check_sheet(zf: zipfile.ZipFile, check: _SheetCheck) -> None:
    """Read the sheet through the check, and a second time when it has merged cells; _Stop at its first
    ambiguity, named with the sheet."""
    try:
        _pass(zf, check)
        if check.merge_ranges:
            _pass(zf, _SheetCheck(check.sheet, check.strings, _Merges(check.merge_ranges)))
    except _Stop as stop:  # the merged ranges' rules know no sheet: name it
        raise _Stop(Ambiguity(stop.found.detail, check.sheet.name, stop.found.cell)) from None


def _pass(zf: zipfile.ZipFile, check: _SheetCheck) -> None:
    parser = _parser()
    parser.StartElementHandler = check.start
    parser.EndElementHandler = check.end
    parser.CharacterDataHandler = check.data
    parser.CommentHandler = check.comment
    parser.ProcessingInstructionHandler = check.instruction
    _parse(zf, check.sheet.part, parser)


def check_sheets(zf: zipfile.ZipFile) -> SheetsRead:
    """The first thing in the sheets kpixl reads that spreadsheet programs may read two ways, or None; with
    the sheets and cells visited. The caller has run sniff.scan_parts: every part is bounded, safe XML."""
    checks: list[_SheetCheck] = []

    def read(found: Ambiguity | None = None, corrupt: str = "") -> SheetsRead:
        return SheetsRead(found, len(checks), sum(c.cells for c in checks), corrupt,
                          {c.sheet.name: c.row for c in checks})

    try:
        chosen, strings_part = _workbook_map(zf)
        strings = _shared_strings(zf, strings_part)
        for sheet in chosen:
            checks.append(_SheetCheck(sheet, strings, None))
            _check_sheet(zf, checks[-1])
    except _Stop as stop:
        return read(stop.found)
    except expat.ExpatError as exc:
        return read(corrupt=f"a sheet is not well-formed XML ({expat.ErrorString(exc.code)})")
    return read()
