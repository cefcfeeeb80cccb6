"""Every limit the returns reader puts on a file it did not make, in one place.

Returns arrive by email from dozens of people: each one is untrusted. A real return is a ~30 KB .xlsx with
about 20 zip parts and a few dozen rows, so every limit here is far above anything a real return reaches
and far below what would exhaust an officer's machine. When a file hits one, the problem names the limit
(FILE_TOO_LARGE), so nobody is left guessing. Tests and the hostile-input corpus (issue 7) import these
names rather than repeating the numbers.
"""

from __future__ import annotations

from kpixl.layout.returns import FEEDBACK_HEADERS
from kpixl.layout.returns import MAX_ROWS as LAYOUT_MAX_ROWS

__all__ = [
    "FEEDBACK_MAX_CELLS",
    "FEEDBACK_MAX_KEPT",
    "FEEDBACK_MAX_UNCOMPRESSED",
    "FEEDBACK_READ",
    "HEADER_SEARCH_ROWS",
    "MAX_ATTACHMENTS",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_COMMENT_DEPTH",
    "MAX_DEFINED_NAMES",
    "MAX_ELEMENTS",
    "MAX_FIELD_BYTES",
    "MAX_FIELD_PARAMETERS",
    "MAX_FILES",
    "MAX_FILE_BYTES",
    "MAX_HEADER_BYTES",
    "MAX_HEADER_FIELDS",
    "MAX_MESSAGE_BYTES",
    "MAX_MESSAGE_DEPTH",
    "MAX_MESSAGE_PARTS",
    "MAX_META_ROWS",
    "MAX_MSG_ENTRIES",
    "MAX_MSG_STRING_BYTES",
    "MAX_PARSED_FIELD_BYTES",
    "MAX_PARTS",
    "MAX_PART_BYTES",
    "MAX_PART_ELEMENTS",
    "MAX_RATIO",
    "MAX_ROWS",
    "MAX_ROW_CELLS",
    "MAX_ROW_ELEMENTS",
    "MAX_SHARED_STRINGS",
    "MAX_SHEETS",
    "MAX_SHEET_ROWS",
    "MAX_TEXT_CHARS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_WHOLE_PART_ELEMENTS",
    "META_READ",
    "RATIO_FLOOR",
    "RETURN_READ",
]

