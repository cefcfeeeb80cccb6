"""Every problem kpixl can report, in one place (as pyxform keeps its errors.py): each code with its
severity, its message and its hint.

Each entry says, after the place the Problem prints (file, Return!J7, indicator 36): what is wrong and the
rule it breaks (message), then what to do (hint), with {placeholders} that problems.problem() fills. Codes
are stable and documented in docs/problems.md; a test holds the two in step. Tests build their
expectations with the same entries.
"""

from __future__ import annotations

from typing import NamedTuple

from kpixl.layout.returns import EXPLANATION_MARK, FEEDBACK_SHEET, RESPONSE_HEADER

__all__ = ["CATALOGUE", "EXPLAINED_HINT", "Entry"]

ERROR, QUERY, WARNING = "error", "query", "warning"
EXPLAINED_HINT = "Explained by the lead: nothing more to do."


class Entry(NamedTuple):
    code: str
    severity: str  # "error" blocks, a "query" waits for an explanation, a "warning" needs nothing
    message: str  # what is wrong and the rule, with {placeholders}
    hint: str  # what to do


_SEND = "send it again"
_EXPLAIN = (f"If it is right, explain it in '{RESPONSE_HEADER}' on the {FEEDBACK_SHEET} sheet of the "
            f"feedback workbook, or in a Commentary paragraph starting '{EXPLANATION_MARK}'.")


