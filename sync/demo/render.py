"""The world as a unit's sheet shows it on a meeting date (intended values, before spelling)."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta

from .model import Task, WorldUnit, shift_years


@dataclass(slots=True)
class Row:
    """A task as the sheet shows it on as_of (intended values, before spelling)."""

    task: Task
    status: str  # completed | in_progress | not_started
    completed_on: date | None
    extended: date | None
    ext_request: date | None
    updated_on: date | None
    progress: str
    obstacles: str
    result_doc: str


def _snapshot(wunit: WorldUnit, task: Task, as_of: date) -> date | None:
    if task.frozen:
        frozen = task.frozen_on
        return frozen if frozen is not None and frozen <= as_of else None
    i = bisect.bisect_right(wunit.updates, as_of)
    return wunit.updates[i - 1] if i else None


def render_task(wunit: WorldUnit, t: Task, as_of: date) -> Row:
    snap = _snapshot(wunit, t, as_of)
    extended = t.ext_deadline if t.ext_granted_on and t.ext_granted_on <= as_of else None
    if snap is None or snap < t.doc_date:
        # added by the Office after the unit's last update: untouched
        return Row(t, "not_started", None, extended, None, None, "", "", "")
    done = t.completed is not None and t.completed <= snap
    started = t.started is not None and t.started <= snap
    status = "completed" if done else "in_progress" if started else "not_started"
    completed_on = t.completed if done and "no-completion-date" not in t.mistakes else None
    if done and completed_on is not None:
        # recorded at the first update after completion
        updated: date = wunit.updates[bisect.bisect_left(wunit.updates, completed_on)]
    else:
        updated = snap
    if "future-update" in t.mistakes:
        updated = shift_years(updated, 1)  # the year typed wrong
    deadline = extended or t.deadline
    late_now = deadline is not None and snap > deadline - timedelta(days=10)
    obstacles = t.obstacles if (t.obstacles and not done and late_now) else ""
    progress = t.progress[2] if done else t.progress[1] if started else t.progress[0]
    if "legacy-progress" in t.mistakes and done:
        progress = "Hoµn thµnh b¸o c¸o, ®· göi UBND tØnh"
    result_doc = (t.result_doc or "") if done else ""
    if "formula-text" in t.mistakes and done:
        result_doc = '=HYPERLINK("http://example.com","xem")'
    ext_request = t.ext_requested if t.ext_request_on and t.ext_request_on <= snap else None
    return Row(t, status, completed_on, extended, ext_request, updated, progress, obstacles, result_doc)


# ---------------------------------------------------------------- ground truth
