"""Checking one returned file from its bytes: what it is, whose it is, its rows, each figure, its history.

    sniff -> read_book -> identify -> match_rows -> check_row (each) -> history queries -> explanations

Each stage adds Problems; a stage that leaves nothing to judge (not a workbook, another service's
file) ends the checks there. Nothing raises on content. The problems come out in reading order: the file,
then its identity, its rows, then each row from left to right.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from kpixl.domain.figures import Provenance, ReceivedFigure
from kpixl.domain.periods import Period
from kpixl.intake.book import Response, ReturnBook, read_book
from kpixl.intake.identity import identify
from kpixl.intake.rows import RowResult, check_row, match_rows
from kpixl.intake.rules import IntakeContext, as_stored, cumulative_fall, period_of, unusual_change
from kpixl.layout.returns import EXPLANATION_MARK, FEEDBACK_SHEET
from kpixl.problems import Problem, Report, Severity, Where, explain, is_explained, problem
from kpixl.untrusted.limits import FEEDBACK_MAX_CELLS, FEEDBACK_MAX_KEPT, MAX_FILE_BYTES, MAX_ROWS
from kpixl.untrusted.sniff import Kind, Sniffed, Work, sniff

__all__ = ["FAILED", "ReturnResult", "ValidRows", "assess_bytes", "foreign_figures", "valid_rows"]

_REFUSED = {Kind.XLS: "FILE_XLS", Kind.XLSM: "FILE_XLSM", Kind.ODS: "FILE_ODS",
            Kind.ENCRYPTED: "FILE_ENCRYPTED", Kind.EMPTY: "FILE_EMPTY", Kind.TOO_LARGE: "FILE_TOO_LARGE",
            Kind.CORRUPT: "FILE_CORRUPT", Kind.OTHER: "FILE_NOT_WORKBOOK"}


FAILED = "kpixl failed to read it"  # the words of a problem that is a bug in kpixl, not in the file


def assess_bytes(ctx: IntakeContext, path: Path, data: bytes) -> ReturnResult:
    """Every problem of the file whose bytes are data, and the figures it gives. Never raises on content:
    should a file still find a bug, it is refused with a problem saying so, and the other files of the
    collect go on (the fuzz target counts such problems as failures)."""
    try:
        return _assess(ctx, path, data)
    except Exception as exc:  # noqa: BLE001 - one file must not stop a quarter's collect
        whole = len(data) <= MAX_FILE_BYTES
        result = ReturnResult(path, hashlib.sha256(data).hexdigest() if whole else "", "bin")
        detail = f"{FAILED} ({type(exc).__name__}: {' '.join(str(exc).split())[:80]}); please report it"
        result.report.add(problem("FILE_CORRUPT", Where(path.name), detail=detail))
        return result


def _assess(ctx: IntakeContext, path: Path, data: bytes) -> ReturnResult:
    sniffed = sniff(data)
    whole = len(data) <= MAX_FILE_BYTES  # a file cut at the limit has no hash worth keeping
    result = ReturnResult(path, hashlib.sha256(data).hexdigest() if whole else "", sniffed.ext)
    result.work = sniffed.work
    if sniffed.kind is not Kind.XLSX:
        result.report.add(_refusal(sniffed, path.name))
        return result
    # openpyxl's full mode (a feedback workbook) builds a cell object for every cell, merged or linked: only
    # a workbook whose count is bounded is reopened that way.
    result.markable = sniffed.work.full_cells <= FEEDBACK_MAX_CELLS and sniffed.work.kept <= FEEDBACK_MAX_KEPT
    book, problems = read_book(data, path.name, sniffed.last_rows)
    result.report.extend(problems)
    if book is not None:
        result.sheets_read, result.cells_read = book.sheets_read, book.cells_read
        _assess_book(ctx, book, result)
    return result


def _refusal(sniffed: Sniffed, file: str) -> Problem:
    """Why a file that is not a workbook kpixl can read is refused: its kind, or where it is ambiguous."""
    if sniffed.kind is Kind.AMBIGUOUS:
        code = "CELL_AMBIGUOUS" if sniffed.cell else "FILE_AMBIGUOUS"
        return problem(code, Where(file, sniffed.sheet, sniffed.cell), detail=sniffed.what)
    return problem(_REFUSED[sniffed.kind], Where(file), detail=sniffed.what, what=sniffed.what)


@dataclass(frozen=True)
class ValidRows:
    """The rows of a refused return without an error, their figures, and the rows left (each "37 2023-24-Q2")."""

    figures: list[ReceivedFigure]
    taken: tuple[str, ...]
    left: tuple[str, ...]


def _row_number(cell: str) -> int:
    digits = re.sub(r"[^0-9]", "", cell)
    return int(digits) if digits else 0


def valid_rows(result: ReturnResult) -> ValidRows:
    """The rows of a return that no error names, for an officer who accepts them deliberately (kpixl collect
    --accept-valid-rows). An error about the whole file (no indicator, no cell: its kind, its identity, too
    many rows) leaves every row; an error at a row leaves that indicator and period; one naming an indicator
    without a period leaves all its rows. A row's revision of an earlier period goes with it."""
    errors = result.report.errors
    if not result.rows or any(not p.indicator and not p.cell for p in errors):
        return ValidRows([], (), tuple(f"{i} {p}" for i, p in result.rows))
    named = {p.indicator.casefold() for p in errors if p.indicator and not p.period}
    left = {(p.indicator.casefold(), p.period) for p in errors if p.indicator and p.period}
    taken = {key: number for key, number in result.rows.items()
             if key[0].casefold() not in named and (key[0].casefold(), key[1]) not in left}
    numbers = set(taken.values())
    figures = [f for f in result.figures if _row_number(f.provenance.cell) in numbers]
    return ValidRows(figures, tuple(f"{i} {p}" for i, p in taken),
                     tuple(f"{i} {p}" for i, p in result.rows if (i, p) not in taken))


