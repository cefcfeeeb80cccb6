"""The Instructions, Sign-off, Lists and metadata sheets.

Instructions come from workbook_templates/instructions.txt (restylable by a council): a line starting
"# " is a heading (the first one the title); "[input]", "[required]", "[red]", "[amber]", "[green]",
"[blue]" or "[context]" at the start of a line paints the line's cell in that colour, as a key; an empty
line leaves an empty row. One column, wrapped, nothing merged: it reads the same to a screen reader.
"""

from __future__ import annotations

from typing import Any

from kpixl.layout.returns import SIGNOFF_FIELDS, SIGNOFF_HELP, SIGNOFF_TITLE, WorkbookMeta
from kpixl.layout.rows import row_height
from kpixl.workbook.guard import check
from kpixl.workbook.styles import Styles
from kpixl.workbook.validations import LIST_COLUMNS

__all__ = ["KEY_MARKERS", "write_instructions", "write_lists", "write_meta", "write_signoff"]

KEY_MARKERS = ("input", "required", "red", "amber", "green", "blue", "context")
SIGNOFF_WIDTH = 60
WIDTH = 75  # characters: fits a portrait A4 page at 100% (LibreOffice ignores fit-to-width on long sheets)
_SCALE = {"title": 1.4, "heading": 1.2}


def _line_style(line: str, first_heading: bool) -> tuple[str, str]:
    if line.startswith("# "):
        return ("title" if first_heading else "heading"), line[2:].strip()
    for marker in KEY_MARKERS:
        if line.startswith(f"[{marker}]"):
            return f"key_{marker}", line[len(marker) + 2:].strip()
    return "text", line


def write_instructions(sheet: Any, styles: Styles, text: str) -> None:
    check(sheet.set_column(0, 0, WIDTH), "the width of the instructions")
    seen_heading = False
    for row, line in enumerate(text.rstrip().splitlines()):
        line = line.rstrip()
        if not line:
            continue
        style, words = _line_style(line, not seen_heading)
        seen_heading = seen_heading or line.startswith("# ")
        check(sheet.write_string(row, 0, words, styles(style)), f"line {row + 1} of the instructions")
        check(sheet.set_row(row, row_height([(words, WIDTH * 0.9 if style in _SCALE else WIDTH)],
                                            scale=_SCALE.get(style, 1.0))), f"the height of line {row + 1}")
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.protect()


def write_signoff(sheet: Any, styles: Styles) -> None:
    """The head of service's sign-off: a title, what it is for, then each field's label above the cell to type
    in. One column, nothing merged: it reads the same to a screen reader."""
    check(sheet.set_column(0, 0, SIGNOFF_WIDTH), "the width of the sign-off sheet")
    check(sheet.write_string(0, 0, SIGNOFF_TITLE, styles("title")), "the sign-off title")
    check(sheet.write_string(1, 0, SIGNOFF_HELP, styles("text")), "the sign-off help")
    check(sheet.set_row(1, row_height([(SIGNOFF_HELP, SIGNOFF_WIDTH)])), "the height of the sign-off help")
    for _, label, row in SIGNOFF_FIELDS:  # rows are 1-based; xlsxwriter's are 0-based
        check(sheet.write_string(row - 2, 0, label, styles("heading")), f"the sign-off label {label}")
        check(sheet.write_blank(row - 1, 0, None, styles("input")), f"the sign-off input {label}")
    sheet.set_paper(9)  # A4
    sheet.protect()


def write_lists(sheet: Any, styles: Styles) -> None:
    for letter, header, values in LIST_COLUMNS.values():
        col = ord(letter) - ord("A")
        check(sheet.set_column(col, col, 40), f"the width of {header}")
        check(sheet.write_string(0, col, header, styles("header")), header)
        for row, value in enumerate(values, start=1):
            check(sheet.write_string(row, col, value, styles("text")), f"{header}, entry {row}")
    sheet.hide()
    sheet.protect()


def write_meta(sheet: Any, styles: Styles, meta: WorkbookMeta, signature: str) -> None:
    for row, (key, value) in enumerate(meta.pairs(signature)):
        check(sheet.write_string(row, 0, key, styles("meta")), f"the metadata key {key}")
        check(sheet.write_string(row, 1, value, styles("meta")), f"the metadata value of {key}")
    sheet.very_hidden()
    sheet.protect()
