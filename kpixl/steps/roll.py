"""kpixl register roll: next year's register proposed from this year's targets, as a file and a diff to
review (docs/insight.md, section 4). The workspace's register is never changed: the officer reviews the
proposal and points [paths] register at it (or copies it over) when it is right."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kpixl.domain.numbers import parse_number
from kpixl.domain.periods import FinancialYear
from kpixl.domain.rollover import Rollover, roll_register
from kpixl.errors import ConfigError, NotANumber, PathError
from kpixl.files import write_atomic
from kpixl.register.yaml_file import dump_yaml
from kpixl.steps.workspace import Workspace
from kpixl.workbook.register_book import write_register_workbook

__all__ = ["MAX_UPLIFT", "RolledRegister", "parse_uplift", "roll_workspace_register"]

MAX_UPLIFT = Decimal(1)  # a change of more than 100% is a typing slip (500 for 5%), not a target


@dataclass(frozen=True)
class RolledRegister:
    rollover: Rollover
    path: Path  # the proposed register written


def parse_uplift(text: str | None) -> Decimal | None:
    """ "5%" -> 0.05; None or "0%" -> None (the same targets); ConfigError for anything else."""
    if text is None:
        return None
    try:
        parsed = parse_number(text)
    except NotANumber:
        parsed = None
    if parsed is None or not parsed.percent_sign or not 0 <= parsed.value <= MAX_UPLIFT:
        raise ConfigError(f"--uplift '{text}' is not a change kpixl can make: write a percentage between 0% "
                          "and 100%, such as 5%: each target moves that much in its direction for improvement")
    return parsed.value or None


def roll_workspace_register(workspace: Workspace, year_text: str, uplift: Decimal | None = None,
                            out: Path | None = None) -> RolledRegister:
    """Propose the year's targets from the year before's and write the proposed register (register-2024-25.yaml
    beside the workspace's register, or out: .yaml or .xlsx); never over an existing file."""
    year = FinancialYear.parse(year_text)
    register = workspace.valid_register()
    rollover = roll_register(register, year, uplift)
    suffix = workspace.register_path.suffix.lower() if out is None else out.suffix.lower()
    path = out or workspace.register_path.with_name(f"register-{year.slug}{suffix}")
    if path.exists():  # it may be the register in use, or a proposal already edited: never replaced
        raise PathError(f"{path} already exists: name another file with --out, or delete {path.name} first")
    if suffix == ".xlsx":
        write_register_workbook(path, rollover.register)
    elif suffix in (".yaml", ".yml"):
        write_atomic(path, dump_yaml(rollover.register).encode("utf-8"))
    else:
        raise ConfigError(f"{path} should end in .yaml or .xlsx")
    return RolledRegister(rollover, path)
