"""The store (docs/store.md): versions, idempotent records, all-or-nothing transactions, exact figures."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import threading
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from support.store import Q2, received, submission

from kpixl.domain import FigureStatus, parse_period
from kpixl.errors import StoreError
from kpixl.problems import Problem, Severity
from kpixl.store import HISTORY_ARCHIVED, SCHEMA_VERSION, Partly, Store
from kpixl.store import queries as writing

# SQLite always; PostgreSQL too when KPIXL_TEST_POSTGRES_URL names an empty database to use (its tables are
# dropped before each test), e.g. postgresql+psycopg://kpixl@/kpixl_test?host=/tmp/pgsock with psycopg installed.
POSTGRES = os.environ.get("KPIXL_TEST_POSTGRES_URL", "")
TABLES = ("comparator_values", "events", "problems", "figures", "submissions", "schema_version")


@pytest.fixture(params=["sqlite", "postgresql"] if POSTGRES else ["sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kpixl.sqlite'}"
    engine = create_engine(POSTGRES)
    with engine.begin() as conn:
        for table in TABLES:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    return POSTGRES


@pytest.fixture
def store(url: str):
    with Store(url) as s:
        yield s


def dump(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: the store's whole state, to compare before and after."""
    engine = create_engine(url)
    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())  # an older store has fewer tables
        state = {t: [tuple(r) for r in conn.execute(text(f"SELECT * FROM {t} ORDER BY 1"))]
                 for t in TABLES if t in present}
    engine.dispose()
    return state


def test_a_resubmission_is_version_2_and_becomes_current(store: Store) -> None:
    store.record(submission("a"), [received("a", "37", "380018")])
    result = store.record(submission("b"), [received("b", "37", "380019", commentary="Corrected count")])
    assert result.added == (("37", Q2, 2),)
    assert store.current_figures()[("37", Q2)].value == Decimal(380019)
    history = store.history("37")
    assert [(h.version, h.figure.value, h.current, h.provenance.file_name) for h in history] == [
        (1, Decimal(380018), False, "a.xlsx"), (2, Decimal(380019), True, "b.xlsx")]
    assert history[0].provenance.cell == "J2" and history[0].target == "475,381"


def test_the_same_file_again_changes_nothing(store: Store, url: str) -> None:
    first = store.record(submission("a"), [received("a", "37", "380018")], [Problem("W1", Severity.WARNING, "m")])
    before = dump(url)
    again = store.record(submission("a"), [received("a", "37", "1")], [])
    assert again.duplicate and again.submission_id == first.submission_id and again.added == ()
    assert dump(url) == before


def test_identical_content_from_another_file_is_not_a_change(store: Store) -> None:
    store.record(submission("a"), [received("a", "198", "0.68", commentary="Steady")])
    result = store.record(submission("b"), [received("b", "198", "0.680", commentary="Steady")])
    assert (result.added, result.unchanged, result.duplicate) == ((), 1, False)
    assert [h.version for h in store.history("198")] == [1]


def test_a_changed_commentary_alone_is_a_new_version(store: Store) -> None:
    store.record(submission("a"), [received("a", "198", "0.68", commentary="Steady")])
    store.record(submission("b"), [received("b", "198", "0.68", commentary="Steady, see note")])
    assert store.current_figures()[("198", Q2)].commentary == "Steady, see note"


def test_a_refused_return_is_kept_with_its_problems_and_adds_no_figure(store: Store) -> None:
    problem = Problem("RET_WRONG_SERVICE", Severity.ERROR, "This is the Coroner's return.", "Send yours.",
                      "a.xlsx", "Return", "A1")
    result = store.record(submission("a", accepted=False), [received("a", "37", "1")], [problem])
    assert result.added == () and not result.duplicate
    assert store.current_figures() == {}
    [record] = store.submissions(Q2)
    assert (record.accepted, record.problems) == (False, (problem,))
    assert store.outstanding_problems(Q2) == {"libraries": (problem,)}


