"""``distribute`` on .xlsx: append the missing rows and refresh the ``Phối hợp`` tab through
the safe writer (``sync.unitwrite.xlsx``): one read, the package edited in place (every byte
but the rows and the tab written kept), one atomic replace, or nothing at all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from sync.config import Config, UnitConfig
from sync.distribute.plan import (
    COOP_TITLE,
    COOP_WIDTHS,
    TaskTab,
    UnitOutcome,
    coop_grid,
    coop_is_current,
    coop_rows,
    missing_tasks,
    office_fields,
    row_cells,
    task_tab,
)
from sync.exceptions import SourceUnreadable, UnitWriteRefused
from sync.model import Task
from sync.office_tabs import find_office_tab, first_cell
from sync.schema import unit_sheet_schema
from sync.sources import select_task_tab
from sync.sources.xlsx import XlsxWorkbook
from sync.unitwrite import COOP_TAB
from sync.unitwrite.xlsx import UnitWorkbook, replace_office_tab
from sync.validate import has_header
from sync.xlsx_package import XlsxPackage


def append_tasks(package: XlsxPackage, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
    """Write ``tasks`` after the last data row of ``tab``; returns the sheet rows written (1-based).

    Each new cell takes the format of the cell above in the last data row; a date is a date
    cell shown ``DD/MM/YYYY``. A row below the last data row may hold an STT only (a
    pre-numbered template, or a formula): it is used and its STT kept."""
    fields = office_fields()
    style_row = tab.last_row + 1 if tab.last_row > tab.header.row else None
    stt_col = tab.header.columns.get("stt")
    rows: dict[int, dict[int, date | str | int]] = {}
    stt = tab.next_stt
    for i, task in enumerate(tasks):
        sheet_row = tab.last_row + 2 + i
        present = stt_col is not None and stt_col in package.occupied(tab.name, sheet_row)
        rows[sheet_row] = row_cells(tab, task, None if present else stt, fields)
        stt += 1
    package.write_cells(tab.name, rows, style_row=style_row)
    return list(rows)


def distribute_unit(
    config: Config,
    unit: UnitConfig,
    tasks: Sequence[Task],
    coop: Sequence[Task],
    names: dict[str, str],
    as_of: date,
    dry_run: bool,
) -> UnitOutcome:
    out = UnitOutcome(unit.code, unit.name, "up_to_date")
    path = Path(config.resolve(unit.source))
    schema = unit_sheet_schema()
    try:
        target = UnitWorkbook.read(path, unit.code, config.limits)
        reader = XlsxWorkbook(path, config.limits, data=target.data)
    except SourceUnreadable as e:
        out.status, out.message = "failed", f"không đọc được bảng tính: {e}"
        return out
    try:
        wanted_coop = coop_rows(coop, names)
        coop_tab = find_office_tab(
            reader.tab_names(), COOP_TAB, COOP_TITLE, lambda name: first_cell(reader.read_tab(name).rows)
        )
        coop_read = reader.read_tab(coop_tab).rows if coop_tab is not None else None
        coop_current = coop_is_current(coop_read, wanted_coop)
        tab = select_task_tab(reader, config.sync.sheet, lambda rows: has_header(rows, schema))
    except SourceUnreadable as e:
        out.status, out.message = "skipped", f"không có trang nhiệm vụ để thêm dòng: {e}"
        return out
    finally:
        reader.close()
    facts = task_tab(tab.name, tab.rows, schema)
    if facts is None:  # select_task_tab returns a tab with a header
        out.status, out.message = "skipped", f"trang “{tab.name}” không có dòng tiêu đề"
        return out
    out.sheet = tab.name
    missing = missing_tasks(facts, tasks)
    out.added = [t.task_id or "" for t in missing]
    if not missing and coop_current:
        return out
    if not coop_current:
        out.coop = [t.task_id or "" for t in coop]
    if dry_run:
        out.status = "would_add"
        out.rows = list(range(facts.last_row + 2, facts.last_row + 2 + len(missing)))
        return out
    try:
        with target.editing() as package:
            if missing:
                out.rows = append_tasks(package, facts, missing)
            if not coop_current:
                out.coop_tab = replace_office_tab(
                    package, COOP_TAB, coop_grid(wanted_coop, as_of), COOP_WIDTHS
                )
        target.save()
    except UnitWriteRefused as e:
        out.status, out.message, out.rows = "refused", str(e), []
        return out
    except SourceUnreadable as e:
        out.status, out.message, out.rows = "failed", str(e), []
        return out
    except OSError as e:
        out.status, out.message, out.rows = "failed", f"không ghi được tệp {path.name}: {e.strerror or e}", []
        return out
    out.status = "added"
    return out
