"""Helpers shared by the workbook and send tests (no tests here): workspaces, custom registers, and
filling a workbook's cells without disturbing the rest of the file, as a lead's spreadsheet would."""

from __future__ import annotations

import re
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from kpixl.domain import Committee, Indicator, Register, Service
from kpixl.layout.returns import WorkbookMeta
from kpixl.register.yaml_file import dump_yaml
from kpixl.steps.create import init_workspace
from kpixl.steps.generate import WrittenWorkbook, write_workbooks
from kpixl.steps.workspace import Workspace

GENERATED = datetime(2023, 10, 2, 9, 0, tzinfo=UTC)
SEED_SERVICES = ["libraries", "adult-skills", "communities", "coroner", "domestic-abuse", "registration",
                 "trading-standards"]


COLLECTING_Q2 = date(2023, 10, 2)  # a blank workspace made this day collects 2023/24 Q2, due 27 October 2023


def example_workspace(tmp_path: Path) -> Workspace:
    return init_workspace(tmp_path / "ws", "cambridgeshire")


def custom_workspace(tmp_path: Path, services: list[Service], indicators: list[Indicator]) -> Workspace:
    """A blank workspace whose register holds exactly these services and indicators (committee "c")."""
    ws = init_workspace(tmp_path / "custom", today=COLLECTING_Q2)
    register = Register(tuple(services), (Committee("c", "Committee"),), tuple(indicators))
    ws.register_path.write_text(dump_yaml(register), encoding="utf-8")
    return Workspace.open(ws.root)


def indicator(ident: str, service: str = "s", **fields: object) -> Indicator:
    fields.setdefault("targets", {})
    targets = {k: Decimal(str(v)) for k, v in dict(fields.pop("targets")).items()}  # type: ignore[call-overload]
    return Indicator(ident, f"Indicator {ident}", service, ("c",), targets=targets, **fields)  # type: ignore[arg-type]


def write_all(ws: Workspace, **kwargs: object) -> list[WrittenWorkbook]:
    kwargs.setdefault("generated", GENERATED)
    return write_workbooks(ws, ws.period_or_default(None), **kwargs)  # type: ignore[arg-type]


def fill_cells(source: Path, target: Path, values: dict[str, float | str], sheet_xml: str = "xl/worksheets/sheet2.xml") -> None:
    """Copy the workbook, putting values in empty cells of one sheet by editing its XML only: every other
    part, the formulas' cached results included, stays byte for byte as written."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == sheet_xml:
                data = _put(data.decode("utf-8"), values).encode("utf-8")
            dst.writestr(item, data)


def _put(xml: str, values: dict[str, float | str]) -> str:
    for ref, value in values.items():
        pattern = re.compile(rf'<c r="{ref}"( s="\d+")?/>')
        if isinstance(value, str):
            cell = rf'<c r="{ref}"\1 t="inlineStr"><is><t>{value}</t></is></c>'
        else:
            cell = rf'<c r="{ref}"\1><v>{value!r}</v></c>'
        xml, count = pattern.subn(cell, xml)
        assert count == 1, f"no empty cell {ref} to fill"
    return xml


def read_meta(path: Path) -> tuple[WorkbookMeta, str] | None:
    """The metadata and signature kpixl wrote in the workbook at path, read as collect reads them; None when
    the file is not a workbook kpixl wrote."""
    from kpixl.intake.book import read_book

    book, _ = read_book(Path(path).read_bytes(), Path(path).name) if Path(path).is_file() else (None, [])
    pairs = book.meta_pairs if book is not None else None
    if not pairs or "signature" not in pairs:
        return None
    try:
        return WorkbookMeta.from_pairs(pairs), pairs["signature"]
    except (KeyError, ValueError, TypeError):
        return None
