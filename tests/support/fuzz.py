"""Fuzzing the returns reader (issue 7): a real filled return with any value typed in any input cell, or its
bytes flipped or cut. Shared by tests/test_fuzz_returns.py (hypothesis, a few dozen examples) and
benchmarks/fuzz.py (thousands, from a seeded RNG). No tests here.

The only outcomes allowed are a clean rejection (problems with known codes, at least one error) or an
accepted return whose figures equal what was typed. "Equal", precisely:

- a number cell: what Excel and LibreOffice show, the shortest decimal that gives back the same double
  (Python's repr: 0.68 typed is 0.68, not 0.68000000000000005) rounded to 15 significant digits, halves
  away from zero, and with no digit past the 20th decimal place between 1e-20 and 1e-5 (LibreOffice's
  display, checked against LibreOffice itself by tests/test_intake_ambiguity_fuzz.py); 0.1 + 0.2 is 0.3,
  1e-13 is 1e-13; a whole number cell likewise, as the double a spreadsheet holds;
- a number typed as text: the Decimal the text spells once surrounding spaces, a leading £, a trailing %
  (divided by 100) and thousands separators between digit groups are taken away, when what is left is
  digits 0-9 with a sign, point and exponent at most (30 characters), between 1e-15 and 1e15 in size; any
  other text is not a number (other scripts' digits included: no spreadsheet reads them as one);
- text (Commentary, Actions, reasons): the text as typed and as Excel shows it (the escapes _x0009_, _x000A_
  and _x000D_ are a tab, a line feed and a carriage return), with line endings made \\n and surrounding
  whitespace removed; a number typed there reads as Excel shows it in General format (36, not 36.0),
  TRUE/FALSE for a truth value, ISO 8601 for a date or time;
- no figure but a reason: "not available" with that reason; a figure with a reason: provisional.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from kpixl.catalogue import CATALOGUE
from kpixl.domain import FigureStatus
from kpixl.intake.assess import FAILED, ReturnResult
from kpixl.layout.returns import FIRST_ROW, column

SHEET = "xl/worksheets/sheet2.xml"
INPUTS = ("current", "reason", "commentary", "actions", "revised", "revision_reason")
LETTERS = {key: chr(ord("A") + column(key)) for key in INPUTS}
_EPOCH = datetime(1899, 12, 30)
_DATE_FORMATS = (14, 22, 21)  # m/d/yyyy, m/d/yyyy h:mm, h:mm:ss: built into every spreadsheet


class Formula(str):
    """A value typed as a formula (=1+1): the reader must refuse it, never evaluate it."""


class ErrorValue(str):
    """An error a spreadsheet shows in a cell (#DIV/0!)."""


@dataclass(frozen=True)
class Template:
    """A filled return ready to be edited cell by cell."""

    name: str
    members: dict[str, bytes]
    sheet: str  # the Return sheet's XML
    rows: tuple[int, ...]  # its data rows
    typed: dict[str, Any]  # every input cell (A1) -> what the filled return holds there
    date_styles: tuple[int, int, int]  # style indexes for a date, a date and time, a time

    @property
    def refs(self) -> list[str]:
        return sorted(self.typed)


def load_template(path: Path) -> Template:
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    styles = members["xl/styles.xml"].decode()
    count = int(re.search(r'<cellXfs count="(\d+)"', styles).group(1))  # type: ignore[union-attr]
    extra = "".join(f'<xf numFmtId="{n}" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
                    for n in _DATE_FORMATS)
    styles = styles.replace(f'<cellXfs count="{count}">', f'<cellXfs count="{count + 3}">', 1)
    members["xl/styles.xml"] = styles.replace("</cellXfs>", extra + "</cellXfs>", 1).encode()
    sheet = members[SHEET].decode()
    rows = tuple(sorted({int(r) for r in re.findall(r'<row r="(\d+)"', sheet)} - set(range(1, FIRST_ROW))))
    typed = {f"{LETTERS[k]}{r}": _read_cell(sheet, f"{LETTERS[k]}{r}") for k in INPUTS for r in rows}
    return Template(path.name, members, sheet, rows, typed, (count, count + 1, count + 2))


def _cell_pattern(ref: str) -> re.Pattern[str]:
    return re.compile(rf'<c r="{ref}"(?P<attrs>[^>]*?)(?:/>|>(?P<body>.*?)</c>)', re.DOTALL)


def _read_cell(sheet: str, ref: str) -> Any:
    found = _cell_pattern(ref).search(sheet)
    assert found is not None, ref
    body = found.group("body") or ""
    text = re.search(r"<t[^>]*>(.*?)</t>", body, re.DOTALL)
    if text:
        return text.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    number = re.search(r"<v>(.*?)</v>", body)
    if number:
        return int(number.group(1)) if re.fullmatch(r"-?\d+", number.group(1)) else float(number.group(1))
    return None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def cell_xml(ref: str, value: Any, style: str, dates: tuple[int, int, int]) -> str:
    """The cell as a spreadsheet program writes a value of that type."""
    if value is None:
        return f'<c r="{ref}"{style}/>'
    if isinstance(value, Formula):
        return f'<c r="{ref}"{style}><f>{_escape(value[1:])}</f><v>2</v></c>'
    if isinstance(value, ErrorValue):
        return f'<c r="{ref}"{style} t="e"><v>{_escape(value)}</v></c>'
    if isinstance(value, str):
        return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_escape(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"{style}><v>{value!r}</v></c>'
    if isinstance(value, datetime):
        serial, index = (value - _EPOCH).total_seconds() / 86400, dates[1]
    elif isinstance(value, date):
        serial, index = float((value - _EPOCH.date()).days), dates[0]
    else:
        serial, index = (value.hour * 3600 + value.minute * 60 + value.second) / 86400, dates[2]
    return f'<c r="{ref}" s="{index}"><v>{serial!r}</v></c>'


def with_cells(t: Template, edits: dict[str, Any]) -> bytes:
    """The template's bytes with these cells typed over (as a zip a spreadsheet program would save)."""
    sheet = t.sheet
    for ref, value in edits.items():
        match = _cell_pattern(ref).search(sheet)
        assert match is not None, ref
        style = re.search(r' s="\d+"', match.group("attrs"))
        new = cell_xml(ref, value, style.group(0) if style else "", t.date_styles)
        sheet = sheet[:match.start()] + new + sheet[match.end():]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in t.members.items():
            zf.writestr(name, sheet.encode() if name == SHEET else content)
    return out.getvalue()


# The oracle: what "equal to what was typed" means, independently of the reader's code.

_GROUP = re.compile(r"(?<=[0-9])[,\s\u00a0\u202f\u2009](?=[0-9]{3}([^0-9]|$))")  # 1,234 and 96 326
_SPELLED = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")  # at most 30 characters of it


def shown(value: float) -> Decimal:
    """A double as a spreadsheet shows it (see the module's docstring)."""
    exact = Decimal(repr(float(value)))
    if not exact:
        return Decimal(0)
    places = exact.adjusted() - 14
    if -20 <= exact.adjusted():
        places = max(places, -20)
    return exact.quantize(Decimal(f"1e{places}"), rounding=ROUND_HALF_UP).normalize()


def typed_number(value: Any) -> Decimal | None | str:
    """The Decimal a figure cell holds, None when blank, or "not a number" / "refused" (never a figure)."""
    if value is None or (isinstance(value, str) and not isinstance(value, (Formula, ErrorValue))
                         and not value.strip()):
        return None
    if isinstance(value, (Formula, bool, date, time)):
        return "refused"
    if isinstance(value, float) and not math.isfinite(value):
        return "not a number"
    if isinstance(value, (int, float)):
        return shown(value)
    text = excel_shown(value).strip().replace("\u2212", "-")
    percent = text.endswith("%")
    text = _GROUP.sub("", text.removesuffix("%").strip().removeprefix("£").strip())
    if len(text) > 30 or not _SPELLED.fullmatch(text):
        return "not a number"
    number = Decimal(text)
    if number and not -15 <= number.adjusted() <= 15:  # no council's figure; a typo, or damage
        return "not a number"
    return number / 100 if percent else number


def typed_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(sep=" ") if value.time() != time(0) else value.date().isoformat()
    if isinstance(value, (date, time, int, float)):
        return value.isoformat() if isinstance(value, (date, time)) else str(value)
    return excel_shown(str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


def excel_shown(text: str) -> str:
    """A text as Excel shows it: the escapes of tab, line feed and carriage return decoded (any other makes
    the reader refuse the file, which is always allowed)."""
    return re.sub(r"_x000([9AaDd])_", lambda m: {"9": "\t", "a": "\n", "d": "\r"}[m.group(1).lower()], text)


def _clean(result: ReturnResult) -> None:
    """Known codes only, and no problem that is kpixl's own failure (assess_bytes turns a bug into one)."""
    assert all(p.code in CATALOGUE for p in result.report), [p.code for p in result.report]
    assert not any(FAILED in p.message for p in result.report), result.report.problems[0].message


def judge(t: Template, edits: dict[str, Any], result: ReturnResult) -> str:
    """The outcome's name ('accepted', or 'refused: <first error code>'); AssertionError if not allowed."""
    _clean(result)
    if not result.accepted:
        assert result.report.errors
        return f"refused: {result.report.errors[0].code}"
    cells = t.typed | edits
    by_cell = {(f.provenance.cell): f for f in result.figures}
    for row in t.rows:
        _judge_row(row, cells, by_cell)
    assert len(by_cell) == len(result.figures), "two figures from one cell"
    return "accepted"


def _judge_row(row: int, cells: dict[str, Any], by_cell: dict[str, Any]) -> None:
    def cell(key: str) -> Any:
        return cells[f"{LETTERS[key]}{row}"]

    number, reason = typed_number(cell("current")), typed_text(cell("reason"))
    assert number != "refused", f"row {row}: a formula, date or TRUE/FALSE accepted as a figure"
    texts = ("reason", "commentary", "actions", "revision_reason")
    assert not any(isinstance(cell(key), Formula) for key in texts), f"row {row}: a text formula accepted"
    received = by_cell.get(f"{LETTERS['current']}{row}")
    if number is None and not reason:
        assert received is None
        return
    assert received is not None, f"row {row}: the figure typed was dropped"
    figure = received.figure
    expected_value = number if isinstance(number, Decimal) else None
    assert number != "not a number" or reason, f"row {row}: text accepted as a figure"
    assert figure.value == expected_value, (row, figure.value, expected_value)
    assert (figure.reason, figure.commentary, figure.actions) == (
        reason, typed_text(cell("commentary")), typed_text(cell("actions")))
    status = (FigureStatus.NOT_AVAILABLE if expected_value is None
              else FigureStatus.PROVISIONAL if reason else FigureStatus.VALIDATED)
    assert figure.status is status
    revised = by_cell.get(f"{LETTERS['revised']}{row}")
    if revised is not None:
        assert revised.figure.value == typed_number(cell("revised"))
        assert revised.revision_reason == typed_text(cell("revision_reason"))


def judge_bytes(original: ReturnResult, result: ReturnResult) -> str:
    """A damaged copy of an accepted return: refused cleanly, or (the damage missed every byte that
    matters) accepted with exactly the original's figures."""
    _clean(result)
    if not result.accepted:
        assert result.report.errors
        return f"refused: {result.report.errors[0].code}"
    assert [(f.figure, f.revision_reason) for f in result.figures] == [
        (f.figure, f.revision_reason) for f in original.figures]
    return "accepted"

