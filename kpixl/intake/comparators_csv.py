"""Reading comparator files: published benchmark values as kpixl's tidy CSV or as LG Inform's CSV, wide (one
column per period) or long (one row per value). docs/insight.md says what each holds, and what of LG
Inform's format could be confirmed.

A comparator file comes from outside: it is read once and bounded (size, rows, columns), decoded as UTF-8,
parsed only by the csv module, and every cell stays text until it is read as a number or a period. Each row
that cannot be taken is a problem naming its line; no cell is ever evaluated.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from kpixl.domain import Register, Unit
from kpixl.domain.comparators import BenchmarkPeriod, PublishedValue, parse_benchmark_period
from kpixl.domain.numbers import parse_number
from kpixl.errors import NotANumber, PeriodError
from kpixl.problems import Problem, Where, plural, problem, shown

__all__ = ["LGINFORM", "MAX_BYTES", "MAX_COLUMNS", "MAX_ROWS", "NO_VALUE", "TIDY_COLUMNS", "ComparatorFile",
           "read_comparators"]

MAX_BYTES = 20 * 1024 * 1024  # as a history file: far beyond any download of a few metrics
MAX_ROWS = 200_000  # every English council, every month of ten years, for a few metrics
MAX_COLUMNS = 1_000
HEADER_SEARCH = 30  # lines of titles an LG Inform download may have above its header
LGINFORM = "LG Inform"
TIDY_COLUMNS = ("indicator", "metric", "area_code", "area_name", "period", "value")
# What publishers print where no value is published (suppressed, not available, not applicable).
NO_VALUE = frozenset({"", "-", "–", "..", ".", ":", "x", "c", "z", "u", "*", "n/a", "na", "null", "none",
                      "[c]", "[x]", "[z]", "[u]", "[low]"})
_AREA = re.compile(r"[A-Za-z0-9_-]{1,40}")
_METRIC = re.compile(r"[A-Za-z0-9_.:/-]{1,100}")
_WIDE = ("area", "area label", "area long label")


@dataclass
class ComparatorFile:
    format: str = ""  # "tidy", "lginform-wide", "lginform-long"; "" when the file could not be read
    values: list[PublishedValue] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0  # cells where no value is published


@dataclass
class _Reading:
    """What one file's reading carries along: the file, the register, and what was found so far."""

    file: str
    register: Register
    source: str
    result: ComparatorFile
    seen: dict[tuple[str, str, str, str], int] = field(default_factory=dict)  # (indicator, metric, area, period)

    def add(self, key: str, line: int, about: str = "", **values: object) -> None:
        """A problem at a line of the file (about: the indicator it concerns)."""
        self.result.problems.append(problem(key, Where(self.file, "", f"line {line}", about), **values))

    def keep(self, value: PublishedValue) -> None:
        key = (value.indicator, value.metric, value.area_code, value.period.slug)
        if key in self.seen:
            self.add("COMP_DUPLICATE", value.line, value.indicator, area=value.area_code, period=value.period,
                     first=self.seen[key])
            return
        self.seen[key] = value.line
        self.result.values.append(value)


