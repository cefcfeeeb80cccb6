"""Every problem kpixl can report, in one place (as pyxform keeps its errors.py): each code with its
severity, its message and its hint.

Each entry says, after the place the Problem prints (file, Return!J7, indicator 36): what is wrong and the
rule it breaks (message), then what to do (hint), with {placeholders} that problems.problem() fills. Codes
are stable and documented in docs/problems.md; tests/test_catalogue.py holds the two in step. Tests build
their expectations with the same entries.

The entries are grouped by where the problems arise: a return (kpixl validate, kpixl collect), the register
(kpixl register check), a history file (kpixl history import), the archive and the store (kpixl check). A
code that covers cases needing other words has one entry per case, looked up as "CODE/case"
(REG_UNREADABLE/yaml); the Problem carries the code alone.
"""

from __future__ import annotations

from typing import NamedTuple

from kpixl.layout.returns import EXPLANATION_MARK, FEEDBACK_SHEET, RESPONSE_HEADER

__all__ = ["CATALOGUE", "CODES", "EXPLAINED_HINT", "REJECTED_HINT", "Entry"]

ERROR, QUERY, WARNING = "error", "query", "warning"
EXPLAINED_HINT = "Explained by the lead: nothing more to do."
# A query whose explanation the performance team did not accept (kpixl review --reject): back to the lead.
REJECTED_HINT = ("The performance team did not accept the explanation: {note} Check the figure, then answer again "
                 "in 'Your response' on the Problems sheet of the feedback workbook, or in a Commentary paragraph "
                 "starting 'Explanation:', and send the return again.")


class Entry(NamedTuple):
    code: str
    severity: str  # "error" blocks, a "query" waits for an explanation, a "warning" needs nothing
    message: str  # what is wrong and the rule, with {placeholders}
    hint: str  # what to do
    case: str = ""  # which case of the code, when one code needs several wordings

    @property
    def key(self) -> str:
        """How problem() names the entry: the code, or "CODE/case"."""
        return f"{self.code}/{self.case}" if self.case else self.code


_SEND = "send it again"
_EXPLAIN = (f"If it is right, explain it in '{RESPONSE_HEADER}' on the {FEEDBACK_SHEET} sheet of the "
            f"feedback workbook, or in a Commentary paragraph starting '{EXPLANATION_MARK}'.")
_TEMPLATE = "the template has it: kpixl register template FILE"
_REGISTER_TOO_LARGE = ("Check it is the register; delete what is not part of it (pictures, extra sheets, rows "
                       "pasted far below the table), save it as .xlsx and try again.")
_RECOLLECT = "Collect the original file again: the same bytes restore it, and nothing else changes."
_REIMPORT = ("Import the original file again (kpixl history import FILE): the same bytes restore it, and "
             "nothing else changes.")
_REIMPORT_COMPARATORS = ("Import the original file again (kpixl comparators import FILE): the same bytes restore it, "
                         "and nothing else changes.")
_EITHER = ("Collect it again if it is a return, or import it again (kpixl history import FILE) if it is a "
           "history file: the same bytes restore it, and nothing else changes.")
_REKEEP = ("Give the original file again with 'kpixl approve SERVICE PERIOD --by NAME --role ROLE --evidence FILE': "
           "the same bytes are archived again, and nothing else changes.")
_ALTERED = ("The archived file's bytes no longer have the SHA-256 it is kept under: it was changed or damaged "
            "after it was archived.")
_RESTORE = "Restore the store from a backup and collect again."


