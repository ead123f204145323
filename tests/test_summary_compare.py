"""The summary's So sánh tab (sync.summary.compare), against the history's previous period."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sync.classify import reporting_period
from sync.config import Config
from sync.engine import run_sync
from sync.history import History
from sync.model import CATEGORIES, RunResult
from sync.summary.compare import comparison_table
from tests.helpers import task_row
from tests.history_fixtures import M1, M2, record_month, render_month


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
    snv, stc, total = t.rows
    (note,) = t.notes
    assert "lần tổng hợp số" in note and "05/03/2024" in note
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
    assert "Chưa có lần tổng hợp nào của kỳ trước" in t.notes[0]
    assert t.rows[-1][1] == "Tổng cộng"
    assert t.rows[-1][3] is None


def test_comparison_table_groups_units_like_thong_ke(province: Callable[..., Config]) -> None:
    """Sở, ban, ngành and UBND cấp xã each open with a subtotal row, this period against the previous."""
    config = province(
        {
            "SNV": [task_row(id="SNV-1", deadline="10/03/2024")],
            "X-MHH": [task_row(id="X-1", deadline="10/03/2024"), task_row(id="X-2", deadline="31/12/2024")],
            "P-BD": [task_row(id="P-1", deadline="10/03/2024")],
        }
    )
    r1 = run_sync(config, M1)
    with History(config.history_path) as h:
        h.record(r1, config_path=str(config.path))
    r2 = run_sync(config, M2)  # the 10/03 deadlines have passed: overdue now, not before
    with History(config.history_path) as h:
        prev = h.previous_run(r2.as_of, r2.period)
    t = comparison_table(r2, prev)
    assert [r[0] for r in t.rows] == ["I", "SNV", "II", "X-MHH", "P-BD", ""]
    group = t.rows[2]
    assert group[1] == "UBND cấp xã (2 đơn vị)" and t.styles[2] == "total"
    assert group[2:5] == [3, 3, 0]  # Tổng số: this period, the previous one, the change
    overdue = [r2.units[1].counts["in_progress_overdue"] + r2.units[2].counts["in_progress_overdue"], 0]
    assert group[8:11] == [*overdue, overdue[0]] and overdue[0] == 2
