"""Hostile and broken returns (issue 7), measured: each case of tests/hostile_corpus.py (XXE, billion laughs,
zip bombs, a million empty rows or shared strings, a 100 MB commentary, an encrypted workbook, .xls, .ods,
.xlsm, tampered metadata...), with a real filled return first as the baseline.

    python -m benchmarks.hostile [--json FILE] [--no-processes]

For each case: the reason kpixl gives (the problem code, and the limit its message names), the wall time
and the peak of Python allocations (tracemalloc) of assess_bytes in this process, and the wall time and peak
resident memory of a whole `kpixl validate FILE` process (through benchmarks/spawn.py, so that this
process's memory is not charged to it). benchmarks/run.py may call section() to add the table to its own.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from hostile_corpus import Case, Sources, cases
from test_intake_support import Filled, make_filled

from benchmarks.measure import run_process, time_once, traced_peak
from kpixl.intake.assess import assess_bytes
from kpixl.intake.result import ReturnResult

KPIXL = [sys.executable, "-c", "from kpixl.cli import main; main()"]


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
        return {"cases": rows}


def _as_expected(case: Case, row: dict[str, Any]) -> bool:
    return bool(row["code"] == case.code and case.words in row["reason"])


def _print(data: dict[str, Any]) -> None:
    print(f"{'case':24} {'size':>9} {'code':22} {'assess':>8} {'peak':>8} {'process':>8} {'rss':>8}")
    for row in data["cases"]:
        process = f"{row['process_seconds']:7.2f}s {row['process_rss_mb']:6.0f}MB" if "exit" in row else ""
        print(f"{row['case']:24} {row['bytes'] / 2**20:8.2f}M {row['code']:22} {row['seconds'] * 1000:6.0f}ms "
              f"{row['peak_mb']:6.1f}MB {process}")
        if row["reason"]:
            print(f"{'':24}   {row['reason'][:150]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--no-processes", action="store_true", help="measure in this process only (faster)")
    args = parser.parse_args(argv)
    data = section(processes=not args.no_processes)
    _print(data)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    wrong = [row["case"] for row in data["cases"][1:] if not row["as_expected"]]
    print(f"{len(data['cases']) - 1} hostile cases; {len(wrong)} not refused as expected {wrong or ''}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
