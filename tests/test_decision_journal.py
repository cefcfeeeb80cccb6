"""The journal of the team's decisions (docs/review.md, docs/store.md "A store kpixl will not create"): every
decision a person makes (a query accepted or rejected, an annotation and its review, a sign-off, a reopen, the
director's approval) is kept in .kpixl/decisions/ too, and `kpixl check --rebuild` logs each again at its place
among the returns collected again, so that a lost store comes back with its review, its sign-offs and the locks
they hold, and the paper's approval."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support.review import (
    DEMO_QUERIES,
    Q2,
    SERVICES,
    copy_workspace,
    kpixl,
    make_demo,
    resend,
    seed_workspace,
)
from support.store import STORE_KINDS, empty_store_url

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
    signed off (one as typed in its return), the paper approved, a return held by its sign-off, a reopen, a second sign-off holding another."""
    _ok(ws, "review", "--reject", DEMO_QUERIES[0], "--note", "Name the owner of each action", "--by", "Alex")
    for qid in DEMO_QUERIES:
        _ok(ws, "review", "--accept", qid)
    _ok(ws, "annotate", "36", "--note", "Checked with the lead: the fall is the closure of two branches")
    made = json.loads(_ok(ws, "annotate", "37", "--commentary", "Visits fell while the branch was shut.",
                          "--json"))
    _ok(ws, "review", "--accept", made["id"])
    rejected = json.loads(_ok(ws, "annotate", "38", "--commentary", "Not this.", "--json"))
    _ok(ws, "review", "--reject", rejected["id"], "--note", "Keep the lead's words")
    typed = resend(ws, "libraries", {}, "libraries-signed.xlsx", later=30,
                   signoff={"A5": "Jane Smith", "A7": "Head of Libraries", "A9": datetime(2023, 10, 25)})
    _ok(ws, "collect", str(typed))
    _ok(ws, "approve", "libraries")  # the sign-off typed in the return, confirmed
    for service in SERVICES[1:]:
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
    events = json.loads(_ok(ws, "log", "--service", "libraries", "--json"))["events"]
    [proposed] = [e for e in events if e["kind"] == "signoff-proposed"]
    first, reopened, again = [e for e in events if e["kind"] in ("signed-off", "reopened")]
    assert first["detail"]["proposal"] == proposed["id"] and first["ref"] == f"{Q2}/libraries@0"
    assert reopened["detail"]["signed_off"] == first["id"] and reopened["ref"] == f"{Q2}/libraries@{first['id']}"
    assert again["ref"] == f"{Q2}/libraries@{reopened['id']}"
    held = {e["detail"]["file"]: e["detail"]["signed_off"] for e in events if e["kind"] == "return-held"}
    assert held == {"libraries-corrected.xlsx": first["id"], "libraries-late.xlsx": again["id"]}


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_sign_offs_reopens_and_the_approval_come_back_on_either_store(kind: str, tmp_path: Path) -> None:
    """The seed (figures imported as history) on SQLite or PostgreSQL: two services signed off, one reopened and
    signed off again, a note; then the store lost."""
    ws = seed_workspace(kind, tmp_path)
    for service in ("libraries", "coroner"):
        _ok(ws, "approve", service, "--by", f"Head of {service}", "--role", "Head of Service")
    _ok(ws, "reopen", "coroner", "--reason", "A late correction")
    _ok(ws, "approve", "coroner", "--by", "Sam Hill", "--role", "Senior Coroner's Officer")
    _ok(ws, "annotate", "174", "--note", "Confirmed with the coroner's office")
    before = _seen_of(ws)
    assert before["status"]["services"][0]["signed_off"]["by"] == "Head of libraries"
    if kind == "sqlite":
        _lose_the_store(ws)
    else:
        empty_store_url(kind, tmp_path)
    code, output = kpixl(ws, "check", "--rebuild")
    assert code == 0 and "from the journal" in output, output
    assert _seen_of(ws) == before


def _seen_of(ws: Workspace) -> dict[str, Any]:
    events = json.loads(_ok(ws, "log", "--json"))["events"]
    return {"decisions": _plain([e for e in events if e["kind"] in DECISIONS]),
            "status": _plain(json.loads(kpixl(ws, "status", "--json")[1])),  # 1: trading standards lacks 221
            "history": _plain(json.loads(_ok(ws, "history", "show", "174", "--json")))}


def test_a_store_rebuilt_twice_keeps_decisions_made_between_the_two(ws: Workspace) -> None:
    """A decision made after a rebuild names the ids of the rebuilt store: a second rebuild still finds them."""
    _decide_everything(ws)
    _lose_the_store(ws)
    assert kpixl(ws, "check", "--rebuild")[0] == 0
    _ok(ws, "reopen", "libraries", "--reason", "Look again at 36", "--by", "Alex")
    before = _seen(ws)
    _lose_the_store(ws)
    code, output = kpixl(ws, "check", "--rebuild")
    assert code == 0 and "not restored" not in output, output
    assert _seen(ws) == before
    events = json.loads(_ok(ws, "log", "--service", "libraries", "--json"))["events"]
    last_sign_off, reopened = [e for e in events if e["kind"] in ("signed-off", "reopened")][-2:]
    assert reopened["ref"] == f"{Q2}/libraries@{last_sign_off['id']}"


def test_a_decision_whose_rows_are_gone_is_listed_not_restored(ws: Workspace) -> None:
    _decide_everything(ws)
    [entry] = [p for p in (ws.root / JOURNAL).glob("*.json") if '"annotation-accepted"' in p.read_text("utf-8")]
    kept = json.loads(entry.read_text(encoding="utf-8"))
    kept["keys"]["events"] = {}  # what its annotation was is not known
    entry.write_text(json.dumps(kept), encoding="utf-8")
    (ws.root / JOURNAL / "damaged.json").write_text("{", encoding="utf-8")
    _lose_the_store(ws)
    code, output = kpixl(ws, "check", "--rebuild", "--json")
    assert code == 1
    lost = [r for r in json.loads(output)["rebuilt"] if r["outcome"] == "not restored"]
    assert [r["file_name"] for r in lost] == [entry.name, "damaged.json"]
