"""The hostile and broken files of issue 7, made by the tests from nothing or from a real generated return:
no binary blob from elsewhere. Used by tests/test_hostile_*.py and by benchmarks/hostile.py (which measures
each case's time and peak memory). No tests here.

Each Case builds the bytes of one file and says what kpixl must answer: the problem code and words of the
message naming the limit or the reason. Big payloads are never inflated: the zip bomb is a deflate block of
zeros repeated, so its 2 GB exist only as a number in its zip directory.
"""

from __future__ import annotations

import base64
import io
import random
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from kpixl.intake.limits import (
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_PART_ELEMENTS,
    MAX_PARTS,
    MAX_ROW_CELLS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ROWS,
    MAX_STYLE_ELEMENTS,
    MAX_TEXT_CHARS,
    MAX_UNCOMPRESSED_BYTES,
)
from kpixl.intake.sniff import OLE2_MAGIC
from kpixl.layout import WorkbookMeta, sign

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


# Zips, made the way a tool would make them, or by hand where a tool would refuse.

def rezip(data: bytes, add: dict[str, bytes] | None = None, replace: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, (replace or {}).get(item.filename, src.read(item.filename)))
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def zipped(members: dict[str, bytes], stored_first: bool = False) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, content) in enumerate(members.items()):
            kind = zipfile.ZIP_STORED if stored_first and i == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(name, content, compress_type=kind)
    return out.getvalue()


@dataclass(frozen=True)
class Deflated:
    """A member already deflated: its compressed bytes, inflated size and CRC-32."""

    data: bytes
    size: int
    crc: int


def deflate(content: bytes) -> Deflated:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Deflated(c.compress(content) + c.flush(), len(content), zlib.crc32(content))


def repeated(head: bytes, block: bytes, times: int, tail: bytes) -> Deflated:
    """head + block * times + tail, deflated without ever holding the whole: after a full flush a deflate
    stream restarts from nothing, so the block's compressed form can be repeated as bytes."""
    def flushed(part: bytes) -> bytes:
        c = zlib.compressobj(6, zlib.DEFLATED, -15)
        return c.compress(part) + c.flush(zlib.Z_FULL_FLUSH)

    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    last = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = flushed(head) + flushed(block) * times + last.compress(tail) + last.flush()
    return Deflated(data, len(head) + len(block) * times + len(tail), crc)


def handmade_zip(members: dict[str, Deflated]) -> bytes:
    """A zip written byte by byte (zipfile would inflate nothing, but would want the content in hand)."""
    out, directory = io.BytesIO(), io.BytesIO()
    for name, m in members.items():
        encoded, offset = name.encode(), out.tell()
        fields = (20, 0, 8, 0, 0x21, m.crc, len(m.data), m.size, len(encoded), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + m.data)
        directory.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset)
                        + encoded)
    start, listing = out.tell(), directory.getvalue()
    out.write(listing + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(listing),
                                    start, 0))
    return out.getvalue()


def members_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def with_members(real: bytes, changed: dict[str, Deflated]) -> bytes:
    """The real workbook with some members replaced or added, as deflated by hand."""
    members = {name: deflate(content) for name, content in members_of(real).items()}
    return handmade_zip(members | changed)


def part(data: bytes, name: str) -> str:
    return members_of(data)[name].decode()


# Files that are not workbooks.

def ole2(*streams: str) -> bytes:
    """A compound file (the container of .xls and of password-protected .xlsx): header, one FAT sector and
    one directory sector holding the root entry and the named streams."""
    header = bytearray(512)
    header[0:8] = OLE2_MAGIC
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIII", header, 0x2C, 1, 1, 0, 0x1000)  # 1 FAT sector; directory at sector 1
    struct.pack_into("<III", header, 0x3C, 0xFFFFFFFE, 0, 0xFFFFFFFE)
    header[0x4C:0x200] = b"\xff" * (0x200 - 0x4C)
    struct.pack_into("<I", header, 0x4C, 0)  # the FAT is sector 0
    fat = struct.pack("<III", 0xFFFFFFFD, 0xFFFFFFFE, 0xFFFFFFFE) + b"\xff" * (512 - 12)
    directory = b""
    for i, name in enumerate(("Root Entry", *streams)):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        entry[0:len(encoded)] = encoded
        struct.pack_into("<HBB", entry, 64, len(encoded), 5 if i == 0 else 2, 1)
        struct.pack_into("<III", entry, 68, 0xFFFFFFFF, 0xFFFFFFFF, 1 if i == 0 else 0xFFFFFFFF)
        directory += bytes(entry)
    directory += b"\x00" * (512 - len(directory) % 512)
    return bytes(header) + fat + directory + b"\x00" * 512


