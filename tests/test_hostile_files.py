"""Hostile and broken files (issues 7 and 12): each is refused with one line naming the file and the limit or
reason, in bounded memory, and leaves the store as it was but for the refused file's own record (no figure).
The corpus is built by tests/support/hostile.py from a real generated return; benchmarks/hostile.py measures
each case's time and peak memory, with and without --feedback. No timing is asserted here: the cost of any
file is held by counting the work done (elements and cells streamed, sheets and cells openpyxl read, the
cells its full mode would build for a feedback copy)."""

from __future__ import annotations

import io
import json
import shutil
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.cli import dump_store, run_cli
from support.hostile import (
    EDGES,
    MB,
    XXE,
    Case,
    Sources,
    bombed,
    cases,
    dimension_huge,
    doctype_in,
    rows_added,
)
from support.intake import Filled, make_filled, set_cells
from support.zips import VBA_MARK, members_of, rezip

from kpixl.intake.assess import assess_bytes
from kpixl.intake.feedback import write_feedback
from kpixl.intake.history_xlsx import SCAN_ROWS as HISTORY_SCAN_ROWS
from kpixl.register.workbook_file import MAX_ROWS as REGISTER_MAX_ROWS
from kpixl.steps.workspace import Workspace
from kpixl.untrusted.limits import (
    FEEDBACK_MAX_CELLS,
    FEEDBACK_MAX_KEPT,
    FEEDBACK_READ,
    HEADER_SEARCH_ROWS,
    MAX_CELLS,
    MAX_ELEMENTS,
    MAX_FILE_BYTES,
    MAX_PART_BYTES,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    META_READ,
    RETURN_READ,
)
from kpixl.untrusted.sniff import scan_parts, workbook_hazard

PEAK_MB = 64  # generous: every case peaks under 8 MB (benchmarks/hostile.py); a real return at about 7 MB
CASES = cases()


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def corpus(filled: Filled) -> dict[str, bytes]:
    sources = Sources(filled.filled["libraries"].read_bytes(), filled.filled["coroner"].read_bytes(),
                      filled.ws.secret)
    return {case.name: case.build(sources) for case in CASES}


@pytest.fixture(scope="module")
def edges(filled: Filled) -> dict[str, bytes]:
    sources = Sources(filled.filled["libraries"].read_bytes(), filled.filled["coroner"].read_bytes(),
                      filled.ws.secret)
    return {name: build(sources) for name, build in EDGES.items()}


def copy_workspace(filled: Filled, tmp_path: Path) -> Workspace:
    return Workspace.open(Path(shutil.copytree(filled.ws.root, tmp_path / "ws")))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_hostile_file_is_refused_naming_its_limit_in_bounded_memory(filled: Filled,
                                                                         corpus: dict[str, bytes],
                                                                         case: Case) -> None:
    tracemalloc.start()
    try:
        result = assess_bytes(filled.ctx, Path(case.name), corpus[case.name])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    first = result.report.errors[0]
    assert (first.code, first.file) == (case.code, case.name)
    assert case.words in first.message, first.message
    assert not result.accepted
    assert peak < PEAK_MB * 2**20


def _window(read: tuple[int, int]) -> int:
    return read[0] * read[1]


# The most openpyxl's read-only mode may hand over: the Return sheet's, the metadata sheet's and the Problems
# sheet's windows, and the first rows of every other sheet when the Return sheet was renamed.
READ_BOUND = (_window(RETURN_READ) + _window(META_READ) + _window(FEEDBACK_READ)
              + MAX_SHEETS * HEADER_SEARCH_ROWS * RETURN_READ[1])


def built_in_full_mode(data: bytes) -> int:
    """The cell objects openpyxl's full mode builds from a workbook (its private table of cells: no public
    count exists, and asking for the cells would build more)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(io.BytesIO(data), keep_links=False)
    return sum(len(ws._cells) for ws in book.worksheets)


@pytest.mark.parametrize("name", [c.name for c in CASES] + sorted(EDGES))
def test_any_file_costs_bounded_work_with_or_without_feedback(filled: Filled, corpus: dict[str, bytes],
                                                              edges: dict[str, bytes], name: str,
                                                              tmp_path: Path) -> None:
    """Issue 12: a file within every limit could cost minutes (99 sheets on one wide part: 39 s; with
    --feedback 250 s and 7 GB). Now the work done on any file is bounded: the parts scan stops at the whole
    file's limits, openpyxl reads no more than the READ windows of the sheets kpixl reads, and a feedback copy
    is marked in openpyxl's full mode only when the cells that builds are counted and few."""
    data = corpus[name] if name in corpus else edges[name]
    result = assess_bytes(filled.ctx, Path(name), data)
    work = result.work
    assert work.elements <= MAX_ELEMENTS + 1 and work.cells <= MAX_CELLS + 1, work
    assert result.sheets_read <= MAX_SHEETS and result.cells_read <= READ_BOUND, result
    written = write_feedback(result, tmp_path, data, set()) if result.report.problems else None
    if result.markable:
        assert work.full_cells <= FEEDBACK_MAX_CELLS and work.kept <= FEEDBACK_MAX_KEPT
        assert built_in_full_mode(data) <= work.full_cells
    elif written is not None:
        with zipfile.ZipFile(written) as zf:  # the Problems sheet alone: openpyxl never reopened the file
            assert [n for n in zf.namelist() if n.startswith("xl/worksheets/")] == ["xl/worksheets/sheet1.xml"]


