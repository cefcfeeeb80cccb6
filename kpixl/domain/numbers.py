"""Reading a figure that a person typed: "1,234", " 96 326 ", "68%", "£1,250.50", or a number cell.

People type numbers as text; a spreadsheet hands back floats. Both become an exact Decimal here, and
anything that is not a number says so (never a traceback, never a guess).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from kpixl.errors import NotANumber

__all__ = ["ParsedNumber", "parse_number", "to_decimal"]

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# Spaces (including non-breaking and thin ones) and thousands commas inside a number.
_GROUPING = re.compile(r"(?<=\d)[,\s\u00a0\u202f\u2009](?=\d{3}(\D|$))")
_MAX_DIGITS = 30  # no real figure is longer; a longer one is damage, not data
_TOO_LARGE = 10**16  # as typed text, a number cell must be under 1e16 (exponent at most 15)


@dataclass(frozen=True)
class ParsedNumber:
    value: Decimal  # a percentage typed with "%" is already divided by 100
    percent_sign: bool = False


def to_decimal(value: float) -> Decimal:
    """A spreadsheet's float as the decimal a person typed: 0.68 stays 0.68, not 0.68000000000000005."""
    if isinstance(value, bool):
        raise NotANumber("a TRUE/FALSE value is not a figure")
    if isinstance(value, float) and not math.isfinite(value):
        raise NotANumber("the cell holds an error or an infinite value")
    if abs(value) >= _TOO_LARGE:  # 1e308 is a number, but no council's figure, and it breaks formatting
        raise NotANumber(f"'{value:g}' is too large to be a figure")
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(value)).normalize() if abs(value) >= 1e-12 else Decimal(0)


def parse_number(raw: object) -> ParsedNumber:
    """A cell's value or a typed string as a number; NotANumber says why it is not one."""
    if isinstance(raw, bool):
        raise NotANumber(f"'{raw}' is a TRUE/FALSE value, not a figure")
    if isinstance(raw, (datetime, date, time)):
        raise NotANumber(f"'{raw}' is a date or time, not a figure")
    if isinstance(raw, (int, float)):
        return ParsedNumber(to_decimal(raw))
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
