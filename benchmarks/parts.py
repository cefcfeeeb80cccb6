"""Where a stage's time goes: the parts every kpixl command pays before its own work, each timed alone.

- register load: kpixl's load_register (read, build and check the register) against its floor, PyYAML with
  libyaml reading the same file into plain data (floors.read_register);
- store read: every current figure from the store (what workbooks, collect and each report load), against
  sqlite3 reading the same rows of the same file (floors.read_figures);
- imports: a fresh Python importing what each command imports (kpixl.cli and the libraries of its stage),
  the part of a whole-process time that in-process runs do not see; and SQLAlchemy alone, as the store
  loads it for SQLite (every command that reads the store pays it: workbooks, collect, report).

These are not stages: they are shown so that a stage's ratio says at once where its excess is.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from .floors import read_figures, read_register
from .measure import Timing, run_process, time_once

__all__ = ["IMPORTS", "measure_parts"]

# What each command imports on its way to doing its work (the CLI imports its step when the command runs),
# and SQLAlchemy as kpixl.store loads it for a SQLite store (its core and the SQLite dialect).
IMPORTS = {
    "imports-workbooks": ("start and imports of kpixl workbooks",
                          ["kpixl.cli", "kpixl.steps.generate", "rich.progress"]),
    "imports-collect": ("start and imports of kpixl collect", ["kpixl.cli", "kpixl.steps.collect", "rich.table"]),
    "imports-report": ("start and imports of kpixl report", ["kpixl.cli", "kpixl.steps.report", "rich.table"]),
    "imports-sqlalchemy": ("start and import of SQLAlchemy (with its SQLite dialect)",
                           ["sqlalchemy", "sqlalchemy.dialects.sqlite.pysqlite"]),
}


def measure_parts(workspace: Any, runs: int, processes: bool) -> dict[str, dict[str, Any]]:
    """Each part's kpixl and floor timings (in-process), and each command's imports (fresh processes)."""
    parts: dict[str, dict[str, Any]] = {}

    def timed(name: str, label: str, kpixl: Callable[[], Any], floor: Callable[[], Any] | None) -> None:
        mine, base = Timing(), Timing()
        try:
            kpixl()  # untimed: the first call imports and fills caches (see run._measure)
            if floor is not None:
                floor()
            for _ in range(runs):
                mine.runs.append(time_once(kpixl))
                if floor is not None:
                    base.runs.append(time_once(floor))
        except Exception as exc:  # noqa: BLE001 - a part that breaks is reported, not raised
            parts[name] = {"label": label, "status": f"failed: {exc.__class__.__name__}: {str(exc)[:200]}"}
            return
        ratio = mine.median / base.median if base.runs and base.median > 0 else None
        parts[name] = {"label": label, "status": "ok", "in_process": mine.as_json(), "floor": base.as_json(),
                       "ratio": None if ratio is None else round(ratio, 2)}

    from kpixl.register import load_register

    size_kb = workspace.register_path.stat().st_size // 1024
    timed("register", f"register load ({size_kb} KB YAML)", lambda: load_register(workspace.register_path),
          lambda: read_register(workspace.register_path))
    database = workspace.root / workspace.config.store
    timed("store", "store read (every current figure)", workspace.current_figures, lambda: read_figures(database))
    if processes:
        baseline = Timing()
        for _ in range(runs):
            baseline.runs.append(run_process([sys.executable, "-c", "pass"]).seconds)
        for name, (label, modules) in IMPORTS.items():
            timing = Timing()
            # Then frozen, as a command freezes what it has imported (kpixl/cli/common.py, freeze_imports), so
            # that the interpreter's clean-up at exit costs here what it costs the command.
            code = "; ".join([*(f"import {m}" for m in modules), "import gc", "gc.freeze()"])
            for _ in range(runs):
                done = run_process([sys.executable, "-c", code])
                if done.returncode != 0:
                    parts[name] = {"label": label, "status": f"failed: {done.output.strip()[-200:]}"}
                    break
                timing.runs.append(done.seconds)
            else:
                parts[name] = {"label": label, "status": "ok", "whole_process": timing.as_json(),
                               "python_alone": baseline.as_json(), "modules": modules}
    return parts
