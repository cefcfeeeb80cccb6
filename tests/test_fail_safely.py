"""Every failure is safe (issue 12, cases 3, 6, 7 and 9): no traceback for a damaged signing key, a YAML alias
bomb, a hand-edited store row, a full disk, or bad metadata cells; text from files never reaches the terminal
raw; and each message says what happened and what to do (locked, read-only, refused login and unreachable
told apart; a store value reported as the store's, not as something typed; a text too long for a cell named
where it came from)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import require_module
from sqlalchemy.exc import OperationalError
from support.cli import run_cli, seed_returns
from support.intake import Filled, assess, edit, make_filled

from kpixl.layout.returns import META_SHEET
from kpixl.steps import workspace as workspace_module
from kpixl.steps.collect import collect_paths
from kpixl.steps.workspace import Workspace
from kpixl.store import queries
from kpixl.store.core import failure

ESC = "\x1b]0;owned\x07\x1b[2J"
Q2 = "2023-24-Q2"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("safely"))


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    return Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))


def _clean(output: str) -> None:
    assert "Traceback" not in output and "\x1b" not in output and "\x07" not in output, output


# --- The signing key -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "words"), [("not hex at all\n", "damaged"), ("", "empty"), ("ab12\n", "too short")])
def test_a_damaged_or_empty_signing_key_is_refused_with_what_to_do(ws: Workspace, made: Filled, tmp_path: Path,
                                                                   key: str, words: str) -> None:
    """Before: a key that is not hex gave a traceback, and an empty one was used as the key."""
    (ws.root / ".kpixl" / "secret").write_text(key, encoding="utf-8")
    for command in (["collect", str(made.filled["libraries"])], ["workbooks"]):
        code, output = run_cli(ws, *command)
        assert code == 2 and words in output and "Restore it from a backup" in output, output
        _clean(output)


# --- The YAML register ---------------------------------------------------------------------------------------

def _bomb() -> str:
    text = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        text += f"{name}: &{name} [{','.join([f'*{previous}'] * 9)}]\n"
    return text + "services:\n  - id: s\n    name: *i\n"


@pytest.mark.parametrize(("text", "line"), [
    (_bomb(), 2),  # a billion 'lol's: 25 s, then MemoryError
    ("services: &s\n  - id: s\n    name: *s\n", 3),  # an alias inside its own anchor: RecursionError
])
def test_yaml_aliases_are_refused_at_their_line(ws: Workspace, text: str, line: int) -> None:
    ws.register_path.write_text(text, encoding="utf-8")
    code, output = run_cli(ws, "register", "check", "--json")
    problems = json.loads(output)["problems"]
    assert code == 1 and [(p["code"], p["cell"]) for p in problems] == [("REG_UNREADABLE", f"line {line}")]
    assert "anchors and aliases" in problems[0]["message"]


def test_a_register_text_too_long_for_a_cell_is_refused_at_its_line(ws: Workspace) -> None:
    """Before, a 10 MB title reached xlsxwriter, which 'returned -2'."""
    lines = ws.register_path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("title:"))
    lines[at] = lines[at].split("title:")[0] + "title: " + "x" * 100_000
    ws.register_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = run_cli(ws, "register", "check", "--json")
    found = [(p["code"], p["cell"]) for p in json.loads(output)["problems"]]
    assert code == 1 and found == [("REG_TEXT_TOO_LONG", f"line {at + 1}")]
    assert "100,000 characters long" in json.loads(output)["problems"][0]["message"]
    code, output = run_cli(ws, "workbooks")
    assert code == 1 and "register check" in output and "xlsxwriter" not in output


# --- Hand-edited store rows ----------------------------------------------------------------------------------

COMMANDS = [("status",), ("indicators",), ("report", "--committee", "csmi"), ("history", "show", "37"),
            ("export", "OUT"), ("workbooks",), ("check",)]


@pytest.mark.parametrize(("column", "value"), [("status", "weird"), ("value", "abc"), ("period", "2023-13"),
                                               ("value", "NaN")])
def test_a_hand_edited_figure_row_is_one_clear_error_in_every_command(ws: Workspace, tmp_path: Path,
                                                                      column: str, value: str) -> None:
    """Before: a traceback in every command, `check` included; a bad period read as if the user typed it."""
    with sqlite3.connect(ws.root / "kpixl.sqlite") as conn:
        row = conn.execute("SELECT id FROM figures WHERE indicator = '37' ORDER BY id LIMIT 1").fetchone()[0]
        conn.execute(f"UPDATE figures SET {column} = ? WHERE id = ?", (value, row))
    for command in COMMANDS:
        args = [str(tmp_path / "x.csv") if a == "OUT" else a for a in command]
        code, output = run_cli(ws, *args)
        assert code == 1, (command, output)
        assert f"table figures, row {row}, column {column}" in output, command
        # Every other command stops and says to run kpixl check, which lists each such row as a problem.
        assert "kpixl check" in output or command == ("check",), command
        assert "does not exist" not in output  # never reported as a period the officer typed
        _clean(output)


def test_a_hand_edited_problem_or_time_is_one_clear_error(ws: Workspace, made: Filled) -> None:
    collect_paths(ws, [made.filled["libraries"]])
    with sqlite3.connect(ws.root / "kpixl.sqlite") as conn:
        row = conn.execute("SELECT id FROM submissions WHERE source = 'return'").fetchone()[0]
        conn.execute("UPDATE submissions SET received_at = 'yesterday' WHERE id = ?", (row,))
    code, output = run_cli(ws, "status")
    assert code == 1 and f"table submissions, row {row}, column received_at is 'yesterday'" in output
    _clean(output)


# --- Failures of the disk and the store ----------------------------------------------------------------------

def _fail_on_third(monkeypatch: pytest.MonkeyPatch, target: Any, name: str,
                   fail: Callable[[], BaseException]) -> None:
    real, calls = getattr(target, name), []

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise fail()
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapped)


def _no_space() -> OSError:
    return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_while_archiving_stops_cleanly_saying_what_was_stored(
        ws: Workspace, made: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: a traceback, and no word of the files already stored."""
    real_keep = workspace_module.keep
    calls: list[str] = []

    def keep(folder: Path, name: str, data: bytes) -> Path:
        calls.append(name)
        if len(calls) == 3:  # the third file's archive write meets a full disk
            with monkeypatch.context() as patched:
                patched.setattr(os, "fsync", lambda _fd: (_ for _ in ()).throw(_no_space()))
                return real_keep(folder, name, data)
        return real_keep(folder, name, data)

    monkeypatch.setattr(workspace_module, "keep", keep)
    code, output = run_cli(ws, "collect", str(seed_returns(made, tmp_path / "in")))
    assert code == 1 and "No space left on device" in output, output
    assert "Before it, this collect stored 2 files" in output and "run the same command again" in output
    _clean(output)
    with ws.open_store() as store:
        assert len([r for r in store.submissions() if r.source == "return"]) == 2
    monkeypatch.undo()
    code, output = run_cli(ws, "collect", str(tmp_path / "in"))
    assert code == 0 and "7 of 7 returns stored" in output