@pytest.mark.parametrize("name", ["99-sheets-one-part.xlsx", "one-part-many-names.xlsx", "cells-2000x2900.xlsx",
                                  "merged-everything.xlsx", "linked-everything.xlsx"])
def test_the_issues_dear_files_are_never_opened_whole(filled: Filled, corpus: dict[str, bytes], name: str) -> None:
    """The reader looked for the Return sheet's headings in each of the 99 sheets, and --feedback opened
    all 99 in openpyxl's full mode; a merged range or a hyperlink over a whole sheet is 17 billion cell
    objects there. Now none of these is opened whole."""
    result = assess_bytes(filled.ctx, Path(name), corpus[name])
    assert not result.markable
    # refused before openpyxl, or the Return, kpixl and Sign-off sheets only (the last its first rows)
    assert result.sheets_read <= 3, result.sheets_read


def _workspace_with_corpus(filled: Filled, corpus: dict[str, bytes], tmp_path: Path) -> tuple[Workspace, Path]:
    """A copy of the seed workspace, and a folder holding every hostile file of the corpus."""
    ws = copy_workspace(filled, tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, data in corpus.items():
        (folder / name).write_bytes(data)
    return ws, folder


def test_collect_gives_one_line_per_file_and_stores_no_figure(filled: Filled, corpus: dict[str, bytes],
                                                              tmp_path: Path) -> None:
    ws, folder = _workspace_with_corpus(filled, corpus, tmp_path)
    before = dump_store(ws)
    code, output = run_cli(ws, "collect", str(folder))
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("Refused ")]
    assert len(lines) == len(CASES)
    for case in CASES:
        mine = [line for line in lines if line.startswith(f"Refused {case.name}: {case.code}: ")]
        assert len(mine) == 1 and case.words in mine[0], (case.name, mine)
    after = dump_store(ws)
    assert after["figures"] == before["figures"] and after["schema_version"] == before["schema_version"]
    old = len(before["submissions"])
    assert after["submissions"][:old] == before["submissions"]
    new = after["submissions"][old:]
    kept = {case.name for case in CASES if len(corpus[case.name]) <= MAX_FILE_BYTES}  # bigger: not even kept
    assert sorted(str(row[3]) for row in new) == sorted(kept)
    assert not any(row[7] for row in new)  # none accepted
    assert after["problems"][:len(before["problems"])] == before["problems"]
    assert {row[1] for row in after["problems"][len(before["problems"]):]} == {row[0] for row in new}


def test_validate_leaves_the_store_and_archive_untouched(filled: Filled, corpus: dict[str, bytes],
                                                         tmp_path: Path) -> None:
    ws, folder = _workspace_with_corpus(filled, corpus, tmp_path)
    before, kept = dump_store(ws), sorted(ws.path("archive").iterdir())  # the workspace's history file
    code, _ = run_cli(ws, "validate", str(folder))
    assert code == 1 and dump_store(ws) == before and sorted(ws.path("archive").iterdir()) == kept


def _zipped_members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_macros_are_kept_only_as_inert_evidence_and_never_written(filled: Filled, corpus: dict[str, bytes],
                                                                  tmp_path: Path) -> None:
    ws = copy_workspace(filled, tmp_path)
    macro = tmp_path / "in" / "macros.xlsm"
    macro.parent.mkdir()
    macro.write_bytes(corpus["macros.xlsm"])
    history = set(ws.path("archive").iterdir())  # the history file the workspace began with
    assert run_cli(ws, "collect", str(macro), "--feedback", str(tmp_path / "feedback"))[0] == 1
    archived = list(set(ws.path("archive").iterdir()) - history)
    assert [p.suffixes for p in archived] == [[".xlsm", ".bin"]]  # no program opens it on a double click
    assert archived[0].read_bytes() == corpus["macros.xlsm"]
    assert run_cli(ws, "export", str(tmp_path / "figures.xlsx"))[0] == 0
    written = [*(tmp_path / "feedback").iterdir(), tmp_path / "figures.xlsx"]
    assert len(written) == 2
    for path in written:
        members = _zipped_members(path)
        assert not any("vba" in name.lower() for name in members), path
        assert not any(VBA_MARK in content for content in members.values()), path


