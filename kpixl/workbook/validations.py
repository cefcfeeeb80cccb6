"""The data validation of every input cell, as xlsxwriter option dictionaries (pure: nothing written here).

Every rule stops a wrong entry ("stop" alert) and says, before typing, what goes in the cell. Lists come
from ranges on the Lists sheet, never inline (an inline list over 255 characters makes Excel repair the
file). Titles are at most 32 characters and messages at most 255, Excel's limits.
"""

from __future__ import annotations

from typing import Any

from kpixl.domain import NO_FIGURE_REASONS, Unit
from kpixl.layout.returns import (
    ACTIONS_MAX,
    COMMENTARY_MAX,
    DUE_FIRST,
    DUE_LAST,
    LISTS_SHEET,
    OWNER_MAX,
    REVISION_REASONS,
)

__all__ = ["LIST_COLUMNS", "count_rule", "date_rule", "figure_rule", "list_range", "list_rule", "text_rule"]

# The Lists sheet: column letter, header, values.
LIST_COLUMNS = {
    "reason": ("A", "Reasons for no figure", NO_FIGURE_REASONS),
    "revision_reason": ("B", "Reasons for revision", REVISION_REASONS),
}
_FIGURE = {  # unit: (what to type, example)
    Unit.COUNT: ("A whole number, 0 or more.", "e.g. 1234"),
    Unit.HOURS: ("A number of hours, 0 or more.", "e.g. 296 or 12.5"),
    Unit.MONEY: ("An amount in pounds, 0 or more, without the £ sign.", "e.g. 1250.50"),
    Unit.RATE: ("A rate, 0 or more, as the indicator's description defines it.", "e.g. 4.2"),
    Unit.NUMBER: ("A number, 0 or more.", "e.g. 42"),
    Unit.DAYS: ("A number of days, 0 or more.", "e.g. 14"),
}
PERCENT_MESSAGE = "Type 68% for sixty-eight per cent. Between 0% and 100%."


def list_range(key: str) -> str:
    letter, _, values = LIST_COLUMNS[key]
    return f"={LISTS_SHEET}!${letter}$2:${letter}${1 + len(values)}"


def _stop(title: str, message: str) -> dict[str, Any]:
    return {"error_type": "stop", "error_title": title[:32], "error_message": message[:255],
            "show_error": True, "show_input": True, "ignore_blank": True}


def figure_rule(unit: Unit, title: str) -> dict[str, Any]:
    """A figure: a fraction between 0 and 1 shown as a percentage, or a non-negative (whole) number."""
    if unit is Unit.PERCENTAGE:
        rule = {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 1,
                "input_title": f"{title}: a percentage"[:32], "input_message": PERCENT_MESSAGE}
        return rule | _stop("Not a percentage", "Type a percentage between 0% and 100%, with the % sign: "
                            "68% for sixty-eight per cent. If there is no figure, leave it empty and choose "
                            "a reason in the next column.")
    what, example = _FIGURE[unit]
    rule = {"validate": "integer" if unit.whole else "decimal", "criteria": ">=", "value": 0,
            "input_title": f"{title}: {unit.value}"[:32], "input_message": f"{what} {example.capitalize()}."}
    return rule | _stop("Not a valid figure", f"{what} Type digits only ({example}). If there is no figure, "
                        "leave it empty and choose a reason in the next column.")


def text_rule(key: str, title: str, help_text: str) -> dict[str, Any]:
    limit = {"commentary": COMMENTARY_MAX, "actions": ACTIONS_MAX, "action_owner": OWNER_MAX}[key]
    rule = {"validate": "length", "criteria": "<=", "value": limit, "input_title": title[:32],
            "input_message": f"{help_text} At most {limit:,} characters."[:255]}
    return rule | _stop("Too long", f"{title} can hold at most {limit:,} characters. Shorten it, or send "
                        "the detail separately to the performance team.")


def list_rule(key: str, title: str, help_text: str) -> dict[str, Any]:
    rule = {"validate": "list", "source": list_range(key), "input_title": title[:32],
            "input_message": f"{help_text} Choose from the list."[:255]}
    return rule | _stop("Choose from the list", f"{title}: choose one of the entries in the list.")


def count_rule(title: str, label: str) -> dict[str, Any]:
    """One of a calculated indicator's two counts: a number, 0 or more; the input message names the count."""
    rule = {"validate": "decimal", "criteria": ">=", "value": 0, "input_title": f"{title}: {label}"[:32],
            "input_message": (f"{title}: {label}. Type the count, digits only (e.g. 1234). kpixl works out "
                              "the figure as numerator ÷ denominator.")[:255]}
    return rule | _stop("Not a count", f"{title} ({label}) is a count: type digits only, 0 or more. If there "
                        "is no figure, leave both counts empty and choose a reason.")


def date_rule(title: str, help_text: str) -> dict[str, Any]:
    """A date cell (the actions' due date): a real date, so the report can print it and sort by it."""
    rule = {"validate": "date", "criteria": "between", "minimum": DUE_FIRST, "maximum": DUE_LAST,
            "input_title": title[:32], "input_message": help_text[:255]}
    return rule | _stop("Not a date", f"{title}: type a date, such as 31/01/2024.")
