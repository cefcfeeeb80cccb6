"""write_workbooks: one signed collection workbook per service for a quarter, and the manifest."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from kpixl.domain import Quarter, Register, Service
from kpixl.domain.review import WORKBOOK_GENERATED
from kpixl.errors import OutputError, WorkspaceError
from kpixl.files import safe_child
from kpixl.layout.returns import ReturnRow, WorkbookMeta, plan_rows, sign
from kpixl.steps.manifests import write_manifest
from kpixl.steps.templates import render_template, template_path
from kpixl.steps.workspace import Workspace
from kpixl.store import SubmissionRecord
from kpixl.workbook.names import workbook_filename
from kpixl.workbook.writer import WorkbookContent, write_workbook

__all__ = ["Progress", "WrittenWorkbook", "accepted_returns", "deadline_passed", "default_folder", "long_date",
           "regenerated_warning", "write_workbooks"]

Progress = Callable[[int, int, str], None]  # (done, total, service name): called after each workbook


@dataclass(frozen=True)
class WrittenWorkbook:
    service: str
    service_name: str
    path: Path
    sha256: str
    rows: int
    generated: str


def default_folder(workspace: Workspace, quarter: Quarter) -> Path:
    return workspace.path("workbooks") / quarter.slug


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


def deadline_passed(workspace: Workspace, what: str, today: date | None = None) -> str:
    """A warning when kpixl.toml's returns deadline is before today ("" otherwise): the workbooks and the
    messages tell leads that date. what names them: "these workbooks", "the messages"."""
    day = workspace.config.deadline
    if day is None or day >= (today or date.today()):
        return ""
    return (f"The returns deadline in kpixl.toml, {long_date(day)}, has passed, and {what} tell leads that "
            "date. Set a new [cycle] deadline in kpixl.toml, then run kpixl workbooks (and kpixl send) again.")


def accepted_returns(workspace: Workspace, quarter: Quarter, services: Sequence[str]) -> dict[str, SubmissionRecord]:
    """The services named whose latest return for the quarter was accepted, with that return."""
    with workspace.open_store() as store:
        latest = store.latest_submission_by_service(quarter.slug)
    return {s: latest[s] for s in services if s in latest and latest[s].accepted}


def regenerated_warning(record: SubmissionRecord, service_name: str, quarter: Quarter) -> str:
    """What the officer is told on writing again the workbook of a service whose return is in."""
    return (f"{service_name}'s return for {quarter} was accepted ({record.file_name}, received "
            f"{record.received_at:%d %B %Y}). The new workbook is blank again, and a return from it would replace "
            "those figures; kpixl send --smtp will not send it unless you add --resend.")


def _choose(register: Register, quarter: Quarter, wanted: Sequence[str] | None) -> list[Service]:
    if not wanted:
        return list(register.services_reporting(quarter))
    chosen = []
    for ident in dict.fromkeys(wanted):
        service = register.service(ident)
        if service is None or not register.indicators_of_service(service.id):
            known = ", ".join(s.id for s in register.services_reporting(quarter)) or "none"
            why = "is not in the register" if service is None else "has no indicators"
            raise WorkspaceError(f"Service '{ident}' {why}. Services with indicators: {known}")
        chosen.append(service)
    return chosen


def _percent(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"


def _instructions(workspace: Workspace, quarter: Quarter, service: Service, file_name: str) -> str:
    config = workspace.config
    day = config.deadline
    deadline = long_date(day) if day else "the date your performance team gives"
    values = {"council": config.council, "team": config.team, "service": service.name, "period": str(quarter),
              "period_long": f"Quarter {quarter.number} {quarter.year}", "deadline": deadline,
              "contact_name": config.contact_name or config.team, "contact_email": config.contact_email,
              "red": _percent(config.tolerances.red), "blue": _percent(config.tolerances.blue),
              "file_name": file_name}
    return render_template(template_path(workspace, "instructions.txt"), values)


def _content(workspace: Workspace, quarter: Quarter, service: Service, rows: list[ReturnRow],
             generated: str, file_name: str) -> WorkbookContent:
    config = workspace.config
    meta = WorkbookMeta(config.council, service.id, service.name, quarter.slug, generated,
                        tuple(r.meta() for r in rows))
    created = datetime.combine(quarter.end_date + timedelta(days=1), time(0))  # pinned: reproducible output
    return WorkbookContent(meta, sign(meta, workspace.secret), rows,
                           _instructions(workspace, quarter, service, file_name),
                           f"Performance return: {service.name}, {quarter}", config.team, created)


def _file_names(council: str, services: list[Service], quarter: Quarter) -> dict[str, str]:
    names = {s.id: workbook_filename(council, s.id, quarter.slug) for s in services}
    if len({n.casefold() for n in names.values()}) != len(names):
        raise OutputError("Two services would share a workbook file name: give them distinct ids in the register")
    return names


def write_workbooks(workspace: Workspace, quarter: Quarter, services: Sequence[str] | None = None,
                    out: Path | None = None, progress: Progress | None = None, *,
                    generated: datetime | None = None) -> list[WrittenWorkbook]:
    """Write one workbook per service reporting in quarter (or per service named) into out (default:
    workbooks/<period>/), record them in out's manifest.json, and return what was written. A register with
    errors stops everything."""

    register = workspace.valid_register()
    chosen = _choose(register, quarter, services)
    figures = workspace.current_figures()
    folder = out or default_folder(workspace, quarter)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create the folder {folder}: {exc.strerror or exc}") from None
    stamp = (generated or datetime.now(UTC)).isoformat(timespec="seconds")
    names, written = _file_names(workspace.config.council, chosen, quarter), []
    for service in chosen:
        rows = plan_rows(register, service.id, quarter, figures, workspace.config.tolerances)
        path = safe_child(folder, names[service.id])
        digest = write_workbook(path, _content(workspace, quarter, service, rows, stamp, path.name))
        written.append(WrittenWorkbook(service.id, service.name, path, digest, len(rows), stamp))
        if progress:
            progress(len(written), len(chosen), service.name)
    write_manifest(folder, workspace.config.council, quarter.slug, {
        w.service: {"service_name": w.service_name, "file": w.path.name, "sha256": w.sha256,
                    "generated": w.generated, "rows": w.rows} for w in written})
    _log(workspace, quarter, written)
    return written


def _log(workspace: Workspace, quarter: Quarter, written: list[WrittenWorkbook]) -> None:
    """A workbook-generated event for each workbook written (docs/review.md)."""
    with workspace.open_store() as store:
        for w in written:
            store.add_event(WORKBOOK_GENERATED, actor=store.actor, period=quarter.slug, service=w.service,
                            detail={"file": w.path.name, "sha256": w.sha256, "rows": w.rows})
