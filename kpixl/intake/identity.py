"""Whose return is this, for which quarter, and can kpixl trust it? The hidden metadata sheet answers, and
its signature (layout.sign, with the workspace's secret) proves it unaltered. A return for another
council, service or quarter, or with altered metadata, is refused before any figure is looked at: its
figures cannot be judged against the wrong indicators, and the fix is to send the right workbook.

When a spreadsheet program dropped the metadata, the rows are read by indicator number: the service is the
one that owns the indicators, the expected rows are those kpixl would write for it now (layout.plan_rows),
and a warning says the return could not be verified.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kpixl.domain import Quarter, Service
from kpixl.intake.book import ReturnBook, normal
from kpixl.intake.rules import IntakeContext, period_of
from kpixl.layout.returns import FORMAT_NAME, RowMeta, WorkbookMeta, plan_rows, verify
from kpixl.problems import Problem, Severity, Where, problem

__all__ = ["Identity", "identify"]


@dataclass(frozen=True)
class Identity:
    service: Service | None
    quarter: Quarter
    rows: tuple[RowMeta, ...] = ()  # what the return should hold, in the order kpixl wrote it
    verified: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    @property
    def period(self) -> str:
        return self.quarter.slug


def _quarter_text(slug: str) -> str:
    found = period_of(slug)
    return str(found.quarter()) if found else slug


_REQUIRED = ("format", "council", "service", "period", "signature")


def _from_meta(pairs: dict[str, str], ctx: IntakeContext, where: Where) -> Identity:
    empty = next((key for key in _REQUIRED if key in pairs and not pairs[key]), None)
    if empty:
        return Identity(None, ctx.quarter, problems=[
            problem("META_SIGNATURE", where, detail=f"its entry '{empty}' is empty")])
    try:
        meta = WorkbookMeta.from_pairs(pairs)
        signature = pairs["signature"]
    except (KeyError, ValueError, TypeError, OverflowError, RecursionError) as exc:  # cells edited by hand
        detail = f"its entry {exc} is missing" if isinstance(exc, KeyError) else "its entries do not read"
        return Identity(None, ctx.quarter, problems=[problem("META_SIGNATURE", where, detail=detail)])
    if normal(meta.council) != normal(ctx.council):
        return Identity(None, ctx.quarter, problems=[
            problem("META_OTHER_COUNCIL", where, found=meta.council, expected=ctx.council)])
    if meta.format != FORMAT_NAME or not verify(meta, signature, ctx.secret):
        return Identity(None, ctx.quarter, problems=[
            problem("META_SIGNATURE", where, detail="its signature does not match what it says")])
    service = ctx.register.service(meta.service)
    if service is None:
        unknown = problem("META_UNKNOWN_SERVICE", where, service=meta.service)
        return Identity(None, ctx.quarter, problems=[unknown])
    if meta.period != ctx.quarter.slug:
        return Identity(service, ctx.quarter, problems=[problem(
            "META_WRONG_PERIOD", where, found=_quarter_text(meta.period), expected=str(ctx.quarter),
            service_name=service.name)])
    return Identity(service, ctx.quarter, meta.rows, verified=True)


def _owner(book: ReturnBook, ctx: IntakeContext) -> Service | None:
    """The service owning most of the rows' indicators (the others are reported as not belonging)."""
    owners = Counter(found.service for row in book.rows
                     if (found := ctx.register.indicator(row.indicator)) is not None)
    for service_id, _ in owners.most_common(1):
        return ctx.register.service(service_id)
    return None


def _rows_quarter(book: ReturnBook, service: Service, ctx: IntakeContext) -> Quarter | None:
    """The quarter the rows' Period cells name, when they all name the same one."""
    quarters = set()
    for row in book.rows:
        indicator = ctx.register.indicator(row.indicator)
        period = period_of(row.text("period"))
        if indicator is not None and indicator.service == service.id and period is not None:
            quarters.add(period.quarter())
    return quarters.pop() if len(quarters) == 1 else None


def _fallback(book: ReturnBook, ctx: IntakeContext, where: Where) -> Identity:
    service = _owner(book, ctx)
    if service is None:
        found = ", ".join(sorted({r.indicator for r in book.rows if r.indicator})[:8]) or "none"
        return Identity(None, ctx.quarter, problems=[problem("SERVICE_UNKNOWN", where, found=found)])
    quarter = _rows_quarter(book, service, ctx)
    if quarter is not None and quarter != ctx.quarter:
        return Identity(service, ctx.quarter, problems=[problem(
            "META_WRONG_PERIOD", where, found=str(quarter), expected=str(ctx.quarter),
            service_name=service.name)])
    planned = plan_rows(ctx.register, service.id, ctx.quarter, ctx.known, ctx.tolerances)
    warning = problem("META_MISSING", where, service_name=service.name, period=str(ctx.quarter))
    return Identity(service, ctx.quarter, tuple(r.meta() for r in planned), problems=[warning])


def identify(book: ReturnBook, ctx: IntakeContext, file: str) -> Identity:
    """The return's service, quarter and expected rows, or the problem that refuses it."""
    where = Where(file)
    if book.meta_pairs is None:
        return _fallback(book, ctx, where)
    return _from_meta(book.meta_pairs, ctx, where)
