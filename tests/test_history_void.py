"""Issue 9: back-dated syncs refused or flagged, void runs, identical and corrected re-runs.

The demo province synced at three meetings (05/09, 05/10 and 05/11/2026) by the
real ``ubnd-sync demo`` command; each test works on its own copy of it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from sync.cli import cli
from sync.config import Config, load_config
from sync.demo import DEMO_AS_OF
from sync.engine import run_sync
from sync.history import SCHEMA_VERSION, BackdatedRunError, History, check_as_of, store
from sync.report.facts import load_facts
from tests.helpers import DemoMonths, summary_file
from tests.history_fixtures import M1, M2, M3, record_month, render_month

BACKDATED_AS_OF = date(2026, 10, 20)  # after the meeting of 05/11: the mistake
REFUSAL = (
    "Lỗi: ngày tổng hợp 20/10/2026 sớm hơn lần tổng hợp gần nhất trong lịch sử (lần số 3, ngày 05/11/2026)."
)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("demo-void") / "tinh"
    out = CliRunner().invoke(cli, ["demo", str(directory), "--months", "3", "--quiet"])
    assert out.exit_code == 0, out.output
    return directory


@pytest.fixture
def demo(demo_dir: Path, tmp_path: Path) -> Config:
    """A fresh copy of the demo province and its history of three runs (ids 1, 2, 3)."""
    directory = tmp_path / "tinh"
    shutil.copytree(demo_dir, directory)
    return load_config(directory / "ubnd-sync.toml")


@pytest.fixture(scope="module")
def september(demo_months: DemoMonths) -> tuple[int, int]:
    """Total and completed tasks of the run of 05/10/2026 (September's figures), from the demo's ground truth."""
    counts = demo_months.pristine(date(2026, 10, 5)).totals()
    return counts["total"], counts["completed_on_time"] + counts["completed_late"]


def run(config: Config, *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "-c", str(config.path)])


def listed(config: Config) -> list[dict[str, Any]]:
    out = run(config, "history", "--json")
    assert out.exit_code == 0, out.output
    return list(json.loads(out.stdout))


def record(config: Config, as_of: date, *, backdated: bool = False) -> Any:
    result = run_sync(config, as_of)
    with History(config.history_path) as h:
        return h.record(result, config_path=str(config.path), backdated=backdated)


def october_compares_with(config: Config) -> tuple[int, int]:
    """Last month's total and completed tasks in the report of October 2026."""
    with History(config.history_path, create=False) as h:
        facts = load_facts(h, "2026-10")
    assert facts.run_id == 3 and facts.previous is not None
    return facts.previous.total, facts.previous.completed


# ----------------------------------------------------------------- back-dated runs


def test_demo_history_is_three_regular_runs(demo: Config, september: tuple[int, int]) -> None:
    runs = listed(demo)
    assert [(r["id"], r["as_of"], r["month"]) for r in runs] == [
        (1, "2026-09-05", "2026-08"),
        (2, "2026-10-05", "2026-09"),
        (3, "2026-11-05", "2026-10"),
    ]
    assert {(r["backdated"], r["void"], r["void_reason"], r["superseded_by"]) for r in runs} == {
        (False, False, None, None)
    }
    assert october_compares_with(demo) == september


def test_a_sync_dated_before_the_latest_run_is_refused(demo: Config) -> None:
    before = demo.history_path.read_bytes()
    with History(demo.history_path) as h:
        with pytest.raises(BackdatedRunError) as refused:
            h.check_as_of(BACKDATED_AS_OF, backdated=False)
        assert refused.value.exit_code == 2
        assert f"Lỗi: {refused.value}".startswith(REFUSAL)
        assert "--back-dated" in str(refused.value)
        assert "ubnd-sync history void 3 --reason" in str(refused.value)
        # the same day as the latest run, or later, is a regular run
        assert h.check_as_of(date(2026, 11, 5), backdated=False) is False
        assert h.check_as_of(date(2026, 12, 5), backdated=True) is False
        assert h.check_as_of(BACKDATED_AS_OF, backdated=True) is True
        # record() checks again, inside its transaction: nothing is added
        with pytest.raises(BackdatedRunError):
            h.record(run_sync(demo, BACKDATED_AS_OF), config_path=str(demo.path))
        assert [r.id for r in h.runs()] == [1, 2, 3]
    assert demo.history_path.read_bytes() == before
    # without a history there is nothing to refuse, and no file is made
    assert check_as_of(demo.base_dir / "none.sqlite", BACKDATED_AS_OF, backdated=False) is False
    assert not (demo.base_dir / "none.sqlite").exists()


def test_a_back_dated_run_is_recorded_flagged_and_never_the_latest(
    demo: Config, september: tuple[int, int]
) -> None:
    outcome = record(demo, BACKDATED_AS_OF, backdated=True)
    assert (outcome.run_id, outcome.backdated, outcome.recorded) == (4, True, True)
    runs = listed(demo)
    assert (runs[3]["as_of"], runs[3]["month"], runs[3]["backdated"]) == ("2026-10-20", "2026-09", True)
    assert runs[3]["superseded_by"] == 2  # September's run stays the regular one of 05/10
    text = run(demo, "history").output
    assert "lùi ngày, báo cáo tháng dùng lần số 2" in text and "4 lần tổng hợp." in text
    with History(demo.history_path) as h:
        assert h.latest_run().id == 3  # type: ignore[union-attr]
        assert h.run_for_month("2026-09").id == 2  # type: ignore[union-attr]
        assert h.run_for_month("2026-09", backdated=True).id == 2  # type: ignore[union-attr]
        later = run_sync(demo, date(2026, 11, 10))
        assert h.previous_info(later.as_of, later.period).id == 2  # type: ignore[union-attr]
    # the report of October still compares with the figures of 05/10 (not 1.389 / 769)
    assert october_compares_with(demo) == september
    doc = json.loads(run(demo, "diff", "--json").stdout)
    assert (doc["old"]["run_id"], doc["new"]["run_id"]) == (2, 3)
    # a back-dated run can be compared when picked by hand
    assert run(demo, "diff", "--run", "4", "--since", "1").exit_code == 0


def test_a_back_dated_run_is_its_months_run_only_when_there_is_no_regular_one(tmp_path: Path) -> None:
    record_month(tmp_path, M1)
    config, _, id3 = record_month(tmp_path, M3)
    render_month(tmp_path, M2)  # M2's sheets again, synced after M3
    outcome = record(config, M2, backdated=True)
    with History(config.history_path) as h:
        assert h.run_for_month("2024-03") is None  # comparisons: regular runs only
        assert h.run_for_month("2024-03", backdated=True).id == outcome.run_id  # type: ignore[union-attr]
        assert load_facts(h, "2024-03").run_id == outcome.run_id  # asked for by month: its run
        april = load_facts(h, "2024-04")
        assert april.run_id == id3 and april.previous is None  # never last month's figures
        assert h.latest_run().id == id3  # type: ignore[union-attr]


# ----------------------------------------------------------------- void runs


def test_history_void_marks_a_run_and_every_reader_ignores_it(demo: Config, demo_months: DemoMonths) -> None:
    out = run(demo, "history", "void", "3", "--reason", "Tổng hợp nhầm, làm lại sau")
    assert out.exit_code == 0, out.output
    assert out.output == (
        "Đã hủy lần tổng hợp số 3 (ngày 05/11/2026, tháng 10/2026); lý do: Tổng hợp nhầm, làm lại sau. "
        "Lần này vẫn được giữ trong lịch sử nhưng không còn được dùng cho diff, báo cáo, bảng So sánh "
        "và đánh giá.\n"
    )
    runs = listed(demo)
    assert [r["id"] for r in runs] == [1, 2, 3]  # listed, never deleted
    assert (runs[2]["void"], runs[2]["void_reason"]) == (True, "Tổng hợp nhầm, làm lại sau")
    assert runs[2]["voided_at"] and runs[2]["superseded_by"] is None
    text = run(demo, "history").output
    assert "ĐÃ HỦY ngày" in text and ": Tổng hợp nhầm, làm lại sau" in text
    assert "3 lần tổng hợp, trong đó 1 lần đã hủy." in text
    with History(demo.history_path) as h:
        assert (
            h.check() == []
            and h.load(3).info.task_count == demo_months.pristine(DEMO_AS_OF).totals()["total"]
        )
        assert [r.id for r in h.runs()] == [1, 2]  # what the year-end evaluation reads
        assert h.latest_run().id == 2  # type: ignore[union-attr]
        assert h.run_for_month("2026-10", backdated=True) is None
        december = run_sync(demo, date(2026, 12, 5))  # So sánh of the next meeting: 05/10, not the void run
        assert h.previous_run(december.as_of, december.period).id == 2  # type: ignore[union-attr]
        assert load_facts(h, None).run_id == 2  # the report's default month is September's
        # with the wrong run taken back, 20/10 is a regular run again
        assert h.check_as_of(BACKDATED_AS_OF, backdated=False) is False
    doc = json.loads(run(demo, "diff", "--json").stdout)
    assert (doc["old"]["run_id"], doc["new"]["run_id"]) == (1, 2)
    for args in (["--run", "3"], ["--since", "3"]):
        out = run(demo, "diff", *args)
        assert out.exit_code == 1
        assert "Lỗi: lần tổng hợp số 3 đã bị hủy ngày" in out.output and "không dùng để so sánh" in out.output
    out = run(demo, "report", "--month", "2026-10", "--no-pdf", "--out", str(demo.base_dir / "bc"))
    assert out.exit_code == 1 and "không có lần tổng hợp nào cho tháng 10 năm 2026" in out.output


def test_history_void_errors(demo: Config) -> None:
    assert run(demo, "history", "void", "2", "--reason", "nhầm").exit_code == 0
    out = run(demo, "history", "void", "2", "--reason", "lần nữa")
    assert out.exit_code == 1
    assert (
        "Lỗi: lần tổng hợp số 2 đã bị hủy ngày" in out.output
        and "(lý do: nhầm); không làm gì thêm." in out.output
    )
    out = run(demo, "history", "void", "99", "--reason", "x")
    assert out.exit_code == 1 and "không có lần tổng hợp số 99" in out.output
    assert run(demo, "history", "void", "1").exit_code == 2  # the reason is required
    out = run(demo, "history", "void", "1", "--reason", "  ")
    assert out.exit_code == 2 and "cần ghi lý do hủy" in out.output
    # the group's options reach the subcommand: `history -c F --json void …`
    out = CliRunner().invoke(cli, ["history", "-c", str(demo.path), "--json", "void", "1", "--reason", "x"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["void_reason"] == "x"
    assert [r["void"] for r in listed(demo)] == [True, True, False]


# ----------------------------------------------------------------- re-runs


def test_identical_re_run_adds_no_snapshot(demo: Config) -> None:
    # the copied province's findings name its new folder (a missing unit's file): new data, a new run
    assert record(demo, date(2026, 11, 5)).run_id == 4
    # a unit saved its file again without changing it: its source version changes, not its data
    unit_file = next(demo.base_dir.glob("units/*.xlsx"))
    os.utime(unit_file, (unit_file.stat().st_atime, unit_file.stat().st_mtime + 3600))
    outcome = record(demo, date(2026, 11, 5))
    assert (outcome.run_id, outcome.duplicate_of, outcome.recorded) == (4, 4, False)
    with History(demo.history_path) as h:
        assert [r.id for r in h.runs(include_void=True)] == [1, 2, 3, 4] and h.check() == []
    # another day is another run, even with the same sheets
    assert record(demo, date(2026, 11, 6)).run_id == 5


def test_corrected_re_run_supersedes_the_earlier_run_for_reports(tmp_path: Path) -> None:
    record_month(tmp_path, M1)
    record_month(tmp_path, M2)
    config, _, id3 = record_month(tmp_path, M2, corrected=True)
    runs = listed(config)
    assert [(r["id"], r["superseded_by"]) for r in runs] == [(1, None), (2, 3), (3, None)]
    assert "đã được thay thế bởi lần số 3" in run(config, "history").output
    with History(config.history_path) as h:
        assert len(h.runs()) == 3  # both kept
        facts = load_facts(h, "2024-03")
        assert facts.run_id == id3
        assert any(t.obstacles == "Đã bổ sung sau lần tổng hợp đầu" for t in facts.pending)
        third = run_sync(render_month(tmp_path, M3), M3)
        assert h.previous_run(third.as_of, third.period).id == id3  # type: ignore[union-attr]


# ----------------------------------------------------------------- schema version 2


def _as_version_1(path: Path) -> None:
    """Rewrite the history at ``path`` as ubnd-sync's schema version 1 held it (same runs and rows)."""
    old = path.with_name("v1.sqlite")
    conn = sqlite3.connect(old)
    conn.executescript(store.MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute("ATTACH DATABASE ? AS cur", (str(path),))
    for table in ("runs", "unit_results", "tasks", "findings"):
        columns = ", ".join(r[1] for r in conn.execute(f"PRAGMA main.table_info({table})"))
        conn.execute(f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM cur.{table}")
    conn.commit()
    conn.execute("DETACH DATABASE cur")
    conn.close()
    old.replace(path)


def test_migration_from_version_1_flags_runs_recorded_back_dated(tmp_path: Path) -> None:
    record_month(tmp_path, M1)
    config, _, _ = record_month(tmp_path, M3)
    render_month(tmp_path, M2)
    record(config, M2, backdated=True)  # what version 1 recorded silently
    _as_version_1(config.history_path)
    with History(config.history_path) as h:
        assert h.schema_version == SCHEMA_VERSION == len(store.MIGRATIONS)  # every migration since 1 applied
        assert [(r.as_of, r.backdated, r.void) for r in h.runs()] == [
            (M1, False, False),
            (M3, False, False),
            (M2, True, False),
        ]
        assert h.latest_run().as_of == M3  # type: ignore[union-attr]
        assert h.check() == []
        assert h.conn.execute("SELECT count(*) FROM runs WHERE digest IS NOT NULL").fetchone()[0] == 0
    assert config.history_path.with_name(f"{config.history_path.name}.v1.bak").exists()


# ----------------------------------------------------------------- the sync command


def test_cli_refuses_backdated_sync(demo: Config, september: tuple[int, int]) -> None:
    """``sync`` itself: needs the lines wired in ``do_sync`` (sync/cli.py, later sync/pipeline.py)."""
    summary_path = Path(summary_file(demo))
    summary, history = summary_path.read_bytes(), demo.history_path.read_bytes()
    out = run(demo, "sync", "--as-of", BACKDATED_AS_OF.isoformat(), "--quiet")
    assert out.exit_code == 2
    assert out.output.startswith(REFUSAL) and "--back-dated" in out.output
    assert summary_path.read_bytes() == summary and demo.history_path.read_bytes() == history

    out = run(demo, "sync", "--as-of", BACKDATED_AS_OF.isoformat(), "--back-dated", "--quiet")
    assert out.exit_code == 3, out.output  # the demo has unreadable units on purpose
    assert "Đã ghi vào lịch sử: lần tổng hợp số 4, lùi ngày về 20/10/2026" in out.output
    assert listed(demo)[3]["backdated"] is True
    assert october_compares_with(demo) == september

    out = run(demo, "sync", "--as-of", "2026-11-05", "--quiet")  # the copy's folder is new: run 5
    assert out.exit_code == 3 and "Đã ghi vào lịch sử: lần tổng hợp số 5." in out.output
    out = run(demo, "sync", "--as-of", "2026-11-05", "--quiet", "--json")
    assert out.exit_code == 3
    assert json.loads(out.stdout)["as_of"] == "2026-11-05"  # stdout: the JSON document only
    assert out.stderr == (
        "Dữ liệu không đổi so với lần tổng hợp số 5 cùng ngày 05/11/2026: không ghi thêm vào lịch sử.\n"
    )
    assert len(listed(demo)) == 5
