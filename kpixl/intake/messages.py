"""Every message the returns reader can give, in one file (as pyxform keeps its errors.py).

Each template says, after the place the Problem prints (file, Return!J7, indicator 36): what is wrong and
the rule it breaks (message), then what to do (hint). Codes are stable and documented in docs/problems.md;
a test holds the two in step. Tests build their expectations with the same templates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from kpixl.problems import Problem, Severity
from kpixl.untrusted.limits import MAX_EXPLANATION, MAX_SHOWN

__all__ = [
    "EXPLAINED_HINT",
    "EXPLANATION_MARK",
    "FEEDBACK_HEADERS",
    "FEEDBACK_SHEET",
    "RESPONSE_HEADER",
    "TEMPLATES",
    "Template",
    "Where",
    "explain",
    "is_explained",
    "problem",
    "shown",
]

E, Q, W = Severity.ERROR, Severity.QUERY, Severity.WARNING

# The feedback workbook's sheet, which a lead may send back with a response to each query.
FEEDBACK_SHEET = "Problems"
RESPONSE_HEADER = "Your response"
FEEDBACK_HEADERS = ("Severity", "Code", "Sheet", "Cell", "Indicator", "Problem", "What to do",
                    RESPONSE_HEADER)
EXPLANATION_MARK = "Explanation:"  # a commentary paragraph starting so explains the row's queries
EXPLAINED_HINT = "Explained by the lead: nothing more to do."
_SEND = "send it again"
_EXPLAIN = (f"If it is right, explain it in '{RESPONSE_HEADER}' on the {FEEDBACK_SHEET} sheet of the "
            f"feedback workbook, or in a Commentary paragraph starting '{EXPLANATION_MARK}'.")


@dataclass(frozen=True)
class Template:
    code: str
    severity: Severity
    message: str  # what is wrong and the rule, with {placeholders}
    hint: str  # what to do


_ALL = (
    # The file
    Template("FILE_EMPTY", E,
             "The file is empty (0 bytes): the attachment did not arrive whole.",
             f"Attach the completed workbook and {_SEND}."),
    Template("FILE_TOO_LARGE", E,
             "The file is too large to be a return: {detail}.",
             "Check it is the workbook kpixl sent; remove pictures or extra sheets, save it as .xlsx and "
             f"{_SEND}."),
    Template("FILE_XLS", E,
             "This is an old Excel 97-2003 workbook (.xls); kpixl reads only .xlsx workbooks.",
             f"Open it in Excel, choose File > Save As > Excel Workbook (*.xlsx), and {_SEND}."),
    Template("FILE_XLSM", E,
             "This workbook holds macros (.xlsm); kpixl never runs or keeps macros, so it refuses macro "
             "workbooks.",
             f"Choose File > Save As > Excel Workbook (*.xlsx) (Excel drops the macros), and {_SEND}."),
    Template("FILE_ODS", E,
             "This is an OpenDocument spreadsheet (.ods); kpixl reads only .xlsx workbooks.",
             f"In LibreOffice choose File > Save As, file type 'Excel 2007-365 (.xlsx)', and {_SEND}."),
    Template("FILE_ENCRYPTED", E,
             "The workbook needs a password to open, so kpixl cannot read it.",
             "Remove the password (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it), "
             f"save, and {_SEND}. Never send the password."),
    Template("FILE_CORRUPT", E,
             "The file is damaged or incomplete ({detail}).",
             f"Open it in Excel to check it, save it again as .xlsx, and {_SEND}."),
    Template("FILE_NOT_WORKBOOK", E,
             "This is {what}, not an Excel workbook.",
             "Send the completed .xlsx workbook that kpixl sent you."),
    Template("FILE_UNREADABLE", E,
             "The file cannot be read: {detail}.",
             "Check the file's name and folder, close it in Excel, and try again."),
    # The workbook's shape
    Template("SHEET_MISSING", E,
             "The workbook has no '{sheet}' sheet with kpixl's column headings.",
             "Fill in the workbook kpixl sent, without renaming its headings or copying the figures "
             "elsewhere."),
    Template("COLUMN_MISSING", E,
             "The '{sheet}' sheet has no column headed '{header}'.",
             "Put the column back with that heading (copy it from the workbook kpixl sent)."),
    # Identity
    Template("META_MISSING", W,
             "kpixl's hidden sheet is missing (a spreadsheet program dropped it), so the return could not be "
             "verified; its rows were read by indicator number as {service_name}'s return for {period}.",
             "Nothing to do this time. Next time fill in the workbook kpixl sends and save it as .xlsx."),
    Template("META_SIGNATURE", E,
             "kpixl's hidden sheet was changed or comes from another workspace ({detail}), so kpixl cannot "
             "trust which service and period this return is for.",
             "Fill in the workbook kpixl sent you (ask the performance team for a fresh copy) and send it."),
    Template("META_OTHER_COUNCIL", E,
             "This workbook is for {found}, not {expected}.",
             "Send {expected}'s workbook; kpixl takes nothing from another council's file."),
    Template("META_WRONG_PERIOD", E,
             "This is the return for {found}; the current collection is {expected}.",
             "Send the {expected} workbook for {service_name}; no figure is taken from this file."),
    Template("META_UNKNOWN_SERVICE", E,
             "This workbook is for the service '{service}', which is not in the register.",
             "Ask the performance team: the service may have been renamed or removed."),
    Template("SERVICE_UNKNOWN", E,
             "kpixl cannot tell which service this return is for: its hidden sheet is missing and its "
             "indicators ({found}) belong to no service in the register.",
             "Fill in the workbook kpixl sent you, and save it as .xlsx."),
    Template("CONTEXT_EDITED", Q,
             "The {column} was changed from {expected} to {found}; kpixl uses the {expected} it printed.",
             "If the printed figure is wrong, tell the performance team; to correct last period's figure use "
             "'Revised figure'. " + _EXPLAIN),
    # Rows
    Template("ROW_MISSING", E,
             "The row for indicator {indicator} ({period}) is missing: every indicator of the return needs "
             "a figure or a reason.",
             "Put the row back (copy it from the workbook kpixl sent) and fill it in."),
    Template("ROW_DUPLICATE", E,
             "Indicator {indicator} ({period}) is here again; it is first in row {first}. kpixl cannot tell "
             "which figure is meant.",
             "Delete the extra row, keeping the right one."),
    Template("ROW_UNKNOWN", E,
             "Row {row} is for indicator {indicator} ({period}), which is not part of {service_name}'s "
             "return for {quarter}.",
             "Delete the row; send that figure in the return of the service it belongs to."),
    Template("ROW_NO_INDICATOR", E,
             "Row {row} has entries but no indicator number.",
             "Type the indicator number in the '{header}' column, or delete the row."),
    Template("ROWS_REORDERED", W,
             "The rows are not in the order kpixl wrote them (from row {row}); kpixl read them by indicator "
             "number.",
             "Nothing to do."),
    # Figures
    Template("FIGURE_TEXT", W,
             "'{text}' was typed as text; kpixl read it as {value}.",
             "Nothing to do. Next time type the number alone: the cell knows its format."),
    Template("FIGURE_PERCENT_SCALE", E,
             "{shown} is not a percentage between 0% and 100%: did you mean {guess}%?",
             "Type the percentage with its % sign: {guess}% for {guess} per cent."),
    Template("FIGURE_NEGATIVE", E,
             "{shown} is below zero; this indicator is {unit_words}, which cannot be negative.",
             "Type the figure without the minus sign, or correct it."),
    Template("FIGURE_NOT_WHOLE", E,
             "{shown} is not a whole number; this indicator counts whole items.",
             "Type a whole number."),
    Template("FIGURE_NOT_NUMBER", E,
             "'{text}' is not a number.",
             "Type the figure. If there is none, leave the cell empty, choose a reason in '{reason_header}' "
             "and explain in Commentary."),
    Template("FIGURE_MISSING", E,
             "There is no figure and no reason for {period}.",
             "Type the figure, or choose a reason in '{reason_header}' and explain in Commentary."),
    Template("FIGURE_MISSING_MONTH", W,
             "There is no figure for {period}; the report shows {reporting}, so this month is only missing "
             "from the trend.",
             "Give the figure when you have it."),
    Template("FIGURE_DATE", E,
             "The cell holds a date ({shown}), not a figure; Excel turns entries such as 1/2 or 3-4 into "
             "dates.",
             "Format the cell as Number, then type the figure again."),
    Template("FIGURE_BOOLEAN", E,
             "The cell holds {shown} (a TRUE/FALSE value), not a figure.",
             "Type the figure."),
    Template("FIGURE_FORMULA", E,
             "The cell holds a formula ({formula}); kpixl never calculates formulas in a return.",
             "Type the figure itself (copy the cell, then Paste Special > Values)."),
    Template("TEXT_FORMULA", E,
             "The {column} holds a formula ({formula}); kpixl takes only typed text.",
             "Type the text itself (copy the cell, then Paste Special > Values)."),
    # Rules
    Template("COMMENTARY_MISSING", E,
             "There is no commentary for {period}; every figure needs one (at least {minimum} "
             "characters).",
             "Say in a sentence or two what explains the figure (or, with no figure, why)."),
    Template("COMMENTARY_TOO_LONG", E,
             "The commentary is {length:,} characters; the report holds at most {limit:,}.",
             "Shorten it to the main points; send any detail to the performance team."),
    Template("TEXT_TOO_LONG", E,
             "The {column} is {length:,} characters; at most {limit:,} fit.",
             "Shorten it."),
    Template("ACTIONS_REQUIRED", Q,
             "{shown} against a target of {target} is Red (off target by more than {red}), and there are no "
             "actions. kpixl rates the figure itself, not the RAG preview cell.",
             "Write in Actions what is being done to improve, or why no action is needed."),
    Template("CUMULATIVE_FALLS", Q,
             "{shown} is less than {previous_period}'s {previous}, but this is a year-to-date figure, which "
             "cannot fall within the year.",
             "Check the figure. " + _EXPLAIN),
    Template("CHANGE_UNUSUAL", Q,
             "{shown} is a change of {change} from {previous_period} ({previous}), far outside this "
             "indicator's history ({rule}).",
             "Check the figure. " + _EXPLAIN),
    Template("REVISION_NO_REASON", E,
             "A revised figure for {period} is given without a reason.",
             "Choose a reason in '{header}'."),
    Template("REVISION_NO_FIGURE", W,
             "A reason for revising {period} is given, but no revised figure, so nothing was revised.",
             "Type the revised figure, or clear the reason."),
)
TEMPLATES: dict[str, Template] = {t.code: t for t in _ALL}


@dataclass(frozen=True)
class Where:
    """The place a problem is found: it travels from the reader down to each check."""

    file: str
    sheet: str = ""
    cell: str = ""
    indicator: str = ""

    def at(self, cell: str | None = None, indicator: str | None = None) -> Where:
        """The same place with another cell or indicator (None: keep this one)."""
        return replace(self, cell=self.cell if cell is None else cell,
                       indicator=self.indicator if indicator is None else indicator)


def problem(code: str, where: Where, **values: Any) -> Problem:
    t = TEMPLATES[code]
    return Problem(code, t.severity, t.message.format(**values), t.hint.format(**values),
                   where.file, where.sheet, where.cell, where.indicator)


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A lead's entry quoted back: on one line and short, whatever they typed."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def explain(p: Problem, response: str) -> Problem:
    """A query the lead explained: kept as a query (the team may still read it), marked as explained, with
    the explanation in the message so that the store keeps it with the return."""
    quoted = shown(response, MAX_EXPLANATION)
    return replace(p, message=f"{p.message} The lead explained: \"{quoted}\"", hint=EXPLAINED_HINT)


def is_explained(p: Problem) -> bool:
    return p.severity is Severity.QUERY and p.hint == EXPLAINED_HINT
