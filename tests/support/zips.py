"""Building zip files and other containers by hand for the tests: a workbook's members replaced, a member
deflated without ever being held whole (a zip bomb's 2 GB exist only in its directory), an OLE2 compound
file with named streams (.xls, password-protected .xlsx), an .ods and an .xlsm. No tests here."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass

from kpixl.untrusted.sniff import OLE2_MAGIC


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


VBA_MARK = b"kpixl-test-macro-Sub AutoOpen()"  # in the fake vbaProject.bin: never in a file kpixl writes


def xlsm(real: bytes) -> bytes:
    types = members_of(real)["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
    return rezip(real, add={"xl/vbaProject.bin": ole2("VBA", "PROJECT") + VBA_MARK},
                 replace={"[Content_Types].xml": types})
