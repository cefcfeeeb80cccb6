"""Submissions and figures as the store receives them, for the store's tests and its properties (no tests here)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

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