def test_a_refused_returns_valid_rows_are_stored_once_with_an_event_naming_them(store: Store, url: str) -> None:
    """kpixl collect --accept-valid-rows (issue 13), on SQLite and PostgreSQL: the figures given are stored
    from the refused file in the transaction that records it, with one return-partly-accepted event."""
    problem = Problem("FIGURE_NOT_NUMBER", Severity.ERROR, "'lots' is not a number.", "Type it.", "a.xlsx",
                      "Return", "J3", "37", Q2)
    store.record(submission("a", accepted=False), [], [problem])  # collected first without the flag
    partly = Partly(("36 2023-24-Q2",), ("37 2023-24-Q2",))
    result = store.record(submission("a", accepted=False), [received("a", "36", "96326")], [problem], partly)
    assert result.added == (("36", Q2, 1),) and not result.duplicate
    [record] = store.submissions(Q2)  # the same submission, still refused, its errors outstanding
    assert (record.accepted, store.outstanding_problems(Q2)) == (False, {"libraries": (replace(problem, period=""),)})
    assert list(store.partly_accepted(Q2)) == [record.id]
    assert store.partly_accepted(Q2)[record.id].detail["taken"] == ["36 2023-24-Q2"]
    before = dump(url)
    again = store.record(submission("a", accepted=False), [received("a", "36", "96326")], [problem], partly)
    assert again.duplicate and dump(url) == before  # partly accepted once


def test_a_failure_half_way_leaves_the_store_as_it_was(store: Store, url: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    store.record(submission("a"), [received("a", "37", "380018")])
    before = dump(url)
    real, calls = writing._figure_row, []

    def failing(*args: object) -> dict[str, object]:
        calls.append(args)
        if len(calls) == 2:  # the submission and its problems are already inserted by now
            raise RuntimeError("disk pulled out")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "_figure_row", failing)
    with pytest.raises(RuntimeError):
        store.record(submission("b"), [received("b", "37", "2"), received("b", "38", "3")],
                     [Problem("W1", Severity.WARNING, "m")])
    assert dump(url) == before
    monkeypatch.undo()
    assert store.record(submission("b"), [received("b", "37", "2")]).added == (("37", Q2, 2),)


@pytest.mark.parametrize("value", ["0.68", "380018", "0.680", "-1.5", "1E+3", "123456789012345678.000001", None])
def test_figures_round_trip_exactly(store: Store, value: str | None) -> None:
    status = FigureStatus.NOT_AVAILABLE if value is None else FigureStatus.VALIDATED
    store.record(submission("a"), [received("a", "37", value, status=status, reason="Data delayed")])
    stored = store.current_figures()[("37", Q2)].value
    assert stored == (None if value is None else Decimal(value))
    assert str(stored) == str(value if value is None else Decimal(value))  # the same spelling, not only equal


def test_months_and_quarters_come_back_as_periods_oldest_first(store: Store) -> None:
    store.record(submission("a"), [received("a", "221", "296", "2023-09"), received("a", "221", "313", "2023-08"),
                                   received("a", "221", "280", "2022-09")])
    assert [h.figure.period.slug for h in store.history("221")] == ["2022-09", "2023-08", "2023-09"]
    assert store.current_figures()[("221", "2023-09")].period == parse_period("2023-09")


def test_latest_submission_by_service_ignores_history_imports(store: Store) -> None:
    store.record(submission("a"), [received("a", "37", "1")])
    store.record(submission("b"), [received("b", "37", "2")])
    store.record(submission("h", service="", period="", source="history"), [received("h", "36", "5")])
    assert {s: r.file_hash for s, r in store.latest_submission_by_service(Q2).items()} == {"libraries": "b"}
    assert [r.file_hash for r in store.submissions()] == ["a", "b", "h"]


def test_the_same_file_as_return_and_as_history_are_two_submissions(store: Store) -> None:
    store.record(submission("a"), [received("a", "37", "1")])
    result = store.record(submission("a", source="history"), [received("a", "38", "2")])
    assert not result.duplicate


def test_opening_again_keeps_one_schema_version(url: str) -> None:
    for _ in range(3):
        Store(url).close()
    assert dump(url)["schema_version"][0][0] == SCHEMA_VERSION
    assert len(dump(url)["schema_version"]) == 1


