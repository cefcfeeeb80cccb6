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
    from rich.console import Console

    from kpixl.demo.run import run_demo

    console = Console(highlight=False)
    with console.status("Running the quarter...") as status:
        def step(text: str) -> None:
            console.print(text)
            status.update(text.strip()[:70])

        result = run_demo(directory, step, pdf)
    console.print(f"\nDone. Open {result.report}" + (f" or {result.pdf}" if result.pdf else "") + ".")
    console.print(f"Then try: cd {directory} && kpixl status && kpixl indicators && kpixl history show 37")
    console.print("and the review: kpixl review, kpixl review --accept Q1, kpixl approve libraries --by NAME "
                  "--role ROLE, kpixl report --final, kpixl log")
    raise typer.Exit(0 if result.refused == 0 else 1)


def register(app: typer.Typer) -> None:
    app.command()(demo)
