"""kpixl remind (issue 15; docs/mail.md): only the leads whose return is missing, wrong or has questions
unanswered, each with what is outstanding; the stage the day has reached decides the wording and who is
copied; through a local SMTP server each gets one message, and a run killed with SIGKILL in the middle and run
again sends nobody a second copy, reporting the interrupted one as uncertain."""

from __future__ import annotations

import json
import shutil
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from support.cli import kpixl_process, run_cli, seed_returns
from support.intake import Filled, make_filled
from support.mail import smtp_server

from kpixl.register import load_register
from kpixl.steps.collect import collect_paths
from kpixl.steps.workspace import Workspace

Q2 = "2023-24-Q2"
OUTSTANDING = {"libraries", "adult-skills", "coroner"}  # no return; and the two with questions open (the seed's)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("remind"))


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    """Every seed return collected but the Library Service's."""
    ws = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))
    folder = seed_returns(made, tmp_path / "returns")
    next(folder.glob("*libraries*")).unlink()
    assert all(r.accepted for r in collect_paths(ws, [folder]))
    return ws


def _leads(ws: Workspace) -> dict[str, str]:
    return {s.id: s.lead_email for s in load_register(ws.register_path).register.services}


def test_a_dry_run_lists_exactly_the_outstanding_leads(ws: Workspace) -> None:
    code, output = run_cli(ws, "remind", Q2, "--stage", "due", "--dry-run", "--json")
    assert code == 0, output
    found = json.loads(output)
    assert found["stage"] == "due"
    assert {r["service"] for r in found["reminders"]} == OUTSTANDING
    assert {r["status"] for r in found["reminders"]} == {"would_send"}
    libraries = next(r for r in found["reminders"] if r["service"] == "libraries")
    assert libraries["outstanding"] == ["Your return has not been received yet."]
    code, output = run_cli(ws, "remind", Q2, "--stage", "due", "--dry-run")
    assert code == 0 and "3 would send" in output


def test_the_day_decides_the_stage_and_after_the_deadline_the_deputy_is_copied(ws: Workspace) -> None:
    register = ws.register_path.read_text(encoding="utf-8").replace(
        "    lead_email: libraries.lead@example.org\n",
        "    lead_email: libraries.lead@example.org\n    deputy_email: deputy@example.org\n"
        "    cc: [manager@example.org]\n", 1)
    ws.register_path.write_text(register, encoding="utf-8")

    def stage_on(day: str) -> tuple[str | None, list[str]]:
        code, output = run_cli(ws, "remind", Q2, "--on", day, "--dry-run", "--json")
        assert code == 0, output
        found = json.loads(output)
        cc = [c for r in found["reminders"] if r["service"] == "libraries" for c in r["cc"]]
        return found["stage"], cc

    # The example's deadline is 27 October 2023: friendly 5 days before, due on the day, overdue 3 days after.
    assert stage_on("2023-10-21") == (None, [])
    assert stage_on("2023-10-22") == ("friendly", [])
    assert stage_on("2023-10-27") == ("due", [])
    assert stage_on("2023-11-15") == ("overdue", ["deputy@example.org", "manager@example.org"])
    code, output = run_cli(ws, "remind", Q2, "--on", "2023-10-01", "--dry-run")
    assert code == 0 and "No reminder is due on 2023-10-01: the first stage is on 2023-10-22" in output


def test_each_outstanding_lead_gets_one_message_with_its_feedback(ws: Workspace, tmp_path: Path) -> None:
    leads = _leads(ws)
    with smtp_server() as (server, port):
        for _ in range(2):
            code, output = run_cli(ws, "remind", Q2, "--stage", "overdue", "--smtp", f"127.0.0.1:{port}",
                                   "--no-starttls", "--json")
            assert code == 0, output
        assert {s: server.to(leads[s]) for s in leads} == {s: int(s in OUTSTANDING) for s in leads}
        assert {r["status"] for r in json.loads(output)["reminders"]} == {"skipped"}  # the second run
        messages = [message_from_bytes(data, policy=policy.default) for _, data in server.received]
    skills = next(m for m in messages if leads["adult-skills"] in str(m["To"]))
    text = skills.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "overdue" in text and "3 questions to answer" in text
    assert [a.get_filename() for a in skills.iter_attachments()] == [
        "cambridgeshire-county-council_adult-skills_2023-24-Q2-feedback.xlsx"]
    libraries = next(m for m in messages if leads["libraries"] in str(m["To"]))
    assert "has not been received yet" in libraries.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_a_kill_in_the_middle_and_a_rerun_send_nobody_a_second_copy(ws: Workspace) -> None:
    leads = _leads(ws)
    with smtp_server() as (server, port):
        args = ("remind", Q2, "--stage", "due", "--smtp", f"127.0.0.1:{port}", "--no-starttls")
        killed = kpixl_process(ws, *args, env={"KPIXL_TEST_CRASH_AT": "mail-sending:2"})
        killed.communicate(timeout=120)
        assert killed.returncode == -9  # SIGKILL: the second reminder logged, not handed over
        assert len(server.received) == 1
        code, output = run_cli(ws, *args, "--json")
        assert code == 1, output  # the interrupted one is uncertain
        statuses = sorted(r["status"] for r in json.loads(output)["reminders"])
        assert statuses == ["sent", "skipped", "uncertain"]
        code, output = run_cli(ws, *args, "--json")
        assert sorted(r["status"] for r in json.loads(output)["reminders"]) == ["skipped", "skipped", "uncertain"]
        assert all(server.to(leads[s]) <= 1 for s in leads)
        assert len(server.received) == 2


def test_reminders_as_drafts_and_the_usage_errors(ws: Workspace, tmp_path: Path) -> None:
    code, output = run_cli(ws, "remind", Q2, "--stage", "friendly", "--drafts", str(tmp_path / "drafts"))
    assert code == 0, output
    assert len(list((tmp_path / "drafts").glob("*_reminder.eml"))) == 3
    assert run_cli(ws, "remind", Q2, "--stage", "friendly")[0] == 2  # nowhere to send
    code, output = run_cli(ws, "remind", Q2, "--stage", "later", "--dry-run")
    assert code == 2 and "No reminder stage 'later'" in output


def test_a_store_lost_and_rebuilt_still_knows_who_was_reminded(ws: Workspace) -> None:
    """The mail ledger is kept in the journal too (.kpixl/decisions, kpixl.steps.journal): after the store is
    lost and rebuilt from the archive, the same reminder is not sent to anybody a second time."""
    leads = _leads(ws)
    args = ("remind", Q2, "--stage", "overdue", "--no-starttls", "--json")
    with smtp_server() as (server, port):
        code, output = run_cli(ws, *args, "--smtp", f"127.0.0.1:{port}")
        assert code == 0 and {r["status"] for r in json.loads(output)["reminders"]} == {"sent"}, output
        for store_file in ws.root.glob("kpixl.sqlite*"):
            store_file.unlink()
        code, output = run_cli(ws, "check", "--rebuild")
        assert code == 0, output
        code, output = run_cli(ws, *args, "--smtp", f"127.0.0.1:{port}")
        assert code == 0 and {r["status"] for r in json.loads(output)["reminders"]} == {"skipped"}, output
        assert {s: server.to(leads[s]) for s in leads} == {s: int(s in OUTSTANDING) for s in leads}
