"""kpixl fetch against a real IMAP server (Dovecot, started by the tests; never a mock): messages with returns
are fetched, collected and marked; a second fetch takes nothing, even when someone clears the flag; a message
with a PDF instead of a workbook gets a receipt saying so; TLS, STARTTLS and plain connections; the password
only from the environment (issue 15; docs/mail.md)."""

from __future__ import annotations

import imaplib
import json
import shutil
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from conftest import require_tool
from support.cli import run_cli
from support.dovecot import DovecotServer, dovecot_server
from support.intake import Filled, make_filled
from support.messages import LEAD, eml

from kpixl.steps.workspace import Workspace

Q2 = "2023-24-Q2"


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DovecotServer]:
    require_tool("dovecot")
    require_tool("openssl")
    with dovecot_server(tmp_path_factory.mktemp("dovecot"), extra_users=20) as server:
        yield server


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("fetch"))


@pytest.fixture
def mailbox(dovecot: DovecotServer) -> DovecotServer:
    return dovecot.add_user()  # a fresh user: an empty INBOX


def configure(ws: Workspace, server: DovecotServer, monkeypatch: pytest.MonkeyPatch, security: str = "tls",
              processed: str = "") -> None:
    port = server.tls_port if security == "tls" else server.port
    section = (f'\n[imap]\nhost = "{server.host}"\nport = {port}\nuser = "{server.user}"\nfolder = "INBOX"\n'
               f'security = "{security}"\ncafile = "{server.cafile}"\n')
    if processed:
        section += f'processed_folder = "{processed}"\n'
    with (ws.root / "kpixl.toml").open("a", encoding="utf-8") as config:
        config.write(section)
    monkeypatch.setenv("KPIXL_IMAP_PASSWORD", server.password)


def imap(server: DovecotServer) -> imaplib.IMAP4_SSL:
    client = imaplib.IMAP4_SSL(server.host, server.tls_port,
                               ssl_context=ssl.create_default_context(cafile=str(server.cafile)))
    client.login(server.user, server.password)
    return client


def deliver(server: DovecotServer, *messages: bytes) -> None:
    client = imap(server)
    for message in messages:
        client.append("INBOX", "", imaplib.Time2Internaldate(1697794200), message)
    client.logout()


def flags(server: DovecotServer, folder: str = "INBOX") -> list[bytes]:
    client = imap(server)
    client.select(folder)
    _, data = client.uid("FETCH", "1:*", "(FLAGS)")
    client.logout()
    return [item for item in data if isinstance(item, bytes)]


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    return Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))


def test_messages_are_fetched_collected_and_marked_and_a_second_fetch_takes_nothing(
        made: Filled, ws: Workspace, mailbox: DovecotServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(ws, mailbox, monkeypatch)
    workbook = made.filled["libraries"]
    deliver(mailbox, eml([(workbook.name, workbook.read_bytes())], message_id="<q2@example.org>"),
            eml([("Return.pdf", b"%PDF-1.4\n")], sender="adult-skills.lead@example.org",
                message_id="<pdf@example.org>"))
    code, output = run_cli(ws, "fetch", "--drafts", str(tmp_path / "receipts"), "--json")
    assert code == 1, output  # the PDF is refused
    found = json.loads(output)
    assert [t["message_id"] for t in found["taken"]] == ["<q2@example.org>", "<pdf@example.org>"]
    assert {t["marked"] for t in found["taken"]} == {"flagged read"}
    assert sorted((r["file"], r["accepted"]) for r in found["returns"]) == [("Return.pdf", False),
                                                                            (workbook.name, True)]
    assert all(b"\\Seen" in f for f in flags(mailbox))
    with ws.open_store() as store:
        record = store.latest_accepted_by_service(Q2)["libraries"]
    assert (record.sender, record.message_id, record.attachment) == (LEAD, "<q2@example.org>", workbook.name)

    receipts = {str(m["In-Reply-To"]): m for m in (message_from_bytes(p.read_bytes(), policy=policy.default)
                                                   for p in (tmp_path / "receipts").glob("*.eml"))}
    pdf = receipts["<pdf@example.org>"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Return.pdf: not read as a return" in pdf and "a PDF document" in pdf
    assert "accepted" in receipts["<q2@example.org>"].get_body(("plain",)).get_content()  # type: ignore[union-attr]

    code, output = run_cli(ws, "fetch", "--no-receipts", "--json")
    assert code == 0, output
    again = json.loads(output)
    assert (again["taken"], again["returns"]) == ([], [])


def test_a_message_whose_flag_is_cleared_is_not_taken_twice(made: Filled, ws: Workspace, mailbox: DovecotServer,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    configure(ws, mailbox, monkeypatch)
    workbook = made.filled["libraries"]
    deliver(mailbox, eml([(workbook.name, workbook.read_bytes())]))
    assert run_cli(ws, "fetch", "--no-receipts")[0] == 0
    client = imap(mailbox)
    client.select("INBOX")
    client.uid("STORE", "1:*", "-FLAGS", r"(\Seen)")  # someone marks it unread again
    client.logout()
    code, output = run_cli(ws, "fetch", "--no-receipts", "--json")
    assert code == 0, output
    found = json.loads(output)
    assert found["returns"] == [] and len(found["taken_before"]) == 1
    with ws.open_store() as store:
        assert sum(1 for s in store.submissions() if s.source == "return") == 1


def test_taken_messages_move_to_the_processed_folder_over_starttls(made: Filled, ws: Workspace,
                                                                   mailbox: DovecotServer,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    configure(ws, mailbox, monkeypatch, security="starttls", processed="Processed")
    workbook = made.filled["libraries"]
    deliver(mailbox, eml([(workbook.name, workbook.read_bytes())]))
    code, output = run_cli(ws, "fetch", "--no-receipts", "--json")
    assert code == 0, output
    assert [t["marked"] for t in json.loads(output)["taken"]] == ["moved to Processed"]
    assert flags(mailbox) == [] and len(flags(mailbox, "Processed")) == 1
    assert json.loads(run_cli(ws, "fetch", "--no-receipts", "--json")[1])["taken"] == []


def test_a_plain_connection_when_asked_for(made: Filled, ws: Workspace, mailbox: DovecotServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    configure(ws, mailbox, monkeypatch, security="plain")
    code, output = run_cli(ws, "fetch", "--no-receipts")
    assert code == 0, output
    assert "0 new messages taken" in output


def test_a_wrong_password_or_one_in_the_file_is_refused(ws: Workspace, mailbox: DovecotServer,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    configure(ws, mailbox, monkeypatch)
    monkeypatch.setenv("KPIXL_IMAP_PASSWORD", "wrong")
    code, output = run_cli(ws, "fetch")
    assert code == 1 and "refused the login" in output and "Traceback" not in output
    monkeypatch.delenv("KPIXL_IMAP_PASSWORD")
    code, output = run_cli(ws, "fetch")
    assert code == 2 and "KPIXL_IMAP_PASSWORD" in output
    with (ws.root / "kpixl.toml").open("a", encoding="utf-8") as config:
        config.write('password = "secret"\n')
    code, output = run_cli(ws, "fetch")
    assert code == 2 and "holds a password: remove it" in output