def ods() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet",
                   "content.xml": b"<office:document-content/>", "META-INF/manifest.xml": b"<manifest/>"},
                  stored_first=True)


VBA_MARK = b"kpixl-test-macro-Sub AutoOpen()"  # inside the fake vbaProject.bin: never in a file kpixl writes


def xlsm(real: bytes) -> bytes:
    types = members_of(real)["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    return rezip(real, add={"xl/vbaProject.bin": ole2("VBA", "PROJECT") + VBA_MARK},
                 replace={"[Content_Types].xml": types})


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


def in_part(name: str, doctype: str, use: str = "") -> Callable[[Sources], bytes]:
    def build(s: Sources) -> bytes:
        return rezip(s.real, replace={name: with_doctype(part(s.real, name), doctype, use).encode()})
    return build


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
    return with_members(real, {"[Content_Types].xml": deflate(types), "xl/_rels/workbook.xml.rels": deflate(rels),
                               "xl/sharedStrings.xml": table})


SST_HEAD = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def xxe_shared_strings(s: Sources) -> bytes:
    table = SST_HEAD.replace(b"<sst", XXE.encode() + b"<sst") + b"<si><t>&x;</t></si></sst>"
    return with_shared_strings(s.real, deflate(table))


def many_shared_strings(s: Sources) -> bytes:
    """1.2 million distinct shared strings: 23 MB, under the part limit, and random enough (about 5 to 1)
    that no compression ratio gives them away."""
    count = 1_200_000
    letters = base64.b64encode(random.Random(7).randbytes(3 * count))
    body = b"".join(b"<si><t>" + letters[i:i + 4] + b"</t></si>" for i in range(0, 4 * count, 4))
    return with_shared_strings(s.real, deflate(SST_HEAD + body + b"</sst>"))


# Sizes.

def zip_bomb(s: Sources) -> bytes:
    """The Return sheet replaced by 2 GB of zeros deflated to about 2 MB."""
    return with_members(s.real, {RETURN_PART: repeated(b"", bytes(MB), 2048, b"")})


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


def huge_dimension(s: Sources) -> bytes:
    return sheet_with(s, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml))


def empty_rows(s: Sources) -> bytes:
    """A million and more empty rows after the real ones: 19 MB that compress only 7 to 1."""
    xml = part(s.real, RETURN_PART)
    head, tail = xml.split("</sheetData>")
    rows = b"".join(b'<row r="%d"/>' % i for i in range(100, 1_200_100))
    return with_members(s.real, {RETURN_PART: deflate(head.encode() + rows + b"</sheetData>" + tail.encode())})


def commentary(xml: str) -> tuple[str, str]:
    """The sheet split around the first Commentary cell's text (M2), for a text to go in between."""
    match = re.search(r'(<c r="M2"[^>]*t="inlineStr"[^>]*><is><t[^>]*>)[^<]*(</t>)', xml)
    assert match is not None, "the Return sheet's M2 holds the commentary as an inline string"
    return xml[:match.start()] + match.group(1), match.group(2) + xml[match.end():]


def commentary_100mb(s: Sources) -> bytes:
    head, tail = commentary(part(s.real, RETURN_PART))
    block = (b"The figure fell because the library was closed for refurbishment. " * 16000)[:MB]
    return with_members(s.real, {RETURN_PART: repeated(head.encode(), block, 100, tail.encode())})


def commentary_long(s: Sources) -> bytes:
    """A commentary of 600,000 characters: under every zip limit, far over what an Excel cell holds."""
    head, tail = commentary(part(s.real, RETURN_PART))
    words = random.Random(3).choices(["library", "visits", "fell", "rose", "because", "the", "summer"], k=90000)
    return rezip(s.real, replace={RETURN_PART: (head + " ".join(words)[:600_000] + tail).encode()})


def styles_bomb(s: Sources) -> bytes:
    """30,000 cell formats, each different enough that the part compresses only about 10 to 1."""
    rng = random.Random(5)
    xfs = "".join(f'<xf numFmtId="{rng.randrange(200)}" fontId="0" fillId="0" borderId="0" applyAlignment="1">'
                  f'<alignment indent="{rng.randrange(15)}"/></xf>' for _ in range(30_000))
    xml = re.sub(r'<cellXfs count="\d+">', f'<cellXfs count="30000">{xfs}', part(s.real, "xl/styles.xml"), count=1)
    return rezip(s.real, replace={"xl/styles.xml": xml.encode()})