def foreign_figures(ctx: IntakeContext, result: ReturnResult,
                    figures: list[ReceivedFigure] | None = None) -> list[Problem]:
    """A problem for each figure that is not its verified service's to give: an indicator of another
    service, or a period outside this quarter's return and the periods it may revise. The rows are matched
    to the signed metadata already, so there should never be one; collect checks again just before it
    writes, so that no future change to the reader can let a return write another service's figure."""
    service = ctx.register.service(result.service)
    allowed = set()
    for indicator in ctx.register.indicators_of_service(service.id) if service else ():
        for period in indicator.periods_in(ctx.quarter):
            allowed |= {(indicator.id, period.slug), (indicator.id, period.previous().slug)}
    found = []
    for item in result.figures if figures is None else figures:
        key = (item.figure.indicator, item.figure.period.slug)
        if key not in allowed or result.period != ctx.quarter.slug:
            row = int(re.sub(r"[A-Z]", "", item.provenance.cell) or 0)
            found.append(problem("ROW_UNKNOWN", Where(result.file_name, item.provenance.sheet).at(
                item.provenance.cell, key[0]), row=row, indicator=key[0], period=str(item.figure.period),
                service_name=service.name if service else "no service", quarter=str(ctx.quarter)))
    return found


def _assess_book(ctx: IntakeContext, book: ReturnBook, result: ReturnResult) -> None:
    identity = identify(book, ctx, result.file_name)
    result.report.extend(identity.problems)
    if identity.service is not None:
        result.service, result.service_name = identity.service.id, identity.service.name
    result.period, result.verified = identity.period, identity.verified
    if identity.refused or identity.service is None:
        return
    where = Where(result.file_name, book.sheet)
    result.signoff = book.signoff
    if book.too_many_rows:
        result.report.add(problem("FILE_TOO_LARGE", Where(result.file_name),
                                  detail=f"its {book.sheet} sheet goes on past {MAX_ROWS:,} rows"))
    matched, problems = match_rows(book.rows, identity.rows, where, identity.service, identity.quarter)
    result.report.extend(problems)
    provenance = Provenance(result.sha256, result.file_name, book.sheet)
    rows: list[RowResult] = []
    for item in matched:
        indicator, period = ctx.register.indicator(item.meta.indicator), period_of(item.meta.period)
        if indicator is None or period is None or indicator.service != identity.service.id:
            # Signed, but no longer this service's in the register: no figure of another service is taken.
            result.report.add(problem("ROW_UNKNOWN", where.at(f"A{item.row.row}", item.meta.indicator),
                                      row=item.row.row, indicator=item.meta.indicator,
                                      period=item.meta.period,
                                      service_name=identity.service.name, quarter=str(identity.quarter)))
            continue
        rows.append(check_row(ctx, indicator, period, item.meta, item.row, where, provenance))
    _history_queries(ctx, rows, where)
    used: set[str] = set()  # the responses that explained a query, by their cell on the Problems sheet
    for row in sorted(rows, key=lambda r: r.row.row):
        result.report.extend(_explained(_in_column_order(row.problems), row, book.responses, used))
        result.figures.extend(row.received)
        result.rows[(row.indicator.id, row.period.slug)] = row.row.row
    result.report.extend(_unmatched(book.responses, used, result.file_name))


