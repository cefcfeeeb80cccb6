"""Returns whose Return sheet XML is rewritten, in the forms genuine programs write and in forms spreadsheet
programs read two ways, and LibreOffice's reading of them (issue 12, "one reading or none"). Used by
tests/test_intake_ambiguity.py and tests/test_intake_ambiguity_fuzz.py. No tests here.

A filled return saved by openpyxl (tests/support/intake.py) keeps its Return sheet in xl/worksheets/sheet2.xml,
every text as an inline string. LibreOffice's reading of a batch of files is one soffice run, exporting each
file's Return sheet as CSV: every text quoted and as it is, every number unquoted and raw, with the 15
significant digits LibreOffice shows. (The CSV writes a number under a percentage or date format as shown,
"50%": compare cells in the General format. FODS gives types and raw values too, but folds runs of spaces
and drops tabs from multi-line texts.)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

from kpixl.layout.returns import FIRST_ROW, column
from support.hostile import with_shared_strings
from support.zips import deflate, members_of, rezip

RETURN_PART = "xl/worksheets/sheet2.xml"
RETURN_INDEX = 2  # the Return sheet's place among the sheets, as LibreOffice's CSV filter counts them
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
# LibreOffice's CSV filter: comma, double quote, UTF-8, from line 1, (import-only fields), quote every text
# cell (so that "12" typed as text and the number 12 differ), save the raw values not as shown, no formulas,
# no trimming, and the sheet to export.
CSV_FILTER = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,true,true,false,false,false,{RETURN_INDEX}"
# soffice converts at most 247 files per start here, and then exits 0 without a word about the rest.
BATCH = 200


def ref(key: str, row: int = FIRST_ROW) -> str:
    """A cell of the Return sheet by its layout key ("current", "commentary"), in the first data row."""
    return f"{chr(ord('A') + column(key))}{row}"


FIGURE, COMMENTARY = ref("current"), ref("commentary")  # the first row's (the first indicator's)


def return_sheet(data: bytes) -> str:
    return members_of(data)[RETURN_PART].decode("utf-8")


def with_return_sheet(data: bytes, xml: str) -> bytes:
    return rezip(data, replace={RETURN_PART: xml.encode("utf-8")})


def cell(xml: str, ref: str) -> str:
    """The <c> element of a cell, as written."""
    found = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml, re.DOTALL)
    assert found is not None, f"no cell {ref}"
    return found.group(0)


def row(xml: str, number: int) -> str:
    found = re.search(rf'<row r="{number}"[^>]*>.*?</row>', xml, re.DOTALL)
    assert found is not None, f"no row {number}"
    return found.group(0)


def with_cell(xml: str, ref: str, new: str) -> str:
    """The sheet with a cell's element replaced by new, in which {ref} and {s} stand for the old cell's
    reference and style attribute."""
    old = cell(xml, ref)
    style = re.search(r' s="[0-9]+"', old)
    new = new.replace("{ref}", ref).replace("{s}", style.group(0) if style else "")
    return xml.replace(old, new, 1)


def inline(text: str) -> str:
    """An inline-string cell template for with_cell, the text escaped for XML (a CR as a reference)."""
    return f'<c r="{{ref}}"{{s}} t="inlineStr"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


def xml_text(text: str) -> str:
    return escape(text).replace("\r", "&#13;")


# The forms genuine writers use: the same return as Excel would save it.

def as_excel_writes(data: bytes, commentary_breaks: bool = True) -> bytes:
    """The return with its Return sheet in Excel's form: texts in a shared strings table (a pasted
    commentary's line breaks as Excel writes them, _x000D_ before each line feed), rows with spans and
    x14ac attributes under mc:Ignorable, cells in order with explicit references."""
    xml = return_sheet(data)
    strings: list[str] = []

    def shared(match: re.Match[str]) -> str:
        text = ElementTree.fromstring(f'<t xmlns="{MAIN}">{match.group(3)}</t>').text or ""
        if commentary_breaks:
            text = text.replace("\n", "\r\n")
        strings.append(text)
        return f'<c r="{match.group(1)}"{match.group(2)} t="s"><v>{len(strings) - 1}</v></c>'

    xml = re.sub(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', shared,
                 xml, flags=re.DOTALL)
    xml = re.sub(r'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"></c>', r'<c r="\1"\2/>', xml)
    xml = xml.replace(f'<worksheet xmlns="{MAIN}"', f'<worksheet xmlns="{MAIN}" xmlns:mc="http://schemas.'
                      'openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://'
                      'schemas.microsoft.com/office/spreadsheetml/2009/9/ac"', 1)
    xml = re.sub(r'<row r="([0-9]+)"', r'<row r="\1" spans="1:18" x14ac:dyDescent="0.25"', xml)
    items = "".join(f'<si><t xml:space="preserve">{_excel_escaped(s)}</t></si>' for s in strings)
    table = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" count="{len(strings)}" '
             f'uniqueCount="{len(strings)}">{items}</sst>').encode()
    return with_shared_strings(with_return_sheet(data, xml), deflate(table))


def _excel_escaped(text: str) -> str:
    """A text as Excel writes it: "_x" escaped as _x005F_x where it would read as an escape, a carriage return
    as _x000D_."""
    text = re.sub(r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1", text)
    return escape(text).replace("\r", "_x000D_")


# LibreOffice's reading

@dataclass(frozen=True)
class Shown:
    """One cell as LibreOffice shows it: its CSV field, and whether it was quoted (a text cell)."""

    text: str
    quoted: bool

    def number(self) -> Decimal | None:
        """The number LibreOffice holds (as it shows it: 15 significant digits), or None for a text or a
        true/false value."""
        if self.quoted or not self.text:
            return None
        try:
            return Decimal(self.text)
        except ArithmeticError:
            return None


def libreoffice_read(soffice: str, blobs: dict[str, bytes], folder: Path) -> dict[str, dict[str, Shown]]:
    """The Return sheet of each .xlsx as LibreOffice shows it: name -> {ref: Shown}; a name LibreOffice
    could not open maps to {}. One soffice start per BATCH files."""
    folder.mkdir(parents=True, exist_ok=True)
    profile = Path("/tmp") / f"lo-kpixl-{uuid.uuid4().hex}"
    paths = {}
    for i, (name, data) in enumerate(blobs.items()):
        paths[name] = folder / f"f{i:05d}.xlsx"  # names may hold characters a file name cannot
        paths[name].write_bytes(data)
    files = list(paths.values())
    try:
        for start in range(0, len(files), BATCH):
            subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
                            "--nolockcheck", "--convert-to", CSV_FILTER, "--outdir", str(folder / "csv"),
                            *map(str, files[start:start + BATCH])], check=True, capture_output=True, timeout=600)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    found = {}
    for name, path in paths.items():
        csv_path = folder / "csv" / f"{path.stem}-Return.csv"
        texts = _csv_cells(csv_path.read_bytes().decode("utf-8")) if csv_path.is_file() else {}
        found[name] = {ref: Shown(*field) for ref, field in texts.items()}
    return found


_FIELD = re.compile(r'"((?:[^"]|"")*)"|([^,\n]*)')


def _csv_cells(text: str) -> dict[str, tuple[str, bool]]:
    """ref -> (text, quoted). By hand: the csv module forgets which fields were quoted."""
    cells: dict[str, tuple[str, bool]] = {}
    r, c, pos = 1, 1, 0
    while pos < len(text):
        m = _FIELD.match(text, pos)
        assert m is not None
        if m.group(1) is not None:
            cells[f"{get_column_letter(c)}{r}"] = (m.group(1).replace('""', '"'), True)
        elif m.group(2):
            cells[f"{get_column_letter(c)}{r}"] = (m.group(2), False)
        pos = m.end()
        if pos >= len(text):
            break
        if text[pos] == ",":
            c += 1
        else:
            r, c = r + 1, 1
        pos += 1
    return cells
