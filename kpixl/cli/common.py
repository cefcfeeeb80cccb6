"""What every command shares: the workspace option, error handling, and printing problems or JSON.

The library never prints; this module is where its results become a table, JSON, and an exit code:
0 all well, 1 problems found, 2 a usage error (wrong option, no workspace, unknown period or committee).
"""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from kpixl.cli.tables import Column, Table, print_table, say
from kpixl.errors import KpixlError
from kpixl.problems import one_line as text_one_line
from kpixl.problems import safe

if TYPE_CHECKING:
    from kpixl.problems import Problem
    from kpixl.steps.workspace import Workspace

F = TypeVar("F", bound=Callable[..., Any])

WorkspaceOption = Annotated[
    Path | None,
    typer.Option("--workspace", "-w", help="The workspace folder (default: this folder or the nearest above).",
                 file_okay=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"kpixl {version('kpixl')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            typer.echo("kpixl (not installed: run pip install -e .)")
        raise typer.Exit(0)


def root(
    show_version: Annotated[bool, typer.Option("--version", help="Print kpixl's version and exit.",
                                               callback=_version, is_eager=True)] = False,
) -> None:
    """kpixl's options before any command (--version); here, not in kpixl.cli, so that a command runs no more
    modules than it needs."""


def echo(text: object, err: bool = False) -> None:
    """Print a line: every line a command prints passes here, made safe (kpixl.problems.safe), because most of them
    quote a file name, a service or a lead from the register."""
    typer.echo(safe(text), err=err)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print 'Error: message' on stderr and return the Exit to raise."""
    say(f"Error: {safe(message)}", stderr=True)  # messages quote file names and cells
    return typer.Exit(code)


def warn(message: str) -> None:
    """A warning the officer should read, on stderr (so that --json output stays JSON): 'Warning: ...'."""
    say(f"Warning: {safe(message)}", stderr=True)


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
    """The workspace a command works in. Every command that has one calls this once it has imported the step it
    runs, so this is also where those imports are frozen (freeze_imports)."""
    from kpixl.steps.workspace import Workspace

    freeze_imports()
    return Workspace.open(path)


def freeze_imports() -> None:
    """Take everything imported so far out of the garbage collector's way, once a process.

    A command is a short process, and what it imports (SQLAlchemy, openpyxl, python-docx, kpixl: some 70,000
    objects) lives until it exits. Yet every full collection walks all of it again, three or four times a
    quarterly command, and so does the interpreter's clean-up at exit. gc.freeze moves it where collections do
    not look: 0.2 to 0.4 s of each of the quarter's commands, 13 to 17% (benchmarks/README.md, "Imports": the
    garbage collector). Once a process, so that tests running many commands in one process freeze only once."""
    if not gc.get_freeze_count():
        gc.freeze()


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def number(value: Decimal | None) -> int | float | None:
    """A figure for --json: a number, never its display text ("380,018", "50.0%"). Percentages stay the
    fractions kpixl keeps (0.5 is 50%); a whole number is an int."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def clean(text: object) -> str:
    """Text from a file or a person with its control characters shown as '?' (kpixl.problems.safe): a file name
    or a cell can hold a terminal escape sequence, which printed raw would rewrite the officer's screen."""
    return safe(text)


def markup_free(text: object) -> str:
    """Text from a file or a person where rich reads a string as markup (a progress bar's description):
    safe, with every '[' escaped."""
    from rich.markup import escape

    return escape(clean(text))


def one_line(text: object) -> str:
    return text_one_line(text)


_SEVERITY_STYLE = {"error": "red", "query": "yellow", "warning": "cyan"}


def problem_table(problems: Iterable[Problem], title: str = "Problems") -> Table:
    """A table of problems: severity, code, where, what is wrong, what to do (all text, never markup)."""
    table = Table(one_line(title), [Column("Severity"), Column("Code", drop=1), Column("Where"),
                                    Column("Problem"), Column("What to do")])
    for p in problems:
        table.add((p.severity.value, _SEVERITY_STYLE[p.severity.value]), p.code, clean(p.place),
                  clean(p.message), clean(p.hint))
    return table


def print_problems(problems: Iterable[Problem], title: str = "Problems") -> None:
    """A readable table: severity, where, what is wrong, what to do; nothing when there is no problem."""
    problems = list(problems)
    if problems:
        print_table(problem_table(problems, title))
