"""A workspace: the folder where one council's performance cycle lives.

    kpixl.toml        council, team, year, deadline, contact, where things are, RAG bands
    register.yaml     the indicators (or register.xlsx: either works)
    history/          figures from before kpixl (CSV), read with every return
    workbooks/        collection workbooks as generated
    returns/          returns as received
    reports/          committee reports
    archive/          every file received, under its SHA-256 (Workspace.archive)
    .kpixl/secret     the key that signs workbooks (never shared, never committed)
    .kpixl/received/  a receipt for each file recorded: what rebuilding the store from the archive needs
"""

from __future__ import annotations

import getpass
import re
import tomllib
from collections.abc import Collection
from dataclasses import asdict, dataclass, field, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kpixl.domain import Committee, Figure, PercentageBasis, Quarter, Register, Tolerances, parse_period
from kpixl.domain.comparators import NATIONAL, ComparisonGroup
from kpixl.domain.deadlines import DEFAULT_STAGES, Stage
from kpixl.domain.figures import Submission
from kpixl.domain.numbers import parse_number
from kpixl.errors import (
    ConfigError,
    NotANumber,
    OutputError,
    PeriodError,
    RegisterError,
    StoreError,
    WorkspaceError,
)
from kpixl.files import archive_name, keep, read_json, write_json
from kpixl.mail.imap import SECURITY, ImapSettings
from kpixl.problems import count
from kpixl.register import LoadedRegister, load_register
from kpixl.report.axis import AxisRule
from kpixl.store import Store, open_store

__all__ = ["ARCHIVE", "CONFIG_NAME", "EXAMPLES", "FOLDERS", "RECEIVED", "Config", "Receipt", "Workspace", "bundled_path",
           "find_committee", "load_config", "note_receipt", "read_receipts", "without_errors"]

CONFIG_NAME = "kpixl.toml"
ARCHIVE = "archive"  # every received file under its SHA-256 (docs/store.md)
FOLDERS = ("history", "workbooks", "returns", "reports")
MIN_SECRET_BYTES = 16  # kpixl init writes 32; a shorter key is a damaged or hand-made one
EXAMPLES = {"cambridgeshire": "cambridgeshire-csmi"}


def bundled_path(kind: str) -> Path:
    """A folder shipped with kpixl ("examples" or "workbook_templates"): in a source checkout it sits beside
    the package; in an installed wheel it is packed inside it."""
    package = Path(__file__).resolve().parents[1]  # kpixl/
    for candidate in (package.parent / kind, package / "_bundled" / kind):
        if candidate.is_dir():
            return candidate
    raise WorkspaceError(f"kpixl's bundled {kind} are missing: reinstall kpixl")


@dataclass(frozen=True)
class Config:
    council: str
    team: str = "Performance Team"
    period: Quarter | None = None  # the quarter commands work on when none is named
    deadline: date | None = None
    contact_name: str = ""
    contact_email: str = ""
    register: str = "register.yaml"
    store: str = "kpixl.sqlite"
    tolerances: Tolerances = field(default_factory=Tolerances)
    report_reference: str = ""  # a council's own reference .docx; empty: kpixl's
    show_both_comparisons: bool = False
    produced_on: date | None = None  # the report's date; None: the day it is built
    axis_rule: AxisRule = AxisRule.ZERO  # where the report's charts' value axes start (report/axis.py)
    comparators: ComparisonGroup | None = None  # [comparators]: the council's area and its group
    # [director_comments."2023-24-Q2"]: the director's comment on an indicator, printed in that quarter's
    # exceptions table (quarter slug -> indicator id -> text; docs/report.md, "Summary and exceptions")
    director_comments: dict[str, dict[str, str]] = field(default_factory=dict)
    officer: str = ""  # [team] officer: who the log says did what, when a command is given no --by
    hard_deadline: date | None = None  # [cycle] hard_deadline: the last day the report can wait
    imap: ImapSettings | None = None  # [imap]: the returns mailbox (kpixl fetch)
    reminders: tuple[Stage, ...] = DEFAULT_STAGES  # [reminders] stages (kpixl remind)


