"""xlsxwriter's failures, made loud: the one check every kpixl workbook writer uses.

xlsxwriter reports many mistakes by returning -1 or -2, or by warning, instead of raising: a cell, a data
validation or a dropdown can go missing silently. Every call's result passes through check(), and a whole
workbook is written inside guarded(), so that a failure code, a warning or one of xlsxwriter's own
exceptions becomes an OutputError naming what failed. Used by the collection workbooks (writer.py), the
register workbook (register_book.py) and the export (export.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from xlsxwriter.exceptions import XlsxWriterException

from kpixl.errors import OutputError

__all__ = ["check", "guarded"]

# What xlsxwriter's failure codes mean, for the officer reading the message.
_REASONS = {
    -1: "xlsxwriter refused it (a cell outside the sheet, or a setting it cannot hold). This is a bug in kpixl: "
        "please report it",
    -2: "a text in it is too long (an Excel cell holds at most 32,767 characters). Shorten it where it came from: "
        "the register (kpixl register check names the cell), or the return or history file it was stored from",
}


def check(result: object, what: str) -> None:
    """Raise OutputError when an xlsxwriter call returned a failure code (a negative int); what names the
    call in words ("the header Title", "row 7, commentary")."""
    if isinstance(result, int) and not isinstance(result, bool) and result < 0:
        reason = _REASONS.get(result, f"xlsxwriter refused it (code {result}). This is a bug in kpixl: please "
                                      "report it")
        raise OutputError(f"Could not write the workbook: {what} failed: {reason}.")


@contextmanager
def guarded(book: str) -> Iterator[None]:
    """Write a workbook (book names it in words: "the workbook of Library Service") with xlsxwriter's
    warnings as errors: a warning, or an exception xlsxwriter raises (at close, most often), becomes an
    OutputError naming the book."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            yield
        except (Warning, XlsxWriterException) as exc:
            raise OutputError(f"Could not write {book}: {exc}") from None
