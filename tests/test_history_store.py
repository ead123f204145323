"""The history file (sync.history.store, snapshot, queries): snapshots, atomicity, schema versions."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from docx import Document

from sync.config import Config, load_config
from sync.engine import run_sync
from sync.history import SCHEMA_VERSION, History, HistoryError, store
from sync.model import RunResult
from sync.pipeline import sync_and_record
from sync.report import write_report
from tests.helpers import summary_file, task_row
from tests.history_fixtures import M1, M2, M3, record_month, render_month

# ----------------------------------------------------------------- snapshots


def recorded(result: RunResult, run_id: int) -> dict[str, Any]:
    """The JSON document of a recorded run: the run's, with its id; the extension requests are
    recorded as their findings and the tasks' cells, not as a list."""
    document = {k: v for k, v in result.to_dict().items() if k != "extension_requests"}
    return {**document, "run_id": run_id}


def test_snapshot_round_trips_the_run(tmp_path: Path) -> None:
    config, result, run_id = record_month(tmp_path, M1)
    assert config.history_path == tmp_path / "ubnd-sync.history.sqlite"
    with History(config.history_path) as h:
        snap = h.load(run_id)
        assert h.schema_version == SCHEMA_VERSION
        assert h.check() == []
        runs = h.runs()
    assert snap.to_dict() == recorded(result, run_id)
    assert [r.id for r in runs] == [run_id]
    assert runs[0].month == "2024-02"
    assert runs[0].task_count == 4 and runs[0].unit_count == 2
    # per task: its fields (dates restored as dates), category, source version
    by_id = {t.task_id: t for t in snap.tasks}
    assert by_id["NV-002"].category == "in_progress_overdue"
    assert by_id["NV-002"].days_overdue == 4
    assert by_id["NV-002"].values["deadline"] == date(2024, 3, 1)
    assert by_id["NV-003"].values["completed_on"] == date(2024, 2, 10)
    assert by_id["NV-003"].text("completed_on") == "10/02/2024"
    assert all(u.source_version for u in snap.units)
    assert [u.source_version for u in snap.units] == [u.source_version for u in result.units]


def test_previous_run_is_latest_run_of_an_earlier_period(tmp_path: Path) -> None:
    _, r1, id1 = record_month(tmp_path, M1)
    _, r2, id2 = record_month(tmp_path, M2)
    # a second run in the same period as M2 (a re-run a few days later)
    config = load_config(tmp_path / "ubnd-sync.toml")
    r2b = run_sync(config, date(2024, 4, 9))
    with History(config.history_path) as h:
        id2b = h.record(r2b, config_path=str(config.path)).run_id
        assert h.previous_run(r1.as_of, r1.period) is None
        prev = h.previous_run(r2b.as_of, r2b.period)
        assert prev is not None and prev.id == id1  # not id2: same period
        r3 = run_sync(config, M3)
        prev3 = h.previous_run(r3.as_of, r3.period)
        assert prev3 is not None and prev3.id == id2b  # latest run of the earlier period
        assert h.run_for_month("2024-03") is not None and h.run_for_month("2024-03").id == id2b  # type: ignore[union-attr]
        assert h.run_on_or_before(date(2024, 4, 6)).id == id2  # type: ignore[union-attr]
        assert h.run_on_or_before(date(2024, 3, 1)) is None


# ----------------------------------------------------------------- atomicity


