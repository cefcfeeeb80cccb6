"""kpixl register: the council's register of services, committees and indicators, as a workbook to fill in
or as YAML to keep in version control, checked with every problem at its sheet, row and column."""

from __future__ import annotations

from pathlib import Path

from kpixl.errors import ConfigError, PathError, WorkspaceError
from kpixl.files import write_atomic
from kpixl.register import LoadedRegister, load_register
from kpixl.register.yaml_file import dump_yaml
from kpixl.steps.workspace import without_errors
from kpixl.workbook.register_book import write_register_workbook

__all__ = ["check_register_file", "export_register", "write_template"]


def write_template(path: Path) -> None:
    """A blank register workbook with a dropdown on every coded column."""
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"{path} should end in .xlsx")
    if path.exists():  # it may be the register someone filled in: a blank template never replaces it
        raise PathError(f"{path} already exists: write the template under another name, or delete {path.name} "
                        "first")
    write_register_workbook(path)


def check_register_file(path: Path) -> LoadedRegister:
    """The register at path with every problem in it; WorkspaceError when there is no file."""
    if not path.is_file():
        raise WorkspaceError(f"There is no register at {path}")
    return load_register(path)


def export_register(loaded: LoadedRegister, path: Path) -> None:
    """A register without errors written to path, as a workbook (.xlsx) or YAML (.yaml, .yml)."""
    register = without_errors(loaded)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_register_workbook(path, register)
    elif suffix in (".yaml", ".yml"):
        write_atomic(path, dump_yaml(register).encode("utf-8"))
    else:
        raise ConfigError(f"{path} should end in .xlsx or .yaml")
