"""What a file is, told by its bytes (never its name), and a clear answer for each kind that is not an .xlsx
return: every file here is made by the test, from nothing or from a real generated return."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from support.intake import Filled, codes, make_filled
from support.zips import ods, ole2, rezip, xlsm, zipped

from kpixl.intake.assess import assess_bytes
from kpixl.untrusted.limits import MAX_FILE_BYTES, MAX_PARTS
from kpixl.untrusted.sniff import Kind, sniff


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("files"))


@pytest.fixture(scope="module")
def real(filled: Filled) -> bytes:
    return filled.filled["libraries"].read_bytes()


def file_codes(filled: Filled, data: bytes, name: str = "return.xlsx") -> list[tuple[str, str, str]]:
    return codes(assess_bytes(filled.ctx, Path(name), data))


@pytest.mark.parametrize(("make", "code", "words"), [
    (lambda real: b"", "FILE_EMPTY", "empty (0 bytes)"),
    (lambda real: ole2("Workbook", "SummaryInformation"), "FILE_XLS", "Excel 97-2003"),
    (lambda real: ole2("EncryptionInfo", "EncryptedPackage", "DataSpaces"), "FILE_ENCRYPTED", "password"),
    (lambda real: ole2("WordDocument"), "FILE_NOT_WORKBOOK", "Word or PowerPoint 97-2003"),
    (lambda real: ods(), "FILE_ODS", "OpenDocument spreadsheet"),
    (xlsm, "FILE_XLSM", "macros"),
    (lambda real: b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n", "FILE_NOT_WORKBOOK", "a PDF document"),
    (lambda real: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "FILE_NOT_WORKBOOK", "an image (PNG)"),
    (lambda real: b"\xff\xd8\xff\xe0" + b"\x00" * 64, "FILE_NOT_WORKBOOK", "an image (JPEG)"),
    (lambda real: b"indicator,value\n36,96326\n", "FILE_NOT_WORKBOOK", "a text or CSV file"),
    (lambda real: b"<html><body>Book1</body></html>", "FILE_NOT_WORKBOOK", "a web page"),
    (lambda real: zipped({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<Types/>"}),
     "FILE_NOT_WORKBOOK", "a Word document"),
    (lambda real: real[: len(real) // 2], "FILE_CORRUPT", "zip structure is broken"),
    (lambda real: real[:100], "FILE_CORRUPT", "zip structure is broken"),
    (lambda real: zipped({"xl/workbook.xml": b"\x00" * 5 * 2**20}), "FILE_TOO_LARGE", "a zip bomb"),
    (lambda real: zipped({f"xl/p{i}.xml": b"" for i in range(MAX_PARTS + 1)}), "FILE_TOO_LARGE", "parts"),
    (lambda real: b"PK\x03\x04" + b"\x01" * MAX_FILE_BYTES, "FILE_TOO_LARGE", "limit 10 MB"),
])
def test_each_kind_of_file_gets_its_own_answer(filled: Filled, real: bytes, make: Callable[[bytes], bytes],
                                               code: str, words: str) -> None:
    result = assess_bytes(filled.ctx, Path("Library return.xlsx"), make(real))
    assert codes(result) == [(code, "", "")]
    assert words in result.report.problems[0].message and result.report.problems[0].hint
    assert not result.accepted and result.figures == []


def test_the_name_does_not_matter_only_the_bytes(filled: Filled, real: bytes) -> None:
    assert file_codes(filled, real, "return.xls") == []
    assert file_codes(filled, real, "no extension") == []
    assert file_codes(filled, ods(), "return.xlsx") == [("FILE_ODS", "", "")]


def test_a_damaged_part_inside_a_whole_zip_is_corrupt_not_a_traceback(filled: Filled, real: bytes) -> None:
    sheet = zipfile.ZipFile(io.BytesIO(real)).read("xl/worksheets/sheet2.xml")
    broken = rezip(real, replace={"xl/worksheets/sheet2.xml": sheet[: len(sheet) // 2]})
    assert file_codes(filled, broken) == [("FILE_CORRUPT", "", "")]


def test_a_byte_flipped_member_fails_its_checksum_cleanly(filled: Filled, real: bytes) -> None:
    info = zipfile.ZipFile(io.BytesIO(real)).getinfo("xl/worksheets/sheet2.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    flipped = real[:start] + bytes([real[start] ^ 0xFF]) + real[start + 1:]
    assert file_codes(filled, flipped)[0][0] == "FILE_CORRUPT"


def test_an_external_entity_is_refused_not_resolved(filled: Filled, real: bytes, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("never read")
    sheet = zipfile.ZipFile(io.BytesIO(real)).read("xl/worksheets/sheet2.xml").decode()
    hostile = sheet.replace("<worksheet", f'<!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]><worksheet', 1)
    hostile = hostile.replace('<v>96326</v>', '<v>&x;</v>', 1)
    data = rezip(real, replace={"xl/worksheets/sheet2.xml": hostile.encode()})
    result = assess_bytes(filled.ctx, Path("r.xlsx"), data)
    assert codes(result) == [("FILE_CORRUPT", "", "")]
    assert "never read" not in str(result.to_dict())


def test_sniff_kinds_and_archive_extensions(real: bytes) -> None:
    assert (sniff(real).kind, sniff(real).ext) == (Kind.XLSX, "xlsx")
    assert (sniff(ods()).kind, sniff(ods()).ext) == (Kind.ODS, "ods")
    assert sniff(ole2("Book")).kind is Kind.XLS
    assert sniff(b"").kind is Kind.EMPTY
