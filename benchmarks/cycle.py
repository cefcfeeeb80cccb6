"""The whole quarter in one Python process, for its peak memory (run.py runs it and reads ru_maxrss):

    python benchmarks/cycle.py WORKSPACE 2023-24-Q2 RETURNS_LIST OUT

writes the workbooks, collects the returns listed (one path a line) and builds every committee's report,
then prints one JSON line: each stage's seconds, or why it could not run.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from benchmarks import stages
    from kpixl.domain import parse_period
    from kpixl.steps.workspace import Workspace

    root, period, listing, out = argv
    workspace = Workspace.open(Path(root))
    quarter = parse_period(period).quarter()
    returns = [Path(line) for line in Path(listing).read_text().splitlines() if line.strip()]
    result: dict[str, object] = {}
    steps = (
        ("workbooks", lambda: stages.write_workbooks(workspace, quarter, Path(out) / "workbooks")),
        ("collect", lambda: stages.collect_returns(workspace, returns) if returns else None),
        ("reports", lambda: stages.build_reports(workspace, quarter,
                                                 [c.id for c in stages.load_register(workspace).committees],
                                                 Path(out) / "reports")),
    )
    for name, step in steps:
        start = time.perf_counter()
        try:
            step()
            result[name] = round(time.perf_counter() - start, 3)
        except Exception as exc:  # noqa: BLE001 - reported, not raised: the memory figure still counts
            result[name] = f"{exc.__class__.__name__}: {str(exc)[:200]}"
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
