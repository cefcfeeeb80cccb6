"""kpixl send --drafts: one .eml per lead that Outlook opens as an unsent draft, from templates a
workspace may override; and the command's usage errors."""

from __future__ import annotations

import email
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from support.workbook import SEED_SERVICES, example_workspace, write_all
from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.errors import RegisterError
from kpixl.mail.transports import DraftsTransport
from kpixl.register import load_register
from kpixl.steps.send import send_workbooks
from kpixl.steps.workspace import Workspace


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    workspace = example_workspace(tmp_path)
    write_all(workspace)
    return workspace


def _read(path: Path) -> EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[return-value]


def test_cli_writes_one_unsent_draft_per_lead(ws: Workspace, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["send", "2023-24-Q2", "--drafts", str(out), "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output
    assert "7 drafted" in result.output
    drafts = sorted(out.glob("*.eml"))
    assert [p.name for p in drafts] == sorted(f"{s}-lead-example-org_2023-24-Q2.eml" for s in SEED_SERVICES)
    message = _read(out / "libraries-lead-example-org_2023-24-Q2.eml")
    assert message["X-Unsent"] == "1"
    assert message["To"].addresses[0].addr_spec == "libraries.lead@example.org"
    assert message["From"].addresses[0].addr_spec == "performance@example.org"
    assert message["Subject"] == ("Cambridgeshire County Council performance return: Library Service, 2023/24 Q2 "
                                  "(due Friday 27 October 2023)")
    body = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Dear Library Service lead (synthetic)" in body and "Quarter 2 2023/24" in body
    assert "Governance & Performance team at performance@example.org" in body
    (attachment,) = message.iter_attachments()
    name = attachment.get_filename()
    assert attachment.get_content() == (ws.path("workbooks") / "2023-24-Q2" / name).read_bytes()


def test_drafts_are_not_sends(ws: Workspace, tmp_path: Path) -> None:
    quarter = ws.period_or_default(None)
    for _ in range(2):  # drafting twice drafts twice; nothing is recorded as sent
        summary = send_workbooks(ws, quarter, DraftsTransport(tmp_path / "d", quarter.slug))
        assert summary.count("drafted") == 7
    assert not (ws.path("workbooks") / quarter.slug / "sent.json").exists()


def test_a_workspace_may_restyle_the_mail(ws: Workspace, tmp_path: Path) -> None:
    own = ws.path("workbook_templates")
    own.mkdir()
    (own / "mail_subject.txt").write_text("Return {{{period}}} for {service}\n", encoding="utf-8")
    quarter = ws.period_or_default(None)
    send_workbooks(ws, quarter, DraftsTransport(tmp_path / "d", quarter.slug))
    message = _read(tmp_path / "d" / "coroner-lead-example-org_2023-24-Q2.eml")
    assert message["Subject"] == "Return {2023/24 Q2} for Coroner Service"
    assert "Dear Coroner Service lead" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_an_unknown_placeholder_is_a_config_error(ws: Workspace, tmp_path: Path) -> None:
    own = ws.path("workbook_templates")
    own.mkdir()
    (own / "mail_body.txt").write_text("Dear {lead}", encoding="utf-8")
    result = CliRunner().invoke(app, ["send", "--drafts", str(tmp_path / "d"), "--workspace", str(ws.root)])
    assert result.exit_code == 2
    assert "mail_body.txt uses {lead}, which kpixl does not fill" in result.output
    assert "{lead_name}" in result.output


def test_a_name_with_a_line_break_cannot_inject_a_header(ws: Workspace, tmp_path: Path) -> None:
    text = ws.register_path.read_text(encoding="utf-8")
    ws.register_path.write_text(text.replace("lead_name: Coroner Service lead (synthetic)",
                                             'lead_name: "Coroner\\nBcc: evil@example.com"'), encoding="utf-8")
    quarter = ws.period_or_default(None)
    # register check refuses a line break in a name (REG_CONTROL_CHAR), so nothing is drafted; compose keeps
    # every header on one line all the same (tests/test_send_at_most_once.py).
    assert [p.code for p in load_register(ws.register_path).report] == ["REG_CONTROL_CHAR"]
    with pytest.raises(RegisterError):
        send_workbooks(ws, quarter, DraftsTransport(tmp_path / "d", quarter.slug))
    assert not (tmp_path / "d").exists()


@pytest.mark.parametrize("args", [[], ["--drafts", "d", "--smtp", "localhost"], ["--smtp", "host:port"]])
def test_usage_errors_exit_2(ws: Workspace, args: list[str]) -> None:
    result = CliRunner().invoke(app, ["send", *args, "--workspace", str(ws.root)])
    assert result.exit_code == 2, result.output


def test_no_sender_is_a_config_error(ws: Workspace, tmp_path: Path) -> None:
    config = ws.path("kpixl.toml")
    config.write_text(config.read_text(encoding="utf-8").replace(
        'contact_email = "performance@example.org"', 'contact_email = ""'), encoding="utf-8")
    result = CliRunner().invoke(app, ["send", "--drafts", str(tmp_path / "d"), "--workspace", str(ws.root)])
    assert result.exit_code == 2 and "--from" in result.output
    result = CliRunner().invoke(app, ["send", "--drafts", str(tmp_path / "d"), "--from", "me@example.org",
                                      "--workspace", str(ws.root)])
    assert result.exit_code == 0, result.output


def test_sending_after_the_deadline_warns(ws: Workspace, tmp_path: Path) -> None:
    """Issue 13: kpixl send did not say that the deadline its messages give had passed."""
    args = ["send", "2023-24-Q2", "--drafts", str(tmp_path / "out"), "--workspace", str(ws.root)]
    said = " ".join(CliRunner().invoke(app, args).output.split())
    assert ("Warning: The returns deadline in kpixl.toml, Friday 27 October 2023, has passed, and the messages "
            "and workbooks tell leads that date.") in said
    config = ws.root / "kpixl.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("2023-10-27", "2999-01-01"), encoding="utf-8")
    assert "Warning" not in CliRunner().invoke(app, [*args, "--resend"]).output
