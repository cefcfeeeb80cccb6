"""Issue 17 in the report (docs/report.md, "Summary and exceptions"; docs/insight.md): the section that opens
each report (the ratings by change in performance, every Red and declining Amber indicator with its actions,
owner, due date and the director's comment, the count forecast to meet their annual target), and on each
page the council's published figure against its group's mean and England's with its rank and quartile, the
group's mean on the chart, and the year-end forecast, in the Word report and the HTML edition alike.

Comparator values are SYNTHETIC (tests/support/insight.py, the example's comparators-synthetic.csv); the seed
example itself imports none, and its pages show no rank."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from support.insight import TIDY_CSV, write
from support.report import NS, Docx, paragraph_text, synthetic_committee

from kpixl.domain import Quarter, Rag
from kpixl.errors import ConfigError
from kpixl.register import load_register
from kpixl.report.charts import GROUP_COLOUR, chart_xml
from kpixl.report.html import html_page
from kpixl.report.model import ReportModel, build_model
from kpixl.report.summary import NO_COMMENT, NOT_GIVEN
from kpixl.report.svg import chart_svg
from kpixl.steps.comparators import import_comparators
from kpixl.steps.report import build_report, prepare_report
from kpixl.steps.workspace import Workspace, load_config

DAY = date(2023, 12, 12)
Q2 = Quarter(2023, 2)
EXCEPTIONS = ["36", "37", "38", "136", "137", "138", "222"]  # the seed's six Red, and 138: Amber and declining
COMMENT = """
[director_comments."2023-24-Q2"]
"222" = "Inspections resume in full from January; the director expects compliance to recover by Q4."
"""


def _model(ws: Workspace) -> ReportModel:
    return prepare_report(ws, "2023-24-Q2", "csmi", DAY).model


def _with_comment(ws: Workspace) -> Workspace:
    (ws.root / "kpixl.toml").write_text((ws.root / "kpixl.toml").read_text(encoding="utf-8") + COMMENT,
                                        encoding="utf-8")
    return Workspace.open(ws.root)


# --- The section's content (model) ------------------------------------------------------------------------

def test_the_ratings_are_counted_by_their_change_in_performance(example_ws: Workspace) -> None:
    summary = _model(example_ws).summary_section
    assert summary is not None and summary.overview == (
        "19 indicators: 6 Red, 3 Amber, 1 Green, 1 Blue, 7 Contextual, 1 In Development.")
    rows = {row.rag: row.counts for row in summary.travel}
    # (improving, unchanged, declining, no comparison): 37 and 38 improve; 136, 137, 222 decline; 36 has none
    assert rows[Rag.RED] == (2, 0, 3, 1) and rows[Rag.AMBER] == (1, 1, 1, 0)
    assert sum(row.total for row in summary.travel) == 19
    assert Rag.NOT_RATED not in rows  # only when some indicator is not rated


def test_every_red_and_declining_amber_indicator_is_an_exception_with_its_actions(example_ws: Workspace) -> None:
    summary = _model(_with_comment(example_ws)).summary_section
    assert summary is not None
    assert [row.number for row in summary.exceptions] == EXCEPTIONS  # the register's order
    rows = {row.number: row for row in summary.exceptions}
    assert (rows["138"].rag, rows["138"].why, rows["138"].change) == (Rag.AMBER, "Amber and declining", "Declining")
    assert rows["36"].change == "No comparison"  # its previous figure was lost in the seed's extraction
    assert rows["37"].figure == "380,018 against a target of 475,381"
    assert rows["136"].figure == "608 (provisional) against a target of 1,128"
    assert rows["37"].actions[0].startswith("Q3 will see a slight shift in focus")
    assert rows["136"].actions == ("No actions were reported.",)
    # The seed names nobody: no owner or date is invented, and the section says so.
    assert all((r.owner, r.due) == (NOT_GIVEN, NOT_GIVEN) for r in summary.exceptions)
    assert rows["222"].comment.startswith("Inspections resume in full") and rows["37"].comment == NO_COMMENT
    assert summary.attention == ("7 indicators need attention (6 Red indicators and 1 Amber indicator "
                                 "declining): what is being done, who owns it and by when. 7 of them have no "
                                 "owner or due date for the actions yet.")


def test_an_exception_shows_the_owner_and_due_date_its_lead_gave(example_ws: Workspace) -> None:
    figures = example_ws.current_figures()
    register = load_register(example_ws.register_path).register
    key = ("37", "2023-24-Q2")
    figures[key] = replace(figures[key], action_owner="Head of Libraries", action_due=date(2024, 1, 31))
    model = build_model(register, register.committees[0], Q2, figures, council="C", team="T", produced_on=DAY)
    assert model.summary_section is not None
    row = next(r for r in model.summary_section.exceptions if r.number == "37")
    assert (row.owner, row.due) == ("Head of Libraries", "31 January 2024")
    assert "6 of them have no owner or due date" in model.summary_section.attention


def test_the_count_forecast_to_meet_target_says_it_is_a_forecast(example_ws: Workspace) -> None:
    model = _model(example_ws)
    summary = model.summary_section
    assert summary is not None and summary.forecast.startswith("Year-end forecast: ")
    assert "they are not actual figures" in summary.forecast
    forecasts = [p for p in model.pages if p.forecast]
    assert forecasts and all(p.forecast.startswith("Forecast year-end: ") for p in forecasts)
    assert all(p.forecast_rating.startswith("Forecast rating") for p in forecasts)
    # Never mixed with actual figures: no forecast in a headline table, on a chart, or in the index.
    for page in model.pages:
        assert not any("orecast" in cell for cell in (*page.headers, *page.cells))
        assert page.trend is None or "orecast" not in page.trend.summary


def test_a_model_without_issue_17s_inputs_has_a_summary_but_no_forecast_line() -> None:
    register, figures, quarter = synthetic_committee(12, 4)
    model = build_model(register, register.committees[0], quarter, figures, council="Synthetic", team="T",
                        produced_on=DAY)
    assert model.summary_section is not None and model.summary_section.forecast == ""
    assert all(p.forecast == p.benchmark_line == "" for p in model.pages)


# --- Where the section goes, in the Word report and the HTML edition --------------------------------------

@pytest.fixture(scope="module")
def seed_docx(tmp_path_factory: pytest.TempPathFactory) -> Docx:
    from kpixl.steps.create import init_workspace

    ws = _with_comment(init_workspace(tmp_path_factory.mktemp("summary") / "ws", "cambridgeshire"))
    return Docx(build_report(ws, "2023-24-Q2", "csmi", produced_on=DAY))


def test_the_word_report_opens_with_the_section_after_its_cover(seed_docx: Docx) -> None:
    doc = seed_docx
    headings = [paragraph_text(p) for p in doc.paragraphs() if doc.style_of(p) == "Heading1"]
    # A draft (nothing is signed off): what is outstanding comes first after the cover (docs/review.md)
    assert headings[:4] == ["Draft: what is outstanding", "Summary and exceptions", "Key", "Index"]
    seconds = [paragraph_text(p) for p in doc.paragraphs() if doc.style_of(p) == "Heading2"][:3]
    assert seconds == ["Ratings and change in performance", "Exceptions", "Year-end forecast"]


def test_the_exceptions_table_links_each_row_to_its_page(seed_docx: Docx) -> None:
    doc = seed_docx.document
    table = next(t for t in doc.xpath("//w:tbl", namespaces=NS)
                 if t.xpath("w:tblPr/w:tblCaption/@w:val", namespaces=NS)[0].startswith("Exceptions"))
    rows = table.xpath("w:tr", namespaces=NS)
    assert [paragraph_text(p) for p in rows[0].xpath(".//w:p", namespaces=NS)] == [
        "Indicator", "Rating", "Actions", "Owner", "Due by", "Director's comment"]
    assert rows[0].xpath("w:trPr/w:tblHeader", namespaces=NS) and len(rows) == 1 + len(EXCEPTIONS)
    anchors = [r.xpath(".//w:hyperlink/@w:anchor", namespaces=NS)[0] for r in rows[1:]]
    assert anchors == [f"kpi_{n}" for n in EXCEPTIONS]
    # A row holding paragraphs of actions may break across pages; the header row repeats and stays whole.
    assert not rows[1].xpath("w:trPr/w:cantSplit", namespaces=NS) and rows[0].xpath("w:trPr/w:cantSplit",
                                                                                   namespaces=NS)
    last = [paragraph_text(p) for p in rows[-1].xpath("w:tc", namespaces=NS)[-1].xpath(".//w:p", namespaces=NS)]
    assert last == ["Inspections resume in full from January; the director expects compliance to recover by Q4."]


def test_the_html_edition_has_the_same_section_in_the_same_place(example_ws: Workspace) -> None:
    text = html_page(_model(_with_comment(example_ws)))
    order = [m.group(1) for m in re.finditer(r"<h2[^>]*>([^<]*)</h2>", text)][:4]
    assert order == ["Draft: what is outstanding", "Summary and exceptions", "Key", "Index"]
    assert '<a href="#kpi_222">222: Percentage of business brought into compliance' in text
    assert "Inspections resume in full from January" in text and "<th scope=\"col\">Director&#x27;s comment</th>" in text


# --- Comparators on the pages: only where they were imported ----------------------------------------------

def test_the_seed_example_keeps_its_own_means_and_gets_no_rank(example_ws: Workspace) -> None:
    model = _model(example_ws)  # its kpixl.toml has a (synthetic) group, but no comparators are imported
    assert all(p.benchmark_line == "" and p.benchmark_values == () for p in model.pages)
    assert all(row.quartile == "" for row in model.index)
    assert all(p.trend is None or not p.trend.has_group for p in model.pages)


def test_imported_comparators_rank_the_council_on_its_page_and_in_the_index(example_ws: Workspace,
                                                                            tmp_path: Path) -> None:
    assert import_comparators(example_ws, example_ws.root / "comparators-synthetic.csv",
                              source="Synthetic example data").report.valid
    docx = Docx(build_report(example_ws, "2023-24-Q2", "csmi", produced_on=DAY, out=tmp_path / "r.docx"))
    texts = docx.texts()
    assert "Rank: 3rd of 5 synthetic neighbours, third quartile (2022/23; source: Synthetic example data)." in texts
    at = texts.index("Cambridgeshire, 2022/23")  # the council's published figure, then the group's and England's
    assert texts[at:at + 6] == ["Cambridgeshire, 2022/23", "Synthetic neighbours mean, 2022/23", "England, 2022/23",
                                "1,480,000", "1,587,500", "1,300,000"]
    index = next(t for t in docx.document.xpath("//w:tbl", namespaces=NS)
                 if t.xpath("w:tblPr/w:tblCaption/@w:val", namespaces=NS)[0].startswith("Index of indicators"))
    header = [paragraph_text(p) for p in index.xpath("w:tr[1]//w:p", namespaces=NS)]
    assert header[-1] == "Quartile"
    row37 = [paragraph_text(p) for p in index.xpath("w:tr[3]//w:p", namespaces=NS)]
    assert row37[0] == "37" and row37[-1] == "third quartile"
    assert [paragraph_text(p) for p in index.xpath("w:tr[2]//w:p", namespaces=NS)][-1] == "Not ranked"


def test_a_group_mean_published_for_a_charted_period_is_marked_on_the_chart(example_ws: Workspace) -> None:
    # SYNTHETIC quarterly values for 220: Q1 is on its chart; 37's yearly values are not (a year's mean
    # beside a quarter's figure would mislead).
    assert import_comparators(example_ws, write(example_ws.root, "tidy.csv", TIDY_CSV)).report.valid
    model = _model(example_ws)
    page = next(p for p in model.pages if p.number == "220")
    assert page.benchmark == "2nd of 4 synthetic neighbours, second quartile"
    trend = page.trend
    assert trend is not None and trend.has_group and trend.group_name == "Synthetic neighbours mean"
    marked = [(p.label, round(float(p.group), 6)) for p in trend.points if p.group is not None]
    assert marked == [("2023/24 Q1", 0.538333)]  # the mean of 61%, 48% and 52.5%, at its quarter only
    assert "synthetic neighbours mean 54% in 2023/24 Q1" in trend.alt_text
    assert trend.axis.minimum <= min(p.group for p in trend.points if p.group is not None) <= trend.axis.maximum
    chart = chart_xml(trend).decode()
    assert chart.count("<c:ser>") == 3 and "Synthetic neighbours mean" in chart and GROUP_COLOUR in chart
    assert '<c:symbol val="diamond"/>' in chart
    svg = chart_svg(trend, "c220")
    assert svg.count("<polygon") == 2 and "Synthetic neighbours mean" in svg  # the mark and its legend
    assert not next(p for p in model.pages if p.number == "37").trend.has_group  # type: ignore[union-attr]


# --- The director's comments in kpixl.toml ----------------------------------------------------------------

@pytest.mark.parametrize("section", [
    '[director_comments]\n"37" = "Not in a quarter\'s table."',
    '[director_comments."2023-24"]\n"37" = "A year, not a quarter."',
    '[director_comments."2023-24-Q2"]\n"37" = 5',
])
def test_director_comments_in_the_wrong_shape_say_how_to_write_them(example_ws: Workspace, section: str) -> None:
    path = example_ws.root / "kpixl.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + section + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="director_comments"):
        load_config(path)


def test_a_comment_for_another_quarter_or_case_is_matched_as_it_should(example_ws: Workspace) -> None:
    path = example_ws.root / "kpixl.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[director_comments."2023-24-Q1"]\n"222" = "Old."\n',
                    encoding="utf-8")
    summary = _model(Workspace.open(example_ws.root)).summary_section
    assert summary is not None and next(r for r in summary.exceptions if r.number == "222").comment == NO_COMMENT


def test_the_forecast_count_rates_only_forecasts_against_an_annual_target() -> None:
    """SYNTHETIC counts: 1 runs at 440 a year against 400 (Blue), 2 at 200 (Red); 3 has no target."""
    from decimal import Decimal

    from support.insight import figure, figures, indicator

    from kpixl.domain import Committee, Register, Service
    from kpixl.domain.outlook import forecast

    yearly = {"2023-24": Decimal(100)}  # each quarter's target: 400 in the year
    inds = (indicator("1", targets=yearly), indicator("2", targets=yearly), indicator("3"))
    known = figures(figure("1", "2023-24-Q1", "100"), figure("1", "2023-24-Q2", "120"),
                    figure("2", "2023-24-Q1", "50"), figure("2", "2023-24-Q2", "50"),
                    figure("3", "2023-24-Q1", "5"), figure("3", "2023-24-Q2", "5"))
    register = Register((Service("svc", "Service"),), (Committee("c", "Committee"),), inds)
    model = build_model(register, register.committees[0], Q2, known, council="C", team="T", produced_on=DAY,
                        forecasts={i.id: forecast(i, Q2, known) for i in inds})
    assert model.summary_section is not None and model.summary_section.forecast.startswith(
        "Year-end forecast: 1 of 2 indicators with an annual target are forecast to meet it (Green or Blue). "
        "1 more indicator has a forecast but no annual target to rate it against.")
    ratings = {p.number: p.forecast_rating for p in model.pages}
    assert ratings == {
        "1": "Forecast rating against the annual target of 400: Blue (forecast to meet it).",
        "2": "Forecast rating against the annual target of 400: Red (forecast not to meet it).",
        "3": "Forecast rating: none, as there is no annual target to rate the forecast against."}
