"""Run one command and report its wall time and its own peak memory: python benchmarks/spawn.py OUT CMD ARGS...

Why a separate small process: on Linux a child's ru_maxrss starts from the resident size of the process that
forked it (the high-water mark survives exec), so a command forked from the benchmark, which holds a whole
council in memory, would be charged the benchmark's memory. Forked from this small script instead, the
figure is the command's own (plus this script's few MB at most).

Writes {"seconds", "cpu_seconds", "maxrss_kb", "returncode"} as JSON to OUT (cpu_seconds: the command's user and
system time, which other work on a shared machine does not inflate as it does the wall time); the command's
output goes to this script's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time


def main() -> int:
    out, command = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    with open(out, "w", encoding="utf-8") as file:
        json.dump({"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "maxrss_kb": usage.ru_maxrss,
                   "returncode": os.waitstatus_to_exitcode(status)}, file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
