"""The journal of the team's decisions: each decision event (a query accepted or rejected, an annotation and its
review, a sign-off, a reopen, the director's approval of a paper), and each entry of the mail ledger that keeps
a message at most once (mail-sending, then mail-sent, mail-failed or mail-uncertain), is also kept outside the
store, one small JSON file in .kpixl/decisions/, so that `kpixl check --rebuild` can log it again (docs/store.md, "A store kpixl will not
create"). What collect logs comes back by collecting the archived returns again; these are the events a person
made that no archived file can give back.

A decision is written to the journal after the store has committed it: a crash between the two loses at most
that one journal entry (the store keeps the decision; only a rebuild would miss it).

Refs and details name other rows by their id (`Q12@7#0`, `A31`, `2023-24-Q2/libraries@40`), and a rebuilt store
numbers its rows afresh. So each entry also keeps what the ids it names stand for, by content: a submission by its
file's hash, a query by its code, indicator and cell, an event by its kind and time (a replayed decision keeps its
time). Replaying an entry finds the rows again in the rebuilt store and writes the ids they have there.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kpixl.domain.review import (
    ANNOTATION_ACCEPTED,
    ANNOTATION_REJECTED,
    FIGURE_ANNOTATED,
    QUERY_ACCEPTED,
    QUERY_RAISED,
    QUERY_REJECTED,
    REOPENED,
    REPORT_APPROVED,
    SIGNED_OFF,
)
from kpixl.errors import OutputError
from kpixl.files import keep, read_json
from kpixl.steps.workspace import Workspace
from kpixl.store import Event, Store

__all__ = ["DECISIONS", "JOURNAL", "JOURNALED", "MAIL", "Decided", "log_decision", "read_journal", "replay_decision"]

JOURNAL = Path(".kpixl") / "decisions"
FORMAT = "kpixl-decision"
DECISIONS = frozenset({QUERY_ACCEPTED, QUERY_REJECTED, FIGURE_ANNOTATED, ANNOTATION_ACCEPTED, ANNOTATION_REJECTED,
                       SIGNED_OFF, REOPENED, REPORT_APPROVED})
# The mail ledger (kpixl.steps.mailing, kpixl.steps.send): what keeps a message at most once. Kept too, so that a
# rebuilt store still knows what was sent and sends no reminder or receipt twice. Its refs name no row by id.
MAIL = frozenset({"mail-sending", "mail-sent", "mail-failed", "mail-uncertain"})
JOURNALED = DECISIONS | MAIL
_QUERY_REF = re.compile(r"^(Q\d+)@(\d+)#(\d+)$")
_AFTER = re.compile(r"^(.*)@(\d+)$")
_SUBMISSION_REF = re.compile(r"^submission:(\d+)$")


def log_decision(workspace: Workspace, store: Store, kind: str, *, actor: str, period: str, service: str = "",
                 indicator: str = "", ref: str = "", detail: dict[str, Any] | None = None) -> int | None:
    """Log a decision in the store (Store.add_event: its id, or None for a duplicate), then keep it in the
    journal."""
    made = store.add_event(kind, actor=actor, period=period, service=service, indicator=indicator, ref=ref,
                           detail=detail)
    if made is not None:
        event = next((e for e in store.events(period or None, kinds=[kind]) if e.id == made), None)
        if event is not None:
            _keep(workspace, store, event)
    return made


# --- What an entry's ids stand for --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Mentions:
    events: tuple[int, ...] = ()
    submissions: tuple[int, ...] = ()
    queries: tuple[str, ...] = ()


def _number(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _mentions(kind: str, ref: str, detail: dict[str, Any]) -> _Mentions:
    """The rows a decision names by id, in its ref and detail."""
    if kind in MAIL:
        return _Mentions()
    if kind in (QUERY_ACCEPTED, QUERY_REJECTED):
        found = _QUERY_REF.match(ref)
        if found is None:
            return _Mentions()
        return _Mentions((int(found.group(3)),), (int(found.group(2)),), (found.group(1),))
    if kind in (ANNOTATION_ACCEPTED, ANNOTATION_REJECTED):
        return _Mentions((int(ref[1:]),)) if ref[:1] == "A" and ref[1:].isdigit() else _Mentions()
    after = _AFTER.match(ref)
    ids = [int(after.group(2))] if after else []
    if kind == SIGNED_OFF:
        ids.append(_number(detail.get("proposal")))
    if kind == REOPENED:
        ids.append(_number(detail.get("signed_off")))
    return _Mentions(tuple(i for i in ids if i))


def _rewrite(kind: str, ref: str, detail: dict[str, Any], ids: Callable[[str, object], object]) -> tuple[str, dict[str, Any]]:
    """The ref and detail with each id named replaced by ids(what, old id): what is "event", "submission" or
    "query"; an event id 0 (none before) stays 0."""
    detail = dict(detail)
    if kind in MAIL:
        return ref, detail

    def event(old: object) -> object:
        return ids("event", old) if _number(old) else old

    if kind in (QUERY_ACCEPTED, QUERY_REJECTED):
        found = _QUERY_REF.match(ref)
        if found is not None:
            query, submission = ids("query", found.group(1)), ids("submission", int(found.group(2)))
            ref = f"{query}@{submission}#{event(int(found.group(3)))}"
            detail.update(query=query, submission=submission)
        return ref, detail
    if kind in (ANNOTATION_ACCEPTED, ANNOTATION_REJECTED):
        if ref[:1] == "A" and ref[1:].isdigit():
            ref = f"A{event(int(ref[1:]))}"
            detail["annotation"] = ref
        return ref, detail
    after = _AFTER.match(ref)
    if after is not None:
        ref = f"{after.group(1)}@{event(int(after.group(2)))}"
    if kind == SIGNED_OFF and "proposal" in detail:
        detail["proposal"] = event(detail["proposal"])
    if kind == REOPENED and "signed_off" in detail:
        detail["signed_off"] = event(detail["signed_off"])
    return ref, detail


def _keys(store: Store, event: Event) -> dict[str, Any]:
    """What the ids a decision names stand for, by content."""
    named = _mentions(event.kind, event.ref, event.detail)
    keys: dict[str, dict[str, Any]] = {"events": {}, "submissions": {}, "queries": {}}
    records = {r.id: r for r in store.submissions()} if named.submissions or named.events else {}
    for sid in named.submissions:
        if sid in records:
            keys["submissions"][str(sid)] = _submission_key(records[sid])
    logged = {e.id: e for e in store.events()} if named.events or named.queries else {}
    for eid in named.events:
        other = logged.get(eid)
        if other is None:
            continue
        found = _SUBMISSION_REF.match(other.ref)
        if other.kind in DECISIONS:
            keys["events"][str(eid)] = {"kind": other.kind, "at": other.at.isoformat()}
        elif found is not None and int(found.group(1)) in records:  # a proposal: logged when its return was
            keys["events"][str(eid)] = {"kind": other.kind,
                                        "submission": _submission_key(records[int(found.group(1))])}
    for qid in named.queries:
        raised = next((e for e in logged.values() if e.kind == QUERY_RAISED and e.period == event.period
                       and e.detail.get("query") == qid), None)
        if raised is not None:
            keys["queries"][qid] = {"service": raised.service, "indicator": raised.indicator,
                                    "code": raised.detail.get("code"), "cell": raised.detail.get("cell")}
    return keys


def _submission_key(record: Any) -> dict[str, Any]:
    return {"sha256": record.file_hash, "accepted": record.accepted, "period": record.period,
            "service": record.service, "source": record.source}


def _keep(workspace: Workspace, store: Store, event: Event) -> None:
    entry = {"format": FORMAT, "version": 1,
             "event": {"id": event.id, "at": event.at.isoformat(), "actor": event.actor, "kind": event.kind,
                       "period": event.period, "service": event.service, "indicator": event.indicator,
                       "ref": event.ref, "detail": event.detail},
             "keys": _keys(store, event)}
    data = (json.dumps(entry, indent=2, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode("utf-8")
    name = f"{event.at.astimezone(UTC):%Y%m%dT%H%M%S%f}Z-{hashlib.sha256(data).hexdigest()[:16]}.json"
    keep(workspace.path(str(JOURNAL)), name, data)  # the folder made if need be; written atomically


# --- Reading and replaying -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Decided:
    """One journal entry: a decision as it was logged, and what the ids it names stand for."""

    name: str  # the journal file's name
    at: datetime
    kind: str
    actor: str
    period: str
    service: str
    indicator: str
    ref: str
    detail: dict[str, Any]
    keys: dict[str, Any]

    @property
    def order(self) -> tuple[datetime, str]:
        return (self.at, self.name)


def read_journal(workspace: Workspace) -> tuple[list[Decided], list[str]]:
    """The journal's decisions, oldest first, and the names of the entries that cannot be read."""
    folder = workspace.path(str(JOURNAL))
    found: list[Decided] = []
    unreadable: list[str] = []
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else ():
        decided = _read(path)
        if decided is None:
            unreadable.append(path.name)
        else:
            found.append(decided)
    return sorted(found, key=lambda d: d.order), unreadable


