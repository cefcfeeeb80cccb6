"""kpixl send through a real SMTP server on localhost (aiosmtpd): one message per lead with the workbooks
attached byte for byte, a refused recipient that does not stop the others, and reruns that do not resend."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from support.workbook import SEED_SERVICES, example_workspace, write_all
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.mail.transports import SmtpTransport
from kpixl.steps.send import send_workbooks
from kpixl.steps.workspace import Workspace

REFUSED = "coroner.lead@example.org"


class Recorder:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _login(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = (data.login, data.password) == (b"perf", b"s3cret")
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    recorder, port = Recorder(), _free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, authenticator=_login,
                            auth_require_tls=False)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = example_workspace(tmp_path)
    write_all(workspace)
    return workspace


def _send(ws: Workspace, port: int, **kwargs: Any):  # type: ignore[no-untyped-def]
    return send_workbooks(ws, ws.period_or_default(None), SmtpTransport("127.0.0.1", port, starttls=False), **kwargs)


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}  # type: ignore[misc]


def test_one_message_per_lead_with_identical_attachments(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    summary = _send(ws, port)
    assert summary.exit_code == 0 and summary.count("sent") == 7
    assert len(recorder.messages) == 7
    folder = ws.path("workbooks") / "2023-24-Q2"
    for (recipients, message), service in zip(recorder.messages, SEED_SERVICES):
        assert recipients == [f"{service}.lead@example.org"]
        assert message["To"].addresses[0].addr_spec == recipients[0]
        assert "2023/24 Q2" in message["Subject"] and "Friday 27 October 2023" in message["Subject"]
        assert message["X-Unsent"] is None
        (name, data), = _attachments(message).items()
        assert data == (folder / name).read_bytes() and service in name


def test_a_rerun_does_not_resend(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    _send(ws, port)
    again = _send(ws, port)
    assert len(recorder.messages) == 7
    assert again.count("skipped") == 7 and again.exit_code == 0
    assert _send(ws, port, resend=True).count("sent") == 7 and len(recorder.messages) == 14


def test_a_service_whose_return_was_accepted_is_not_sent_a_new_workbook(ws: Workspace,
                                                                      smtp: tuple[Recorder, int]) -> None:
    """Issue 13: a workbook generated again after the lead's return was accepted is blank; sending it would ask
    the lead for the quarter again. It goes only with --resend."""
    from datetime import UTC, datetime

    from kpixl.domain.figures import Submission

    with ws.open_store() as store:
        store.record(Submission("h1", "libraries-return.xlsx", datetime(2023, 10, 20, tzinfo=UTC), "libraries",
                                "2023-24-Q2", True), [])
    recorder, port = smtp
    summary = _send(ws, port)
    skipped = [o for o in summary.outcomes if o.status == "skipped"]
    assert [(o.services, o.detail) for o in skipped] == [
        (("libraries",), "its return libraries-return.xlsx was accepted: --resend sends it anyway")]
    assert "libraries.lead@example.org" not in [to for tos, _ in recorder.messages for to in tos]
    _send(ws, port, resend=True)
    assert "libraries.lead@example.org" in [to for tos, _ in recorder.messages for to in tos]


def test_a_refused_recipient_does_not_stop_the_others(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    recorder.refuse.add(REFUSED)
    summary = _send(ws, port)
    assert summary.count("sent") == 6 and summary.count("failed") == 1 and summary.exit_code == 1
    failed = next(o for o in summary.outcomes if o.status == "failed")
    assert failed.email == REFUSED and "550" in failed.detail
    assert [m[0][0] for m in recorder.messages] == [f"{s}.lead@example.org" for s in SEED_SERVICES if s != "coroner"]
    recorder.refuse.clear()
    retry = _send(ws, port)  # only what failed goes now
    assert retry.count("sent") == 1 and retry.count("skipped") == 6 and recorder.messages[-1][0] == [REFUSED]


def test_a_lead_of_several_services_gets_one_message(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    text = ws.register_path.read_text(encoding="utf-8")
    ws.register_path.write_text(text.replace("adult-skills.lead@example.org", "libraries.lead@example.org"),
                                encoding="utf-8")
    summary = _send(ws, port)
    assert summary.count("sent") == 6 and len(recorder.messages) == 6
    recipients, message = recorder.messages[0]
    assert recipients == ["libraries.lead@example.org"]
    assert sorted(_attachments(message)) == sorted(
        f"cambridgeshire-county-council_{s}_2023-24-Q2.xlsx" for s in ("libraries", "adult-skills"))
    assert "Library Service and Adult Skills Service" in message["Subject"]


def test_dry_run_sends_and_records_nothing(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    summary = _send(ws, port, dry_run=True)
    assert summary.count("would send") == 7 and not recorder.messages
    assert not (ws.path("workbooks") / "2023-24-Q2" / "sent.json").exists()


def test_a_workbook_changed_since_generation_is_not_sent(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    path = ws.path("workbooks") / "2023-24-Q2" / "cambridgeshire-county-council_coroner_2023-24-Q2.xlsx"
    path.write_bytes(path.read_bytes() + b"\0")
    summary = _send(ws, port)
    failed = next(o for o in summary.outcomes if o.status == "failed")
    assert failed.services == ("coroner",) and "changed since it was generated" in failed.detail
    assert len(recorder.messages) == 6


def test_missing_workbooks_are_generated_first(tmp_path: Path, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    ws = example_workspace(tmp_path)
    summary = _send(ws, port)
    assert summary.generated == SEED_SERVICES and summary.count("sent") == 7 and len(recorder.messages) == 7


def test_cli_logs_in_from_the_environment_and_exits_1_on_a_failure(
        ws: Workspace, smtp: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch) -> None:
    recorder, port = smtp
    recorder.refuse.add(REFUSED)
    monkeypatch.setenv("KPIXL_SMTP_USER", "perf")
    monkeypatch.setenv("KPIXL_SMTP_PASSWORD", "s3cret")
    result = CliRunner().invoke(app, ["send", "2023-24-Q2", "--smtp", f"127.0.0.1:{port}", "--no-starttls",
                                      "--workspace", str(ws.root)])
    assert result.exit_code == 1, result.output
    assert "6 sent, 1 failed" in result.output and len(recorder.messages) == 6


def test_cli_wrong_password_is_an_error_and_nothing_is_sent(
        ws: Workspace, smtp: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch) -> None:
    recorder, port = smtp
    monkeypatch.setenv("MY_PASSWORD", "wrong")
    result = CliRunner().invoke(app, ["send", "--smtp", f"127.0.0.1:{port}", "--no-starttls", "--user", "perf",
                                      "--password-env", "MY_PASSWORD", "--workspace", str(ws.root)])
    assert result.exit_code == 1 and "refused the login of 'perf'" in result.output
    assert not recorder.messages


def test_cli_user_without_password_is_a_usage_error(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KPIXL_SMTP_PASSWORD", raising=False)
    result = CliRunner().invoke(app, ["send", "--smtp", "127.0.0.1:1", "--user", "perf", "--workspace", str(ws.root)])
    assert result.exit_code == 2 and "KPIXL_SMTP_PASSWORD" in result.output


def test_a_connection_closed_between_messages_is_reopened(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    recorder, port = smtp
    transport = SmtpTransport("127.0.0.1", port, starttls=False)
    message = EmailMessage()
    message["Subject"] = "test"
    message.set_content("hello")
    transport.open()
    transport.deliver(message, "performance@example.org", "a@example.org")
    assert transport._smtp is not None and transport._smtp.sock is not None
    transport._smtp.sock.close()  # as a server's idle timeout would leave it
    transport.deliver(message, "performance@example.org", "b@example.org")
    transport.close()
    assert [m[0] for m in recorder.messages] == [["a@example.org"], ["b@example.org"]]


@pytest.mark.parametrize(("text", "starttls", "server"), [
    ("smtp.example.org", True, ("smtp.example.org", 587)), ("smtp.example.org", False, ("smtp.example.org", 25)),
    ("localhost:2525", True, ("localhost", 2525)), ("[::1]:25", False, ("::1", 25))])
def test_server_addresses(text: str, starttls: bool, server: tuple[str, int]) -> None:
    from kpixl.mail.transports import parse_server

    assert parse_server(text, starttls) == server
    for bad in ("host:port", "host:2\u00b2"):  # "2²": str.isdigit() takes it, int() refuses it
        with pytest.raises(ValueError, match="HOST:PORT"):
            parse_server(bad, starttls)


def test_one_service_and_a_workbook_regenerated_since_it_was_sent(ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    """--service sends one lead's workbook; a workbook generated again after it went is flagged (issue 15)."""
    from kpixl.steps.generate import write_workbooks

    recorder, port = smtp
    runner = CliRunner()
    args = ["send", "--smtp", f"127.0.0.1:{port}", "--no-starttls", "--service", "libraries", "-w", str(ws.root)]
    result = runner.invoke(app, args, env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    assert [m[0] for m in recorder.messages] == [["libraries.lead@example.org"]]
    write_workbooks(ws, ws.period_or_default(None), ["libraries"])  # regenerated: a new signature, new bytes
    again = _send(ws, port, only=("libraries",))
    [outcome] = again.outcomes
    assert outcome.status == "skipped" and "regenerated since it was sent" in outcome.detail
    assert len(recorder.messages) == 1
    assert runner.invoke(app, [*args[:-2], "--service", "nowhere", "-w", str(ws.root)]).exit_code == 2