def test_a_real_return_passes_the_parts_scan_and_a_loose_vml_drawing_is_tolerated(filled: Filled) -> None:
    real = filled.filled["libraries"].read_bytes()
    assert scan_parts(real).hit is None
    loose = rezip(real, add={"xl/drawings/vmlDrawing1.vml": b"<xml><v:shape><br></v:shape></xml>"})
    assert scan_parts(loose).hit is None
    assert assess_bytes(filled.ctx, Path("r.xlsx"), loose).accepted


def test_any_other_part_that_is_not_well_formed_is_named(filled: Filled) -> None:
    real = filled.filled["libraries"].read_bytes()
    broken = rezip(real, replace={"xl/styles.xml": members_of(real)["xl/styles.xml"][:-20]})
    result = assess_bytes(filled.ctx, Path("r.xlsx"), broken)
    assert [(p.code, p.file) for p in result.report] == [("FILE_CORRUPT", "r.xlsx")]
    assert "its part xl/styles.xml is not well-formed XML" in result.report.problems[0].message


def test_a_utf16_part_is_read_like_any_other(filled: Filled) -> None:
    real = filled.filled["libraries"].read_bytes()
    sheet = members_of(real)["xl/worksheets/sheet2.xml"].decode()
    recoded = rezip(real, replace={"xl/worksheets/sheet2.xml": sheet.encode("utf-16")})
    assert scan_parts(recoded).hit is None
    assert assess_bytes(filled.ctx, Path("r.xlsx"), recoded).accepted


def test_a_damaged_deflate_stream_is_corrupt_not_a_traceback(filled: Filled) -> None:
    real = filled.filled["libraries"].read_bytes()
    info = zipfile.ZipFile(io.BytesIO(real)).getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = real[:start] + b"\xff" * 8 + real[start + 8:]
    assert [p.code for p in assess_bytes(filled.ctx, Path("r.xlsx"), damaged).report] == ["FILE_CORRUPT"]


def test_a_hostile_file_name_or_cell_is_printed_as_text_never_as_markup_or_escapes(filled: Filled,
                                                                                     tmp_path: Path) -> None:
    ws = copy_workspace(filled, tmp_path)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "odd [bold]name.xlsx").write_bytes(b"%PDF-1.7")  # rich would read [bold] as a style
    (folder / "esc\x1b[31mred.xlsx").write_bytes(b"%PDF-1.7")  # a terminal escape in an attachment's name
    set_cells(filled.copy("libraries", folder), {"H3": "[/] tbc"})  # '[/]' quoted back made rich raise
    code, output = run_cli(ws, "validate", str(folder))
    assert code == 1
    assert "Refused odd [bold]name.xlsx: FILE_NOT_WORKBOOK: This is a PDF document" in output
    assert "Refused esc?[31mred.xlsx: FILE_NOT_WORKBOOK" in output and "\x1b" not in output
    assert "'[/] tbc' is not a number" in output


def test_a_part_openpyxl_reads_whole_is_scanned_in_any_encoding(filled: Filled) -> None:
    """UTF-32 (which expat does not read, but lxml might) cannot carry a styles bomb past the scan."""
    real = filled.filled["libraries"].read_bytes()
    styles = members_of(real)["xl/styles.xml"].decode().replace('encoding="UTF-8"', 'encoding="UTF-32"')
    recoded = rezip(real, replace={"xl/styles.xml": styles.encode("utf-32")})
    result = assess_bytes(filled.ctx, Path("r.xlsx"), recoded)
    assert [p.code for p in result.report] == ["FILE_CORRUPT"]
    assert "its part xl/styles.xml is not well-formed XML" in result.report.problems[0].message


# The register and history workbooks: kpixl reads them as it reads a return, with the same checks first.

