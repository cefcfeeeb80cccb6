"""The journal of the team's decisions (docs/review.md, docs/store.md "A store kpixl will not create"): every
decision a person makes (a query accepted or rejected, an annotation and its review, a sign-off, a reopen, the
director's approval) is kept in .kpixl/decisions/ too, and `kpixl check --rebuild` logs each again at its place
among the returns collected again, so that a lost store comes back with its review, its sign-offs and the locks
they hold, and the paper's approval."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from support.review import DEMO_QUERIES, Q2, SERVICES, copy_workspace, kpixl, make_demo, resend

from kpixl.steps.journal import DECISIONS, JOURNAL
from kpixl.steps.workspace import Workspace


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_demo(tmp_path_factory.mktemp("journal"))


@pytest.fixture
def ws(demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_workspace(demo, tmp_path)


def _ok(ws: Workspace, *args: str) -> str:
    code, output = kpixl(ws, *args)
    assert code == 0, (args, output)
    return output


def _decide_everything(ws: Workspace) -> None:
    """A quarter's review: queries rejected then accepted, a note and an approved commentary edit, every service
    signed off, the paper approved, a return held by its sign-off, a reopen, a second sign-off holding another."""
    _ok(ws, "review", "--reject", DEMO_QUERIES[0], "--note", "Name the owner of each action", "--by", "Alex")
    for qid in DEMO_QUERIES:
        _ok(ws, "review", "--accept", qid)
    _ok(ws, "annotate", "36", "--note", "Checked with the lead: the fall is the closure of two branches")
    made = json.loads(_ok(ws, "annotate", "37", "--commentary", "Visits fell while the branch was shut.",
                          "--json"))
    _ok(ws, "review", "--accept", made["id"])
    rejected = json.loads(_ok(ws, "annotate", "38", "--commentary", "Not this.", "--json"))
    _ok(ws, "review", "--reject", rejected["id"], "--note", "Keep the lead's words")
    for service in SERVICES:
        _ok(ws, "approve", service, "--by", f"Head of {service}", "--role", "Head of Service")
    _ok(ws, "approve", "--report", "csmi", "--by", "Sue Grant", "--role", "Executive Director")
    assert "held" in _ok(ws, "collect", str(resend(ws, "libraries", {"H3": 123456}, "libraries-corrected.xlsx")))
    _ok(ws, "reopen", "libraries", "--reason", "The lead corrected indicator 36", "--by", "Alex")
    _ok(ws, "approve", "libraries", "--by", "Jane Smith", "--role", "Head of Libraries")
    assert "held" in _ok(ws, "collect", str(resend(ws, "libraries", {"H3": 654321}, "libraries-late.xlsx",
                                                   later=120)))


_IDS = re.compile(r"(?<=[@#A])\d+")  # the ids in refs (Q1@<submission>#<decision>, A<event>, <service>@<event>)


def _plain(value: Any) -> Any:
    """An output with the store's row and event ids left out (a rebuilt store numbers its rows afresh), and when
    a figure was recorded (a rebuild records the returns again today)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k not in ("id", "recorded_at", "received_at")
                and not (k in ("signed_off", "proposal", "submission", "held_by", "event") and isinstance(v, int))}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return _IDS.sub("n", value) if isinstance(value, str) else value


def _seen(ws: Workspace) -> dict[str, Any]:
    """What the team sees of the quarter: its decisions in the log, the review, the status, the annotations."""
    events = json.loads(_ok(ws, "log", "--json"))["events"]
    decisions = [e for e in events if e["kind"] in DECISIONS]
    return {"decisions": _plain(decisions),
            "review": _plain(json.loads(_ok(ws, "review", "--all", "--json"))),
            "status": _plain(json.loads(_ok(ws, "status", "--json"))),
            "history": [_plain(json.loads(_ok(ws, "history", "show", i, "--json"))) for i in ("36", "37", "38")],
            "current": {i: str(ws.current_figures([i])[(i, Q2)].value) for i in ("36", "37")}}


def _lose_the_store(ws: Workspace) -> None:
    for store_file in ws.root.glob("kpixl.sqlite*"):
        store_file.unlink()


def test_each_decision_is_kept_in_the_journal_once(ws: Workspace) -> None:
    _decide_everything(ws)
    kept = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((ws.root / JOURNAL).glob("*.json"))]
    events = json.loads(_ok(ws, "log", "--json"))["events"]
    decisions = [e for e in events if e["kind"] in DECISIONS]
    assert [k["event"]["id"] for k in kept] == [e["id"] for e in decisions]
    assert [k["event"]["ref"] for k in kept] == [e["ref"] for e in decisions]
    _ok(ws, "review", "--accept", DEMO_QUERIES[1])  # decided already: nothing logged, nothing kept
    assert len(list((ws.root / JOURNAL).glob("*.json"))) == len(kept)


def test_a_rebuilt_store_has_the_decisions_the_locks_and_the_approval(ws: Workspace) -> None:
    _decide_everything(ws)
    before = _seen(ws)
    assert before["current"]["36"] == "123456"  # the first held return, counted after the reopen; not the late one
    _lose_the_store(ws)
    code, output = kpixl(ws, "check", "--rebuild", "--json")
    assert code == 0, output
    after = _seen(ws)
    for part in before:
        assert after[part] == before[part], part
    status = json.loads(_ok(ws, "status", "--json"))["services"][0]
    assert status["held"] == ["libraries-late.xlsx"] and status["signed_off"]["by"] == "Jane Smith"
