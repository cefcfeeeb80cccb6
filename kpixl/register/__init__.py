"""Reading, checking and writing the register (a workbook or YAML)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kpixl.domain import Register
from kpixl.errors import YamlError
from kpixl.problems import Problem, Report, Where, problem
from kpixl.register.build import RawRow, build_register, check_register
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
    where = Where(path.name)
    if path.suffix.lower() in YAML_SUFFIXES:
        try:
            return read_yaml_rows(path.read_text(encoding="utf-8")), []
        except OSError as exc:
            return [], [problem("REG_UNREADABLE/open", where, detail=exc.strerror or exc)]
        except YamlError as exc:
            at = where.at(f"line {exc.line}") if exc.line else where
            return [], [problem("REG_UNREADABLE/yaml", at, detail=exc)]
        except UnicodeDecodeError as exc:
            return [], [problem("REG_UNREADABLE/yaml", where, detail=exc)]
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        # Imported here, for a register kept as a workbook only: openpyxl takes 0.12-0.15 s to import, and
        # every command loads the register, most often a YAML one (benchmarks/README.md, "Imports").
        from kpixl.register.workbook_file import read_workbook_rows

        return read_workbook_rows(path)
    return [], [problem("REG_UNKNOWN_FORMAT", where, suffix=path.suffix or "no extension")]


def load_register(path: Path) -> LoadedRegister:
    """The register at path with every problem found in it; bad content never raises."""
    rows, problems = _read_rows(path)
    register, build_problems, by_sheet = build_register(rows, path.name)
    report = Report(problems + build_problems)
    if not problems:
        report.extend(check_register(register, by_sheet, path.name))
    return LoadedRegister(path, register, report)
