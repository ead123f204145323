"""The report's facts, computed from a real history without opening a .docx.

A small province is synced twice (March and April 2024 meetings); every figure
the report states is checked against what was written in the units' sheets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import date

import pytest

from sync.config import Config
from sync.engine import run_sync
from sync.exceptions import UsageError
from sync.history import History, HistoryError
from sync.report import sections
from sync.report.facts import Figures, ReportFacts, VanishedTask, load_facts
from sync.report.months import month_short, month_words, parse_month, place_date, shift_month
from tests.helpers import task_row

MARCH, APRIL = date(2024, 3, 5), date(2024, 4, 5)  # periods ending 25/02 and 25/03: months 2024-02, 2024-03


def sync_and_record(config: Config, as_of: date) -> None:
    result = run_sync(config, as_of)
    with History(config.history_path) as h:
        h.record(result, config_path=str(config.path))


@pytest.fixture
def history(province: Callable[..., Config]) -> Config:
    """Sở Nội vụ and Sở Tài chính report; Sở Tư pháp's file is missing both months."""
    march = {
        "SNV": [
            task_row(task_id="NV-001"),
            task_row(task_id="NV-002", deadline="15/02/2024"),
            task_row(
                task_id="NV-003", status="Đã hoàn thành", completed_on="10/02/2024", deadline="28/02/2024"
            ),
        ],
        "STC": [
            task_row(
                task_id="NV-101",
                lead_unit="Sở Tài chính",
                deadline="01/02/2024",
                obstacles="Chờ ý kiến của Bộ Tài chính",
                extension_request="30/06/2024",
            ),
            task_row(task_id="NV-102", lead_unit="Sở Tài chính", deadline="Thường xuyên"),
        ],
        "STP": None,
    }
    sync_and_record(province(march), MARCH)
    updated = {"updated_on": "20/03/2024"}
    april = {
        "SNV": [
            task_row(task_id="NV-001", **updated),
            task_row(
                task_id="NV-002",
                deadline="15/02/2024",
                status="Đã hoàn thành",
                completed_on="20/03/2024",
                **updated,
            ),
            task_row(
                task_id="NV-003",
                status="Đã hoàn thành",
                completed_on="10/02/2024",
                deadline="28/02/2024",
                **updated,
            ),
            task_row(task_id="NV-004", deadline="30/06/2024", **updated),
        ],
        "STC": [march["STC"][0] | updated],  # NV-102 no longer in the sheet
        "STP": None,
    }
    config = province(april)
    sync_and_record(config, APRIL)
    return config


def test_facts_of_the_latest_month(history: Config) -> None:
    with History(history.history_path) as h:
        facts = load_facts(h, None)
    assert facts.month == "2024-03" and facts.as_of == APRIL
    assert (facts.period_first_day, facts.period_cutoff) == (date(2024, 2, 26), date(2024, 3, 25))
    # counts and the official rates (completed / (completed + overdue))
    f = facts.figures
    assert (f.total, f.completed, f.in_progress) == (5, 2, 3)
    assert (f["completed_on_time"], f["completed_late"]) == (1, 1)
    assert (f["in_progress_on_time"], f["in_progress_overdue"], f["no_deadline"], f["unclassified"]) == (
        2,
        1,
        0,
        0,
    )
    assert (f.completion_rate, f.on_time_rate) == (0.6667, 0.3333)
    # last month's figures; the same month last year is not in the history
    assert facts.previous is not None and facts.last_year is None
    p = facts.previous
    assert (p.total, p.completed, p["in_progress_overdue"], p["no_deadline"]) == (5, 1, 2, 1)
    assert (p.completion_rate, p.on_time_rate) == (0.3333, 0.3333)
    # changes task by task
    ch = facts.changes
    assert ch is not None and ch.since == MARCH
    assert (ch.new_tasks, ch.new_completed, ch.newly_completed) == (1, 0, 1)
    assert (ch.newly_overdue, ch.new_overdue, ch.deadline_changes, ch.extended) == (0, 0, 0, 0)
    assert ch.vanished == (VanishedTask("Sở Tài chính", task_row()["summary"], "NV-102", "no_deadline"),)


