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
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from google_emulator import Emulator
from google_emulator.demo import load_demo_into_emulator
from sync.backends.gsheets.read import cache_path_for
from sync.cli import cli
from sync.config import Config, load_config
from sync.exceptions import HistoryError
from sync.history import History, store
from sync.pipeline import sync_and_record
from sync.summary.landing import Landing
from tests.helpers import AS_OF, summary_file, task_row

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
        assert Path(summary_file(config)).is_file()


@pytest.mark.parametrize("lock", ["EXCLUSIVE", "IMMEDIATE"])
def test_a_sync_that_waited_too_long_for_another_says_so(
    province: Province, monkeypatch: pytest.MonkeyPatch, lock: str
) -> None:
    """Another process holds the history (EXCLUSIVE: even reading waits; IMMEDIATE: writing waits)."""
    config = province({"SNV": [task_row()]})
    argv = ["sync", "--config", str(config.path), "--as-of", AS_OF.isoformat(), "--quiet"]
    assert CliRunner().invoke(cli, argv).exit_code == 0
    summary = Path(summary_file(config)).read_bytes()
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
    assert Path(summary_file(config)).read_bytes() == summary
    with History(config.history_path, create=False) as history:
        assert [run.as_of for run in history.runs()] == [AS_OF]


# ------------------------------------------------------------------ files that hold secrets


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_emulators_key_out_is_private(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    with subprocess.Popen(
        [sys.executable, "-m", "google_emulator", "--port", "0", "--key-out", str(key)],
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


# --------------------------------------------- a sync killed between the summary and the history

#: a sync in a child process, killed (``os._exit``: no cleanup runs) at one point of its recording
_KILLED = """
import os, sys
from datetime import date
from sync.config import load_config
from sync.history import History
from sync.pipeline import sync_and_record

config_path, when, as_of = sys.argv[1:]
original = History.record


def record(self, result, *, before_commit, **kwargs):
    def install_then_die():
        before_commit()  # the summary is renamed into place ...
        os._exit(9)  # ... and the process dies before the history's COMMIT

    if when == "before-commit":
        return original(self, result, before_commit=install_then_die, **kwargs)
    original(self, result, before_commit=before_commit, **kwargs)
    os._exit(9)  # dies right after the COMMIT, before anything is tidied


History.record = record
sync_and_record(load_config(config_path), date.fromisoformat(as_of))
"""


def _killed(config: Config, when: str, as_of: date) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _KILLED, str(config.path), when, as_of.isoformat()],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 9, done.stderr


def _runs(config: Config) -> list[date]:
    with History(config.history_path, create=False) as history:
        return [run.as_of for run in history.runs()]


def _leftovers(config: Config) -> list[str]:
    return sorted(p.name for p in config.base_dir.rglob(".*") if p.suffix in (".landing", ".previous"))


NEXT_DAY = AS_OF + timedelta(days=1)


def test_a_sync_killed_before_the_history_commits_is_undone(province: Province) -> None:
    config = province({"SNV": [task_row()], "STC": [task_row(task_id="NV-9")]})
    summary = Path(summary_file(config))
    sync_and_record(config, AS_OF)
    before = summary.read_bytes()
    _killed(config, "before-commit", NEXT_DAY)
    assert summary.read_bytes() != before and _runs(config) == [AS_OF]  # the state the kill leaves
    assert _leftovers(config) == [".tong-hop.xlsx.landing", ".tong-hop.xlsx.previous"]
    with History(config.history_path) as history:
        said = Landing.of(config, Path(summary_file(config))).resolve(history)
    assert said == (
        "Lần tổng hợp trước bị dừng sau khi ghi bảng tổng hợp nhưng trước khi ghi lịch sử: đã khôi phục "
        f"bảng tổng hợp trước đó ({summary}), để bảng tổng hợp và lịch sử luôn khớp nhau."
    )
    assert summary.read_bytes() == before and _runs(config) == [AS_OF] and _leftovers(config) == []


def test_the_next_sync_undoes_a_killed_one_and_says_so(province: Province) -> None:
    config = province({"SNV": [task_row()]})
    sync_and_record(config, AS_OF)
    _killed(config, "before-commit", NEXT_DAY)
    argv = ["sync", "--config", str(config.path), "--as-of", NEXT_DAY.isoformat(), "--quiet"]
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(
        "Cảnh báo: Lần tổng hợp trước bị dừng sau khi ghi bảng tổng hợp nhưng trước khi ghi lịch sử: đã khôi "
        "phục bảng tổng hợp trước đó"
    )
    assert _runs(config) == [AS_OF, NEXT_DAY] and _leftovers(config) == []


def test_a_first_ever_sync_killed_leaves_no_summary(province: Province) -> None:
    config = province({"SNV": [task_row()]})
    _killed(config, "before-commit", AS_OF)
    assert Path(summary_file(config)).is_file() and _runs(config) == []
    with History(config.history_path) as history:
        said = Landing.of(config, Path(summary_file(config))).resolve(history)
    assert said is not None and f"đã xóa bảng tổng hợp {summary_file(config)} của lần đó" in said
    assert not Path(summary_file(config)).exists() and _leftovers(config) == []


def test_a_sync_killed_after_the_commit_keeps_its_summary(province: Province) -> None:
    config = province({"SNV": [task_row()]})
    sync_and_record(config, AS_OF)
    before = Path(summary_file(config)).read_bytes()
    _killed(config, "after-commit", NEXT_DAY)
    after = Path(summary_file(config)).read_bytes()
    assert after != before and _runs(config) == [AS_OF, NEXT_DAY] and _leftovers(config)
    with History(config.history_path) as history:
        assert Landing.of(config, Path(summary_file(config))).resolve(history) is None
    assert Path(summary_file(config)).read_bytes() == after and _leftovers(config) == []


def test_a_google_summary_killed_before_the_commit_is_reported(province: Province, emu: Emulator) -> None:
    xcfg = province({"SNV": [task_row()]})
    gcfg = load_config(load_demo_into_emulator(xcfg.base_dir, xcfg.path, emu))
    sync_and_record(gcfg, AS_OF)
    _killed(gcfg, "before-commit", NEXT_DAY)
    assert (gcfg.base_dir / ".ubnd-sync.gsheets.summary.landing").is_file()
    outcome = sync_and_record(gcfg, NEXT_DAY)
    assert outcome.warnings == [
        "Lần tổng hợp trước bị dừng sau khi ghi bảng tổng hợp nhưng trước khi ghi lịch sử: bảng tổng hợp trên "
        "Google Sheets đang là của lần bị dừng (lịch sử không có lần đó); lần tổng hợp này ghi lại bảng."
    ]
    assert _runs(gcfg) == [AS_OF, NEXT_DAY] and _leftovers(gcfg) == []


def test_a_failure_after_the_summary_was_installed_puts_it_back_at_once(
    province: Province, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history's COMMIT fails after the rename (a full disk): the same process undoes the summary."""
    config = province({"SNV": [task_row()]})
    sync_and_record(config, AS_OF)
    before = Path(summary_file(config)).read_bytes()
    original = History.record

    def record(self: History, result: Any, *, before_commit: Callable[[], object], **kwargs: Any) -> Any:
        def install_then_fail() -> None:
            before_commit()
            raise sqlite3.OperationalError("database or disk is full")

        return original(self, result, before_commit=install_then_fail, **kwargs)

    monkeypatch.setattr(History, "record", record)
    with pytest.raises(HistoryError, match="database or disk is full"):
        sync_and_record(config, NEXT_DAY)
    assert Path(summary_file(config)).read_bytes() == before
    assert _runs(config) == [AS_OF] and _leftovers(config) == []
