"""Property and mutation tests over the returns reader (issue 7): any value of any type typed in any input
cell of a real filled return, and random byte flips and cuts of one. The only outcomes allowed are an
accepted return whose figures equal what was typed (tests/support/fuzz.py says precisely what "equal" is)
or a clean refusal with problem records; never an exception, and never a partial store write. A few dozen
derandomised examples here keep the suite fast and repeatable; `python -m benchmarks.fuzz --cases 3000`
runs thousands of fresh ones."""

from __future__ import annotations

import shutil
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli import dump_store
from support.fuzz import ErrorValue, Formula, Template, judge, judge_bytes, load_template, with_cells
from support.intake import Filled, make_filled

from kpixl.intake.assess import assess_bytes
from kpixl.steps.collect import collect_paths
from kpixl.steps.workspace import Workspace
from kpixl.untrusted.limits import MAX_TEXT_CHARS

# 15 examples with the fixed seed of tests/conftest.py's profile; benchmarks/fuzz.py runs thousands.
FUZZ = settings(max_examples=15,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SERVICES = ("trading-standards", "adult-skills")  # monthly hours and a percentage; counts and a percentage

# Every character a workbook's XML can hold (no C0 controls but tab and line ends, no U+FFFE/U+FFFF).
CHARACTERS = st.characters(blacklist_categories=["Cs"], blacklist_characters=[
    *(chr(c) for c in range(32) if c not in (9, 10, 13)), "\ufffe", "\uffff"])
TRICKY = ["=1+1", "@SUM(A1)", "+44 1223 555 555", "-5", "\t=cmd|' /C calc'!A1", "1,234", " 96 326 ", "68%",
          "£1,250.50", "n/a", "tbc", "1e400", "1e15", "٣٤", "\u22125", "0.5%", "5 %", "1.", ".5", "1_000",
          "Infinity", "NaN", "0x10", "12/09", "Explanation: the library was shut", "line one\r\nline two\r",
          "   ", "\u200b", "\u202eright to left", "_x0007_", "[/] tbc", "a" * 4001]
TEXTS = st.one_of(st.text(CHARACTERS, max_size=60), st.sampled_from(TRICKY),
                  st.text(CHARACTERS, min_size=3990, max_size=4010),
                  st.integers(MAX_TEXT_CHARS - 2, MAX_TEXT_CHARS + 2).map(lambda n: "x" * n))
NUMBERS = st.one_of(st.integers(-10**20, 10**20), st.floats(),
                    st.sampled_from([0.0, -0.0, 1e308, 5e-324, 1e-13, 0.68, 0.999, 1.0, 100.0, 2**53 + 1.0]))
VALUES = st.one_of(
    st.none(), TEXTS, NUMBERS, st.booleans(),
    st.dates(date(1901, 1, 1), date(9999, 12, 31)),
    st.datetimes(datetime(1901, 1, 1), datetime(9999, 12, 31)).map(lambda d: d.replace(microsecond=0)),
    st.times().map(lambda t: t.replace(microsecond=0)),
    st.sampled_from(["=1+1", "=SUM(J2:J4)", "=HYPERLINK(\"http://x\")"]).map(Formula),
    st.sampled_from(["#DIV/0!", "#N/A", "#VALUE!", "#REF!"]).map(ErrorValue),
)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("fuzz"))


@pytest.fixture(scope="module")
def templates(made: Filled) -> dict[str, Template]:
    return {service: load_template(made.filled[service]) for service in SERVICES}


@FUZZ
@given(data=st.data())
def test_any_value_in_any_input_cell_is_read_as_typed_or_refused(made: Filled, templates: dict[str, Template],
                                                                 data: st.DataObject) -> None:
    template = templates[data.draw(st.sampled_from(SERVICES))]
    edits: dict[str, Any] = data.draw(st.dictionaries(st.sampled_from(template.refs), VALUES, max_size=8))
    result = assess_bytes(made.ctx, Path(template.name), with_cells(template, edits))
    judge(template, edits, result)


def test_the_untouched_templates_are_accepted_as_typed(made: Filled, templates: dict[str, Template]) -> None:
    for template in templates.values():
        assert judge(template, {}, assess_bytes(made.ctx, Path(template.name), with_cells(template, {}))) \
            == "accepted"


@pytest.mark.parametrize("value", [0.68, -0.0, 1e-13, 2**53 + 1.0, "1,234", " 96 326 ", "£1,250", "68%"],
                         ids=repr)
