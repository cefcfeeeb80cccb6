"""Timing and memory: in-process runs (perf_counter, tracemalloc) and whole processes (wall time, ru_maxrss).

A Timing keeps every run, so the JSON holds the spread as well as the median.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

SPAWN = Path(__file__).with_name("spawn.py")

__all__ = ["ProcessRun", "Timing", "machine", "run_process", "settle", "time_once", "traced_peak"]


@dataclass
class Timing:
    """Seconds of each run; median and spread (min to max) as the table prints them."""

    runs: list[float] = field(default_factory=list)
    peak_mb: float | None = None  # tracemalloc's peak (in-process) or ru_maxrss (a whole process)

    @property
    def median(self) -> float:
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def spread(self) -> tuple[float, float]:
        return (min(self.runs), max(self.runs)) if self.runs else (float("nan"), float("nan"))

    def as_json(self) -> dict[str, Any]:
        if not self.runs:
            return {"median_s": None, "min_s": None, "max_s": None, "runs_s": [],
                    "peak_mb": None if self.peak_mb is None else round(self.peak_mb, 1)}
        low, high = self.spread
        return {"median_s": round(self.median, 4), "min_s": round(low, 4), "max_s": round(high, 4),
                "runs_s": [round(r, 4) for r in self.runs],
                "peak_mb": None if self.peak_mb is None else round(self.peak_mb, 1)}


def settle() -> None:
    """Write out what earlier work left in the page cache (a workspace copied for this run, the files the
    previous run wrote), so that the first fsync of the run timed next does not pay to flush them: kpixl
    and its floor alternate, and without this each was charged for the other's writes."""
    if hasattr(os, "sync"):
        os.sync()


def time_once(work: Callable[[], Any]) -> float:
    """Seconds of one call of work, on a clean heap and a settled disk: what the benchmark itself holds (the
    council, the floors' plans) is collected and frozen first, so that the garbage collector's passes cost
    the stage what they would cost it in its own process, not more; and the page cache is written out
    (settle)."""
    settle()
    gc.collect()
    gc.freeze()
    try:
        start = time.perf_counter()
        work()
        return time.perf_counter() - start
    finally:
        gc.unfreeze()


def traced_peak(work: Callable[[], Any]) -> float:
    """The peak of Python allocations (MB) while work runs, by tracemalloc (C libraries' own memory, such as
    lxml trees, is not seen: the whole-process ru_maxrss is the complete figure)."""
    gc.collect()
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


@dataclass
class ProcessRun:
    seconds: float
    cpu_seconds: float  # user + system time of the command (and its children)
    maxrss_mb: float
    returncode: int
    output: str


def run_process(args: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> ProcessRun:
    """Run a command to the end: its wall time and the peak resident memory of that process alone (measured
    by spawn.py, a small process in between, so that this process's own size is not charged to it)."""
    settle()
    folder = Path(tempfile.mkdtemp(prefix="kpixl-spawn-"))
    report, log = folder / "result.json", folder / "output.log"
    try:
        with open(log, "w+b") as out:
            subprocess.run([sys.executable, str(SPAWN), str(report), *args], cwd=cwd, env=env, stdout=out,
                           stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, check=False)
            out.seek(0)
            output = out.read().decode("utf-8", "replace")
        data = json.loads(report.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    # Linux reports ru_maxrss in kilobytes (macOS in bytes).
    kb = data["maxrss_kb"] / (1024 if sys.platform == "darwin" else 1)
    return ProcessRun(data["seconds"], data["cpu_seconds"], kb / 1024, data["returncode"], output)


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    import platform

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.1f} GB"
    except (ValueError, OSError, AttributeError):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory": memory, "python": platform.python_version(),
            "platform": platform.platform()}


def as_dict(value: Any) -> Any:
    return asdict(value)
