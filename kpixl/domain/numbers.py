"""Reading a figure that a person typed: "1,234", " 96 326 ", "68%", "£1,250.50", or a number cell.

People type numbers as text; a spreadsheet hands back floats. Both become an exact Decimal here, and
anything that is not a number says so (never a traceback, never a guess).

A number cell becomes the decimal a spreadsheet shows for it (shown_decimal): Excel and LibreOffice show
and keep at most 15 significant digits, so 0.1 + 0.2 is 0.3 and 9007199254740993 is 9007199254740990, and
that is what kpixl stores; ParsedNumber.held keeps the cell's own longer digits, so that the reader can say
it rounded. Only the digits 0-9 make a number: a regular expression's \\d and Decimal also take other
scripts' digits (Arabic-Indic, full width), which no spreadsheet reads as a number.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from kpixl.errors import NotANumber

__all__ = ["SHOWN_DIGITS", "ParsedNumber", "parse_number", "shown_decimal", "to_decimal"]

_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
# Spaces (including non-breaking and thin ones) and thousands commas inside a number.
_GROUPING = re.compile(r"(?<=[0-9])[,\s\u00a0\u202f\u2009](?=[0-9]{3}([^0-9]|$))")
_MAX_DIGITS = 30  # no real figure is longer; a longer one is damage, not data
_TOO_LARGE = 10**16  # as typed text, a number cell must be under 1e16 (exponent at most 15)


SHOWN_DIGITS = 15  # significant digits Excel and LibreOffice show, keep when saving, and take when typed
_LAST_PLACE = -20  # LibreOffice shows no digit past the 20th decimal place (between 1e-20 and 1e-5)


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal  # a percentage typed with "%" is already divided by 100
    percent_sign: bool = False
    held: Decimal | None = None  # a number cell's own digits, when they are more than a spreadsheet shows


def shown_decimal(value: float) -> Decimal:
    """A double as Excel and LibreOffice show it: its shortest round-trip decimal (Python's repr) rounded to
    15 significant digits, halves away from zero, and (as LibreOffice does between 1e-20 and 1e-5) to no more
    than 20 decimal places. Not f"{x:.15g}", which rounds the exact binary value: 2.134798607145905e16 is
    2.1347986071459048e16 in binary, so .15g gives ...590 where both programs show ...591. Checked against
    LibreOffice 7.4 on 100,000 random doubles (tests/test_intake_ambiguity_fuzz.py keeps checking it)."""
    exact = Decimal(repr(float(value)))
    if not exact:
        return Decimal(0)
    last = exact.adjusted() - (SHOWN_DIGITS - 1)
    if exact.adjusted() >= _LAST_PLACE:
        last = max(last, _LAST_PLACE)
    rounded = exact.quantize(Decimal(1).scaleb(last), rounding=ROUND_HALF_UP).normalize()
    return rounded.quantize(Decimal(1)) if int(rounded.as_tuple().exponent) > 0 else rounded  # 351300, not 3.513E+5


def _checked_cell(value: float) -> None:
    if isinstance(value, bool):
        raise NotANumber("a TRUE/FALSE value is not a figure")
    if isinstance(value, float) and not math.isfinite(value):
        raise NotANumber("the cell holds an error or an infinite value")
    if abs(value) >= _TOO_LARGE:  # 1e308 is a number, but no council's figure, and it breaks formatting
        raise NotANumber(f"'{value:g}' is too large to be a figure")


def _cell_number(value: float) -> ParsedNumber:
    """A number cell's value as a spreadsheet shows it, with its own digits when those are more."""
    _checked_cell(value)
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    value_shown = shown_decimal(value)
    return ParsedNumber(value_shown, held=None if exact == value_shown else exact.normalize())


def to_decimal(value: float) -> Decimal:
    """A spreadsheet's number as the decimal it shows: 0.68 stays 0.68 (not 0.68000000000000005), and a
    value of 16 or 17 significant digits is the 15 every spreadsheet shows."""
    return _cell_number(value).value


def parse_number(raw: object) -> ParsedNumber:
    """A cell's value or a typed string as a number; NotANumber says why it is not one."""
    if isinstance(raw, bool):
        raise NotANumber(f"'{raw}' is a TRUE/FALSE value, not a figure")
    if isinstance(raw, (datetime, date, time)):
        raise NotANumber(f"'{raw}' is a date or time, not a figure")
    if isinstance(raw, (int, float)):
        return _cell_number(raw)
    if isinstance(raw, Decimal):
        return ParsedNumber(raw)
    if not isinstance(raw, str):
        raise NotANumber(f"'{raw}' is not a figure")
    return _parse_text(raw)


def _parse_text(raw: str) -> ParsedNumber:
    # A register repeats its targets and a return its figures' spellings: short texts are parsed once. Long
    # ones are not kept (a cell may hold 32,767 characters, and the cache must stay small).
    return _parse_short(raw) if len(raw) <= _CACHED_TEXT else _parse_any(raw)


_CACHED_TEXT = 40  # characters: every real figure, with its grouping, sign and % or £


@lru_cache(maxsize=4096)
def _parse_short(raw: str) -> ParsedNumber:
    return _parse_any(raw)


def _parse_any(raw: str) -> ParsedNumber:
    if len(raw) <= _MAX_DIGITS and _NUMBER.fullmatch(raw):  # a plain number ("475381", "0.7"): nothing to strip
        return _checked(Decimal(raw), raw, False)
    text = raw.strip().replace("\u2212", "-")
    shown = raw.strip()[:40]
    percent = text.endswith("%")
    if percent:
        text = text[:-1].strip()
    if text.startswith("£"):
        text = text[1:].strip()
    text = _GROUPING.sub("", text)
    if not text or len(text) > _MAX_DIGITS or not _NUMBER.fullmatch(text):
        raise NotANumber(f"'{shown}' is not a number")
    try:
        value = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        raise NotANumber(f"'{shown}' is not a number") from None
    return _checked(value, shown, percent)


def _checked(value: Decimal, shown: str, percent: bool) -> ParsedNumber:
    if value and not -15 <= value.adjusted() <= 15:  # "1e999999999": a number, but no council's figure
        raise NotANumber(f"'{shown}' is too large or too small to be a figure")
    if percent:
        value = value / 100
    return ParsedNumber(value, percent_sign=percent)