_ENTRIES = (
    # A return (kpixl validate, kpixl collect): the file
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
    Entry("FILE_AMBIGUOUS", ERROR,
          "Spreadsheet programs may read this workbook in different ways: {detail}. kpixl stores figures only "
          "from a file that says one thing.",
          f"Open it in Excel, save it (Excel writes it in the one plain form every program reads alike), and "
          f"{_SEND}."),
    Entry("CELL_AMBIGUOUS", ERROR,
          "Spreadsheet programs may read this cell in different ways: {detail}. kpixl stores figures only from "
          "a file that says one thing.",
          f"Open the workbook in Excel, check the cell (type it again if in doubt), save, and {_SEND}."),
    Entry("FILE_NOT_WORKBOOK", ERROR,
          "This is {what}, not an Excel workbook.",
          "Send the completed .xlsx workbook that kpixl sent you."),
    Entry("FILE_UNREADABLE", ERROR,
          "The file cannot be read: {detail}.",
          "Check the file's name and folder, close it in Excel, and try again."),
    # A return: the workbook's shape
    Entry("SHEET_MISSING", ERROR,
          "The workbook has no '{sheet}' sheet with kpixl's column headings.",
          "Fill in the workbook kpixl sent, without renaming its headings or copying the figures "
          "elsewhere."),
    Entry("COLUMN_MISSING", ERROR,
          "The '{sheet}' sheet has no column headed '{header}'.",
          "Put the column back with that heading (copy it from the workbook kpixl sent)."),
    # A return: identity
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
    Entry("CONTEXT_EDITED", WARNING,
          "The '{column}' cell was changed from {expected} to {found}; kpixl ignores the change and uses "
          "{expected}, as it printed it.",
          "Nothing to do if it was a slip. If what kpixl printed is wrong, tell the performance team; to "
          "correct last period's figure use 'Revised figure'."),
    Entry("RESPONSE_UNMATCHED", WARNING,
          "This response answers {code} on indicator {indicator} ({period}, cell {cell}), which this return "
          "does not raise any more; it was not applied to any other query.",
          "Nothing to do if the query was put right. If a new query needs the same answer, write it again "
          "on that query's row."),
    # A return: rows
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
    # A return: figures
    Entry("FIGURE_TEXT", WARNING,
          "'{text}' was typed as text; kpixl read it as {value}.",
          "Nothing to do. Next time type the number alone: the cell knows its format."),
    Entry("FIGURE_ROUNDED", WARNING,
          "The cell holds {held}, more digits than a spreadsheet shows; kpixl stored {value}, the 15 significant "
          "digits Excel and LibreOffice show.",
          "Nothing to do."),
    Entry("FIGURE_PERCENT_ONE", QUERY,
          "'{shown}' has no % sign, so kpixl read it as 100%; a 1% typed without its sign looks the same.",
          "If you meant 1%, type 1% and send the return again. " + _EXPLAIN),
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
    # A return: rules
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
    Entry("ACTION_OWNER_REQUIRED", QUERY,
          "{shown} against a target of {target} is Red, and no {missing} is given for its actions: the report's "
          "exceptions table names who owns each Red indicator's actions and when they are due.",
          "Fill in 'Action owner' (a name or a role) and 'Action due date', or explain why there are none. "
          + _EXPLAIN),
    Entry("ACTION_DUE_NOT_DATE", ERROR,
          "'{text}' is not a date; 'Action due date' takes the date the actions are due.",
          "Type a date, such as 31/01/2024, or leave the cell empty."),
    Entry("CALC_COUNTS", ERROR,
          "The {missing} ({label}) is empty; indicator {indicator}'s figure is worked out from both counts.",
          "Type the {missing}, or clear both counts and choose a reason in 'Reason if no figure'."),
    Entry("CALC_COUNTS", ERROR,
          "The denominator ({label}) is 0, so there is no figure: a count cannot be divided by 0.",
          "Correct the count; if there is no figure this period, clear both counts and choose a reason in "
          "'Reason if no figure'.", case="zero"),
    Entry("CALC_COUNTS", ERROR,
          "{numerator} out of {denominator} is {rate}: a percentage is at most 100%, so the numerator "
          "({numerator_label}) cannot be more than the denominator ({denominator_label}).",
          "Check the two counts: the numerator counts part of what the denominator counts.", case="over"),
    Entry("CALC_COUNTS", ERROR,
          "{shown} is a percentage; '{column}' takes a count ({label}).",
          "Type the count itself, digits only: kpixl works out the percentage from the two counts.",
          case="percent"),
    Entry("CALC_RATE_TYPED", WARNING,
          "'{typed}' was typed over the figure's formula; this indicator's figure is worked out from its two "
          "counts, so what was typed is ignored.",
          "Nothing to do: the counts decide. Leave 'Current figure' to its formula."),
    Entry("CALC_NO_COUNTS", WARNING,
          "This row asks for the figure itself, not its two counts ({numerator} and {denominator}): the "
          "workbook was written before indicator {indicator} was calculated from them. kpixl kept the figure "
          "as typed, so its year to date cannot add up this period's counts.",
          "Nothing to do this time: the next workbook asks for the two counts. To add them now, send them to "
          "the performance team."),
    Entry("CALC_REVISION", ERROR,
          "A revised figure is typed for {period}, but indicator {indicator}'s figures are worked out from two "
          "counts: kpixl never takes a typed rate for it.",
          "Clear the revised figure, and send the corrected counts to the performance team (kpixl history "
          "import takes a numerator and a denominator)."),
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

    Entry("RETURN_TWICE", WARNING,
          "This collect held {count} returns for {service_name}, {period}: {files}. The current one is {current}.",
          "Nothing to do if that is the one meant: the latest sent is current, and the others are kept as "
          "earlier versions. If an earlier one is right, ask the lead to send it again."),

    # A message a return came in (kpixl collect of an .eml or .msg, kpixl fetch): kpixl/mail, kpixl/steps/messages
    Entry("MESSAGE_REFUSED", ERROR,
          "This {what} cannot be read safely: {detail}. None of its attachments was read.",
          "Open it in the mail program, save the workbook it carries, and collect that file."),
    Entry("MESSAGE_NO_ATTACHMENT", WARNING,
          "The message carries no attachment: there is no return in it.",
          "Nothing to do if it was only a note; otherwise ask the sender to reply with the workbook attached."),
    Entry("ATTACHMENT_SKIPPED", WARNING,
          "The attachment {attachment} was not read: {why}.",
          "If it is a return, save it from the message and collect the file."),
    Entry("SENDER_UNKNOWN", QUERY,
          "This return for {service_name} came from {sender}, who is neither its lead nor its deputy in the "
          "register.",
          "Check with the service that {sender} may send its return; if so, add them as its deputy in the "
          "register (deputy_email)."),

    # The register (kpixl register check, and every command that loads it): the file (kpixl/register)
    Entry("REG_UNKNOWN_FORMAT", ERROR,
          "kpixl reads registers as .xlsx or .yaml, not '{suffix}'.",
          "Save the register as .xlsx, or write it as YAML."),
    Entry("REG_UNREADABLE", ERROR,
          "The file cannot be opened: {detail}.",
          "Check the file's name and folder, and close it in Excel if it is open.", case="open"),
    Entry("REG_UNREADABLE", ERROR,
          "This is not readable YAML: {detail}.",
          "Correct the file at the line shown, or restore it from version control.", case="yaml"),
    Entry("REG_UNREADABLE", ERROR,
          "This is not a readable Excel workbook ({detail}).",
          "Save the register as .xlsx (Excel Workbook) and try again.", case="workbook"),
    Entry("REG_TOO_LARGE", ERROR,
          "The file is over {limit} MB: too large to be a register.",
          _REGISTER_TOO_LARGE, case="file"),
    Entry("REG_TOO_LARGE", ERROR,
          "The workbook is too large to read safely: {detail}.",
          _REGISTER_TOO_LARGE),
    # The register workbook's sheets (kpixl/register/workbook_file.py)
    Entry("REG_MISSING_SHEET", ERROR,
          "The workbook has no sheet named '{sheet}'.",
          f"Add a sheet named '{{sheet}}' ({_TEMPLATE})."),
    Entry("REG_MISSING_COLUMN", ERROR,
          "The {sheet} sheet has no column headed '{header}'.",
          f"Add a column headed '{{header}}' ({_TEMPLATE})."),
    Entry("REG_TOO_MANY_ROWS", ERROR,
          "The {sheet} sheet has more than {limit:,} rows; kpixl stopped reading here.",
          "Delete the rows that are not part of the register, including any pasted far below the table."),
    # The register's rows, as they are read (kpixl/register/build.py)
    Entry("REG_MISSING", ERROR,
          "{header} is empty.",
          "Fill in {header}: every row needs one."),
    Entry("REG_BAD_CHOICE", ERROR,
          "{header} '{value}' is not one of the allowed values.",
          "Choose one of: {choices}."),
    Entry("REG_BAD_CHOICE", ERROR,
          "{header} '{value}' is not yes or no.",
          "Write yes or no.", case="yes_no"),
    Entry("REG_NOT_A_NUMBER", ERROR,
          "{header}: {detail}.",
          "Enter a number, with % for percentages (70%)."),
    # The register's rules across rows (kpixl/register/build.py)
    Entry("REG_DUPLICATE_ID", ERROR,
          "The {what} id '{id}' is used twice (also at {first}).",
          "Give each {what} its own id, or delete the repeated row."),
    Entry("REG_DUPLICATE_ID", ERROR,
          "The {what} id '{id}' differs from '{other}' (at {first}) only in capital letters; kpixl finds ids "
          "whatever their case, so the two would be one.",
          "Give each {what} its own id, or write both the same way and delete the repeated row.", case="case"),
    Entry("REG_ID_DIGIT", ERROR,
          "The indicator id '{ident}' holds '{character}', which looks like a digit but is not one of 0 to 9.",
          "Write the id with the digits 0 to 9 (36, or ASC01), as a lead would type it in a return."),
    Entry("REG_UNKNOWN_SERVICE", ERROR,
          "Service '{service}' is not on the Services sheet.",
          "Use an id from the Services sheet, or add the service there."),
    Entry("REG_UNKNOWN_COMMITTEE", ERROR,
          "Committee '{committee}' is not on the Committees sheet.",
          "Use ids from the Committees sheet, separated by commas."),
    Entry("REG_UNKNOWN_INDICATOR", ERROR,
          "Indicator '{indicator}' is not on the Indicators sheet.",
          "Correct the number, or add the indicator to the Indicators sheet."),
    Entry("REG_DUPLICATE_TARGET", ERROR,
          "Indicator {indicator} has two targets for {period}.",
          "Keep one row per indicator and period."),
    Entry("REG_BAD_PERIOD", ERROR,
          "'{period}' is not a period.",
          "Write a quarter as 2023-24-Q2, a month as 2023-09, a year as 2023-24."),
    Entry("REG_TARGET_FREQUENCY", ERROR,
          "Indicator {indicator} is monthly but this target is for a quarter ({period}).",
          "Give a target per month (2023-09) or per year (2023-24), or make the indicator quarterly.",
          case="monthly"),
    Entry("REG_TARGET_FREQUENCY", ERROR,
          "Indicator {indicator} is quarterly but this target is for a month ({period}).",
          "Give a target per quarter (2023-24-Q2) or per year (2023-24), or make the indicator monthly.",
          case="quarterly"),
    Entry("REG_TARGET_NOT_RATED", ERROR,
          "Indicator {indicator} is {kind}, which has no target, but a target is given.",
          "Enter the figure as a baseline, or change the indicator's kind to target."),
    Entry("REG_BASELINE_ON_TARGET", ERROR,
          "Indicator {indicator} is rated against a target, but this row is a baseline.",
          "Enter it as a target, or change the indicator's kind to baseline."),
    Entry("REG_PERCENT_SCALE", ERROR,
          "Indicator {indicator} is a percentage but its target is {value}.",
          "Did you mean {value}%? Write percentages with a % sign."),
    Entry("REG_TARGET_NO_DIRECTION", ERROR,
          "Indicator {indicator} has a target but no direction, so it cannot be rated.",
          "Set the direction to up or down, or change the kind to contextual."),
    Entry("REG_NO_TARGET", WARNING,
          "Indicator {indicator} is rated against a target but has none on the Targets sheet.",
          "Add its targets on the Targets sheet; until then it is Not rated."),
    Entry("REG_TARGET_PROFILE", WARNING,
          "Indicator {indicator} is {what}, but {count} of its {of} periods in {year} (from {first}) have no "
          "target of their own, so each is rated against the whole year's target.",
          "Give a target for each {word} (what the figure should be by then), or ignore this if the year's target "
          "is right for every {word}."),
    Entry("REG_CALC_INCOMPLETE", ERROR,
          "Indicator {indicator} is partly set up as calculated: {missing} is empty.",
          "Fill in both Numerator and Denominator (what the two counts are), or clear Numerator, Denominator "
          "and Scale."),
    Entry("REG_CALC_SCALE", ERROR,
          "Indicator {indicator} has a scale of {scale}; a scale is a positive number.",
          "Write 100 for a percentage, 1000 for a rate per 1,000, or 1 for a plain ratio."),
    Entry("REG_CALC_SCALE", ERROR,
          "Indicator {indicator} is a percentage calculated with a scale of {scale}; a percentage's scale is 100.",
          "Write 100 (or leave Scale empty), or change the unit to rate.", case="percentage"),
    Entry("REG_CALC_UNIT", ERROR,
          "Indicator {indicator} is calculated from two counts, so its figure is a rate, not a count.",
          "Change its unit to percentage, rate or number, or clear Numerator and Denominator."),
    Entry("REG_BAD_TOLERANCE", ERROR,
          "Indicator {indicator} has RAG bands of red {red}, blue {blue}: red must be between 0% and 100%, "
          "blue 0% or more.",
          "Write bands as percentages between 0% and 100%, e.g. 10% and 5%."),
    Entry("REG_BAD_URL", ERROR,
          "'{url}' is not a web or mail address.",
          "Write the full address starting https:// (or http://, mailto:)."),
    Entry("REG_BAD_EMAIL", ERROR,
          "'{email}' is not an email address.",
          "Write the lead's address as name@council.gov.uk."),
    Entry("REG_BAD_EMAIL", ERROR,
          "'{email}' has letters outside ASCII: kpixl sends only to ASCII addresses, because not every mail "
          "server on the way can deliver any other.",
          "Write the lead's address in ASCII letters (the council's directory gives each person one).",
          case="ascii"),
    Entry("REG_TEXT_TOO_LONG", ERROR,
          "{header} is {length:,} characters long: more than the {limit:,} an Excel cell holds, so no workbook "
          "could show it.",
          "Shorten it: put the long text in a document and link to it instead."),
    Entry("REG_CONTROL_CHAR", ERROR,
          "{header} holds a control character (shown as ?): '{shown}'. A name or an address never needs one, and "
          "printed on a screen or put in an email it could change what is shown.",
          "Retype the text: copying from another program can bring such characters with it."),
    Entry("REG_NO_LEAD_EMAIL", WARNING,
          "Service '{service}' has no lead email, so its workbook cannot be sent.",
          "Add the lead's email address."),
    Entry("REG_EMPTY", WARNING,
          "The register has no services yet, so there is nobody to send a workbook to.",
          "Add each service with its lead's name and email (Services sheet, or services: in YAML).",
          case="services"),
    Entry("REG_EMPTY", WARNING,
          "The register has no committees yet, so there is no report to build.",
          "Add each committee that receives a report (Committees sheet, or committees: in YAML).",
          case="committees"),
    Entry("REG_EMPTY", WARNING,
          "The register has no indicators yet, so there is nothing to collect or report.",
          "Add each indicator with its service, committees and targets (Indicators and Targets sheets, or "
          "indicators: in YAML).", case="indicators"),
    Entry("REG_EMPTY_COMMITTEE", WARNING,
          "Committee '{committee}' has no indicators, so its report would be empty.",
          "List it in the Committee IDs of its indicators, or delete the row."),

    # A history file (kpixl history import): the file (kpixl/steps/history.py, kpixl/intake/history_*.py)
    Entry("FIG_UNKNOWN_FORMAT", ERROR,
          "kpixl imports history from .csv or .xlsx, not '{found}'.",
          "Save the table as CSV UTF-8 or as an Excel workbook (.xlsx)."),
    Entry("FIG_UNREADABLE", ERROR,
          "The file cannot be read as a workbook: {detail}.",
          "Save it from Excel as .xlsx (or as CSV UTF-8) and try again."),
    Entry("FIG_ENCODING", ERROR,
          "The file is not UTF-8 text.",
          "Save it as 'CSV UTF-8 (Comma delimited)' and try again."),
    Entry("FIG_TOO_LARGE", ERROR,
          "The file is over {limit} MB.",
          "Split it, or check it is the right file.", case="file"),
    Entry("FIG_TOO_LARGE", ERROR,
          "The workbook is too large to read safely: {detail}.",
          "Split the history into smaller files, or save it as CSV UTF-8, and try again."),
    Entry("FIG_TOO_MANY_ROWS", ERROR,
          "The sheet has more than {limit:,} rows of figures.",
          "Split the history into several smaller files."),
    Entry("FIG_EMPTY", ERROR,
          "The file holds no figures.",
          "Check it is the right file: one row per indicator and period."),
    Entry("FIG_MISSING_COLUMN", ERROR,
          "{missing} missing.",
          "The first row must name the columns: {columns}."),
    # A history file's rows (kpixl/intake/history_csv.py)
    Entry("FIG_UNKNOWN_INDICATOR", ERROR,
          "Indicator '{indicator}' is not in the register.",
          "Correct the number."),
    Entry("FIG_BAD_PERIOD", ERROR,
          "{detail}.",
          "Correct the period: a quarter as 2023-24-Q2, a month as 2023-09."),
    Entry("FIG_BAD_STATUS", ERROR,
          "Status '{status}' is unknown.",
          "Write validated, provisional or not_available."),
    Entry("FIG_NOT_A_NUMBER", ERROR,
          "{detail}.",
          "Enter the figure, or leave it empty with status not_available and a reason."),
    Entry("FIG_PERCENT_SCALE", ERROR,
          "Indicator {indicator} is a percentage; {value} would be {value}00%.",
          "Did you mean {value}%? Write percentages with a % sign."),
    Entry("FIG_MISSING", ERROR,
          "The figure is empty.",
          "Enter the figure, or set status not_available and give a reason."),
    Entry("FIG_CALC", ERROR,
          "The value {value} disagrees with its numerator and denominator, whose rate is {rate}.",
          "Correct the counts or the value, or leave the value empty: kpixl calculates it from the counts."),
    Entry("FIG_CALC", ERROR,
          "Indicator {indicator} is not calculated, but a numerator and denominator are given.",
          "Leave them empty, or give the indicator its Numerator and Denominator in the register.",
          case="not_calculated"),
    Entry("FIG_CALC", ERROR,
          "The {missing} is empty; a calculated figure needs both counts.",
          "Give both counts, or neither (then the value alone is kept).", case="incomplete"),
    Entry("FIG_CALC", ERROR,
          "The denominator is zero, so there is no rate.",
          "Correct the denominator, or give no counts and status not_available with a reason.", case="zero"),
    Entry("FIG_BAD_DATE", ERROR,
          "'{date}' is not a date.",
          "Write the action's due date as 2024-03-31."),
    Entry("FIG_DUPLICATE", ERROR,
          "Indicator {indicator} has a second figure for {period} (the first is in row {first}).",
          "Keep one row for each indicator and period."),

    # A comparator file (kpixl comparators import: kpixl/intake/comparators_csv.py, docs/insight.md)
    Entry("COMP_UNKNOWN_FORMAT", ERROR,
          "kpixl imports comparators from .csv files, not '{found}'.",
          "Save the table as CSV UTF-8 (kpixl's tidy columns, or LG Inform's download).", case="suffix"),
    Entry("COMP_UNKNOWN_FORMAT", ERROR,
          "This is neither kpixl's comparator table nor an LG Inform download: its first row holds {found}.",
          "Name the columns indicator (or metric), area_code, area_name, period, value (docs/insight.md), or "
          "import the CSV as LG Inform saved it."),
    Entry("COMP_ENCODING", ERROR,
          "The file is not UTF-8 text.",
          "Save it as 'CSV UTF-8 (Comma delimited)' and try again."),
    Entry("COMP_TOO_LARGE", ERROR,
          "The file is over {limit} MB.",
          "Download fewer metrics, areas or periods at once, or check it is the right file.", case="file"),
    Entry("COMP_TOO_LARGE", ERROR,
          "The file has more than {limit:,} rows; kpixl stopped reading here.",
          "Split it, or download fewer metrics, areas or periods at once.", case="rows"),
    Entry("COMP_TOO_LARGE", ERROR,
          "A row has more than {limit:,} columns; kpixl stopped reading here.",
          "Download fewer periods at once, or check it is the right file.", case="columns"),
    Entry("COMP_UNREADABLE", ERROR,
          "The file is not readable as CSV from here: {detail}.",
          "Open it in a spreadsheet program, save it again as CSV UTF-8, and try again."),
    Entry("COMP_MISSING_COLUMN", ERROR,
          "{missing} missing.",
          "The header must name the columns: {columns}."),
    Entry("COMP_NO_METRIC", ERROR,
          "This LG Inform download has one column per period and does not say which metric it holds.",
          "Name the metric: kpixl comparators import FILE --metric ID (the LG Inform metric id, as the register's "
          "Benchmark metric gives it)."),
    Entry("COMP_MISSING", ERROR,
          "The {column} is empty.",
          "Fill it in, or delete the row."),
    Entry("COMP_UNKNOWN_INDICATOR", ERROR,
          "Indicator '{indicator}' is not in the register.",
          "Correct the number, or name the published metric in a metric column instead."),
    Entry("COMP_BAD_AREA", ERROR,
          "'{code}' is not an area code (letters, digits, _ and - only, at most 40).",
          "Write the area's code, such as E10000003."),
    Entry("COMP_BAD_METRIC", ERROR,
          "'{metric}' is not a metric id (letters, digits and _ . : / - only, at most 100).",
          "Write the publisher's id of the metric, such as LG Inform's 2099."),
    Entry("COMP_BAD_PERIOD", ERROR,
          "{detail}.",
          "Write the period as 2022/23, 2022/23 Q2, 2023-09 or 2022."),
    Entry("COMP_NOT_A_NUMBER", ERROR,
          "{detail}.",
          "Write the figure, or leave the cell empty where nothing is published."),
    Entry("COMP_PERCENT_SCALE", ERROR,
          "Indicator {indicator} is a percentage; {value} would be over 100%.",
          "Did you mean {value}%? Write percentages with a % sign (or as a fraction: 0.68)."),
    Entry("COMP_DUPLICATE", ERROR,
          "A second value for area {area} and {period} (the first is on line {first}).",
          "Keep one row for each area and period."),
    Entry("COMP_EMPTY", ERROR,
          "The file holds no published values.",
          "Check it is the right file: every value may be suppressed or missing."),
    Entry("COMP_METRIC_UNMAPPED", WARNING,
          "Metric {metric} compares with no indicator of the register, so its values are stored but shown "
          "nowhere yet.",
          "Give the indicator it compares with Benchmark metric {metric} in the register; the values already "
          "stored are then found, without importing again."),

    # The archive and the store (kpixl check: kpixl/steps/check.py)
    Entry("ARCHIVE_MISSING", ERROR,
          "The return {file} (received {date}, {versions} stored from it) is not in the "
          "archive: no {sha256}.* file.",
          _RECOLLECT, case="return"),
    Entry("ARCHIVE_MISSING", ERROR,
          "The history file {file} (imported {date}, {versions} stored from it) is not in the "
          "archive: no {sha256}.* file.",
          _REIMPORT, case="history"),
    Entry("ARCHIVE_MISSING", ERROR,
          "The message {file} (received {date}) is not in the archive: no {sha256}.* file.",
          "Collect the saved message again (kpixl collect FILE): the same bytes restore it, and nothing else "
          "changes.", case="message"),
    Entry("ARCHIVE_MISSING", ERROR,
          "The comparator file {file} (imported {date}) is not in the archive: no {sha256}.* file.",
          _REIMPORT_COMPARATORS, case="comparators"),
    Entry("ARCHIVE_MISSING", ERROR,
          "The evidence {file} of a sign-off (kept {date}) is not in the archive: no {sha256}.* file.",
          _REKEEP, case="evidence"),
    Entry("ARCHIVE_ALTERED", ERROR, _ALTERED, _RECOLLECT, case="return"),
    Entry("ARCHIVE_ALTERED", ERROR, _ALTERED, _REKEEP, case="evidence"),
    Entry("ARCHIVE_ALTERED", ERROR, _ALTERED, _REIMPORT_COMPARATORS, case="comparators"),
    Entry("ARCHIVE_ALTERED", ERROR, _ALTERED, _REIMPORT, case="history"),
    Entry("ARCHIVE_ALTERED", ERROR, _ALTERED, _EITHER),
    Entry("ARCHIVE_ORPHAN", ERROR,
          "An archived file no submission records: a collect or a history import stopped between archiving it "
          "and recording it.",
          _EITHER),
    Entry("FIGURE_REFUSED", ERROR,
          "Version {version} of {period} was stored from {file}, a refused file.",
          _RESTORE),
    Entry("FIGURE_VERSIONS", ERROR,
          "The versions of {period} are {versions}, not 1 to {count}.",
          _RESTORE),
    Entry("FIGURE_CHANGED", ERROR,
          "Version {version} of {period} says {what} {stored}, but its file {file} says {found} ({cell}): the "
          "store was changed after the file was collected.",
          _RESTORE),
    Entry("FIGURE_UNREADABLE", ERROR,
          "A figure in the store cannot be read: table {table}, row {row}, column {column} is '{found}'. It "
          "was changed outside kpixl, or damaged.",
          "Put the value back as it was, or restore the store from a backup."),
    Entry("ARCHIVE_NOT_REREAD", WARNING,
          "The figures stored from {file} could not be compared with the file: read again today, {why}.",
          "Nothing needs doing if the register or kpixl changed since it was collected; otherwise restore the "
          "store from a backup and collect again."),
    Entry("ARCHIVE_LEFTOVER", WARNING,
          "A temporary file left by a collect or a history import that was interrupted while archiving.",
          "Delete it: the file it was copying was not recorded, and collecting (or importing) it again archives "
          "it whole."),
    Entry("ARCHIVE_UNKNOWN", WARNING,
          "A file kpixl did not put in the archive.",
          "Move it out of the archive folder."),
    Entry("HISTORY_NOT_ARCHIVED", WARNING,
          "The history file {file} (imported {date}, {versions} stored from it) is not in the "
          "archive: it was imported before kpixl kept history files. Its figures are not affected.",
          "To keep it, import the same file again (kpixl history import FILE): it is archived, and nothing else "
          "changes. Or leave it: nothing needs doing."),
)
CATALOGUE: dict[str, Entry] = {e.key: e for e in _ENTRIES}
CODES: dict[str, str] = {e.code: e.severity for e in _ENTRIES}  # every code and its severity
