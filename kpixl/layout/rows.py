"""How tall a spreadsheet row must be to show its wrapped text: shared by every workbook kpixl writes (the
collection workbook, and the feedback workbook whose rows LibreOffice otherwise draws one over another).

Spreadsheets do not re-fit rows when a file is opened, so a row written without a height shows one line of
its wrapped text and the next row's text over the rest. Pure: widths in characters, heights in points.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

__all__ = ["LINE_POINTS", "MAX_LINES", "row_height"]

LINE_POINTS = 15.0  # one line of 11-point text
MAX_LINES = 24  # a taller row is a scroll, not a read; the lead can still drag it taller


def _lines(text: str, width: float) -> int:
    per_line = max(width - 1, 1)  # a column's width counts '0's; ordinary text is a little narrower
    if "\n" not in text:  # most cells: one paragraph
        return max(1, math.ceil(len(text) / per_line))
    return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))


def row_height(cells: Iterable[tuple[str, float]], min_lines: int = 1, scale: float = 1.0) -> float:
    """The height (points) that shows every (text, column width) of a row wrapped. Spreadsheets do not
    re-fit rows when a file is opened, so wrapped text would overlap the next row without it."""
    lines = max([min_lines, *(_lines(text, width) for text, width in cells)])
    return min(lines, MAX_LINES) * LINE_POINTS * scale
