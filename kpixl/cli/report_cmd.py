"""kpixl report: the committee's Word performance report, and its PDF and HTML edition."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from kpixl.cli.common import WorkspaceOption, echo, handle_errors, open_workspace, warn
from kpixl.steps import count


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
        help="The committee, by id or name (may be left out when there is only one), or 'all' for every "
             "committee's report from one load of the register and figures, each to its default path.")] = None,
    out: Annotated[Path | None, typer.Option(
        help="The .docx to write (default: reports/<committee>_<quarter>.docx).", dir_okay=False)] = None,
    pdf: Annotated[bool, typer.Option(
        "--pdf", help="Also write a PDF beside it (needs LibreOffice).")] = False,
    html: Annotated[bool, typer.Option(
        "--html", help="Also write the HTML edition beside it: one accessible web page for the council's "
                       "website, with the same content.")] = False,
    final: Annotated[bool, typer.Option(
        "--final", help="Build the committee's final paper: only when every service is complete and signed off "
                        "and no query waits (else exit 1, listing what is missing). Without it, a draft.")] = False,
    produced_on: Annotated[str | None, typer.Option(
        help="The date on the cover, e.g. 2023-12-12 (default: kpixl.toml's [report] produced_on, "
             "else today).",
        show_default=False)] = None,
    workspace: WorkspaceOption = None,
) -> None:
    """Build a committee's performance report: cover, key, index and a page per indicator, with charts. It is
    a draft, marked DRAFT with a page of what is outstanding, unless --final is given.

    A report built before every figure is in is still written (exit 0), with a warning naming the services
    and indicators missing, and its cover says which figures are not yet received.

    Example: kpixl report 2023-24-Q2 --committee csmi --pdf

    The final paper, once every service is signed off: kpixl report 2023-24-Q2 --committee csmi --final

    The HTML edition for the website: kpixl report 2023-24-Q2 --committee csmi --html

    Every committee's report at once: kpixl report 2023-24-Q2 --committee all
    """
    from kpixl.steps.report import prepare_report, prepare_reports

    when = _date(produced_on)
    ws = open_workspace(workspace)
    quarter = ws.period_or_default(period)
    if committee is not None and committee.lower() == "all":
        if out is not None:
            raise typer.BadParameter("--out names one file: with --committee all each report goes to "
                                     "reports/<committee>_<quarter>.docx", param_hint="--out")
        started = time.perf_counter()
        for prepared in prepare_reports(ws, quarter, None, when, final):
            _write(ws, prepared, None, pdf, html, started)
            started = time.perf_counter()
        return
    started = time.perf_counter()
    _write(ws, prepare_report(ws, quarter, committee, when, final), out, pdf, html, started)


def _write(ws: Any, prepared: Any, out: Path | None, pdf: bool, html: bool, started: float) -> None:
    from kpixl.steps.report import write_html, write_pdf, write_report

    path = write_report(ws, prepared, out)
    model = prepared.model
    counts = ", ".join(f"{n} {rag.value}" for rag, n in model.summary if n)
    edition = "the final paper" if prepared.final else "a draft"
    echo(f"Wrote {path}, {edition}: {count(len(model.pages), 'indicator')} ({counts or 'none'}) "
         f"in {time.perf_counter() - started:.2f} s.")
    if prepared.incomplete:
        warn(prepared.incomplete)
    if not prepared.final and model.standing is not None and model.standing.outstanding:
        echo(f"The draft lists {count(len(model.standing.outstanding), 'thing')} outstanding; 'kpixl report "
             "--final' builds the final paper once none blocks it.")
    if pdf:
        echo(f"Wrote {write_pdf(path)}.")
    if html:
        echo(f"Wrote {write_html(prepared, path)}.")


def register(app: typer.Typer) -> None:
    app.command()(report)