def test_numbers_typed_each_way_are_stored_as_typed(made: Filled, templates: dict[str, Template],
                                                    value: Any) -> None:
    template = templates["adult-skills"]
    edits = {"H4": value, "I4": "Provisional: validation delayed"}  # 137 is a count: a reason keeps any value
    judge(template, edits, assess_bytes(made.ctx, Path(template.name), with_cells(template, edits)))


@FUZZ
@given(data=st.data())
def test_flipped_or_cut_bytes_are_refused_or_read_exactly_as_before(made: Filled,
                                                                    data: st.DataObject) -> None:
    original_bytes = made.filled[data.draw(st.sampled_from(SERVICES))].read_bytes()
    original = assess_bytes(made.ctx, Path("r.xlsx"), original_bytes)
    damaged = bytearray(original_bytes)
    if data.draw(st.booleans()):
        for _ in range(data.draw(st.integers(1, 8))):
            damaged[data.draw(st.integers(0, len(damaged) - 1))] ^= data.draw(st.integers(1, 255))
    else:
        del damaged[data.draw(st.integers(0, len(damaged) - 1)):]
    judge_bytes(original, assess_bytes(made.ctx, Path("r.xlsx"), bytes(damaged)))


@settings(FUZZ, max_examples=6)
@given(data=st.data())
def test_collect_writes_a_whole_return_or_nothing(made: Filled, templates: dict[str, Template],
                                                  data: st.DataObject,
                                                  tmp_path_factory: pytest.TempPathFactory) -> None:
    ws = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path_factory.mktemp("ws") / "ws")))
    template = templates[data.draw(st.sampled_from(SERVICES))]
    edits: dict[str, Any] = data.draw(st.dictionaries(st.sampled_from(template.refs), VALUES, max_size=4))
    path = tmp_path_factory.mktemp("in") / template.name
    path.write_bytes(with_cells(template, edits))
    before = dump_store(ws)
    result = collect_paths(ws, [path])[0]
    after = dump_store(ws)
    added = after["figures"][len(before["figures"]):]
    assert after["figures"][:len(before["figures"])] == before["figures"]
    assert len(added) == (len(result.figures) if result.accepted else 0)


def test_dates_times_and_truth_values_in_a_figure_cell_are_refused(made: Filled,
                                                                   templates: dict[str, Template]) -> None:
    template = templates["adult-skills"]
    for value in (date(2023, 9, 30), datetime(2023, 9, 30, 12, 0), time(12, 30), True, Formula("=1+1")):
        result = assess_bytes(made.ctx, Path("r.xlsx"), with_cells(template, {"H3": value}))
        assert judge(template, {"H3": value}, result).startswith("refused: FIGURE_"), value


@pytest.mark.parametrize("value", [1e308, 10**30, 1e16], ids=repr)
def test_a_number_too_large_for_a_figure_is_refused_not_a_traceback(made: Filled,
                                                                     templates: dict[str, Template],
                                                                     value: float) -> None:
    """Found by the fuzzer: 1e308 in a number cell reached formatting and raised decimal.InvalidOperation."""
    template = templates["adult-skills"]
    result = assess_bytes(made.ctx, Path("r.xlsx"), with_cells(template, {"H4": value, "E4": value}))
    assert [(p.code, p.cell) for p in result.report.errors] == [("FIGURE_NOT_NUMBER", "H4")]
    assert ("CONTEXT_EDITED", "E4") in result.report.flatten(("code", "cell"))


def test_a_flipped_bit_that_marks_a_part_encrypted_is_corrupt_not_a_traceback(made: Filled) -> None:
    """Found by the fuzzer: zipfile raised RuntimeError ('password required') for a part flagged encrypted."""
    data = bytearray(made.filled["libraries"].read_bytes())
    local = data.index(b"PK\x03\x04")
    data[local + 6] |= 1  # general purpose flag, bit 0: encrypted
    central = data.index(b"PK\x01\x02")
    data[central + 8] |= 1
    result = assess_bytes(made.ctx, Path("r.xlsx"), bytes(data))
    assert [p.code for p in result.report] == ["FILE_CORRUPT"]
    assert "needing a zip password" in result.report.problems[0].message


def test_a_bug_in_the_reader_refuses_that_file_and_says_so(made: Filled,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_: object) -> None:
        raise KeyError("something kpixl did not expect")

    monkeypatch.setattr("kpixl.intake.assess.sniff", broken)
    result = assess_bytes(made.ctx, Path("r.xlsx"), b"PK")
    assert [p.code for p in result.report] == ["FILE_CORRUPT"] and result.ext == "bin"
    assert "kpixl failed to read it (KeyError" in result.report.problems[0].message
