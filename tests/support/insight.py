"""Helpers for issue 17's tests (docs/insight.md): indicators and figures written briefly, and comparator files
built from readable text. Every value in the comparator samples is SYNTHETIC: made up for the tests, in the
shape the real files have (docs/insight.md says what of that shape could be confirmed). No tests here."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from kpixl.domain import Direction, Figure, FigureStatus, Frequency, Indicator, Kind, Unit, parse_period
from kpixl.domain.indicators import Calculation

Figures = dict[tuple[str, str], Figure]


def indicator(ident: str = "1", **changes: Any) -> Indicator:
    """A quarterly count where higher is better, with the changes given."""
    base = Indicator(ident, f"Indicator {ident}", "svc", ("c",), Unit.COUNT, Direction.UP, Frequency.QUARTERLY,
                     kind=Kind.TARGET)
    return replace(base, **changes)


def calculated(ident: str = "9", scale: str = "100", **changes: Any) -> Indicator:
    """A calculated percentage (courses achieved over courses completed)."""
    changes = {"unit": Unit.PERCENTAGE, **changes}
    return indicator(ident, calculation=Calculation("Courses achieved", "Courses completed", Decimal(scale)),
                     **changes)


def figure(ident: str, period: str, value: str | None, numerator: str | None = None,
           denominator: str | None = None, **changes: Any) -> Figure:
    return Figure(ident, parse_period(period), None if value is None else Decimal(value),
                  FigureStatus.VALIDATED, numerator=None if numerator is None else Decimal(numerator),
                  denominator=None if denominator is None else Decimal(denominator), **changes)


def figures(*items: Figure) -> Figures:
    return {(f.indicator, f.period.slug): f for f in items}


# --- Comparator files (SYNTHETIC values) ------------------------------------------------------------------

SYNTHETIC_GROUP = ("E10000015", "E10000020", "E10000024", "E10000029", "E10000032")
COUNCIL = "E10000003"

# kpixl's own tidy format: one row per value.
TIDY_CSV = """\
indicator,area_code,area_name,period,value
37,E10000003,Cambridgeshire (synthetic),2022/23,"1,480,000"
37,E10000015,Hertfordshire (synthetic),2022/23,"2,100,000"
37,E10000020,Norfolk (synthetic),2022/23,"1,250,000"
37,E10000024,Oxfordshire (synthetic),2022/23,"1,900,000"
37,E10000029,Suffolk (synthetic),2022/23,"1,100,000"
37,E10000032,West Sussex (synthetic),2022/23,-
37,E92000001,England (synthetic),2022/23,"1,300,000"
220,E10000003,Cambridgeshire (synthetic),2023-24-Q1,55%
220,E10000015,Hertfordshire (synthetic),2023-24-Q1,0.61
220,E10000020,Norfolk (synthetic),2023-24-Q1,48%
220,E10000024,Oxfordshire (synthetic),2023-24-Q1,52.5%
"""

# LG Inform's wide download (rowGrouping=area, columnGrouping=period): title lines, the area columns, one
# column per period, a repeated header row, per cent as numbers.
LGINFORM_WIDE_CSV = """\
"SYNTHETIC sample in the shape of an LG Inform download: not published data"
"Percentage of synthetic things done"

area,area label,area long label,2021/22,2022/23
area,area label,area long label,fin_2021_22,fin_2022_23
E10000003,Cambridgeshire,Cambridgeshire County Council,61.2,55.0
E10000015,Hertfordshire,Hertfordshire County Council,64.0,60.5
E10000020,Norfolk,Norfolk County Council,52.1,48.0
E10000024,Oxfordshire,Oxfordshire County Council,null,58.25
E10000029,Suffolk,Suffolk County Council,50.0,50.0
E92000001,England,England,57.0,56.1
"""

# The same values, as the data.table fields saved as CSV (one row per value).
LGINFORM_LONG_CSV = """\
metricTypeIdentifier,metricTypeLabel,areaIdentifier,areaLabel,areaLongLabel,periodIdentifier,periodLabel,value,formatted
7001,Synthetic metric,E10000003,Cambridgeshire,Cambridgeshire County Council,fin_2022_23,2022/23,55.0,55.0%
7001,Synthetic metric,E10000015,Hertfordshire,Hertfordshire County Council,fin_2022_23,2022/23,60.5,60.5%
7001,Synthetic metric,E10000020,Norfolk,Norfolk County Council,fin_2022_23,2022/23,48.0,48.0%
7001,Synthetic metric,E10000024,Oxfordshire,Oxfordshire County Council,fin_2022_23,2022/23,null,-
"""


def write(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """A file as a person would save it (text in the encoding given, lines ending \\r\\n as Excel's)."""
    path = folder / name
    path.write_bytes(text.replace("\n", "\r\n").encode(encoding))
    return path