def _fraction(section: dict[str, Any], key: str, default: Any) -> Any:
    raw = section.get(key)
    if raw is None:
        return default
    try:
        return parse_number(raw).value
    except NotANumber:
        raise ConfigError(f"{CONFIG_NAME}: [rag] {key} = {raw!r} is not a percentage; write it as \"10%\"") from None


def _parse_config(data: dict[str, Any]) -> Config:
    council, cycle = data.get("council", {}), data.get("cycle", {})
    paths, rag, report = data.get("paths", {}), data.get("rag", {}), data.get("report", {})
    if not council.get("name"):
        raise ConfigError(f"{CONFIG_NAME} has no [council] name: add name = \"Your County Council\"")
    try:
        period = parse_period(str(cycle["period"])) if cycle.get("period") else None
        deadline = date.fromisoformat(str(cycle["deadline"])) if cycle.get("deadline") else None
        hard = date.fromisoformat(str(cycle["hard_deadline"])) if cycle.get("hard_deadline") else None
    except (PeriodError, ValueError) as exc:
        raise ConfigError(f"{CONFIG_NAME} [cycle]: {exc}") from None
    try:
        produced_on = date.fromisoformat(str(report["produced_on"])) if report.get("produced_on") else None
    except ValueError:
        raise ConfigError(f"{CONFIG_NAME} [report] produced_on = {report['produced_on']!r} is not a date: "
                          "write it as \"2023-12-12\"") from None
    if period is not None and not isinstance(period, Quarter):
        raise ConfigError(f"{CONFIG_NAME} [cycle] period must be a quarter such as 2023-24-Q2")
    try:
        basis = PercentageBasis(rag.get("percentage_basis", "relative"))
    except ValueError:
        raise ConfigError(f"{CONFIG_NAME} [rag] percentage_basis must be relative or points") from None
    try:
        axis_rule = AxisRule(report.get("value_axis", "zero"))
    except ValueError:
        raise ConfigError(f"{CONFIG_NAME} [report] value_axis must be zero or data") from None
    defaults = Tolerances()
    comparators = _comparison_group(data.get("comparators"))
    comments = _director_comments(data.get("director_comments"))
    team = data.get("team", {})
    if not isinstance(team, dict) or not isinstance(team.get("officer", ""), str):
        raise ConfigError(f"{CONFIG_NAME} [team] officer must be a name in quotes: officer = \"Alex Officer\"")
    return Config(
        council=council["name"], team=council.get("team", "Performance Team"), period=period, deadline=deadline,
        contact_name=cycle.get("contact_name", ""), contact_email=cycle.get("contact_email", ""),
        register=paths.get("register", "register.yaml"), store=paths.get("store", "kpixl.sqlite"),
        tolerances=Tolerances(_fraction(rag, "red", defaults.red), _fraction(rag, "blue", defaults.blue), basis),
        report_reference=report.get("reference_docx", ""),
        show_both_comparisons=bool(report.get("show_both_comparisons", False)), produced_on=produced_on,
        axis_rule=axis_rule, comparators=comparators, director_comments=comments,
        officer=team.get("officer", "").strip(),
        hard_deadline=hard, imap=_imap(data.get("imap")), reminders=_stages(data.get("reminders")),
    )


