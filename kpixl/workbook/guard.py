"""xlsxwriter reports many mistakes by returning -1 (or -2) and warning instead of raising: a data
validation or a cell can go missing silently. Every call's result passes through check(), and the writing
runs under warnings_as_errors(), so that either becomes an OutputError naming what failed."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from kpixl.errors import OutputError

__all__ = ["check", "warnings_as_errors"]


def check(result: object, what: str) -> None:
    """Raise OutputError when an xlsxwriter call returned a failure code (a negative int)."""
    if isinstance(result, int) and not isinstance(result, bool) and result < 0:
        raise OutputError(f"Could not write the workbook: {what} failed (xlsxwriter returned {result})")


@contextmanager
def warnings_as_errors(what: str) -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            yield
        except Warning as exc:
            raise OutputError(f"Could not write {what}: {exc}") from None