def test_an_older_store_is_brought_up_to_this_version_and_says_since_when(url: str) -> None:
    """A store kpixl 1 wrote has only version 1: opening it records this version, whose time tells what was
    recorded under the older rules (history files not archived) from what was not."""
    with Store(url) as store:
        assert store.first_applied(HISTORY_ARCHIVED) is not None  # a new store is at this version from the start
        store.record(submission("old", source="history"), [received("old", "37", "1")])
    engine = create_engine(url)
    with engine.begin() as conn:  # as kpixl 1 left it
        conn.execute(text("UPDATE schema_version SET version = 1, applied_at = '2023-01-01T00:00:00+00:00'"))
    engine.dispose()
    with Store(url) as store:
        since = store.first_applied(HISTORY_ARCHIVED)
        [old] = store.submissions()
        assert since is not None and old.recorded_at < since
        assert store.first_applied(1) == datetime(2023, 1, 1, tzinfo=UTC)
    Store(url).close()
    assert [row[0] for row in dump(url)["schema_version"]] == [1, SCHEMA_VERSION]  # recorded once


def test_postgresql_is_tested_in_ci() -> None:
    """Locally the PostgreSQL runs need a server (KPIXL_TEST_POSTGRES_URL); CI starts one and must use it."""
    assert POSTGRES or not os.environ.get("CI"), ".ci/run must start PostgreSQL and set KPIXL_TEST_POSTGRES_URL"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kpixl.sqlite'}"
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    engine.dispose()


def test_two_stores_recording_at_once_both_land(url: str) -> None:
    """Two writers (as two officers collecting at once) contend for the same figures' next version."""
    Store(url).close()  # created once; each thread then opens its own store, as a process would
    errors: list[BaseException] = []

    def collect(name: str) -> None:
        try:
            with Store(url) as s:
                for i in range(15):
                    value = str(2 * i + (name == "x"))  # never what the other writer just wrote
                    s.record(submission(f"{name}{i}"), [received(f"{name}{i}", "37", value),
                                                        received(f"{name}{i}", "38", str(i))])
        except BaseException as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=collect, args=(n,)) for n in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with Store(url) as s:
        assert len(s.submissions()) == 30
        versions = [h.version for h in s.history("37")]
    assert versions == list(range(1, len(versions) + 1))  # no gap, no duplicate
    assert len(versions) == 30


def test_a_store_in_a_missing_folder_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="could not be opened"):
        Store(f"sqlite:///{tmp_path / 'no' / 'such' / 'kpixl.sqlite'}")


def test_a_file_that_is_not_a_database_is_a_store_error(tmp_path: Path) -> None:
    path = tmp_path / "kpixl.sqlite"
    path.write_bytes(b"this is a spreadsheet, honest" * 100)
    with pytest.raises(StoreError, match="not a database"):
        Store(f"sqlite:///{path}")


def test_an_unknown_database_url_is_a_store_error() -> None:
    with pytest.raises(StoreError, match="kpixl.toml"):
        Store("nosuchdb://host/kpixl")


WRITER = """
import sys
from support.store import received, submission
from kpixl.store import Store
url, name = sys.argv[1], sys.argv[2]
with Store(url) as store:
    for i in range(10):
        store.record(submission(f"{name}{i}"), [received(f"{name}{i}", "37", str(2 * i + (name == "p")))])
"""