def _imap(section: Any) -> ImapSettings | None:
    """[imap]: the returns mailbox. The password is never read from the file."""
    if section is None:
        return None
    where = f"{CONFIG_NAME} [imap]"
    if not isinstance(section, dict) or not section.get("host") or not section.get("user"):
        raise ConfigError(f"{where} needs host and user: host = \"imap.council.gov.uk\", user = \"returns\"")
    if "password" in section:
        raise ConfigError(f"{where} holds a password: remove it. kpixl reads the password from the environment "
                          f"variable {section.get('password_env', 'KPIXL_IMAP_PASSWORD')}, or asks for it")
    security = str(section.get("security", "tls"))
    if security not in SECURITY:
        raise ConfigError(f"{where} security = {security!r}: write \"tls\", \"starttls\", or \"plain\" (only for "
                          "a server on this computer)")
    port = section.get("port", 0)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port < 65536:
        raise ConfigError(f"{where} port = {port!r} is not a port number")
    texts = {key: str(section.get(key, default)) for key, default in (
        ("folder", "INBOX"), ("processed_folder", ""), ("password_env", "KPIXL_IMAP_PASSWORD"), ("cafile", ""))}
    return ImapSettings(str(section["host"]), str(section["user"]), texts["folder"], texts["processed_folder"],
                        security, port, texts["password_env"], texts["cafile"])


def _stages(section: Any) -> tuple[Stage, ...]:
    """[reminders] stages = [{name = "friendly", days = -5}, {name = "overdue", days = 3, copy = "deputy"}]."""
    if section is None:
        return DEFAULT_STAGES
    where = f"{CONFIG_NAME} [reminders] stages"
    stages = section.get("stages") if isinstance(section, dict) else None
    if not isinstance(stages, list) or not stages:
        raise ConfigError(f"{where} must be a list such as [{{name = \"due\", days = 0}}]")
    found = []
    for entry in stages:
        name, days = (entry.get("name"), entry.get("days")) if isinstance(entry, dict) else (None, None)
        if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9-]{1,30}", name) or not isinstance(days, int) \
                or isinstance(days, bool):
            raise ConfigError(f"{where}: {entry!r} needs a name (lower-case letters, digits, -) and whole days from "
                              "the deadline (negative: before it)")
        copy = entry.get("copy", [])
        copy = [copy] if isinstance(copy, str) else copy
        if not isinstance(copy, list) or any(c not in ("deputy", "cc") for c in copy):
            raise ConfigError(f"{where}: copy = {entry.get('copy')!r}: write \"deputy\", \"cc\" or both in a list")
        found.append(Stage(name, days, tuple(copy)))
    if len({s.name for s in found}) < len(found):
        raise ConfigError(f"{where}: each stage needs its own name")
    return tuple(found)


_AREA = re.compile(r"[A-Za-z0-9_-]{1,40}")


def _area_code(value: Any, key: str) -> str:
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not _AREA.fullmatch(text):
        raise ConfigError(f"{CONFIG_NAME} [comparators] {key} = {value!r} is not an area code: write it as "
                          "\"E10000003\" (letters, digits, _ and - only)")
    return text


def _comparison_group(section: Any) -> ComparisonGroup | None:
    """[comparators]: the council's area code, its group's codes and their names (docs/insight.md)."""
    if section is None:
        return None
    if not isinstance(section, dict) or "area" not in section:
        raise ConfigError(f"{CONFIG_NAME} [comparators] needs the council's area code: area = \"E10000003\"")
    members = section.get("group", [])
    if not isinstance(members, list):
        raise ConfigError(f"{CONFIG_NAME} [comparators] group must be a list of area codes: "
                          "group = [\"E10000015\", \"E10000020\"]")
    texts = {key: str(section.get(key, default)) for key, default in (
        ("group_name", "statistical neighbours"), ("area_name", ""), ("national_name", NATIONAL[1]))}
    return ComparisonGroup(_area_code(section["area"], "area"),
                           tuple(_area_code(m, "group") for m in members), texts["group_name"],
                           texts["area_name"], _area_code(section.get("national", NATIONAL[0]), "national"),
                           texts["national_name"])


