"""Sign-off (docs/review.md): a head of service signs off a service's figures, with its evidence archived; the
figures are then locked (a later return is kept and checked, held, not current) until a reopen; the final
paper is built only when every service is complete and signed off and no query waits, and records the
sign-offs and the director's approval on its cover. The same holds on PostgreSQL with two officers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from support.review import (
    DEMO_QUERIES,
    Q2,
    SERVICES,
    copy_workspace,
    demo_query,
    kpixl,
    make_demo,
    resend,
    seed_workspace,
)
from support.store import STORE_KINDS, empty_store_url, received, submission

from kpixl.steps.workspace import Workspace
from kpixl.store import SCHEMA_VERSION, Store

TESTS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_demo(tmp_path_factory.mktemp("signoff"))


@pytest.fixture
def ws(demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_workspace(demo, tmp_path)


def _sign_off_everything(ws: Workspace) -> None:
    for qid in DEMO_QUERIES:
        assert kpixl(ws, "review", "--accept", qid)[0] == 0
    for service in SERVICES:
        code, output = kpixl(ws, "approve", service, "--by", f"Head of {service}", "--role", "Head of Service")
        assert code == 0 and "Signed off the figures of" in output, output


def _document(ws: Workspace) -> str:
    with zipfile.ZipFile(ws.path("reports") / "csmi_2023-24-Q2.docx") as docx:
        return docx.read("word/document.xml").decode()


def _current(ws: Workspace, indicator: str) -> str:
    return str(ws.current_figures([indicator])[(indicator, Q2)].value)


def test_the_final_paper_waits_until_every_query_is_accepted_and_every_service_signed_off(ws: Workspace) -> None:
    code, output = kpixl(ws, "report", "--final")
    assert code == 1
    assert "cannot be final yet: 11 things outstanding" in output  # 7 services to sign off, 4 with queries
    assert "Library Service: not signed off by the head of service." in output
    actions_136 = demo_query("adult-skills", "136", "ACTIONS_REQUIRED")
    assert ("Adult Skills Service: 3 queries not yet accepted by the performance team: "
            f"{actions_136} (indicator 136, open)") in output
    _sign_off_everything(ws)
    code, output = kpixl(ws, "report", "--final", "--html")
    assert code == 0 and "the final paper" in output
    word = _document(ws)
    assert "DRAFT" not in word and "Figures signed off by the heads of service" in word
    assert "Library Service: Head of libraries, Head of Service, " in word
    assert "Approved by" not in word  # no director has approved it yet
    code, output = kpixl(ws, "approve", "--report", "csmi", "--by", "Sue Grant", "--role", "Executive Director")
    assert code == 0 and "Approved the Communities, Social Mobility and Inclusion Committee paper" in output
    assert kpixl(ws, "approve", "--report", "csmi", "--by", "Sue Grant")[1].count("approved already") == 1
    assert kpixl(ws, "report", "--final", "--html")[0] == 0
    today = datetime.now(UTC)
    approved = f"Approved by Sue Grant, Executive Director, on {today.day} {today:%B %Y}"
    assert approved in _document(ws)
    assert approved in (ws.path("reports") / "csmi_2023-24-Q2.html").read_text(encoding="utf-8")
    code, output = kpixl(ws, "log", "--json")
    built = [e["detail"]["final"] for e in json.loads(output)["events"] if e["kind"] == "report-built"]
    assert built == [False, True, True]  # the demo's draft, then the final paper twice


def test_approving_the_paper_before_it_can_be_final_says_what_is_missing(ws: Workspace) -> None:
    code, output = kpixl(ws, "approve", "--report", "csmi", "2023-24-Q2", "--by", "Sue Grant")
    assert code == 1 and "cannot be final yet" in output and "Coroner Service: 1 query not yet accepted" in output
    code, output = kpixl(ws, "approve", "--by", "Sue Grant", "--role", "x")
    assert code == 2 and "name the service" in output


def test_a_return_collected_after_sign_off_changes_nothing_until_reopen(ws: Workspace) -> None:
    _sign_off_everything(ws)
    assert kpixl(ws, "report", "--final")[0] == 0
    before = _document(ws)
    assert _current(ws, "36") == "96326"
    code, output = kpixl(ws, "collect", str(resend(ws, "libraries", {"H3": 123456}, "libraries-corrected.xlsx")))
    assert code == 0 and "held: its figures are signed off" in output
    assert _current(ws, "36") == "96326"  # kept and checked, not current
    code, status = kpixl(ws, "status", "--json")
    libraries = json.loads(status)["services"][0]
    assert libraries["held"] == ["libraries-corrected.xlsx"] and libraries["signed_off"]["by"] == "Head of libraries"
    assert kpixl(ws, "report", "--final")[0] == 0
    assert _document(ws) == before  # the final paper is as it was
    code, output = kpixl(ws, "reopen", "libraries", "--reason", "The lead corrected indicator 36", "--by", "Alex")
    assert code == 0 and "now counted by the time they were sent: libraries-corrected.xlsx" in output
    assert _current(ws, "36") == "123456"
    code, output = kpixl(ws, "report", "--final")
    assert code == 1 and "Library Service: not signed off" in output
    assert kpixl(ws, "report")[0] == 0 and "123,456" in _document(ws)  # the draft shows the new figure
    assert kpixl(ws, "approve", "libraries", "--by", "Jane Smith", "--role", "Head of Libraries")[0] == 0
    assert kpixl(ws, "report", "--final")[0] == 0 and "123,456" in _document(ws)
    code, output = kpixl(ws, "log", "--service", "libraries", "--json")
    kinds = [e["kind"] for e in json.loads(output)["events"]]
    # the held return raises 37's and 38's queries again (the same questions: accepted already)
    assert kinds[-8:] == ["signed-off", "return-received", "return-accepted", "return-held", "query-raised",
                          "query-raised", "reopened", "signed-off"]


def test_after_reopen_a_held_return_counts_by_when_it_was_sent(ws: Workspace) -> None:
    """A return sent before the signed-off one, collected after the sign-off: once reopened it is an earlier
    version, never current."""
    _sign_off_everything(ws)
    older = resend(ws, "libraries", {"H3": 1}, "libraries-old.xlsx", later=-3600)
    assert kpixl(ws, "collect", str(older))[0] == 0
    assert kpixl(ws, "reopen", "libraries", "--reason", "Look again")[0] == 0
    assert _current(ws, "36") == "96326"


def test_sign_off_waits_for_a_return_without_errors_and_happens_once(ws: Workspace) -> None:
    code, output = kpixl(ws, "reopen", "libraries", "--reason", "x")
    assert code == 1 and "are not signed off: there is nothing to reopen" in output
    broken = resend(ws, "coroner", {"H3": "lots"}, "coroner-broken.xlsx")
    assert kpixl(ws, "collect", str(broken))[0] == 1
    code, output = kpixl(ws, "approve", "coroner", "--by", "Chris Head", "--role", "Senior Coroner")
    assert code == 1 and "cannot be signed off yet: its latest return, coroner-broken.xlsx, has 1 error to correct" in output
    code, output = kpixl(ws, "approve", "Library Service", "--by", "Jane Smith", "--role", "Head of Libraries")
    assert code == 0  # by its name as well as its id
    code, output = kpixl(ws, "approve", "libraries", "--by", "Someone Else", "--role", "Deputy")
    assert code == 0 and "were signed off already, by Jane Smith (Head of Libraries)" in output
    code, output = kpixl(ws, "log", "--json")
    signed = [e for e in json.loads(output)["events"] if e["kind"] == "signed-off"]
    assert len(signed) == 1 and signed[0]["actor"] == "Jane Smith"
    assert signed[0]["detail"]["role"] == "Head of Libraries" and signed[0]["detail"]["recorded_by"]
    code, output = kpixl(ws, "approve", "nosuch", "--by", "A", "--role", "B")
    assert code == 2 and "No service 'nosuch'" in output


def test_a_sign_off_typed_in_the_return_is_proposed_and_confirmed_by_the_officer(ws: Workspace) -> None:
    typed = resend(ws, "libraries", {}, "libraries-signed.xlsx",
                   signoff={"A5": " Jane  Smith ", "A7": "Head of Libraries", "A9": datetime(2023, 10, 25)})
    code, output = kpixl(ws, "collect", str(typed), "--json")
    assert code == 0
    assert json.loads(output)["returns"][0]["proposed_sign_off"] == {"name": "Jane Smith", "role": "Head of Libraries",
                                                                     "date": "2023-10-25"}
    code, status = kpixl(ws, "status", "--json")
    libraries = json.loads(status)["services"][0]
    assert libraries["signed_off"] is None and libraries["proposed_sign_off"]["name"] == "Jane Smith"
    assert kpixl(ws, "report")[0] == 0
    assert "a sign-off by Jane Smith is typed in its return: 'kpixl approve libraries' confirms it" in _document(ws)
    code, output = kpixl(ws, "approve", "libraries")  # no --by: the officer confirms what the head typed
    assert code == 0 and "Jane Smith, Head of Libraries" in output and "As typed in libraries-signed.xlsx, dated " \
        "2023-10-25" in output
    code, output = kpixl(ws, "log", "--service", "libraries", "--json")
    events = json.loads(output)["events"]
    assert [e["kind"] for e in events[-2:]] == ["signoff-proposed", "signed-off"]
    assert events[-1]["actor"] == "Jane Smith" and events[-1]["detail"]["proposal"] == events[-2]["id"]


def test_no_sign_off_is_proposed_without_a_name_and_role_or_by_an_earlier_return(ws: Workspace) -> None:
    half = resend(ws, "coroner", {}, "coroner-half.xlsx", signoff={"A5": "Chris Head"})
    assert kpixl(ws, "collect", str(half))[0] == 0
    code, output = kpixl(ws, "approve", "coroner")
    assert code == 2 and "no sign-off is typed in the Sign-off sheet of its current return" in output
    signed = resend(ws, "registration", {}, "registration-signed.xlsx", signoff={"A5": "R Head", "A7": "Head"})
    plain = resend(ws, "registration", {}, "registration-again.xlsx", later=120)
    assert kpixl(ws, "collect", str(signed))[0] == 0 and kpixl(ws, "collect", str(plain))[0] == 0
    code, output = kpixl(ws, "approve", "registration")
    assert code == 2  # the current return, sent later, proposes none


def test_the_evidence_is_archived_with_its_hash_checked_and_rebuilt(ws: Workspace, tmp_path: Path) -> None:
    email = tmp_path / "approval.eml"
    email.write_bytes(b"From: jane.smith@example.org\r\nSubject: Q2 figures approved\r\n\r\nApproved. Jane\r\n")
    code, output = kpixl(ws, "approve", "libraries", "--by", "Jane Smith", "--role", "Head of Libraries",
                         "--evidence", str(email), "--json")
    assert code == 0
    evidence = json.loads(output)["evidence"]
    kept = ws.path("archive") / evidence["archived"]
    assert kept.name == f"{evidence['sha256']}.eml.bin" and kept.read_bytes() == email.read_bytes()
    code, output = kpixl(ws, "check", "--json")
    assert code == 0 and json.loads(output)["evidence"] == 1 and json.loads(output)["problems"] == []
    kept.unlink()
    code, output = kpixl(ws, "check", "--json")
    assert code == 1 and [p["code"] for p in json.loads(output)["problems"]] == ["ARCHIVE_MISSING"]
    assert "--evidence FILE" in json.loads(output)["problems"][0]["hint"]
    code, output = kpixl(ws, "approve", "libraries", "--by", "Jane Smith", "--role", "Head of Libraries",
                         "--evidence", str(email))
    assert code == 0 and "already" in output and kept.is_file()  # given again: put back
    assert kpixl(ws, "check")[0] == 0
    for store_file in ws.root.glob("kpixl.sqlite*"):
        store_file.unlink()
    code, output = kpixl(ws, "check", "--rebuild", "--json")
    assert code == 0, output
    code, output = kpixl(ws, "check", "--json")
    assert code == 0 and json.loads(output)["evidence"] == 1


def test_the_whole_committee_set_is_refused_as_final_naming_each_committee(ws: Workspace) -> None:
    code, output = kpixl(ws, "report", "--final", "--committee", "all")
    assert code == 1 and "cannot be final yet" in output


# --- The lock on PostgreSQL and SQLite, and two officers at once ---------------------------------------------


@pytest.fixture(params=STORE_KINDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return empty_store_url(request.param, tmp_path)


def test_a_version_5_store_gets_held_by_and_keeps_every_row(url: str) -> None:
    with Store(url) as store:
        store.record(submission("a"), [received("a", "37", "380018")])
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE submissions DROP COLUMN held_by"))
        conn.execute(text("UPDATE schema_version SET version = 5"))
    with Store(url) as store:
        assert store.submissions()[0].held_by == 0 and store.current_figures()[("37", Q2)].value == 380018
    with engine.connect() as conn:
        assert "held_by" in {c["name"] for c in inspect(conn).get_columns("submissions")}
        versions = [r[0] for r in conn.execute(text("SELECT version FROM schema_version ORDER BY 1"))]
    engine.dispose()
    assert versions == [5, SCHEMA_VERSION]


def test_held_returns_are_not_current_until_a_reopen_follows_their_sign_off(url: str) -> None:
    with Store(url, actor="officer") as store:
        store.record(submission("a"), [received("a", "37", "100")])
        signed = store.add_event("signed-off", actor="head", period=Q2, service="libraries", ref="x@0")
        held = store.record(submission("b"), [received("b", "37", "200")])
        other = store.record(submission("c", service="coroner"), [received("c", "174", "5")])
        assert (held.held_by, other.held_by) == (signed, 0)  # only the service signed off
        assert store.current_figures()[("37", Q2)].value == 100
        assert [s.current for s in store.history("37")] == [True, False]
        assert store.latest_accepted_by_service(Q2)["libraries"].file_name == "a.xlsx"
        store.add_event("reopened", actor="officer", period=Q2, service="libraries", ref=f"x@{signed}")
        assert store.current_figures()[("37", Q2)].value == 200
        assert [s.current for s in store.history("37")] == [False, True]


WORKER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from support.store import received, submission
from kpixl.domain import Quarter
from kpixl.errors import ReviewError
from kpixl.steps.signoff import approve_service, reopen_service
from kpixl.steps.workspace import Workspace
from kpixl.store import Store

root, role, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
ws = Workspace.open(root)
quarter = Quarter(2023, 2)
if role == "collector":
    with ws.open_store(by="collector") as store:
        for i in range(rounds):
            store.record(submission(f"r{i}"), [received(f"r{i}", "37", str(1000 + i))])
else:
    for i in range(rounds):
        approve_service(ws, "libraries", quarter, by=f"{role}-{i}", role="Head of Libraries")
        try:
            reopen_service(ws, "libraries", quarter, reason=f"round {i}", by=role)
        except ReviewError:  # the other officer reopened it first
            pass
"""


