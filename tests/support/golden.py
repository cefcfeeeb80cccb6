"""Golden files (tests/golden/README.md): what kpixl writes, made readable and stable, and compared with the
file kept in the repository (no tests here).

Each golden is text: an XML part pretty-printed with its attributes in name order, a shared-string cell
followed by a comment holding its text, and an .eml with what legitimately varies (Date, Message-ID, the MIME
boundary) replaced by a placeholder, its text body decoded and each attachment replaced by its name, size and
a digest of its content.
"""

from __future__ import annotations

import base64
import difflib
import email
import hashlib
import io
import os
import quopri
import re
import zipfile
from email import policy
from pathlib import Path

import pytest
from lxml import etree

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
UPDATE = "KPIXL_UPDATE_GOLDEN"
UPDATE_COMMAND = f"{UPDATE}=1 .venv/bin/python -m pytest -p no:cacheprovider tests/test_golden.py"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
DIFF_LINES = 200  # of a failing comparison, shown; the rest is counted


def pretty_xml(data: bytes, shared: list[str] | None = None) -> str:
    """An XML part indented two spaces a level, each element's attributes in name order; with shared
    strings given, each cell holding one (t="s") is followed by a comment with its text."""
    declaration = data[:data.index(b"?>") + 2].decode() + "\n" if data.startswith(b"<?xml") else ""
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    for element in root.iter(tag=etree.Element):
        items = sorted(element.attrib.items())
        element.attrib.clear()
        element.attrib.update(items)
    if shared is not None:
        for cell in root.iter(f"{{{MAIN}}}c"):
            value = cell.find(f"{{{MAIN}}}v")
            if cell.get("t") == "s" and value is not None and value.text is not None:
                cell.append(etree.Comment(_comment_text(shared[int(value.text)])))
    etree.indent(root, space="  ")
    return declaration + etree.tostring(root, encoding="unicode") + "\n"


def _comment_text(text: str) -> str:
    """Text a comment can hold: on one line, without "--" and not ending in "-"."""
    one_line = text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("--", "-\\-")
    return f" {one_line} "


def shared_strings(book: zipfile.ZipFile) -> list[str]:
    """A workbook's shared strings in index order (rich text runs joined), or [] when it has none."""
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = etree.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in item.iter(f"{{{MAIN}}}t")) for item in root.iterfind(f"{{{MAIN}}}si")]


def sheet_parts(book: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part ("xl/worksheets/sheet2.xml"), read from the workbook and its relationships."""
    rels = etree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iterfind(f"{{{PACKAGE_REL}}}Relationship")}
    workbook = etree.fromstring(book.read("xl/workbook.xml"))
    parts = {}
    for sheet in workbook.iter(f"{{{MAIN}}}sheet"):
        target = targets[sheet.get(f"{{{REL}}}id")]
        parts[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return parts


def zip_digest(data: bytes) -> str:
    """sha256 over a zip's members (each name and its uncompressed bytes, in order): the same content gives
    the same digest whichever zlib compressed it."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            digest.update(info.filename.encode() + b"\0" + archive.read(info) + b"\0")
    return digest.hexdigest()


def eml_text(data: bytes) -> str:
    """An .eml as it was written, with the Date, the Message-ID and the MIME boundary replaced, text parts
    decoded (each part's headers still name its transfer encoding) and each attachment replaced by its name,
    size and digest."""
    text = data.decode("ascii")  # a message on disk is 7-bit: quoted-printable and base64 inside
    boundary = email.message_from_bytes(data, policy=policy.default).get_boundary()
    if boundary:
        text = text.replace(boundary, "<boundary>")
    text = re.sub(r"^Date: .*$", "Date: <date>", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^Message-ID: .*$", "Message-ID: <message-id>", text, count=1, flags=re.MULTILINE)
    if not boundary:
        return _decoded(text)
    # [headers and preamble, delimiter, part, delimiter, part, ..., closing delimiter, epilogue]
    pieces = re.split(r"^(--<boundary>(?:--)?)$", text, flags=re.MULTILINE)
    return "".join(_decoded(piece) if index % 2 == 0 and 0 < index < len(pieces) - 1 else piece
                   for index, piece in enumerate(pieces))


def _decoded(part: str) -> str:
    head, blank, body = part.partition("\n\n")
    return head + blank + _part_body(head, body)


def _part_body(head: str, body: str) -> str:
    encoding = re.search(r"^Content-Transfer-Encoding: (\S+)", head, flags=re.MULTILINE | re.IGNORECASE)
    name = re.search(r'filename="([^"]+)"', head)
    kind = (encoding.group(1) if encoding else "").lower()
    if kind == "base64":
        data = base64.b64decode(body)
        digest = zip_digest(data) if data.startswith(b"PK") else hashlib.sha256(data).hexdigest()
        label = "sha256 of its members" if data.startswith(b"PK") else "sha256"
        return f"<attachment {name.group(1) if name else '(no name)'}: {len(data)} bytes, {label} {digest}>\n"
    if kind == "quoted-printable":
        return quopri.decodestring(body.encode("ascii")).decode("utf-8")
    return body


def check_goldens(actual: dict[str, str]) -> None:
    """Compare each text with tests/golden/<name>, failing with a unified diff of every one that differs.
    With KPIXL_UPDATE_GOLDEN=1 those files are rewritten instead, and the test fails to say so (refused in CI,
    which must never update them)."""
    updating = os.environ.get(UPDATE) == "1"
    if updating and os.environ.get("CI"):
        pytest.fail(f"{UPDATE} is set in CI: golden files are updated only by hand, never by CI", pytrace=False)
    changed = {name: text for name, text in actual.items() if _expected(name) != text}
    if not changed:
        return
    if updating:
        for name, text in changed.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_text(text, encoding="utf-8", newline="\n")
        pytest.fail("Rewritten: " + ", ".join(f"tests/golden/{name}" for name in changed) + ". Review them "
                    "with `git diff tests/golden` and commit them with the change.", pytrace=False)
    diff: list[str] = []
    for name, text in changed.items():
        expected = _expected(name)
        if expected is None:
            diff.append(f"tests/golden/{name} is missing")
            continue
        diff += difflib.unified_diff(expected.splitlines(), text.splitlines(), f"tests/golden/{name}",
                                     "written now", lineterm="")
    shown = "\n".join(diff[:DIFF_LINES])
    more = f"\n... and {len(diff) - DIFF_LINES} more lines of difference" if len(diff) > DIFF_LINES else ""
    pytest.fail(f"What kpixl writes differs from its golden files:\n{shown}{more}\n\nIf the change is intended, "
                f"rewrite them with\n  {UPDATE_COMMAND}\nthen review `git diff tests/golden` and commit them with "
                "the change.", pytrace=False)


def _expected(name: str) -> str | None:
    path = GOLDEN / name
    return path.read_text(encoding="utf-8") if path.is_file() else None
