"""Classification, reporting period and update flags (contract §2 and §3; rates: ``model.Counts``).

Pure functions: everything time-dependent takes ``as_of``; nothing reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sync.model import Period, Task


def _day_k(year: int, month: int, k: int) -> date:
    return date(year, month, k)


def reporting_period(as_of: date, cutoff_day: int) -> Period:
    """(P, C]: C the latest day-K on or before ``as_of``, P the day-K a month before C.

    >>> reporting_period(date(2024, 3, 5), 25)
    Period(previous_cutoff=datetime.date(2024, 1, 25), cutoff=datetime.date(2024, 2, 25))
    """
    if not 1 <= cutoff_day <= 28:
        raise ValueError("cutoff_day must be 1..28")
    y, m = as_of.year, as_of.month
    if as_of.day < cutoff_day:
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    cutoff = _day_k(y, m, cutoff_day)
    py, pm = (y - 1, 12) if m == 1 else (y, m - 1)
    return Period(previous_cutoff=_day_k(py, pm, cutoff_day), cutoff=cutoff)


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def classify_task(task: Task, as_of: date, period: Period, due_soon_days: int) -> Task:
    """Fill the task's category, completion, overdue days, due-soon and update state."""
    v = task.values
    completed_on = _as_date(v.get("completed_on"))
    task.completed = v.get("status") == "completed" and completed_on is not None and completed_on <= as_of
    deadline = v.get("deadline")
    extended = _as_date(v.get("extended_deadline"))
    effective: date | None = extended if extended is not None else _as_date(deadline)
    task.effective_deadline = effective
    task.days_overdue = None
    task.due_soon = False
    if deadline == "no_deadline" and extended is None:
        task.category = "no_deadline"
    elif effective is None:
        task.category = "unclassified"
    elif task.completed:
        assert completed_on is not None
        task.category = "completed_on_time" if completed_on <= effective else "completed_late"
    elif effective >= as_of:
        task.category = "in_progress_on_time"
        task.due_soon = (effective - as_of).days <= due_soon_days
    else:
        task.category = "in_progress_overdue"
        task.days_overdue = (as_of - effective).days
    task.update_state = update_state(task, as_of, period)
    return task


def needs_update(task: Task, period: Period) -> bool:
    """A row needs an update unless completed on or before P, or assigned after P."""
    v = task.values
    completed_on = _as_date(v.get("completed_on"))
    if task.completed and completed_on is not None and completed_on <= period.previous_cutoff:
        return False
    doc_date = _as_date(v.get("doc_date"))
    return not (doc_date is not None and doc_date > period.previous_cutoff)


def update_state(task: Task, as_of: date, period: Period) -> str:
    """``fresh``, ``late``, ``stale`` or ``not_needed`` (contract §3)."""
    if not needs_update(task, period):
        return "not_needed"
    updated = _as_date(task.values.get("updated_on"))
    if updated is None:
        return "stale"
    if period.previous_cutoff < updated <= period.cutoff:
        return "fresh"
    if period.cutoff < updated <= as_of:
        return "late"
    return "stale"


def absent_state(task: Task, period: Period) -> str:
    """The update state of a register task its lead unit's sheet lacks (``task-missing``).

    The unit reported nothing on it: ``stale`` when it needed an update in the period (assigned
    on or before P, or with no valid ``doc_date``), else ``not_needed``. The register holds no
    completion, so such a task never counts as completed before P.
    """
    return "stale" if needs_update(task, period) else "not_needed"


def report_status(tasks: Iterable[Task], absent: Iterable[str] = ()) -> str:
    """A readable, valid unit's report status (contract §3) from its rows' update states and
    those of the register's tasks its sheet lacks (``absent``: ``absent_state`` of each).

    ``no_tasks`` when it has neither: nothing to report, neither on time nor late.
    """
    states = [t.update_state for t in tasks]
    states += absent
    if not states:
        return "no_tasks"
    needed = [s for s in states if s != "not_needed"]
    stale = needed.count("stale")
    if not needed:
        return "on_time"
    if stale == len(needed):
        return "missing"
    if stale:
        return "incomplete"
    return "late" if "late" in needed else "on_time"


__all__ = [
    "reporting_period",
    "classify_task",
    "needs_update",
    "update_state",
    "absent_state",
    "report_status",
]
