"""Where a stage's time goes: the parts every kpixl command pays before its own work, each timed alone.

- register load: kpixl's load_register (read, build and check the register) against its floor, PyYAML's
  C base loader (libyaml) reading the same file into plain data;
- store read: every current figure from the store (what workbooks, collect and each report load), against
  sqlite3 reading the same rows of the same file with the same query;
- imports: a fresh Python importing what each command imports (kpixl.cli and the libraries of its stage),
  the part of a whole-process time that in-process runs do not see.

These are not stages: they are shown so that a ratio over 1.5 says at once where the excess is.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .measure import Timing, run_process, time_once

__all__ = ["COMMAND_IMPORTS", "measure_parts"]

# What each command imports on its way to doing its work (kpixl imports its heavy libraries lazily).
COMMAND_IMPORTS = {
    "workbooks": ["kpixl.cli", "kpixl.steps.generate", "kpixl.workbook.writer", "kpixl.register.yaml_file",
                  "kpixl.store.core", "rich.progress"],
    "collect": ["kpixl.cli", "kpixl.steps.collect", "kpixl.intake.book", "openpyxl",
                "kpixl.register.yaml_file", "kpixl.store.core", "rich.table"],
    "report": ["kpixl.cli", "kpixl.steps.report", "kpixl.report.render_docx", "kpixl.register.yaml_file",
               "kpixl.store.core", "rich.table"],
}


def _yaml_floor(path: Path) -> Callable[[], Any]:
    import yaml

    loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
    return lambda: yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def _sqlite_floor(database: Path) -> Callable[[], Any]:
    """The latest version of every figure, as sqlite3 hands the rows back (no objects built), by the
    floors' query (floors.LATEST_FIGURES)."""
    from .floors import LATEST_FIGURES

    def read() -> int:
        connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
        try:
            return len(connection.execute(LATEST_FIGURES).fetchall())
        finally:
            connection.close()
    return read


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
          _yaml_floor(workspace.register_path))
    try:
        def store_read() -> Any:  # as workbooks, collect and reports read it
            return workspace.current_figures()

        database = workspace.root / workspace.config.store
        timed("store", "store read (every current figure)", store_read,
              _sqlite_floor(database) if database.is_file() else None)
    except ImportError as exc:
        parts["store"] = {"label": "store read", "status": f"not available yet ({exc})"}
    if processes:
        baseline = Timing()
        for _ in range(runs):
            baseline.runs.append(run_process([sys.executable, "-c", "pass"]).seconds)
        for command, modules in COMMAND_IMPORTS.items():
            timing = Timing()
            code = "; ".join(f"import {m}" for m in modules)
            for _ in range(runs):
                done = run_process([sys.executable, "-c", code])
                if done.returncode != 0:
                    parts[f"imports-{command}"] = {"label": f"imports of kpixl {command}",
                                                   "status": f"failed: {done.output.strip()[-200:]}"}
                    break
                timing.runs.append(done.seconds)
            else:
                parts[f"imports-{command}"] = {
                    "label": f"start and imports of kpixl {command}", "status": "ok",
                    "whole_process": timing.as_json(), "python_alone": baseline.as_json(),
                    "modules": modules}
    return parts