def test_a_full_store_says_what_was_stored_before_it(ws: Workspace, made: Filled, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Before: 'database or disk is full. Nothing was changed', after earlier files were stored."""
    full = sqlite3.OperationalError("database or disk is full")
    _fail_on_third(monkeypatch, queries, "record", lambda: OperationalError("INSERT", {}, full))
    code, output = run_cli(ws, "collect", str(seed_returns(made, tmp_path / "in")))
    assert code == 1 and "the disk is full" in output and "Before it, this collect stored 2 files" in output
    assert "Nothing was changed" not in output
    _clean(output)


MESSAGES = {
    "locked": ("database is locked", "locked by another kpixl command"),
    "read-only": ("attempt to write a readonly database", "you may read it but not change it"),
    "login": ('connection failed: FATAL:  password authentication failed for user "kpixl"', "PGPASSWORD"),
    "unreachable": ("connection failed: Connection refused", "cannot be reached"),
    "full": ("database or disk is full", "the disk is full"),
    "damaged": ("file is not a database", "kpixl check --rebuild"),
}


@pytest.mark.parametrize("case", sorted(MESSAGES))
def test_each_store_failure_has_its_own_advice(case: str) -> None:
    """Before, each said 'If another kpixl command is running, wait for it and try again'."""
    said, advice = MESSAGES[case]
    message = failure("kpixl.sqlite", "read", said)
    assert advice in message and " ".join(said.split()) in message
    others = [a for c, (_, a) in MESSAGES.items() if c != case]
    assert not any(other in message for other in others)
    assert ("wait for" in message.lower()) == (case == "locked")


def test_a_read_only_store_says_so(ws: Workspace, made: Filled) -> None:
    read_only = f"sqlite:///file:{ws.root / 'kpixl.sqlite'}?mode=ro&uri=true"
    config = ws.root / "kpixl.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('store = "kpixl.sqlite"', f'store = "{read_only}"'),
                      encoding="utf-8")
    code, output = run_cli(ws, "collect", str(made.filled["libraries"]))
    assert code == 1 and "you may read it but not change it" in output, output
    _clean(output)


def test_a_refused_postgresql_login_and_an_unreachable_server_are_told_apart(tmp_path: Path) -> None:
    from kpixl.errors import StoreError
    from kpixl.store import open_store

    require_module("psycopg")
    url = os.environ.get("KPIXL_TEST_POSTGRES_URL", "")
    if not url:  # CI starts a server and sets it (tests/test_store.py holds that)
        pytest.skip("KPIXL_TEST_POSTGRES_URL is not set")
    from sqlalchemy.engine import make_url

    wrong = make_url(url).set(password="not-the-password").render_as_string(hide_password=False)
    with pytest.raises(StoreError) as refused:
        open_store(wrong)
    assert "refused the login" in str(refused.value) and "PGPASSWORD" in str(refused.value)
    assert "not-the-password" not in str(refused.value)
    nowhere = make_url(url).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    with pytest.raises(StoreError) as unreachable:
        open_store(nowhere)
    assert "cannot be reached" in str(unreachable.value)


# --- Bad metadata cells --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("key", "value"), [("signature", "é" * 64),
                                            ("row:", '[1e999, "36", "2023-24-Q2", "", "", "", ""]'),
                                            ("row:", "[" * 100_000 + "]" * 100_000)])
def test_bad_metadata_cells_are_a_real_problem_not_a_bug(made: Filled, tmp_path: Path, key: str,
                                                        value: str) -> None:
    """Before: 'kpixl failed to read it (TypeError / OverflowError / RecursionError ...); please report it'."""
    def change(sheet: Any) -> None:
        for row in sheet.iter_rows():
            if row[0].value == key or (key == "row:" and str(row[0].value).startswith("row:")):
                row[1].value = value
                return

    path = edit(made.copy("libraries", tmp_path), change, sheet=META_SHEET)
    result = assess(made.ctx, path)
    assert [p.code for p in result.report.errors] == ["META_SIGNATURE"]
    assert "please report" not in result.report.errors[0].message


# --- Text from files on the terminal -------------------------------------------------------------------------

def test_a_history_file_name_with_escapes_is_shown_as_text(ws: Workspace, tmp_path: Path) -> None:
    source = ws.root / "history" / "figures.csv"
    named = tmp_path / f"figures{ESC}.csv"
    shutil.copyfile(source, named)
    code, output = run_cli(ws, "history", "import", str(named))
    assert code == 0 and "figures?]0;owned??[2J.csv" in output
    _clean(output)


def test_a_bad_link_in_the_register_is_shown_as_text_by_report(ws: Workspace) -> None:
    text = ws.register_path.read_text(encoding="utf-8")
    escaped = "\\e]0;owned\\a\\e[2J"  # as YAML writes ESC and BEL in a quoted string
    ws.register_path.write_text(text.replace('"https://', f'"javascript{escaped}://', 1), encoding="utf-8")
    code, output = run_cli(ws, "report", "--committee", "csmi")
    assert code == 1 and "register check" in output
    _clean(output)
    code, output = run_cli(ws, "register", "check")
    assert code == 1 and "REG_BAD_URL" in output
    _clean(output)
