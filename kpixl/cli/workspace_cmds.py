"""kpixl init: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpixl.cli.common import echo, handle_errors


@handle_errors
def init(
    directory: Annotated[Path, typer.Argument(help="The folder to create (it must be new or empty).",
                                              file_okay=False)],
    example: Annotated[str | None, typer.Option(
        "--example", help="Fill the workspace with a bundled example: cambridgeshire (the seed report).")] = None,
    council: Annotated[str, typer.Option(help="The council's name, for a blank workspace.")] = "Example Council",
) -> None:
    """Create a workspace: kpixl.toml, a register, the folders later commands use, and a signing key.

    Example: kpixl init demo --example cambridgeshire
    """
    from kpixl.steps.create import init_workspace

    workspace = init_workspace(directory, example, council)
    config = workspace.config
    echo(f"Created the workspace {workspace.root} for {config.council}.")
    if config.period and config.deadline:
        day = config.deadline
        echo(f"It collects {config.period}, returns due {day:%A} {day.day} {day:%B %Y}: change [cycle] "
             f"period and deadline in kpixl.toml if that is not right.")
    echo(f"Next: cd {directory} && kpixl register check")


def register(app: typer.Typer) -> None:
    app.command()(init)
