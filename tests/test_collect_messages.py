"""Returns straight from saved messages (issue 15; docs/mail.md): a folder of .eml files, and an Outlook .msg,
collect exactly as their attachments would, with each return's provenance (sender, Date, subject, Message-ID,
attachment name) stored and shown by `kpixl history show`; the message's Date is the time the return was sent,
"Return (1).xlsx" included; the message is archived and recorded, so `kpixl check` and `--rebuild` know it;
a return from someone who is not the lead or deputy raises a query naming them; a message over one of kpixl's
limits is one problem naming it."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from support.cli import run_cli
from support.intake import Filled, make_filled
from support.messages import HEADER_BOMBS, LEAD, eml, many_parts, msg, nested, save

from kpixl.mail.bounded_parser import CHANGED
from kpixl.mail.read import read_message
from kpixl.steps.collect import collect, collect_paths
from kpixl.steps.workspace import Workspace
from kpixl.untrusted.sniff import message_kind

Q2 = "2023-24-Q2"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("messages"))


@pytest.fixture
def ws(made: Filled, tmp_path: Path) -> Workspace:
    return Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "ws")))


def _store_rows(ws: Workspace) -> list[tuple[object, ...]]:
    with ws.open_store() as store:
        return sorted((s.figure.indicator, s.figure.period.slug, s.version, s.figure.value, s.figure.status.value,
                       s.figure.commentary, s.provenance.file_name) for s in store.figures())


def _lead(made: Filled, service: str) -> str:
    found = made.ctx.register.service(service)
    assert found is not None
    return found.lead_email


def test_a_folder_of_eml_files_collects_exactly_as_the_attachments_would(made: Filled, tmp_path: Path) -> None:
    by_files = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "files")))
    by_mail = Workspace.open(Path(shutil.copytree(made.ws.root, tmp_path / "mail")))
    folder, inbox = tmp_path / "returns", tmp_path / "inbox"
    for service, path in made.filled.items():
        save(folder, path.name, path.read_bytes())
        save(inbox, f"{service}.eml", eml([(path.name, path.read_bytes())], sender=_lead(made, service),
                                          message_id=f"<{service}@example.org>"))
    files = collect_paths(by_files, [folder])
    run = collect(by_mail, [inbox])
    assert [(r.file_name, r.accepted, r.service) for r in sorted(run.returns, key=lambda r: r.service)] == \
        [(r.file_name, r.accepted, r.service) for r in sorted(files, key=lambda r: r.service)]
    assert [r.report.flatten(("code", "cell")) for r in sorted(run.returns, key=lambda r: r.service)] == \
        [r.report.flatten(("code", "cell")) for r in sorted(files, key=lambda r: r.service)]
    assert _store_rows(by_mail) == _store_rows(by_files)
    assert len(run.messages) == len(made.filled) and all(m.accepted for m in run.messages)
    assert {r.sent_how for r in run.returns} == {"message date"}

    code, output = run_cli(by_mail, "history", "show", "37", "--json")
    assert code == 0, output
    [figure] = [f for f in json.loads(output)["figures"] if f["period"] == Q2]
    assert (figure["sender"], figure["subject"], figure["message_id"], figure["attachment"]) == (
        LEAD, "Q2 return", "<libraries@example.org>", made.filled["libraries"].name)
    assert figure["sent_at"] == "2023-10-20T09:30:00+00:00"
    code, output = run_cli(by_mail, "history", "show", "37")
    assert code == 0 and LEAD in output and "<libraries@example.org>" in output


def test_an_outlook_msg_collects_as_its_attachment_would(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    workbook = made.filled["libraries"]
    path = save(tmp_path / "in", "Q2 return.msg", msg([(workbook.name, workbook.read_bytes())],
                                                      message_id="<outlook-1@example.org>"))
    assert message_kind(path.read_bytes()) == "msg"
    run = collect(ws, [path])
    [result] = run.returns
    assert result.accepted and result.file_name == workbook.name and result.sent_how == "message date"
    assert result.sent_at == datetime(2023, 10, 20, 9, 30, tzinfo=UTC)
    with ws.open_store() as store:
        record = store.latest_submission_by_service(Q2)["libraries"]
        [kept] = [s for s in store.submissions(Q2) if s.source == "message"]
    assert (record.sender, record.message_id, record.attachment) == (LEAD, "<outlook-1@example.org>", workbook.name)
    assert (kept.file_name, kept.accepted, kept.message_id) == ("Q2 return.msg", True, "<outlook-1@example.org>")
    assert run.messages[0].archived is not None and run.messages[0].archived.name.endswith(".msg.bin")


def test_the_message_date_orders_return_1_before_return(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    """Return.xlsx sent on the 3rd, Return (1).xlsx on the 1st, in one go: the 3rd's figure is current."""
    from support.intake import set_cells

    inbox = tmp_path / "inbox"
    later = set_cells(made.copy("libraries", tmp_path / "a"), {"H3": 96326}).read_bytes()
    earlier = set_cells(made.copy("libraries", tmp_path / "b"), {"H3": 11111}).read_bytes()
    save(inbox, "a.eml", eml([("Return.xlsx", later)], date=datetime(2023, 10, 3, 9, 0, tzinfo=UTC),
                             message_id="<third@example.org>"))
    save(inbox, "b.eml", eml([("Return (1).xlsx", earlier)], date=datetime(2023, 10, 1, 9, 0, tzinfo=UTC),
                             message_id="<first@example.org>"))
    run = collect(ws, [inbox])
    assert [r.file_name for r in run.returns] == ["Return (1).xlsx", "Return.xlsx"]
    assert ws.current_figures(["36"])[("36", Q2)].value == Decimal(96326)
    twice = [p for r in run.returns for p in r.report if p.code == "RETURN_TWICE"]
    assert len(twice) == 1 and "The current one is Return.xlsx, sent 2023-10-03" in twice[0].message
    with ws.open_store() as store:
        versions = {s.figure.value: s.current for s in store.history("36") if s.figure.period.slug == Q2}
    assert versions == {Decimal(11111): False, Decimal(96326): True}


