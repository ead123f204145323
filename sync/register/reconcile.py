"""Every unit's rows against the register: what is missing, unknown, changed or in the wrong sheet.

- ``task-unknown``: a row whose task id is not in the register (it still counts);
- ``wrong-unit``: a row of a task the register gives another lead unit (it does not
  count for this unit: the lead unit's row does — no task is counted twice);
- ``office-field-changed``: an Office-owned cell that differs from the register (both
  values shown); the register's value is used for classification, and where the
  unit's sheet has no such column the register's value is used silently (so is an
  approved extension the unit's sheet leaves empty: the Office records it in the register);
- ``task-missing``: a register task whose lead unit's sheet (read and valid) lacks it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sync import findings as F
from sync.model import Finding, Task, UnitResult, task_key
from sync.normalize import fold
from sync.register.read import Register
from sync.schema import register_schema
from sync.validate import TabRead

#: the Office-owned fields of an extension the Office approves after handing a task out: a unit's
#: empty cell is not a change (the register holds it), and ``distribute`` writes them into the row
EXTENSION_FIELDS = ("extended_deadline", "extension_doc")


def _comparable(value: Any) -> Any:
    if isinstance(value, str):
        return fold(value)
    if isinstance(value, (list, tuple)):
        return sorted(_comparable(v) for v in value)
    return value


def _shown(task: Task, name: str) -> str:
    value = task.values.get(name)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    raw = task.raw.get(name)
    if raw is None or raw == "":
        return "(trống)"
    return str(raw)


def _office_fields(
    register: Register, result: UnitResult, read: TabRead, t: Task, reg: Task
) -> list[Finding]:
    """Compare and replace the Office-owned values of one row; findings for cells that differ."""
    found = []
    assert read.header is not None
    for name in register_schema().names:
        if name == "task_id" or name not in t.values and name not in reg.values:
            continue
        column = read.header.columns.get(name)
        # an extension the Office approved after handing the task out: the unit's empty cell is not a change
        granted = name in EXTENSION_FIELDS and t.raw.get(name) in (None, "")
        if (
            column is not None
            and not granted
            and _comparable(t.values.get(name)) != _comparable(reg.values.get(name))
        ):
            found.append(
                F.make(
                    F.OFFICE_FIELD_CHANGED,
                    unit=result.code,
                    sheet=result.sheet,
                    cell=read.header.cell(name, t.row),
                    row=t.row,
                    field=name,
                    value=t.raw.get(name),
                    title=read.header.titles.get(name, name),
                    text=_shown(t, name),
                    register=_shown(reg, name),
                    register_row=reg.row,
                )
            )
        if name in reg.values:
            t.values[name] = reg.values[name]
    return found


def reconcile(register: Register, reads: Iterable[tuple[UnitResult, TabRead]]) -> dict[str, list[Finding]]:
    """Findings by unit code; rows of tasks led by another unit are taken out of ``result.tasks``."""
    out: dict[str, list[Finding]] = {}
    present: dict[str, set[str]] = {}
    for result, read in reads:
        assert read.header is not None
        found = out.setdefault(result.code, [])
        keep: list[Task] = []
        ids = present.setdefault(result.code, set())
        for t in result.tasks:
            reg = register.tasks.get(task_key(t.task_id)) if t.task_id else None
            at: dict[str, Any] = {
                "unit": result.code,
                "sheet": result.sheet,
                "row": t.row,
                "field": "task_id",
                "value": t.task_id,
            }
            at["cell"] = read.header.cell("task_id", t.row)
            if t.task_id is not None and reg is None:
                found.append(F.make(F.TASK_UNKNOWN, **at))
            elif reg is not None and reg.values.get("lead_unit") not in (None, result.code):
                found.append(
                    F.make(F.WRONG_UNIT, **at, lead=reg.values.get("lead_unit"), register_row=reg.row)
                )
                continue  # counted for its lead unit only
            elif reg is not None and t.task_id is not None:
                ids.add(task_key(t.task_id))
                found.extend(_office_fields(register, result, read, t, reg))
            keep.append(t)
        result.tasks = keep
    for key, reg in register.tasks.items():
        lead = reg.values.get("lead_unit")
        if isinstance(lead, str) and lead in present and key not in present[lead]:
            summary = reg.values.get("summary") or ""
            out[lead].append(
                F.make(
                    F.TASK_MISSING,
                    unit=lead,
                    sheet=None,
                    field="task_id",
                    value=reg.task_id,
                    summary=summary if len(summary) <= 120 else summary[:117] + "…",
                    register_row=reg.row,
                )
            )
    return out


def absent_tasks(register: Register, found: Iterable[Finding]) -> list[Task]:
    """The register's tasks that a unit's ``task-missing`` findings name: tasks it has but did not
    put in its sheet (they count for its report status: ``sync.classify.absent_state``)."""
    return [register.tasks[task_key(str(f.value))] for f in found if f.code == F.TASK_MISSING.code]
