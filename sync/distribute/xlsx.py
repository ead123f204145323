"""``distribute`` on .xlsx: append the missing rows and refresh the ``Phối hợp`` tab through
the safe writer (``sync.unitwrite.xlsx``): one read, one atomic replace, or nothing at all."""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from datetime import date
from pathlib import Path

from openpyxl.worksheet.worksheet import Worksheet

from sync.config import Config, UnitConfig
from sync.distribute.plan import (
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
from sync.schema import unit_sheet_schema
from sync.sources import select_task_tab
from sync.sources.xlsx import XlsxWorkbook
from sync.unitwrite import COOP_TAB
from sync.unitwrite.xlsx import UnitWorkbook, replace_office_tab, set_text
from sync.validate import has_header

DATE_FORMAT = "DD/MM/YYYY"


def _write_row(
    ws: Worksheet, sheet_row: int, cells: dict[int, date | str | int], style_row: int | None
) -> None:
    for col, value in cells.items():
        cell = ws.cell(row=sheet_row, column=col + 1)
        if not cell.has_style and style_row is not None:
            above = ws.cell(row=style_row, column=col + 1)
            if above.has_style:
                cell._style = copy(above._style)
        if isinstance(value, str):
            set_text(ws, sheet_row, col + 1, value)
        else:
            cell.value = value
            if isinstance(value, date):
                cell.number_format = DATE_FORMAT


def append_tasks(ws: Worksheet, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
    """Write ``tasks`` after the last data row; returns the sheet rows written (1-based).

    A row below the last data row may hold an STT only (a pre-numbered template): it is used
    and its STT kept."""
    fields = office_fields()
    style_row = tab.last_row + 1 if tab.last_row > tab.header.row else None
    stt_col = tab.header.columns.get("stt")
    written = []
    stt = tab.next_stt
    for i, task in enumerate(tasks):
        sheet_row = tab.last_row + 2 + i
        present = stt_col is not None and ws.cell(row=sheet_row, column=stt_col + 1).value not in (None, "")
        cells = row_cells(tab, task, None if present else stt, fields)
        _write_row(ws, sheet_row, cells, style_row)
        written.append(sheet_row)
        stt += 1
    return written


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
        coop_read = reader.read_tab(COOP_TAB).rows if COOP_TAB in reader.tab_names() else None
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
        book = target.book()
        if missing:
            out.rows = append_tasks(book[tab.name], facts, missing)
        if not coop_current:
            replace_office_tab(book, COOP_TAB, coop_grid(wanted_coop, as_of), COOP_WIDTHS)
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
