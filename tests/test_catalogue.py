"""The catalogue of every problem code (kpixl/catalogue.py) and docs/problems.md in step: every code is
documented with its severity and nothing else is; every entry says what is wrong and what to do; every entry
is used by kpixl."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from kpixl.catalogue import CATALOGUE, CODES
from kpixl.problems import Severity, Where, problem

ROOT = Path(__file__).resolve().parent.parent
DOC = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
HERE = Where("r.xlsx", "Return", "J7", "36")


def documented() -> dict[str, str]:
    """Code -> severity, from the tables of docs/problems.md."""
    return dict(re.findall(r"^\| `([A-Z_]+)` \| (error|query|warning) \|", DOC, re.MULTILINE))


def test_every_code_is_documented_with_its_severity_and_nothing_else() -> None:
    assert documented() == CODES


def test_the_cases_of_a_code_share_its_severity() -> None:
    assert {(e.code, e.severity) for e in CATALOGUE.values()} == set(CODES.items())


def test_severities_are_the_three_grades() -> None:
    assert set(CODES.values()) == {s.value for s in Severity}


def _sample(name: str, spec: str) -> object:
    """A value for a placeholder: a number where the template formats one ({limit:,}), else its name."""
    return 1234 if spec else f"<{name}>"


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_entry_says_what_is_wrong_and_what_to_do(key: str) -> None:
    entry = CATALOGUE[key]
    fields = [(name, spec) for text in (entry.message, entry.hint)
              for _, name, spec, _ in string.Formatter().parse(text) if name]
    made = problem(key, HERE, **{name: _sample(name, spec) for name, spec in fields})
    assert made.message.endswith((".", "?")) and made.hint.endswith(".")
    assert "{" not in made.message + made.hint
    assert (made.code, made.severity.value) == (entry.code, entry.severity)
    assert (made.file, made.sheet, made.cell, made.indicator) == ("r.xlsx", "Return", "J7", "36")


def test_every_entry_is_used_by_kpixl() -> None:
    """Each entry's key is written, as a string, where kpixl builds its problem: an entry nothing builds is
    dead, and so is its documentation."""
    source = "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "kpixl").rglob("*.py")
                       if path.name != "catalogue.py")
    assert [key for key in CATALOGUE if f'"{key}"' not in source] == []