SHEET1 = "xl/worksheets/sheet1.xml"  # the Indicators sheet of a register, the figures of a history workbook
OWN_WORKBOOK_CASES = {  # what is done to the workbook, the problem (after REG_ or FIG_) and words it must give
    "xxe": (lambda data: doctype_in(data, SHEET1, XXE, "&x;"), "UNREADABLE",
            f"its part {SHEET1} declares a document type (<!DOCTYPE>)"),
    "zip-bomb": (lambda data: bombed(data, SHEET1), "TOO_LARGE",
                 f"its part {SHEET1} inflates to 2048 MB (limit {MAX_PART_BYTES // MB} MB)"),
    "million-rows": (lambda data: rows_added(data, SHEET1), "TOO_LARGE",
                     f"its part {SHEET1} has over {{rows:,}} rows (limit {{rows:,}})"),
    "huge-dimension": (lambda data: dimension_huge(data, SHEET1), "TOO_LARGE",
                       "declares cells down to XFD1048576 (limit {rows:,} rows)"),
}
# The command that reads each, the prefix of its problem codes, and the rows its sheets may hold: their
# readers' own limits and room for titles, not a return's (a council's history runs past 10,000 rows).
OWN_WORKBOOKS = {
    "register": (("register", "check"), "REG", REGISTER_MAX_ROWS + 1_000),
    "history": (("history", "import"), "FIG", HISTORY_SCAN_ROWS),
}


@pytest.fixture(scope="module")
def own_workbooks(filled: Filled, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The seed register written as a workbook, and a history workbook of one figure: both read cleanly."""
    from openpyxl import Workbook

    from kpixl.register import load_register
    from kpixl.workbook.register_book import write_register_workbook

    folder = tmp_path_factory.mktemp("own")
    write_register_workbook(folder / "register.xlsx", load_register(filled.ws.register_path).register)
    book = Workbook()
    book.active.append(["indicator", "period", "value", "status", "reason", "commentary", "actions"])
    book.active.append(["37", "2023-24-Q1", 5, "validated", "", "Counted at the door.", ""])
    book.save(folder / "history.xlsx")
    return {kind: (folder / f"{kind}.xlsx").read_bytes() for kind in OWN_WORKBOOKS}


@pytest.mark.parametrize("kind", OWN_WORKBOOKS)
def test_the_register_and_history_workbooks_pass_the_checks_a_return_gets(filled: Filled, tmp_path: Path,
                                                                          own_workbooks: dict[str, bytes],
                                                                          kind: str) -> None:
    assert workbook_hazard(own_workbooks[kind]) is None
    path = tmp_path / f"{kind}.xlsx"
    path.write_bytes(own_workbooks[kind])
    command, _, _ = OWN_WORKBOOKS[kind]
    assert run_cli(copy_workspace(filled, tmp_path), *command, str(path))[0] == 0


@pytest.mark.parametrize("case", OWN_WORKBOOK_CASES)
@pytest.mark.parametrize("kind", OWN_WORKBOOKS)
def test_a_hostile_register_or_history_workbook_is_refused_naming_the_file_and_the_limit(
        filled: Filled, own_workbooks: dict[str, bytes], tmp_path: Path, kind: str, case: str) -> None:
    build, code, words = OWN_WORKBOOK_CASES[case]
    command, prefix, rows = OWN_WORKBOOKS[kind]
    words = words.format(rows=rows)
    assert rows > MAX_SHEET_ROWS
    path = tmp_path / f"{case}-{kind}.xlsx"
    path.write_bytes(build(own_workbooks[kind]))
    ws = copy_workspace(filled, tmp_path)
    before = dump_store(ws)
    exit_code, output = run_cli(ws, *command, str(path), "--json")
    assert exit_code == 1, output
    [problem] = json.loads(output)["problems"]
    assert (problem["code"], problem["file"]) == (f"{prefix}_{code}", path.name)
    assert words in problem["message"] and problem["hint"], problem
    exit_code, output = run_cli(ws, *command, str(path))
    assert exit_code == 1 and path.name in output and "Traceback" not in output
    assert dump_store(ws) == before


LONG = "x" * 20_000  # two halves of a text over a cell's 32,767 characters, split so no byte run is as long


@pytest.mark.parametrize("spelling, refused", [
    (f"{LONG}<![CDATA[{LONG}]]>", "has a text of over 32,767 characters"),  # one text, whatever its pieces
    (f"{LONG}<?pi x?>{LONG}", "has a text of over 32,767 characters"),  # a PI amid a text: likewise
    ("A" * 10, None),  # plain and short: fine
])
def test_a_text_split_by_cdata_or_an_instruction_still_meets_the_text_limit(
        filled: Filled, spelling: str, refused: str | None) -> None:
    data = filled.filled["libraries"].read_bytes()
    members = members_of(data)
    sheet = members["xl/worksheets/sheet1.xml"].decode("utf-8")
    sheet = sheet.replace("</sheetData>", f'<row r="900"><c r="A900" t="inlineStr"><is><t>{spelling}</t></is></c>'
                                          "</row></sheetData>", 1)
    hit = scan_parts(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode("utf-8")})).hit
    if refused is None:
        assert hit is None
    else:
        assert hit is not None and hit.detail.startswith(f"its part xl/worksheets/sheet1.xml {refused}"), hit
