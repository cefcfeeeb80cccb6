"""Reading a workbook's hidden metadata back: the small reader the return reader builds on.

read_meta opens the file with openpyxl (read-only, values only), finds the metadata sheet
(layout.META_SHEET) whatever its visibility (LibreOffice turns "very hidden" into "hidden" on save),
and rebuilds the WorkbookMeta with its signature. It does not verify: layout.verify does, with the
workspace's secret.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..layout import META_SHEET, WorkbookMeta, meta_pairs

__all__ = ["MAX_META_ROWS", "read_meta"]

MAX_META_ROWS = 5000  # more than layout.MAX_ROWS rows plus the head: beyond it the sheet is not kpixl's


def _pairs(path: Path) -> dict[str, str] | None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError):
        return None
    try:
        if META_SHEET not in book.sheetnames:
            return None
        return meta_pairs(book[META_SHEET].iter_rows(min_row=1, max_row=MAX_META_ROWS, max_col=2,
                                                     values_only=True))
    finally:
        book.close()


def read_meta(path: Path) -> tuple[WorkbookMeta, str] | None:
    """The metadata and signature kpixl wrote in the workbook at path; None when the file is not a
    workbook kpixl wrote (not .xlsx, no metadata sheet, or metadata that does not parse)."""
    pairs = _pairs(Path(path))
    if not pairs or "signature" not in pairs:
        return None
    try:
        return WorkbookMeta.from_pairs(pairs), pairs["signature"]
    except (KeyError, ValueError, TypeError):
        return None
