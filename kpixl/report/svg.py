"""A trend as an inline SVG line chart, for the HTML edition: the Word chart's look (charts.py) drawn from the
same Trend, the same value axis (axis.py) and the same label rule (charts.label_below).

The SVG is an image with a name: role="img" and aria-labelledby its <title> (the chart's alt text); the
page prints the trend in words and a table of the figures beside it, so nothing is only in the picture.
The drawing scales with the page (a viewBox, no fixed size). Pure string building, escaped with html.escape.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from kpixl.domain import format_value
from kpixl.report.charts import ACTUAL_COLOUR, GROUP_COLOUR, TARGET_COLOUR, label_below
from kpixl.report.trend import Trend

__all__ = ["HEIGHT", "WIDTH", "chart_svg"]

WIDTH, HEIGHT = 560, 250  # the viewBox; the page sets the drawn size
_LEFT, _RIGHT, _TOP, _BOTTOM = 76, 16, 22, 62  # room for the value labels, the periods and the legend
_TEXT = "#333333"  # 12.6:1 on white
_GRID = "#D9D9D9"


def _fmt(trend: Trend, value: Decimal) -> str:
    return format_value(value, trend.unit, trend.decimals)


def _y(trend: Trend, value: Decimal) -> float:
    axis = trend.axis
    share = float((value - axis.minimum) / (axis.maximum - axis.minimum))
    return round(HEIGHT - _BOTTOM - share * (HEIGHT - _TOP - _BOTTOM), 1)


def _x(index: int, count: int) -> float:
    slot = (WIDTH - _LEFT - _RIGHT) / count  # each period in the middle of its slot, as Word's "between"
    return round(_LEFT + slot * (index + 0.5), 1)


def _grid(trend: Trend) -> list[str]:
    parts = []
    for tick in trend.axis.ticks():
        y = _y(trend, tick)
        parts.append(f'<line x1="{_LEFT}" x2="{WIDTH - _RIGHT}" y1="{y}" y2="{y}" stroke="{_GRID}"/>')
        parts.append(f'<text x="{_LEFT - 6}" y="{y + 4}" text-anchor="end">{escape(_fmt(trend, tick))}</text>')
    return parts


def _periods(trend: Trend) -> list[str]:
    count = len(trend.points)
    base = HEIGHT - _BOTTOM
    return [f'<text x="{_x(n, count)}" y="{base + 18}" text-anchor="middle">{escape(p.label)}</text>'
            for n, p in enumerate(trend.points)]


def _figure_line(trend: Trend) -> list[str]:
    count = len(trend.points)
    runs: list[list[str]] = [[]]  # one polyline per unbroken run of figures: a missing figure is a gap, never 0
    for n, p in enumerate(trend.points):
        if p.value is None:
            runs.append([])
        else:
            runs[-1].append(f"{_x(n, count)},{_y(trend, p.value)}")
    parts = [f'<polyline points="{" ".join(run)}" fill="none" stroke="#{ACTUAL_COLOUR}" stroke-width="2.5"/>'
             for run in runs if len(run) > 1]
    for n, p in enumerate(trend.points):
        if p.value is None:
            continue
        x, y = _x(n, count), _y(trend, p.value)
        below = label_below(p.value, p.target)  # away from the target's mark, as in the Word chart
        parts.append(f'<circle cx="{x}" cy="{y}" r="4" fill="#{ACTUAL_COLOUR}"/>')
        parts.append(f'<text x="{x}" y="{round(y + 18 if below else y - 9, 1)}" text-anchor="middle" '
                     f'fill="#{ACTUAL_COLOUR}">{escape(_fmt(trend, p.value))}</text>')
    return parts


def _target_marks(trend: Trend) -> list[str]:
    count = len(trend.points)
    marks = []
    for n, p in enumerate(trend.points):
        if p.target is not None:
            x, y = _x(n, count), _y(trend, p.target)
            marks.append(f'<line x1="{x - 9}" x2="{x + 9}" y1="{y}" y2="{y}" stroke="#{TARGET_COLOUR}" '
                         'stroke-width="4"/>')
    return marks


def _diamond(x: float, y: float, size: float = 6) -> str:
    return (f'<polygon points="{x},{round(y - size, 1)} {round(x + size, 1)},{y} {x},{round(y + size, 1)} '
            f'{round(x - size, 1)},{y}" fill="#{GROUP_COLOUR}"/>')


def _group_marks(trend: Trend) -> list[str]:
    """The comparison group's mean: a diamond at its period, no line (a mean of other councils is no trend)."""
    count = len(trend.points)
    return [_diamond(_x(n, count), _y(trend, p.group)) for n, p in enumerate(trend.points) if p.group is not None]


def _legend(trend: Trend) -> list[str]:
    y = HEIGHT - 14
    parts = [f'<line x1="{_LEFT}" x2="{_LEFT + 24}" y1="{y}" y2="{y}" stroke="#{ACTUAL_COLOUR}" stroke-width="2.5"/>',
             f'<circle cx="{_LEFT + 12}" cy="{y}" r="4" fill="#{ACTUAL_COLOUR}"/>',
             f'<text x="{_LEFT + 30}" y="{y + 4}">{escape(trend.value_name)}</text>']
    if trend.has_target:
        x = _LEFT + 110
        parts += [f'<line x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" stroke="#{TARGET_COLOUR}" stroke-width="4"/>',
                  f'<text x="{x + 24}" y="{y + 4}">{escape(trend.target_name)}</text>']
    if trend.has_group:
        x = _LEFT + 200
        parts += [_diamond(x + 9, y), f'<text x="{x + 24}" y="{y + 4}">{escape(trend.group_name)}</text>']
    return parts


def chart_svg(trend: Trend, ident: str) -> str:
    """The chart as an <svg> element; ident makes its title's id unique in the page."""
    body = [*_grid(trend), *_periods(trend), *_target_marks(trend), *_group_marks(trend), *_figure_line(trend),
            *_legend(trend)]
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{ident}" '
            f'font-family="Arial, Helvetica, sans-serif" font-size="13" fill="{_TEXT}" '
            f'xmlns="http://www.w3.org/2000/svg"><title id="{ident}">{escape(trend.alt_text)}</title>'
            + "".join(body) + "</svg>")
