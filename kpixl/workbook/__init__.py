"""Collection workbooks: one signed .xlsx per service and quarter, for the service lead to fill in.

The only place in kpixl that imports xlsxwriter. See docs/workbooks.md for the design.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .build import Progress, WrittenWorkbook, default_folder, write_workbooks
from .names import workbook_filename

if TYPE_CHECKING:
    from .meta import read_meta

__all__ = ["Progress", "WrittenWorkbook", "default_folder", "read_meta", "workbook_filename", "write_workbooks"]


def __getattr__(name: str) -> Any:  # read_meta needs openpyxl: import it only when asked for
    if name == "read_meta":
        from .meta import read_meta

        return read_meta
    raise AttributeError(name)
