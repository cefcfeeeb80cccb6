"""The exception list and the RAG counts with direction of travel (docs/insight.md, section 5)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from support.insight import figure, figures, indicator

from kpixl.domain import Change, Quarter, Rag, assess
from kpixl.domain.exception_report import exception_list, is_exception, rag_summary

Q2 = Quarter(2023, 2)


def headlines():  # type: ignore[no-untyped-def]
    """Red and improving (1), Amber and declining (2), Amber and improving (3), Green (4), Red and new (5)."""
    target = {"2023-24-Q2": D(100)}
    inds = [indicator(str(n), targets=target) for n in range(1, 6)]
    found = figures(
        figure("1", "2023-24-Q2", "50", actions="Recruit volunteers", action_owner="Head of Libraries",
               action_due=date(2024, 3, 31)),
        figure("1", "2023-24-Q1", "40"),
        figure("2", "2023-24-Q2", "95"), figure("2", "2023-24-Q1", "99"),
        figure("3", "2023-24-Q2", "95"), figure("3", "2023-24-Q1", "90"),
        figure("4", "2023-24-Q2", "100"),
        figure("5", "2023-24-Q2", "10", actions="A plan"),
    )
    return [assess(i, Q2, found) for i in inds]


def test_red_and_declining_amber_are_exceptions_in_the_registers_order() -> None:
    items = exception_list(headlines(), {"2": "The director's view."})
    assert [(i.headline.indicator.id, i.why) for i in items] == [("1", "Red"), ("2", "Amber and declining"),
                                                                 ("5", "Red")]
    first, second, third = items
    assert (first.actions, first.action_owner, first.action_due, first.missing) == \
        ("Recruit volunteers", "Head of Libraries", date(2024, 3, 31), ())
    assert second.director_comment == "The director's view." and second.missing == \
        ("actions", "action owner", "due date")
    assert third.missing == ("action owner", "due date")
    assert third.to_dict()["action_due"] is None and first.to_dict()["action_due"] == "2024-03-31"


def test_amber_improving_and_green_are_not_exceptions() -> None:
    found = {h.indicator.id: is_exception(h) for h in headlines()}
    assert found == {"1": True, "2": True, "3": False, "4": False, "5": True}


def test_rag_counts_with_direction_of_travel() -> None:
    summary = rag_summary(headlines())
    assert summary[Rag.RED] == {Change.IMPROVING: 1, Change.UNCHANGED: 0, Change.DECLINING: 0,
                                Change.NOT_APPLICABLE: 1}
    assert summary[Rag.AMBER][Change.DECLINING] == 1 and summary[Rag.AMBER][Change.IMPROVING] == 1
    assert summary[Rag.GREEN][Change.NOT_APPLICABLE] == 1
    assert sum(sum(by.values()) for by in summary.values()) == 5
