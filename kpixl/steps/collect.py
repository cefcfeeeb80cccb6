"""validate and collect: the library behind `kpixl validate` and `kpixl collect` (the CLI only prints).

    validate_paths(workspace, paths)  check every return; store nothing
    collect_paths(workspace, paths)   check, archive the original bytes, and record each return

Files are taken in the order they were sent (Source: a message's Date, else the file's modification time),
never by name: the latest-sent accepted return of a service and quarter is current (docs/store.md,
"Current"). Two returns for one service and quarter in one run get a warning naming both and the current
one; a refused return that a later-sent accepted one replaced is superseded, and leaves nothing to correct.

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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from kpixl.crashpoint import crash_point
from kpixl.domain.figures import Submission
from kpixl.domain.review import SIGNOFF_PROPOSED
from kpixl.errors import KpixlError, PathError
from kpixl.intake.assess import ReturnResult, assess_bytes, foreign_figures, valid_rows
from kpixl.intake.feedback import write_feedbacks
from kpixl.intake.rules import IntakeContext
from kpixl.problems import Where, count, problem
from kpixl.steps.messages import MessageResult, open_message, record_message
from kpixl.steps.workspace import Receipt, Workspace
from kpixl.store import Partly, RecordResult, Store
from kpixl.untrusted.limits import MAX_FILE_BYTES, MAX_FILES, MAX_MESSAGE_BYTES
from kpixl.untrusted.sniff import OLE2_MAGIC, message_kind

__all__ = ["FILE_MODIFIED", "MESSAGE_DATE", "Collected", "MessageResult", "Named", "Progress", "ReturnResult",
           "Source", "attachments_of", "collect", "collect_paths", "expand_paths", "in_sent_order", "load_context",
           "returns_folder", "validate", "validate_paths", "write_feedback"]

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


@dataclass(frozen=True)
class Source:
    """A file to check, and when it was sent: the order in which returns for one service and quarter follow
    each other (the latest sent is current), whatever their names or the order they are collected in.

    A file named on the command line, or found in a folder, was sent when it was last modified (the copy
    saved from an email keeps the time it was saved at the latest). A return taken from a message is sent at
    the message's Date: give sent_at, how="message date", and the message's details."""

    path: Path
    sent_at: datetime | None = None  # None: the file's modification time
    how: str = ""  # how sent_at was told, as the output states it
    name: str = ""  # the name to show and record (an attachment's), when not the file's own
    sender: str = ""
    subject: str = ""
    message_id: str = ""
    data: bytes | None = field(default=None, repr=False, compare=False)  # its bytes, when not read from path
    via: str = ""  # the SHA-256 of the message it came in (kpixl.steps.messages), "" for a file

    @property
    def shown(self) -> Path:
        return Path(self.name) if self.name else self.path

    def dated(self) -> Source:
        """The same source with its time told (the file's modification time when none was given)."""
        if self.sent_at is not None:
            return replace(self, sent_at=self.sent_at.astimezone(UTC), how=self.how or MESSAGE_DATE)
        if self.data is not None:
            return replace(self, how="unknown")  # bytes from elsewhere (a mailbox) without a time
        try:
            modified = datetime.fromtimestamp(self.path.stat().st_mtime, UTC)
        except OSError:
            return replace(self, how="unknown")  # unreadable: reported as such when read
        return replace(self, sent_at=modified, how=FILE_MODIFIED)


MESSAGE_DATE, FILE_MODIFIED = "message date", "file modified"
Named = Path | Source  # what validate and collect take: files or folders, or files with when they were sent


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


def in_sent_order(named: Sequence[Named]) -> list[Source]:
    """Every file named (folders expanded), each with when it was sent, earliest first: the order kpixl reads
    and records them in, so that within one run too the latest sent comes last and is current. Files sent
    at the same moment are taken in name order."""
    sources = [item for item in named if isinstance(item, Source)]
    paths = expand_paths([item for item in named if isinstance(item, Path)]) if any(
        isinstance(item, Path) for item in named) else []
    return _sorted([source.dated() for source in [*sources, *(Source(path) for path in paths)]])


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _sorted(sources: list[Source]) -> list[Source]:
    return sorted(sources, key=lambda s: (s.sent_at or _EPOCH, str(s.shown)))


def _wanted(relative: Path) -> bool:
    name = relative.name
    hidden = any(part.startswith(".") for part in relative.parts[:-1])
    return not (hidden or name.startswith(_SKIPPED_PREFIXES) or name in _SKIPPED_NAMES)


def _read(source: Source, limit: int = MAX_FILE_BYTES) -> bytes | ReturnResult:
    """The file's bytes, at most one byte past the size limit (enough to say it is too large)."""
    if source.data is not None:
        return source.data[:limit + 1]
    try:
        with source.path.open("rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        result = ReturnResult(source.shown)
        result.report.add(problem("FILE_UNREADABLE", Where(source.shown.name), detail=exc.strerror or str(exc)))
        return result


def _check(ctx: IntakeContext, source: Source) -> tuple[ReturnResult, bytes | None]:
    """The file's result, and its bytes when they are to be archived (not when unreadable or too large:
    the file stays where it is, and kpixl keeps no partial copy)."""
    data = _read(source)
    if isinstance(data, ReturnResult):
        result, kept = data, None
    else:
        result = assess_bytes(ctx, source.shown, data)
        kept = None if len(data) > MAX_FILE_BYTES else data
        _check_sender(ctx, source, result)
    result.sent_at, result.sent_how = source.sent_at, source.how
    return result, kept


def _check_sender(ctx: IntakeContext, source: Source, result: ReturnResult) -> None:
    """A return from an address that is neither its service's lead nor its deputy is read all the same, with a
    query naming the sender, so that the team sees who sent it."""
    service = ctx.register.service(result.service) if result.service else None
    if source.sender and service is not None and not service.may_send(source.sender):
        result.report.add(problem("SENDER_UNKNOWN", Where(result.file_name), service_name=service.name,
                                  sender=source.sender))


@dataclass
class Collected:
    """What one validate or collect read: each return (an attachment is one), in sent order, and each message
    the returns came in."""

    returns: list[ReturnResult] = field(default_factory=list)
    messages: list[MessageResult] = field(default_factory=list)


def _peek(source: Source) -> tuple[str, bytes]:
    """("eml" or "msg", its bytes) when the file is a saved message, else ("", b""): told by its bytes, as every
    file is. Only an OLE2 file (a .msg, or an old .xls) is read whole to tell; others by their first 16 KB."""
    if source.via:
        return "", b""  # an attachment: a message inside a message is not followed (nesting is a limit)
    head = _read(source, 16383)
    if isinstance(head, ReturnResult):
        return "", b""  # unreadable: reported when it is read as a return
    kind = message_kind(head) if not head.startswith(OLE2_MAGIC) else ""
    if head.startswith(OLE2_MAGIC) or kind:
        whole = _read(source, MAX_MESSAGE_BYTES)
        if isinstance(whole, bytes):
            kind = kind or message_kind(whole)
            return (kind, whole) if kind else ("", b"")
    return "", b""


def _open_messages(sources: list[Source]) -> tuple[list[Source], list[MessageResult]]:
    """Each saved message among the sources replaced by its attachments (each a source of its own, dated by
    the message's Date), in sent order again; and the messages."""
    plain: list[Source] = []
    messages: list[MessageResult] = []
    for source in sources:
        kind, data = _peek(source)
        if not kind:
            plain.append(source)
            continue
        opened = open_message(source.path, data, kind, source.sent_at, source.how, source.name)
        messages.append(opened)
        plain.extend(attachments_of(opened))
    if not messages:
        return sources, []
    return _sorted(plain), sorted(messages, key=lambda m: (m.sent_at or _EPOCH, m.name))


def attachments_of(opened: MessageResult) -> list[Source]:
    """Each attachment of a message as a return to check, sent when the message was, from its sender."""
    if opened.message is None:
        return []
    return [Source(opened.path, opened.sent_at, opened.sent_how, attachment.name, opened.sender, opened.subject,
                   opened.message_id, attachment.data, opened.sha256) for attachment in opened.message.attachments]


def validate_paths(workspace: Workspace, paths: Sequence[Named], period: str | None = None,
                   progress: Progress | None = None) -> list[ReturnResult]:
    """Check every file (folders expanded, messages opened), in the order they were sent; nothing is stored
    or archived."""
    return validate(workspace, paths, period, progress).returns


def validate(workspace: Workspace, paths: Sequence[Named], period: str | None = None,
             progress: Progress | None = None) -> Collected:
    """validate_paths, with the messages the returns came in."""
    sources, messages = _open_messages(in_sent_order(paths))
    ctx = load_context(workspace, period)
    run = Collected(messages=messages)
    for source in sources:
        run.returns.append(_check(ctx, source)[0])
        _note_message(run, source, run.returns[-1])
        if progress:
            progress(len(run.returns), len(sources), run.returns[-1])
    _same_service_twice(run.returns, _current_in_run(run.returns), ctx)
    _mark_superseded(run.returns, _current_in_run(run.returns))
    return run


def collect_paths(workspace: Workspace, paths: Sequence[Named], period: str | None = None,
                  progress: Progress | None = None, accept_valid_rows: bool = False) -> list[ReturnResult]:
    """Check, archive and record every file, in the order they were sent; accepted returns' figures are
    stored, one transaction each. A failure of the archive or the store stops the run with its error, which
    then also says which files were stored before it.

    A return is one answer: one error refuses it whole, and its good figures wait for the lead's corrected
    return. With accept_valid_rows the officer deliberately takes the rows of a refused return that no error
    names (valid_rows): they are stored from it, and a return-partly-accepted event names the rows taken and
    left; the return stays refused, its errors outstanding, and a later full return supersedes it."""
    return collect(workspace, paths, period, progress, accept_valid_rows).returns


def collect(workspace: Workspace, paths: Sequence[Named], period: str | None = None,
            progress: Progress | None = None, accept_valid_rows: bool = False) -> Collected:
    """collect_paths, with the messages the returns came in: each archived and recorded before its returns."""
    sources, messages = _open_messages(in_sent_order(paths))
    ctx = load_context(workspace, period)
    run = Collected(messages=messages)
    results = run.returns
    with workspace.open_store() as store:
        for message in messages:
            record_message(workspace, store, message, ctx.quarter.slug)
        for source in sources:
            result, data = _check(ctx, source)
            try:
                _keep(workspace, store, ctx, source, result, data, accept_valid_rows)
            except KpixlError as exc:
                raise type(exc)(_stopped(exc, result, results)) from None  # the same error, saying what was done
            results.append(result)
            _note_message(run, source, result)
            if progress:
                progress(len(results), len(sources), result)
        current = _current_in_store(store, results)
    _same_service_twice(results, current, ctx)
    _mark_superseded(results, current)
    for result in results:
        _note_current(result, current)
    return run


def _note_message(run: Collected, source: Source, result: ReturnResult) -> None:
    """Keep a return taken from a message with its message (its receipt reports on it)."""
    if source.via:
        next(m for m in run.messages if m.sha256 == source.via).returns.append(result)


def _keep(workspace: Workspace, store: Store, ctx: IntakeContext, source: Source, result: ReturnResult,
          data: bytes | None, accept_valid_rows: bool = False) -> None:
    """Archive one file's bytes, then record it with its problems (and figures, if accepted; or, asked for,
    the figures of a refused return's rows without errors)."""
    if result.accepted:
        result.report.extend(foreign_figures(ctx, result))  # refuses it: belt and braces
    if data is None:
        return
    result.archived = workspace.archive(data, result.sha256, result.ext)
    crash_point("archived")
    submission = Submission(result.sha256, result.file_name, datetime.now(UTC), result.service, result.period,
                            result.accepted, sent_at=result.sent_at, sender=source.sender,
                            subject=source.subject, message_id=source.message_id,
                            attachment=source.name if source.message_id or source.via else "")
    recorded = _record(store, ctx, submission, result, accept_valid_rows)
    if not recorded.duplicate:
        workspace.note_receipt(result.sha256, Receipt.of(submission, ctx.quarter.slug, result.ext, result.sent_how))
    if result.accepted and result.signoff:  # the head's sign-off typed in the return, for the officer to confirm
        store.add_event(SIGNOFF_PROPOSED, actor=source.sender or store.actor, period=result.period,
                        service=result.service, ref=f"submission:{recorded.submission_id}",
                        detail=result.signoff | {"file": result.file_name, "submission": recorded.submission_id})
    crash_point("recorded")


def _record(store: Store, ctx: IntakeContext, submission: Submission, result: ReturnResult,
            accept_valid_rows: bool) -> RecordResult:
    valid = valid_rows(result) if accept_valid_rows and not result.accepted else None
    if valid is not None and valid.figures and not foreign_figures(ctx, result, valid.figures):
        recorded = store.record(submission, valid.figures, list(result.report), Partly(valid.taken, valid.left))
        if recorded.duplicate:
            result.stored = recorded.summary
        else:
            result.partly = valid
            result.stored = (f"partly accepted: {recorded.summary} from {count(len(valid.taken), 'row')}; "
                             f"{count(len(valid.left), 'row')} with errors left ({', '.join(valid.left)})")
        return recorded
    recorded = store.record(submission, result.figures if result.accepted else [], list(result.report))
    result.stored = recorded.summary if result.accepted or recorded.duplicate else "refused, kept"
    return recorded


def _stopped(exc: KpixlError, at: ReturnResult, done: list[ReturnResult]) -> str:
    """What a run that stopped part way had done: the officer must know what is stored before acting."""
    kept = [f"{r.file_name} ({r.stored or 'not stored'})" for r in done]
    shown = "; ".join(kept[:MAX_LISTED]) + (f"; and {len(kept) - MAX_LISTED} more" if len(kept) > MAX_LISTED else "")
    before = (f"Before it, this collect stored {count(len(done), 'file')}: {shown}." if done
              else "Nothing was stored before it.")
    return (f"{exc} The collect stopped at {at.file_name}. {before} Once that is put right, run the same command "
            "again: what is stored already is not stored twice, and the rest is stored.")


MAX_LISTED = 20  # files named in a message; the rest are counted

Key = tuple[str, str]  # (service id, quarter slug)


def _key(result: ReturnResult) -> Key | None:
    return (result.service, result.period) if result.service and result.period else None


def _current_in_run(results: list[ReturnResult]) -> dict[Key, tuple[str, datetime | None]]:
    """Per service and quarter, the latest-sent accepted return of this run: (file name, sent)."""
    current: dict[Key, tuple[str, datetime | None]] = {}
    for result in results:  # in sent order: the last accepted one is the latest sent
        key = _key(result)
        if key and result.accepted:
            current[key] = (result.file_name, result.sent_at)
    return current


def _current_in_store(store: Store, results: list[ReturnResult]) -> dict[Key, tuple[str, datetime | None]]:
    """Per service and quarter this run touched, the store's latest-sent accepted return (this run's or an
    earlier one's): the return whose figures are current."""
    keys = {k for r in results if (k := _key(r))}
    current: dict[Key, tuple[str, datetime | None]] = {}
    for period in sorted({period for _, period in keys}):
        for service, latest in store.latest_accepted_by_service(period).items():
            if (service, period) in keys:
                current[(service, period)] = (latest.file_name, latest.sent)
    return current


def _same_service_twice(results: list[ReturnResult], current: dict[Key, tuple[str, datetime | None]],
                        ctx: IntakeContext) -> None:
    """Two returns for one service and quarter in one run always get a warning naming them all, and the one
    that is current, on the latest sent of them."""
    groups: dict[Key, list[ReturnResult]] = {}
    for result in results:
        key = _key(result)
        if key:
            groups.setdefault(key, []).append(result)
    for key, group in groups.items():
        if len(group) < 2:
            continue
        files = ", ".join(f"{r.file_name} (sent {_when(r.sent_at)}, {r.sent_how or 'time unknown'}, "
                          f"{'accepted' if r.accepted else 'refused'})" for r in group)
        now = current.get(key)
        chosen = f"{now[0]}, sent {_when(now[1])}" if now else "none of them: none was accepted"
        latest = group[-1]
        service = ctx.register.service(key[0])
        latest.report.add(problem("RETURN_TWICE", Where(latest.file_name), count=len(group),
                                  service_name=service.name if service else key[0],
                                  period=str(ctx.quarter), files=files, current=chosen))


def _mark_superseded(results: list[ReturnResult], current: dict[Key, tuple[str, datetime | None]]) -> None:
    """A refused return replaced since by a later-sent accepted one of its service leaves nothing to correct."""
    for result in results:
        key = _key(result)
        now = current.get(key) if key else None
        if result.accepted or now is None:
            continue
        sent = now[1]
        if sent is not None and result.sent_at is not None and sent > result.sent_at:
            result.superseded_by = now[0]


def _note_current(result: ReturnResult, current: dict[Key, tuple[str, datetime | None]]) -> None:
    """An accepted return sent before the current one is stored as earlier versions: say so where it is shown."""
    key = _key(result)
    now = current.get(key) if key else None
    if result.accepted and now is not None and now[0] != result.file_name and result.stored \
            and now[1] is not None and result.sent_at is not None and now[1] > result.sent_at:
        result.stored += f"; earlier versions: {now[0]}, sent later, is current"


def _when(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC" if moment else "at an unknown time"


def write_feedback(results: Sequence[ReturnResult], folder: Path) -> list[Path]:
    """For each return with problems, a marked copy for its lead in folder (kpixl.intake.feedback)."""
    return write_feedbacks(results, folder)
