"""Every command explains itself with an example (a command without one fails here)."""

from __future__ import annotations

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from kpixl.cli import app

runner = CliRunner()


def all_commands() -> list[list[str]]:
    root = get_command(app)
    found: list[list[str]] = []

    def walk(command: object, path: list[str]) -> None:
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                walk(sub, path + [name])
        else:
            found.append(path)

    walk(root, [])
    return found


@pytest.mark.parametrize("path", all_commands(), ids=lambda p: " ".join(p))
def test_every_command_has_help_with_an_example(path: list[str]) -> None:
    result = runner.invoke(app, path + ["--help"])
    assert result.exit_code == 0
    assert "Example: kpixl " + path[0] in result.output


def test_top_level_help_names_the_first_step() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    said = " ".join(result.output.split())
    assert "kpixl demo demo" in said and "kpixl init demo --example cambridgeshire" in said


def test_unknown_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["indicators", "--no-such-option"]).exit_code == 2
