"""What changed between two runs: tasks completed, newly overdue, deadlines moved, units' report status.

Tasks are matched by their id (case-folded); a task without an id, or with an
id used twice, is matched by its place (unit, tab, row).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.history.records import RunInfo, RunSnapshot, TaskSnapshot, UnitSnapshot, jsonable
from sync.model import RunResult


def _task_keys(tasks: Iterable[TaskSnapshot]) -> dict[str, TaskSnapshot]:
    """Tasks by identity: the task id (case-folded); a repeated or missing id falls back to place."""
    out: dict[str, TaskSnapshot] = {}
    for t in tasks:
        key = t.task_id.casefold() if t.task_id else f"{t.unit}!{t.sheet}!{t.row}"
        if key in out:
            n = 2
            while f"{key}#{n}" in out:
                n += 1
            key = f"{key}#{n}"
        out[key] = t
    return out


def _deadline_value(t: TaskSnapshot, name: str) -> str | None:
    value = t.values.get(name)
    if isinstance(value, date):
        return value.isoformat()
    if value == "no_deadline":
        return "no_deadline"
    return t.text(name)


@dataclass(slots=True)
class TaskChange:
    """One task in a diff, with what it was and what it is."""

    key: str
    unit: str
    task_id: str | None
    summary: str | None
    old_category: str | None
    new_category: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "task_id": self.task_id,
            "summary": self.summary,
            "old_category": self.old_category,
            "new_category": self.new_category,
            **self.detail,
        }


@dataclass(slots=True)
class UnitChange:
    code: str
    name: str
    old_status: str | None
    new_status: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "old_report_status": self.old_status,
            "new_report_status": self.new_status,
        }


def _run_ref(info: RunInfo) -> dict[str, Any]:
    return {"run_id": info.id, "as_of": info.as_of.isoformat(), "period": info.period.to_dict()}


@dataclass(slots=True)
class Diff:
    """What changed between two runs (``old`` earlier, ``new`` later).

    * ``newly_completed``: completed in ``new``, not completed in ``old`` (tasks
      new since ``old`` included, marked ``"new": true``);
    * ``newly_overdue``: overdue in ``new``, not overdue in ``old`` (same rule);
    * ``deadline_changes``: the deadline or the approved extension changed;
    * ``new_tasks`` / ``vanished_tasks``: by task id;
    * ``report_status_changes``: units whose report status changed (or that
      appeared in / disappeared from the config).
    """

    old: RunInfo
    new: RunInfo
    newly_completed: list[TaskChange] = field(default_factory=list)
    newly_overdue: list[TaskChange] = field(default_factory=list)
    deadline_changes: list[TaskChange] = field(default_factory=list)
    new_tasks: list[TaskChange] = field(default_factory=list)
    vanished_tasks: list[TaskChange] = field(default_factory=list)
    report_status_changes: list[UnitChange] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": _run_ref(self.old),
            "new": _run_ref(self.new),
            "totals": {"old": self.old.totals, "new": self.new.totals},
            "newly_completed": [c.to_dict() for c in self.newly_completed],
            "newly_overdue": [c.to_dict() for c in self.newly_overdue],
            "deadline_changes": [c.to_dict() for c in self.deadline_changes],
            "new_tasks": [c.to_dict() for c in self.new_tasks],
            "vanished_tasks": [c.to_dict() for c in self.vanished_tasks],
            "report_status_changes": [c.to_dict() for c in self.report_status_changes],
        }


def _change(
    key: str, before: TaskSnapshot | None, after: TaskSnapshot | None, /, **detail: Any
) -> TaskChange:
    t = after or before
    assert t is not None
    return TaskChange(
        key=key,
        unit=t.unit,
        task_id=t.task_id,
        summary=t.values.get("summary"),
        old_category=before.category if before else None,
        new_category=after.category if after else None,
        detail=detail,
    )


def _deadline_changes(before: TaskSnapshot, after: TaskSnapshot) -> dict[str, dict[str, str | None]]:
    changed = {}
    for name in ("deadline", "extended_deadline"):
        old, new = _deadline_value(before, name), _deadline_value(after, name)
        if old != new:
            changed[name] = {"old": old, "new": new}
    return changed


def _compare_task(out: Diff, key: str, ot: TaskSnapshot | None, nt: TaskSnapshot) -> None:
    """Files the task ``key`` (``ot`` before, None when new; ``nt`` now) under every list it belongs to."""
    is_new = ot is None
    if is_new:
        out.new_tasks.append(_change(key, None, nt, deadline=_deadline_value(nt, "deadline")))
    if nt.completed and (ot is None or not ot.completed):
        completed_on = nt.values.get("completed_on")
        out.newly_completed.append(_change(key, ot, nt, new=is_new, completed_on=jsonable(completed_on)))
    if nt.category == "in_progress_overdue" and (ot is None or ot.category != "in_progress_overdue"):
        out.newly_overdue.append(
            _change(
                key,
                ot,
                nt,
                new=is_new,
                effective_deadline=jsonable(nt.effective_deadline),
                days_overdue=nt.days_overdue,
            )
        )
    if ot is not None:
        changed = _deadline_changes(ot, nt)
        if changed:
            out.deadline_changes.append(_change(key, ot, nt, changes=changed))


def _compare_units(out: Diff, old: list[UnitSnapshot], new: list[UnitSnapshot]) -> None:
    old_units = {u.code: u for u in old}
    new_units = {u.code: u for u in new}
    for code, nu in new_units.items():
        ou = old_units.get(code)
        if ou is None or ou.report_status != nu.report_status:
            out.report_status_changes.append(
                UnitChange(code, nu.name, ou.report_status if ou else None, nu.report_status)
            )
    for code, ou in old_units.items():
        if code not in new_units:
            out.report_status_changes.append(UnitChange(code, ou.name, ou.report_status, None))


def _snapshot(run: RunSnapshot | RunResult) -> RunSnapshot:
    return run if isinstance(run, RunSnapshot) else RunSnapshot.from_result(run)


def diff(old: RunSnapshot | RunResult, new: RunSnapshot | RunResult) -> Diff:
    """What changed from ``old`` to ``new`` (either a recorded run or a fresh result)."""
    a, b = _snapshot(old), _snapshot(new)
    out = Diff(old=a.info, new=b.info)
    old_tasks, new_tasks = _task_keys(a.tasks), _task_keys(b.tasks)
    for key, nt in new_tasks.items():
        _compare_task(out, key, old_tasks.get(key), nt)
    for key, ot in old_tasks.items():
        if key not in new_tasks:
            out.vanished_tasks.append(_change(key, ot, None))
    _compare_units(out, a.units, b.units)
    return out


__all__ = ["Diff", "TaskChange", "UnitChange", "diff"]
