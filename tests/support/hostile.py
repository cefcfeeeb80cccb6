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

from kpixl.layout.returns import WorkbookMeta, sign
from kpixl.untrusted.limits import (
    MAX_DEFINED_NAMES,
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
META_PART = "xl/worksheets/sheet4.xml"  # the hidden kpixl sheet
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
    ]


def build_all(sources: Sources) -> dict[str, bytes]:
    return {case.name: case.build(sources) for case in cases()}

