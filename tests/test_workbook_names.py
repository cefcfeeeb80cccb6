"""Workbook file names are safe on every file system, whatever a council calls its services."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.workbook import custom_workspace, indicator, write_all

from kpixl.domain import Service
from kpixl.errors import OutputError
from kpixl.files import safe_child, slug
from kpixl.workbook.names import workbook_filename

SAFE = re.compile(r"[a-z0-9-]+_[a-z0-9-]+_[A-Za-z0-9-]+\.xlsx")
HOSTILE = ["../../etc", "Trading Standards / Fire: A*?", "CON", "..", "", "a\\b", "\u00e9t\u00e9 \u2603",
           "x" * 500, "nul.txt", "a\x00b", "  ", "\u202eexe.xlsx"]


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_service_names_give_safe_names(name: str, tmp_path: Path) -> None:
    file_name = workbook_filename("Cambridgeshire County Council", name, "2023-24-Q2")
    assert SAFE.fullmatch(file_name), file_name
    assert len(file_name) <= 150
    assert safe_child(tmp_path, file_name).parent == tmp_path.resolve()


def test_the_seed_example_name() -> None:
    assert workbook_filename("Cambridgeshire County Council", "libraries", "2023-24-Q2") == \
        "cambridgeshire-county-council_libraries_2023-24-Q2.xlsx"
    assert slug("Trading Standards / Fire: A*?") == "trading-standards-fire-a"


def test_ids_differing_only_in_punctuation_get_different_names() -> None:
    names = {workbook_filename("C", ident, "2023-24-Q2") for ident in ("a/b", "a-b", "a b", "A-B")}
    assert len(names) == 4


@given(st.text(), st.text())
def test_any_council_and_service_give_a_safe_name(council: str, service: str) -> None:
    name = workbook_filename(council, service, "2023-24-Q2")
    assert SAFE.fullmatch(name) and len(name) <= 150


def test_safe_child_refuses_to_leave_the_folder(tmp_path: Path) -> None:
    for name in ("../x.xlsx", "/etc/passwd", "sub/x.xlsx", ".."):
        with pytest.raises(OutputError):
            safe_child(tmp_path, name)


def test_a_register_with_hostile_service_ids_writes_inside_the_output_folder(tmp_path: Path) -> None:
    services = [Service(name, f"Service {i}") for i, name in enumerate(HOSTILE[:3])]
    indicators = [indicator(str(900 + i), s.id, targets={"2023-24-Q2": 10}) for i, s in enumerate(services)]
    ws = custom_workspace(tmp_path, services, indicators)
    out = tmp_path / "out"
    written = write_all(ws, out=out)
    assert len(written) == 3
    assert sorted(p.name for p in out.iterdir()) == sorted([w.path.name for w in written] + ["manifest.json"])
    assert all(SAFE.fullmatch(w.path.name) for w in written)
