"""kpixl status: per service, workbook generated and sent, return received and accepted, what is left."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.domain import Figure, FigureStatus, parse_period
from kpixl.domain.figures import Provenance, ReceivedFigure, Submission
from kpixl.problems import Problem, Severity
from kpixl.steps.create import init_workspace
from kpixl.steps.manifests import record_sent, write_manifest
from kpixl.steps.status import service_status
from kpixl.steps.workspace import Workspace

runner = CliRunner()
Q2 = "2023-24-Q2"
SERVICES = ["libraries", "adult-skills", "communities", "coroner", "domestic-abuse", "registration",
            "trading-standards"]


def status_json(ws: Workspace, *args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["status", *args, "--json", "--workspace", str(ws.root)])
    return result.exit_code, json.loads(result.output)


def july_return(ws: Workspace, file_hash: str = "ts-1", accepted: bool = True,
                problems: tuple[Problem, ...] = ()) -> None:
    """Trading Standards sends 221's July figure: the one figure the example lacks."""
    figure = Figure("221", parse_period("2023-07"), Decimal(301), commentary="July as reported")
    with ws.open_store() as store:
        store.record(Submission(file_hash, "trading-standards.xlsx", datetime(2023, 10, 20, tzinfo=UTC),
                                "trading-standards", Q2, accepted),
                     [ReceivedFigure(figure, Provenance(file_hash, "trading-standards.xlsx", "Return", "H3"))],
                     list(problems))


def test_the_example_lacks_only_julys_figure_for_221(example_ws: Workspace) -> None:
    code, data = status_json(example_ws, Q2)
    assert code == 1 and data["complete"] is False
    assert [s["service"] for s in data["services"]] == SERVICES
    incomplete = [s for s in data["services"] if not s["complete"]]
    assert [(s["service"], s["missing"]) for s in incomplete] == [
        ("trading-standards", [{"indicator": "221", "period": "2023-07"}])]
    assert incomplete[0]["lead_email"] == "trading-standards.lead@example.org"
    assert data["committees"] == [{"committee": "csmi", "name": "Communities, Social Mobility and Inclusion Committee",
                                   "missing": [{"indicator": "221", "period": "2023-07"}]}]
    assert data["totals"] == {"services": 7, "generated": 0, "sent": 0, "received": 0, "accepted": 0,
                              "complete": 6, "problems": 0, "missing": 1, "signed_off": 0, "queries_waiting": 0}


def test_every_service_complete_exits_0(example_ws: Workspace) -> None:
    july_return(example_ws)
    code, data = status_json(example_ws)  # the [cycle] period by default
    assert code == 0 and data["complete"] is True and data["period"] == Q2
    ts = data["services"][-1]
    assert (ts["received"], ts["accepted"], ts["latest_file"], ts["problems"]) == (
        True, True, "trading-standards.xlsx", [])


def test_a_refused_return_leaves_its_errors_outstanding(example_ws: Workspace) -> None:
    july_return(example_ws)
    error = Problem("RET_NOT_A_NUMBER", Severity.ERROR, "'n/a' is not a number.", "Enter the figure.",
                    "trading-standards-v2.xlsx", "Return", "H4", "221")
    july_return(example_ws, "ts-2", accepted=False, problems=(error, Problem("W", Severity.WARNING, "note")))
    code, data = status_json(example_ws, Q2)
    assert code == 1
    ts = data["services"][-1]
    assert (ts["received"], ts["accepted"], ts["complete"]) == (True, False, False)
    assert [(p["code"], p["cell"]) for p in ts["problems"]] == [("RET_NOT_A_NUMBER", "H4")]
    result = runner.invoke(app, ["status", Q2, "--workspace", str(example_ws.root)])
    assert "Chase Trading Standards" in result.output and "1 error to correct" in result.output
    assert "To correct: Trading Standards" in result.output  # then the problems table


def test_generated_and_sent_come_from_the_workbooks_folder(example_ws: Workspace) -> None:
    folder = example_ws.path("workbooks") / Q2
    folder.mkdir(parents=True)
    write_manifest(folder, "Cambridgeshire County Council", Q2,
                   {s: {"file": f"{s}.xlsx", "sha256": "0" * 64} for s in ("libraries", "coroner")})
    record_sent(folder, Q2, {"libraries": {"to": "libraries.lead@example.org"}})
    report = service_status(example_ws, parse_period(Q2))  # type: ignore[arg-type]
    flags = {s.service.id: (s.generated, s.sent) for s in report.services}
    assert flags["libraries"] == (True, True)
    assert flags["coroner"] == (True, False)
    assert flags["registration"] == (False, False)


