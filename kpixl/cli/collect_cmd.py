"""kpixl collect: check returns, keep every file, and store the accepted figures."""

from __future__ import annotations

import typer

from kpixl.cli.common import JsonOption, WorkspaceOption, handle_errors, open_workspace
from kpixl.cli.validate_cmd import FeedbackOption, PathsArgument, PeriodOption, show_results


@handle_errors
def collect(
    paths: PathsArgument,
    period: PeriodOption = None,
    feedback: FeedbackOption = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Check returns, archive each file under its content hash, and store the figures of every accepted
    return (a refused one is kept with its problems). Collecting the same file again changes nothing.
    Exit 0 when every return is accepted, 1 when any is refused, 2 for a path that is not there.

    Example: kpixl collect returns/2023-24-Q2 --feedback feedback/
    """
    from kpixl.steps.collect import collect_paths

    results = collect_paths(open_workspace(workspace), paths, period)
    show_results(results, json, feedback, stored=True)


def register(app: typer.Typer) -> None:
    app.command()(collect)