def _history_queries(ctx: IntakeContext, rows: list[RowResult], where: Where) -> None:
    """The queries that need the indicator's history and this return's other rows (earlier months)."""
    values: dict[str, dict[Period, Decimal]] = {}
    for row in rows:
        if row.value is not None:
            series = values.setdefault(row.indicator.id, ctx.values(row.indicator.id))
            series[row.period] = row.value
    for row in rows:
        if row.value is None:
            continue
        series = values[row.indicator.id]
        cell = row.row.get("current")
        at = where.at(cell.ref if cell else "", row.indicator.id, row.period.slug)
        unit = row.indicator.unit
        fall = cumulative_fall(row.indicator, row.period, row.value, series)
        if fall is not None:
            row.problems.append(problem("CUMULATIVE_FALLS", at, shown=as_stored(row.value, unit),
                                        previous_period=str(fall[0]), previous=as_stored(fall[1], unit)))
        unusual = unusual_change(row.indicator, row.period, row.value, series)
        if unusual is not None:
            row.problems.append(problem("CHANGE_UNUSUAL", at, shown=as_stored(row.value, unit),
                                        change=unusual.change, previous_period=str(unusual.previous_period),
                                        previous=as_stored(unusual.previous, unit), rule=unusual.rule))


def _column_key(p: Problem) -> tuple[int, str]:
    letters = re.match(r"[A-Z]*", p.cell).group(0)  # type: ignore[union-attr]
    return (len(letters), letters)


def _in_column_order(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=_column_key)


def _explanation(commentary: str) -> str:
    """A commentary paragraph (or line) that starts with the explanation mark, without the mark."""
    for line in commentary.splitlines():
        if line.strip().casefold().startswith(EXPLANATION_MARK.casefold()):
            return line.strip()[len(EXPLANATION_MARK):].strip()
    return ""


def _answers(p: Problem, response: Response) -> bool:
    """Whether a response on the Problems sheet answers this query: the same code, indicator and period, and
    the same cell unless the row moved. A response from a sheet without the Period column must name the
    cell too; code and indicator alone would answer another period's query (a reply on September's row
    closed a new query on August's)."""
    if response.code != p.code or response.indicator.casefold() != p.indicator.casefold():
        return False
    period = period_of(response.period) if response.period else None
    if response.period and (period is None or period.slug != p.period):
        return False
    return response.cell == p.cell or period is not None