def test_a_return_from_someone_else_is_read_with_a_query_naming_the_sender(made: Filled, ws: Workspace,
                                                                          tmp_path: Path) -> None:
    workbook = made.filled["libraries"]
    path = save(tmp_path, "m.eml", eml([(workbook.name, workbook.read_bytes())], sender="someone@example.net"))
    [result] = collect_paths(ws, [path])
    assert result.accepted
    [query] = [p for p in result.report if p.code == "SENDER_UNKNOWN"]
    assert query.severity.value == "query" and "someone@example.net" in query.message


def test_the_deputy_may_send_the_return(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    register = ws.register_path.read_text(encoding="utf-8").replace(
        "    lead_email: libraries.lead@example.org\n",
        "    lead_email: libraries.lead@example.org\n    deputy_name: Deputy\n"
        "    deputy_email: Deputy.Libraries@example.org\n    cc: [manager@example.org]\n", 1)
    ws.register_path.write_text(register, encoding="utf-8")
    assert run_cli(ws, "register", "check")[0] == 0
    workbook = made.filled["libraries"]
    path = save(tmp_path, "m.eml", eml([(workbook.name, workbook.read_bytes())], sender="deputy.libraries@example.org"))
    [result] = collect_paths(ws, [path])
    assert result.accepted and "SENDER_UNKNOWN" not in [p.code for p in result.report]


def test_a_message_with_a_pdf_or_nothing_is_kept_and_says_so(ws: Workspace, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    save(inbox, "pdf.eml", eml([("Return.pdf", b"%PDF-1.4\n%fake\n")], message_id="<pdf@example.org>"))
    save(inbox, "note.eml", eml([], message_id="<note@example.org>"))
    run = collect(ws, [inbox])
    [pdf] = run.returns
    assert not pdf.accepted and pdf.report.flatten(("code",)) == [("FILE_NOT_WORKBOOK",)]
    note = next(m for m in run.messages if m.message_id == "<note@example.org>")
    assert note.accepted and note.report.flatten(("code",)) == [("MESSAGE_NO_ATTACHMENT",)]
    code, output = run_cli(ws, "check", "--json")
    assert code == 0, output
    assert json.loads(output)["messages"] == 2


def test_collecting_the_same_message_twice_changes_nothing_and_a_lost_store_is_rebuilt(
        made: Filled, ws: Workspace, tmp_path: Path) -> None:
    workbook = made.filled["libraries"]
    path = save(tmp_path, "m.eml", eml([(workbook.name, workbook.read_bytes())]))
    collect(ws, [path])
    before = _store_rows(ws)
    again = collect(ws, [path])
    assert again.messages[0].stored == "already recorded" and _store_rows(ws) == before
    (ws.root / "kpixl.sqlite").unlink()
    for leftover in ws.root.glob("kpixl.sqlite-*"):
        leftover.unlink()
    code, output = run_cli(ws, "check", "--rebuild")
    assert code == 0, output
    assert _store_rows(ws) == before
    with ws.open_store() as store:
        assert [s.file_name for s in store.submissions() if s.source == "message"] == ["m.eml"]


def test_collect_shows_the_messages_and_their_json(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    workbook = made.filled["libraries"]
    path = save(tmp_path, "m.eml", eml([(workbook.name, workbook.read_bytes())], subject="Q2 \x1b[2J return"))
    code, output = run_cli(ws, "collect", str(path))
    assert code == 0, output
    assert "Messages, in the order they were sent" in output and LEAD in output and "\x1b" not in output
    code, output = run_cli(ws, "validate", str(path), "--json")
    assert code == 0, output
    [message] = json.loads(output)["messages"]
    assert (message["sender"], message["returns"]) == (LEAD, [workbook.name])


# Hostile messages: each is one problem naming the message, read within the limits.

def test_the_parser_hooks_kpixl_relies_on_are_there() -> None:
    assert CHANGED == ""


@pytest.mark.parametrize(("data", "words"), [
    (nested(3000), "nested more than 8 deep"),  # the standard library alone: RecursionError
    (many_parts(10_000), "more than 200 parts"),  # alone: 2.5 s
    *[(raw, "header") for raw in HEADER_BOMBS.values()],  # alone: up to 116 s
], ids=["3,000 nested parts", "10,000 parts", *HEADER_BOMBS])
def test_a_message_over_a_limit_is_one_problem_naming_it(data: bytes, words: str) -> None:
    assert message_kind(data) == "eml"
    message, problems = read_message(data, "bomb.eml", "eml")
    assert message is None
    [found] = problems
    assert (found.code, found.file) == ("MESSAGE_REFUSED", "bomb.eml") and words in found.message


def test_a_refused_message_makes_collect_exit_1_and_is_kept(ws: Workspace, tmp_path: Path) -> None:
    path = save(tmp_path, "bomb.eml", nested(3000))
    code, output = run_cli(ws, "collect", str(path), "--json")
    assert code == 1
    [message] = json.loads(output)["messages"]
    assert message["problems"][0]["code"] == "MESSAGE_REFUSED" and message["archived"].endswith(".eml.bin")


def test_hostile_names_and_damaged_outlook_files_are_answered(made: Filled, tmp_path: Path) -> None:
    workbook = made.filled["libraries"].read_bytes()
    message, problems = read_message(eml([("..\\..\\C:\\evil\x1b.xlsx", workbook)]), "m.eml", "eml")
    assert message is not None and [a.name for a in message.attachments] == ["evil.xlsx"] and problems == []
    data = msg([("Return.xlsx", workbook)])
    damaged = data[:76] + b"\xfe\xff\xff\x7f" + data[80:]  # the first FAT sector far past the end
    message, problems = read_message(damaged, "m.msg", "msg")
    assert message is None and problems[0].code == "MESSAGE_REFUSED"
    message, problems = read_message(data[:2000], "m.msg", "msg")
    assert message is None and problems[0].code == "MESSAGE_REFUSED"


# Receipts: each sender is answered, threaded under their message, at most once.

def test_each_sender_gets_a_receipt_threaded_under_their_message(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    from email import message_from_bytes, policy

    from support.intake import set_cells

    inbox = tmp_path / "inbox"
    good = made.filled["adult-skills"].read_bytes()
    wrong = set_cells(made.copy("libraries", tmp_path / "w"), {"H3": "n/a"}).read_bytes()
    save(inbox, "good.eml", eml([("Return.xlsx", good)], sender=_lead(made, "adult-skills"),
                                message_id="<good@example.org>"))
    save(inbox, "wrong.eml", eml([("Libraries.xlsx", wrong)], message_id="<wrong@example.org>"))
    save(inbox, "pdf.eml", eml([("Return.pdf", b"%PDF-1.4\n")], message_id="<pdf@example.org>",
                               in_reply_to="<kpixl-sent@example.org>"))
    code, output = run_cli(ws, "collect", str(inbox), "--drafts", str(tmp_path / "drafts"), "--json")
    assert code == 1, output  # the refused returns
    receipts = json.loads(output)["receipts"]
    assert sorted((r["message"], r["status"]) for r in receipts) == [
        ("good.eml", "drafted"), ("pdf.eml", "drafted"), ("wrong.eml", "drafted")]
    drafts = {p.name: message_from_bytes(p.read_bytes(), policy=policy.default)
              for p in (tmp_path / "drafts").glob("*.eml")}
    by_reply = {str(m["In-Reply-To"]): m for m in drafts.values()}
    assert set(by_reply) == {"<good@example.org>", "<wrong@example.org>", "<pdf@example.org>"}
    assert "<kpixl-sent@example.org> <pdf@example.org>" == str(by_reply["<pdf@example.org>"]["References"])
    good_text = by_reply["<good@example.org>"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Return.xlsx (Adult Skills Service): accepted" in good_text and "figures stored" in good_text
    wrong_mail = by_reply["<wrong@example.org>"]
    assert "not accepted: 1 thing to correct" in wrong_mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert [a.get_filename() for a in wrong_mail.iter_attachments()] == ["Libraries-feedback.xlsx"]
    pdf_text = by_reply["<pdf@example.org>"].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Return.pdf: not read as a return" in pdf_text and "PDF" in pdf_text
    assert str(by_reply["<pdf@example.org>"]["Subject"]) == "Re: Q2 return"


def test_receipts_through_smtp_go_once(made: Filled, ws: Workspace, tmp_path: Path) -> None:
    from support.mail import smtp_server

    path = save(tmp_path, "m.eml", eml([("Return.xlsx", made.filled["libraries"].read_bytes())]))
    with smtp_server() as (server, port):
        for _ in range(2):
            code, output = run_cli(ws, "collect", str(path), "--smtp", f"127.0.0.1:{port}", "--no-starttls")
            assert code == 0, output
        assert server.to(LEAD) == 1
    assert "skipped" in output
