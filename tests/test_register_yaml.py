"""The YAML register reads the same with libyaml's parser as with PyYAML's own, line marks included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from kpixl.catalogue import CATALOGUE
from kpixl.register import load_register
from kpixl.register import yaml_file as yaml_io

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cambridgeshire-csmi" / "register.yaml"


def rows(text: str) -> list[tuple[object, ...]]:
    return [(r.sheet, r.values, r.row, [r.place(k) for k in r.values]) for r in yaml_io.read_yaml_rows(text)]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_libyaml_and_pure_python_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    fast = rows(text)
    monkeypatch.setattr(yaml_io, "_LOADER", yaml.SafeLoader)
    assert rows(text) == fast
    assert len(fast) > 19


def test_broken_yaml_names_its_line() -> None:
    with pytest.raises(yaml_io.YamlError, match="line 3"):
        yaml_io.read_yaml_rows("services:\n  - id: a\n  - id: [b\n")


@pytest.mark.parametrize(("make", "case"), [
    (lambda path: path.write_text("services:\n  - id: a\n  - id: [b\n"), "REG_UNREADABLE/yaml"),
    (lambda path: path.write_bytes(b"services: \xff\n"), "REG_UNREADABLE/yaml"),
    (lambda path: path.mkdir(), "REG_UNREADABLE/open"),  # a folder named register.yaml cannot be opened
])
def test_a_yaml_register_that_cannot_be_read_says_why_and_what_to_do(tmp_path: Path, make: Callable[[Path], object],
                                                                       case: str) -> None:
    path = tmp_path / "register.yaml"
    make(path)
    [found] = load_register(path).report
    assert (found.code, found.file, found.hint) == ("REG_UNREADABLE", "register.yaml", CATALOGUE[case].hint)


_ROW = "direction: up, comparison: previous_period, kind: target"
PROFILE = f"""\
services:
  - {{id: ts, name: Trading Standards, lead_email: ts@example.org}}
committees:
  - {{id: c, name: Committee}}
indicators:
  - {{id: R05, title: Hours of advice to date, service: ts, committees: [c], unit: hours, frequency: monthly,
     cumulative: yes, {_ROW}, targets: {{2024-25: 1200}}}}
  - {{id: R06, title: Visits, service: ts, committees: [c], unit: count, frequency: monthly, {_ROW},
     targets: {{2024-25: 600}}}}
  - {{id: R07, title: Inspections to date, service: ts, committees: [c], unit: count, frequency: quarterly,
     cumulative: yes, {_ROW}, targets: {{2024-25: 80}}}}
  - {{id: R08, title: Visits profiled, service: ts, committees: [c], unit: count, frequency: quarterly,
     cumulative: yes, {_ROW}, targets: {{2024-25-Q1: 20, 2024-25-Q2: 40, 2024-25: 80}}}}
  - {{id: R09, title: Compliance rate, service: ts, committees: [c], unit: percentage, frequency: monthly,
     cumulative: yes, {_ROW}, targets: {{2024-25: 70%}}}}
"""


def test_a_monthly_or_cumulative_count_with_only_a_yearly_target_is_warned_of(tmp_path: Path) -> None:
    """Issue 13 (and 17, "target profile gap"): a monthly cumulative indicator with only a yearly target
    rates Red every month. A profile (R08) or a percentage (R09) is no gap."""
    path = tmp_path / "register.yaml"
    path.write_text(PROFILE, encoding="utf-8")
    report = load_register(path).report
    assert report.valid and report.flatten(("code", "severity", "indicator")) == [
        ("REG_TARGET_PROFILE", "warning", ident) for ident in ("R05", "R06", "R07")]
    r05, r06, r07 = report.problems
    assert r05.message == ("Indicator R05 is cumulative (year to date) but its only target for 2024/25 is the "
                           "year's, 1,200, and kpixl compares every month with it: if 1,200 is the whole year's "
                           "figure, every month before the year's last rates Red.")
    assert r05.hint.startswith("Give a target for each month of the year (2024-04, 2024-05, ...), rising to 1,200")
    assert r06.message.startswith("Indicator R06 is monthly but its only target for 2024/25 is the year's, 600")
    assert "Give a target for each quarter of the year (2024-25-Q1, 2024-25-Q2, ...)" in r07.hint