def test_two_processes_recording_at_once_both_land(url: str) -> None:
    """As two officers running `kpixl collect` on one workspace: separate processes, one SQLite file."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path])}
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, url, name], env=env, stderr=subprocess.PIPE,
                                text=True) for name in ("p", "q")]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert ([w.returncode for w in writers], errors) == ([0, 0], ["", ""])
    with Store(url) as s:
        assert len(s.submissions()) == 20
        assert [h.version for h in s.history("37")] == list(range(1, 21))


def test_current_figures_of_some_indicators_are_the_latest_of_those_only(store: Store) -> None:
    store.record(submission("a"), [received("a", "37", "1"), received("a", "198", "0.5"),
                                   received("a", "37", "2", period="2023-24-Q1")])
    store.record(submission("b"), [received("b", "37", "3")])
    assert {k: f.value for k, f in store.current_figures(["37", "999"]).items()} == {
        ("37", Q2): Decimal(3), ("37", "2023-24-Q1"): Decimal(2)}
    assert set(store.current_figures()) == {("37", Q2), ("37", "2023-24-Q1"), ("198", Q2)}


def test_a_file_refused_then_accepted_is_stored_and_the_same_verdict_again_changes_nothing(store: Store) -> None:
    """A return refused for a reason outside it (collected with the wrong --period, a register not yet
    right) must be stored when collected again and accepted; the same file with a verdict already recorded
    is a duplicate, whichever it was."""
    refused = store.record(submission("a", period="2023-24-Q3", accepted=False), [],
                           [Problem("META_WRONG_PERIOD", Severity.ERROR, "wrong quarter")])
    assert store.record(submission("a", period="2023-24-Q3", accepted=False), []).duplicate  # refused again
    accepted = store.record(submission("a"), [received("a", "37", "380018")])
    assert not accepted.duplicate and accepted.submission_id != refused.submission_id
    assert accepted.added == (("37", Q2, 1),)
    assert store.current_figures()[("37", Q2)].value == Decimal(380018)
    again = store.record(submission("a", accepted=False), [])  # the same bytes refused in another context
    assert again.duplicate and again.submission_id == accepted.submission_id
    assert store.record(submission("a"), [received("a", "37", "1")]).duplicate
    assert [(s.accepted, s.period) for s in store.submissions()] == [(False, "2023-24-Q3"), (True, Q2)]
    assert store.latest_submission_by_service(Q2)["libraries"].accepted


_OLD_SUBMISSIONS_SQLITE = """CREATE TABLE submissions_old (id INTEGER NOT NULL, file_hash VARCHAR(64) NOT NULL,
    source VARCHAR(16) NOT NULL, file_name TEXT NOT NULL, received_at VARCHAR(40) NOT NULL,
    service VARCHAR(100) NOT NULL, period VARCHAR(20) NOT NULL, accepted BOOLEAN NOT NULL,
    recorded_at VARCHAR(40) NOT NULL, PRIMARY KEY (id), CONSTRAINT uq_submissions_file UNIQUE (file_hash, source))"""


def _as_version_2(url: str) -> None:
    """The store as kpixl left it before version 3: one submission per file, whatever the verdict."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None) as conn:
            conn.execute("PRAGMA foreign_keys = OFF")
            conn.execute("BEGIN")
            conn.execute(_OLD_SUBMISSIONS_SQLITE)
            columns = "id, file_hash, source, file_name, received_at, service, period, accepted, recorded_at"
            conn.execute(f"INSERT INTO submissions_old SELECT {columns} FROM submissions")
            conn.execute("DROP TABLE events")
            conn.execute("DROP TABLE comparator_values")
            for column in ("numerator", "denominator", "action_owner", "action_due"):
                conn.execute(f"ALTER TABLE figures DROP COLUMN {column}")
            conn.execute("DROP TABLE submissions")
            conn.execute("ALTER TABLE submissions_old RENAME TO submissions")
            conn.execute("CREATE INDEX ix_submissions_period_service ON submissions (period, service)")
            conn.execute("UPDATE schema_version SET version = 2")
            conn.execute("COMMIT")
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE submissions DROP CONSTRAINT uq_submissions_file, "
                          "ADD CONSTRAINT uq_submissions_file UNIQUE (file_hash, source)"))
        conn.execute(text("ALTER TABLE submissions DROP COLUMN sent_at, DROP COLUMN sender, DROP COLUMN subject, "
                          "DROP COLUMN message_id, DROP COLUMN attachment, DROP COLUMN held_by"))
        conn.execute(text("DROP TABLE events"))
        conn.execute(text("DROP TABLE comparator_values"))
        conn.execute(text("ALTER TABLE figures DROP COLUMN numerator, DROP COLUMN denominator, "
                          "DROP COLUMN action_owner, DROP COLUMN action_due"))
        conn.execute(text("UPDATE schema_version SET version = 2"))
    engine.dispose()


