"""Hostile and broken returns (issue 7), measured: each case of tests/support/hostile.py (XXE, billion laughs,
zip bombs, a million empty rows or shared strings, a 100 MB commentary, an encrypted workbook, .xls, .ods,
.xlsm, tampered metadata...), with a real filled return first as the baseline.

    python -m benchmarks.hostile [--json FILE] [--no-processes]

Then files built just under each counting limit (shared strings, rows, styles, names, sheets, cells in a
row), which kpixl goes on to open: the most a file within the limits can cost. For each: the reason kpixl
gives (the problem code, and the limit its message names), the wall time and the peak of Python
allocations (tracemalloc) of assess_bytes in this process, and the wall time and peak resident memory of a
whole `kpixl validate FILE` process (through benchmarks/spawn.py, so that this process's memory is not
charged to it). benchmarks/run.py may call section() to add the table to its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from support.hostile import (
    Case,
    Sources,
    cases,
    empty_rows,
    many_shared_strings,
    many_sheets,
    merged_cells_bomb,
    names_bomb,
    relationships_bomb,
    styles_bomb,
    wide_row,
)
from support.intake import Filled, make_filled

from benchmarks.measure import run_process, time_once, traced_peak
from kpixl.intake.assess import ReturnResult, assess_bytes
from kpixl.untrusted.limits import (
    MAX_DEFINED_NAMES,
    MAX_PART_ELEMENTS,
    MAX_ROW_CELLS,
    MAX_SHARED_STRINGS,
    MAX_SHEET_ROWS,
    MAX_SHEETS,
    MAX_WHOLE_PART_ELEMENTS,
)

KPIXL = [sys.executable, "-c", "from kpixl.cli import main; main()"]


# Files built just under each counting limit: what the most a file kpixl goes on to open can cost.
EDGES: dict[str, Callable[[Sources], bytes]] = {
    "edge-shared-strings.xlsx": lambda s: many_shared_strings(s, MAX_SHARED_STRINGS - 1),
    "edge-empty-rows.xlsx": lambda s: empty_rows(s, MAX_SHEET_ROWS - 10),
    "edge-styles.xlsx": lambda s: styles_bomb(s, (MAX_WHOLE_PART_ELEMENTS - 400) // 2),
    "edge-names.xlsx": lambda s: names_bomb(s, MAX_DEFINED_NAMES - 1),
    "edge-sheets.xlsx": lambda s: many_sheets(s, MAX_SHEETS - 4),
    "edge-wide-row.xlsx": lambda s: wide_row(s, MAX_ROW_CELLS),
    "edge-relationships.xlsx": lambda s: relationships_bomb(s, MAX_WHOLE_PART_ELEMENTS - 100),
    "edge-merged-cells.xlsx": lambda s: merged_cells_bomb(s, MAX_PART_ELEMENTS - 1000),
}


def _measure(made: Filled, name: str, data: bytes, folder: Path, processes: bool) -> dict[str, Any]:
    results: list[ReturnResult] = []

    def work() -> None:
        results.append(assess_bytes(made.ctx, Path(name), data))

    seconds = time_once(work)
    peak = traced_peak(work)
    errors = results[0].report.errors
    row: dict[str, Any] = {"case": name, "bytes": len(data), "code": errors[0].code if errors else "accepted",
                           "reason": errors[0].message if errors else "", "seconds": seconds, "peak_mb": peak}
    if processes:
        path = folder / name
        path.write_bytes(data)
        run = run_process([*KPIXL, "validate", str(path), "-w", str(made.ws.root)])
        row |= {"process_seconds": run.seconds, "process_rss_mb": run.maxrss_mb, "exit": run.returncode}
    return row


def section(workdir: Path | None = None, processes: bool = True) -> dict[str, Any]:
    """Every case measured, the baseline (a real return) first."""
    with tempfile.TemporaryDirectory(prefix="kpixl-hostile-", dir=workdir) as tmp:
        folder = Path(tmp)
        made = make_filled(folder / "made")
        (folder / "files").mkdir()
        real = made.filled["libraries"].read_bytes()
        sources = Sources(real, made.filled["coroner"].read_bytes(), made.ws.secret)
        rows = [_measure(made, "real-return.xlsx", real, folder / "files", processes)]
        for case in cases():
            row = _measure(made, case.name, case.build(sources), folder / "files", processes)
            rows.append(row | {"expected": case.code, "as_expected": _as_expected(case, row)})
        edges = [_measure(made, name, build(sources), folder / "files", processes)
                 for name, build in EDGES.items()]
        return {"cases": rows, "edges": edges}


def _as_expected(case: Case, row: dict[str, Any]) -> bool:
    return bool(row["code"] == case.code and case.words in row["reason"])


def print_table(data: dict[str, Any]) -> None:
    print(f"{'case':24} {'size':>9} {'code':22} {'assess':>8} {'peak':>8} {'process':>8} {'rss':>8}")
    for row in data["cases"] + data["edges"]:
        process = f"{row['process_seconds']:7.2f}s {row['process_rss_mb']:6.0f}MB" if "exit" in row else ""
        print(f"{row['case']:24} {row['bytes'] / 2**20:8.2f}M {row['code']:22} "
              f"{row['seconds'] * 1000:6.0f}ms {row['peak_mb']:6.1f}MB {process}")
        if row["reason"]:
            print(f"{'':24}   {row['reason'][:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--no-processes", action="store_true", help="measure in this process only (faster)")
    args = parser.parse_args(argv)
    data = section(processes=not args.no_processes)
    print_table(data)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    wrong = [row["case"] for row in data["cases"][1:] if not row["as_expected"]]
    print(f"{len(data['cases']) - 1} hostile cases; {len(wrong)} not refused as expected {wrong or ''}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
