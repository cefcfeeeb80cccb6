"""The YAML register reads the same with libyaml's parser as with PyYAML's own, line marks included."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from kpixl.catalogue import CATALOGUE
from kpixl.register import load_register
from kpixl.register import yaml_file as yaml_io

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "cambridgeshire-csmi" / "register.yaml"


def rows(text: str) -> list[tuple[object, ...]]:
    return [(r.sheet, r.values, r.row, [r.place(k) for k in r.values]) for r in yaml_io.read_yaml_rows(text)]


@pytest.mark.skipif(not hasattr(yaml, "CSafeLoader"), reason="PyYAML built without libyaml")
def test_libyaml_and_pure_python_parsers_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    fast = rows(text)
    monkeypatch.setattr(yaml_io, "_LOADER", yaml.SafeLoader)
    assert rows(text) == fast
    assert len(fast) > 19


def test_broken_yaml_names_its_line() -> None:
    with pytest.raises(yaml_io.YamlError, match="line 3"):
        yaml_io.read_yaml_rows("services:\n  - id: a\n  - id: [b\n")


@pytest.mark.parametrize(("make", "case"), [
    (lambda path: path.write_text("services:\n  - id: a\n  - id: [b\n"), "REG_UNREADABLE/yaml"),
    (lambda path: path.write_bytes(b"services: \xff\n"), "REG_UNREADABLE/yaml"),
    (lambda path: path.mkdir(), "REG_UNREADABLE/open"),  # a folder named register.yaml cannot be opened
])
def test_a_yaml_register_that_cannot_be_read_says_why_and_what_to_do(tmp_path: Path, make: Callable[[Path], object],
                                                                       case: str) -> None:
    path = tmp_path / "register.yaml"
    make(path)
    [found] = load_register(path).report
    assert (found.code, found.file, found.hint) == ("REG_UNREADABLE", "register.yaml", CATALOGUE[case].hint)

