"""Returns that went through LibreOffice: filled in with openpyxl, re-saved by LibreOffice headless, they read
back the same figures and text, and still verify (LibreOffice turns the "very hidden" metadata sheet into a
"hidden" one). LibreOffice's .xls and .ods get their own answers, and a feedback workbook survives the trip
with its notes. Needs soffice (tests/conftest.py: skips locally without it, fails under CI)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest
from conftest import require_tool
from openpyxl import load_workbook
from support.intake import Filled, assess, codes, make_filled, set_cells

from kpixl.intake.feedback import write_feedbacks
from kpixl.layout.returns import META_SHEET


def convert(sources: list[Path], fmt: str, out: Path) -> list[Path]:
    """Open each file in LibreOffice and save it as fmt, as a lead's LibreOffice would."""
    soffice = require_tool("soffice")
    profile = Path("/tmp") / f"lo-kpixl-{uuid.uuid4().hex}"
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", fmt,
                    "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=240)
    made = [out / f"{s.stem}.{fmt.split(':')[0]}" for s in sources]
    assert all(p.is_file() for p in made), f"LibreOffice made {sorted(p.name for p in out.iterdir())}"
    return made


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Filled:
    return make_filled(tmp_path_factory.mktemp("libreoffice"))


@pytest.fixture(scope="module")
def resaved(filled: Filled, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    services = sorted(filled.filled)
    made = convert([filled.filled[s] for s in services], "xlsx", tmp_path_factory.mktemp("resaved"))
    return dict(zip(services, made, strict=True))


def test_resaved_returns_read_back_the_same_figures_and_text(filled: Filled,
                                                             resaved: dict[str, Path]) -> None:
    for service, path in resaved.items():
        original, again = assess(filled.ctx, filled.filled[service]), assess(filled.ctx, path)
        assert again.verified and codes(again) == codes(original), service
        assert [(r.figure, r.provenance.cell, r.target) for r in again.figures] == [
            (r.figure, r.provenance.cell, r.target) for r in original.figures], service


def test_libreoffice_keeps_the_metadata_sheet_but_only_hidden(resaved: dict[str, Path]) -> None:
    assert load_workbook(resaved["libraries"])[META_SHEET].sheet_state == "hidden"


def test_a_damaged_return_resaved_gives_the_same_problems(filled: Filled, tmp_path: Path) -> None:
    damaged = set_cells(filled.copy("libraries", tmp_path / "in"), {"H3": "96,326", "K4": None, "H5": "=1+1"})
    [again] = convert([damaged], "xlsx", tmp_path / "out")
    assert codes(assess(filled.ctx, again)) == codes(assess(filled.ctx, damaged)) == [
        ("FIGURE_TEXT", "H3", "36"), ("COMMENTARY_MISSING", "K4", "37"), ("FIGURE_FORMULA", "H5", "38")]


def test_libreoffices_xls_and_ods_are_told_apart_by_their_bytes(filled: Filled, tmp_path: Path) -> None:
    [xls] = convert([filled.filled["libraries"]], "xls", tmp_path / "xls")
    [ods] = convert([filled.filled["libraries"]], "ods", tmp_path / "ods")
    renamed = ods.rename(tmp_path / "return.xlsx")
    assert codes(assess(filled.ctx, xls)) == [("FILE_XLS", "", "")]
    assert codes(assess(filled.ctx, renamed)) == [("FILE_ODS", "", "")]


def test_a_feedback_workbook_opens_in_libreoffice_with_its_notes(filled: Filled, tmp_path: Path) -> None:
    damaged = set_cells(filled.copy("libraries", tmp_path / "in"), {"H3": "lots"})
    result = assess(filled.ctx, damaged)
    [feedback] = write_feedbacks([result], tmp_path / "feedback")
    [again] = convert([feedback], "xlsx", tmp_path / "out")
    comment = load_workbook(again)["Return"]["H3"].comment
    assert comment is not None and "'lots' is not a number." in comment.text
    assert codes(assess(filled.ctx, again)) == codes(result)