def _director_comments(section: Any) -> dict[str, dict[str, str]]:
    """[director_comments."2023-24-Q2"] "37" = "...": each quarter's comments, by indicator id as written."""
    if section is None:
        return {}
    example = '[director_comments."2023-24-Q2"] with lines such as "37" = "The comment."'
    if not isinstance(section, dict):
        raise ConfigError(f"{CONFIG_NAME} [director_comments] must hold one table per quarter: {example}")
    found: dict[str, dict[str, str]] = {}
    for key, comments in section.items():
        try:
            period = parse_period(str(key))
        except PeriodError:
            period = None
        if not isinstance(period, Quarter) or not isinstance(comments, dict):
            raise ConfigError(f"{CONFIG_NAME} [director_comments] {key!r} is not a quarter's table: {example}")
        if not all(isinstance(text, str) for text in comments.values()):
            raise ConfigError(f"{CONFIG_NAME} [director_comments.\"{key}\"]: each comment is text in quotes")
        found[period.slug] = {str(ident): text for ident, text in comments.items()}
    return found


@dataclass(frozen=True)
class Workspace:
    root: Path
    config: Config

    @classmethod
    def open(cls, start: Path | None = None) -> Workspace:
        """The workspace at start (default: the current folder) or the nearest folder above it."""
        here = (start or Path.cwd()).resolve()
        for folder in (here, *here.parents):
            if (folder / CONFIG_NAME).is_file():
                return cls(folder, load_config(folder / CONFIG_NAME))
        raise WorkspaceError(f"No kpixl workspace at {here}: no {CONFIG_NAME} there or above. "
                             "Run 'kpixl init DIR' to create one, or pass --workspace DIR.")

    def path(self, name: str) -> Path:
        return self.root / name

    @property
    def store_url(self) -> str:
        """The store kpixl.toml's [paths] store names: a URL as given, or a SQLite file in the workspace."""
        setting = self.config.store
        return setting if "://" in setting else f"sqlite:///{(self.root / setting).resolve()}"

    def archive(self, data: bytes, sha256: str, ext: str) -> Path:
        """Keep a received file's bytes in archive/ under their hash, before the store records them: a crash
        between the two leaves a kept file the store does not know yet (kpixl check: ARCHIVE_ORPHAN), never a
        recorded one that is not kept; doing the same again records it."""
        return keep(self.path(ARCHIVE), archive_name(sha256, ext), data)

    @property
    def store_file(self) -> Path | None:
        """The store's file, when the store is a SQLite file in the workspace (None for a server's URL)."""
        setting = self.config.store
        return None if "://" in setting else (self.root / setting)

    def note_receipt(self, sha256: str, receipt: Receipt) -> None:
        """Keep, beside the archive, what its file name cannot say of a file just recorded (kpixl.steps.receipts):
        what rebuilding the store from the archive needs."""
        note_receipt(self.root / RECEIVED, sha256, receipt)

    def actor(self, by: str | None = None) -> str:
        """Who the log says did what (docs/review.md): the command's --by NAME, else kpixl.toml's [team]
        officer, else the computer's login."""
        if by and by.strip():
            return " ".join(by.split())
        if self.config.officer:
            return self.config.officer
        try:
            return getpass.getuser()
        except (KeyError, OSError):  # no login name to be had (a container without a user entry)
            return "unknown"

    def open_store(self, *, rebuilding: bool = False, by: str | None = None) -> Store:
        """The workspace's store, created on first use; StoreError when it cannot be opened.

        Not created when the workspace shows it had one: a missing or empty store beside an archive that
        holds received files is refused, with what to do (docs/store.md, "A store kpixl will not create"). A
        new empty store there would lose every figure, version and return without a word. rebuilding: the
        store is being rebuilt from the archive (kpixl check --rebuild), which may create it. by: who the events
        it logs as it records are by (actor)."""
        actor = self.actor(by)
        if rebuilding or not self._archived_anything():
            return open_store(self.store_url, actor=actor)
        path = self.store_file
        if path is not None and (not path.is_file() or path.stat().st_size == 0):
            raise StoreError(self._missing_store(path))
        return open_store(self.store_url, missing=self._missing_store(path), actor=actor)

    def _archived_anything(self) -> bool:
        folder = self.path(ARCHIVE)
        return folder.is_dir() and any(p.is_file() for p in folder.iterdir())

    def _missing_store(self, path: Path | None) -> str:
        what = (f"The store {path.name} is {'missing' if not path.is_file() else 'empty (0 bytes)'}"
                if path is not None else "The database [paths] store names in kpixl.toml holds no kpixl tables")
        return (f"{what}, yet the workspace's {ARCHIVE}/ folder holds files kpixl received: it had a store. "
                "kpixl will not start a new, empty one, which would lose every figure, version and return "
                "recorded. If the store was moved or deleted, put it back or restore it from a backup; "
                "otherwise rebuild it from the archive with 'kpixl check --rebuild'.")

    def current_figures(self, indicators: Collection[str] | None = None) -> dict[tuple[str, str], Figure]:
        """The latest version of every stored figure (of the indicators named: None, all), keyed by
        (indicator, period slug)."""
        with self.open_store() as store:
            return store.current_figures(indicators)

    @property
    def register_path(self) -> Path:
        return self.root / self.config.register

    def valid_register(self) -> Register:
        """The workspace's register, for a step that would go wrong with a register that has errors:
        RegisterError when it has any (see without_errors)."""
        return without_errors(load_register(self.register_path))

    @property
    def secret(self) -> bytes:
        path = self.root / ".kpixl" / "secret"
        if not path.is_file():
            raise WorkspaceError(f"The workspace's signing key {path} is missing. Restore it from a backup: "
                                 "without it, returns of workbooks already sent cannot be verified.")
        try:
            text = path.read_text(encoding="ascii").strip()
            key = bytes.fromhex(text)
        except (OSError, UnicodeDecodeError, ValueError):
            raise WorkspaceError(f"The workspace's signing key {path} is damaged: it should hold 64 hexadecimal "
                                 "digits. Restore it from a backup: without it, returns of workbooks already sent "
                                 "cannot be verified.") from None
        if len(key) < MIN_SECRET_BYTES:
            raise WorkspaceError(f"The workspace's signing key {path} is {'empty' if not key else 'too short'}: "
                                 f"a key of {len(key)} bytes would let anyone sign a return. Restore it from a "
                                 "backup (kpixl init writes 32 random bytes as 64 hexadecimal digits).")
        return key

    def period_or_default(self, text: str | None) -> Quarter:
        """The quarter named on the command line, else kpixl.toml's [cycle] period."""
        if text:
            period = parse_period(text)
            return period if isinstance(period, Quarter) else period.quarter()
        if self.config.period is None:
            raise ConfigError(f"Name a period (e.g. 2023-24-Q2), or set [cycle] period in {CONFIG_NAME}")
        return self.config.period