# The child records M2 with a crash planted in its data: the value of a task halfway
# through the list kills the process (SIGKILL) when the snapshot encodes it, that is,
# after the run, its units and half its tasks are inserted, before COMMIT. No hook in
# the code under test: the crash comes in with the data, as a broken value would.
KILL_SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    from sync.config import Config, load_config
    from sync.engine import run_sync
    from sync.history import History

    class KillWhenEncoded:
        def __str__(self):
            os.kill(os.getpid(), signal.SIGKILL)

    config = load_config(sys.argv[1])
    result = run_sync(config, date.fromisoformat(sys.argv[2]))
    if sys.argv[3] == "kill":
        tasks = result.tasks
        tasks[len(tasks) // 2].values["crash"] = KillWhenEncoded()
    with History(config.history_path) as h:
        h.record(result, config_path=str(config.path))
    print("recorded")
    """
)


def _run_child(config_path: Path, as_of: date, *, kill: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(config_path), as_of.isoformat(), "kill" if kill else "run"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
        check=False,
    )


def test_sync_killed_mid_snapshot_leaves_history_consistent(tmp_path: Path) -> None:
    config, _, id1 = record_month(tmp_path, M1)
    render_month(tmp_path, M2)

    proc = _run_child(config.path, M2, kill=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "recorded" not in proc.stdout
    # the killed writer left its rollback journal: the transaction was under way
    journal = config.history_path.with_name(config.history_path.name + "-journal")
    assert journal.exists() and journal.stat().st_size > 0

    with History(config.history_path) as h:  # opening rolls the hot journal back
        assert [r.id for r in h.runs()] == [id1]
        assert h.check() == []
        for table in ("unit_results", "tasks", "findings"):
            rows = h.conn.execute(f"SELECT DISTINCT run_id FROM {table}").fetchall()
            assert rows == [(id1,)], table

    # and the next run records normally
    proc = _run_child(config.path, M2, kill=False)
    assert proc.returncode == 0, proc.stderr
    with History(config.history_path) as h:
        runs = h.runs()
        assert [r.as_of for r in runs] == [M1, M2]
        assert h.check() == []
        assert h.load(runs[-1].id).info.task_count == 5  # type: ignore[arg-type]


def test_failed_record_leaves_no_partial_snapshot(tmp_path: Path) -> None:
    config, result, id1 = record_month(tmp_path, M1)
    broken = replace(result, units=[*result.units, result.units[0]])  # a duplicate unit: constraint error
    with History(config.history_path) as h:
        with pytest.raises(HistoryError, match="không ghi được lịch sử"):
            h.record(broken, config_path=str(config.path))
        assert [r.id for r in h.runs()] == [id1]
        assert h.check() == []
        assert h.conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == len(result.tasks)


class _Broken:
    """A value whose text cannot be made: encoding the task that holds it fails."""

    def __str__(self) -> str:
        raise RuntimeError("broken value")


def _assert_only(h: History, run_id: int, result: RunResult) -> None:
    """The history holds run ``run_id`` (of ``result``) and nothing else, not one row."""
    assert [r.id for r in h.runs()] == [run_id]
    assert h.check() == []
    for table in ("unit_results", "tasks", "findings"):
        assert h.conn.execute(f"SELECT DISTINCT run_id FROM {table}").fetchall() == [(run_id,)], table
    assert h.conn.execute("SELECT count(*) FROM tasks").fetchone()[0] == len(result.tasks)


def test_crash_halfway_through_the_tasks_leaves_no_partial_snapshot(tmp_path: Path) -> None:
    config, r1, id1 = record_month(tmp_path, M1)
    result = run_sync(render_month(tmp_path, M2), M2)
    tasks = result.tasks
    tasks[len(tasks) // 2].values["crash"] = _Broken()
    with History(config.history_path) as h:
        with pytest.raises(RuntimeError, match="broken value"):  # not a HistoryError: it is not the file's
            h.record(result, config_path=str(config.path))
        assert not h.conn.in_transaction
        _assert_only(h, id1, r1)


def test_failure_before_commit_leaves_no_snapshot(tmp_path: Path) -> None:
    config, r1, id1 = record_month(tmp_path, M1)
    result = run_sync(render_month(tmp_path, M2), M2)
    seen: list[int] = []

    def fail() -> None:  # every row is in when the caller's step runs
        seen.append(h.conn.execute("SELECT count(*) FROM runs").fetchone()[0])
        raise OSError("summary not written")

    with History(config.history_path) as h:
        with pytest.raises(OSError, match="summary not written"):
            h.record(result, config_path=str(config.path), before_commit=fail)
        assert seen == [2]
        _assert_only(h, id1, r1)
        assert h.record(result, config_path=str(config.path)).run_id == id1 + 1  # and the next run records


# ----------------------------------------------------------------- schema versions


def test_file_from_a_newer_version_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (a)")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError, match="phiên bản ubnd-sync mới hơn"):
        History(path)
    assert path.read_bytes() == before


def test_damaged_file_is_refused_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HistoryError, match="bị hỏng"):
        History(path)
    assert path.read_bytes() == b"this is not a database" * 100


def test_missing_history_is_a_clear_error_when_not_creating(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="chưa có lịch sử"):
        History(tmp_path / "none.sqlite", create=False)
    assert not (tmp_path / "none.sqlite").exists()


def _add_migration(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """A schema version after the latest, made of ``script``."""
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS, script))


def _columns(h: History, table: str) -> list[str]:
    return [r[1] for r in h.conn.execute(f"PRAGMA table_info({table})")]


def test_migration_upgrades_keep_every_snapshot_and_back_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, result, id1 = record_month(tmp_path, M1)
    _add_migration(
        monkeypatch, "ALTER TABLE runs ADD COLUMN note TEXT; CREATE INDEX runs_as_of ON runs (as_of)"
    )
    with History(config.history_path) as h:
        assert h.schema_version == len(store.MIGRATIONS) == SCHEMA_VERSION + 1
        assert h.load(id1).to_dict() == recorded(result, id1)
        assert "note" in _columns(h, "runs")
    backup = config.history_path.with_name(f"{config.history_path.name}.v{SCHEMA_VERSION}.bak")
    assert backup.exists()
    with History(backup) as old:  # the backup is the previous file, whole (the new migration applied on open)
        assert [r.id for r in old.runs()] == [id1]


def test_new_file_gets_the_latest_schema_without_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    with History(path) as h:
        assert h.schema_version == SCHEMA_VERSION
        assert h.runs() == [] and h.check() == []
    assert [p.name for p in tmp_path.iterdir()] == ["h.sqlite"]


def test_failed_migration_keeps_the_file_at_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, result, id1 = record_month(tmp_path, M1)
    _add_migration(
        monkeypatch, "ALTER TABLE runs ADD COLUMN note TEXT; ALTER TABLE no_such_table ADD COLUMN x TEXT"
    )
    with pytest.raises(HistoryError, match="bị hỏng"):
        History(config.history_path)
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS[:SCHEMA_VERSION])
    with History(config.history_path) as h:  # the previous version, whole: the half-applied one rolled back
        assert h.schema_version == SCHEMA_VERSION
        assert "note" not in _columns(h, "runs")
        assert h.load(id1).to_dict() == recorded(result, id1)
    assert config.history_path.with_name(f"{config.history_path.name}.v{SCHEMA_VERSION}.bak").exists()


def _reverse_columns(path: Path, table: str) -> None:
    """Rebuild ``table`` with its columns in the opposite order (a later schema may move them)."""
    conn = sqlite3.connect(path)
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")][::-1]
    conn.executescript(
        f"CREATE TABLE new_{table} AS SELECT {', '.join(columns)} FROM {table}; "
        f"DROP TABLE {table}; ALTER TABLE new_{table} RENAME TO {table};"
    )
    conn.close()


def test_rows_are_read_by_column_name(tmp_path: Path) -> None:
    config, result, id1 = record_month(tmp_path, M1)
    with History(config.history_path) as h:
        before = h.load(id1)
        info = h.runs()
    for table in ("runs", "unit_results", "tasks", "findings"):
        _reverse_columns(config.history_path, table)
    with History(config.history_path) as h:
        assert h.runs() == info
        assert h.load(id1) == before
        assert h.load(id1).to_dict() == recorded(result, id1)
        assert h.conn.execute("SELECT id FROM runs").fetchall() == [(id1,)]  # the connection: plain tuples


def test_history_recorded_before_kinds_reads_kinds_from_unit_names(province: Callable[..., Config]) -> None:
    units = {"SNV": [task_row()], "RG": [task_row(task_id="NV-002")], "X-MHH": [task_row(task_id="NV-003")]}
    config = province(units)
    first = run_sync(config, date(2024, 3, 5))
    with History(config.history_path) as h:
        id1 = h.record(first, config_path=str(config.path)).run_id
    # the same file as schema version 2 wrote it: no kind column
    conn = sqlite3.connect(config.history_path)
    conn.executescript(
        "DROP TABLE deliveries; ALTER TABLE unit_results DROP COLUMN kind; PRAGMA user_version = 2;"
    )
    conn.close()
    config = province({**units, "SNV": [task_row(status="Hoàn thành", completed_on="01/03/2024")]})
    with History(config.history_path) as h:
        assert h.schema_version == SCHEMA_VERSION  # every migration since 2 applied
        old = h.load(id1)
        assert [(u.code, u.kind) for u in old.units] == [
            ("SNV", "so-nganh"),
            ("RG", "huyen"),
            ("X-MHH", "xa"),
        ]
        assert [(g["group"], g["unit_count"]) for g in old.to_dict()["groups"]] == [
            ("so-nganh", 1),
            ("cap-huyen", 1),
            ("cap-xa", 1),
        ]
    # a sync after the upgrade: its So sánh tab compares with the run recorded before it
    outcome = sync_and_record(config, date(2024, 4, 5))
    compare = openpyxl.load_workbook(summary_file(config))["So sánh"]
    rows = [r[:5] for r in compare.iter_rows(min_row=2, max_row=7, values_only=True)]
    notes = [c for r in compare.iter_rows(min_row=8, values_only=True) for c in r if isinstance(c, str)]
    assert any("05/03/2024" in n for n in notes)  # compared with the run recorded before the upgrade
    # code, name, total now, total then, difference; each group's subtotal against the old run's,
    # whose kinds came from the unit names
    assert rows == [
        ("I", "Sở, ban, ngành (1 đơn vị)", 1, 1, 0),
        ("SNV", "Sở Nội vụ", 1, 1, 0),
        ("II", "UBND cấp huyện (1 đơn vị)", 1, 1, 0),
        ("RG", "UBND thành phố Rạch Giá", 1, 1, 0),
        ("III", "UBND cấp xã (1 đơn vị)", 1, 1, 0),
        ("X-MHH", "UBND xã Mỹ Hòa Hưng", 1, 1, 0),
    ]
    with History(config.history_path) as h:
        runs = h.runs()
        diff = h.diff(runs[0], runs[1])
        assert h.load(id1 + 1).to_dict() == recorded(outcome.result, id1 + 1)
    assert [c.task_id for c in diff.newly_completed] == ["NV-001"]
    assert config.history_path.with_name(f"{config.history_path.name}.v2.bak").exists()
    # the report of the month recorded before the upgrade groups its units too
    files = write_report(config, config.history_path, "2024-02", config.base_dir / "bao-cao", pdf=False)
    rows = [[c.text for c in r.cells][:2] for r in Document(str(files.docx)).tables[-1].rows]
    assert ["II", "UBND cấp huyện (1 đơn vị)"] in rows and ["III", "UBND cấp xã (1 đơn vị)"] in rows
