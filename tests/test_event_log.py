"""The quarter's log (docs/review.md): every step is an event with who, when and what; `kpixl log` lists them in
order; events are only ever added, never updated or deleted."""

from __future__ import annotations

import ast
import getpass
import json
from pathlib import Path

import pytest
from support.review import (
    DEMO_QUERIES,
    DEMO_RAISED,
    Q2,
    SERVICES,
    copy_workspace,
    demo_query,
    event_rows,
    kpixl,
    make_demo,
    resend,
)

import kpixl as package
from kpixl.domain.review import KINDS
from kpixl.steps.workspace import Workspace

STORE_CODE = Path(package.__file__).parent / "store"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    return make_demo(tmp_path_factory.mktemp("log"))


@pytest.fixture
def ws(demo: Workspace, tmp_path: Path) -> Workspace:
    return copy_workspace(demo, tmp_path)


def _log(ws: Workspace, *args: str) -> list[dict[str, object]]:
    code, output = kpixl(ws, "log", *args, "--json")
    assert code == 0, output
    return list(json.loads(output)["events"])


def test_the_demo_logs_each_step_in_order_with_who_when_and_what(ws: Workspace) -> None:
    events = _log(ws)
    kinds = [e["kind"] for e in events]
    assert kinds == (["workbook-generated"] * 7
                     + ["return-received", "return-accepted"] + ["query-raised"] * 3  # Library Service
                     + ["return-received", "return-accepted"] + ["query-raised"] * 3  # Adult Skills
                     + ["return-received", "return-accepted"] * 2 + ["query-raised"]  # Communities, Coroner
                     + ["return-received", "return-accepted"] * 3 + ["query-raised"]  # ..., Trading Standards
                     + ["report-built"])
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)  # in the order logged
    assert [e["service"] for e in events[:7]] == list(SERVICES)
    assert {e["period"] for e in events} == {Q2}
    assert all(e["actor"] == getpass.getuser() and e["at"] for e in events)  # no --by, no [team] officer
    raised = [e for e in events if e["kind"] == "query-raised"]
    assert [(e["detail"]["query"], e["service"], e["indicator"], e["detail"]["code"]) for e in raised] == [  # type: ignore[index]
        (qid, *asks) for asks, qid in DEMO_RAISED.items()]
    assert events[-1]["detail"] == {"committee": "csmi", "final": False, "file": "csmi_2023-24-Q2.docx",  # type: ignore[comparison-overlap]
                                    "sha256": events[-1]["detail"]["sha256"]}  # type: ignore[index]
    assert set(kinds) <= set(KINDS)


def test_the_whole_quarter_is_in_the_log_and_every_command_only_adds_to_it(ws: Workspace) -> None:
    """From the demo to the approved final paper, with a return held by a sign-off and a reopen: after each
    command the log holds every earlier row unchanged, and more."""
    actions_136 = demo_query("adult-skills", "136", "ACTIONS_REQUIRED")
    unusual_137 = demo_query("adult-skills", "137", "CHANGE_UNUSUAL")
    commands = [
        ["review", "--accept", actions_136, "--by", "Alex Officer"],
        ["review", "--reject", unusual_137, "--note", "Say why the figure fell", "--by", "Alex Officer"],
        ["review", "--accept", unusual_137],
        *[["review", "--accept", qid] for qid in DEMO_QUERIES if qid not in (actions_136, unusual_137)],
        ["annotate", "37", "--commentary", "Visits rose again."], ["annotate", "37", "--note", "Checked."],
        *[["approve", s, "--by", f"Head of {s}", "--role", "Head of Service"] for s in SERVICES],
        ["collect", str(resend(ws, "libraries", {"H3": 123456}, "libraries.xlsx"))],
        ["reopen", "libraries", "--reason", "The lead corrected 36"],
        ["approve", "libraries", "--by", "Jane Smith", "--role", "Head of Libraries"],
        ["report", "--final"], ["approve", "--report", "csmi", "--by", "Sue Grant"], ["report", "--final"],
    ]
    before = event_rows(ws)
    for command in commands:
        code, output = kpixl(ws, *command)
        assert code == 0, (command, output)
        after = event_rows(ws)
        assert after[:len(before)] == before and len(after) > len(before), command
        before = after
    kinds = [e["kind"] for e in _log(ws)][30:]  # after the demo's 30
    assert kinds == ["query-accepted", "query-rejected", "query-accepted", *["query-accepted"] * 6,
                     "figure-annotated", "figure-annotated", *["signed-off"] * 7,
                     # the corrected return raises 37's and 38's queries again (accepted already: the same question)
                     "return-received", "return-accepted", "return-held", "query-raised", "query-raised",
                     "reopened", "signed-off",
                     "report-built", "report-approved", "report-built"]
    assert all(k in KINDS for k in kinds)


def test_log_of_one_service_and_of_every_quarter(ws: Workspace) -> None:
    mine = _log(ws, "--service", "coroner")
    assert [e["kind"] for e in mine] == ["workbook-generated", "return-received", "return-accepted",
                                         "query-raised"]
    everything = _log(ws, "--all")
    assert everything[0]["kind"] == "history-imported" and everything[0]["period"] == ""  # kpixl init's
    assert len(everything) == len(_log(ws)) + 1
    code, output = kpixl(ws, "log", "2023-24-Q2", "--service", "coroner")
    assert code == 0 and "query-raised" in output
    assert f"{demo_query('coroner', '179', 'CHANGE_UNUSUAL')} CHANGE_UNUSUAL" in output


def test_who_is_the_by_name_else_the_team_officer_else_the_login(ws: Workspace) -> None:
    assert kpixl(ws, "annotate", "37", "--note", "one", "--by", "  Alex   Officer ")[0] == 0
    config = ws.root / "kpixl.toml"
    config.write_text(config.read_text(encoding="utf-8") + '\n[team]\nofficer = "Sam Team"\n', encoding="utf-8")
    assert kpixl(ws, "annotate", "37", "--note", "two")[0] == 0
    actors = [e["actor"] for e in _log(ws) if e["kind"] == "figure-annotated"]
    assert actors == ["Alex Officer", "Sam Team"]
    config.write_text(config.read_text(encoding="utf-8").replace('"Sam Team"', "3"), encoding="utf-8")
    code, output = kpixl(ws, "log")
    assert code == 2 and "[team] officer must be a name" in output  # a config error, not a traceback


def test_the_store_has_no_statement_that_updates_or_deletes(tmp_path: Path) -> None:
    """Only ever added: no code of the store builds an UPDATE or a DELETE (the only rows it removes are those of
    a table rebuilt whole by the version 3 migration, which keeps every row)."""
    found = []
    for path in sorted(STORE_CODE.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "sqlalchemy":
                found += [f"{path.name} imports {a.name}" for a in node.names if a.name in ("update", "delete")]
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = node.value.upper()
                if "UPDATE " in words and "FOR UPDATE" not in words or "DELETE FROM" in words:
                    found.append(f"{path.name}: {node.value[:60]!r}")
    assert found == []
