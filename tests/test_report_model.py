"""What the report says (kpixl.report.model), without writing a file: docs/report.md, "The model"."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from kpixl.domain import (
    Committee,
    Comparison,
    Direction,
    Figure,
    FigureStatus,
    Indicator,
    Link,
    Quarter,
    Rag,
    Register,
    Unit,
    assess,
)
from kpixl.register import load_register
from kpixl.report.model import bookmark_name, build_model, paragraphs
from kpixl.report.trend import change_sentence

Q2 = Quarter(2023, 2)
DAY = date(2023, 12, 12)


@pytest.fixture
def example(example_ws):
    loaded = load_register(example_ws.register_path)
    figures = example_ws.current_figures()
    register = loaded.register
    return build_model(register, register.committee("csmi"), Q2, figures, council=example_ws.config.council,
                       team=example_ws.config.team, produced_on=DAY)


def page(model, number):
    return next(p for p in model.pages if p.number == number)


def test_cover_reads_as_the_seed(example):
    c = example.cover
    assert (c.produced_on, c.title, c.quarter, c.year) == (
        "Produced on: 12 December 2023", "Performance Report", "Quarter 2", "2023/24 financial year")
    assert (c.committee, c.team, c.council) == ("Communities, Social Mobility and Inclusion Committee",
                                                "Governance & Performance", "Cambridgeshire County Council")


def test_summary_counts_every_rating_in_the_keys_order(example):
    assert [(r.value, n) for r, n in example.summary] == [
        ("Red", 6), ("Amber", 3), ("Green", 1), ("Blue", 1), ("Baseline", 0), ("Contextual", 7),
        ("In Development", 1)]
    assert sum(n for _, n in example.summary) == len(example.pages) == 19


def test_headline_variants_of_the_seed(example):
    assert page(example, "37").cells == ("475,381", "↑", "380,018", "351,220", "Improving")
    assert page(example, "136").headers[2:4] == ("Current Quarter (cumulative)", "Quarter 2 22/23 (cumulative)")
    assert page(example, "136").cells[2] == "608 (provisional)"
    assert page(example, "221").headers[2:4] == ("Current Month", "Previous Month")
    assert page(example, "174").cells[0] == "In Development"
    assert page(example, "175").headers[0] == "Baseline"
    assert page(example, "175").cells[1:] == ("NA", "789", "944", "N/A")
    assert page(example, "222").cells == ("65%", "↑", "51%", "60%", "Declining")


def test_month_index_and_links(example):
    assert {p.month for p in example.pages} == {"December 2023"}
    assert [r.number for r in example.index] == [p.number for p in example.pages]
    assert all(r.bookmark == p.bookmark for r, p in zip(example.index, example.pages))
    assert page(example, "36").links[0].url == "https://lginform.local.gov.uk/"
    assert page(example, "222").links_note == "There is no public facing data for this KPI"


def test_provisional_figure_carries_its_caveat(example):
    assert page(example, "198").caveat == ("Provisional figure: Database changeover: the IDVA Service could not "
                                           "report a validated Q2 figure.")
    assert page(example, "37").caveat == ""


def test_trend_shows_what_there_is_with_alt_text_in_words(example):
    trend = page(example, "37").trend
    assert [p.label for p in trend.points] == ["2023/24 Q1", "2023/24 Q2"]
    assert trend.alt_text == ("Line chart of Number of visits made to library sites reported quarterly: 351,220 in "
                              "2023/24 Q1, 380,018 in 2023/24 Q2, target 475,381. Up 8.2% on the previous quarter.")
    assert [p.label for p in page(example, "136").trend.points] == [
        "2022/23 Q2", "2022/23 Q3", "2022/23 Q4", "2023/24 Q1", "2023/24 Q2"]  # the gaps stay gaps
    assert "Down 2 percentage points on the same quarter last year" in page(example, "138").trend.alt_text
    assert [p.label for p in page(example, "221").trend.points] == ["Aug 2023", "Sep 2023"]
    assert page(example, "174").trend.has_target is False  # In Development: no target to draw


# A small made-up register for the variants the example lacks.
def _one(indicator: Indicator, figures: list[Figure], both: bool = False):
    register = Register((), (Committee("c", "Test committee"),), (indicator,))
    return build_model(register, register.committees[0], Q2, {(f.indicator, f.period.slug): f for f in figures},
                       council="Test Council", team="Team", produced_on=DAY, show_both_comparisons=both).pages[0]


IND = Indicator("7", "Test measure", "s", ("c",), unit=Unit.COUNT, direction=Direction.UP,
                targets={"2023-24": Decimal(100)})


def test_not_available_shows_its_reason_and_no_rating():
    p = _one(IND, [Figure("7", Q2, Decimal(90), FigureStatus.NOT_AVAILABLE, "System change")])
    assert p.rag is Rag.NOT_RATED and p.rag_note == "Not rated: there is no figure for 2023/24 Q2."
    assert p.caveat == "Figure not available: System change."
    assert p.cells[2] == "Not available"
    assert p.trend is None


def test_missing_figure_is_not_zero():
    p = _one(IND, [])
    assert p.cells[2] == "Not available" and p.caveat == "No figure has been received for 2023/24 Q2."


def test_not_rated_is_counted_only_when_present():
    register = Register((), (Committee("c", "C"),), (IND,))
    model = build_model(register, register.committees[0], Q2, {}, council="X", team="T", produced_on=DAY)
    assert model.summary[-1] == (Rag.NOT_RATED, 1)


def test_both_comparisons_side_by_side():
    figures = [Figure("7", Q2, Decimal(110)), Figure("7", Q2.previous(), Decimal(100)),
               Figure("7", Q2.same_period_last_year(), Decimal(120))]
    p = _one(IND, figures, both=True)
    assert p.headers == ("Target", "Direction for Improvement", "Current Quarter", "Previous Quarter",
                         "Quarter 2 22/23", "Change in Performance")
    assert p.cells == ("100", "↑", "110", "100", "120", "Improving")  # the change is the indicator's own
    twin = _one(dataclasses.replace(IND, comparison=Comparison.SAME_PERIOD_LAST_YEAR), figures, both=True)
    assert twin.headers == p.headers and twin.cells[-1] == "Declining"


def test_only_web_and_mail_links_are_links():
    odd = dataclasses.replace(IND, links=(Link("Data", "https://example.org/d"), Link("Bad", "javascript:alert(1)"),
                                          Link("Mail", "mailto:team@example.org")))
    links = _one(odd, []).links
    assert [(l.url, l.text) for l in links] == [
        ("https://example.org/d", "Data"), (None, "Bad (javascript:alert(1))"),
        ("mailto:team@example.org", "Mail")]


@pytest.mark.parametrize("ident, name", [("37", "kpi_37"), ("ASC 1.2", "kpi_ASC_1_2"), ("x" * 60, "kpi_" + "x" * 36)])
def test_bookmark_names_word_and_libreoffice_accept(ident, name):
    assert bookmark_name(ident) == name


def test_bookmarks_stay_unique_when_ids_clean_alike():
    a, b = dataclasses.replace(IND, id="A-1"), dataclasses.replace(IND, id="A_1")
    register = Register((), (Committee("c", "C"),), (a, b))
    model = build_model(register, register.committees[0], Q2, {}, council="X", team="T", produced_on=DAY)
    assert len({p.bookmark for p in model.pages}) == 2


def test_paragraphs_split_at_blank_lines():
    assert paragraphs("One\nline.\n\n  \nTwo.") == ("One line.", "Two.")


@pytest.mark.parametrize("unit, current, previous, words", [
    (Unit.COUNT, "110", "100", "Up 10% on the previous quarter."),
    (Unit.COUNT, "90", "100", "Down 10% on the previous quarter."),
    (Unit.COUNT, "5", "0", "Up from 0 on the previous quarter."),
    (Unit.PERCENTAGE, "0.55", "0.48", "Up 7 percentage points on the previous quarter."),
    (Unit.PERCENTAGE, "0.99", "0.98", "Up 1 percentage point on the previous quarter."),
    (Unit.COUNT, "100", "100", "Unchanged on the previous quarter."),
])
def test_change_in_words(unit, current, previous, words):
    ind = dataclasses.replace(IND, unit=unit)
    figures = {("7", Q2.slug): Figure("7", Q2, Decimal(current)),
               ("7", Q2.previous().slug): Figure("7", Q2.previous(), Decimal(previous))}
    assert change_sentence(assess(ind, Q2, figures)) == words


def test_key_states_the_councils_bands():
    from kpixl.domain import Tolerances
    from kpixl.report.wording import key_rows

    rows = {r.item: r.explanation for r in key_rows(Tolerances(Decimal("0.15"), Decimal("0.025")))}
    assert rows["Red"] == "current performance is off target by more than 15%"
    assert rows["Blue"] == "current performance exceeds target by more than 2.5%"


def test_comparators_print_where_known():
    known = dataclasses.replace(IND, unit=Unit.PERCENTAGE, statistical_neighbours_mean=Decimal("0.543"),
                                england_mean=None)
    assert _one(known, []).comparators == (("Statistical Neighbours Mean", "54%"),)
    assert _one(IND, []).comparators == ()
