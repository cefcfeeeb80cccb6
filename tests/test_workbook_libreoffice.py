"""LibreOffice recalculates filled-in workbooks and every RAG preview says what kpixl.domain.figures.rate says:
for the 19 seed indicators with the seed figures, and at the boundaries (exactly 10% off, exactly 5% over,
zero targets, lower-is-better, percentage points, custom bands).

Figures go into the Return sheet's XML as a lead's typing would put them, leaving the formulas' cached
results ("") in place; LibreOffice does not recalculate .xlsx on load by default, so the run uses its own
profile with OOXMLRecalcMode = 0 (always recalculate) and converts to .xlsx, whose cached results are then
read with openpyxl. Skips without soffice, except under CI, where it fails.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from support.workbook import (
    custom_workspace,
    example_workspace,
    fill_cells,
    indicator,
    read_meta,
    write_all,
)

from kpixl.domain import (
    Direction,
    FigureStatus,
    Frequency,
    Kind,
    PercentageBasis,
    Rag,
    Service,
    Tolerances,
    Unit,
    rate,
)
from kpixl.domain.numbers import parse_number
from kpixl.layout.returns import FIRST_ROW, column
from kpixl.steps.generate import WrittenWorkbook
from kpixl.steps.workspace import Workspace
from kpixl.workbook.formulas import NOT_RATED

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cambridgeshire-csmi" / "figures.csv"
FIGURE, RAG = chr(ord("A") + column("current")), column("rag") + 1
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("LibreOffice (soffice) is required under CI: install libreoffice-calc")
        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def recalculate(files: list[Path], tmp_path: Path) -> dict[str, Path]:
    """Have LibreOffice open, recalculate and save each file as .xlsx; the converted files by name."""
    profile, out = tmp_path / "lo-profile", tmp_path / "recalculated"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
    command = [_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
               "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    converted = {p.name: out / p.name for p in files}
    assert all(p.is_file() for p in converted.values()), done.stdout + done.stderr
    return converted


def expected(ws: Workspace, ind: object, period: object, value: Decimal | None) -> str:
    from kpixl.domain import Indicator

    assert isinstance(ind, Indicator)
    if value is None:
        return ""
    target = None if ind.kind is Kind.IN_DEVELOPMENT else ind.target_for(period)  # type: ignore[arg-type]
    rag = rate(ind.kind, value, target, ind.direction, ind.unit, ind.tolerances or ws.config.tolerances)
    return NOT_RATED if rag is Rag.NOT_RATED else rag.value


def _check(ws: Workspace, books: list[WrittenWorkbook], values: dict[tuple[str, str], Decimal],
           tmp_path: Path) -> int:
    """Fill, recalculate and compare every row; the number of rows compared."""
    from kpixl.register import load_register

    register = load_register(ws.register_path).register
    filled, plans = [], {}
    for book in books:
        meta, _ = read_meta(book.path)
        cells = {f"{FIGURE}{r.row}": float(values[(r.indicator, r.period)]) for r in meta.rows
                 if (r.indicator, r.period) in values}
        target = tmp_path / "filled" / book.path.name
        target.parent.mkdir(exist_ok=True)
        fill_cells(book.path, target, cells)
        filled.append(target)
        plans[book.path.name] = meta.rows
    compared = 0
    for name, path in recalculate(filled, tmp_path).items():
        sheet = load_workbook(path, data_only=True)["Return"]
        for r in plans[name]:
            ind = register.indicator(r.indicator)
            from kpixl.domain import parse_period

            want = expected(ws, ind, parse_period(r.period), values.get((r.indicator, r.period)))
            got = sheet.cell(r.row, RAG).value or ""
            assert got == want, (r.indicator, r.period, values.get((r.indicator, r.period)), got, want)
            compared += 1
    return compared


def test_seed_indicators_with_seed_figures(tmp_path: Path) -> None:
    _soffice()
    ws = example_workspace(tmp_path)
    values = {}
    with EXAMPLE.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            if record["value"] and record["status"] != FigureStatus.NOT_AVAILABLE.value:
                values[(record["indicator"], record["period"])] = parse_number(record["value"]).value
    books = write_all(ws)
    assert _check(ws, books, values, tmp_path) == 21
    assert {ind for ind, _ in values} >= {"36", "37", "38", "136", "137", "138", "174", "175", "176", "177",
                                          "178", "179", "197", "198", "199", "219", "220", "221", "222"}


POINTS = Tolerances(percentage_basis=PercentageBasis.POINTS)
WIDE = Tolerances(red=Decimal("0.2"), blue=Decimal(0))
# (id, unit, direction, kind, yearly target, tolerances, the three monthly figures)
CASES = [
    ("901", Unit.COUNT, Direction.UP, Kind.TARGET, "100", None, ["90", "89", "105"]),
    ("902", Unit.COUNT, Direction.UP, Kind.TARGET, "100", None, ["106", "100", "0"]),
    ("903", Unit.PERCENTAGE, Direction.UP, Kind.TARGET, "0.7", None, ["0.63", "0.629", "0.735"]),
    ("904", Unit.PERCENTAGE, Direction.UP, Kind.TARGET, "0.7", None, ["0.7351", "0.6301", "1"]),
    ("905", Unit.HOURS, Direction.DOWN, Kind.TARGET, "50", None, ["55", "55.01", "47.5"]),
    ("906", Unit.HOURS, Direction.DOWN, Kind.TARGET, "50", None, ["47.49", "45", "0"]),
    ("907", Unit.COUNT, Direction.UP, Kind.TARGET, "0", None, ["0", "1", "3"]),
    ("908", Unit.COUNT, Direction.DOWN, Kind.TARGET, "0", None, ["0", "1", "3"]),
    ("909", Unit.PERCENTAGE, Direction.UP, Kind.TARGET, "0.7", POINTS, ["0.6", "0.599", "0.75"]),
    ("910", Unit.PERCENTAGE, Direction.DOWN, Kind.TARGET, "0.7", POINTS, ["0.8", "0.8001", "0.65"]),
    ("911", Unit.PERCENTAGE, Direction.UP, Kind.TARGET, "0.94", None, ["0.846", "0.8459", "0.987"]),
    ("912", Unit.MONEY, Direction.UP, Kind.TARGET, "1250.5", None, ["1125.45", "1125.44", "1313.025"]),
    ("913", Unit.NUMBER, Direction.UP, Kind.TARGET, "475381", None, ["427842.9", "427842.8", "499150.05"]),
    ("914", Unit.COUNT, Direction.UP, Kind.TARGET, "100", WIDE, ["80", "79", "101"]),
    ("915", Unit.COUNT, Direction.UP, Kind.TARGET, None, None, ["5", "0", "7"]),
    ("916", Unit.COUNT, Direction.NONE, Kind.CONTEXTUAL, "70", None, ["65", "0", "100"]),
    ("917", Unit.COUNT, Direction.UP, Kind.BASELINE, "70", None, ["65", "0", "100"]),
    ("918", Unit.COUNT, Direction.UP, Kind.IN_DEVELOPMENT, None, None, ["120", "0", "1"]),
    ("919", Unit.PERCENTAGE, Direction.UP, Kind.TARGET, "0.74", None, ["0.99", "0.777", "0.7771"]),
]


def test_boundaries(tmp_path: Path) -> None:
    _soffice()
    indicators = [indicator(ident, "s", unit=unit, direction=direction, kind=kind, frequency=Frequency.MONTHLY,
                            targets={"2023-24": target} if target else {}, tolerances=tol)
                  for ident, unit, direction, kind, target, tol, _ in CASES]
    ws = custom_workspace(tmp_path, [Service("s", "Boundaries", "Lead", "lead@example.org")], indicators)
    months = ("2023-07", "2023-08", "2023-09")
    values = {(ident, month): Decimal(v) for ident, *_, figures in CASES for month, v in zip(months, figures)}
    values.pop(("919", "2023-09"))  # an empty figure: no preview
    assert _check(ws, write_all(ws), values, tmp_path) == 3 * len(CASES)


def test_every_seed_workbook_opens_and_converts_in_libreoffice(tmp_path: Path) -> None:
    _soffice()
    ws = example_workspace(tmp_path)
    books = write_all(ws)
    converted = recalculate([b.path for b in books], tmp_path)
    for path in converted.values():
        book = load_workbook(path, data_only=True)
        assert {"Instructions", "Return"} <= set(book.sheetnames)
        sheet = book["Return"]
        assert all((sheet.cell(r, RAG).value or "") == "" for r in range(FIRST_ROW, sheet.max_row + 1))
        # What LibreOffice saves back keeps the table, the protection and the validations.
        assert list(sheet.tables) and sheet.protection.sheet and sheet.data_validations.dataValidation


# A calculated indicator's figure (docs/insight.md, section 3): LibreOffice works the rate out from the two
# counts typed, as kpixl's calculated_rate does, and the RAG preview rates that. (id, unit, scale, yearly
# target, the three months' counts)
CALCULATED = [
    ("951", Unit.PERCENTAGE, "100", "0.7", [(63, 100), (629, 1000), (147, 200)]),  # 10% off, just over, 5% over
    ("952", Unit.RATE, "1000", "4.5", [(9, 2000), (3, 1000), (1, 3)]),  # per 1,000: 4.5, 3 and 333.33...
]


def test_calculated_rows_work_out_their_figure_and_rate_it(tmp_path: Path) -> None:
    _soffice()
    from kpixl.domain.indicators import Calculation
    from kpixl.domain.outlook import calculated_rate
    from kpixl.layout.returns import ALL_COLUMNS, column_in

    indicators = [indicator(ident, "s", unit=unit, frequency=Frequency.MONTHLY, targets={"2023-24": target},
                            calculation=Calculation("Met", "All", Decimal(scale)))
                  for ident, unit, scale, target, _ in CALCULATED]
    ws = custom_workspace(tmp_path, [Service("s", "Calculated", "Lead", "lead@example.org")], indicators)
    [book] = write_all(ws)
    letter = {key: chr(ord("A") + column_in(ALL_COLUMNS, key)) for key in ("current", "numerator", "denominator")}
    cells, rows = {}, []
    for n, (ind, (*_, counts)) in enumerate(zip(indicators, CALCULATED)):
        for m, (numerator, denominator) in enumerate(counts):
            row = FIRST_ROW + 3 * n + m
            cells |= {f"{letter['numerator']}{row}": float(numerator), f"{letter['denominator']}{row}": float(denominator)}
            rows.append((row, ind, calculated_rate(ind, Decimal(numerator), Decimal(denominator))))
    filled = tmp_path / "filled" / book.path.name
    filled.parent.mkdir()
    fill_cells(book.path, filled, cells)
    sheet = load_workbook(recalculate([filled], tmp_path)[book.path.name], data_only=True)["Return"]
    for row, ind, value in rows:
        assert value is not None
        figure = sheet[f"{letter['current']}{row}"].value
        assert abs(Decimal(repr(figure)) - value) < Decimal("1e-9"), (ind.id, row, figure, value)
        rag = rate(ind.kind, value, ind.targets["2023-24"], ind.direction, ind.unit, ws.config.tolerances)
        assert sheet.cell(row, column_in(ALL_COLUMNS, "rag") + 1).value == rag.value, (ind.id, row)
