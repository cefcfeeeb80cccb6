"""validate and collect: the library behind `kpixl validate` and `kpixl collect` (the CLI only prints).

    validate_paths(workspace, paths)  check every return; store nothing
    collect_paths(workspace, paths)   check, archive the original bytes, and record each return

collect never loses anything: every file that can be read, accepted or refused, is archived under its
content hash (Workspace.archive: workspace/archive/<sha256>.xlsx, or <sha256>.<kind>.bin when it is not a
readable workbook, so that a macro workbook kept as evidence stays inert; written to a temporary file then
renamed, so a crash leaves either no file or the whole file) and then recorded with its problems in one store
transaction; accepted figures are stored with it. The same file again changes nothing. Archive first,
record second: a crash between the two leaves an archived file the store does not know yet, and rerunning
records it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from kpixl.crashpoint import crash_point
from kpixl.domain.figures import Submission
from kpixl.errors import PathError
from kpixl.intake.assess import ReturnResult, assess_bytes, foreign_figures, valid_rows
from kpixl.intake.feedback import write_feedbacks
from kpixl.intake.rules import IntakeContext
from kpixl.problems import Where, count, problem
from kpixl.steps.workspace import Workspace
from kpixl.store import Partly, Store
from kpixl.untrusted.limits import MAX_FILE_BYTES, MAX_FILES

__all__ = ["Progress", "ReturnResult", "collect_paths", "expand_paths", "load_context", "returns_folder",
           "validate_paths", "write_feedback"]

Progress = Callable[[int, int, ReturnResult], None]  # (done, total, result): after each file
_SKIPPED_PREFIXES = (".", "~$")  # hidden files, and the lock files Excel leaves beside an open workbook
_SKIPPED_NAMES = ("manifest.json", "Thumbs.db", "desktop.ini")  # kpixl's own list of workbooks; OS litter


def load_context(workspace: Workspace, period: str | None = None) -> IntakeContext:
    """The context of the workspace for the quarter named (default: kpixl.toml's [cycle] period).
    A register with errors stops here: returns cannot be judged against it."""
    quarter = workspace.period_or_default(period)
    register = workspace.valid_register()
    known = workspace.current_figures()
    return IntakeContext(workspace.config.council, register, quarter, workspace.secret,
                         workspace.config.tolerances, known)


def returns_folder(workspace: Workspace, period: str | None = None) -> Path:
    """Where returns are kept when no path is named: the workspace's returns/<quarter>/ folder; PathError
    saying where to put them when it is not there."""
    folder = workspace.path("returns") / workspace.period_or_default(period).slug
    if not folder.is_dir():
        raise PathError(f"No returns named, and there is no folder {folder}: save the returns there, or name the "
                        "files or folder to collect.")
    return folder


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the files in the folders named (recursively, sorted, skipping hidden files,
    Excel's lock files, and kpixl's workbook manifest). Every other file is checked by its bytes, so a PDF
    sent instead of a workbook is reported, not skipped. PathError for a path that does not exist or a
    folder without files."""
    files: list[Path] = []
    for path in paths:
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _wanted(p.relative_to(path)))
            if not found:
                raise PathError(f"The folder {path} holds no files to check.")
            files.extend(found)
        else:
            raise PathError(f"There is no file or folder {path}.")
        if len(files) > MAX_FILES:
            raise PathError(f"More than {MAX_FILES:,} files named: name the folder of one quarter's returns.")
    return list(dict.fromkeys(files))


def _wanted(relative: Path) -> bool:
    name = relative.name
    hidden = any(part.startswith(".") for part in relative.parts[:-1])
    return not (hidden or name.startswith(_SKIPPED_PREFIXES) or name in _SKIPPED_NAMES)


def _read(path: Path) -> bytes | ReturnResult:
    """The file's bytes, at most one byte past the size limit (enough to say it is too large)."""
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        result = ReturnResult(path)
        result.report.add(problem("FILE_UNREADABLE", Where(path.name), detail=exc.strerror or str(exc)))
        return result


def _check(ctx: IntakeContext, path: Path) -> tuple[ReturnResult, bytes | None]:
    """The file's result, and its bytes when they are to be archived (not when unreadable or too large:
    the file stays where it is, and kpixl keeps no partial copy)."""
    data = _read(path)
    if isinstance(data, ReturnResult):
        return data, None
    result = assess_bytes(ctx, path, data)
    return (result, None) if len(data) > MAX_FILE_BYTES else (result, data)


def validate_paths(workspace: Workspace, paths: Sequence[Path], period: str | None = None,
                   progress: Progress | None = None) -> list[ReturnResult]:
    """Check every file (folders expanded); nothing is stored or archived."""
    files = expand_paths(paths)
    ctx = load_context(workspace, period)
    results = []
    for path in files:
        results.append(_check(ctx, path)[0])
        if progress:
            progress(len(results), len(files), results[-1])
    return results


def collect_paths(workspace: Workspace, paths: Sequence[Path], period: str | None = None,
                  progress: Progress | None = None, accept_valid_rows: bool = False) -> list[ReturnResult]:
    """Check, archive and record every file; accepted returns' figures are stored. One transaction each.

    A return is one answer: one error refuses it whole, and its good figures wait for the lead's corrected
    return. With accept_valid_rows the officer deliberately takes the rows of a refused return that no error
    names (valid_rows): they are stored from it, and a return-partly-accepted event names the rows taken and
    left; the return stays refused, its errors outstanding, and a later full return supersedes it."""

    files = expand_paths(paths)
    ctx = load_context(workspace, period)
    results = []
    with workspace.open_store() as store:
        for path in files:
            result, data = _check(ctx, path)
            if result.accepted:
                result.report.extend(foreign_figures(ctx, result))  # refuses it: belt and braces
            if data is not None:
                result.archived = workspace.archive(data, result.sha256, result.ext)
                crash_point("archived")
                _record(store, ctx, result, accept_valid_rows)
                crash_point("recorded")
            results.append(result)
            if progress:
                progress(len(results), len(files), result)
    return results


def _record(store: Store, ctx: IntakeContext, result: ReturnResult, accept_valid_rows: bool) -> None:
    submission = Submission(result.sha256, result.file_name, datetime.now(UTC), result.service, result.period,
                            result.accepted)
    valid = valid_rows(result) if accept_valid_rows and not result.accepted else None
    if valid is not None and valid.figures and not foreign_figures(ctx, result, valid.figures):
        recorded = store.record(submission, valid.figures, list(result.report), Partly(valid.taken, valid.left))
        if recorded.duplicate:
            result.stored = recorded.summary
            return
        result.partly = valid
        result.stored = (f"partly accepted: {recorded.summary} from {count(len(valid.taken), 'row')}; "
                         f"{count(len(valid.left), 'row')} with errors left ({', '.join(valid.left)})")
        return
    recorded = store.record(submission, result.figures if result.accepted else [], list(result.report))
    result.stored = recorded.summary if result.accepted or recorded.duplicate else "refused, kept"


def write_feedback(results: Sequence[ReturnResult], folder: Path) -> list[Path]:
    """For each return with problems, a marked copy for its lead in folder (kpixl.intake.feedback)."""
    return write_feedbacks(results, folder)
