"""Comparator files (docs/insight.md, section 1): kpixl's tidy CSV and LG Inform's CSV read, bad rows answered
at their line, the values archived and stored once, and the council's rank among its group. Every value in
these files is SYNTHETIC (tests/support/insight.py)."""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal as D
from pathlib import Path

import pytest
from support.insight import LGINFORM_LONG_CSV, LGINFORM_WIDE_CSV, TIDY_CSV, write

from kpixl.domain import Register
from kpixl.errors import ConfigError
from kpixl.intake import comparators_csv
from kpixl.intake.comparators_csv import read_comparators
from kpixl.problems import Where, problem
from kpixl.register import load_register
from kpixl.steps.check import check_integrity
from kpixl.steps.comparators import comparator_view, import_comparators
from kpixl.steps.workspace import Workspace, load_config

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cambridgeshire-csmi" / "register.yaml"
REGISTER = load_register(EXAMPLE).register
def read(text: str, register: Register = REGISTER, metric: str = "", encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    data = text.replace("\n", "\r\n").encode(encoding)
    return read_comparators(data, "comparators.csv", register, metric=metric)


def test_the_tidy_format_is_read_with_its_lines_and_numbers_as_people_write_them() -> None:
    found = read(TIDY_CSV)
    assert (found.format, found.problems, found.skipped) == ("tidy", [], 1)  # West Sussex's "-"
    by = {(v.indicator, v.area_code): v for v in found.values}
    assert len(found.values) == 10
    assert (by[("37", "E10000003")].value, by[("37", "E10000003")].line) == (D(1480000), 2)
    assert by[("37", "E10000003")].area_name == "Cambridgeshire (synthetic)"
    assert by[("37", "E10000003")].period.slug == "2022-23"
    assert [by[("220", a)].value for a in ("E10000003", "E10000015", "E10000020", "E10000024")] == \
        [D("0.55"), D("0.61"), D("0.48"), D("0.525")]
    assert not any(v.per_cent for v in found.values)


def test_lg_informs_wide_download_is_read_past_its_titles_and_repeated_header() -> None:
    found = read(LGINFORM_WIDE_CSV, metric="7001")
    assert found.format == "lginform-wide" and found.skipped == 1  # Oxfordshire's null
    assert len(found.values) == 11 and all(v.per_cent and v.metric == "7001" for v in found.values)
    first = found.values[0]
    assert (first.line, first.area_code, first.area_name, first.period.slug, first.value, first.source) == \
        (6, "E10000003", "Cambridgeshire", "2021-22", D("61.2"), "LG Inform")
    # No indicator of the example register compares with metric 7001: stored, and the officer is told.
    assert [(p.code, p.cell) for p in found.problems] == [("COMP_METRIC_UNMAPPED", "line 6")]


def test_lg_informs_long_table_is_read_one_row_per_value() -> None:
    found = read(LGINFORM_LONG_CSV)
    assert found.format == "lginform-long" and found.skipped == 1
    assert [(v.area_code, v.period.slug, v.value) for v in found.values] == [
        ("E10000003", "2022-23", D("55.0")), ("E10000015", "2022-23", D("60.5")), ("E10000020", "2022-23", D("48.0"))]


def test_a_mapped_metric_is_not_warned_about() -> None:
    register = load_register(EXAMPLE).register
    mapped = Register(register.services, register.committees, tuple(
        i if i.id != "220" else type(i)(**{**vars(i), "benchmark_metric": "7001"}) for i in register.indicators))
    assert read(LGINFORM_WIDE_CSV, mapped, metric="7001").problems == []


def test_a_wide_download_needs_its_metric() -> None:
    found = read(LGINFORM_WIDE_CSV)
    assert [(p.code, p.cell) for p in found.problems] == [("COMP_NO_METRIC", "line 4")]
    assert [p.code for p in read(LGINFORM_WIDE_CSV, metric="72 01").problems] == ["COMP_BAD_METRIC"]


BAD_ROWS = """\
indicator,metric,area_code,area_name,period,value
37,,E10000003,A,2022/23,100
999,,E10000003,A,2022/23,100
37,,E10000015,A,the year before,100
37,,E10000020,A,2022/23,lots
220,,E10000003,A,2022/23,68
37,,E10000003,A,2022-23,200
37,,E1 0003,A,2022/23,100
,,E10000024,A,2022/23,100
,m 1,E10000024,A,2022/23,100
"""


def test_every_bad_row_is_answered_at_its_line() -> None:
    found = read(BAD_ROWS)
    at = Where("comparators.csv", "", "")
    assert [(p.code, p.cell, p.indicator) for p in found.problems] == [
        ("COMP_UNKNOWN_INDICATOR", "line 3", "999"), ("COMP_BAD_PERIOD", "line 4", "37"),
        ("COMP_NOT_A_NUMBER", "line 5", "37"), ("COMP_PERCENT_SCALE", "line 6", "220"),
        ("COMP_DUPLICATE", "line 7", "37"), ("COMP_BAD_AREA", "line 8", "37"), ("COMP_MISSING", "line 9", ""),
        ("COMP_BAD_METRIC", "line 10", "")]
    assert found.problems[4] == problem("COMP_DUPLICATE", at.at("line 7", "37"), area="E10000003",
                                        period="2022/23", first=2)
    assert found.problems[3].hint == "Did you mean 68%? Write percentages with a % sign (or as a fraction: 0.68)."


def test_text_is_only_ever_text() -> None:
    found = read('indicator,area_code,area_name,period,value\n37,E10000003,"=HYPERLINK(""http://x"")",2022/23,1\n')
    assert found.problems == [] and found.values[0].area_name == '=HYPERLINK("http://x")'


@pytest.mark.parametrize("data, key", [
    ("indicator,area_code,period,value\n37,E1,2022/23,£5\n".encode("cp1252"), "COMP_ENCODING"),
    (b"name,age\nAnn,5\n", "COMP_UNKNOWN_FORMAT"),
    (b"", "COMP_UNKNOWN_FORMAT"),
    (b"indicator,area_code,period,value\n37,E1,2022/23,-\n", "COMP_EMPTY"),
    (b"indicator,area_code,period,value\n37,E1,2022/23," + b"9" * 140_000 + b"\n", "COMP_UNREADABLE"),
    (b"indicator,area_code,period,value\n37,E1\x00,2022/23,5\n", "COMP_UNREADABLE"),
    (b"area,area label,area long label," + b",".join(b"p" for _ in range(1001)) + b"\n", "COMP_TOO_LARGE"),
])
def test_a_file_kpixl_cannot_use_says_why(data: bytes, key: str) -> None:
    found = read_comparators(data, "comparators.csv", REGISTER, metric="1")
    assert [p.code for p in found.problems] == [key] and found.values == []


def test_size_and_row_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(comparators_csv, "MAX_ROWS", 3)
    assert [(p.code, p.message) for p in read(TIDY_CSV).problems] == [
        ("COMP_TOO_LARGE", "The file has more than 3 rows; kpixl stopped reading here.")]
    monkeypatch.setattr(comparators_csv, "MAX_BYTES", 10)
    assert [p.code for p in read(TIDY_CSV).problems] == ["COMP_TOO_LARGE"]


# --- Importing into a workspace ---------------------------------------------------------------------------


def test_an_import_is_archived_and_stored_once(example_ws: Workspace, tmp_path: Path) -> None:
    path = write(tmp_path, "benchmarks.csv", TIDY_CSV)
    result = import_comparators(example_ws, path, source="Synthetic test data")
    assert result.report.valid and result.recorded is not None and result.recorded.values == 10
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.archived == example_ws.root / "archive" / f"{sha}.csv.bin"
    again = import_comparators(example_ws, path)
    assert again.recorded is not None and again.recorded.duplicate
    integrity = check_integrity(example_ws)
    assert integrity.ok and integrity.comparators == 1 and integrity.to_dict()["comparator_imports"] == 1


def test_a_file_with_an_error_leaves_nothing_behind(example_ws: Workspace, tmp_path: Path) -> None:
    archive = example_ws.root / "archive"
    before = sorted(archive.iterdir())  # the example's history file
    result = import_comparators(example_ws, write(tmp_path, "bad.csv", BAD_ROWS))
    assert not result.report.valid and result.recorded is None and result.archived is None
    assert sorted(archive.iterdir()) == before
    wrong = import_comparators(example_ws, write(tmp_path, "bad.xlsx", "x"))
    assert [p.code for p in wrong.report] == ["COMP_UNKNOWN_FORMAT"]


def test_the_councils_rank_among_its_group(example_ws: Workspace, tmp_path: Path) -> None:
    """The example's [comparators] group (synthetic): four neighbours, West Sussex not among them."""
    ws = example_ws
    import_comparators(ws, write(tmp_path, "benchmarks.csv", TIDY_CSV))
    view = comparator_view(ws, "37")
    found = view.benchmark
    assert found is not None and found.period is not None and found.period.slug == "2022-23"
    assert (found.council, found.council_source, found.group_count) == (D(1480000), "published", 4)
    assert (found.group_mean, found.national) == (D(1587500), D(1300000))
    assert found.text == "3rd of 5 synthetic neighbours, third quartile"
    assert len(view.stored) == 6 and view.up_to is not None and view.up_to.isoformat() == "2023-09-30"


def test_lg_inform_values_are_found_through_a_mapping_made_after_the_import(example_ws: Workspace,
                                                                          tmp_path: Path) -> None:
    ws = example_ws
    imported = import_comparators(ws, write(tmp_path, "lginform.csv", LGINFORM_WIDE_CSV), metric="7001")
    assert [p.code for p in imported.report] == ["COMP_METRIC_UNMAPPED"] and imported.exit_code == 0
    assert comparator_view(ws, "220").stored == []
    register = ws.register_path
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace('  - id: "220"\n', '  - id: "220"\n    benchmark_metric: "7001"\n'),
                        encoding="utf-8")
    view = comparator_view(ws, "220")
    found = view.benchmark
    assert found is not None and found.period is not None and found.period.label == "2022/23"
    # LG Inform's 55.0 per cent is kpixl's 0.55; the mean of 60.5%, 48%, 58.25% and 50%.
    assert (found.council, found.group_mean) == (D("0.55"), D("0.541875"))
    assert found.text == "3rd of 5 synthetic neighbours, third quartile"


@pytest.mark.parametrize("section, message", [
    ('[comparators]\ngroup = ["E1"]\n', "needs the council's area code"),
    ('[comparators]\narea = "E1"\ngroup = "E2"\n', "group must be a list of area codes"),
    ('[comparators]\narea = "E1 0003"\n', "area = 'E1 0003' is not an area code"),
    ('[comparators]\narea = "E1"\ngroup = ["E2", "=cmd|x"]\n', "group = '=cmd|x' is not an area code"),
])
def test_a_comparison_group_kpixl_cannot_use_is_a_config_error(tmp_path: Path, section: str, message: str) -> None:
    path = tmp_path / "kpixl.toml"
    path.write_text(f'[council]\nname = "C"\n{section}', encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config(path)


def test_the_comparison_group_and_its_defaults() -> None:
    group = load_config(EXAMPLE.parent / "kpixl.toml").comparators
    assert group is not None and (group.area, group.name, group.national, group.national_name) == \
        ("E10000003", "synthetic neighbours", "E92000001", "England")
    assert group.neighbours == ("E10000015", "E10000020", "E10000024", "E10000029")
