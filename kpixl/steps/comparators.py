"""Published comparators: `kpixl comparators import` and `kpixl comparators show` (docs/insight.md, section 1).

An import is checked like a history file: any error and nothing is stored; otherwise the file's bytes are
archived under their SHA-256 (Workspace.archive, as `<sha256>.csv.bin`), then its values stored as one
submission with source "comparators", so importing the same file again changes nothing and `kpixl check`
can hash it again. Reading maps each value to its indicator through the register (a file's own indicator
column, or the indicator's Benchmark metric), takes the latest import of each area and period, and works out
the council's rank in its group (kpixl.toml [comparators]).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from kpixl.crashpoint import crash_point
from kpixl.domain import Figure, Indicator, Quarter, Register, format_value
from kpixl.domain.comparators import (
    Benchmark,
    ComparatorValue,
    ComparisonGroup,
    PublishedValue,
    benchmark,
    current_values,
    own_figures,
)
from kpixl.domain.figures import Submission
from kpixl.errors import UnknownIndicator, WorkspaceError
from kpixl.intake.comparators_csv import read_comparators
from kpixl.intake.history_csv import read_capped
from kpixl.problems import Report, Where, problem
from kpixl.register import load_register
from kpixl.steps.workspace import Workspace
from kpixl.store import ComparatorRecord, Store, StoredComparator
from kpixl.store.benchmarks import SOURCE

__all__ = ["COMPARATOR_SUFFIXES", "ComparatorImport", "ComparatorView", "benchmarks_for", "comparator_view",
           "import_comparators", "shown_value"]

COMPARATOR_SUFFIXES = (".csv",)


@dataclass
class ComparatorImport:
    path: Path
    format: str = ""  # "tidy", "lginform-wide", "lginform-long"
    values: list[PublishedValue] = field(default_factory=list)
    skipped: int = 0  # cells with no value published
    report: Report = field(default_factory=Report)
    recorded: ComparatorRecord | None = None  # None: nothing was stored (the file has errors)
    sha256: str = ""
    archived: Path | None = None

    @property
    def exit_code(self) -> int:
        return self.report.exit_code


def import_comparators(workspace: Workspace, path: Path, source: str = "", metric: str = "",
                       store: Store | None = None) -> ComparatorImport:
    """Check a comparator file and, if it has no error, archive it and store its values."""
    if not path.is_file():
        raise WorkspaceError(f"There is no file {path}")
    result = ComparatorImport(path)
    if path.suffix.lower() not in COMPARATOR_SUFFIXES:
        result.report.add(problem("COMP_UNKNOWN_FORMAT/suffix", Where(path.name),
                                  found=path.suffix or "a file without an extension"))
        return result
    loaded = load_register(workspace.register_path)
    result.report.extend(loaded.report.errors)  # a broken register would misjudge every row
    try:
        data = read_capped(path)  # read once: these bytes are checked, hashed and kept
    except OSError as exc:
        raise WorkspaceError(f"Cannot read {path}: {exc.strerror or exc}. Close it in Excel if it is open, "
                             "and check you may read it.") from exc
    read = read_comparators(data, path.name, loaded.register, source, metric)
    result.format, result.values, result.skipped = read.format, read.values, read.skipped
    result.report.extend(read.problems)
    result.sha256 = hashlib.sha256(data).hexdigest()
    if not result.report.valid:
        return result
    own = store is None
    store = store or workspace.open_store()  # first: a store that cannot be opened leaves nothing archived
    try:
        # Archived first, recorded second, as collect and history import do (a CSV is kept inert: .csv.bin).
        result.archived = workspace.archive(data, result.sha256, "csv")
        crash_point("archived")
        submission = Submission(result.sha256, path.name, datetime.now(UTC), "", "", True, source=SOURCE)
        result.recorded = store.record_comparators(submission, result.values)
    finally:
        if own:
            store.close()
    return result


@dataclass
class ComparatorView:
    """An indicator's published values and where the council stands: what `kpixl comparators show` prints."""

    indicator: Indicator
    group: ComparisonGroup | None  # None: kpixl.toml has no [comparators]
    stored: list[StoredComparator]  # every value stored for it, oldest import first
    current: list[ComparatorValue]  # in kpixl's terms, the latest import of each area and period
    benchmark: Benchmark | None  # None without a group
    up_to: date | None  # the reporting period's end the benchmark looked up to (None: any)


def shown_value(indicator: Indicator, value: Decimal | None) -> str:
    """A comparator value as the report prints the indicator's figures ("54%", "1,587,500")."""
    return format_value(value, indicator.unit, indicator.decimals)


def _find(register: Register, indicator_id: str) -> Indicator:
    indicator = register.indicator(indicator_id)
    if indicator is None:
        known = ", ".join(i.id for i in register.indicators[:12]) or "none"
        raise UnknownIndicator(f"There is no indicator '{indicator_id}' in the register. Indicators include: "
                               f"{known}.")
    return indicator


def _up_to(indicator: Indicator, quarter: Quarter | None) -> date | None:
    return None if quarter is None else indicator.reporting_period(quarter).end_date


def _benchmark(indicator: Indicator, group: ComparisonGroup | None, stored: Iterable[StoredComparator],
               quarter: Quarter | None, figures: dict[tuple[str, str], Figure]) -> tuple[list[ComparatorValue],
                                                                                        Benchmark | None]:
    current = current_values(indicator, (s.value for s in stored))
    if group is None:
        return current, None
    return current, benchmark(indicator, group, current, _up_to(indicator, quarter),
                              own_figures(indicator, figures))


def comparator_view(workspace: Workspace, indicator_id: str, quarter: Quarter | None = None) -> ComparatorView:
    """Every published value of an indicator, and (with [comparators] set) where the council stands at the
    most recent period ending by the quarter's reporting period (the configured quarter when none is given)."""
    indicator = _find(load_register(workspace.register_path).register, indicator_id)
    quarter = quarter or workspace.config.period
    metrics = [indicator.benchmark_metric] if indicator.benchmark_metric else []
    with workspace.open_store() as store:
        stored = store.comparators([indicator.id], metrics)
        figures = store.current_figures([indicator.id])
    group = workspace.config.comparators
    current, found = _benchmark(indicator, group, stored, quarter, figures)
    return ComparatorView(indicator, group, stored, current, found, _up_to(indicator, quarter))


def benchmarks_for(workspace: Workspace, indicators: Iterable[Indicator], quarter: Quarter,
                   figures: dict[tuple[str, str], Figure], store: Store | None = None) -> dict[str, Benchmark]:
    """Each indicator's benchmark for the quarter's report, for those with published values (none without
    [comparators]): what the report model takes (docs/insight.md, "The report model")."""
    group = workspace.config.comparators
    indicators = list(indicators)
    if group is None or not indicators:
        return {}
    metrics = [i.benchmark_metric for i in indicators if i.benchmark_metric]
    own = store is None
    store = store or workspace.open_store()
    try:
        stored = store.comparators([i.id for i in indicators], metrics)
    finally:
        if own:
            store.close()
    found: dict[str, Benchmark] = {}
    for indicator in indicators:
        mine = [s for s in stored if s.value.belongs_to(indicator)]
        if mine:
            result = _benchmark(indicator, group, mine, quarter, figures)[1]
            if result is not None:
                found[indicator.id] = result
    return found
