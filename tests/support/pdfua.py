"""PDF/UA checks with the pdfua package (no tests here): every finding, and every rule that could not run.

An adapter for one bug of pdfua 0.1.3 (the latest release): pdfua.document.as_integer asks
getattr(value, "is_integer", False), and pikepdf 9 and 10 raise ValueError, not AttributeError, for an unknown
attribute of an Array. So the heading rule UA-14-001 ("heading with no content") is skipped with "rule raised
ValueError" on every LibreOffice PDF, whose headings have an array /K. The same function with that exception
caught is put in its place, where the rule and the document model look it up. A rule skipped for any other
reason is returned as a finding, so a check that silently stopped running fails the tests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pdfua
import pdfua.document
import pdfua.rules.structure

_as_integer = pdfua.document.as_integer


def _as_integer_or_none(value: object) -> int | None:
    try:
        return _as_integer(value)
    except ValueError:  # pikepdf: "not a Dictionary or Stream: cannot get key '/is_integer'"
        return None


pdfua.document.as_integer = _as_integer_or_none
pdfua.rules.structure.as_integer = _as_integer_or_none


def pdfua_findings(path: Path) -> list[dict[str, Any]]:
    """Every finding ({"rule_id", "severity", "page", "message", ...}) and every rule that did not run."""
    report = pdfua.validate(str(path))
    skipped = [{"rule_id": o.rule_id, "severity": "skipped", "message": o.skipped_reason}
               for o in report.outcomes if o.skipped_reason]
    return [dict(f.to_dict()) for f in report.findings] + skipped
