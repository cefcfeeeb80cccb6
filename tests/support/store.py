"""Submissions and figures as the store receives them, for the store's tests and its properties (no tests here)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import create_engine, text

from kpixl.domain import Figure, FigureStatus, parse_period
from kpixl.domain.figures import Provenance, ReceivedFigure, Submission

Q2 = "2023-24-Q2"


def submission(file_hash: str, service: str = "libraries", period: str = Q2, accepted: bool = True,
               source: str = "return") -> Submission:
    return Submission(file_hash, f"{file_hash}.xlsx", datetime(2023, 10, 20, 9, 30, tzinfo=UTC), service, period,
                      accepted, source)


def received(file_hash: str, indicator: str, value: str | None, period: str = Q2, commentary: str = "",
             cell: str = "J2", status: FigureStatus = FigureStatus.VALIDATED, reason: str = "") -> ReceivedFigure:
    figure = Figure(indicator, parse_period(period), None if value is None else Decimal(value), status, reason,
                    commentary)
    return ReceivedFigure(figure, Provenance(file_hash, f"{file_hash}.xlsx", "Return", cell), target="475,381")


POSTGRES = os.environ.get("KPIXL_TEST_POSTGRES_URL", "")
STORE_KINDS = ["sqlite", "postgresql"] if POSTGRES else ["sqlite"]
# Every table, those that refer to others first: the order to drop them in.
ALL_TABLES = ("comparator_values", "events", "problems", "figures", "submissions", "schema_version")


def empty_store_url(kind: str, folder: Path) -> str:
    """A store URL with nothing in it: a new SQLite file in folder, or the test PostgreSQL database emptied."""
    if kind == "sqlite":
        return f"sqlite:///{folder / 'kpixl.sqlite'}"
    engine = create_engine(POSTGRES)
    with engine.begin() as conn:
        for table in ALL_TABLES:
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()
    return POSTGRES