def test_a_workspace_waiting_for_every_return(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", "cambridgeshire", include_current=False)
    code, data = status_json(ws, Q2)
    assert code == 1
    assert data["totals"]["complete"] == 0
    assert data["totals"]["missing"] == 21  # 18 quarterly indicators and 221's three months
    libraries = data["services"][0]
    assert [m["indicator"] for m in libraries["missing"]] == ["36", "37", "38"]


def test_another_quarter_names_its_own_periods(example_ws: Workspace) -> None:
    code, data = status_json(example_ws, "2023-24-Q3")
    assert code == 1
    assert {"indicator": "221", "period": "2023-12"} in data["services"][-1]["missing"]


def test_not_available_with_a_reason_is_an_answer(example_ws: Workspace) -> None:
    figure = Figure("221", parse_period("2023-07"), None, FigureStatus.NOT_AVAILABLE, "Data delayed", "New system")
    with example_ws.open_store() as store:
        store.record(Submission("na", "ts.xlsx", datetime(2023, 10, 20, tzinfo=UTC), "trading-standards", Q2, True),
                     [ReceivedFigure(figure, Provenance("na", "ts.xlsx"))])
    assert status_json(example_ws, Q2)[0] == 0


def test_a_bad_period_is_a_usage_error(example_ws: Workspace) -> None:
    result = runner.invoke(app, ["status", "Q6", "--workspace", str(example_ws.root)])
    assert result.exit_code == 2 and "is not a period" in result.output


def test_status_shows_the_mail_loop_and_the_on_time_rate(tmp_path: Path) -> None:
    """Per service: reminded (when, stage), received (when, from whom), on time or late against the soft and
    hard deadlines; and the council's on-time rate (issue 15)."""
    ws = init_workspace(tmp_path / "ws", "cambridgeshire", include_current=False)
    config = ws.root / "kpixl.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'deadline = "2023-10-27"', 'deadline = "2023-10-27"\nhard_deadline = "2023-11-03"'), encoding="utf-8")
    ws = Workspace.open(ws.root)
    sent = {"libraries": datetime(2023, 10, 27, 22, 30, tzinfo=UTC),  # 23:30 BST on the day: on time
            "coroner": datetime(2023, 10, 30, 9, 0, tzinfo=UTC),  # late, before the hard deadline
            "communities": datetime(2023, 11, 6, 9, 0, tzinfo=UTC)}  # after the hard deadline
    with ws.open_store() as store:
        for service, moment in sent.items():
            store.record(Submission(f"h-{service}", f"{service}.xlsx", moment, service, Q2, True, sent_at=moment,
                                    sender=f"{service}.lead@example.org"), [])
        store.add_event("mail-sent", period=Q2, service="adult-skills", ref=f"{Q2}:adult-skills:overdue")
    report = service_status(ws, ws.period_or_default(Q2), today=datetime(2023, 11, 10).date())
    by = {s.service.id: s for s in report.services}
    assert (by["libraries"].timeliness, by["coroner"].timeliness, by["communities"].timeliness) == (
        "on_time", "late", "after_hard_deadline")
    assert by["adult-skills"].timeliness == "overdue_past_hard_deadline"
    assert by["adult-skills"].reminded is not None and by["adult-skills"].reminded[1] == "overdue"
    assert report.on_time_rate == 1 / 7
    code, data = status_json(ws, Q2)
    assert code == 1  # services still outstanding
    libraries = next(s for s in data["services"] if s["service"] == "libraries")
    assert libraries["received_from"] == "libraries.lead@example.org" and libraries["timeliness"] == "on_time"
    assert data["hard_deadline"] == "2023-11-03" and data["on_time_rate"] is not None
    result = runner.invoke(app, ["status", Q2, "--workspace", str(ws.root)], env={"COLUMNS": "250"})
    assert "On-time rate:" in result.output and "from libraries.lead@example.org" in result.output
    assert "overdue)" in result.output  # adult-skills' reminder stage
