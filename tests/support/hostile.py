"""The hostile and broken files of issue 7, made by the tests from nothing or from a real generated return:
no binary blob from elsewhere. Used by tests/test_hostile_*.py and by benchmarks/hostile.py (which measures
each case's time and peak memory). No tests here.

Each Case builds the bytes of one file and says what kpixl must answer: the problem code and words of the
message naming the limit or the reason. Big payloads are never inflated: the zip bomb is a deflate block of
zeros repeated, so its 2 GB exist only as a number in its zip directory.
"""

from __future__ import annotations

import base64
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from kpixl.layout.returns import FIRST_ROW, WorkbookMeta, column, sign
from kpixl.untrusted.limits import (
    FEEDBACK_MAX_CELLS,
    MAX_CELLS,
    MAX_DEFINED_NAMES,
    MAX_ELEMENTS,
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_PART_ELEMENTS,
    MAX_PARTS,
    MAX_ROW_CELLS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_TEXT_CHARS,
    MAX_UNCOMPRESSED_BYTES,
    MAX_WHOLE_PART_ELEMENTS,
)
from support.zips import Deflated, deflate, members_of, ods, ole2, part, repeated, rezip, with_members, xlsm

RETURN_PART = "xl/worksheets/sheet2.xml"  # the Return sheet of a return saved by openpyxl
META_PART = "xl/worksheets/sheet5.xml"  # the hidden kpixl sheet (after Instructions, Return, Sign-off, Lists)
MB = 2**20


@dataclass(frozen=True)
class Sources:
    """What the cases are made from: real filled returns of two services, and the workspace's secret."""

    real: bytes  # Library Service's return, filled in with the seed's figures
    other: bytes  # another service's (Coroner Service's), filled in the same way
    secret: bytes


@dataclass(frozen=True)
class Case:
    name: str  # the file name it arrives under
    build: Callable[[Sources], bytes]
    code: str  # the problem kpixl must give (the first error)
    words: str  # words its message must contain: the limit hit, or what the file is


# XML attacks.

def with_doctype(xml: str, doctype: str, use: str = "") -> str:
    """The part with a document type declaration before its root, and an entity used in its first value."""
    root = re.search(r"<[A-Za-z]", xml.split("?>", 1)[-1])
    assert root is not None
    at = xml.index(root.group(0), len(xml.split("?>", 1)[0]) if "?>" in xml else 0)
    xml = xml[:at] + doctype + xml[at:]
    return re.sub(r"<v>[^<]*</v>", f"<v>{use}</v>", xml, count=1) if use else xml