_ENTRIES = (
    # The file
    Entry("FILE_EMPTY", ERROR,
             "The file is empty (0 bytes): the attachment did not arrive whole.",
             f"Attach the completed workbook and {_SEND}."),
    Entry("FILE_TOO_LARGE", ERROR,
             "The file is too large to be a return: {detail}.",
             "Check it is the workbook kpixl sent; remove pictures or extra sheets, save it as .xlsx and "
             f"{_SEND}."),
    Entry("FILE_XLS", ERROR,
             "This is an old Excel 97-2003 workbook (.xls); kpixl reads only .xlsx workbooks.",
             f"Open it in Excel, choose File > Save As > Excel Workbook (*.xlsx), and {_SEND}."),
    Entry("FILE_XLSM", ERROR,
             "This workbook holds macros (.xlsm); kpixl never runs or keeps macros, so it refuses macro "
             "workbooks.",
             f"Choose File > Save As > Excel Workbook (*.xlsx) (Excel drops the macros), and {_SEND}."),
    Entry("FILE_ODS", ERROR,
             "This is an OpenDocument spreadsheet (.ods); kpixl reads only .xlsx workbooks.",
             f"In LibreOffice choose File > Save As, file type 'Excel 2007-365 (.xlsx)', and {_SEND}."),
    Entry("FILE_ENCRYPTED", ERROR,
             "The workbook needs a password to open, so kpixl cannot read it.",
             "Remove the password (Excel: File > Info > Protect Workbook > Encrypt with Password, clear it), "
             f"save, and {_SEND}. Never send the password."),
    Entry("FILE_CORRUPT", ERROR,
             "The file is damaged or incomplete ({detail}).",
             f"Open it in Excel to check it, save it again as .xlsx, and {_SEND}."),
    Entry("FILE_NOT_WORKBOOK", ERROR,
             "This is {what}, not an Excel workbook.",
             "Send the completed .xlsx workbook that kpixl sent you."),
    Entry("FILE_UNREADABLE", ERROR,
             "The file cannot be read: {detail}.",
             "Check the file's name and folder, close it in Excel, and try again."),
    # The workbook's shape
    Entry("SHEET_MISSING", ERROR,
             "The workbook has no '{sheet}' sheet with kpixl's column headings.",
             "Fill in the workbook kpixl sent, without renaming its headings or copying the figures "
             "elsewhere."),
    Entry("COLUMN_MISSING", ERROR,
             "The '{sheet}' sheet has no column headed '{header}'.",
             "Put the column back with that heading (copy it from the workbook kpixl sent)."),
    # Identity
    Entry("META_MISSING", WARNING,
             "kpixl's hidden sheet is missing (a spreadsheet program dropped it), so the return could not be "
             "verified; its rows were read by indicator number as {service_name}'s return for {period}.",
             "Nothing to do this time. Next time fill in the workbook kpixl sends and save it as .xlsx."),
    Entry("META_SIGNATURE", ERROR,
             "kpixl's hidden sheet was changed or comes from another workspace ({detail}), so kpixl cannot "
             "trust which service and period this return is for.",
             "Fill in the workbook kpixl sent you (ask the performance team for a fresh copy) and send it."),
    Entry("META_OTHER_COUNCIL", ERROR,
             "This workbook is for {found}, not {expected}.",
             "Send {expected}'s workbook; kpixl takes nothing from another council's file."),
    Entry("META_WRONG_PERIOD", ERROR,
             "This is the return for {found}; the current collection is {expected}.",
             "Send the {expected} workbook for {service_name}; no figure is taken from this file."),
    Entry("META_UNKNOWN_SERVICE", ERROR,
             "This workbook is for the service '{service}', which is not in the register.",
             "Ask the performance team: the service may have been renamed or removed."),
    Entry("SERVICE_UNKNOWN", ERROR,
             "kpixl cannot tell which service this return is for: its hidden sheet is missing and its "
             "indicators ({found}) belong to no service in the register.",
             "Fill in the workbook kpixl sent you, and save it as .xlsx."),
    Entry("CONTEXT_EDITED", QUERY,
             "The {column} was changed from {expected} to {found}; kpixl uses the {expected} it printed.",
             "If the printed figure is wrong, tell the performance team; to correct last period's figure use "
             "'Revised figure'. " + _EXPLAIN),
    # Rows
    Entry("ROW_MISSING", ERROR,
             "The row for indicator {indicator} ({period}) is missing: every indicator of the return needs "
             "a figure or a reason.",
             "Put the row back (copy it from the workbook kpixl sent) and fill it in."),
    Entry("ROW_DUPLICATE", ERROR,
             "Indicator {indicator} ({period}) is here again; it is first in row {first}. kpixl cannot tell "
             "which figure is meant.",
             "Delete the extra row, keeping the right one."),
    Entry("ROW_UNKNOWN", ERROR,
             "Row {row} is for indicator {indicator} ({period}), which is not part of {service_name}'s "
             "return for {quarter}.",
             "Delete the row; send that figure in the return of the service it belongs to."),
    Entry("ROW_NO_INDICATOR", ERROR,
             "Row {row} has entries but no indicator number.",
             "Type the indicator number in the '{header}' column, or delete the row."),
    Entry("ROWS_REORDERED", WARNING,
             "The rows are not in the order kpixl wrote them (from row {row}); kpixl read them by indicator "
             "number.",
             "Nothing to do."),
    # Figures
    Entry("FIGURE_TEXT", WARNING,
             "'{text}' was typed as text; kpixl read it as {value}.",
             "Nothing to do. Next time type the number alone: the cell knows its format."),
    Entry("FIGURE_PERCENT_SCALE", ERROR,
             "{shown} is not a percentage between 0% and 100%: did you mean {guess}%?",
             "Type the percentage with its % sign: {guess}% for {guess} per cent."),
    Entry("FIGURE_NEGATIVE", ERROR,
             "{shown} is below zero; this indicator is {unit_words}, which cannot be negative.",
             "Type the figure without the minus sign, or correct it."),
    Entry("FIGURE_NOT_WHOLE", ERROR,
             "{shown} is not a whole number; this indicator counts whole items.",
             "Type a whole number."),
    Entry("FIGURE_NOT_NUMBER", ERROR,
             "'{text}' is not a number.",
             "Type the figure. If there is none, leave the cell empty, choose a reason in '{reason_header}' "
             "and explain in Commentary."),
    Entry("FIGURE_MISSING", ERROR,
             "There is no figure and no reason for {period}.",
             "Type the figure, or choose a reason in '{reason_header}' and explain in Commentary."),
    Entry("FIGURE_MISSING_MONTH", WARNING,
             "There is no figure for {period}; the report shows {reporting}, so this month is only missing "
             "from the trend.",
             "Give the figure when you have it."),
    Entry("FIGURE_DATE", ERROR,
             "The cell holds a date ({shown}), not a figure; Excel turns entries such as 1/2 or 3-4 into "
             "dates.",
             "Format the cell as Number, then type the figure again."),
    Entry("FIGURE_BOOLEAN", ERROR,
             "The cell holds {shown} (a TRUE/FALSE value), not a figure.",
             "Type the figure."),
    Entry("FIGURE_FORMULA", ERROR,
             "The cell holds a formula ({formula}); kpixl never calculates formulas in a return.",
             "Type the figure itself (copy the cell, then Paste Special > Values)."),
    Entry("TEXT_FORMULA", ERROR,
             "The {column} holds a formula ({formula}); kpixl takes only typed text.",
             "Type the text itself (copy the cell, then Paste Special > Values)."),
    # Rules
    Entry("COMMENTARY_MISSING", ERROR,
             "There is no commentary for {period}; every figure needs one (at least {minimum} "
             "characters).",
             "Say in a sentence or two what explains the figure (or, with no figure, why)."),
    Entry("COMMENTARY_TOO_LONG", ERROR,
             "The commentary is {length:,} characters; the report holds at most {limit:,}.",
             "Shorten it to the main points; send any detail to the performance team."),
    Entry("TEXT_TOO_LONG", ERROR,
             "The {column} is {length:,} characters; at most {limit:,} fit.",
             "Shorten it."),
    Entry("ACTIONS_REQUIRED", QUERY,
             "{shown} against a target of {target} is Red (off target by more than {red}), and there are no "
             "actions. kpixl rates the figure itself, not the RAG preview cell.",
             "Write in Actions what is being done to improve, or why no action is needed."),
    Entry("CUMULATIVE_FALLS", QUERY,
             "{shown} is less than {previous_period}'s {previous}, but this is a year-to-date figure, which "
             "cannot fall within the year.",
             "Check the figure. " + _EXPLAIN),
    Entry("CHANGE_UNUSUAL", QUERY,
             "{shown} is a change of {change} from {previous_period} ({previous}), far outside this "
             "indicator's history ({rule}).",
             "Check the figure. " + _EXPLAIN),
    Entry("REVISION_NO_REASON", ERROR,
             "A revised figure for {period} is given without a reason.",
             "Choose a reason in '{header}'."),
    Entry("REVISION_NO_FIGURE", WARNING,
             "A reason for revising {period} is given, but no revised figure, so nothing was revised.",
             "Type the revised figure, or clear the reason."),
    # The register
    Entry("REG_ID_DIGIT", ERROR,
             "The indicator id '{ident}' holds '{character}', which looks like a digit but is not one of 0 "
             "to 9.",
             "Write the id with the digits 0 to 9 (36, or ASC01), as a lead would type it in a return."),
)
CATALOGUE: dict[str, Entry] = {e.code: e for e in _ENTRIES}
