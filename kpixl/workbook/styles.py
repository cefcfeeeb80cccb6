"""The look of a collection workbook: cell formats (created once per workbook) and number formats.

Input cells are pale yellow with a border and unlocked; everything else is locked. The RAG colours are the
report's RAG box: Red C00000, Amber FFC000, Green 00B050, Blue 0070C0, with white or black text, whichever
reads better on the colour.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kpixl.domain import Unit

__all__ = [
    "INPUT_FILL",
    "RAG_COLOURS",
    "REQUIRED_FILL",
    "Styles",
    "number_format",
    "unit_label",
]

INPUT_FILL = "#FFF2CC"  # pale yellow
REQUIRED_FILL = "#F8CBAD"  # pale red-orange: an input kpixl expects (Actions when the preview is Red)
CONTEXT_FILL = "#F2F2F2"
RAG_COLOURS = {  # word: (fill, font)
    "Red": ("#C00000", "#FFFFFF"),
    "Amber": ("#FFC000", "#000000"),
    "Green": ("#00B050", "#000000"),
    "Blue": ("#0070C0", "#FFFFFF"),
}

_BASE: dict[str, dict[str, Any]] = {
    "header": {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#D9D9D9", "border": 1},
    "context": {"text_wrap": True, "valign": "top", "border": 1, "border_color": "#BFBFBF"},
    "input": {"text_wrap": True, "valign": "top", "locked": False, "bg_color": INPUT_FILL, "border": 1,
              "border_color": "#7F7F7F"},
    "rag": {"bold": True, "align": "center", "valign": "top", "border": 1, "border_color": "#BFBFBF"},
    "title": {"bold": True, "font_size": 14, "text_wrap": True, "valign": "top"},
    "sheet_title": {"bold": True, "font_size": 14, "valign": "top"},  # not wrapped: it reads across empty cells
    "heading": {"bold": True, "font_size": 12, "text_wrap": True, "valign": "top"},
    "text": {"text_wrap": True, "valign": "top"},
    "key_input": {"text_wrap": True, "valign": "top", "bg_color": INPUT_FILL, "border": 1},
    "key_required": {"text_wrap": True, "valign": "top", "bg_color": REQUIRED_FILL, "border": 1},
    "key_context": {"text_wrap": True, "valign": "top", "bg_color": CONTEXT_FILL, "border": 1},
    "meta": {},
}
for _word, (_fill, _font) in RAG_COLOURS.items():
    _BASE[f"key_{_word.lower()}"] = {"text_wrap": True, "valign": "top", "bg_color": _fill, "font_color": _font,
                                     "bold": True, "border": 1}


class Styles:
    """Formats of one workbook, made on first use and shared by every cell that uses them."""

    def __init__(self, book: Any) -> None:
        self._book = book
        self._made: dict[tuple[str, str], Any] = {}

    def __call__(self, name: str, num_format: str = "") -> Any:
        key = (name, num_format)
        if key not in self._made:
            props = dict(_BASE[name])
            if num_format:
                props["num_format"] = num_format
            self._made[key] = self._book.add_format(props)
        return self._made[key]

    def rag(self, word: str) -> Any:
        """A conditional format (fill and font only) for a RAG word."""
        fill, font = RAG_COLOURS[word]
        return self._book.add_format({"bg_color": fill, "font_color": font, "bold": True})

    def required(self) -> Any:
        return self._book.add_format({"bg_color": REQUIRED_FILL, "border": 2, "border_color": "#C00000"})


def _places(decimals: int | None, default: int) -> str:
    places = default if decimals is None else decimals
    return "." + "0" * places if places > 0 else ""


def number_format(unit: Unit, decimals: int | None, value: Decimal | None = None, for_input: bool = False) -> str:
    """The Excel number format of a figure: as the report prints it for context, a little more for inputs."""
    if unit is Unit.PERCENTAGE:
        return "0" + _places(decimals, 1 if for_input else 0) + "%"
    if unit is Unit.COUNT:
        return "#,##0"
    integral = value is not None and value == value.to_integral_value()
    if unit is Unit.MONEY:
        return '"£"#,##0' + _places(decimals, 0 if integral else 2)
    if decimals is None and for_input:
        return "General"
    if decimals is None and value is not None and not integral:
        decimals = min(2, max(1, -int(value.as_tuple().exponent)))
    return "#,##0" + _places(decimals, 0)


def unit_label(unit: Unit) -> str:
    return unit.label
