"""Tables never split a word (issue 13): every command that prints a table, at 80 columns, piped and in a
terminal, prints only whole words; piped, it prints plain text with no colour and no box drawing; the
table helper wraps only at spaces, leaves out low-value columns, or falls back to a list."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.intake import Filled, make_filled, set_cells
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.cli.tables import Column, Table, fit, plain_lines, wrap
from kpixl.steps.collect import collect_paths
from kpixl.steps.comparators import import_comparators
from kpixl.steps.create import COMPARATORS_SAMPLE

runner = CliRunner()
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
BOX = set("─━│┃┏┓┗┛┡┩└┘┼╇╋┳┻┠┨")
NOTE = "Left out to fit 80 columns: A wider window shows them; --json gives everything."


def _tokens(text: str) -> list[str]:
    """The words of an output, without rules and with the punctuation a wrap or a list label adds."""
    words = (w.strip(".,;:") for w in ANSI.sub("", text).split())
    return [w for w in words if w and not set(w) <= set("-─━")]


def _run(ws: Path, args: list[str], columns: int, terminal: bool) -> str:
    env = {"COLUMNS": str(columns), "FORCE_COLOR": "1" if terminal else "", "NO_COLOR": ""}
    if not terminal:
        env.pop("FORCE_COLOR")
    result = runner.invoke(app, [*args, "--workspace", str(ws)], env=env)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.output


def split_words(narrow: str, wide: str) -> list[str]:
    """Words printed at 80 columns that the wide output (where nothing wraps) does not hold: the halves of a
    word split in two ("Indicato", "r")."""
    known = set(_tokens(wide)) | set(_tokens(NOTE)) | {"80"}
    return [w for w in _tokens(narrow) if w not in known]


def _long_lines(text: str) -> list[str]:
    """Lines over 80 characters that are not a single word too long for any line (a terminal's; piped,
    a sentence stays one line, for a script or a log, and only tables fit the width)."""
    lines = (ANSI.sub("", line).rstrip() for line in text.splitlines())
    return [line for line in lines if len(line) > 80 and len(line.split()) > 1]


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> tuple[Filled, Path, Path]:
    """The example workspace with this quarter's returns filled in, one of them refused ('n/a' typed), a
    history file with errors, and a copy of the workspace before collecting (to collect twice)."""
    folder = tmp_path_factory.mktemp("tables")
    filled = make_filled(folder)
    returns = folder / "returns"
    for service in filled.filled:
        filled.copy(service, returns)
    set_cells(next(returns.glob("*libraries*")), {"H3": "n/a"})
    (folder / "bad.csv").write_text("indicator,period,value,status,reason,commentary,actions\n"
                                    "37,2023-24-Q1,lots,validated,,,\n999,2023-24-Q1,5,,,,\n", encoding="utf-8")
    shutil.copytree(filled.ws.root, folder / "before")
    collect_paths(filled.ws, [returns])
    import_comparators(filled.ws, filled.ws.root / COMPARATORS_SAMPLE, "Synthetic example data")
    return filled, returns, folder


COMMANDS = [
    ["indicators"], ["indicators", "--committee", "csmi", "--forecast"], ["status"], ["history", "show", "37"],
    ["check"], ["register", "check"], ["send", "--dry-run", "--drafts", "DRAFTS"], ["comparators", "show", "37"],
    ["register", "roll", "2024-25", "--uplift", "5%", "--out", "ROLLED"],
]


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
@pytest.mark.parametrize("args", COMMANDS + [["validate", "RETURNS"], ["history", "import", "BAD"]],
                         ids=lambda a: " ".join(a[:2]))
def test_no_command_splits_a_word_at_80_columns(scene: tuple[Filled, Path, Path], args: list[str],
                                                terminal: bool) -> None:
    filled, returns, folder = scene
    args = [{"RETURNS": str(returns), "BAD": str(folder / "bad.csv"), "DRAFTS": str(folder / "drafts"),
             "ROLLED": str(folder / "rolled.yaml")}.get(a, a) for a in args]
    narrow = _run(filled.ws.root, args, 80, terminal)
    (folder / "rolled.yaml").unlink(missing_ok=True)  # register roll never writes over a file
    wide = _run(filled.ws.root, args, 1000, terminal)
    (folder / "rolled.yaml").unlink(missing_ok=True)
    assert split_words(narrow, wide) == [], narrow
    assert _long_lines(narrow) == [] or not terminal, narrow
    if not terminal:  # piped: plain text, no colour, no box drawing
        assert "\x1b" not in narrow and not set(narrow) & BOX


@pytest.mark.parametrize("terminal", [False, True], ids=["piped", "terminal"])
def test_collect_splits_no_word_at_80_columns(scene: tuple[Filled, Path, Path], terminal: bool,
                                              tmp_path: Path) -> None:
    _, returns, folder = scene
    outputs = []
    for columns in (80, 1000):  # the same returns collected into two copies of the same workspace
        ws = tmp_path / f"ws{columns}"
        shutil.copytree(folder / "before", ws)
        outputs.append(_run(ws, ["collect", str(returns)], columns, terminal))
    assert "Refused" in outputs[0] and split_words(*outputs) == []
    assert _long_lines(outputs[0]) == [] or not terminal


def test_the_indicators_table_leaves_out_the_least_useful_columns_at_80(scene: tuple[Filled, Path, Path]) -> None:
    filled, _, _ = scene
    narrow = _run(filled.ws.root, ["indicators"], 80, False)
    header = next(line for line in narrow.splitlines() if line.startswith("No."))
    assert header.split() == ["No.", "Indicator", "Target", "Current", "RAG", "Change"]
    assert "Left out to fit 80 columns: Dir., Compared with." in narrow
    assert "Compared with" in _run(filled.ws.root, ["indicators"], 160, False)  # all there at 160


# --- The helper itself --------------------------------------------------------------------------------------

_WORD = st.text(st.characters(categories=("L", "N", "P")), min_size=1, max_size=18)
_CELL = st.lists(_WORD, max_size=8).map(" ".join)


@settings(max_examples=200)
@given(rows=st.lists(st.lists(_CELL, min_size=4, max_size=4), max_size=5), width=st.integers(20, 120),
       drops=st.lists(st.integers(0, 2), min_size=4, max_size=4))
def test_a_table_at_any_width_prints_only_whole_words(rows: list[list[str]], width: int, drops: list[int]) -> None:
    table = Table("Title", [Column(f"Column {n}", drop=d) for n, d in enumerate(drops)], [list(r) for r in rows])
    lines = plain_lines(table, width)
    layout = fit(table, width)
    body = lines[2:-1] if layout and len(layout[0]) < 4 else lines[2:]  # the note on left-out columns aside
    words = {w for row in rows for cell in row for w in cell.split()}
    headers = {"Column", "0", "1", "2", "3", "0:", "1:", "2:", "3:"}  # headings, and a list's "Column 2:"
    printed = [w for line in body for w in line.split() if not set(w) <= {"-"}]
    assert [w for w in printed if w not in words | headers] == [], lines
    assert all(len(line) <= width or len(line.split()) == 1 for line in body)


def test_a_column_is_never_narrower_than_its_longest_word() -> None:
    table = Table("", [Column("No."), Column("Indicator"), Column("Change", drop=1)],
                  [["36", "Number of active library users", "Improving"]])
    assert fit(table, 40) == ([0, 1, 2], [3, 24, 9])  # each its longest word, the rest to the longest text
    assert fit(table, 24) == ([0, 1], [3, 19])  # Change left out; Indicator wraps at a space
    assert fit(table, 13) is None  # "No." and "Indicator" with a gap need 14: a list
    assert wrap("(September 2023 (cumulative))", 12) == ["(September", "2023", "(cumulative))"]
    assert wrap("averyveryverylongword and more", 10) == ["averyveryverylongword", "and more"]
