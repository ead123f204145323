"""Which Office-owned cells of rows a unit's sheet already has are behind the register (backend-free).

An extension the Office approves after handing a task out is recorded in the register
(``Thời hạn điều chỉnh``, ``Văn bản chấp thuận gia hạn``). ``distribute`` brings those cells of
the lead unit's row up to date, so the sheet the unit reads shows the deadline in force:

- only the fields of ``CURRENT_FIELDS``, only in a row whose task id is the register task's, only in
  a column the unit's header row has. ``Văn bản chấp thuận gia hạn`` is the register's column, not
  one of the unit sheet's (contract §1): it is written where a unit's sheet has a column of that
  title (or alias), which the Office may add to units' sheets; ``sync`` ignores it, as it ignores
  every column not in the contract;
- only when the register has a value and the cell does not already hold it (the same date, or the
  same text as the reconciliation compares it): a second run writes nothing;
- never emptying a cell: a value the register lacks is left as the sheet has it (a unit that typed
  one itself is ``office-field-changed`` in ``sync``);
- a cell holding a formula is refused by the writer, never overwritten (the unit is ``refused``).

The other Office-owned cells (content, document, deadline …) are the Office's too, but a difference
there is more often the unit's edit than the Office's news: ``sync`` reports it
(``office-field-changed``) and uses the register's value; ``distribute`` leaves it as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.model import Task, task_key
from sync.normalize import cell_text, fold, is_blank
from sync.register.reconcile import EXTENSION_FIELDS
from sync.schema import register_schema
from sync.shapes.task_tab import TaskTab, cell_value, holds

#: the Office-owned fields ``distribute`` keeps current in the rows a unit's sheet already has
CURRENT_FIELDS = EXTENSION_FIELDS


@dataclass(slots=True)
class RowUpdate:
    """One row of a unit's task tab brought up to date with the register."""

    task_id: str
    row: int  # 1-based sheet row (where it was written, once written)
    fields: tuple[str, ...]  # the fields written, in CURRENT_FIELDS order
    cells: dict[int, date | str] = field(default_factory=dict)  # 0-based column -> the register's value

    def to_dict(self) -> dict[str, Any]:
        return {"task_id": self.task_id, "row": self.row, "fields": list(self.fields)}


def current_columns(facts: TaskTab, grid: Sequence[Sequence[Any]]) -> dict[str, int]:
    """Where each of ``CURRENT_FIELDS`` is in the unit's header row (field -> 0-based column), by the
    register's titles and aliases (the first matching column; fields absent left out)."""
    lookup = register_schema().header_lookup
    head = grid[facts.header.row] if facts.header.row < len(grid) else ()
    found = {n: facts.header.columns[n] for n in CURRENT_FIELDS if n in facts.header.columns}
    for col, value in enumerate(head):
        name = lookup.get(fold(cell_text(value))) if not is_blank(value) else None
        if name in CURRENT_FIELDS and name not in found:
            found[name] = col
    return {n: found[n] for n in CURRENT_FIELDS if n in found}


def rows_behind(facts: TaskTab, grid: Sequence[Sequence[Any]], tasks: Sequence[Task]) -> list[RowUpdate]:
    """The rows of ``facts`` (a task tab as read, ``grid`` its cells) whose ``CURRENT_FIELDS`` cells do not
    hold what the register's ``tasks`` say, with the values to write (register order)."""
    out: list[RowUpdate] = []
    columns = current_columns(facts, grid)
    for task in tasks:
        r = facts.ids.get(task_key(task.task_id or ""))
        if r is None:
            continue
        row = grid[r] if r < len(grid) else ()
        cells: dict[int, date | str] = {}
        names: list[str] = []
        for name, col in columns.items():
            value = cell_value(task, name)
            if value is None:
                continue
            if not holds(row[col] if col < len(row) else None, value):
                cells[col] = value
                names.append(name)
        if cells:
            out.append(RowUpdate(task.task_id or "", r + 1, tuple(names), cells))
    return out
