"""kpixl report: the committee's Word performance report, and its PDF."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from .common import WorkspaceOption, handle_errors, open_workspace, print_problems


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date: write it as 2023-12-12",
                                 param_hint="--produced-on") from None


@handle_errors
def report(
    period: Annotated[str | None, typer.Argument(
        help="The quarter, e.g. 2023-24-Q2 (default: kpixl.toml's [cycle] period).")] = None,
    committee: Annotated[str | None, typer.Option(
        "--committee", "-c",
        help="The committee, by id or name (may be left out when there is only one).")] = None,
    out: Annotated[Path | None, typer.Option(
        help="The .docx to write (default: reports/<committee>_<quarter>.docx).", dir_okay=False)] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also write a PDF beside it (needs LibreOffice).")] = False,
    produced_on: Annotated[str | None, typer.Option(
        help="The date on the cover, e.g. 2023-12-12 (default: kpixl.toml's [report] produced_on, "
             "else today).",
        show_default=False)] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Build a committee's performance report: cover, key, index and a page per indicator, with charts.

    Example: kpixl report 2023-24-Q2 --committee csmi --pdf
    """
    from ..report import convert_to_pdf, prepare_report, write_report

    when = _date(produced_on)
    ws = open_workspace(workspace)
    started = time.perf_counter()
    prepared = prepare_report(ws, ws.period_or_default(period), committee, when)
    print_problems(prepared.problems, "Warnings in the figures")
    path = write_report(ws, prepared, out)
    model = prepared.model
    counts = ", ".join(f"{n} {rag.value}" for rag, n in model.summary if n)
    typer.echo(f"Wrote {path}: {len(model.pages)} indicators ({counts or 'none'}) "
               f"in {time.perf_counter() - started:.2f} s.")
    if pdf:
        typer.echo(f"Wrote {convert_to_pdf(path)}.")


def register(app: typer.Typer) -> None:
    app.command()(report)
