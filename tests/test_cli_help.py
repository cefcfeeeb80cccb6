"""Every command explains itself with an example, and every example works: each "Example: kpixl ..." line of
each command's --help is run as written, in the folder it is meant for, and does what it says.

Examples that make a workspace (init, demo) run in an empty folder; the demo's example makes the workspace
every other example runs in (a fresh copy each), as an officer would after `kpixl demo demo`. An example
exits 0 or 1, never 2 (a usage error: the example is wrong) and never with a traceback; EFFECTS says, per
command, what its example must have done, and a command without an entry there fails.
"""

from __future__ import annotations

import hashlib
import imaplib
import json
import shlex
import shutil
import ssl
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import require_tool
from typer.main import get_command
from typer.testing import CliRunner

from kpixl.cli import app

runner = CliRunner()
WIDE = {"COLUMNS": "250"}  # tables wide enough that a name is never broken across lines
Files = dict[str, tuple[int, str]]  # path in the folder -> (modification time, sha256)


def all_commands() -> list[list[str]]:
    root = get_command(app)
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, path + [name])
        else:
            found.append(path)

    walk(root, [])
    return found


def examples_of(path: list[str]) -> list[str]:
    """The command lines of the "Example:" lines of a command's --help (printed wide: none is wrapped)."""
    result = runner.invoke(app, [*path, "--help"], terminal_width=1000)
    assert result.exit_code == 0, result.output
    return [line.strip().removeprefix("Example: ") for line in result.output.splitlines()
            if line.strip().startswith("Example: kpixl ")]


COMMANDS = all_commands()
EXAMPLES = [(" ".join(path), example) for path in COMMANDS for example in examples_of(path)]
MAKES_A_WORKSPACE = {"init", "demo"}


def run(example: str) -> tuple[int, str]:
    """An example as an officer types it, in the current folder: its exit code and output."""
    result = runner.invoke(app, shlex.split(example)[1:], env=WIDE)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail(f"{example} ended in a traceback:\n{result.output}", pytrace=False)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def files(folder: Path) -> Files:
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def changed(folder: Path, before: Files) -> set[str]:
    """The files written (new or rewritten) since before."""
    return {name for name, state in files(folder).items() if before.get(name) != state}


def under(folder: Path, prefix: str) -> set[str]:
    return {name for name in files(folder) if name.startswith(prefix)}


# --- What each example does -------------------------------------------------------------------------------
# Each check gets the folder the example ran in, its output and the files there before it ran.


def _writes_nothing(folder: Path, before: Files) -> None:
    assert changed(folder, before) == set()


def _init(folder: Path, output: str, before: Files) -> None:
    assert {"demo/kpixl.toml", "demo/register.yaml", "demo/.kpixl/secret"} <= changed(folder, before)


def _demo(folder: Path, output: str, before: Files) -> None:
    assert "demo/reports/csmi_2023-24-Q2.docx" in changed(folder, before)


def _workbooks(folder: Path, output: str, before: Files) -> None:
    written = {n for n in changed(folder, before) if n.endswith(".xlsx")}
    assert written == {"workbooks/2023-24-Q2/cambridgeshire-county-council_libraries_2023-24-Q2.xlsx"}


def _send(folder: Path, output: str, before: Files) -> None:
    drafts = changed(folder, before) & under(folder, "drafts/")
    assert len([n for n in drafts if n.endswith(".eml")]) == 7  # one per lead of the seed example
    assert "drafts/libraries-lead-example-org_2023-24-Q2.eml" in drafts


def _validate(folder: Path, output: str, before: Files) -> None:
    assert changed(folder, before) <= under(folder, "feedback/")  # neither the store nor the archive
    assert "libraries" in output


def _collect(folder: Path, output: str, before: Files) -> None:
    # The demo collected these returns already: collecting them again archives and stores nothing new.
    assert changed(folder, before) <= under(folder, "feedback/")
    assert "libraries" in output


