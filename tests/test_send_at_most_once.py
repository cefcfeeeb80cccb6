"""Email at most once (issue 12, case 4): a server that takes the whole message and drops the connection
before its reply makes that delivery uncertain (recorded in sent.json and the store, reported, counted, never
retried), a rerun does not send it again unless --resend, and a run killed while sending never leads to a
second copy. Names from the register are text everywhere (case 6); an address kpixl cannot send to is
refused by register check before anything goes (case 7)."""

from __future__ import annotations

import email
import json
import os
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from support.cli import kpixl_process, run_cli
from support.mail import Server, smtp_server
from support.workbook import SEED_SERVICES, example_workspace, write_all

from kpixl.crashpoint import ENV
from kpixl.domain import Service
from kpixl.mail.compose import Letter, compose
from kpixl.mail.transports import SmtpTransport
from kpixl.steps.send import send_workbooks
from kpixl.steps.workspace import Workspace

DROPPED = "coroner.lead@example.org"
Q2 = "2023-24-Q2"


@pytest.fixture
def smtp() -> Iterator[tuple[Server, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = example_workspace(tmp_path)
    write_all(workspace)
    return workspace


def _send(ws: Workspace, port: int, **kwargs: Any):  # type: ignore[no-untyped-def]
    transport = SmtpTransport("127.0.0.1", port, starttls=False, final_reply_timeout=kwargs.pop("wait", 600))
    return send_workbooks(ws, ws.period_or_default(None), transport, **kwargs)


def _sent_json(ws: Workspace) -> dict[str, Any]:
    return json.loads((ws.path("workbooks") / Q2 / "sent.json").read_text(encoding="utf-8"))["sent"]


def _events(ws: Workspace, kind: str) -> list[str]:
    with ws.open_store() as store:
        return [e.service for e in store.events(Q2, kinds={kind})]


def test_a_drop_after_data_is_uncertain_recorded_and_never_sent_twice(ws: Workspace,
                                                                      smtp: tuple[Server, int]) -> None:
    server, port = smtp
    server.misbehave[DROPPED] = "drop-after-data"
    summary = _send(ws, port)
    assert (summary.count("sent"), summary.count("failed"), summary.count("uncertain")) == (6, 0, 1)
    assert summary.exit_code == 1
    assert server.to(DROPPED) == 1 and len(server.received) == 7  # before: retried, the lead got it twice
    uncertain = next(o for o in summary.outcomes if o.status == "uncertain")
    assert uncertain.services == ("coroner",) and "may have been delivered" in uncertain.detail
    assert _sent_json(ws)["coroner"]["status"] == "uncertain"
    assert _events(ws, "mail-uncertain") == ["coroner"] and len(_events(ws, "mail-sent")) == 6
    again = _send(ws, port)  # a rerun sends nothing: the uncertain one is not sent again by itself
    assert len(server.received) == 7 and again.count("skipped") == 7 and again.exit_code == 0
    skipped = next(o for o in again.outcomes if o.services == ("coroner",))
    assert "may have gone" in skipped.detail and "--resend" in skipped.detail
    server.misbehave.clear()
    assert _send(ws, port, resend=True).count("sent") == 7 and server.to(DROPPED) == 2


def test_no_answer_to_the_final_dot_is_uncertain_too(ws: Workspace, smtp: tuple[Server, int]) -> None:
    server, port = smtp
    server.misbehave[DROPPED] = "hang-after-data"
    summary = _send(ws, port, wait=0.5)
    assert summary.count("uncertain") == 1 and server.to(DROPPED) == 1
    assert "gave no answer in time" in next(o.detail for o in summary.outcomes if o.status == "uncertain")


def test_a_drop_before_data_is_a_failure_and_the_next_run_tries_again(ws: Workspace,
                                                                      smtp: tuple[Server, int]) -> None:
    server, port = smtp
    server.misbehave[DROPPED] = "drop-at-rcpt"
    summary = _send(ws, port)
    assert (summary.count("sent"), summary.count("failed"), summary.count("uncertain")) == (6, 1, 0)
    assert server.to(DROPPED) == 0 and _events(ws, "mail-failed") == ["coroner"]
    server.misbehave.clear()
    retry = _send(ws, port)
    assert retry.count("sent") == 1 and retry.count("skipped") == 6 and server.to(DROPPED) == 1


def test_a_run_killed_while_sending_never_sends_a_second_copy(ws: Workspace, smtp: tuple[Server, int]) -> None:
    """Killed after the third message's attempt was logged, before it was handed over: whether or not it went,
    the rerun does not send it, and says it may have gone."""
    server, port = smtp
    killed = kpixl_process(ws, "send", "--smtp", f"127.0.0.1:{port}", "--no-starttls",
                           env={ENV: "mail-sending:3"})
    killed.communicate(timeout=120)
    assert killed.returncode != 0 and len(server.received) == 2
    code, output = run_cli(ws, "send", "--smtp", f"127.0.0.1:{port}", "--no-starttls")
    assert code == 1, output
    assert "4 sent" in output and "2 skipped" in output and "1 uncertain" in output
    assert len(server.received) == 6  # the third lead got nothing from this run
    third = SEED_SERVICES[2]
    assert _sent_json(ws)[third]["status"] == "uncertain"
    code, output = run_cli(ws, "send", "--smtp", f"127.0.0.1:{port}", "--no-starttls")
    assert code == 0 and "7 skipped" in output and len(server.received) == 6


def _rename_lead(ws: Workspace, service: str, name: str) -> None:
    lines = ws.register_path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {service}")
    lead = next(i for i in range(at, len(lines)) if lines[i].strip().startswith("lead_name:"))
    lines[lead] = lines[lead].split("lead_name:")[0] + f"lead_name: {json.dumps(name)}"
    ws.register_path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_rich_markup_in_a_lead_name_is_text_in_the_output_and_the_draft(ws: Workspace, tmp_path: Path,
                                                                      smtp: tuple[Server, int]) -> None:
    """Before, '[/]' in a lead's name crashed `kpixl send` after every message had gone."""
    server, port = smtp
    assert not server.received
    _rename_lead(ws, "libraries", "Ann [/] Lee [blink]")
    code, output = run_cli(ws, "send", "--drafts", str(tmp_path / "drafts"))
    assert code == 0, output
    assert "Ann [/] Lee [blink]" in output
    draft = email.message_from_bytes(next((tmp_path / "drafts").glob("libraries*.eml")).read_bytes(),
                                     policy=policy.default)
    assert draft["To"].addresses[0].display_name == "Ann [/] Lee [blink]"
    code, output = run_cli(ws, "send", "--smtp", f"127.0.0.1:{port}", "--no-starttls")
    assert code == 0 and "7 sent" in output and "Ann [/] Lee [blink]" in output and len(server.received) == 7


def test_control_characters_never_reach_a_header_or_the_terminal(tmp_path: Path) -> None:
    """register check refuses them (below); the headers are made safe all the same."""
    workbook = tmp_path / "w.xlsx"
    workbook.write_bytes(b"PK")
    letter = Letter("Ann\x1b[2J\x07 Lee\r\nBcc: x@example.org", "ann@example.org",
                    (Service("s", "Svc\x1b]0;t\x07", "", "ann@example.org"),), (workbook,), ("0" * 64,))
    message = compose(letter, "Subject \x1b[31m red", "Body", "Team\x9b", "perf@example.org")
    raw = message.as_bytes()
    assert b"\x1b" not in raw and b"\x07" not in raw and b"\nBcc:" not in raw
    assert message["To"].addresses[0].display_name == "Ann?[2J? Lee Bcc: x@example.org"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("lead_email", "jörg@example.org", "REG_BAD_EMAIL"),
    ("lead_name", "Ann\\e[2J Lee\\a", "REG_CONTROL_CHAR"),
    ("lead_email", "ann\\e@example.org", "REG_CONTROL_CHAR"),
    ("name", "Library\\x9bService", "REG_CONTROL_CHAR"),
])
def test_register_check_refuses_what_cannot_be_sent_or_shown_and_send_sends_nothing(
        ws: Workspace, tmp_path: Path, smtp: tuple[Server, int], field: str, value: str, code: str) -> None:
    """Before, jörg@example.org passed register check, then `send --drafts` raised UnicodeEncodeError after the
    first draft."""
    server, port = smtp
    lines = ws.register_path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip() == "- id: libraries")
    row = next(i for i in range(at, len(lines)) if lines[i].strip().startswith(f"{field}:"))
    lines[row] = lines[row].split(f"{field}:")[0] + f'{field}: "{value}"'
    ws.register_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    exit_code, output = run_cli(ws, "register", "check", "--json")
    found = [(p["code"], p["cell"]) for p in json.loads(output)["problems"]]
    assert exit_code == 1 and found == [(code, f"line {row + 1}")]
    exit_code, output = run_cli(ws, "send", "--drafts", str(tmp_path / "drafts"))
    assert exit_code == 1 and "register check" in output and not (tmp_path / "drafts").exists()
    exit_code, output = run_cli(ws, "send", "--smtp", f"127.0.0.1:{port}", "--no-starttls")
    assert exit_code == 1 and not server.received
    assert "\x1b" not in output


def test_a_from_address_kpixl_cannot_send_from_is_a_clear_error(ws: Workspace, tmp_path: Path) -> None:
    code, output = run_cli(ws, "send", "--drafts", str(tmp_path / "d"), "--from", "jörg@example.org")
    assert code == 2 and "not an email address kpixl can send from" in output
    assert not os.path.exists(tmp_path / "d")
