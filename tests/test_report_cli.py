"""kpixl report: thin over kpixl.report, with the exit codes every command keeps (0 done, 1 failed, 2 usage)."""

from __future__ import annotations

import zipfile

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
    assert "Warning" not in result.output  # every figure is in


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


def test_a_report_built_before_every_return_is_in_says_so(tmp_path):
    """Issue 13: with services missing, the report was written with '6 Not rated' and no word. It is still
    written (exit 0: a report may go out incomplete), with a warning naming the services and indicators
    missing, and its cover says which figures are not yet received."""
    from support.intake import make_filled

    from kpixl.steps.collect import collect_paths
    from kpixl.steps.report import prepare_report

    filled = make_filled(tmp_path)  # the example without this quarter's figures, its workbooks filled in
    for service in ("libraries", "adult-skills", "communities", "domestic-abuse", "registration",
                    "trading-standards"):  # every return but the Coroner Service's
        assert collect_paths(filled.ws, [filled.filled[service]])[0].accepted
    result = run(filled.ws, "2023-24-Q2", "--committee", "csmi")
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert ("Warning: The Communities, Social Mobility and Inclusion Committee report for 2023/24 Q2 is "
            "incomplete: no figure yet for 5 indicators of 19, from Coroner Service (175, 176, 177, 178, 179).") \
        in said
    cover = prepare_report(filled.ws, "2023-24-Q2", "csmi").model.cover
    assert cover.notice == ("Not yet received: the figures of 5 indicators of 19, from Coroner Service (175, 176, "
                            "177, 178, 179). Their pages say so.")
    with zipfile.ZipFile(filled.ws.path("reports") / "csmi_2023-24-Q2.docx") as docx:  # on the cover itself
        assert cover.notice in docx.read("word/document.xml").decode()
    html = run(filled.ws, "2023-24-Q2", "--committee", "csmi", "--html")  # and on the HTML edition's
    assert html.exit_code == 0 and cover.notice in (filled.ws.path("reports") / "csmi_2023-24-Q2.html").read_text(
        encoding="utf-8")
