"""``ubnd-sync distribute``: hand the register's tasks out to their lead units' own sheets.

``distribute(config, as_of=..., dry_run=..., unit=...)`` reads the register
(``sync.register``), makes the plan (``plan``: missing tasks by lead unit, co-operation
lists by co-unit, tasks held back) and, unit by unit, makes one decision whatever the
backend (``distribute_unit``): read the unit's book once, find its task tab, bring the
extension cells of the rows it has up to date (``current``), append the tasks it lacks and
replace its ``Phối hợp`` tab when the list changed, then save — or nothing. Of an existing
row only the cells of ``current.CURRENT_FIELDS`` are ever written, and only when the
register says otherwise; a second run writes nothing, a refused or failed unit costs that
unit only and is reported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sync.backends import Backend, open_backend
from sync.config import Config, UnitConfig
from sync.distribute.current import RowUpdate, rows_behind
from sync.distribute.plan import (
    COOP_TITLE,
    COOP_WIDTHS,
    Held,
    UnitOutcome,
    config_names,
    coop_grid,
    coop_is_current,
    coop_rows,
    make_plan,
)
from sync.exceptions import SourceUnreadable, UnitWriteFailed, UnitWriteRefused, UsageError
from sync.model import Task
from sync.register import load_register
from sync.schema import Schema, unit_sheet_schema
from sync.shapes.office_tabs import COOP_TAB, find_office_tab, first_cell
from sync.shapes.task_tab import missing_tasks, select_task_tab, task_tab
from sync.validate import UnitResolver

__all__ = ["DistributeReport", "UnitOutcome", "distribute", "distribute_unit"]

#: statuses that make the command exit 1
FAILED = ("refused", "failed")

#: Called after each unit: (unit code, units done, units in all).
Progress = Callable[[str, int, int], None]


@dataclass(slots=True)
class DistributeReport:
    dry_run: bool
    units: list[UnitOutcome] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    requests: int | None = None  # over the network only: API requests this run made

    @property
    def failed(self) -> list[UnitOutcome]:
        return [u for u in self.units if u.status in FAILED]

    @property
    def added(self) -> int:
        return sum(len(u.added) for u in self.units if u.status in ("added", "would_add"))

    @property
    def updated(self) -> int:
        """Rows whose extension cells were (or, on a dry run, would be) brought up to date."""
        return sum(len(u.updated) for u in self.units if u.status not in FAILED)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "added": self.added,
            "updated": self.updated,
            "units": [u.to_dict() for u in self.units],
            "held": [{"task_id": h.task_id, "row": h.row, "reason": h.reason} for h in self.held],
            "requests": self.requests,
        }


def distribute(
    config: Config,
    *,
    as_of: date,
    dry_run: bool = False,
    unit: str | None = None,
    progress: Progress | None = None,
    backend: Backend | None = None,
) -> DistributeReport:
    """Append each lead unit's missing register tasks (and refresh co-units' ``Phối hợp``)."""
    if config.register.source is None:
        raise UsageError(
            "chưa cấu hình danh mục nhiệm vụ: thêm mục [register] với khóa source (đường dẫn tệp "
            "hoặc mã bảng tính Google) vào cấu hình"
        )
    units = [u for u in config.units if unit is None or u.code == unit]
    if unit is not None and not units:
        codes = ", ".join(u.code for u in config.units)
        raise UsageError(f"không có đơn vị mã “{unit}” trong cấu hình (các mã: {codes}).")
    own = backend is None
    backend = backend or open_backend(config)
    try:
        register = load_register(config, backend, UnitResolver(config.units), as_of)
        assert register is not None
        if not register.readable:
            raise UsageError(" ".join(f.message for f in register.findings))
        plan = make_plan(register, config.units)
        report = DistributeReport(dry_run, held=plan.held)
        names = config_names(config)
        schema = unit_sheet_schema()
        for i, u in enumerate(units, start=1):
            lead, coop = plan.lead.get(u.code, []), plan.coop.get(u.code, [])
            report.units.append(
                distribute_unit(
                    backend, u, lead, coop, names=names, as_of=as_of, dry_run=dry_run, schema=schema
                )
            )
            if progress is not None:
                progress(u.code, i, len(units))
        report.requests = backend.requests()
        return report
    finally:
        if own:
            backend.close()


def _moved(behind: list[RowUpdate], landed: dict[int, int]) -> list[RowUpdate]:
    """The updates written, each at the row it was written to (a row whose task is gone left out)."""
    return [replace(u, row=landed[u.row]) for u in behind if u.row in landed]


def distribute_unit(
    backend: Backend,
    unit: UnitConfig,
    tasks: Sequence[Task],
    coop: Sequence[Task],
    *,
    names: dict[str, str],
    as_of: date,
    dry_run: bool,
    schema: Schema,
) -> UnitOutcome:
    """One unit: read its book once, add what it lacks, save — or nothing (the decision every backend shares)."""
    out = UnitOutcome(unit.code, unit.name, "up_to_date")
    if not tasks and not coop:
        return out  # nothing for this unit in the register: not even read
    try:
        book = backend.unit_book(unit)
    except SourceUnreadable as e:
        out.status, out.message = "failed", f"không đọc được bảng tính: {e}"
        return out
    try:
        try:
            tabs = book.workbook.tab_names()
        except SourceUnreadable as e:
            out.status, out.message = "failed", f"không đọc được bảng tính: {e}"
            return out
        try:
            wanted_coop = coop_rows(coop, names)
            coop_tab = find_office_tab(
                tabs, COOP_TAB, COOP_TITLE, lambda name: first_cell(book.workbook.read_tab(name).rows)
            )
            coop_read = book.workbook.read_tab(coop_tab).rows if coop_tab is not None else None
            coop_current = coop_is_current(coop_read, wanted_coop)
            tab = select_task_tab(book.workbook, backend.config.sync.sheet, schema)
        except SourceUnreadable as e:
            out.status, out.message = "skipped", f"không có trang nhiệm vụ để thêm dòng: {e}"
            return out
        facts = task_tab(tab.name, tab.rows, schema)
        if facts is None:  # select_task_tab returns a tab with a header
            out.status, out.message = "skipped", f"trang “{tab.name}” không có dòng tiêu đề"
            return out
        out.sheet = facts.name
        missing = missing_tasks(facts, tasks)
        behind = rows_behind(facts, tab.rows, tasks)
        out.added = [t.task_id or "" for t in missing]
        out.updated = behind
        if not coop_current:
            out.coop = [t.task_id or "" for t in coop]
        if not missing and not behind and coop_current:
            return out
        adds = bool(missing) or not coop_current
        if dry_run:
            out.status = "would_add" if adds else "would_update"
            out.rows = list(range(facts.last_row + 2, facts.last_row + 2 + len(missing)))
            return out
        try:
            if behind:  # before the append: on Google it inserts rows, the rows updated stay above
                landed = book.update_cells(facts, {u.row: u.cells for u in behind})
                out.updated = _moved(behind, landed)
            if missing:
                book.append_tasks(facts, missing)
            if not coop_current:
                out.coop_tab = book.put_office_tab(COOP_TAB, coop_grid(wanted_coop, as_of), COOP_WIDTHS)
            book.save()
        except UnitWriteRefused as e:
            out.status, out.message, out.rows, out.updated = "refused", str(e), [], []
            return out
        except (UnitWriteFailed, SourceUnreadable) as e:
            out.status, out.message, out.rows = "failed", str(e), list(book.rows)
            out.updated = [u for u in out.updated if u.row in book.updated]
            return out
        out.status, out.rows = "added" if adds else "updated", list(book.rows)
        return out
    finally:
        book.close()
