"""Problems found in a file a person filled in, collected as values (never raised), and the Report of them.

A Problem says where (file, sheet, cell or row), what is wrong, and what to do. Its code is stable, its
words come from kpixl.catalogue, and docs/problems.md lists every one, so scripts and tests can rely on it.
The Report owns the exit code. Text from files is made safe to show here too (safe, one_line, has_control).

    problem("FIGURE_NOT_NUMBER", Where("returns.xlsx", "Return", "J7", "36"), shown="n/a")
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from typing import Any

from kpixl.catalogue import CATALOGUE, EXPLAINED_HINT

__all__ = [
    "CONTROL",
    "MAX_EXPLANATION",
    "MAX_SHOWN",
    "Problem",
    "Report",
    "Severity",
    "Where",
    "count",
    "explain",
    "explanation_of",
    "has_control",
    "is_explained",
    "one_line",
    "plural",
    "problem",
    "question_of",
    "safe",
    "shown",
]

MAX_SHOWN = 60  # characters of a lead's text quoted back in a message
MAX_EXPLANATION = 1000  # characters of a lead's explanation of a query kept in its message


class Severity(str, Enum):
    ERROR = "error"  # blocks: must be corrected
    QUERY = "query"  # accepted once explained (an unusual change, Red without actions)
    WARNING = "warning"  # stored with the return, nothing to do


@dataclass(frozen=True)
class Problem:
    code: str
    severity: Severity
    message: str
    hint: str = ""
    file: str = ""
    sheet: str = ""
    cell: str = ""  # A1 reference, or a whole row/column ("row 7", "column C")
    indicator: str = ""
    period: str = ""  # the period slug of a return's row ("2023-09"): which of an indicator's rows

    @property
    def place(self) -> str:
        """Where, as a person reads it: "register.xlsx, Indicators!C7, indicator 36"."""
        parts = [self.file] if self.file else []
        if self.cell.startswith("line "):  # YAML: the line is the place, the section adds nothing
            parts.append(self.cell)
        elif self.sheet and self.cell:
            sheet = f"'{self.sheet}'" if " " in self.sheet else self.sheet
            parts.append(f"{sheet}!{self.cell}")
        elif self.sheet or self.cell:
            parts.append(self.sheet or self.cell)
        if self.indicator:
            parts.append(f"indicator {self.indicator}")
        return ", ".join(parts)

    def __str__(self) -> str:
        text = f"{self.place}: {self.message}" if self.place else self.message
        return f"{text} {self.hint}".strip()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def exit_code(self) -> int:
        """0 when nothing blocks, 1 when any error was found (the CLI's contract)."""
        return 0 if self.valid else 1

    def flatten(self, keys: Iterable[str] = ("code", "sheet", "cell")) -> list[tuple[Any, ...]]:
        """Tuples of chosen fields, for tests to compare with a literal list."""
        keys = tuple(keys)
        return [tuple(getattr(p, k) for k in keys) for p in self.problems]

    def to_list(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.problems]


@dataclass(frozen=True)
class Where:
    """The place a problem is found: it travels from the reader down to each check."""

    file: str
    sheet: str = ""
    cell: str = ""
    indicator: str = ""
    period: str = ""  # a return's row is an indicator and a period (slug)

    def at(self, cell: str | None = None, indicator: str | None = None, period: str | None = None) -> Where:
        """The same place with another cell, indicator or period (None: keep this one)."""
        return replace(self, cell=self.cell if cell is None else cell,
                       indicator=self.indicator if indicator is None else indicator,
                       period=self.period if period is None else period)


def problem(key: str, where: Where, **values: Any) -> Problem:
    """The catalogue's problem for key (its code, or "CODE/case"), at where, its placeholders filled from
    values."""
    entry = CATALOGUE[key]
    return Problem(entry.code, Severity(entry.severity), entry.message.format(**values), entry.hint.format(**values),
                   where.file, where.sheet, where.cell, where.indicator, where.period)


def shown(value: object, limit: int = MAX_SHOWN) -> str:
    """A lead's entry quoted back: on one line and short, whatever they typed."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


_EXPLAINED = " The lead explained: \""  # what explain() puts between a query's message and the explanation


def explain(p: Problem, response: str) -> Problem:
    """A query the lead explained: kept as a query (the team may still read it), marked as explained, with
    the explanation in the message so that the store keeps it with the return."""
    quoted = shown(response, MAX_EXPLANATION)
    return replace(p, message=f"{p.message}{_EXPLAINED}{quoted}\"", hint=EXPLAINED_HINT)


def is_explained(p: Problem) -> bool:
    return p.severity is Severity.QUERY and p.hint == EXPLAINED_HINT


def question_of(p: Problem) -> str:
    """What a query asks, without the lead's explanation: the same question on a later return is the same
    query, already answered if the team accepted it (docs/review.md)."""
    return p.message.split(_EXPLAINED, 1)[0] if is_explained(p) else p.message


def explanation_of(p: Problem) -> str:
    """The lead's explanation of a query ("" when none)."""
    if not is_explained(p) or _EXPLAINED not in p.message:
        return ""
    return p.message.split(_EXPLAINED, 1)[1].removesuffix("\"")


# Text from files people send (the register, a return, a file name), made safe to show: the one helper every
# such value passes through when kpixl prints it on the terminal, writes it into an email header, or puts it
# in a message's body. Standard library only, at the bottom of the layers, so that every part can use it.
#
# A register cell or a file name can hold a terminal escape sequence (ESC [ ... rewrites the officer's screen,
# BEL rings, a C1 control does either on some terminals), a line break that would inject a header, or a
# bidirectional override that shows a name backwards. Shown through safe() each is a visible '?'; the text
# itself is never changed where it is stored.
#
#     safe("Ann\\x1b[2J Lead")   -> "Ann?[2J Lead"
#     one_line("Ann\\r\\nBcc: x") -> "Ann Bcc: x"   (headers, one-line messages)
#     has_control("Ann\\x07")    -> True           (kpixl register check refuses these in names and addresses)
#
# Rich markup ("[/]", "[blink]") is not a concern here: the command line shows such text as rich Text objects
# (kpixl.cli.tables), which are never read as markup.

# C0 controls except the line feed (kept: a commentary has paragraphs) and the tab, DEL, the C1 controls, and
# the Unicode bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ANY_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def safe(text: object) -> str:
    """The text with each control character shown as '?' (line feeds and tabs kept)."""
    return CONTROL.sub("?", str(text))


def one_line(text: object) -> str:
    """The text on one line, and safe(): runs of whitespace, line breaks included, become one space."""
    return safe(" ".join(str(text).split()))


def has_control(text: object) -> bool:
    """Whether the text holds a control character, line breaks and tabs included: a name or an email address
    never needs one."""
    return bool(_ANY_CONTROL.search(str(text)))


# Counting in words, in one place, so that no message says "1 errors" or "figure(s)".
_IRREGULAR = {"query": "queries", "entry": "entries", "is": "are", "was": "were", "has": "have"}


def plural(noun: str) -> str:
    """The plural of a noun or of a phrase ending in one: "figure version" -> "figure versions"."""
    head, _, last = noun.rpartition(" ")
    many = _IRREGULAR.get(last, last + "s")
    return f"{head} {many}" if head else many


def count(number: int, noun: str, many: str = "") -> str:
    """The number and the noun, singular for exactly one: count(1, "error") is "1 error", count(3, "query")
    is "3 queries"; many gives a plural the table does not know."""
    return f"{number} {noun if number == 1 else many or plural(noun)}"
