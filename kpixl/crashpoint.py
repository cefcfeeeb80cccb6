"""A seam for the crash tests of issue 7: kill kpixl at a chosen moment of a collect or a history import, the
way a power cut, a closed laptop lid or Task Manager would, to prove the store and archive survive it
(tests/test_crash_and_concurrency.py).

    KPIXL_TEST_CRASH_AT=recorded:3 kpixl collect returns/    # killed just after the third file is recorded

Each call site names a moment that matters (a file half copied into the archive, archived but not recorded,
a transaction half written or about to commit, a file recorded). Unset, as for everyone but the tests, a
call costs one environment lookup. Standard library only, so the store may call it too.
"""

from __future__ import annotations

import os
import signal

__all__ = ["ENV", "SEND_STAGES", "STAGES", "crash_point"]

ENV = "KPIXL_TEST_CRASH_AT"
STAGES = ("file-written", "archived", "in-transaction", "before-commit", "recorded")  # of a collect or an import
SEND_STAGES = ("mail-sending",)  # of kpixl send: a message's attempt logged, the message not yet handed over
_reached: dict[str, int] = {}


def crash_point(stage: str) -> None:
    """Die at once (SIGKILL: no cleanup, no finally, no flush) when KPIXL_TEST_CRASH_AT names this stage
    and this is the n-th time it is reached ('stage:n', n defaulting to 1)."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name != stage:
        return
    _reached[stage] = _reached.get(stage, 0) + 1
    if _reached[stage] == int(nth or 1):
        kill = getattr(signal, "SIGKILL", None)
        if kill is None:  # Windows: the nearest to a kill, skipping every cleanup
            os._exit(137)
        os.kill(os.getpid(), kill)