def _rows(text: str, reading: _Reading) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on; a problem (and the end) at a row kpixl will not read."""
    reader = csv.reader(io.StringIO(text))
    line = 1
    count = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # a NUL byte, a field of over 128 KB, a quote left open
            reading.add("COMP_UNREADABLE", line, detail=exc)
            return
        count += 1
        if count > MAX_ROWS:
            reading.add("COMP_TOO_LARGE/rows", line, limit=MAX_ROWS)
            return
        if len(cells) > MAX_COLUMNS:
            reading.add("COMP_TOO_LARGE/columns", line, limit=MAX_COLUMNS)
            return
        if any("\x00" in cell for cell in cells):  # no text holds one; a database refuses it
            reading.add("COMP_UNREADABLE", line, detail="a NUL character, which no text holds")
            return
        yield line, [cell.strip() for cell in cells]
        line = reader.line_num + 1


def read_comparators(data: bytes, file: str, register: Register, source: str = "",
                     metric: str = "") -> ComparatorFile:
    """Every published value of a comparator file's bytes, and a problem for each row that cannot be taken."""
    result = ComparatorFile()
    reading = _Reading(file, register, source, result)
    if len(data) > MAX_BYTES:
        reading.add("COMP_TOO_LARGE/file", 1, limit=MAX_BYTES // 2**20)
        return result
    try:  # universal newlines, as reading the file as text would
        text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig").read()
    except UnicodeDecodeError:
        result.problems.append(problem("COMP_ENCODING", Where(file)))
        return result
    rows = list(_rows(text, reading))
    if result.problems:
        return result
    _read_rows(rows, reading, metric.strip())
    if not result.values and not any(p.severity.value == "error" for p in result.problems):
        result.problems.append(problem("COMP_EMPTY", Where(file)))
    _unmapped(reading)
    return result


def _read_rows(rows: list[tuple[int, list[str]]], reading: _Reading, metric: str) -> None:
    """LG Inform's header may sit below lines of titles; kpixl's own table starts with its header."""
    for index, (_, cells) in enumerate(rows[:HEADER_SEARCH]):
        names = [c.casefold() for c in cells]
        if names[:3] == list(_WIDE):
            reading.result.format = "lginform-wide"
            reading.source = reading.source or LGINFORM
            _wide(rows[index:], reading, metric)
            return
        if {"areaidentifier", "value"} <= set(names) and {"periodlabel", "periodidentifier"} & set(names):
            reading.result.format = "lginform-long"
            reading.source = reading.source or LGINFORM
            _long(rows[index:], reading)
            return
    first = next((i for i, (_, cells) in enumerate(rows) if any(cells)), None)
    if first is None:
        reading.add("COMP_UNKNOWN_FORMAT", 1, found="nothing")
        return
    line, cells = rows[first]
    heads = {c.casefold() for c in cells}
    if {"area_code", "period", "value"} <= heads and {"indicator", "metric"} & heads:
        reading.result.format = "tidy"
        _tidy(rows[first:], reading)
    else:
        reading.add("COMP_UNKNOWN_FORMAT", line, found=shown(", ".join(cells)))


def _period(text: str, line: int, reading: _Reading, indicator: str = "") -> BenchmarkPeriod | None:
    try:
        return parse_benchmark_period(text)
    except PeriodError as exc:
        reading.add("COMP_BAD_PERIOD", line, indicator, detail=exc)
        return None


def _area(code: str, line: int, reading: _Reading, indicator: str = "") -> bool:
    if not code:
        reading.add("COMP_MISSING", line, indicator, column="area code")
        return False
    if not _AREA.fullmatch(code):
        reading.add("COMP_BAD_AREA", line, indicator, code=shown(code))
        return False
    return True


def _metric(metric: str, line: int, reading: _Reading) -> bool:
    if _METRIC.fullmatch(metric):
        return True
    reading.add("COMP_BAD_METRIC", line, metric=shown(metric))
    return False


def _number(raw: str, line: int, reading: _Reading, indicator: str = "") -> tuple[Decimal, bool] | None:
    """The value and whether it was written with a % sign; None when there is nothing to keep: no value is
    published (counted as skipped), or it is not a number (a problem is added)."""
    if raw.casefold() in NO_VALUE:
        reading.result.skipped += 1
        return None
    try:
        parsed = parse_number(raw)
    except NotANumber as exc:
        reading.add("COMP_NOT_A_NUMBER", line, indicator, detail=exc)
        return None
    return parsed.value, parsed.percent_sign


def _columns(header: Sequence[str]) -> dict[str, int]:
    return {name.casefold(): i for i, name in reversed(list(enumerate(header)))}  # the first of a repeated name


def _cell(cells: Sequence[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def _tidy(rows: list[tuple[int, list[str]]], reading: _Reading) -> None:
    _, header = rows[0]
    columns = _columns(header)
    for line, cells in rows[1:]:
        if not any(cells):
            continue
        ident, metric = _cell(cells, columns, "indicator"), _cell(cells, columns, "metric")
        if not ident and not metric:
            reading.add("COMP_MISSING", line, column="indicator" if "indicator" in columns else "metric")
            continue
        if not ident and not _metric(metric, line, reading):
            continue
        indicator = reading.register.indicator(ident) if ident else None
        if ident and indicator is None:
            reading.add("COMP_UNKNOWN_INDICATOR", line, ident, indicator=shown(ident))
            continue
        code = _cell(cells, columns, "area_code")
        period = _period(_cell(cells, columns, "period"), line, reading, ident)
        if not _area(code, line, reading, ident) or period is None:
            continue
        raw = _cell(cells, columns, "value")
        found = _number(raw, line, reading, ident)
        if found is None:
            continue
        value, percent = found
        if indicator is not None and indicator.unit is Unit.PERCENTAGE and not percent and value > 1:
            reading.add("COMP_PERCENT_SCALE", line, ident, indicator=ident, value=shown(raw))
            continue
        reading.keep(PublishedValue(line, "" if ident else metric, ident, code, _cell(cells, columns, "area_name"),
                                    period, value, False, reading.source))


def _wide(rows: list[tuple[int, list[str]]], reading: _Reading, metric: str) -> None:
    header_line, header = rows[0]
    if not metric:
        reading.add("COMP_NO_METRIC", header_line)
        return
    if not _metric(metric, header_line, reading):
        return
    headers = [cells for _, cells in rows if cells and cells[0].casefold() == "area"]  # labels, identifiers
    periods: dict[int, BenchmarkPeriod] = {}
    for column in range(3, len(header)):
        texts = [h[column] for h in headers if column < len(h) and h[column]]
        period = _first_period(texts)
        if period is None:
            if texts:
                reading.add("COMP_BAD_PERIOD", header_line, detail=f"column {column + 1}, '{shown(texts[0])}' is "
                                                                   "not a period kpixl can read")
            continue
        periods[column] = period
    for line, cells in rows[1:]:
        if not any(cells) or cells[0].casefold() == "area":
            continue
        code = cells[0]
        if not _area(code, line, reading):
            continue
        name = cells[1] if len(cells) > 1 else ""
        for column, period in periods.items():
            found = _number(cells[column] if column < len(cells) else "", line, reading)
            if found is not None:
                value, percent = found  # "68.2%" with its sign is a fraction already; 68.2 alone is per cent
                reading.keep(PublishedValue(line, metric, "", code, name, period, value, not percent,
                                            reading.source))


def _first_period(texts: Sequence[str]) -> BenchmarkPeriod | None:
    for text in texts:
        try:
            return parse_benchmark_period(text)
        except PeriodError:
            continue
    return None


_LONG_REQUIRED = ("metrictypeidentifier", "areaidentifier", "value")


def _long(rows: list[tuple[int, list[str]]], reading: _Reading) -> None:
    header_line, header = rows[0]
    columns = _columns(header)
    missing = [name for name in _LONG_REQUIRED if name not in columns]
    if missing:
        word = "Column" if len(missing) == 1 else plural("Column")
        reading.add("COMP_MISSING_COLUMN", header_line, missing=f"{word} {', '.join(missing)}",
                    columns="metricTypeIdentifier, areaIdentifier, areaLabel, periodLabel, value")
        return
    for line, cells in rows[1:]:
        if not any(cells):
            continue
        metric = _cell(cells, columns, "metrictypeidentifier")
        code = _cell(cells, columns, "areaidentifier")
        if not metric:
            reading.add("COMP_MISSING", line, column="metricTypeIdentifier")
            continue
        if not _metric(metric, line, reading):
            continue
        texts = [_cell(cells, columns, name) for name in ("periodlabel", "periodidentifier")]
        period = _first_period([t for t in texts if t])
        if period is None:
            reading.add("COMP_BAD_PERIOD", line, detail=f"'{shown(next((t for t in texts if t), ''))}' is not a "
                                                        "period kpixl can read")
            continue
        if not _area(code, line, reading):
            continue
        found = _number(_cell(cells, columns, "value"), line, reading)
        if found is not None:
            value, percent = found
            reading.keep(PublishedValue(line, metric, "", code, _cell(cells, columns, "arealabel"), period, value,
                                        not percent, reading.source))


def _unmapped(reading: _Reading) -> None:
    """A warning for each metric no indicator of the register compares with: stored, but shown nowhere yet."""
    mapped = {i.benchmark_metric for i in reading.register.indicators if i.benchmark_metric}
    first: dict[str, int] = {}
    for value in reading.result.values:
        if value.metric and value.metric not in mapped:
            first.setdefault(value.metric, value.line)
    for metric, line in first.items():
        reading.add("COMP_METRIC_UNMAPPED", line, metric=shown(metric))
