"""File names for collection workbooks: council, service and period, safe on every file system.

A name is built from ASCII slugs only (letters, digits, hyphens), each part bounded in length, joined by
underscores: `cambridgeshire-county-council_libraries_2023-24-Q2.xlsx`. Whatever a service is called
("../../etc", "Trading Standards / Fire: A*?", "CON"), the name has no separator, no dot but the
extension's, no reserved device name, and cannot leave the output folder.
"""

from __future__ import annotations

import hashlib
import re

from kpixl.files import PART_MAX, slug

__all__ = ["workbook_filename"]


def workbook_filename(council: str, service_id: str, period_slug: str) -> str:
    """The workbook's file name. A service id that loses characters in the slug gets a short hash of the
    original, so that two ids which differ only in punctuation cannot overwrite each other's file."""
    service = slug(service_id, "service")
    if service != service_id:
        service = f"{service[:PART_MAX - 7]}-{hashlib.sha256(service_id.encode()).hexdigest()[:6]}"
    period = re.sub(r"[^A-Za-z0-9-]+", "-", period_slug).strip("-")[:20] or "period"
    return f"{slug(council, 'council')}_{service}_{period}.xlsx"
