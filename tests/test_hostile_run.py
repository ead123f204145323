"""Hostile runs (issue 8, classes 6 and 7): syncs started together, a sync killed at the worst moment.

Everything here runs in real child processes: two ``ubnd-sync sync`` started at the same
instant on a province that has no history yet, and a sync killed (``os._exit``) between
installing the summary and committing the history, then the next run.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.config import Config, load_config
from sync.demo.gsheets import load_demo_into_emulator
from sync.emulator import Emulator
from sync.history import History, store
from sync.pipeline import sync_and_record
from sync.sources.gsheets import cache_path_for
from tests.helpers import AS_OF, task_row

Province = Callable[..., Config]
ROOT = Path(__file__).resolve().parent.parent

#: a child that imports everything, waits for the common start instant, then runs the CLI
_AT_ONCE = """
import sys, time
from sync.cli import main
start = float(sys.argv[1])
sys.argv = ["ubnd-sync", *sys.argv[2:]]
time.sleep(max(0.0, start - time.time()))
main()
"""


def _together(*argvs: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """Start one child per argv; they all begin their command at the same instant."""
    start = time.time() + 2.0
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _AT_ONCE, str(start), *argv],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for argv in argvs
    ]
    done = []
    for child in children:
        out, err = child.communicate(timeout=120)
        done.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
    return done


def test_two_first_ever_syncs_started_together(province: Province) -> None:
    config = province({"SNV": [task_row()], "STC": [task_row(id="STC-1")]})
    argv = ["sync", "--config", str(config.path), "--as-of", AS_OF.isoformat(), "--quiet"]
    for attempt in range(4):
        for leftover in config.base_dir.glob(f"{config.history_path.name}*"):
            leftover.unlink()
        both = _together(argv, argv)
        assert [p.returncode for p in both] == [0, 0], (attempt, [p.stderr for p in both])
        assert not any("hỏng" in p.stderr for p in both)
        with History(config.history_path, create=False) as history:
            assert history.check() == []
            assert len(history.runs()) == 1  # the second was identical: recorded once
        assert Path(config.summary_target).is_file()


@pytest.mark.parametrize("lock", ["EXCLUSIVE", "IMMEDIATE"])
def test_a_sync_that_waited_too_long_for_another_says_so(
    province: Province, monkeypatch: pytest.MonkeyPatch, lock: str
) -> None:
    """Another process holds the history (EXCLUSIVE: even reading waits; IMMEDIATE: writing waits)."""
    config = province({"SNV": [task_row()]})
    argv = ["sync", "--config", str(config.path), "--as-of", AS_OF.isoformat(), "--quiet"]
    assert CliRunner().invoke(cli, argv).exit_code == 0
    summary = Path(config.summary_target).read_bytes()
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.3)
    other = sqlite3.connect(config.history_path, isolation_level=None)
    try:
        other.execute(f"BEGIN {lock}")
        result = CliRunner().invoke(cli, [*argv[:-3], "--as-of", "2024-03-06", "--quiet"])
    finally:
        other.close()
    assert result.exit_code == 1
    assert result.output == (
        f"Lỗi: một lần tổng hợp khác đang ghi tệp lịch sử {config.history_path} và chưa xong sau khi đã chờ; "
        "chờ lần đó chạy xong rồi chạy lại (không có gì được ghi).\n"
    )
    assert Path(config.summary_target).read_bytes() == summary
    with History(config.history_path, create=False) as history:
        assert [run.as_of for run in history.runs()] == [AS_OF]


# ------------------------------------------------------------------ files that hold secrets


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_emulators_key_out_is_private(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    with subprocess.Popen(
        [sys.executable, "-m", "sync.emulator", "--port", "0", "--key-out", str(key)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        umask=0o022,
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().startswith("http://127.0.0.1:")
            assert _mode(key) == 0o600
            assert json.loads(key.read_text(encoding="utf-8"))["private_key"].startswith("-----BEGIN")
        finally:
            child.terminate()
            child.wait(timeout=30)


def test_google_key_state_and_cache_are_private(province: Province, emu: Emulator) -> None:
    xcfg = province({"SNV": [task_row()], "STC": [task_row(id="STC-1")]})
    old = os.umask(0o022)
    try:
        gcfg = load_config(load_demo_into_emulator(xcfg.base_dir, xcfg.path, emu))
        cache = cache_path_for(gcfg.state_path)
        cache.touch(mode=0o644)  # left by an earlier version, readable by all
        outcome = sync_and_record(gcfg, AS_OF)
    finally:
        os.umask(old)
    assert not outcome.unreadable and outcome.result.tasks
    key = Path(gcfg.gsheets.credentials or "")
    key = key if key.is_absolute() else gcfg.base_dir / key
    assert {p.name: _mode(p) for p in (key, gcfg.state_path, cache)} == {
        key.name: 0o600,
        gcfg.state_path.name: 0o600,
        cache.name: 0o600,
    }
    with sqlite3.connect(cache) as conn:  # the cache really holds the units' grids
        assert conn.execute("SELECT count(*) FROM grids").fetchone()[0] == 2