def _key_columns(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as conn:
        if url.startswith("sqlite"):
            sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'submissions'")).scalar()
            found = re.search(r"uq_submissions_file UNIQUE \(([^)]*)\)", sql or "")
            columns = found.group(1) if found else ""
        else:
            columns = ", ".join(conn.execute(text(
                "SELECT a.attname::text FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid "
                "AND a.attnum = ANY(c.conkey) WHERE c.conname = 'uq_submissions_file' ORDER BY a.attname"))
                .scalars())
    engine.dispose()
    return ",".join(sorted(columns.replace(" ", "").split(",")))


def test_a_store_from_before_version_3_gets_the_new_key_and_keeps_every_row(url: str) -> None:
    with Store(url) as store:
        store.record(submission("a", period="2023-24-Q3", accepted=False), [],
                     [Problem("META_WRONG_PERIOD", Severity.ERROR, "wrong quarter")])
        store.record(submission("b", service="coroner"), [received("b", "174", "12", cell="J5")])
    _as_version_2(url)
    assert _key_columns(url) == "file_hash,source"
    before = dump(url)
    with Store(url) as store:
        assert store.record(submission("a"), [received("a", "37", "380018")]).added == (("37", Q2, 1),)
    after = dump(url)
    assert _key_columns(url) == "accepted,file_hash,source"
    assert [row[:9] for row in after["submissions"][:2]] == before["submissions"]  # every row and id kept
    assert all(row[9:] == ("",) * 5 + (0,) for row in after["submissions"][:2])  # versions 4 and 6's, empty
    assert after["problems"] == before["problems"]
    assert [row[0] for row in after["schema_version"]] == [2, SCHEMA_VERSION]
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    Store(url).close()  # opening again changes nothing
    assert dump(url)["schema_version"] == after["schema_version"]


def test_a_store_written_by_a_newer_kpixl_is_refused_and_left_as_it_is(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kpixl.sqlite'}"
    Store(url).close()
    with sqlite3.connect(tmp_path / "kpixl.sqlite") as conn:
        conn.execute("INSERT INTO schema_version VALUES (?, ?)", (SCHEMA_VERSION + 1, "2030-01-01"))
    before = dump(url)
    with pytest.raises(StoreError, match=f"newer kpixl .*schema version is {SCHEMA_VERSION + 1}.*upgrade kpixl"):
        Store(url)
    assert dump(url) == before


def test_events_are_logged_in_order_and_a_ref_happens_once(store: Store) -> None:
    first = store.add_event("workbook-sent", actor="officer", period=Q2, service="libraries",
                            ref="send:2023-24-Q2:libraries", detail={"to": "lead@example.org"})
    assert first is not None
    assert store.add_event("workbook-sent", actor="other", period=Q2, service="libraries",
                           ref="send:2023-24-Q2:libraries") is None  # the same ref again: a duplicate
    assert store.add_event("note", actor="officer", period=Q2) is not None  # no ref: any number
    assert store.add_event("note", actor="officer", period="2023-24-Q3") is not None
    logged = store.events(Q2)
    assert [(e.kind, e.actor, e.service) for e in logged] == [("workbook-sent", "officer", "libraries"),
                                                               ("note", "officer", "")]
    assert logged[0].detail == {"to": "lead@example.org"} and logged[0].id == first
    assert [e.period for e in store.events()] == [Q2, Q2, "2023-24-Q3"]
    assert [e.period for e in store.events(kinds=["note"])] == [Q2, "2023-24-Q3"]
    assert store.events(service="coroner") == []


def test_a_submission_keeps_when_and_how_it_was_sent(store: Store) -> None:
    sent = datetime(2023, 10, 3, 9, 30, tzinfo=UTC)
    record = store.record(replace(submission("m"), sent_at=sent, sender="lead@example.org",
                                  subject="Q2 return", message_id="<1@example.org>", attachment="Return.xlsx"),
                          [received("m", "37", "380018")])
    kept = store.submissions()[-1]
    assert kept.id == record.submission_id and kept.sent_at == sent
    assert (kept.sender, kept.subject, kept.message_id, kept.attachment) == (
        "lead@example.org", "Q2 return", "<1@example.org>", "Return.xlsx")
    assert kept.submission.sent_at == sent
    assert store.history("37")[-1].submission.sender == "lead@example.org"