XXE = '<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
LAUGHS = ('<!DOCTYPE r [<!ENTITY a "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(8)) + "]>")


def doctype_in(data: bytes, name: str, doctype: str, use: str = "") -> bytes:
    """Any workbook with a document type declaration put in its part name (see with_doctype)."""
    return rezip(data, replace={name: with_doctype(part(data, name), doctype, use).encode()})


def in_part(name: str, doctype: str, use: str = "") -> Callable[[Sources], bytes]:
    def build(s: Sources) -> bytes:
        return doctype_in(s.real, name, doctype, use)
    return build


REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(real: bytes, table: Deflated) -> bytes:
    """The real workbook with a shared-strings part, declared in its content types and relationships so
    that Excel and openpyxl would both read it."""
    members = members_of(real)
    types = members["[Content_Types].xml"].replace(
        b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/></Types>'.encode())
    rels = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdSst" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode())
    return with_members(real, {"[Content_Types].xml": deflate(types),
                               "xl/_rels/workbook.xml.rels": deflate(rels), "xl/sharedStrings.xml": table})


SST_HEAD = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xxe_shared_strings(s: Sources) -> bytes:
    table = SST_HEAD.replace(b"<sst", XXE.encode() + b"<sst") + b"<si><t>&x;</t></si></sst>"
    return with_shared_strings(s.real, deflate(table))


def many_shared_strings(s: Sources, count: int = 1_200_000) -> bytes:
    """1.2 million distinct shared strings: 23 MB, under the part limit, and random enough (about 5 to 1)
    that no compression ratio gives them away."""
    letters = base64.b64encode(random.Random(7).randbytes(3 * count))
    body = b"".join(b"<si><t>" + letters[i:i + 4] + b"</t></si>" for i in range(0, 4 * count, 4))
    return with_shared_strings(s.real, deflate(SST_HEAD + body + b"</sst>"))


# Sizes.

def bombed(data: bytes, name: str) -> bytes:
    """Any workbook with its part name replaced by 2 GB of zeros deflated to about 2 MB."""
    return with_members(data, {name: repeated(b"", bytes(MB), 2048, b"")})


def zip_bomb(s: Sources) -> bytes:
    """The Return sheet replaced by 2 GB of zeros deflated to about 2 MB."""
    return bombed(s.real, RETURN_PART)


def ratio_bomb(s: Sources) -> bytes:
    """Under the part limit, but inflating a thousand times: nothing a spreadsheet writes."""
    return with_members(s.real, {RETURN_PART: repeated(b"", bytes(MB), MAX_PART_BYTES // MB - 1, b"")})


def quilt_bomb(s: Sources) -> bytes:
    """Many 1 MB parts, each too small for the ratio rule, together over the total limit."""
    zeros = repeated(b"", bytes(MB), 1, b"")
    extra = {f"xl/media/padding{i}.xml": zeros for i in range(MAX_UNCOMPRESSED_BYTES // MB + 1)}
    return with_members(s.real, extra)


def sheet_with(s: Sources, change: Callable[[str], str]) -> bytes:
    return rezip(s.real, replace={RETURN_PART: change(part(s.real, RETURN_PART)).encode()})


def dimension_huge(data: bytes, name: str) -> bytes:
    """Any workbook whose sheet part name declares itself A1:XFD1048576."""
    huge = '<dimension ref="A1:XFD1048576"/>'
    xml = part(data, name)
    changed = re.sub(r'<dimension ref="[^"]*"/>', huge, xml)
    assert changed != xml, f"{name} declares no dimension"
    return rezip(data, replace={name: changed.encode()})


def huge_dimension(s: Sources) -> bytes:
    return dimension_huge(s.real, RETURN_PART)


def rows_added(data: bytes, name: str, count: int = 1_200_000) -> bytes:
    """Any workbook with a million and more empty rows after the real ones of its sheet part name: 19 MB
    that compress only 7 to 1."""
    head, tail = part(data, name).split("</sheetData>")
    rows = b"".join(b'<row r="%d"/>' % i for i in range(100, 100 + count))
    sheet = head.encode() + rows + b"</sheetData>" + tail.encode()
    return with_members(data, {name: deflate(sheet)})


def empty_rows(s: Sources, count: int = 1_200_000) -> bytes:
    """A million and more empty rows after the real ones of the Return sheet."""
    return rows_added(s.real, RETURN_PART, count)


def commentary(xml: str) -> tuple[str, str]:
    """The sheet split around the first Commentary cell's text (K3), for a text to go in between."""
    match = re.search(r'(<c r="K3"[^>]*t="inlineStr"[^>]*><is><t[^>]*>)[^<]*(</t>)', xml)
    assert match is not None, "the Return sheet's K3 holds the commentary as an inline string"
    return xml[:match.start()] + match.group(1), match.group(2) + xml[match.end():]


def commentary_100mb(s: Sources) -> bytes:
    head, tail = commentary(part(s.real, RETURN_PART))
    block = (b"The figure fell because the library was closed for refurbishment. " * 16000)[:MB]
    return with_members(s.real, {RETURN_PART: repeated(head.encode(), block, 100, tail.encode())})


def commentary_long(s: Sources) -> bytes:
    """A commentary of 600,000 characters: under every zip limit, far over what an Excel cell holds."""
    head, tail = commentary(part(s.real, RETURN_PART))
    vocabulary = ["library", "visits", "fell", "rose", "because", "the", "summer"]
    words = random.Random(3).choices(vocabulary, k=90000)
    return rezip(s.real, replace={RETURN_PART: (head + " ".join(words)[:600_000] + tail).encode()})


def styles_bomb(s: Sources, count: int = 30_000) -> bytes:
    """30,000 cell formats, each different enough that the part compresses only about 10 to 1."""
    rng = random.Random(5)
    xfs = "".join(f'<xf numFmtId="{rng.randrange(200)}" fontId="0" fillId="0" borderId="0">'
                  f'<alignment indent="{rng.randrange(15)}"/></xf>' for _ in range(count))
    xml = re.sub(r'<cellXfs count="\d+">', f'<cellXfs count="{count}">{xfs}', part(s.real, "xl/styles.xml"),
                 count=1)
    return rezip(s.real, replace={"xl/styles.xml": xml.encode()})


def names_bomb(s: Sources, count: int = MAX_DEFINED_NAMES + 1) -> bytes:
    """The workbook part with more defined names than the limit, each different."""
    rng = random.Random(6)
    names = "".join(f'<definedName name="n{i}">Return!$A${rng.randrange(1, 999)}</definedName>'
                     for i in range(count))
    xml = part(s.real, "xl/workbook.xml").replace("</workbook>",
                                                  f"<definedNames>{names}</definedNames></workbook>")
    return rezip(s.real, replace={"xl/workbook.xml": xml.encode()})


def many_sheets(s: Sources, count: int = MAX_SHEETS + 1) -> bytes:
    """The workbook listing the Return sheet again and again: openpyxl would open each to read its size."""
    sheets = "".join(f'<sheet xmlns:r="{REL_NS}" name="s{i}" sheetId="{i + 10}" r:id="rId2"/>'
                     for i in range(count))
    xml = part(s.real, "xl/workbook.xml").replace("</sheets>", f"{sheets}</sheets>")
    return rezip(s.real, replace={"xl/workbook.xml": xml.encode()})


def relationships_bomb(s: Sources, count: int = MAX_WHOLE_PART_ELEMENTS) -> bytes:
    """Over 20,000 relationships, each different: openpyxl would build an object for each."""
    rels = "".join(f'<Relationship Id="rX{i}" Type="{REL_NS}/x" Target="x{i}.xml"/>' for i in range(count))
    xml = part(s.real, "xl/_rels/workbook.xml.rels").replace("</Relationships>", f"{rels}</Relationships>")
    return rezip(s.real, replace={"xl/_rels/workbook.xml.rels": xml.encode()})


def merged_cells_bomb(s: Sources, count: int = MAX_PART_ELEMENTS) -> bytes:
    """Over 100,000 merged cells after the rows: elements outside rows, in a sheet."""
    merged = "".join(f'<mergeCell ref="A{i}:B{i}"/>' for i in range(10, 10 + count))
    after = f"</sheetData><mergeCells>{merged}</mergeCells>"
    return sheet_with(s, lambda xml: xml.replace("</sheetData>", after))


def wide_row(s: Sources, count: int = MAX_ROW_CELLS + 1) -> bytes:
    cells = "".join(f"<c><v>{i}</v></c>" for i in range(count))
    return sheet_with(s, lambda xml: xml.replace("</sheetData>", f'<row r="90">{cells}</row></sheetData>'))


# What a file within every per-part limit cost before issue 12: minutes, and gigabytes with --feedback.

WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
WORKSHEET_REL = f"{REL_NS}/worksheet"


def with_sheets(real: bytes, sheets: list[tuple[str, str]], parts: dict[str, Deflated],
                keep: bool = True) -> bytes:
    """The real workbook listing more sheets, (name, part) each, the parts added and declared; keep=False:
    these sheets instead of its own."""
    members = members_of(real)
    ids = {target: f"rIdX{i}" for i, target in enumerate(dict.fromkeys(target for _, target in sheets))}
    listed = "".join(f'<sheet xmlns:r="{REL_NS}" name="{name}" sheetId="{i + 10}" r:id="{ids[target]}"/>'
                     for i, (name, target) in enumerate(sheets))
    workbook = members["xl/workbook.xml"].decode()
    workbook = (workbook.replace("</sheets>", listed + "</sheets>") if keep
                else re.sub(r"<sheets>.*</sheets>", f"<sheets>{listed}</sheets>", workbook))
    workbook = re.sub(r"<definedNames>.*</definedNames>", "", workbook) if not keep else workbook
    rels = members["xl/_rels/workbook.xml.rels"].replace(b"</Relationships>", "".join(
        f'<Relationship Id="{rid}" Type="{WORKSHEET_REL}" Target="/{target}"/>'
        for target, rid in ids.items()).encode() + b"</Relationships>")
    types = members["[Content_Types].xml"].replace(b"</Types>", "".join(
        f'<Override PartName="/{target}" ContentType="{WORKSHEET}"/>' for target in ids).encode() + b"</Types>")
    return with_members(real, {"xl/workbook.xml": deflate(workbook.encode()), "[Content_Types].xml": deflate(types),
                               "xl/_rels/workbook.xml.rels": deflate(rels)} | parts)


def worksheet(rows: bytes) -> bytes:
    return (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' + rows
            + b"</sheetData></worksheet>")


def empty_cells(rows: int, cells: int, seed: int = 11) -> Deflated:
    """A sheet of rows x cells empty cells, <c/> and now and then <c />: a 2,000 x 2,900 one inflates to
    23 MB and compresses about 60 to 1, as the issue's 375 KB file did, under every per-part limit."""
    rng = random.Random(seed)
    variants = [b"".join(b"<c />" if rng.random() < 0.1 else b"<c/>" for _ in range(cells)) for _ in range(40)]
    return deflate(worksheet(b"".join(b"<row>" + rng.choice(variants) + b"</row>" for _ in range(rows))))


def sheets_on_one_part(s: Sources, count: int = 99, rows: int = 11, cells: int = MAX_ROW_CELLS) -> bytes:
    """Issue 12's 10 KB workbook: 99 sheets, every one the same wide sheet of 11 rows of 16,384 empty cells.
    Refused in 39 s then (the reader looked for the Return sheet's headings in each), and 250 s and 7 GB
    with --feedback (openpyxl's full mode built every sheet)."""
    wide = "xl/worksheets/wide.xml"
    return with_sheets(s.real, [(f"Sheet{i}", wide) for i in range(count)], {wide: empty_cells(rows, cells)},
                       keep=False)


def one_part_many_names(s: Sources) -> bytes:
    """The same within the cell limits: one small sheet listed under 99 names."""
    return sheets_on_one_part(s, rows=5, cells=200)


def cells_2000_by_2900(s: Sources) -> bytes:
    """Issue 12's 375 KB file: a sheet of 2,000 rows of 2,900 empty cells beside the return (10 s then)."""
    data = "xl/worksheets/data.xml"
    return with_sheets(s.real, [("Data", data)], {data: empty_cells(2000, 2900)})


def n_a_for_a_figure(xml: str) -> str:
    """The Return sheet with 'n/a' typed over the first figure: a problem, so that feedback marks a copy."""
    first = f"{chr(ord('A') + column('current'))}{FIRST_ROW}"
    changed = re.sub(rf'<c r="{first}"([^>]*) t="n"><v>[^<]*</v></c>',
                     rf'<c r="{first}"\1 t="inlineStr"><is><t>n/a</t></is></c>', xml, count=1)
    assert changed != xml, f"{first} holds no number"
    return changed


def instructions_with(s: Sources, after_rows: str) -> bytes:
    """The real return with 'n/a' for its first figure and the Instructions sheet (which kpixl never reads) given what
    follows its rows: merged ranges or hyperlinks, which openpyxl's full mode fills cell by cell."""
    instructions = "xl/worksheets/sheet1.xml"
    sheet = part(s.real, instructions).replace("</sheetData>", "</sheetData>" + after_rows, 1)
    return rezip(s.real, replace={instructions: sheet.encode(), RETURN_PART: n_a_for_a_figure(part(s.real, RETURN_PART))
                                  .encode()})


def merged_everything(s: Sources, ref: str = "B1:XFD1048576") -> bytes:
    """One merged range over a whole sheet: 17 billion cell objects in openpyxl's full mode."""
    return instructions_with(s, f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>')


def linked_everything(s: Sources, ref: str = "B1:XFD1048576") -> bytes:
    """One hyperlink over a whole sheet: likewise, a cell object per cell it covers."""
    return instructions_with(s, f'<hyperlinks><hyperlink ref="{ref}" location="\'Return\'!A1"/></hyperlinks>')


def many_elements(s: Sources, count: int = MAX_ELEMENTS) -> bytes:
    """A lead's extra sheet of empty rows: under every per-part limit, over the whole file's elements."""
    parts, names = {}, []
    per = 9_000  # rows a part
    for i in range(count // per + 1):
        name = f"xl/worksheets/rows{i}.xml"
        parts[name] = deflate(worksheet(b"<row/>" * per))
        names.append((f"Rows{i}", name))
    return with_sheets(s.real, names, parts)


def many_cells(s: Sources, count: int = MAX_CELLS + 1) -> bytes:
    """Cells in rows of 5,000 in an extra sheet: over the whole file's cells."""
    rows, last = divmod(count, 5000)
    body = b"<row>" + b"<c/>" * 5000 + b"</row>"
    data = "xl/worksheets/data.xml"
    return with_sheets(s.real, [("Data", data)], {data: deflate(worksheet(body * rows + b"<row>" + b"<c/>" * last
                                                                         + b"</row>"))})


def many_small_sheets(s: Sources, count: int = MAX_SHEETS - 4) -> bytes:
    """Sheets up to the limit, each its own part (a lead's workbook of many tabs)."""
    parts = {f"xl/worksheets/tab{i}.xml": deflate(worksheet(b'<row r="1"><c r="A1"><v>1</v></c></row>'))
             for i in range(count)}
    return with_sheets(s.real, [(f"Tab{i}", name) for i, name in enumerate(parts)], parts)


def xxe_utf16(s: Sources) -> bytes:
    """The entity hidden from a byte search: the part re-encoded as UTF-16."""
    xml = with_doctype(part(s.real, RETURN_PART), XXE, "&x;")
    if xml.startswith("<?xml"):
        xml = xml.split("?>", 1)[-1]
    xml = '<?xml version="1.0" encoding="UTF-16"?>' + xml
    return rezip(s.real, replace={RETURN_PART: xml.encode("utf-16")})


def truncated(s: Sources) -> bytes:
    return s.real[: len(s.real) // 2]


def too_many_parts(s: Sources) -> bytes:
    return rezip(s.real, add={f"xl/extra/p{i}.xml": b"<p/>" for i in range(MAX_PARTS)})


# Genuine workbooks, tampered with.

def meta_cells(data: bytes) -> dict[str, str]:
    """The kpixl sheet's key/value pairs, read from its XML (inline strings, as openpyxl saves them)."""
    xml = part(data, META_PART)
    rows = re.findall(r"<row [^>]*>(.*?)</row>", xml)
    pairs = {}
    for row in rows:
        texts = re.findall(r"<t[^>]*>([^<]*)</t>", row)
        if len(texts) == 2:
            pairs[unescape(texts[0])] = unescape(texts[1])
    return pairs


def unescape(text: str) -> str:
    return text.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _value_setter(value: str) -> Callable[[re.Match[str]], str]:
    return lambda m: m.group(1) + value + m.group(2)


def set_meta(data: bytes, changes: dict[str, str], secret: bytes | None = None) -> bytes:
    """Change kpixl sheet entries by editing its XML; with secret, sign again (a forger holding the key)."""
    xml = part(data, META_PART)
    pairs = meta_cells(data) | changes
    if secret is not None:
        pairs["signature"] = sign(WorkbookMeta.from_pairs(pairs), secret)
    for key, value in pairs.items():
        pattern = rf"(<t[^>]*>{re.escape(escape(key))}</t>.*?<t[^>]*>)[^<]*(</t>)"
        xml = re.sub(pattern, _value_setter(escape(value)), xml, count=1, flags=re.DOTALL)
    return rezip(data, replace={META_PART: xml.encode()})


def copied_meta(s: Sources) -> bytes:
    """Library Service's signed metadata sheet pasted into Coroner Service's filled return."""
    return rezip(s.other, replace={META_PART: members_of(s.real)[META_PART]})


def edited_signature(s: Sources) -> bytes:
    signature = meta_cells(s.real)["signature"]
    return set_meta(s.real, {"signature": ("0" if signature[0] != "0" else "1") + signature[1:]})


def unknown_service_signed(s: Sources) -> bytes:
    return set_meta(s.real, {"service": "parks"}, s.secret)


def unknown_period_signed(s: Sources) -> bytes:
    return set_meta(s.real, {"period": "2023-24-Q7"}, s.secret)


def other_service_unsigned(s: Sources) -> bytes:
    """The metadata claims Coroner Service without the key to sign it."""
    return set_meta(s.real, {"service": "coroner", "service_name": "Coroner Service"})


def cases() -> list[Case]:
    """Every hostile case, with the answer kpixl must give."""
    too_large, corrupt = "FILE_TOO_LARGE", "FILE_CORRUPT"
    pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
    return [
        Case("xxe-sheet.xlsx", in_part(RETURN_PART, XXE, "&x;"), corrupt, "document type"),
        Case("xxe-workbook.xlsx", in_part("xl/workbook.xml", XXE), corrupt, "document type"),
        Case("xxe-shared-strings.xlsx", xxe_shared_strings, corrupt, "document type"),
        Case("xxe-utf16.xlsx", xxe_utf16, corrupt, "document type"),
        Case("billion-laughs.xlsx", in_part(RETURN_PART, LAUGHS, "&i;"), corrupt, "document type"),
        Case("zip-bomb.xlsx", zip_bomb, too_large, f"inflates to 2048 MB (limit {MAX_PART_BYTES // MB} MB)"),
        Case("ratio-bomb.xlsx", ratio_bomb, too_large, "a zip bomb"),
        Case("quilt-bomb.xlsx", quilt_bomb, too_large, f"(limit {MAX_UNCOMPRESSED_BYTES // MB} MB)"),
        Case("too-many-parts.xlsx", too_many_parts, too_large, f"(limit {MAX_PARTS:,})"),
        Case("huge-dimension.xlsx", huge_dimension, too_large, f"XFD1048576 (limit {MAX_SHEET_ROWS:,} rows)"),
        Case("empty-rows.xlsx", empty_rows, too_large, f"(limit {MAX_SHEET_ROWS:,})"),
        Case("styles-bomb.xlsx", styles_bomb, too_large, f"(limit {MAX_WHOLE_PART_ELEMENTS:,})"),
        Case("names-bomb.xlsx", names_bomb, too_large, f"defined names (limit {MAX_DEFINED_NAMES:,})"),
        Case("many-sheets.xlsx", many_sheets, too_large, f"sheets (limit {MAX_SHEETS:,})"),
        Case("relationships-bomb.xlsx", relationships_bomb, too_large,
             f"(limit {MAX_WHOLE_PART_ELEMENTS:,})"),
        Case("merged-cells-bomb.xlsx", merged_cells_bomb, too_large, f"(limit {MAX_PART_ELEMENTS:,})"),
        Case("wide-row.xlsx", wide_row, too_large, f"(limit {MAX_ROW_CELLS:,})"),
        Case("commentary-100mb.xlsx", commentary_100mb, too_large, "inflates to 100 MB"),
        Case("commentary-600k.xlsx", commentary_long, too_large, f"over {MAX_TEXT_CHARS:,} characters"),
        Case("shared-strings.xlsx", many_shared_strings, too_large, f"(limit {MAX_SHARED_STRINGS:,})"),
        Case("big.xlsx", lambda s: b"PK\x03\x04" + bytes(MAX_FILE_BYTES), too_large,
             f"(limit {MAX_FILE_BYTES // MB} MB)"),
        Case("empty.xlsx", lambda s: b"", "FILE_EMPTY", "0 bytes"),
        Case("report.pdf.xlsx", lambda s: pdf, "FILE_NOT_WORKBOOK", "a PDF"),
        Case("photo.png.xlsx", lambda s: b"\x89PNG\r\n\x1a\n" + bytes(64), "FILE_NOT_WORKBOOK",
             "an image (PNG)"),
        Case("truncated.xlsx", truncated, corrupt, "zip structure is broken"),
        Case("encrypted.xlsx", lambda s: ole2("EncryptionInfo", "EncryptedPackage"), "FILE_ENCRYPTED",
             "password"),
        Case("old.xls", lambda s: ole2("Workbook", "SummaryInformation"), "FILE_XLS", "Excel 97-2003"),
        Case("libre.ods", lambda s: ods(), "FILE_ODS", "OpenDocument"),
        Case("macros.xlsm", lambda s: xlsm(s.real), "FILE_XLSM", "macros"),
        Case("copied-metadata.xlsx", copied_meta, "ROW_UNKNOWN", "not part of Library Service's return"),
        Case("edited-signature.xlsx", edited_signature, "META_SIGNATURE", "signature does not match"),
        Case("forged-service.xlsx", other_service_unsigned, "META_SIGNATURE", "signature does not match"),
        Case("unknown-service.xlsx", unknown_service_signed, "META_UNKNOWN_SERVICE", "parks"),
        Case("unknown-period.xlsx", unknown_period_signed, "META_WRONG_PERIOD", "2023-24-Q7"),
        # Within every per-part limit, but dear to read (issue 12): bounded by the whole file's limits.
        Case("99-sheets-one-part.xlsx", sheets_on_one_part, too_large, f"cells in all (limit {MAX_CELLS:,})"),
        Case("one-part-many-names.xlsx", one_part_many_names, "FILE_AMBIGUOUS", "one sheet under two names"),
        Case("cells-2000x2900.xlsx", cells_2000_by_2900, too_large, f"cells in all (limit {MAX_CELLS:,})"),
        Case("many-elements.xlsx", many_elements, too_large, f"XML elements in all (limit {MAX_ELEMENTS:,})"),
        Case("many-cells.xlsx", many_cells, too_large, f"cells in all (limit {MAX_CELLS:,})"),
        # Read in bounded time, but openpyxl's full mode would build a cell object for each cell covered:
        # refused for the n/a typed for a figure, and its feedback is the Problems sheet alone.
        Case("merged-everything.xlsx", merged_everything, "FIGURE_NOT_NUMBER", "'n/a' is not a number"),
        Case("linked-everything.xlsx", linked_everything, "FIGURE_NOT_NUMBER", "'n/a' is not a number"),
    ]


# Files built just under each limit: the most a file kpixl goes on to open can cost (benchmarks/hostile.py
# measures them; tests/test_hostile_files.py counts their work). Those with "n/a" for a figure have a problem, so
# --feedback marks a copy of them in openpyxl's full mode.
EDGES: dict[str, Callable[[Sources], bytes]] = {
    "edge-shared-strings.xlsx": lambda s: many_shared_strings(s, MAX_SHARED_STRINGS - 1),
    "edge-empty-rows.xlsx": lambda s: empty_rows(s, MAX_SHEET_ROWS - 10),
    "edge-styles.xlsx": lambda s: styles_bomb(s, (MAX_WHOLE_PART_ELEMENTS - 400) // 2),
    "edge-names.xlsx": lambda s: names_bomb(s, MAX_DEFINED_NAMES - 1),
    "edge-sheets.xlsx": many_small_sheets,
    "edge-wide-row.xlsx": lambda s: wide_row(s, MAX_ROW_CELLS),
    "edge-relationships.xlsx": lambda s: relationships_bomb(s, MAX_WHOLE_PART_ELEMENTS - 100),
    "edge-merged-cells.xlsx": lambda s: merged_cells_bomb(s, MAX_PART_ELEMENTS - 1000),
    "edge-elements.xlsx": lambda s: many_elements(s, MAX_ELEMENTS - 20_000),
    "edge-cells.xlsx": lambda s: many_cells(s, MAX_CELLS - 2_000),
    "edge-marked-merge.xlsx": lambda s: merged_everything(s, f"B1:E{(FEEDBACK_MAX_CELLS - 1_000) // 4}"),
    "edge-marked-cells.xlsx": lambda s: rezip(many_cells(s, FEEDBACK_MAX_CELLS - 1_000), replace={
        RETURN_PART: n_a_for_a_figure(part(s.real, RETURN_PART)).encode()}),
}


def build_all(sources: Sources) -> dict[str, bytes]:
    return {case.name: case.build(sources) for case in cases()}

