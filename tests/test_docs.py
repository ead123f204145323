"""Every command has help with an example and is documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_help_has_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "-h"])
    assert result.exit_code == 0
    assert "Ví dụ:" in result.stdout
    assert f"ubnd-sync {name}" in result.stdout


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_in_readme(name: str) -> None:
    assert f"`ubnd-sync {name}" in README


def test_readme_shows_the_two_commands() -> None:
    assert "scripts/demo" in README and "scripts/test" in README
