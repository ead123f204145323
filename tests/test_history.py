"""The SQLite history: snapshots, atomicity (killed mid-snapshot), migrations, diffs, the So sánh tab."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sync import history as H
from sync.classify import reporting_period
from sync.cli_history import diff_cmd, history_cmd
from sync.config import Config, load_config
from sync.engine import run_sync
from sync.history import History, HistoryError, comparison_table, diff
from sync.model import CATEGORIES, RunResult
from tests.helpers import DemoMonths, task_row, write_config, write_workbook

NAMES = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính"}

# Three months of a small province. Each month: (as_of, {unit: [rows]}).
M1 = date(2024, 3, 5)  # period (25/01, 25/02]
M2 = date(2024, 4, 5)  # period (25/02, 25/03]
M3 = date(2024, 5, 5)  # period (25/03, 25/04]


def _month_rows(as_of: date) -> dict[str, list[dict[str, Any]]]:
    if as_of == M1:
        return {
            "SNV": [
                task_row(task_id="NV-001", deadline="30/04/2024", updated_on="20/02/2024"),
                task_row(stt=2, task_id="NV-002", deadline="01/03/2024", updated_on="20/02/2024"),
                task_row(
                    stt=3,
                    task_id="NV-003",
                    deadline="28/02/2024",
                    status="Đã hoàn thành",
                    completed_on="10/02/2024",
                    updated_on="10/02/2024",
                ),
            ],
            "STC": [task_row(task_id="NV-010", deadline="15/03/2024", updated_on="20/02/2024")],
        }
    if as_of == M2:
        return {
            "SNV": [
                task_row(task_id="NV-001", deadline="30/04/2024", updated_on="20/03/2024"),
                task_row(
                    stt=2,
                    task_id="NV-002",
                    deadline="01/03/2024",
                    status="Đã hoàn thành",
                    completed_on="20/03/2024",
                    updated_on="20/03/2024",
                ),
                task_row(
                    stt=3,
                    task_id="NV-003",
                    deadline="28/02/2024",
                    status="Đã hoàn thành",
                    completed_on="10/02/2024",
                    updated_on="10/02/2024",
                ),
            ],
            "STC": [
                task_row(
                    task_id="NV-010",
                    deadline="15/03/2024",
                    extended_deadline="30/04/2024",
                    updated_on="20/03/2024",
                ),
                task_row(
                    stt=2,
                    task_id="NV-011",
                    doc_date="01/03/2024",
                    deadline="01/04/2024",
                    updated_on="20/03/2024",
                    obstacles="Chờ ý kiến của Bộ",
                    extension_request="30/05/2024",
                ),
            ],
        }
    assert as_of == M3
    return {
        "SNV": [
            task_row(task_id="NV-001", deadline="30/04/2024", updated_on="20/03/2024"),  # not updated
            task_row(
                stt=2,
                task_id="NV-002",
                deadline="01/03/2024",
                status="Đã hoàn thành",
                completed_on="20/03/2024",
                updated_on="20/03/2024",
            ),
            task_row(
                stt=3,
                task_id="NV-003",
                deadline="28/02/2024",
                status="Đã hoàn thành",
                completed_on="10/02/2024",
                updated_on="10/02/2024",
            ),
        ],
        "STC": [  # NV-010 deleted from the sheet
            task_row(
                stt=2,
                task_id="NV-011",
                doc_date="01/03/2024",
                deadline="01/04/2024",
                status="Hoàn thành",
                completed_on="28/04/2024",
                updated_on="28/04/2024",
            ),
        ],
    }


def render_month(directory: Path, as_of: date) -> Config:
    for code, rows in _month_rows(as_of).items():
        write_workbook(directory / "units" / f"{code}.xlsx", rows)
    return load_config(write_config(directory, [(c, n, f"units/{c}.xlsx") for c, n in NAMES.items()]))


def record_month(directory: Path, as_of: date) -> tuple[Config, RunResult, int]:
    config = render_month(directory, as_of)
    result = run_sync(config, as_of)
    with History(config.history_path) as h:
        run_id = h.record(result, config_path=str(config.path))
    return config, result, run_id


def ids(changes: list[Any]) -> list[str]:
    return [c.task_id for c in changes]


# ----------------------------------------------------------------- snapshots


def test_snapshot_round_trips_the_run(tmp_path: Path) -> None:
    config, result, run_id = record_month(tmp_path, M1)
    assert config.history_path == tmp_path / "ubnd-sync.history.sqlite"
    with History(config.history_path) as h:
        snap = h.load(run_id)
        assert h.schema_version == H.SCHEMA_VERSION
        assert h.check() == []
        runs = h.runs()
    assert snap.to_dict() == {**result.to_dict(), "run_id": run_id}
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


def test_multi_month_history_gives_exact_diffs(tmp_path: Path) -> None:
    ids_by_month = {}
    for as_of in (M1, M2, M3):
        _, _, ids_by_month[as_of] = record_month(tmp_path, as_of)
    config = load_config(tmp_path / "ubnd-sync.toml")
    with History(config.history_path) as h:
        runs = h.runs()
        assert [r.as_of for r in runs] == [M1, M2, M3]
        s1, s2, s3 = (h.load(ids_by_month[m]) for m in (M1, M2, M3))

    d12 = diff(s1, s2)
    assert ids(d12.newly_completed) == ["NV-002"]
    assert ids(d12.newly_overdue) == ["NV-011"]
    assert d12.newly_overdue[0].detail == {"new": True, "effective_deadline": "2024-04-01", "days_overdue": 4}
    assert ids(d12.new_tasks) == ["NV-011"]
    assert ids(d12.vanished_tasks) == []
    assert ids(d12.deadline_changes) == ["NV-010"]
    assert d12.deadline_changes[0].detail == {
        "changes": {"extended_deadline": {"old": None, "new": "2024-04-30"}}
    }
    assert d12.report_status_changes == []

    d23 = diff(s2, s3)
    assert ids(d23.newly_completed) == ["NV-011"]
    assert d23.newly_completed[0].detail == {"new": False, "completed_on": "2024-04-28"}
    assert d23.newly_completed[0].old_category == "in_progress_overdue"
    assert d23.newly_completed[0].new_category == "completed_late"
    assert ids(d23.newly_overdue) == ["NV-001"]
    assert ids(d23.vanished_tasks) == ["NV-010"]
    assert ids(d23.new_tasks) == [] and ids(d23.deadline_changes) == []
    assert [(u.code, u.old_status, u.new_status) for u in d23.report_status_changes] == [
        ("SNV", "on_time", "missing"),
        ("STC", "on_time", "late"),
    ]
    # JSON form
    doc = d23.to_dict()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["old"]["run_id"] == s2.id and doc["new"]["run_id"] == s3.id
    assert [c["task_id"] for c in doc["vanished_tasks"]] == ["NV-010"]
    assert doc["report_status_changes"][0] == {
        "code": "SNV",
        "name": "Sở Nội vụ",
        "old_report_status": "on_time",
        "new_report_status": "missing",
    }
    # a diff against a fresh, unrecorded result equals the diff against its snapshot
    assert (
        diff(s2, s3).to_dict()["newly_overdue"] == diff(s2, run_sync(config, M3)).to_dict()["newly_overdue"]
    )


def test_previous_run_is_latest_run_of_an_earlier_period(tmp_path: Path) -> None:
    _, r1, id1 = record_month(tmp_path, M1)
    _, r2, id2 = record_month(tmp_path, M2)
    # a second run in the same period as M2 (a re-run a few days later)
    config = load_config(tmp_path / "ubnd-sync.toml")
    r2b = run_sync(config, date(2024, 4, 9))
    with History(config.history_path) as h:
        id2b = h.record(r2b, config_path=str(config.path))
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


KILL_SCRIPT = textwrap.dedent(
    """
    import sys
    from datetime import date, datetime
    from sync.config import load_config
    from sync.engine import run_sync
    from sync.history import History
    config = load_config(sys.argv[1])
    result = run_sync(config, date.fromisoformat(sys.argv[2]))
    with History(config.history_path) as h:
        h.record(result, config_path=str(config.path))
    print("recorded")
    """
)


def _run_child(config_path: Path, as_of: date, *, kill: bool) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop(H.KILL_ENV, None)
    if kill:
        env[H.KILL_ENV] = H.KILL_POINT
    return subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(config_path), as_of.isoformat()],
        env=env,
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


# ----------------------------------------------------------------- schema versions


def test_file_from_a_newer_version_is_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE x (a)")
    conn.execute(f"PRAGMA user_version = {H.SCHEMA_VERSION + 5}")
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


def test_migration_upgrades_keep_every_snapshot_and_back_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, result, id1 = record_month(tmp_path, M1)
    v2 = "ALTER TABLE runs ADD COLUMN note TEXT; CREATE INDEX runs_as_of ON runs (as_of)"
    monkeypatch.setattr(H, "MIGRATIONS", (*H.MIGRATIONS, v2))
    with History(config.history_path) as h:
        assert h.schema_version == len(H.MIGRATIONS) == 2
        assert h.load(id1).to_dict() == {**result.to_dict(), "run_id": id1}
        cols = [r[1] for r in h.conn.execute("PRAGMA table_info(runs)")]
        assert "note" in cols
    backup = config.history_path.with_name(config.history_path.name + ".v1.bak")
    assert backup.exists()
    with History(backup) as old:  # the backup is the v1 file, whole (v2 migration applied on open)
        assert [r.id for r in old.runs()] == [id1]


# ----------------------------------------------------------------- So sánh tab


def test_comparison_table_against_previous_period(tmp_path: Path) -> None:
    _, r1, id1 = record_month(tmp_path, M1)
    config = render_month(tmp_path, M2)
    r2 = run_sync(config, M2)
    with History(config.history_path) as h:
        prev = h.previous_run(r2.as_of, r2.period)
    assert prev is not None and prev.id == id1
    t = comparison_table(r2, prev)
    assert t.name == "So sánh"
    titles = [c.title for c in t.columns]
    assert titles[:5] == [
        "Mã đơn vị",
        "Đơn vị",
        "Tổng số – kỳ 03/2024",
        "Tổng số – kỳ 02/2024",
        "Tổng số – tăng (+)/giảm (−)",
    ]
    note, snv, stc, total = t.rows
    assert "lần tổng hợp số" in note[1] and "05/03/2024" in note[1]
    # SNV: total 3→3; completed 1→2; overdue 1→0; completion 0.5→1.0; on time 0.5→0.5
    assert snv[:2] == ["SNV", "Sở Nội vụ"]
    assert snv[2:17] == [3, 3, 0, 2, 1, 1, 0, 1, -1, 1.0, 0.5, 0.5, 0.5, 0.5, 0.0]
    assert snv[17:] == ["Đúng hạn", "Đúng hạn"]
    # STC: 2 tasks now (NV-011 overdue), 1 before
    assert stc[2:5] == [2, 1, 1]
    assert stc[8:11] == [1, 0, 1]
    assert t.styles[-1] == "total"
    assert total[1] == "Tổng cộng" and total[2:5] == [5, 4, 1]
    assert len({len(r) for r in t.rows}) == 1 and len(t.rows[0]) == len(t.columns)


def test_comparison_table_without_previous_run_says_so() -> None:
    result = RunResult(
        as_of=M1,
        period=reporting_period(M1, 25),
        units=[],
        totals={
            "counts": {k: 0 for k in ("total", *CATEGORIES)},
            "completion_rate": None,
            "on_time_rate": None,
        },
        findings=[],
        generated_at=datetime(2024, 3, 5, 8, 0),
        version="test",
    )
    t = comparison_table(result, None)
    assert "Chưa có lần tổng hợp nào của kỳ trước" in t.rows[0][1]
    assert t.rows[-1][1] == "Tổng cộng"
    assert t.rows[-1][3] is None


# ----------------------------------------------------------------- the demo province, month by month


@pytest.fixture(scope="module")
def demo_history(demo_months: DemoMonths, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    directory = tmp_path_factory.mktemp("demo-history")
    run_ids = []
    for month in (8, 9, 10):
        province = demo_months.render(directory, as_of=date(2024, month, 5))
        config = load_config(province.config_path)
        result = run_sync(config, province.as_of)
        with History(config.history_path) as h:
            run_ids.append(h.record(result, config_path=str(config.path)))
    return directory, run_ids


def test_demo_history_diffs_are_exact_and_deterministic(
    demo_history: tuple[Path, list[int]], tmp_path: Path
) -> None:
    directory, run_ids = demo_history
    config = load_config(directory / "ubnd-sync.toml")
    with History(config.history_path) as h:
        snaps = [h.load(i) for i in run_ids]
        assert h.check() == []
    for old, new in zip(snaps, snaps[1:], strict=False):
        d = diff(old, new)
        o = {t.task_id: t for t in old.tasks}
        n = {t.task_id: t for t in new.tasks}
        # recomputed independently from the two snapshots
        assert sorted(ids(d.new_tasks)) == sorted(k for k in n if k not in o)  # type: ignore[type-var]
        assert sorted(ids(d.vanished_tasks)) == sorted(k for k in o if k not in n)  # type: ignore[type-var]
        expected_done = {k for k, t in n.items() if t.completed and (k not in o or not o[k].completed)}
        # the duplicate id (two units) appears twice, keyed apart
        assert set(ids(d.newly_completed)) == expected_done
        expected_over = {
            k
            for k, t in n.items()
            if t.category == "in_progress_overdue" and (k not in o or o[k].category != "in_progress_overdue")
        }
        assert set(ids(d.newly_overdue)) == expected_over
        assert d.new_tasks, "the demo province gets new tasks every month"
        assert d.newly_completed and d.newly_overdue
        # totals move by exactly the new and vanished tasks
        assert new.info.task_count - old.info.task_count == len(d.new_tasks) - len(d.vanished_tasks)
    # same seed, same months: byte-identical diff documents
    again: list[dict[str, Any]] = []
    from sync.demo import make_demo

    other = tmp_path / "again"
    results = []
    for month in (9, 10):
        province = make_demo(other, as_of=date(2024, month, 5))
        results.append(run_sync(load_config(province.config_path), province.as_of))
    again.append(diff(results[0], results[1]).to_dict())
    first = diff(snaps[1], snaps[2]).to_dict()
    for key in ("newly_completed", "newly_overdue", "deadline_changes", "new_tasks", "vanished_tasks"):
        assert first[key] == again[0][key], key
    # KH stops updating after the August 2024 cutoff: missing by the October run
    statuses = {(u.code, s.as_of.month): u.report_status for s in snaps for u in s.units}
    assert statuses[("KH", 10)] != "on_time"


# ----------------------------------------------------------------- commands


def test_history_and_diff_commands(tmp_path: Path) -> None:
    for as_of in (M1, M2, M3):
        record_month(tmp_path, as_of)
    cfg = str(tmp_path / "ubnd-sync.toml")
    runner = CliRunner()
    out = runner.invoke(history_cmd, ["-c", cfg])
    assert out.exit_code == 0, out.output
    assert "05/03/2024" in out.output and "3 lần tổng hợp" in out.output
    out = runner.invoke(history_cmd, ["-c", cfg, "--json"])
    runs = json.loads(out.output)
    assert [r["as_of"] for r in runs] == ["2024-03-05", "2024-04-05", "2024-05-05"]
    out = runner.invoke(diff_cmd, ["-c", cfg, "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["old"]["as_of"] == "2024-04-05" and doc["new"]["as_of"] == "2024-05-05"
    assert [c["task_id"] for c in doc["vanished_tasks"]] == ["NV-010"]
    out = runner.invoke(diff_cmd, ["-c", cfg, "--since", "2024-03-31", "--json"])
    assert json.loads(out.output)["old"]["as_of"] == "2024-03-05"
    out = runner.invoke(diff_cmd, ["-c", cfg, "--since", "1"])
    assert out.exit_code == 0
    assert "Nhiệm vụ mới hoàn thành: 2" in out.output  # NV-002 and NV-011
    assert "Sở Nội vụ (SNV): Đúng hạn → Không cập nhật" in out.output
    out = runner.invoke(diff_cmd, ["-c", cfg, "--since", "99"])
    assert out.exit_code == 1 and "không có lần tổng hợp số 99" in out.output
    out = runner.invoke(history_cmd, ["-c", str(tmp_path / "nope" / "x.toml")])
    assert out.exit_code == 2


def test_history_command_without_history(tmp_path: Path, province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row()]})
    out = CliRunner().invoke(history_cmd, ["-c", str(config.path)])
    assert out.exit_code == 1
    assert "chưa có lịch sử" in out.output
    assert not config.history_path.exists()
