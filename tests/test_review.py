"""Review (docs/review.md): the queries of each service's current return with stable IDs, the team's
decisions on them, what goes back to the lead (outstanding_for), and the team's annotations of figures: a
note, or a commentary edit that the report prints once approved, beside the lead's text, never over it."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from support.review import DEMO_QUERIES, DEMO_RAISED, Q2, copy_workspace, demo_query, kpixl, make_demo, resend

from kpixl.catalogue import REJECTED_HINT
from kpixl.domain.review import QueryState
from kpixl.steps.review import outstanding_for, quarter_queries
from kpixl.steps.workspace import Workspace

# The demo's queries these tests decide on, by what they ask (their IDs: Q4, Q5 and Q6).
ACTIONS_136 = demo_query("adult-skills", "136", "ACTIONS_REQUIRED")  # Red, and no actions
UNUSUAL_137 = demo_query("adult-skills", "137", "CHANGE_UNUSUAL")  # the figure fell by half
ACTIONS_137 = demo_query("adult-skills", "137", "ACTIONS_REQUIRED")
FIRST_ANNOTATION = "A32"  # an annotation's ID is its event's number: the demo logs 31 events (kpixl init's first)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_demo(tmp_path_factory.mktemp("review"))


@pytest.fixture
def ws(demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_workspace(demo, tmp_path)


def _review(ws: Workspace, *args: str) -> tuple[int, dict[str, Any]]:
    code, output = kpixl(ws, "review", *args, "--json")
    return code, json.loads(output)


def _states(ws: Workspace) -> dict[str, str]:
    return {q["id"]: q["state"] for q in _review(ws, "--all")[1]["queries"]}


def test_the_demos_open_queries_are_listed_with_ids_and_review_exits_1_while_any_waits(ws: Workspace) -> None:
    code, data = _review(ws)
    assert code == 1 and data["waiting"] == 8
    assert [(q["id"], q["service"], q["indicator"], q["code"], q["state"]) for q in data["queries"]] == [
        ("Q1", "libraries", "36", "ACTION_OWNER_REQUIRED", "open"),
        ("Q2", "libraries", "37", "ACTION_OWNER_REQUIRED", "open"),
        ("Q3", "libraries", "38", "ACTION_OWNER_REQUIRED", "open"),
        ("Q4", "adult-skills", "136", "ACTIONS_REQUIRED", "open"), ("Q5", "adult-skills", "137", "CHANGE_UNUSUAL", "open"),
        ("Q6", "adult-skills", "137", "ACTIONS_REQUIRED", "open"), ("Q7", "coroner", "179", "CHANGE_UNUSUAL", "open"),
        ("Q8", "trading-standards", "222", "ACTION_OWNER_REQUIRED", "open")]
    assert {(q["service"], q["indicator"], q["code"]): q["id"] for q in data["queries"]} == DEMO_RAISED
    for qid in DEMO_QUERIES:
        assert kpixl(ws, "review", "--accept", qid.lower())[0] == 0  # typed in either case
    code, data = _review(ws)
    assert (code, data["waiting"], data["queries"]) == (0, 0, [])
    assert set(_states(ws).values()) == {"accepted"}
    code, output = kpixl(ws, "review")
    assert code == 0 and "Nothing waits" in output


def test_a_decision_is_logged_once_and_a_rejection_goes_back_to_the_lead_with_its_note(ws: Workspace) -> None:
    assert kpixl(ws, "review", "--accept", ACTIONS_136, "--by", "Alex Officer") == (0, f"{ACTIONS_136} accepted.\n")
    code, output = kpixl(ws, "review", "--accept", ACTIONS_136)
    assert code == 0 and f"{ACTIONS_136} was accepted already, by Alex Officer" in output
    code, output = kpixl(ws, "review", "--reject", UNUSUAL_137, "--note", "Say why the figure fell by half")
    assert (code, output) == (0, f"{UNUSUAL_137} rejected.\n")
    with ws.open_store() as store:
        told = outstanding_for(store, "adult-skills", Q2)
    assert [(p.code, p.indicator) for p in told] == [("CHANGE_UNUSUAL", "137"), ("ACTIONS_REQUIRED", "137")]
    assert told[0].hint == REJECTED_HINT.format(note="Say why the figure fell by half.")
    code, status = kpixl(ws, "status", "--json")
    adult = next(s for s in json.loads(status)["services"] if s["service"] == "adult-skills")
    assert adult["waiting"] == [UNUSUAL_137, ACTIONS_137] and adult["queries"] == {"open": 1, "explained": 0, "rejected": 1,
                                                                      "accepted": 1}
    assert [p["code"] for p in adult["to_answer"]] == ["CHANGE_UNUSUAL", "ACTIONS_REQUIRED"]
    # Rejected, then accepted after all: one more event, never a changed one.
    assert kpixl(ws, "review", "--accept", UNUSUAL_137, "--note", "Explained by phone")[0] == 0
    assert _states(ws)[UNUSUAL_137] == "accepted"


def test_a_query_raised_again_by_a_later_return_keeps_its_id_and_its_acceptance(ws: Workspace) -> None:
    assert kpixl(ws, "review", "--accept", UNUSUAL_137)[0] == 0
    assert kpixl(ws, "review", "--accept", ACTIONS_136)[0] == 0
    others = {qid: "open" for qid in DEMO_QUERIES if qid not in (ACTIONS_136, UNUSUAL_137)}
    # The lead sends again: actions for 136, with their owner and due date (ACTIONS_136 is answered), 137's
    # figure as before (UNUSUAL_137 asks the same).
    actions = {"L3": "A recovery plan is in place.", "M3": "Head of Adult Skills", "N3": datetime(2024, 3, 31)}
    later = resend(ws, "adult-skills", actions, "adult-skills-v2.xlsx")
    assert kpixl(ws, "collect", str(later))[0] == 0
    states = _states(ws)
    assert states == {**others, UNUSUAL_137: "accepted"}  # ACTIONS_136 is no longer raised; UNUSUAL_137 keeps its ID
    # A third return changes 137's figure: the same query asks a new question, and is open again.
    third = resend(ws, "adult-skills", {**actions, "H4": 700}, "adult-skills-v3.xlsx", later=120)
    assert kpixl(ws, "collect", str(third))[0] == 0
    assert _states(ws) == {**others, UNUSUAL_137: "open"}


def test_an_explained_query_waits_for_the_team_and_a_rejection_stands_for_its_return_only(ws: Workspace) -> None:
    explained = resend(ws, "adult-skills", {"K4": "Courses moved online.\nExplanation: two courses ended early."},
                       "adult-skills-explained.xlsx")
    assert kpixl(ws, "collect", str(explained))[0] == 0
    code, data = _review(ws)
    unusual = next(q for q in data["queries"] if q["id"] == UNUSUAL_137)
    assert (unusual["state"], unusual["explanation"]) == ("explained", "two courses ended early.")
    assert kpixl(ws, "review", "--reject", UNUSUAL_137, "--note", "Which courses?")[0] == 0
    assert _states(ws)[UNUSUAL_137] == "rejected"
    again = resend(ws, "adult-skills", {"K4": "Explanation: the two summer courses ended in July."},
                   "adult-skills-again.xlsx", later=120)
    assert kpixl(ws, "collect", str(again))[0] == 0
    assert _states(ws)[UNUSUAL_137] == "explained"  # answered again on the next return: back with the team
    code, log = kpixl(ws, "log", "--json")
    assert code == 0
    kinds = [e["kind"] for e in json.loads(log)["events"] if e["detail"].get("query") == UNUSUAL_137]
    assert kinds == ["query-raised", "query-raised", "query-explained", "query-rejected", "query-raised",
                     "query-explained"]


def test_ids_that_are_not_waiting_or_not_ids_are_refused(ws: Workspace) -> None:
    code, output = kpixl(ws, "review", "--accept", "X1")
    assert code == 2 and "is not a review ID" in output
    code, output = kpixl(ws, "review", "--reject", "Q1")
    assert code == 2 and "--note" in output
    code, output = kpixl(ws, "review", "--accept", "Q99")
    assert code == 1 and "No current return for 2023/24 Q2 raises query Q99" in output
    code, output = kpixl(ws, "review", "--accept", "A99")
    assert code == 1 and "There is no annotation A99" in output
    code, output = kpixl(ws, "review", "--accept", "Q1", "--reject", "Q2")
    assert code == 2


def _report_text(ws: Workspace, *args: str) -> str:
    code, output = kpixl(ws, "report", "--html", *args)
    assert code == 0, output
    with zipfile.ZipFile(ws.path("reports") / "csmi_2023-24-Q2.docx") as docx:
        word = docx.read("word/document.xml").decode()
    html = (ws.path("reports") / "csmi_2023-24-Q2.html").read_text(encoding="utf-8")
    assert ("Visits rose again as libraries opened for longer." in word) == (
        "Visits rose again as libraries opened for longer." in html)
    return word


LEAD = "Visitors continue to rise following increased confidence"  # in indicator 37's commentary, as the lead wrote


def _annotate(ws: Workspace, *args: str) -> str:
    code, output = kpixl(ws, "annotate", "37", *args, "--json")
    assert code == 0, output
    return str(json.loads(output)["id"])


def test_a_commentary_edit_shows_in_the_report_once_approved_and_the_leads_text_stays(ws: Workspace) -> None:
    code, output = kpixl(ws, "annotate", "37", "--commentary", "Visits rose again as libraries opened for longer.",
                         "--by", "Alex Officer")
    assert code == 0 and f"Logged {FIRST_ANNOTATION}" in output and "waiting for approval" in output
    word = _report_text(ws)
    assert "Visits rose again" not in word and LEAD in word
    assert f"commentary edit {FIRST_ANNOTATION} waits for approval" in word  # on the draft's outstanding page
    code, data = _review(ws)
    assert [(a["id"], a["type"], a["state"]) for a in data["annotations"]] == [(FIRST_ANNOTATION, "commentary", "proposed")]
    assert LEAD in data["annotations"][0]["lead_commentary"]
    assert kpixl(ws, "review", "--accept", FIRST_ANNOTATION, "--by", "Sam Senior") == (0, f"{FIRST_ANNOTATION} accepted.\n")
    word = _report_text(ws)
    assert "Visits rose again as libraries opened for longer." in word and LEAD not in word
    code, output = kpixl(ws, "history", "show", "37")
    assert code == 0
    assert f"{FIRST_ANNOTATION}, 2023-24-Q2: commentary edit by Alex Officer" in output and "approved by Sam Senior" in output
    assert "Team's text:       Visits rose again" in output and "Lead's commentary: Previously reported" in output
    code, output = kpixl(ws, "history", "show", "37", "--json")
    data = json.loads(output)
    current = next(f for f in data["figures"] if f["period"] == Q2 and f["current"])
    assert LEAD in current["commentary"]  # the figure itself is as the lead sent it
    assert [(a["id"], a["state"], a["text"][:12]) for a in data["annotations"]] == [(FIRST_ANNOTATION, "approved", "Visits rose ")]


def test_a_note_is_final_when_made_and_not_printed(ws: Workspace) -> None:
    code, output = kpixl(ws, "annotate", "37", "--note", "Checked the count with the service.")
    assert code == 0 and f"Logged {FIRST_ANNOTATION}: a note to indicator 37's figure" in output
    assert "Checked the count" not in _report_text(ws)
    code, output = kpixl(ws, "review", "--accept", FIRST_ANNOTATION)
    assert code == 1 and "is a note, final when made" in output
    assert _review(ws, "--all")[1]["annotations"][0]["state"] == "final"
    code, output = kpixl(ws, "annotate", "37", "--note", "x", "--commentary", "y")
    assert code == 1 and "not both" in output
    code, output = kpixl(ws, "annotate", "999", "--note", "x")
    assert code == 2 and "no indicator '999'" in output


def test_an_edit_lapses_when_the_lead_sends_new_commentary(ws: Workspace) -> None:
    edit = _annotate(ws, "--commentary", "Visits rose again as libraries opened for longer.")
    assert kpixl(ws, "review", "--accept", edit)[0] == 0
    later = resend(ws, "libraries", {"K4": "Visits rose by 8% on the last quarter."}, "libraries-v2.xlsx")
    assert kpixl(ws, "collect", str(later))[0] == 0
    word = _report_text(ws)
    assert "Visits rose by 8% on the last quarter." in word and "opened for longer" not in word
    assert f"commentary edit {edit} was made beside the lead's earlier commentary" in word
    code, output = kpixl(ws, "history", "show", "37")
    assert code == 0 and "lapsed" in output and "Lead's commentary now: Visits rose by 8%" in output


def test_the_queries_of_a_held_return_wait_for_the_reopen(ws: Workspace) -> None:
    for qid in DEMO_QUERIES:
        assert kpixl(ws, "review", "--accept", qid)[0] == 0
    assert kpixl(ws, "approve", "adult-skills", "--by", "Pat Head", "--role", "Head of Adult Skills")[0] == 0
    later = resend(ws, "adult-skills", {"H4": 700}, "adult-skills-v2.xlsx")
    assert kpixl(ws, "collect", str(later))[0] == 0
    with ws.open_store() as store:  # the signed-off return is still the one reviewed
        assert {q.id: q.state for q in quarter_queries(store, Q2)}[UNUSUAL_137] is QueryState.ACCEPTED
    assert kpixl(ws, "reopen", "adult-skills", "--reason", "137 corrected")[0] == 0
    assert _states(ws)[UNUSUAL_137] == "open"  # the held return is current now: its new question is open
