"""The register's new facts for issue 17 (docs/insight.md): calculated indicators (Numerator, Denominator,
Scale), the Benchmark metric, and the warning for a cumulative or monthly indicator without a target profile."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest

from kpixl.domain import Calculation
from kpixl.problems import Where, problem
from kpixl.register import load_register
from kpixl.register.yaml_file import dump_yaml
from kpixl.workbook.register_book import write_register_workbook

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cambridgeshire-csmi" / "register.yaml"
HEAD = """\
services: [{id: s, name: S, lead_email: lead@example.org}]
committees: [{id: c, name: C}]
indicators:
"""


def register_text(*indicators: str) -> str:
    return HEAD + "".join(indicators)


def one(ident: str = "138", unit: str = "percentage", frequency: str = "quarterly", cumulative: str = "no",
        extra: str = "", targets: str = '{"2023-24-Q2": "94%"}') -> str:
    return f"""\
  - id: "{ident}"
    title: T{ident}
    service: s
    committees: [c]
    unit: {unit}
    direction: up
    frequency: {frequency}
    comparison: previous_period
    cumulative: {cumulative}
    kind: target
    targets: {targets}
{extra}"""


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "register.yaml"
    path.write_text(text, encoding="utf-8")
    return load_register(path)


CALCULATED = "    numerator: Courses achieved\n    denominator: Courses completed\n    benchmark_metric: '7001'\n"


def test_a_calculated_indicator_reads_with_its_labels_and_default_scale(tmp_path: Path) -> None:
    loaded = load(tmp_path, register_text(one(extra=CALCULATED),
                                          one("5", unit="rate", extra="    numerator: Incidents\n"
                                              "    denominator: Households\n    scale: 1000\n",
                                              targets="{}")))
    assert [p.code for p in loaded.report] == ["REG_NO_TARGET"]
    percent, per_thousand = loaded.register.indicators
    assert percent.calculation == Calculation("Courses achieved", "Courses completed", D(100))
    assert percent.benchmark_metric == "7001"
    assert per_thousand.calculation == Calculation("Incidents", "Households", D(1000))


@pytest.mark.parametrize("suffix", [".yaml", ".xlsx"])
def test_the_new_columns_survive_an_export(tmp_path: Path, suffix: str) -> None:
    loaded = load(tmp_path, register_text(one(extra=CALCULATED)))
    out = tmp_path / f"again{suffix}"
    if suffix == ".yaml":
        out.write_text(dump_yaml(loaded.register), encoding="utf-8")
    else:
        write_register_workbook(out, loaded.register)
    again = load_register(out)
    assert again.report.valid and again.register.indicators == loaded.register.indicators


@pytest.mark.parametrize("extra, key, cell", [
    ("    numerator: Courses achieved\n", "REG_CALC_INCOMPLETE", "Denominator"),
    ("    denominator: Courses completed\n", "REG_CALC_INCOMPLETE", "Numerator"),
    ("    scale: 100\n", "REG_CALC_INCOMPLETE", "Numerator"),
])
def test_half_a_calculation_is_refused(tmp_path: Path, extra: str, key: str, cell: str) -> None:
    [found] = load(tmp_path, register_text(one(extra=extra))).report
    expected = problem(key, Where("register.yaml", "Indicators", found.cell, "138"), indicator="138", missing=cell)
    assert found == expected


@pytest.mark.parametrize("unit, scale, key", [
    ("percentage", "1000", "REG_CALC_SCALE/percentage"),
    ("rate", "0", "REG_CALC_SCALE"),
    ("rate", "-5", "REG_CALC_SCALE"),
])
def test_a_scale_must_fit_the_unit(tmp_path: Path, unit: str, scale: str, key: str) -> None:
    targets = '{"2023-24-Q2": "94%"}' if unit == "percentage" else '{"2023-24-Q2": 5}'
    loaded = load(tmp_path, register_text(one(unit=unit, targets=targets,
                                              extra=f"    numerator: A\n    denominator: B\n    scale: {scale}\n")))
    [found] = loaded.report
    assert found == problem(key, Where("register.yaml", "Indicators", found.cell, "138"), indicator="138",
                            scale=D(scale))


def test_a_calculated_count_is_refused(tmp_path: Path) -> None:
    loaded = load(tmp_path, register_text(one(unit="count", targets='{"2023-24-Q2": 5}',
                                              extra="    numerator: A\n    denominator: B\n    scale: 1\n")))
    assert [p.code for p in loaded.report] == ["REG_CALC_UNIT"]


MONTHLY_CUMULATIVE = {"ident": "221", "unit": "hours", "frequency": "monthly", "cumulative": "yes"}


def test_a_cumulative_monthly_indicator_with_only_a_yearly_target_is_warned(tmp_path: Path) -> None:
    """Issue 17: rated Red every month without a word. Now register check says why, at the target's row."""
    loaded = load(tmp_path, register_text(one(**MONTHLY_CUMULATIVE, targets='{"2023-24": 3500}')))
    [found] = loaded.report
    assert found == problem("REG_TARGET_PROFILE", Where("register.yaml", "Targets", found.cell, "221"),
                            indicator="221", what="cumulative", count=12, of=12, year="2023/24", first="2023-04",
                            word="month")
    assert found.severity.value == "warning"


@pytest.mark.parametrize("kwargs, targets", [
    (MONTHLY_CUMULATIVE, "{" + ", ".join(f'"2023-{m:02d}": {m * 100}' for m in range(4, 13)) +
     ', "2024-01": 1, "2024-02": 2, "2024-03": 3, "2023-24": 3500}'),  # a full profile beside the year's
    ({"ident": "220", "frequency": "monthly"}, '{"2023-24": "60%"}'),  # a monthly percentage: one target fits all
    ({"ident": "37", "unit": "count"}, '{"2023-24": 475381}'),  # quarterly and not cumulative
])
def test_no_warning_where_the_years_target_is_right_for_each_period(tmp_path: Path, kwargs: dict[str, str],
                                                                      targets: str) -> None:
    loaded = load(tmp_path, register_text(one(**kwargs, targets=targets)))
    assert [p.code for p in loaded.report] == []


def test_a_quarterly_cumulative_indicator_missing_quarters_is_warned_once(tmp_path: Path) -> None:
    loaded = load(tmp_path, register_text(one("136", unit="count", cumulative="yes",
                                              targets='{"2023-24": 2400, "2023-24-Q2": 1128}')))
    [found] = loaded.report
    assert (found.code, "3 of its 4 periods in 2023/24 (from 2023-24-Q1)" in found.message) == \
        ("REG_TARGET_PROFILE", True)


def test_the_seed_example_register_is_still_clean() -> None:
    assert list(load_register(EXAMPLE).report) == []
