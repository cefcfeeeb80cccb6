"""kpixl history show / import, and the example workspace's history imported at init."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.files import partial_hash
from kpixl.intake import history_csv as figures_csv
from kpixl.steps.create import init_workspace
from kpixl.steps.workspace import ARCHIVE, Workspace, bundled_path

runner = CliRunner()
EXAMPLE_CSV = bundled_path("examples") / "cambridgeshire-csmi" / "figures.csv"
HEADER = "indicator,period,value,status,reason,commentary,actions\n"


def invoke(ws: Workspace, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, [*args, "--workspace", str(ws.root)])
    return result.exit_code, result.output


def empty_store(ws: Workspace) -> Workspace:
    """The example workspace without the figures init imported (nor their file archived): as a council
    starting mid-year."""
    (ws.root / "kpixl.sqlite").unlink()
    shutil.rmtree(ws.path(ARCHIVE), ignore_errors=True)
    return ws


def archive(ws: Workspace) -> list[str]:
    folder = ws.path(ARCHIVE)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def stored(ws: Workspace) -> dict[tuple[str, str], Decimal | None]:
    with ws.open_store() as store:
        return {k: f.value for k, f in store.current_figures().items()}


def test_init_imports_the_examples_figures(example_ws: Workspace) -> None:
    figures = stored(example_ws)
    assert len(figures) == 37
    assert figures[("37", "2023-24-Q2")] == Decimal(380018)
    assert figures[("198", "2023-24-Q2")] == Decimal("0.68")
    assert (example_ws.root / "history" / "figures.csv").is_file()  # kept as the example's source


def test_init_can_leave_the_current_quarter_to_be_collected(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", "cambridgeshire", include_current=False)
    figures = stored(ws)
    assert ("37", "2023-24-Q1") in figures and ("136", "2022-23-Q2") in figures
    assert not [k for k in figures if k[1] in ("2023-24-Q2", "2023-07", "2023-08", "2023-09")]
    assert len(figures) == 17
    sha = sha256(EXAMPLE_CSV)  # the file is kept whole; the part imported is recorded under a hash of its hash
    assert archive(ws) == [f"{sha}.csv.bin"]
    code, output = invoke(ws, "history", "import", str(ws.root / "history" / "figures.csv"), "--json")
    assert code == 0
    assert (json.loads(output)["added"], json.loads(output)["unchanged"]) == (20, 17)
    with ws.open_store() as store:
        assert [s.file_hash for s in store.submissions()] == [partial_hash(sha), sha]
    assert archive(ws) == [f"{sha}.csv.bin"]  # one file, kept once for both


def test_import_stores_37_figures_and_a_second_import_changes_nothing(example_ws: Workspace) -> None:
    ws = empty_store(example_ws)
    code, output = invoke(ws, "history", "import", str(EXAMPLE_CSV))
    assert code == 0, output
    assert "37 figures read; 37 stored as new versions" in output
    code, output = invoke(ws, "history", "import", str(EXAMPLE_CSV), "--json")
    assert code == 0
    summary = json.loads(output)
    assert (summary["duplicate"], summary["stored"], summary["added"]) == (True, False, 0)
    with ws.open_store() as store:
        assert len(store.submissions()) == 1
        assert len(store.figures()) == 37


def test_an_import_keeps_the_file_in_the_archive_under_its_hash(example_ws: Workspace) -> None:
    """As collect keeps a return: archived (atomically, synced) before it is recorded, as an inert .bin for a
    CSV. Importing it again doubles nothing, and puts back a kept copy that was lost."""
    ws = empty_store(example_ws)
    code, output = invoke(ws, "history", "import", str(EXAMPLE_CSV), "--json")
    sha, summary = sha256(EXAMPLE_CSV), json.loads(output)
    kept = ws.path(ARCHIVE) / f"{sha}.csv.bin"
    assert code == 0 and (summary["sha256"], summary["archived"]) == (sha, str(kept))
    assert kept.read_bytes() == EXAMPLE_CSV.read_bytes() and archive(ws) == [kept.name]
    with ws.open_store() as store:
        assert [(s.file_hash, s.source) for s in store.submissions()] == [(sha, "history")]
    kept.unlink()
    code, output = invoke(ws, "history", "import", str(EXAMPLE_CSV), "--json")
    assert code == 0 and json.loads(output)["duplicate"] is True
    assert kept.read_bytes() == EXAMPLE_CSV.read_bytes() and archive(ws) == [kept.name]
    with ws.open_store() as store:
        assert len(store.submissions()) == 1 and len(store.figures()) == 37


def test_a_file_with_a_bad_row_stores_nothing(example_ws: Workspace, tmp_path: Path) -> None:
    ws = empty_store(example_ws)
    bad = tmp_path / "past.csv"
    bad.write_text(HEADER + "37,2023-24-Q1,351220,validated,,,\n38,2023-24-Q1,n/a,validated,,,\n"
                   "999,2023-24-Q1,5,,,,\n", encoding="utf-8")
    code, output = invoke(ws, "history", "import", str(bad), "--json")
    assert code == 1
    problems = json.loads(output)["problems"]
    assert [(p["code"], p["file"], p["cell"]) for p in problems] == [
        ("FIG_NOT_A_NUMBER", "past.csv", "C3"), ("FIG_UNKNOWN_INDICATOR", "past.csv", "A4")]
    assert stored(ws) == {}
    output = runner.invoke(app, ["history", "import", str(bad), "--workspace", str(ws.root)],
                           env={"COLUMNS": "200"}).output  # wide enough that the place is not wrapped
    assert "past.csv: 2 errors; nothing was stored" in output and "past.csv, C3" in output
    with ws.open_store() as store:  # not kept either: the same file may import once the register knows 999
        assert store.submissions() == [] and archive(ws) == []


def test_a_period_twice_in_one_file_is_an_error(example_ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text(HEADER + "37,2023-24-Q1,1,,,,\n37,2023/24 Q1,2,,,,\n", encoding="utf-8")
    code, output = invoke(empty_store(example_ws), "history", "import", str(path), "--json")
    assert code == 1
    assert [(p["code"], p["cell"]) for p in json.loads(output)["problems"]] == [("FIG_DUPLICATE", "B3")]


def test_columns_in_another_order_are_found_by_header(example_ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "moved.csv"
    path.write_text("Value,Indicator,Period\n351220,37,2023-24-Q1\n380018,37,2023-24-Q2\n", encoding="utf-8")
    ws = empty_store(example_ws)
    assert invoke(ws, "history", "import", str(path))[0] == 0
    with ws.open_store() as store:
        assert [h.provenance.cell for h in store.history("37")] == ["A2", "A3"]


def test_an_unknown_format_is_a_problem_not_a_traceback(example_ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "past.ods"
    path.write_bytes(b"PK\x03\x04 not really")
    code, output = invoke(example_ws, "history", "import", str(path), "--json")
    assert code == 1 and json.loads(output)["problems"][0]["code"] == "FIG_UNKNOWN_FORMAT"


def test_a_damaged_workbook_is_a_problem_not_a_traceback(example_ws: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "past.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated")
    code, output = invoke(example_ws, "history", "import", str(path), "--json")
    assert code == 1 and json.loads(output)["problems"][0]["code"] == "FIG_UNREADABLE"


def test_a_workbook_imports_like_the_csv(example_ws: Workspace, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Figures"
    sheet.append(["Indicator", "Period", "Value", "Status", "Reason", "Commentary", "Actions"])
    sheet.append([37, "2023-24-Q1", 351220, "validated", None, None, None])
    sheet.append([198, "2023-24-Q1", 0.68, None, None, "=1+1 is text here", None])  # 68% as Excel keeps it
    sheet.append([None] * 7)  # an empty row is layout
    sheet.append([221, datetime(2023, 8, 1), 313, None, None, None, None])  # 2023-08 that Excel made a date
    sheet["C3"].number_format = "0%"
    sheet["F3"].data_type = "s"  # typed as text, as Excel keeps '=1+1 (openpyxl would make it a formula)
    path = tmp_path / "past.xlsx"
    book.save(path)
    ws = empty_store(example_ws)
    code, output = invoke(ws, "history", "import", str(path))
    assert code == 0, output
    assert stored(ws) == {("37", "2023-24-Q1"): Decimal(351220), ("198", "2023-24-Q1"): Decimal("0.68"),
                          ("221", "2023-08"): Decimal(313)}
    with ws.open_store() as store:
        [h] = store.history("198")
    assert (h.provenance.sheet, h.provenance.cell, h.figure.commentary) == ("Figures", "C3", "=1+1 is text here")
    assert archive(ws) == [f"{sha256(path)}.xlsx"]


def test_show_lists_every_version_oldest_first(example_ws: Workspace, tmp_path: Path) -> None:
    revised = tmp_path / "revised.csv"
    revised.write_text(HEADER + "37,2023-24-Q1,351300,validated,,Late visits counted,\n", encoding="utf-8")
    assert invoke(example_ws, "history", "import", str(revised))[0] == 0
    code, output = invoke(example_ws, "history", "show", "37", "--json")
    assert code == 0
    rows = [(f["period"], f["version"], f["value"], f["current"], f["file"]) for f in json.loads(output)["figures"]]
    assert rows == [("2023-24-Q1", 1, 351220, False, "figures.csv"), ("2023-24-Q1", 2, 351300, True, "revised.csv"),
                    ("2023-24-Q2", 1, 380018, True, "figures.csv")]
    code, output = invoke(example_ws, "history", "show", "37")
    assert code == 0 and "351,300" in output and "revised.csv" in output


def test_show_formats_percentages_as_the_report_does(example_ws: Workspace) -> None:
    output = invoke(example_ws, "history", "show", "198", "--json")[1]
    values = {f["period"]: (f["value"], f["value_text"]) for f in json.loads(output)["figures"]}
    assert values["2023-24-Q2"] == (0.68, "68%")  # a number; percentages as the fractions kpixl keeps


def test_show_an_unknown_indicator_is_a_usage_error(example_ws: Workspace) -> None:
    code, output = invoke(example_ws, "history", "show", "999")
    assert code == 2 and "no indicator '999'" in output


def test_show_a_known_indicator_without_figures(example_ws: Workspace) -> None:
    empty_store(example_ws)
    code, output = invoke(example_ws, "history", "show", "37")
    assert code == 0 and "No figures are stored for indicator 37" in output


def test_a_file_over_the_size_limit_is_not_read(example_ws: Workspace, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures_csv, "MAX_BYTES", 10)
    for name in ("big.csv", "big.xlsx"):
        path = tmp_path / name
        path.write_bytes(b"x" * 11)
        code, output = invoke(example_ws, "history", "import", str(path), "--json")
        assert code == 1 and json.loads(output)["problems"][0]["code"] == "FIG_TOO_LARGE", name


class _ChangedOnClose:
    """A file opened for reading that, once closed, is replaced on disk by other content: another program
    saving over it while kpixl works."""

    def __init__(self, handle: Any, replace: Callable[[], None]) -> None:
        self._handle, self._replace = handle, replace

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._handle)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._handle.close()
        self._replace()


def _history_file(path: Path, value: int) -> bytes:
    if path.suffix == ".csv":
        path.write_text(HEADER + f"37,2023-24-Q1,{value},validated,,,\n", encoding="utf-8")
    else:
        book = Workbook()
        book.active.append(["indicator", "period", "value"])
        book.active.append([37, "2023-24-Q1", value])
        book.save(path)
    return path.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_hash_stored_is_of_the_bytes_parsed_though_the_file_changes_after_the_first_read(
        example_ws: Workspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> None:
    """The file is read once, and those bytes are both parsed and hashed: a file saved over while kpixl reads
    it cannot be recorded under the hash of content that was never checked."""
    ws = empty_store(example_ws)
    path = tmp_path / f"past{suffix}"
    later = _history_file(path, 999999)
    first = _history_file(path, 351220)
    opened: list[str] = []
    real_open = io.open  # what Path.open, zipfile and open() all call

    def replace() -> None:
        with real_open(path, "wb") as handle:
            handle.write(later)

    def open_then_change(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        if isinstance(file, (str, Path)) and Path(file) == path:
            opened.append(mode)
            return _ChangedOnClose(handle, replace) if len(opened) == 1 else handle
        return handle

    monkeypatch.setattr(io, "open", open_then_change)
    code, output = invoke(ws, "history", "import", str(path))
    monkeypatch.undo()
    assert code == 0, output
    assert path.read_bytes() == later  # the file did change, after kpixl's first read
    with ws.open_store() as store:
        [version] = store.history("37")
        [submission] = store.submissions()
    assert version.figure.value == Decimal(351220)
    assert version.provenance.file_hash == submission.file_hash == hashlib.sha256(first).hexdigest()
    assert opened == ["rb"]  # and read once
    assert archive(ws) == [f"{hashlib.sha256(first).hexdigest()}{suffix}{'.bin' if suffix == '.csv' else ''}"]
    assert (ws.path(ARCHIVE) / archive(ws)[0]).read_bytes() == first  # the bytes checked are the bytes kept