def without_errors(loaded: LoadedRegister) -> Register:
    """The register loaded, or RegisterError when it has errors: workbooks, returns judged and reports built
    from it would be wrong. The one message every step gives."""
    errors = loaded.report.errors
    if errors:
        raise RegisterError(f"The register {loaded.path.name} has {count(len(errors), 'error')}: run 'kpixl register "
                            "check' and correct them first.")
    return loaded.register


def find_committee(register: Register, name: str | None) -> Committee:
    """The committee with this id or name (ignoring case), or the register's only one when none is named;
    WorkspaceError listing the committees otherwise."""
    names = ", ".join(f"{c.id} ({c.name})" for c in register.committees) or "none"
    if name is None:
        if len(register.committees) == 1:
            return register.committees[0]
        raise WorkspaceError(f"Name the committee with --committee. Committees: {names}")
    found = register.committee(name)
    if found is None:
        raise WorkspaceError(f"No committee '{name}' in the register. Committees: {names}")
    return found


def load_config(path: Path) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    return _parse_config(data)


# Receipts: what the archive's file names cannot say about a file kpixl recorded, kept beside the archive in
# .kpixl/received/<sha256>.json, so that the store can be rebuilt from the archive alone (kpixl check
# --rebuild, kpixl/steps/rebuild.py). The archive keeps each received file's bytes under their SHA-256; the
# store keeps the rest: its name, when it was sent (the order that makes one return current), the quarter it
# was collected for, return or history. Each time a file is recorded, a receipt saying so is added (written
# atomically; one file may be recorded more than once: refused, then accepted once the register was right).
#
#     {"format": "kpixl-received", "version": 1, "sha256": "...",
#      "receipts": [{"file_name": "libraries.xlsx", "source": "return", "period": "2023-24-Q2",
#                    "accepted": true, "sent_at": "2023-10-20T09:00:00+00:00", "sent_how": "file modified",
#                    "received_at": "...", "ext": "xlsx", "skip": "", "sender": "", "subject": "",
#                    "message_id": "", "attachment": ""}]}

