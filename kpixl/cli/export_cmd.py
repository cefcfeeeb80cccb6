"""kpixl export: the store's figures, every version, as a workbook or CSV to filter."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kpixl.cli.common import (
    JsonOption,
    WorkspaceOption,
    echo,
    fail,
    handle_errors,
    open_workspace,
    print_json,
)
from kpixl.steps import count


@handle_errors
def export(
    file: Annotated[Path, typer.Argument(help="The file to write: .xlsx or .csv.", dir_okay=False)],
    period: Annotated[str | None, typer.Option(
        help="Only this period: a quarter (with its months), e.g. 2023-24-Q2, or a month, e.g. 2023-09.",
        show_default=False)] = None,
    workspace: WorkspaceOption = None,
    json: JsonOption = False,
) -> None:
    """Write every stored figure (each version, with its rating, change, file and cell) to a workbook with
    filters, or to a CSV. Text that begins with = + - @ stays text (docs/store.md says how, for CSV).

    Example: kpixl export figures.xlsx --period 2023-24-Q2
    """
    from kpixl.steps.export import EXPORT_SUFFIXES, export_figures

    if file.suffix.lower() not in EXPORT_SUFFIXES:
        raise fail(f"{file} should end in .xlsx or .csv", 2)
    result = export_figures(open_workspace(workspace), file, period)
    if json:
        print_json({"file": str(result.path), "rows": result.rows})
    else:
        echo(f"Wrote {count(result.rows, 'figure')} to {result.path}.")


def register(app: typer.Typer) -> None:
    app.command()(export)
