"""Tables and sentences on the terminal that never split a word, at any width, in a terminal or piped.

Every command that prints a table builds a Table (columns, rows of plain text) and calls print_table:

- each column is at least as wide as its longest word (header included), and text wraps only at spaces;
- when the columns cannot all fit so, the least useful are left out (Column.drop: the highest number goes
  first) and a note says which, and --json has everything; when even the columns that are never left out
  cannot fit, each row is printed as a block of "Label: value" lines;
- in a terminal the table has a rule under its headings and colours (rich); piped or redirected it is plain
  text, with no colour and no box drawing, so that a file or a script reads it as written.

The width is the terminal's (or $COLUMNS when set; 80 when neither is known), as rich works it out.
Cell text is always plain text, never rich markup: a lead's "[/]" prints as typed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kpixl.problems import safe

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Cell", "Column", "Table", "console", "fit", "plain_lines", "print_table", "say", "wrap"]

Cell = str | tuple[str, str]  # the text, or (text, rich style) for a terminal: ("Red", "white on red")


@dataclass(frozen=True)
class Column:
    header: str
    drop: int = 0  # 0: always shown; when the table is too wide, the highest number is left out first
    right: bool = False  # numbers: aligned to the right


@dataclass
class Table:
    title: str
    columns: Sequence[Column]
    rows: list[list[Cell]] = field(default_factory=list)
    caption: str = ""

    def add(self, *cells: Cell) -> None:
        self.rows.append(list(cells))


def _text(cell: Cell) -> str:
    return cell[0] if isinstance(cell, tuple) else cell


def _style(cell: Cell) -> str:
    return cell[1] if isinstance(cell, tuple) else ""


def _words(text: str) -> list[str]:
    return text.split()


def _longest_word(texts: Sequence[str]) -> int:
    return max((len(word) for text in texts for word in _words(text)), default=1)


def _longest_line(texts: Sequence[str]) -> int:
    return max((len(line) for text in texts for line in text.splitlines() or [""]), default=1)


GAP = 2  # characters between two columns: two spaces piped; in a terminal a pad and rich's rule column


def overhead(columns: int) -> int:
    """The characters a table of this many columns spends between its columns."""
    return GAP * max(columns - 1, 0)


def _widths(texts: list[list[str]], room: int) -> list[int] | None:
    """A width for each column (its texts given by column) within room: each at least its longest word,
    the rest shared in proportion to each column's longest line. None when the longest words alone
    overflow."""
    least = [max(_longest_word(column), 1) for column in texts]
    most = [max(_longest_line(column), low) for column, low in zip(texts, least)]
    if sum(least) > room:
        return None
    widths = list(least)
    spare = room - sum(widths)
    while spare > 0:  # a character at a time to the column with the smallest share of its longest line
        short = [i for i in range(len(widths)) if widths[i] < most[i]]
        if not short:
            break
        widths[min(short, key=lambda i: widths[i] / most[i])] += 1
        spare -= 1
    return widths


def fit(table: Table, width: int) -> tuple[list[int], list[int]] | None:
    """The columns kept (by index) and their widths, leaving out droppable columns while the rest cannot fit;
    None when even the columns never left out cannot fit: print the rows as a list."""
    kept = list(range(len(table.columns)))
    while True:
        texts = [[table.columns[i].header] + [_text(row[i]) for row in table.rows] for i in kept]
        widths = _widths(texts, width - overhead(len(kept)))
        if widths is not None:
            return kept, widths
        droppable = [i for i in kept if table.columns[i].drop > 0]
        if not droppable:
            return None
        kept.remove(max(droppable, key=lambda i: (table.columns[i].drop, i)))


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Text in lines of at most width characters, broken only at spaces (a word longer than the width has a
    line of its own, whole); its own line breaks are kept."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width, subsequent_indent=indent, break_long_words=False,
                               break_on_hyphens=False) or [""]
    return lines


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def say(text: str, stderr: bool = False) -> None:
    """A sentence: wrapped at spaces to a terminal's width; piped, one line as written. Made safe first
    (kpixl.problems.safe): most sentences quote a file name, a service or a lead."""
    out = console(stderr)
    text = safe(text)
    lines = wrap(text, out.width) if out.is_terminal else text.splitlines() or [""]
    out.file.write("\n".join(lines) + "\n")
    out.file.flush()


def _plain_row(cells: list[str], widths: list[int], right: list[bool]) -> list[str]:
    wrapped = [wrap(text, w) for text, w in zip(cells, widths)]
    height = max(len(lines) for lines in wrapped)
    out = []
    for n in range(height):
        parts = [(lines[n] if n < len(lines) else "") for lines in wrapped]
        parts = [p.rjust(w) if r else p.ljust(w) for p, w, r in zip(parts, widths, right)]
        out.append((" " * GAP).join(parts).rstrip())
    return out


def _plain_table(table: Table, kept: list[int], widths: list[int]) -> list[str]:
    right = [table.columns[i].right for i in kept]
    lines = _plain_row([table.columns[i].header for i in kept], widths, right)
    lines.append((" " * GAP).join("-" * w for w in widths))
    rows = [_plain_row([_text(row[i]) for i in kept], widths, right) for row in table.rows]
    spaced = any(len(row) > 1 for row in rows)  # rows of several lines read apart with a blank line between
    for number, row in enumerate(rows):
        if spaced and number:
            lines.append("")
        lines += row
    return lines


def _blocks(table: Table, width: int) -> list[str]:
    """Each row as a block of "Label: value" lines, wrapped at spaces: for a width no table fits."""
    lines: list[str] = []
    for number, row in enumerate(table.rows):
        if number:
            lines.append("")
        for column, cell in zip(table.columns, row):
            lines += wrap(f"{column.header}: {_text(cell)}", width, "  ")
    return lines


def _rich_table(table: Table, kept: list[int], widths: list[int]) -> object:
    from rich import box
    from rich.table import Table as RichTable
    from rich.text import Text

    spaced = any(len(wrap(_text(row[i]), w)) > 1 for row in table.rows for i, w in zip(kept, widths))
    out = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0),
                    show_lines=spaced, expand=False)
    for i, w in zip(kept, widths):
        column = table.columns[i]
        out.add_column(Text(column.header), width=w, justify="right" if column.right else "left")
    for row in table.rows:
        out.add_row(*(Text(_text(row[i]), style=_style(row[i])) for i in kept))
    return out


def _left_out(table: Table, kept: list[int], width: int) -> str:
    names = [c.header for i, c in enumerate(table.columns) if i not in kept]
    if not names:
        return ""
    return (f"Left out to fit {width} columns: {', '.join(names)}. A wider window shows them; --json gives "
            "everything.")


def plain_lines(table: Table, width: int) -> list[str]:
    """The table as plain text for an output of this width: its title, the table (or its list), the
    caption and the note on any column left out."""
    layout = fit(table, width)
    lines = [*wrap(table.title, width), ""] if table.title else []
    lines += _plain_table(table, *layout) if layout else _blocks(table, width)
    if table.caption:
        lines += wrap(table.caption, width)
    note = _left_out(table, layout[0], width) if layout else ""
    return lines + ([note] if note else [])


def print_table(table: Table, stderr: bool = False) -> None:
    """The table at the output's width: ruled and coloured in a terminal, plain text otherwise."""
    out = console(stderr)
    if not out.is_terminal:
        out.file.write("\n".join(plain_lines(table, out.width)) + "\n")
        out.file.flush()
        return
    width = out.width
    layout = fit(table, width)
    if table.title:  # above the table, not in rich's title: a long file name in it would be folded there
        say(table.title, stderr)
        out.file.write("\n")
    if layout is None:
        out.file.write("\n".join(_blocks(table, width)) + "\n")
    else:
        out.print(_rich_table(table, *layout))
    if table.caption:
        say(table.caption, stderr)
    note = _left_out(table, layout[0], width) if layout else ""
    if note:
        say(note, stderr)
    out.file.flush()