def _run_together(ws: Workspace, *roles: tuple[str, int]) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), *sys.path])}
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(ws.root), role, str(rounds)], env=env,
                                stderr=subprocess.PIPE, text=True) for role, rounds in roles]
    errors = [w.communicate(timeout=300)[1] for w in workers]
    assert ([w.returncode for w in workers], errors) == ([0] * len(workers), [""] * len(workers))


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_two_officers_signing_off_and_reopening_at_once_while_a_third_collects(kind: str, tmp_path: Path) -> None:
    """Nothing lost, no duplicate event: sign-offs and reopens alternate, each reopen follows the sign-off it
    names, every return is recorded, and each is held exactly when a sign-off was in force as it was recorded
    (its return-received event's place in the log says when)."""
    ws = seed_workspace(kind, tmp_path)
    _run_together(ws, ("officer-a", 6), ("officer-b", 6), ("collector", 12))
    with ws.open_store() as store:
        events = store.events(Q2)
        records = {r.id: r for r in store.submissions(Q2)}
    states = [e for e in events if e.kind in ("signed-off", "reopened")]
    assert [e.kind for e in states] == ["signed-off", "reopened"] * (len(states) // 2)
    assert all(b.detail["signed_off"] == a.id for a, b in zip(states[::2], states[1::2]))
    assert len({(e.kind, e.ref) for e in events if e.ref}) == len([e for e in events if e.ref])
    received = [e for e in events if e.kind == "return-received"]
    assert len(received) == 12 and len(records) == 12
    for event in received:
        before = [e for e in states if e.id < event.id]
        in_force = before[-1].id if before and before[-1].kind == "signed-off" else 0
        assert records[int(event.ref.split(":")[1])].held_by == in_force


def _approve(root: Path, who: str) -> subprocess.Popen[str]:
    code = ("import sys; from pathlib import Path; from kpixl.domain import Quarter; "
            "from kpixl.steps.signoff import approve_service; from kpixl.steps.workspace import Workspace; "
            "r = approve_service(Workspace.open(Path(sys.argv[1])), 'libraries', Quarter(2023, 2), by=sys.argv[2], "
            "role='Head of Libraries'); print('already' if r.already else 'signed')")
    return subprocess.Popen([sys.executable, "-c", code, str(root), who], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("kind", STORE_KINDS)
def test_two_officers_signing_off_the_same_service_at_once_log_it_once(kind: str, tmp_path: Path) -> None:
    ws = seed_workspace(kind, tmp_path)
    for _ in range(3):  # a few tries at a true race; each must leave one sign-off in force
        results = [p.communicate(timeout=120) for p in [_approve(ws.root, "Jane"), _approve(ws.root, "Joan")]]
        assert [err for _, err in results] == ["", ""]
        with ws.open_store() as store:
            signed = [e for e in store.events(Q2, kinds=["signed-off", "reopened"])]
        assert signed[-1].kind == "signed-off"
        assert sorted(out.strip() for out, _ in results) == ["already", "signed"]
        assert kpixl(ws, "reopen", "libraries", "--reason", "again")[0] == 0
    kinds = [e.kind for e in signed]
    assert kinds == ["signed-off", "reopened", "signed-off", "reopened", "signed-off"]