MAX_FILE_BYTES = 10 * 2**20  # the file as received
MAX_PARTS = 500  # zip members
MAX_PART_BYTES = 25 * 2**20  # one member once inflated (a sheet, the shared strings)
MAX_UNCOMPRESSED_BYTES = 40 * 2**20  # all members once inflated: what openpyxl may hold in memory at once
MAX_RATIO = 100  # inflated / compressed, for members bigger than RATIO_FLOOR: a zip bomb's signature
RATIO_FLOOR = 2**20  # small XML parts compress 50x and more legitimately; only big ones can be bombs
# What openpyxl would build from one part, counted by parts.scan_parts before it opens anything:
MAX_SHARED_STRINGS = 25_000  # read-only mode loads the whole table, at ~20 us a string; a return has a few
# hundred, a 2,000-row return saved by Excel about 12,000
MAX_SHEET_ROWS = 10_000  # row elements in one sheet, or a declared dimension reaching further down
MAX_ROW_CELLS = 16_384  # cells in one row: Excel's own width (XFD); openpyxl builds a whole row at once
MAX_ROW_ELEMENTS = 100_000  # XML elements in one row or shared string (cells, runs of rich text)
MAX_PART_ELEMENTS = 40_000  # other elements of one part (a 2,000-row Return sheet's validations: under 10,000)
MAX_WHOLE_PART_ELEMENTS = 10_000  # in a part openpyxl builds whole, at ~25 us an element (styles, workbook,
# content types, relationships); kpixl's styles have about 300
MAX_SHEETS = 100  # openpyxl opens each sheet listed to read its size (20,000 took 16 s); a return has 4
# What a whole return may hold, whatever its parts: the time to read a file within every limit is bounded by
# these (issue 12: under 2 s and 200 MB with --feedback; benchmarks/hostile.py measures the dearest files).
MAX_ELEMENTS = 150_000  # XML elements in all parts together (openpyxl's read-only mode parses every sheet it
# lists up to its rows' end, to find its size); a 2,000-row return has about 80,000
MAX_CELLS = 100_000  # cells in all sheets together; a 2,000-row return has at most 36,000 (18 columns)
MAX_DEFINED_NAMES = 5_000  # named ranges; kpixl's workbook has one (the print titles)
MAX_TEXT_CHARS = 32_767  # characters of one text: what an Excel cell holds, so a longer one is not Excel's
MAX_ROWS = LAYOUT_MAX_ROWS  # data rows read from the Return sheet (a dimension of a million rows is damage)
MAX_COLUMNS = 60  # columns read; the Return sheet has 22 at most (with the count columns)
MAX_META_ROWS = MAX_ROWS + 50  # the hidden metadata sheet: a row per return row, plus its head
HEADER_SEARCH_ROWS = 10  # a lead may insert a title above the header row; look this far for it
# The rows and columns kpixl reads of each sheet it opens (intake/book.py reads these; the text rules of
# untrusted/sheets.py apply to the cells inside them).
RETURN_READ = (HEADER_SEARCH_ROWS + MAX_ROWS + 1, MAX_COLUMNS)
META_READ = (MAX_META_ROWS, 2)
FEEDBACK_READ = (HEADER_SEARCH_ROWS + MAX_ROWS, len(FEEDBACK_HEADERS) + 5)  # a banner may sit above its header
MAX_FILES = 5000  # files taken from the folders named on one command line
FEEDBACK_MAX_UNCOMPRESSED = 10 * 2**20  # a workbook reopened in full to mark it for feedback
# openpyxl's full mode builds an object for every cell, and for every cell a merged range or a hyperlink covers:
# a return whose sheets hold more is not marked (its lead gets the Problems sheet alone).
FEEDBACK_MAX_CELLS = 25_000  # ~30 us a cell to load and save, twice that for merged cells; 1,400 full rows
# Nor one whose parts hold many elements outside rows and strings (styles, names, relationships): openpyxl keeps
# each as an object and writes it back, and a stylesheet near its limit made the mark cost more than the read.
FEEDBACK_MAX_KEPT = 5_000  # a kpixl return keeps about 700

# Saved and fetched email messages (.eml, Outlook .msg), read before their attachments are checked as returns
# (kpixl/mail/: research in docs/mail.md). A lead's reply is a few hundred KB: a body, perhaps a signature
# image, one workbook. Every limit acts while the message is read, not after: the standard library's parser
# has none (1,000 nested parts: RecursionError; a 5 MB folded Subject: 116 s to read).
MAX_MESSAGE_BYTES = 30 * 2**20  # the message as saved (base64 makes a 10 MB workbook 13.5 MB)
MAX_MESSAGE_PARTS = 200  # MIME entities, the message itself included
MAX_MESSAGE_DEPTH = 8  # multiparts and forwarded messages inside each other
MAX_HEADER_FIELDS = 500  # header fields of one entity (a message relayed many times has ~50)
MAX_HEADER_BYTES = 256 * 2**10  # all header fields of one entity
MAX_FIELD_BYTES = 64 * 2**10  # one header field kpixl never parses (To, References, Received...)
MAX_PARSED_FIELD_BYTES = 4096  # one field the parser reads (From, Date, Subject, Content-*): their cost grows fast
MAX_FIELD_PARAMETERS = 32  # ';' in one Content-* field
MAX_COMMENT_DEPTH = 16  # nested "(" in one field: the header parser recurses on each
MAX_ATTACHMENTS = 50  # attachments taken from one message
MAX_MSG_STRING_BYTES = 2**20  # one text property of an Outlook .msg (the subject, the transport headers)
MAX_MSG_ENTRIES = 5000  # storages and streams in an Outlook .msg (a message with 50 attachments has ~1,000)
