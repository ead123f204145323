"""A year's record per unit, from the history, analysed with pandas.

For each month of the year the run reports use is taken (``History.run_for_month``
with back-dated runs allowed where the month has no regular run; void runs never):
its units' report statuses give the monthly periods, its tasks the tasks' states.
A task is followed across the year by (unit, task id) and judged on its latest
recorded state; it counts for the year when its effective deadline falls in it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sync.exceptions import HistoryError
from sync.formula import Formula
from sync.history import History, RunInfo
from sync.model import UNIT_GROUPS, Counts, group_of

#: How a month's report status counts for the year. A month the unit had no task (``no_tasks``)
#: counts for nothing, like a month without a run: there was nothing to report.
PERIOD_OF_STATUS = {
    "on_time": "on_time",
    "late": "late",
    "incomplete": "incomplete",
    "missing": "not_reported",
    "unreadable": "not_reported",
    "invalid": "not_reported",
}
PERIODS = ("on_time", "late", "incomplete", "not_reported")

TASK_COLUMNS = ("completed_on_time", "completed_late", "in_progress_overdue", "in_progress_on_time")
#: The terms of a score (``sync.formula``), each in its own column.
TERMS = ("band_points", "overdue_deduction", "missed_report_deduction", "late_report_deduction")
#: Why a unit is listed but neither scored nor ranked: it has no on-time rate (no task due in the
#: year completed or still overdue), so the score has nothing to stand on.
NOT_SCORED = {
    "no_task_due": "không có nhiệm vụ đến hạn trong năm",
    "no_readable_task": "không đọc được nhiệm vụ nào đến hạn trong năm, có kỳ không báo cáo",
    "none_rated": "nhiệm vụ đến hạn trong năm chưa đến hạn ở lần tổng hợp cuối",
}


@dataclass(frozen=True, slots=True)
class YearRecord:
    """The runs of the year and two tables: one row per (unit, month), one per task."""

    year: int
    runs: list[RunInfo]
    months: pd.DataFrame  # unit, name, kind, month, status
    tasks: pd.DataFrame  # unit, key, month, category, deadline


def load_year(history: History, year: int) -> YearRecord:
    """The year's record; ``HistoryError`` when no month of ``year`` has a run."""
    runs = [r for m in range(1, 13) if (r := history.run_for_month(f"{year}-{m:02d}", backdated=True))]
    if not runs:
        years = sorted({r.month[:4] for r in history.runs()})
        have = ", ".join(years) or "chưa có năm nào"
        raise HistoryError(f"lịch sử không có lần tổng hợp nào của năm {year} (các năm đã có: {have}).")
    unit_rows: list[dict[str, Any]] = []
    task_rows: list[dict[str, Any]] = []
    for info in runs:
        snap = history.load(int(info.id or 0))
        month = int(info.month[5:])
        unit_rows += [
            {"unit": u.code, "name": u.name, "kind": u.kind, "month": month, "status": u.report_status}
            for u in snap.units
        ]
        task_rows += [
            {
                "unit": t.unit,
                "key": t.task_id or f"dòng {t.row}",
                "month": month,
                "category": t.category,
                "deadline": t.effective_deadline,
            }
            for t in snap.tasks
        ]
    months = pd.DataFrame(unit_rows, columns=["unit", "name", "kind", "month", "status"])
    tasks = pd.DataFrame(task_rows, columns=["unit", "key", "month", "category", "deadline"])
    return YearRecord(year, runs, months, tasks)


def _tasks_due(record: YearRecord) -> pd.DataFrame:
    """Per unit: tasks due in the year by their latest state (columns ``TASK_COLUMNS`` and ``due``)."""
    tasks = record.tasks.sort_values("month", kind="stable").drop_duplicates(["unit", "key"], keep="last")
    in_year = tasks["deadline"].map(lambda d: d is not None and d.year == record.year)
    due = tasks[in_year]
    table = pd.crosstab(due["unit"], due["category"]).reindex(columns=list(TASK_COLUMNS), fill_value=0)
    table["due"] = due.groupby("unit").size()
    return table


def _periods(record: YearRecord) -> pd.DataFrame:
    """Per unit: months reported on time, late, incompletely, not at all (columns ``PERIODS``)."""
    months = record.months.assign(period=record.months["status"].map(PERIOD_OF_STATUS))
    return pd.crosstab(months["unit"], months["period"]).reindex(columns=list(PERIODS), fill_value=0)


def _not_scored(row: pd.Series) -> str:
    """Why a unit without an on-time rate is not scored (a key of ``NOT_SCORED``)."""
    if int(row["due"]):
        return "none_rated"
    return "no_readable_task" if int(row["not_reported"]) else "no_task_due"


def _score(row: pd.Series, formula: Formula) -> pd.Series:
    counts = Counts(
        completed_on_time=int(row["completed_on_time"]),
        completed_late=int(row["completed_late"]),
        in_progress_overdue=int(row["in_progress_overdue"]),
    )
    rates = {"completion_rate": counts.completion_rate, "on_time_rate": counts.on_time_rate}
    if counts.on_time_rate is None:  # nothing to rate: listed, neither scored nor ranked
        return pd.Series(
            {**rates, **dict.fromkeys(TERMS, math.nan), "score": math.nan, "not_scored": _not_scored(row)}
        )
    band = formula.band_points(counts.on_time_rate)
    overdue = formula.per_overdue_task * counts.in_progress_overdue
    missed = formula.per_missed_report * int(row["not_reported"])
    late = formula.per_late_report * (int(row["late"]) + int(row["incomplete"]))
    return pd.Series(
        {
            **rates,
            "band_points": band,
            "overdue_deduction": overdue,
            "missed_report_deduction": missed,
            "late_report_deduction": late,
            "score": max(0.0, band - overdue - missed - late),
            "not_scored": "",
        }
    )


def score_units(record: YearRecord, formula: Formula) -> pd.DataFrame:
    """One row per unit seen in the year: its figures, every term of its score, its rank in its group.

    A unit's name and kind are those of its latest run in the year; units are ranked within
    their group (``sync.model.UNIT_GROUPS``: agencies and communes are never compared). A unit
    without an on-time rate has no score and no rank (NaN; ``not_scored`` says why, empty for a scored unit) and
    comes after the ranked units of its group.
    """
    names = record.months.sort_values("month", kind="stable").drop_duplicates("unit", keep="last")
    table = names.set_index("unit")[["name", "kind"]]
    table = table.join(_periods(record)).join(_tasks_due(record)).fillna(0)
    numeric = [*PERIODS, *TASK_COLUMNS, "due"]
    table[numeric] = table[numeric].astype(int)
    table = table.join(table.apply(_score, axis=1, formula=formula))
    table["group"] = table["kind"].map(group_of)
    table["rank"] = table.groupby("group")["score"].rank(method="min", ascending=False)
    order = {g: i for i, g in enumerate(UNIT_GROUPS)}
    table["_group_order"] = table["group"].map(order)
    table = table.rename_axis("code").reset_index()
    table = table.sort_values(["_group_order", "rank", "code"], kind="stable").drop(columns="_group_order")
    return table.reset_index(drop=True)