def _status(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "Library Service" in output


def _check(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert json.loads(output)["problems"] == []


def _indicators(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "380,018" in output  # indicator 37's figure for the quarter


def _export(folder: Path, output: str, before: Files) -> None:
    assert changed(folder, before) == {"figures.xlsx"}
    assert zipfile.is_zipfile(folder / "figures.xlsx")


def _report(folder: Path, output: str, before: Files) -> None:
    # The store logs the build (report-built): a draft, as nothing is signed off after the demo.
    assert changed(folder, before) == {"reports/csmi_2023-24-Q2.docx", "reports/csmi_2023-24-Q2.pdf",
                                       "kpixl.sqlite"}
    assert "a draft" in output


def _log(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "query-raised" in output and "return-accepted" in output


def _decided(folder: Path, before: Files) -> None:
    """A decision: one event in the store, and one entry in the journal that rebuilds it (docs/store.md)."""
    written = changed(folder, before)
    journal = under(folder, ".kpixl/decisions/")
    assert written - journal == {"kpixl.sqlite"} and len(written & journal) == 1


def _review(folder: Path, output: str, before: Files) -> None:
    if output.startswith(("Q4 accepted.", "Q5 rejected.")):  # a decision: one event
        _decided(folder, before)
    else:  # the list: the demo's eight queries, all open
        _writes_nothing(folder, before)
        assert all(f"Q{n} " in output for n in range(1, 9)) and "open" in output


def _annotate(folder: Path, output: str, before: Files) -> None:
    _decided(folder, before)
    assert "waiting for approval" in output


def _approve(folder: Path, output: str, before: Files) -> None:
    if "Signed off" in output:
        _decided(folder, before)
    else:  # the paper cannot be approved before the services are signed off and the queries accepted
        _writes_nothing(folder, before)
        assert "cannot be final yet" in output and "not signed off" in output


def _reopen(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)  # nothing is signed off after the demo
    assert "not signed off" in output


def _register_template(folder: Path, output: str, before: Files) -> None:
    assert changed(folder, before) == {"register.xlsx"}
    with zipfile.ZipFile(folder / "register.xlsx") as book:
        assert "xl/workbook.xml" in book.namelist()


def _register_check(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "register.xlsx" in output


def _register_export(folder: Path, output: str, before: Files) -> None:
    assert changed(folder, before) == {"register.xlsx"}


def _history_show(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "380,018" in output


def _history_import(folder: Path, output: str, before: Files) -> None:
    written = changed(folder, before)
    kept = under(folder, "archive/") | under(folder, ".kpixl/received/") | {"kpixl.sqlite"}  # a receipt too
    assert "kpixl.sqlite" in written and written <= kept
    assert "figures.csv" in output


def _comparators_import(folder: Path, output: str, before: Files) -> None:
    written = changed(folder, before)
    assert "kpixl.sqlite" in written and written <= under(folder, "archive/") | {"kpixl.sqlite"}
    assert "comparators-synthetic.csv: 11 published values stored" in output


def _comparators_show(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "No published values are stored" in output  # the demo imports none: the seed prints none


def _remind(folder: Path, output: str, before: Files) -> None:
    _writes_nothing(folder, before)
    assert "would send" in output and "adult-skills.lead@example.org" in output  # the seed's open questions


def _fetch(folder: Path, output: str, before: Files) -> None:
    written = changed(folder, before)
    assert "kpixl.sqlite" in written and len(under(folder, "receipts/")) == 1
    assert "1 new message taken" in output


def _register_roll(folder: Path, output: str, before: Files) -> None:
    assert changed(folder, before) == {"register-2024-25.yaml"}
    assert "2024-25-Q2" in (folder / "register-2024-25.yaml").read_text(encoding="utf-8")


EFFECTS: dict[str, Callable[[Path, str, Files], None]] = {
    "init": _init, "demo": _demo, "workbooks": _workbooks, "send": _send, "validate": _validate,
    "collect": _collect, "status": _status, "check": _check, "indicators": _indicators, "export": _export,
    "report": _report, "register template": _register_template, "register check": _register_check,
    "register export": _register_export, "history show": _history_show, "history import": _history_import,
    "comparators import": _comparators_import, "comparators show": _comparators_show,
    "register roll": _register_roll, "remind": _remind, "fetch": _fetch, "log": _log, "review": _review,
    "annotate": _annotate, "approve": _approve, "reopen": _reopen,
}
# Run first, in the same folder: checking register.xlsx needs one, as an officer would have exported it.
BEFORE = {"register check": "kpixl register export register.xlsx"}


def _mailbox(folder: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """kpixl fetch's example reads a real mailbox: a Dovecot user holding a lead's reply with their return."""
    from support.messages import eml

    server = request.getfixturevalue("dovecot").add_user()
    with (folder / "kpixl.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[imap]\nhost = "{server.host}"\nport = {server.tls_port}\nuser = "{server.user}"\n'
                     f'cafile = "{server.cafile}"\n')
    monkeypatch.setenv("KPIXL_IMAP_PASSWORD", server.password)
    workbook = next((folder / "returns").rglob("*libraries*.xlsx"))
    client = imaplib.IMAP4_SSL(server.host, server.tls_port,
                               ssl_context=ssl.create_default_context(cafile=str(server.cafile)))
    client.login(server.user, server.password)
    client.append("INBOX", "", imaplib.Time2Internaldate(1697794200),
                  eml([(workbook.name, workbook.read_bytes())], message_id="<help-example@example.org>"))
    client.logout()


# Set up, in the example's folder, what the example needs beyond the workspace.
SETUP: dict[str, Callable[[Path, pytest.FixtureRequest, pytest.MonkeyPatch], None]] = {"fetch": _mailbox}


@pytest.fixture(scope="module")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    from support.dovecot import dovecot_server

    require_tool("dovecot")
    with dovecot_server(tmp_path_factory.mktemp("dovecot"), extra_users=2) as server:
        yield server


# --- The tests ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example_of_itself(path: list[str]) -> None:
    command = " ".join(path)
    assert any(e.startswith(f"kpixl {command} ") or e == f"kpixl {command}" for e in examples_of(path)), \
        f"kpixl {command} --help has no 'Example: kpixl {command} ...' line"
    assert command in EFFECTS, f"say in EFFECTS what the example of kpixl {command} does"


@pytest.fixture(scope="module")
def after_the_demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """The demo's own example, run in an empty folder: its workspace is where the other examples run."""
    [example] = [e for command, e in EXAMPLES if command == "demo"]
    folder = tmp_path_factory.mktemp("examples")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(folder)
        code, output = run(example)
    assert code == 0, output
    return folder, code, output


@pytest.mark.parametrize(("command", "example"), EXAMPLES, ids=[e for _, e in EXAMPLES])
def test_every_example_runs_and_does_what_it_says(command: str, example: str,
                                                  after_the_demo: tuple[Path, int, str], tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  request: pytest.FixtureRequest) -> None:
    demo_folder, demo_code, demo_output = after_the_demo
    if command == "demo":  # the fixture ran it, in an empty folder
        folder, code, output, before = demo_folder, demo_code, demo_output, {}
    else:
        if "--pdf" in example:
            require_tool("soffice")
        folder = tmp_path / "here"
        if command in MAKES_A_WORKSPACE:
            folder.mkdir()
        else:
            shutil.copytree(demo_folder / "demo", folder)
        monkeypatch.chdir(folder)
        if command in BEFORE:
            assert run(BEFORE[command])[0] == 0
        if command in SETUP:
            SETUP[command](folder, request, monkeypatch)
        before = files(folder)
        code, output = run(example)
    assert code in (0, 1), f"{example} exited {code} (2 is a usage error: the example is wrong):\n{output}"
    EFFECTS[command](folder, output, before)


def test_top_level_help_names_the_first_step() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "kpixl demo demo" in said and "kpixl init demo --example cambridgeshire" in said


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["indicators", "--no-such-option"]).exit_code == 2


def test_version_prints_kpixls_version() -> None:
    """Issue 13: there was no kpixl --version."""
    from importlib.metadata import version

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"kpixl {version('kpixl')}\n"
