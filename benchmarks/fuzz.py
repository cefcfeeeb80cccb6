"""The returns reader fuzzed at length (issue 7):

    python -m benchmarks.fuzz --cases 3000 [--seed 1]

Each case is a real filled return (two services: monthly hours, counts, percentages) with random values of
every type typed into random input cells, or the bytes of one flipped or cut. tests/support/fuzz.py judges
each outcome: accepted with exactly the figures typed, or refused with problem records. Every 50th case is
also collected into a store, which must gain the whole return or nothing. Prints how many cases ended each
way; exits 1 if any case raised, was judged wrong, or wrote part of a return. The tests run the same oracle
on a few dozen hypothesis examples (tests/test_fuzz_returns.py).
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time as clock
import traceback
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from support.cli import dump_store
from support.fuzz import ErrorValue, Formula, Template, judge, judge_bytes, load_template, with_cells
from support.intake import Filled, make_filled

from kpixl.intake.assess import assess_bytes
from kpixl.steps.collect import collect_paths
from kpixl.steps.workspace import Workspace
from kpixl.untrusted.limits import MAX_TEXT_CHARS

SERVICES = ("trading-standards", "adult-skills")
TRICKY = ["=1+1", "@SUM(A1)", "+44 1223 555 555", "-5", "\t=cmd|' /C calc'!A0", "1,234", " 96 326 ", "68%",
          "£1,250.50", "n/a", "tbc", "1e400", "1e15", "٣٤", "\u22125", "0.5%", "5 %", "1.", ".5", "1_000",
          "Infinity", "NaN", "0x10", "12/09", "Explanation: the library was shut", "line one\r\nline two\r",
          "   ", "\u200b", "\u202eright to left", "_x0007_", "[/] tbc", "a" * 4001, "9" * 31, "-0", "0e5"]
_XML_EXCLUDED = {*(chr(c) for c in range(32) if c not in (9, 10, 13)), "\ufffe", "\uffff"}
STORE_EVERY = 50


def _char(rng: random.Random) -> str:
    while True:
        pick = rng.random()
        code = rng.randrange(32, 127) if pick < 0.6 else rng.randrange(0, 0x3000) if pick < 0.9 \
            else rng.randrange(0, 0x110000)
        char = chr(code)
        if char not in _XML_EXCLUDED and not 0xD800 <= code <= 0xDFFF:
            return char


def _text(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.4:
        return rng.choice(TRICKY)
    if pick < 0.9:
        return "".join(_char(rng) for _ in range(rng.randrange(0, 60)))
    if pick < 0.95:
        return "".join(_char(rng) for _ in range(rng.randrange(3990, 4010)))
    return "x" * rng.randrange(MAX_TEXT_CHARS - 2, MAX_TEXT_CHARS + 3)


def _number(rng: random.Random) -> int | float:
    pick = rng.random()
    if pick < 0.3:
        return rng.randrange(-10**6, 10**7)
    if pick < 0.5:
        return rng.choice([0.0, -0.0, 1e308, 5e-324, 1e-13, 0.68, 0.999, 1.0, 100.0, 2**53 + 1.0,
                           float("nan"), float("inf"), float("-inf"), 10**20])
    if pick < 0.8:
        return round(rng.uniform(0, 2), rng.randrange(0, 6))
    return rng.uniform(-1e6, 1e9)


def random_value(rng: random.Random) -> Any:
    kind = rng.choices(["none", "text", "number", "bool", "date", "datetime", "time", "formula", "error"],
                       [10, 35, 30, 4, 4, 4, 4, 5, 4])[0]
    if kind == "text":
        return _text(rng)
    if kind == "number":
        return _number(rng)
    day = date(1901, 1, 1) + timedelta(days=rng.randrange(0, (date(9999, 12, 31) - date(1901, 1, 1)).days))
    second = rng.randrange(86400)
    moment = time(second // 3600, second // 60 % 60, second % 60)
    return {"none": None, "bool": rng.random() < 0.5, "date": day, "datetime": datetime.combine(day, moment),
            "time": moment, "formula": Formula(rng.choice(["=1+1", "=SUM(J2:J4)", "=NOW()"])),
            "error": ErrorValue(rng.choice(["#DIV/0!", "#N/A", "#VALUE!"])), "number": 0, "text": ""}[kind]


def damaged(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    if rng.random() < 0.6:
        for _ in range(rng.randrange(1, 9)):
            out[rng.randrange(len(out))] ^= rng.randrange(1, 256)
        return bytes(out)
    return bytes(out[:rng.randrange(len(out))])


def _stored_whole(made: Filled, path: Path, workdir: Path, case: int) -> bool:
    ws = Workspace.open(Path(shutil.copytree(made.ws.root, workdir / f"ws{case}")))
    before = dump_store(ws)["figures"]
    result = collect_paths(ws, [path])[0]
    after = dump_store(ws)["figures"]
    shutil.rmtree(ws.root)
    return after[:len(before)] == before and len(after) - len(before) == (
        len(result.figures) if result.accepted else 0)


def one_case(rng: random.Random, made: Filled, templates: dict[str, Template], workdir: Path,
             case: int) -> str:
    """The outcome of one random case; AssertionError when it is not an allowed one."""
    template = templates[rng.choice(SERVICES)]
    if rng.random() < 0.7:
        edits = {rng.choice(template.refs): random_value(rng) for _ in range(rng.randrange(1, 9))}
        data = with_cells(template, edits)
        outcome = "cells: " + judge(template, edits, assess_bytes(made.ctx, Path(template.name), data))
    else:
        original = made.filled[next(s for s in SERVICES if templates[s] is template)].read_bytes()
        data = damaged(rng, original)
        before = assess_bytes(made.ctx, Path("r.xlsx"), original)
        outcome = "bytes: " + judge_bytes(before, assess_bytes(made.ctx, Path("r.xlsx"), data))
    if case % STORE_EVERY == 0:
        path = workdir / f"case{case}.xlsx"
        path.write_bytes(data)
        assert _stored_whole(made, path, workdir, case), "a partial store write"
    return outcome


def run(cases: int, seed: int) -> tuple[Counter[str], list[str]]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="kpixl-fuzz-") as tmp:
        made = make_filled(Path(tmp))
        templates = {service: load_template(made.filled[service]) for service in SERVICES}
        counts: Counter[str] = Counter()
        failures: list[str] = []
        for case in range(cases):
            try:
                counts[one_case(rng, made, templates, Path(tmp), case)] += 1
            except AssertionError as exc:
                counts["WRONG"] += 1
                failures.append(f"case {case}: {exc}")
            except Exception:  # noqa: BLE001 - a traceback is exactly what this target hunts for
                counts["RAISED"] += 1
                failures.append(f"case {case}: {traceback.format_exc(limit=4)}")
        return counts, failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    start = clock.perf_counter()
    counts, failures = run(args.cases, args.seed)
    for outcome, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        print(f"{count:7,}  {outcome}")
    print(f"{sum(counts.values()):7,}  cases in {clock.perf_counter() - start:.0f} s (seed {args.seed}); "
          f"{len(failures)} not allowed")
    for failure in failures[:20]:
        print(failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
