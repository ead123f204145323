"""The ground truth, reasoned from the world and the contract (§2, §3), never from the classifier."""

from __future__ import annotations

from datetime import date

from sync import findings as F
from sync.schema import unit_sheet_schema

from .model import ExpectedUnit, WorldUnit, zero_counts
from .render import Row


def _category(row: Row, as_of: date) -> str:
    t = row.task
    if t.deadline_kind is not None:
        return "no_deadline"
    if t.deadline is None:  # empty or typed wrong
        return "unclassified"
    effective = row.extended or t.deadline
    completed = row.status == "completed" and row.completed_on is not None and row.completed_on <= as_of
    if completed:
        assert row.completed_on is not None
        return "completed_on_time" if row.completed_on <= effective else "completed_late"
    return "in_progress_on_time" if effective >= as_of else "in_progress_overdue"


def _update_state(row: Row, as_of: date, period: tuple[date, date]) -> str:
    previous, cutoff = period
    completed = row.status == "completed" and row.completed_on is not None
    if completed and row.completed_on is not None and row.completed_on <= previous:
        return "not_needed"
    if row.task.doc_date > previous:
        return "not_needed"
    u = row.updated_on
    if u is not None and previous < u <= cutoff:
        return "fresh"
    if u is not None and cutoff < u <= as_of:
        return "late"
    return "stale"


def expect_unit(wunit: WorldUnit, rows: list[Row], as_of: date, period: tuple[date, date]) -> ExpectedUnit:
    style = wunit.style
    if style.file_state != "ok":
        return ExpectedUnit("unreadable", zero_counts(), {F.SOURCE_UNREADABLE.code})
    if style.omit and any(_unit_sheet_required(name) for name in style.omit):
        return ExpectedUnit("invalid", zero_counts(), {F.MISSING_COLUMN.code})
    counts = zero_counts()
    categories: dict[str, str] = {}
    codes: set[str] = set()
    states = []
    for row in rows:
        cat = _category(row, as_of)
        counts["total"] += 1
        counts[cat] += 1
        categories[row.task.task_id] = cat
        states.append(_update_state(row, as_of, period))
        m = row.task.mistakes
        if "deadline-text" in m:
            codes.add(F.INVALID_DATE.code)
        if "no-completion-date" in m and row.status == "completed":
            codes.add(F.COMPLETION_DATE_MISSING.code)
        if "future-update" in m and row.updated_on and row.updated_on > as_of:
            codes.add(F.FUTURE_DATE.code)
        if "legacy-progress" in m and row.status == "completed":
            codes.add(F.LEGACY_ENCODING.code)
        if "unknown-lead" in m:
            codes.add(F.UNKNOWN_UNIT.code)
        if "duplicate" in m:
            codes.add(F.DUPLICATE_TASK_ID.code)
    needed = [s for s in states if s != "not_needed"]
    stale = needed.count("stale")
    if "stale" in needed:
        codes.add(F.STALE_UPDATE.code)
    if "late" in needed:
        codes.add(F.LATE_UPDATE.code)
    if not states:  # nothing assigned yet: nothing to report (contract §3)
        status = "no_tasks"
    elif not needed or all(s == "fresh" for s in needed):
        status = "on_time"
    elif stale == len(needed):
        status = "missing"
    elif stale:
        status = "incomplete"
    else:
        status = "late"
    return ExpectedUnit(status, counts, codes, categories)


def _unit_sheet_required(name: str) -> bool:
    return unit_sheet_schema()[name].required
