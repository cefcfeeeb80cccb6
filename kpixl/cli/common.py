"""What every command shares: the workspace option, error handling, and printing problems or JSON.

The library never prints; this module is where its results become a table, JSON, and an exit code:
0 all well, 1 problems found, 2 a usage error (wrong option, no workspace, unknown period or committee).
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from kpixl.errors import KpixlError
from kpixl.problems import one_line as text_one_line
from kpixl.problems import safe

if TYPE_CHECKING:
    from rich.text import Text

    from kpixl.problems import Problem
    from kpixl.steps.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="The workspace folder (default: this folder or the nearest above).",
                 file_okay=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


def echo(text: object, err: bool = False) -> None:
    """Print a line: every line a command prints passes here, made safe (kpixl.problems.safe), because most of them
    quote a file name, a service or a lead from the register."""
    typer.echo(safe(text), err=err)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print 'Error: message' on stderr and return the Exit to raise."""
    typer.echo(f"Error: {safe(message)}", err=True)  # messages quote file names and cells
    return typer.Exit(code)


TRACEBACK_ENV = "KPIXL_TRACEBACK"  # set to 1 to see a traceback instead of the one-line error (for a bug report)


def handle_errors(func: F) -> F:
    """Turn kpixl's operational errors into 'Error: ...' and their exit code; never a traceback. The disk
    refusing (OSError) is exit 1 with its file; anything else is a bug, reported as one line asking for a
    report (KPIXL_TRACEBACK=1 shows the traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (typer.Exit, typer.Abort, typer.BadParameter):
            raise
        except KpixlError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise fail(f"The disk refused{where}: {exc.strerror or exc}. Free some space or check you may write "
                       "there, then run the command again.") from None
        except Exception as exc:
            if os.environ.get(TRACEBACK_ENV):
                raise
            words = " ".join(str(exc).split())[:200]
            raise fail(f"kpixl stopped on an unexpected error ({type(exc).__name__}: {words}). This is a bug in "
                       f"kpixl: please report it with the command you ran (run it again with {TRACEBACK_ENV}=1 "
                       "for the details).") from None

    return wrapper  # type: ignore[return-value]


def open_workspace(path: Path | None) -> Workspace:
    from kpixl.steps.workspace import Workspace

    return Workspace.open(path)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def clean(text: object) -> str:
    """Text from a file or a person with its control characters shown as '?' (kpixl.problems.safe): a file name
    or a cell can hold a terminal escape sequence, which printed raw would rewrite the officer's screen."""
    return safe(text)


def plain(text: object) -> Text:
    """Text from a file or a person for a rich table, never read as markup: '[/]' in a lead's cell would
    otherwise raise, and '[blink]' would blink."""
    from rich.text import Text

    return Text(clean(text))


def markup_free(text: object) -> str:
    """Text from a file or a person where rich reads a string as markup (a progress bar's description):
    safe, with every '[' escaped."""
    from rich.markup import escape

    return escape(clean(text))


def one_line(text: object) -> str:
    return text_one_line(text)


def print_problems(problems: Iterable[Problem], title: str = "Problems") -> None:
    """A readable table: severity, where, what is wrong, what to do."""
    from rich.console import Console
    from rich.table import Table

    problems = list(problems)
    if not problems:
        return
    table = Table(title=plain(title), show_lines=False, expand=False)
    for column in ("Severity", "Code", "Where", "Problem", "What to do"):
        table.add_column(column, overflow="fold")
    for p in problems:
        style = {"error": "red", "query": "yellow", "warning": "cyan"}[p.severity.value]
        table.add_row(f"[{style}]{p.severity.value}[/]", p.code, plain(p.place), plain(p.message),
                      plain(p.hint))
    Console(stderr=False).print(table)
