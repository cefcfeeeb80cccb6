"""kpixl report: thin over kpixl.report, with the exit codes every command keeps (0 done, 1 failed, 2 usage)."""

from __future__ import annotations

from typer.testing import CliRunner

from kpixl.cli import app
from kpixl.report import pdf as pdf_module

runner = CliRunner()


def run(ws, *args: str):
    return runner.invoke(app, ["report", *args, "--workspace", str(ws.root)])


def test_writes_the_report_where_the_workspace_keeps_them(example_ws):
    result = run(example_ws, "2023-24-Q2", "--committee", "csmi")
    assert result.exit_code == 0, result.output
    assert (example_ws.root / "reports" / "csmi_2023-24-Q2.docx").is_file()
    assert "19 indicators (6 Red, 3 Amber, 1 Green, 1 Blue, 7 Contextual, 1 In Development)" in result.output


def test_period_and_committee_default_from_the_workspace(example_ws, tmp_path):
    result = run(example_ws, "--out", str(tmp_path / "paper.docx"), "--produced-on", "2024-01-05")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "paper.docx").is_file()


def test_unknown_committee_is_a_usage_error(example_ws):
    result = run(example_ws, "--committee", "planning")
    assert result.exit_code == 2
    assert "No committee 'planning' in the register. Committees: csmi" in result.output


def test_bad_date_and_bad_period_are_usage_errors(example_ws):
    assert run(example_ws, "--produced-on", "12/12/2023").exit_code == 2
    assert run(example_ws, "2023-Q9").exit_code == 2


def test_pdf_without_libreoffice_fails_with_the_fix(example_ws, monkeypatch):
    monkeypatch.setattr(pdf_module, "find_soffice", lambda: None)
    result = run(example_ws, "--pdf")
    assert result.exit_code == 1
    assert "apt-get install libreoffice-writer" in result.output
    assert (example_ws.root / "reports" / "csmi_2023-24-Q2.docx").is_file()  # the Word report is still there


def test_a_bad_produced_on_in_kpixl_toml_names_its_section(example_ws):
    config = example_ws.root / "kpixl.toml"
    config.write_text(config.read_text().replace('produced_on = "2023-12-12"', 'produced_on = "12/12/2023"'))
    result = run(example_ws)
    assert result.exit_code == 2
    assert "[report] produced_on = '12/12/2023' is not a date" in result.output


def test_committee_all_writes_every_committees_report(example_ws):
    result = run(example_ws, "2023-24-Q2", "--committee", "all", "--produced-on", "2023-12-12")
    assert result.exit_code == 0, result.output
    assert (example_ws.root / "reports" / "csmi_2023-24-Q2.docx").is_file()
    assert "19 indicators (6 Red" in result.output


def test_committee_all_refuses_one_out_file(example_ws, tmp_path):
    result = run(example_ws, "--committee", "all", "--out", str(tmp_path / "x.docx"))
    assert result.exit_code == 2
    assert "--out names one file" in result.output
