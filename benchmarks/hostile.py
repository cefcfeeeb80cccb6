"""Hostile and broken returns (issues 7 and 12), measured: each case of tests/support/hostile.py (XXE, billion
laughs, zip bombs, a million empty rows or shared strings, a 100 MB commentary, an encrypted workbook, .xls,
.ods, .xlsm, tampered metadata, 99 sheets on one wide part, 2,000 x 2,900 cells, a merged range over a whole
sheet...), with a real filled return first as the baseline.

    python -m benchmarks.hostile [--json FILE] [--no-processes]

Then files built just under each limit (tests/support/hostile.py EDGES), which kpixl goes on to open: the
most a file within the limits can cost. For each: the reason kpixl gives (the problem code, and the limit
its message names); the wall time and the peak of Python allocations (tracemalloc) of assess_bytes in this
process, and of assess_bytes followed by writing its feedback workbook (what --feedback adds: a marked copy
in openpyxl's full mode, or the Problems sheet alone); and the wall time and peak resident memory of a
whole `kpixl validate FILE` process and of a whole `kpixl collect FILE --feedback DIR` process (through
benchmarks/spawn.py, so that this process's memory is not charged to them). Last, the dearest file with and
without --feedback, against issue 12's bound: under 2 s and 200 MB. benchmarks/run.py may call section() to
add the table to its own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from support.hostile import EDGES, Case, Sources, cases
from support.intake import Filled, make_filled

from benchmarks.measure import run_process, time_once, traced_peak
from kpixl.intake.assess import ReturnResult, assess_bytes
from kpixl.intake.feedback import write_feedback

KPIXL = [sys.executable, "-c", "from kpixl.cli import main; main()"]
BOUND_SECONDS, BOUND_MB = 2.0, 200  # issue 12: any file, within the limits or not, with or without --feedback


def _measure(made: Filled, name: str, data: bytes, folder: Path, processes: bool) -> dict[str, Any]:
    results: list[ReturnResult] = []
    marked = folder / "marked"

    def work() -> None:
        results.append(assess_bytes(made.ctx, Path(name), data))

    def with_feedback() -> None:
        result = assess_bytes(made.ctx, Path(name), data)
        write_feedback(result, marked, data, set())

    seconds, peak = time_once(work), traced_peak(work)
    feedback_seconds, feedback_peak = time_once(with_feedback), traced_peak(with_feedback)
    result = results[0]
    errors = result.report.errors
    row: dict[str, Any] = {"case": name, "bytes": len(data), "code": errors[0].code if errors else "accepted",
                           "reason": errors[0].message if errors else "", "seconds": seconds, "peak_mb": peak,
                           "feedback_seconds": feedback_seconds, "feedback_peak_mb": feedback_peak,
                           "marked": result.markable and bool(result.report.problems),
                           "work": {"elements": result.work.elements, "cells": result.work.cells,
                                    "full_cells": result.work.full_cells, "sheets_read": result.sheets_read,
                                    "cells_read": result.cells_read}}
    if processes:
        path = folder / name
        path.write_bytes(data)
        run = run_process([*KPIXL, "validate", str(path), "-w", str(made.ws.root)])
        ws = Path(shutil.copytree(made.ws.root, folder / "ws"))  # collect stores: a fresh copy each time
        try:
            collect = run_process([*KPIXL, "collect", str(path), "--feedback", str(folder / "feedback"), "-w",
                                   str(ws)])
        finally:
            shutil.rmtree(ws)
            shutil.rmtree(folder / "feedback", ignore_errors=True)
        row |= {"process_seconds": run.seconds, "process_cpu_seconds": run.cpu_seconds,
                "process_rss_mb": run.maxrss_mb, "exit": run.returncode,
                "feedback_process_seconds": collect.seconds, "feedback_process_cpu_seconds": collect.cpu_seconds,
                "feedback_process_rss_mb": collect.maxrss_mb}
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
    print(f"{'case':26} {'size':>8} {'code':18} {'assess':>7} {'peak':>7} {'+feedback':>9} {'peak':>7} "
          f"{'validate (cpu)':>15} {'rss':>6} {'collect --feedback (cpu)':>24} {'rss':>6}")
    for row in data["cases"] + data["edges"]:
        process = (f"{row['process_seconds']:6.2f}s ({row['process_cpu_seconds']:4.2f}s) "
                   f"{row['process_rss_mb']:4.0f}MB {row['feedback_process_seconds']:15.2f}s "
                   f"({row['feedback_process_cpu_seconds']:4.2f}s) {row['feedback_process_rss_mb']:4.0f}MB"
                   if "exit" in row else "")
        marked = "*" if row["marked"] else " "
        print(f"{row['case']:26} {row['bytes'] / 2**20:7.2f}M {row['code'][:18]:18} "
              f"{row['seconds'] * 1000:5.0f}ms {row['peak_mb']:5.1f}MB {row['feedback_seconds'] * 1000:6.0f}ms"
              f"{marked} {row['feedback_peak_mb']:5.1f}MB {process}")
        if row["reason"]:
            print(f"{'':26}   {row['reason'][:150]}")
    print("* a marked copy was written (openpyxl's full mode); otherwise the feedback is the Problems sheet alone")
    for line in dearest(data):
        print(line)


def dearest(data: dict[str, Any]) -> list[str]:
    """The slowest file with and without --feedback, and its cost, against issue 12's bound: whole processes'
    wall and CPU time (on a machine shared with other work the wall time swells, the CPU time much less) and
    peak resident memory; in process only when processes were not run."""
    rows = data["cases"] + data["edges"]
    processes = "exit" in rows[0]
    lines = []
    for label, prefix in (("without --feedback", "process_" if processes else ""),
                          ("with --feedback", "feedback_process_" if processes else "feedback_")):
        seconds = f"{prefix}seconds"
        cpu = f"{prefix}cpu_seconds" if processes else seconds
        memory = f"{prefix}rss_mb" if processes else ("feedback_peak_mb" if prefix else "peak_mb")
        worst = max(rows, key=lambda row: row[cpu])
        heaviest = max(rows, key=lambda row: row[memory])
        within = worst[cpu] < BOUND_SECONDS and heaviest[memory] < BOUND_MB
        lines.append(f"Dearest {label}: {worst['case']}, {worst[seconds]:.2f} s ({worst[cpu]:.2f} s CPU) and "
                     f"{worst[memory]:.0f} MB; most memory: {heaviest['case']}, {heaviest[memory]:.0f} MB "
                     f"({'within' if within else 'OVER'} {BOUND_SECONDS:.0f} s and {BOUND_MB} MB"
                     f"{', whole processes' if processes else ', in process (tracemalloc)'})")
    return lines


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
    return 1 if wrong or any("OVER" in line for line in dearest(data)) else 0


if __name__ == "__main__":
    sys.exit(main())