def test_units_overdue_and_extension_requests(history: Config) -> None:
    with History(history.history_path) as h:
        facts = load_facts(h, "2024-03")
    by_code = {u.code: u for u in facts.units}
    assert list(by_code) == ["SNV", "STC", "STP"]
    snv, stp = by_code["SNV"], by_code["STP"]
    assert snv.report_status == "on_time" and snv.previous_status == "on_time"
    assert snv.counts["total"] == 4 and (snv.completion_rate, snv.on_time_rate) == (1.0, 0.5)
    assert stp.report_status == "unreadable" and stp.not_counted and stp.previous_status == "unreadable"
    assert stp.status_words == "bảng theo dõi không đọc được"
    assert facts.lagging == [stp] and facts.units_with("on_time") == [snv, by_code["STC"]]
    # overdue: NV-101 only, 64 days after its deadline on 05/04/2024, with its obstacles
    (t,) = facts.overdue
    assert (t.unit_name, t.task_id, t.deadline, t.days_overdue) == (
        "Sở Tài chính",
        "NV-101",
        date(2024, 2, 1),
        64,
    )
    assert t.obstacles == "Chờ ý kiến của Bộ Tài chính"
    assert t.label == f"{t.summary} (NV-101; 344/UBND-TH)" and t.doc == "344/UBND-TH 10/01/2024"
    assert facts.overdue_by_unit == (("Sở Tài chính", 1),) and facts.overdue_with_obstacles == 1
    # the extension request is pending (no adjusted deadline yet)
    (e,) = facts.pending
    assert (e.task_id, e.extension_request) == ("NV-101", date(2024, 6, 30))
    # twelve months of rates, the two recorded ones last
    assert len(facts.trend) == 12
    assert facts.trend[0] == ("T4\n2023", None, None)
    assert facts.trend[-2:] == (("T2\n2024", 0.3333, 0.3333), ("T3\n2024", 0.3333, 0.6667))


def test_first_month_has_nothing_to_compare(history: Config) -> None:
    with History(history.history_path) as h:
        facts = load_facts(h, "2024-02")
        assert facts.previous is None and facts.changes is None
        assert [u.previous_status for u in facts.units] == [None, None, None]
        with pytest.raises(HistoryError, match=r"tháng 1 năm 2024.*Các tháng đã có: 2/2024, 3/2024"):
            load_facts(h, "2024-01")


def test_table1_rounds_half_up_like_the_summary(history: Config) -> None:
    """0.8125 reads ``81,3%`` (it read ``81,2%`` before sync.display); changes in points the same way."""
    with History(history.history_path) as h:
        facts: ReportFacts = load_facts(h, None)
    counts = {"total": 10, "completed_on_time": 3, "completed_late": 1}
    facts = dataclasses.replace(
        facts,
        figures=Figures(counts, 0.8125, 0.5),
        previous=Figures({"total": 11, "completed_on_time": 4}, 0.75, 0.5),
        last_year=Figures({"total": 7}, None, None),
    )
    rows = {row[0]: row[1:] for row in sections._table1_rows(facts)}
    assert rows["Tổng số nhiệm vụ"] == ["10", "11", "−1", "7"]
    assert rows["Đã hoàn thành"] == ["4", "4", "0", "0"]
    assert rows["  - Hoàn thành quá hạn"] == ["1", "0", "+1", "0"]
    assert rows["Tỷ lệ hoàn thành"] == ["81,3%", "75,0%", "+6,3 điểm %", "—"]
    assert rows["Tỷ lệ hoàn thành đúng hạn"] == ["50,0%", "50,0%", "0", "—"]


def test_months() -> None:
    assert parse_month("2024-10") == (2024, 10)
    for bad in ("10/2024", "2024-13", "24-10", "2024"):
        with pytest.raises(UsageError, match="YYYY-MM"):
            parse_month(bad)
    assert shift_month("2024-01", -1) == "2023-12" and shift_month("2024-10", -12) == "2023-10"
    assert shift_month("2023-12", 1) == "2024-01"
    assert month_words("2024-03") == "tháng 3 năm 2024" and month_short("2024-03") == "3/2024"
    assert place_date("Kiên Giang", date(2024, 1, 9)) == "Kiên Giang, ngày 09 tháng 01 năm 2024"
