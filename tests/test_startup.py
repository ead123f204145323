"""A command imports only what it uses: a heavy library (pandas, matplotlib, python-docx, gspread,
google-auth, openpyxl …) never loads for a command that does not need it. Each case runs in a fresh
interpreter and lists the heavy modules it ended with."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from sync.config import Config
from tests.helpers import task_row

#: never loaded but by the command that needs them: evaluate (pandas), report (docx, matplotlib),
#: the Google backend (gspread, google-auth, requests), writing into a unit's workbook or init (openpyxl)
HEAVY = (
    "pandas",
    "numpy",
    "matplotlib",
    "docx",
    "lxml",
    "PIL",
    "gspread",
    "google.auth",
    "google.oauth2",
    "requests",
    "openpyxl",
    "tomlkit",
)
#: also not loaded before a command that reads or writes sheets runs (help, version, the history)
READERS = ("python_calamine", "xlsxwriter", "yaml", "holidays", "zipfile", "concurrent.futures")

_RUN = """
import json, sys
from sync.cli import cli
code = None
try:
    cli(json.loads(sys.argv[1]), prog_name="ubnd-sync")
except SystemExit as e:
    code = e.code
print(json.dumps([sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules), code]))
"""


def _loaded(args: list[str], watch: tuple[str, ...], cwd: Path | None = None) -> tuple[list[str], object]:
    """The watched modules loaded by running ``ubnd-sync ARGS`` in a fresh interpreter, and its exit code."""
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, json.dumps(args), json.dumps(watch)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=True,
    )
    modules, code = json.loads(proc.stdout.strip().splitlines()[-1])
    return modules, code


def test_importing_the_command_line_loads_nothing_heavy() -> None:
    code = f"import sys, sync.cli; print([m for m in {HEAVY + READERS!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize(
    "args",
    [
        ["--version"],
        ["--help"],
        ["sync", "--help"],
        ["validate", "--help"],
        ["evaluate", "--help"],
        ["report", "--help"],
        ["init", "--help"],
        ["distribute", "--help"],
        ["remind", "--help"],
        ["demo", "--help"],
        ["history", "--help"],
        ["diff", "--help"],
    ],
)
def test_help_and_version_load_nothing_heavy(args: list[str]) -> None:
    assert _loaded(args, HEAVY + READERS) == ([], 0)


def test_sync_and_validate_of_an_xlsx_province_load_only_what_they_use(
    province: Callable[..., Config],
) -> None:
    config = province({"SNV": [task_row()], "STC": [task_row(task_id="NV-002", lead_unit="Sở Tài chính")]})
    common = ["-c", str(config.path), "--as-of", "05/03/2024", "-q"]
    assert _loaded(["sync", *common], HEAVY) == ([], 0)
    assert config.history_path.exists()
    # validate writes nothing: not even the summary's writer is loaded
    assert _loaded(["validate", *common], HEAVY + ("xlsxwriter",)) == ([], 0)
    # the history's commands read SQLite only
    assert _loaded(["history", "-c", str(config.path)], HEAVY + READERS) == ([], 0)