def names_bomb(s: Sources) -> bytes:
    """The workbook part with over 100,000 defined names, each different."""
    rng = random.Random(6)
    names = "".join(f'<definedName name="n{i}">Return!$A${rng.randrange(1, 999)}</definedName>'
                     for i in range(MAX_PART_ELEMENTS))
    xml = part(s.real, "xl/workbook.xml").replace("</workbook>", f"<definedNames>{names}</definedNames></workbook>")
    return rezip(s.real, replace={"xl/workbook.xml": xml.encode()})


def wide_row(s: Sources) -> bytes:
    cells = "".join(f"<c><v>{i}</v></c>" for i in range(MAX_ROW_CELLS + 1))
    return sheet_with(s, lambda xml: xml.replace("</sheetData>", f'<row r="90">{cells}</row></sheetData>'))


def xxe_utf16(s: Sources) -> bytes:
    """The entity hidden from a byte search: the part re-encoded as UTF-16."""
    xml = with_doctype(part(s.real, RETURN_PART), XXE, "&x;")
    xml = '<?xml version="1.0" encoding="UTF-16"?>' + xml.split("?>", 1)[-1] if xml.startswith("<?xml") else xml
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
    return [
        Case("xxe-sheet.xlsx", in_part(RETURN_PART, XXE, "&x;"), "FILE_CORRUPT", "document type"),
        Case("xxe-workbook.xlsx", in_part("xl/workbook.xml", XXE), "FILE_CORRUPT", "document type"),
        Case("xxe-shared-strings.xlsx", xxe_shared_strings, "FILE_CORRUPT", "document type"),
        Case("xxe-utf16.xlsx", xxe_utf16, "FILE_CORRUPT", "document type"),
        Case("billion-laughs.xlsx", in_part(RETURN_PART, LAUGHS, "&i;"), "FILE_CORRUPT", "document type"),
        Case("zip-bomb.xlsx", zip_bomb, "FILE_TOO_LARGE", f"inflates to 2048 MB (limit {MAX_PART_BYTES // MB} MB)"),
        Case("ratio-bomb.xlsx", ratio_bomb, "FILE_TOO_LARGE", "a zip bomb"),
        Case("quilt-bomb.xlsx", quilt_bomb, "FILE_TOO_LARGE", f"(limit {MAX_UNCOMPRESSED_BYTES // MB} MB)"),
        Case("too-many-parts.xlsx", too_many_parts, "FILE_TOO_LARGE", f"(limit {MAX_PARTS:,})"),
        Case("huge-dimension.xlsx", huge_dimension, "FILE_TOO_LARGE", f"XFD1048576 (limit {MAX_SHEET_ROWS:,} rows)"),
        Case("empty-rows.xlsx", empty_rows, "FILE_TOO_LARGE", f"(limit {MAX_SHEET_ROWS:,})"),
        Case("styles-bomb.xlsx", styles_bomb, "FILE_TOO_LARGE", f"(limit {MAX_STYLE_ELEMENTS:,})"),
        Case("names-bomb.xlsx", names_bomb, "FILE_TOO_LARGE", f"(limit {MAX_PART_ELEMENTS:,})"),
        Case("wide-row.xlsx", wide_row, "FILE_TOO_LARGE", f"(limit {MAX_ROW_CELLS:,})"),
        Case("commentary-100mb.xlsx", commentary_100mb, "FILE_TOO_LARGE", "inflates to 100 MB"),
        Case("commentary-600k.xlsx", commentary_long, "FILE_TOO_LARGE", f"over {MAX_TEXT_CHARS:,} characters"),
        Case("shared-strings.xlsx", many_shared_strings, "FILE_TOO_LARGE", f"(limit {MAX_SHARED_STRINGS:,})"),
        Case("big.xlsx", lambda s: b"PK\x03\x04" + bytes(MAX_FILE_BYTES), "FILE_TOO_LARGE",
             f"(limit {MAX_FILE_BYTES // MB} MB)"),
        Case("empty.xlsx", lambda s: b"", "FILE_EMPTY", "0 bytes"),
        Case("report.pdf.xlsx", lambda s: b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "FILE_NOT_WORKBOOK", "a PDF"),
        Case("photo.png.xlsx", lambda s: b"\x89PNG\r\n\x1a\n" + bytes(64), "FILE_NOT_WORKBOOK", "an image (PNG)"),
        Case("truncated.xlsx", truncated, "FILE_CORRUPT", "zip structure is broken"),
        Case("encrypted.xlsx", lambda s: ole2("EncryptionInfo", "EncryptedPackage"), "FILE_ENCRYPTED", "password"),
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

