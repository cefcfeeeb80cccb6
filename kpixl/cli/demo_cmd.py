"""kpixl demo: the whole quarterly cycle on the bundled seed example."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpixl.cli.common import handle_errors


@handle_errors
def demo(
    directory: Annotated[Path, typer.Argument(help="A new folder for the example workspace.", file_okay=False)],
    pdf: Annotated[bool, typer.Option("--pdf/--no-pdf", help="Also convert the report to PDF (needs LibreOffice).")]
    = True,
) -> None:
    """Run the whole cycle on the seed example: workbooks, returns filled as leads would, collect, report.

    The example is the real Cambridgeshire County Council report for the Communities, Social Mobility and
    Inclusion Committee, Quarter 2 2023/24. Leads' names and emails are synthetic.

    Example: kpixl demo demo
    """
    from kpixl.cli.tables import console, say
    from kpixl.demo.run import run_demo

    with console().status("Running the quarter...") as status:
        def step(text: str) -> None:
            say(text)
            status.update(_short(text.strip()))

        result = run_demo(directory, step, pdf)
    say("")
    say(f"Done. Open {result.report}" + (f" or {result.pdf}" if result.pdf else "") + ".")
    say(f"Then try: cd {directory} && kpixl status && kpixl indicators && kpixl history show 37")
    say("and the review: kpixl review, kpixl review --accept Q1, kpixl approve libraries --by NAME --role ROLE, "
        "kpixl report --final, kpixl log")
    raise typer.Exit(0 if result.refused == 0 else 1)


def _short(text: str, limit: int = 70) -> str:
    """The spinner's line: cut at a space, never inside a word."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " ..."


def register(app: typer.Typer) -> None:
    app.command()(demo)
