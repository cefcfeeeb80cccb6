"""The trend charts' one axis rule (kpixl/report/axis.py), value labels that keep off the target's marker, and
the chart's embedded workbook. See docs/report.md, "Charts"."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from support.report import NS

from kpixl.domain import Unit
from kpixl.report.axis import MAX_STEPS, AxisRule, value_axis
from kpixl.report.charts import chart_xml, label_below, workbook_xlsx
from kpixl.report.trend import Trend, TrendPoint

D = Decimal


@pytest.mark.parametrize(("values", "unit", "rule", "expected"), [
    # Counts start at zero; the top is the first round step at or above the highest figure or target.
    ([D(351220), D(380018), D(475381)], Unit.COUNT, AxisRule.ZERO, ("0", "500000", "100000")),
    # Percentages run 0-100%: a 2.4-point drop on a 47.5-51.5% axis no longer looks like a collapse.
    ([D("0.515"), D("0.491")], Unit.PERCENTAGE, AxisRule.ZERO, ("0", "1", "0.2")),
    ([D("1.02"), D("0.9")], Unit.PERCENTAGE, AxisRule.ZERO, ("0", "1.25", "0.25")),  # above 100%: further
    ([D(-5), D(12)], Unit.NUMBER, AxisRule.ZERO, ("-5", "15", "5")),  # a negative figure goes below zero
    # A council's "data" rule: the round values around the figures.
    ([D(351220), D(380018), D(475381)], Unit.COUNT, AxisRule.DATA, ("350000", "500000", "50000")),
    ([D("0.515"), D("0.491")], Unit.PERCENTAGE, AxisRule.DATA, ("0.49", "0.515", "0.005")),
    ([D(120), D(120)], Unit.COUNT, AxisRule.DATA, ("0", "250", "50")),  # flat: around it, never below 0
])
def test_the_axis_rule(values, unit, rule, expected):
    axis = value_axis(values, unit, rule)
    assert tuple(format(v.normalize(), "f") for v in (axis.minimum, axis.maximum, axis.step)) == expected


@given(st.lists(st.decimals(-10**7, 10**7, places=3) | st.none(), max_size=16),
       st.sampled_from(list(Unit)), st.sampled_from(list(AxisRule)))
def test_every_value_is_on_the_axis_in_at_most_five_round_steps(values, unit, rule):
    axis = value_axis(values, unit, rule)
    known = [v for v in values if v is not None]
    assert all(axis.minimum <= v <= axis.maximum for v in known)
    assert 1 <= (axis.maximum - axis.minimum) / axis.step <= MAX_STEPS
    assert axis.step.normalize().as_tuple().digits[0] in (1, 2, 5)  # 1, 2, 2.5 or 5 times a power of ten
    if rule is AxisRule.ZERO and all(v >= 0 for v in known):
        assert axis.minimum == 0


@pytest.mark.parametrize(("value", "target", "below"), [
    (D(380018), D(475381), True),  # the target is above: the label goes below, away from its marker
    (D(99), D(74), False), (D(70), D(70), True), (D(5), None, False), (None, D(5), False)])
def test_a_value_label_goes_on_the_side_away_from_the_target(value, target, below):
    assert label_below(value, target) is below


def _trend(points: tuple[TrendPoint, ...], unit: Unit = Unit.COUNT) -> Trend:
    axis = value_axis([v for p in points for v in (p.value, p.target)], unit)
    return Trend("Visits", "Actual", "Target", unit, None, points, "in words", axis)


def test_the_chart_draws_the_axis_and_puts_labels_away_from_the_target():
    trend = _trend((TrendPoint("Q1", D(351220), None), TrendPoint("Q2", D(380018), D(475381)),
                    TrendPoint("Q3", D(500000), D(475381))))
    chart = etree.fromstring(chart_xml(trend))
    value_axis_ = chart.xpath("//c:valAx", namespaces=NS)[0]
    assert value_axis_.xpath("c:scaling/c:min/@val | c:scaling/c:max/@val | c:majorUnit/@val", namespaces=NS) == [
        "500000", "0", "100000"]
    labels = chart.xpath("//c:ser[1]/c:dLbls", namespaces=NS)[0]
    assert labels.xpath("c:dLbl/c:idx/@val", namespaces=NS) == ["1"]  # only Q2's goes below
    assert labels.xpath("c:dLbl/c:dLblPos/@val | c:dLblPos/@val", namespaces=NS) == ["b", "t"]


def test_the_embedded_workbook_is_a_reproducible_zip_of_the_charts_data():
    trend = _trend((TrendPoint("2023/24 Q1", D(12), D(10)), TrendPoint("2023/24 Q2", None, D(10))))
    data = workbook_xlsx(trend)
    assert data == workbook_xlsx(trend)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert list(sheet.iter_rows(values_only=True)) == [("Period", "Actual", "Target"), ("2023/24 Q1", 12, 10),
                                                       ("2023/24 Q2", None, 10)]
