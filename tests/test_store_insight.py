"""Schema version 5 (docs/store.md, docs/insight.md): a figure's two counts, action owner and due date; the
comparator values of imported files; and an older store brought up to it, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from support.store import STORE_KINDS, empty_store_url, received, submission

from kpixl.domain.comparators import PublishedValue, parse_benchmark_period
from kpixl.domain.figures import Submission
from kpixl.store import SCHEMA_VERSION, Store

Q2 = "2023-24-Q2"


@pytest.fixture(params=STORE_KINDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_store_url(request.param, tmp_path)


def with_parts(file_hash: str, numerator: str, denominator: str, owner: str = "", due: date | None = None):  # type: ignore[no-untyped-def]
    item = received(file_hash, "138", str(D(numerator) / D(denominator)))
    figure = replace(item.figure, numerator=D(numerator), denominator=D(denominator), action_owner=owner,
                     action_due=due)
    return replace(item, figure=figure)


def test_a_figures_parts_owner_and_due_date_are_kept_exactly(url: str) -> None:
    with Store(url) as store:
        store.record(submission("a"), [with_parts("a", "63", "90", "Head of Skills", date(2024, 3, 31))])
        current = store.current_figures()[("138", Q2)]
        assert (current.value, current.numerator, current.denominator) == (D("0.7"), D(63), D(90))
        assert (current.action_owner, current.action_due) == ("Head of Skills", date(2024, 3, 31))
        [stored] = store.history("138")
        assert stored.figure == current


def test_a_new_owner_or_due_date_is_a_new_version_and_the_same_again_is_not(url: str) -> None:
    with Store(url) as store:
        store.record(submission("a"), [with_parts("a", "63", "90")])
        same = store.record(submission("b"), [with_parts("b", "63.0", "90")])
        assert (same.added, same.unchanged) == ((), 1)
        moved = store.record(submission("c"), [with_parts("c", "63", "90", owner="A Lead")])
        assert moved.added == (("138", Q2, 2),)
        parts = store.record(submission("d"), [with_parts("d", "126", "180", owner="A Lead")])
        assert parts.added == (("138", Q2, 3),)  # the same rate from other counts: the counts changed


def published(line: int, area: str, value: str, metric: str = "7001", period: str = "2022/23") -> PublishedValue:
    return PublishedValue(line, metric, "", area, f"Area {area}", parse_benchmark_period(period), D(value),
                          per_cent=True, source="LG Inform")


def comparator_file(file_hash: str) -> Submission:
    return Submission(file_hash, f"{file_hash}.csv", datetime(2024, 1, 5, tzinfo=UTC), "", "", True,
                      source="comparators")


def test_comparator_values_are_stored_once_per_file_and_read_by_indicator_or_metric(url: str) -> None:
    values = [published(5, "E10000003", "55.0"), published(6, "E10000015", "60.125"),
              replace(published(7, "E10000003", "1480000", metric=""), indicator="37")]
    with Store(url) as store:
        first = store.record_comparators(comparator_file("f"), values)
        assert (first.duplicate, first.values) == (False, 3)
        again = store.record_comparators(comparator_file("f"), values)
        assert again.duplicate and again.submission_id == first.submission_id
        assert [s.value for s in store.comparators()] == values
        assert [s.value.area_code for s in store.comparators(metrics=["7001"])] == ["E10000003", "E10000015"]
        [named] = store.comparators(indicators=["37"], metrics=[])
        assert (named.value.value, named.file_name, named.file_hash) == (D(1480000), "f.csv", "f")
        assert [s.source for s in store.submissions()] == ["comparators"]
        assert store.latest_submission_by_service("") == {}  # an import is not a return


def _as_version_4(url: str) -> None:
    """The store as kpixl left it before version 5: no figure parts, no owner, no comparator values."""
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE comparator_values"))
        for column in ("numerator", "denominator", "action_owner", "action_due"):
            conn.execute(text(f"ALTER TABLE figures DROP COLUMN {column}"))
        conn.execute(text("ALTER TABLE submissions DROP COLUMN held_by"))  # version 6's
        conn.execute(text("UPDATE schema_version SET version = 4"))
    engine.dispose()


def test_a_version_4_store_gets_the_new_columns_and_table_and_keeps_every_row(url: str) -> None:
    with Store(url) as store:
        store.record(submission("a"), [received("a", "37", "380018")])
    _as_version_4(url)
    with Store(url) as store:
        figure = store.current_figures()[("37", Q2)]
        assert (figure.value, figure.numerator, figure.denominator, figure.action_owner, figure.action_due) == \
            (D(380018), None, None, "", None)
        assert store.record_comparators(comparator_file("f"), [published(2, "E1", "5")]).values == 1
        store.record(submission("b"), [with_parts("b", "1", "2", owner="Someone")])
    Store(url).close()  # opening again changes nothing
    engine = create_engine(url)
    with engine.connect() as conn:
        assert [r[0] for r in conn.execute(text("SELECT version FROM schema_version ORDER BY 1"))] == \
            [4, SCHEMA_VERSION]
        columns = {c["name"]: c["nullable"] for c in inspect(conn).get_columns("figures")}
        assert (columns["numerator"], columns["action_owner"]) == (True, False)
    engine.dispose()
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA foreign_key_check").fetchall() == []
