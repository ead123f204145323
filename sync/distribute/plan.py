"""What ``distribute`` hands out: the register's tasks by lead unit and by co-unit (backend-free;
the backends write them, ``sync.shapes.task_tab.row_cells`` gives a new row's cells).

- a register task with an error finding on its row, or whose lead unit is not a configured
  unit, is held back (listed, never written);
- a unit gets the tasks it leads whose id (compared as the reconciliation does,
  ``task_key``) is absent from its task tab, appended after its last data row, Office-owned
  columns only, in the columns its header has (any order); STT continued where present;
- a co-unit gets a read-only ``Phối hợp`` tab listing the tasks it co-operates on (not rows in
  its task tab: they would count as its tasks and be flagged ``wrong-unit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.config import Config, UnitConfig
from sync.distribute.current import RowUpdate
from sync.model import Task
from sync.normalize import cell_text, format_date, is_blank
from sync.register.read import Register
from sync.shapes.office_tabs import office_tab_grid, office_tab_rows

#: the co-operation tab's columns: deliberately no title of the unit sheet's schema, so it can
#: never be taken for a task tab (``select_task_tab`` skips it by name as well)
COOP_COLUMNS = (
    "Thứ tự",
    "Mã NV được giao",
    "Theo văn bản",
    "Nội dung cần phối hợp",
    "Đơn vị chủ trì thực hiện",
    "Hạn của nhiệm vụ",
)
COOP_TITLE = "NHIỆM VỤ ĐƠN VỊ PHỐI HỢP THỰC HIỆN (Văn phòng UBND tỉnh cập nhật; đơn vị không sửa trang này)"
#: the ``Phối hợp`` tab's column widths, in characters (both backends)
COOP_WIDTHS = (8, 16, 24, 60, 30, 16)


@dataclass(frozen=True, slots=True)
class Held:
    """A register task not handed out, and why."""

    task_id: str | None
    row: int
    reason: str


@dataclass(slots=True)
class Plan:
    """Register tasks by lead unit and by co-unit (register order), and those held back."""

    lead: dict[str, list[Task]] = field(default_factory=dict)
    coop: dict[str, list[Task]] = field(default_factory=dict)
    held: list[Held] = field(default_factory=list)


def make_plan(register: Register, units: Sequence[UnitConfig]) -> Plan:
    codes = {u.code for u in units}
    error_rows = {f.row for f in register.findings if f.severity == "error" and f.row is not None}
    plan = Plan()
    for reg in register.tasks.values():
        lead = reg.values.get("lead_unit")
        if reg.row in error_rows:
            plan.held.append(
                Held(reg.task_id, reg.row, "dòng có lỗi trong danh mục (xem “ubnd-sync validate”)")
            )
            continue
        if not isinstance(lead, str) or lead not in codes:
            shown = cell_text(reg.raw.get("lead_unit")) or "(trống)"
            plan.held.append(Held(reg.task_id, reg.row, f"đơn vị chủ trì “{shown}” không có trong cấu hình"))
            continue
        plan.lead.setdefault(lead, []).append(reg)
        for co in reg.values.get("co_units") or []:
            if isinstance(co, str) and co in codes and co != lead and reg not in plan.coop.get(co, []):
                plan.coop.setdefault(co, []).append(reg)
    return plan


def coop_rows(tasks: Sequence[Task], units: dict[str, str]) -> list[list[str]]:
    """The ``Phối hợp`` table's rows (all text: the tab is for people to read)."""
    rows = []
    for i, t in enumerate(tasks, 1):
        lead = t.values.get("lead_unit")
        deadline = t.values.get("extended_deadline") or t.values.get("deadline")
        doc = cell_text(t.raw.get("doc_ref"))
        doc_date = t.values.get("doc_date")
        if isinstance(doc_date, date):
            doc = f"{doc} ngày {format_date(doc_date)}".strip()
        rows.append(
            [
                str(i),
                t.task_id or "",
                doc,
                cell_text(t.raw.get("summary")),
                units.get(str(lead), str(lead or "")),
                format_date(deadline) if isinstance(deadline, date) else cell_text(t.raw.get("deadline")),
            ]
        )
    return rows


def coop_grid(rows: list[list[str]], as_of: date) -> list[list[str]]:
    """The ``Phối hợp`` tab: a title, the register's date, the column titles, the tasks."""
    return office_tab_grid(
        COOP_TITLE, f"Theo danh mục nhiệm vụ ngày {format_date(as_of)}", COOP_COLUMNS, rows
    )


def coop_is_current(grid: Sequence[Sequence[Any]] | None, rows: list[list[str]]) -> bool:
    """Whether a ``Phối hợp`` tab as read (None: no such tab) lists exactly ``rows``."""
    if grid is None:
        return not rows
    width = len(COOP_COLUMNS)
    have = [
        [cell_text(v) for v in r[:width]] for r in office_tab_rows(grid) if any(not is_blank(v) for v in r)
    ]
    return [r + [""] * (width - len(r)) for r in have] == rows


def config_names(config: Config) -> dict[str, str]:
    return {u.code: u.name for u in config.units}


@dataclass(slots=True)
class UnitOutcome:
    """What ``distribute`` did (or, on a dry run, would do) for one unit.

    ``status``: ``added`` (rows appended or the ``Phối hợp`` tab written), ``would_add`` (dry
    run), ``updated`` (only the extension cells of rows already there written), ``would_update``
    (dry run), ``up_to_date`` (nothing missing, nothing behind), ``skipped`` (no task tab / header: nothing written), ``refused`` (the file is open
    or changed meanwhile, or holds parts a rewrite would lose: nothing written) or ``failed``
    (unreadable, or Google's error: nothing written, or — Google only — said what landed).
    """

    code: str
    name: str
    status: str
    sheet: str | None = None
    added: list[str] = field(default_factory=list)  # task ids appended (or to append)
    rows: list[int] = field(default_factory=list)  # sheet rows written (1-based)
    updated: list[RowUpdate] = field(default_factory=list)  # rows brought up to date (or to be)
    coop: list[str] = field(default_factory=list)  # task ids in the Phối hợp tab when it was (re)written
    coop_tab: str | None = (
        None  # .xlsx: the name it was written under ("Phối hợp (Văn phòng)" beside a unit's own)
    )
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.code,
            "name": self.name,
            "status": self.status,
            "sheet": self.sheet,
            "added": list(self.added),
            "rows": list(self.rows),
            "updated": [u.to_dict() for u in self.updated],
            "coop": list(self.coop),
            "coop_tab": self.coop_tab,
            "message": self.message,
        }