def _explained(problems: list[Problem], row: RowResult, responses: list[Response], used: set[str]) -> list[Problem]:
    """Queries the lead has explained, in the feedback sheet's response column or in the commentary."""
    note = _explanation(row.commentary)
    out = []
    for p in problems:
        if p.severity is Severity.QUERY:
            found = next((r for r in responses if r.severity == Severity.QUERY.value and _answers(p, r)), None)
            if found is not None:
                used.add(found.ref)
            text = found.text if found else note
            p = explain(p, text) if text else p
        out.append(p)
    return out


def _unmatched(responses: list[Response], used: set[str], file: str) -> list[Problem]:
    """A warning for each response to a query that this return no longer raises: never applied elsewhere."""
    return [problem("RESPONSE_UNMATCHED", Where(file, FEEDBACK_SHEET, r.ref, r.indicator), code=r.code,
                    indicator=r.indicator, period=r.period or "no period", cell=r.cell or "no cell")
            for r in responses if r.severity == Severity.QUERY.value and r.ref not in used]


@dataclass
class ReturnResult:
    path: Path
    sha256: str = ""
    ext: str = "bin"  # what the bytes are, for the archive's file name
    service: str = ""
    service_name: str = ""
    period: str = ""  # quarter slug, "" when it could not be told
    verified: bool = False  # kpixl's metadata present and its signature valid
    report: Report = field(default_factory=Report)
    figures: list[ReceivedFigure] = field(default_factory=list)
    rows: dict[tuple[str, str], int] = field(default_factory=dict)  # (indicator, period slug): its sheet row
    archived: Path | None = None  # set by collect
    stored: str = ""  # what the store did, set by collect
    sent_at: datetime | None = None  # when it was sent (set by validate and collect), and how that was told:
    sent_how: str = ""  # "message date" or "file modified"
    superseded_by: str = ""  # refused, and replaced since by this later-sent accepted return: nothing to correct
    markable: bool = False  # a workbook feedback may reopen in openpyxl's full mode (intake/feedback.py)
    work: Work = field(default_factory=Work)  # what sniffing it cost, counted
    sheets_read: int = 0  # sheets openpyxl parsed, and the cells it handed over
    cells_read: int = 0
    partly: ValidRows | None = None  # set by collect when the officer took the rows of a refused return
    signoff: dict[str, str] = field(default_factory=dict)  # a sign-off the head typed: name, role, date

    @property
    def file_name(self) -> str:
        return self.path.name

    @property
    def accepted(self) -> bool:
        return self.report.valid

    def _count(self, severity: Severity) -> int:
        return sum(1 for p in self.report if p.severity is severity)

    @property
    def count_errors(self) -> int:
        return self._count(Severity.ERROR)

    @property
    def count_queries(self) -> int:
        return self._count(Severity.QUERY)

    @property
    def count_warnings(self) -> int:
        return self._count(Severity.WARNING)

    @property
    def open_queries(self) -> int:
        return sum(1 for p in self.report if p.severity is Severity.QUERY and not is_explained(p))

    def summary(self) -> dict[str, Any]:
        return {"file": str(self.path), "service": self.service, "service_name": self.service_name,
                "period": self.period, "accepted": self.accepted, "verified": self.verified,
                "errors": self.count_errors, "queries": self.count_queries,
                "open_queries": self.open_queries, "warnings": self.count_warnings,
                "figures": len(self.figures) if self.accepted else 0, "sha256": self.sha256,
                "archived": str(self.archived) if self.archived else "", "stored": self.stored,
                "sent_at": self.sent_at.isoformat() if self.sent_at else None, "sent_how": self.sent_how,
                "superseded_by": self.superseded_by, "partly_accepted": self.partly is not None,
                "rows_taken": list(self.partly.taken) if self.partly else [],
                "rows_left": list(self.partly.left) if self.partly else [],
                "proposed_sign_off": self.signoff or None}

    def to_dict(self) -> dict[str, Any]:
        return self.summary() | {"problems": self.report.to_list()}
