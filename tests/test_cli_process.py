"""What the command line does to its own process: the imports frozen out of the garbage collector's way."""

from __future__ import annotations

import gc

from kpixl.cli.common import open_workspace
from kpixl.steps.workspace import Workspace


def test_opening_the_workspace_freezes_what_is_imported_once_a_process(example_ws: Workspace) -> None:
    gc.unfreeze()  # an earlier test's command may have frozen this process already
    try:
        assert gc.get_freeze_count() == 0
        open_workspace(example_ws.root)
        frozen = gc.get_freeze_count()
        assert frozen > 10_000  # the modules imported so far, kpixl's own among them
        open_workspace(example_ws.root)  # makes new objects (the workspace, its config), and does not freeze them
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