def _read(path: Path) -> Decided | None:
    try:
        entry = read_json(path, "decision kept in the journal")
        event, keys = entry.get("event"), entry.get("keys")
        if entry.get("format") != FORMAT or not isinstance(event, dict) or not isinstance(keys, dict):
            return None
        at = datetime.fromisoformat(str(event["at"])).astimezone(UTC)
        kind, actor, period, service, indicator, ref = (
            str(event.get(k, "")) for k in ("kind", "actor", "period", "service", "indicator", "ref"))
        detail = event.get("detail")
        if kind not in JOURNALED or not isinstance(detail, dict):
            return None
        return Decided(path.name, at, kind, actor, period, service, indicator, ref, detail, keys)
    except (OutputError, KeyError, TypeError, ValueError):
        return None


class _Unresolved(Exception):
    """A row a decision names is not in the rebuilt store."""


def replay_decision(store: Store, decided: Decided) -> tuple[str, str]:
    """Log a journal entry's decision again in a rebuilt store, at its first time, with the ids its rows have
    now: ("restored", ""), ("already recorded", "") or ("not restored", why)."""
    submissions = store.submissions()
    logged = store.events()

    def ids(what: str, old: object) -> object:
        key = decided.keys.get(f"{what}s" if what != "query" else "queries", {}).get(str(old))
        if not isinstance(key, dict):
            raise _Unresolved(f"what its {what} {old} was is not known")
        if what == "submission":
            return _find_submission(submissions, key, old)
        if what == "query":
            return _find_query(logged, decided.period, key, old)
        return _find_event(logged, submissions, key, old)

    try:
        ref, detail = _rewrite(decided.kind, decided.ref, decided.detail, ids)
    except _Unresolved as exc:
        return "not restored", f"{decided.kind}: {exc}"
    made = store.add_event(decided.kind, actor=decided.actor, period=decided.period, service=decided.service,
                           indicator=decided.indicator, ref=ref, detail=detail, at=decided.at)
    return ("restored" if made is not None else "already recorded"), ""


def _find_submission(records: list[Any], key: dict[str, Any], old: object) -> int:
    found = [r for r in records if _submission_key(r) == key]
    if not found:
        raise _Unresolved(f"the file of its submission {old} is not recorded again")
    return int(found[-1].id)


def _find_query(logged: list[Event], period: str, key: dict[str, Any], old: object) -> str:
    for e in logged:
        if (e.kind == QUERY_RAISED and e.period == period and e.service == key.get("service")
                and e.indicator == key.get("indicator") and e.detail.get("code") == key.get("code")
                and e.detail.get("cell") == key.get("cell")):
            return str(e.detail.get("query"))
    raise _Unresolved(f"no return collected again raises its query {old}")


def _find_event(logged: list[Event], records: list[Any], key: dict[str, Any], old: object) -> int:
    kind = key.get("kind")
    if "at" in key:
        at = datetime.fromisoformat(str(key["at"])).astimezone(UTC)
        found = [e for e in logged if e.kind == kind and e.at == at]
    else:
        sid = _find_submission(records, key.get("submission") or {}, old)
        found = [e for e in logged if e.kind == kind and e.ref == f"submission:{sid}"]
    if not found:
        raise _Unresolved(f"the {kind} event {old} it follows is not restored")
    return found[-1].id