RECEIVED = Path(".kpixl") / "received"


@dataclass(frozen=True)
class Receipt:
    file_name: str
    source: str  # "return" or "history"
    period: str  # the quarter it was collected for ("" for a history file)
    accepted: bool
    sent_at: str  # ISO 8601, "" when not known
    sent_how: str
    received_at: str
    ext: str  # the kind of file its archived name says (xlsx, csv, pdf...)
    skip: str = ""  # a history import that left out a quarter: that quarter's slug
    sender: str = ""
    subject: str = ""
    message_id: str = ""
    attachment: str = ""
    service: str = ""  # a sign-off's evidence: the service signed off ("" for any other file)

    @classmethod
    def of(cls, submission: Submission, period: str, ext: str, sent_how: str = "", skip: str = "") -> Receipt:
        return cls(submission.file_name, submission.source, period, submission.accepted,
                   submission.sent_at.isoformat() if submission.sent_at else "", sent_how,
                   submission.received_at.isoformat(), ext, skip, submission.sender, submission.subject,
                   submission.message_id, submission.attachment,
                   submission.service if submission.source == "evidence" else "")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Receipt | None:
        """A receipt as read back; None for one that does not read (it was edited: the rebuild falls back to
        what the archive alone says)."""
        names = {f.name for f in fields(cls)}
        try:
            values = {k: v for k, v in data.items() if k in names}
            receipt = cls(**values)
            for moment in (receipt.sent_at, receipt.received_at):
                if moment:
                    datetime.fromisoformat(moment)
        except (TypeError, ValueError):
            return None
        return receipt


def note_receipt(folder: Path, sha256: str, receipt: Receipt) -> None:
    """Add a receipt for the archived file sha256 (folder: the workspace's .kpixl/received)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Cannot create {folder}: {exc.strerror or exc}. Free some disk space, or check you may "
                          "write in the workspace.") from None
    path = folder / f"{sha256}.json"
    try:
        kept = read_json(path, "receipt of a received file").get("receipts", [])
    except OutputError:
        kept = []  # damaged: written anew with this receipt
    entry = asdict(receipt)
    if any(isinstance(r, dict) and _same(r, entry) for r in kept):
        return  # recorded again by a rebuild of the store: the first receipt stands
    receipts = [r for r in kept if isinstance(r, dict)] + [entry]
    write_json(path, {"format": "kpixl-received", "version": 1, "sha256": sha256, "receipts": receipts})


_SAME = ("file_name", "source", "period", "accepted", "sent_at", "skip")  # one recording of one file


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return all(a.get(key) == b.get(key) for key in _SAME)


def read_receipts(folder: Path, sha256: str) -> list[Receipt]:
    """The receipts of the archived file sha256, oldest first ([] when there are none)."""
    path = folder / f"{sha256}.json"
    try:
        kept = read_json(path, "receipt of a received file").get("receipts", [])
    except OutputError:
        return []
    found = [Receipt.from_dict(r) for r in kept if isinstance(r, dict)] if isinstance(kept, list) else []
    return [r for r in found if r is not None]
