"""Reading, checking and writing the register (a workbook or YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kpixl.domain import Register
from kpixl.errors import YamlError
from kpixl.problems import Problem, Report, Severity
from kpixl.register.build import RawRow, build_register, check_register
from kpixl.register.workbook_file import read_workbook_rows
from kpixl.register.yaml_file import read_yaml_rows

__all__ = ["LoadedRegister", "RawRow", "load_register"]

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class LoadedRegister:
    path: Path
    register: Register
    report: Report = field(default_factory=Report)


def _read_rows(path: Path) -> tuple[list[RawRow], list[Problem]]:
    name = path.name
    if path.suffix.lower() in YAML_SUFFIXES:

        try:
            return read_yaml_rows(path.read_text(encoding="utf-8")), []
        except (YamlError, UnicodeDecodeError, OSError) as exc:
            return [], [Problem("REG_UNREADABLE", Severity.ERROR, f"This is not readable YAML: {exc}.",
                                "Correct the file at the line shown, or restore it from version control.", name)]
    if path.suffix.lower() in WORKBOOK_SUFFIXES:

        return read_workbook_rows(path)
    return [], [Problem("REG_UNKNOWN_FORMAT", Severity.ERROR, f"kpixl reads registers as .xlsx or .yaml, not "
                        f"'{path.suffix or 'no extension'}'.", "Save the register as .xlsx, or write it as YAML.",
                        name)]


def load_register(path: Path) -> LoadedRegister:
    """The register at path with every problem found in it; bad content never raises."""
    rows, problems = _read_rows(path)
    register, build_problems, by_sheet = build_register(rows, path.name)
    report = Report(problems + build_problems)
    if not problems:
        report.extend(check_register(register, by_sheet, path.name))
    return LoadedRegister(path, register, report)
