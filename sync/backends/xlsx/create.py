"""``init`` on the xlsx backend: one workbook per unit and the Office's register, with openpyxl.

A unit's workbook (``don-vi/<CODE>.xlsx``):

- tab ``Nhiệm vụ`` (the schema's tab): the header row of :func:`sync.shapes.layout.columns`
  (bold, wrapped, the Office's columns grey), frozen below it (``A2``), column widths from the
  layout, an autofilter on the header; over :data:`~sync.shapes.layout.PREPARED_ROWS` rows:
  the status dropdown (the schema's words), a date rule (a date from 01/01/2000 to 31/12/2100,
  Vietnamese message) with the ``dd/mm/yyyy`` display on date columns; the deadline
  (``date_or_kind``) also takes its words (``Thường xuyên`` …) through a formula rule;
- sheet protection on, **no password**: the unit's columns are unlocked (the prepared cells
  and the column's default style, so rows below them too), the Office's columns and the header
  locked; widths, heights and the filter stay usable. Excel's protection prevents mistakes, it
  is not security: anyone can lift it (Review › Unprotect Sheet); a changed Office cell is
  caught by the register's reconciliation (``office-field-changed``);
- tab ``Hướng dẫn``: :func:`sync.shapes.guide.guide_rows`, protected too;
- print setup: A4 landscape, one page wide, the header repeated on every page.

The register (``danh-muc-nhiem-vu.xlsx``): tab ``Danh mục nhiệm vụ`` from the register schema,
the same layout without protection (it is the Office's own), a lead-unit dropdown over a hidden
tab ``Danh sách`` holding the unit names (an inline list is limited to 255 characters; the
list warns, so a code or an alias can still be typed).

Every file is written atomically and only when absent (:func:`sync.atomic.atomic_create`): a
file found is never opened for writing, and a run stopped half way is resumed by running again.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sync.atomic import atomic_create, remove_stale_temporaries
from sync.exceptions import OutputError, os_reason
from sync.schema import Schema, register_schema, unit_sheet_schema
from sync.shapes.books import InitReport, UnitSpec
from sync.shapes.grid import serial_day
from sync.shapes.guide import GUIDE_HEADER, GUIDE_TAB, guide_rows
from sync.shapes.layout import DATE_FORMAT, HEADER_ROW, PREPARED_ROWS, Column, columns

#: Where the files go, relative to the province's folder.
UNITS_DIR = "don-vi"
REGISTER_FILE = "danh-muc-nhiem-vu.xlsx"
#: The register's hidden tab of unit names, which the lead-unit dropdown points at.
LISTS_TAB = "Danh sách"
#: The dates a date rule accepts (contract §1: years 2000–2100).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)

#: ``progress(code, done, total)`` after each file (like the sync's progress line)
Progress = Callable[[str, int, int], None]

_OFFICE_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
_UNIT_FILL = PatternFill("solid", start_color="E2EFDA", end_color="E2EFDA")
_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")
_UNLOCKED = Protection(locked=False)
_HEADER_HEIGHT = 48
#: the workbook's own font, named: an unnamed bold font shows as a serif face in LibreOffice
_BOLD = Font(name="Calibri", size=11, bold=True)
_TITLE = Font(name="Calibri", size=14, bold=True)
#: the guide's columns: Cột, Tiêu đề, Ai điền, Cách điền
_GUIDE_WIDTHS = (7, 30, 36, 72)


def _text(ws: Worksheet, row: int, column: int, value: str) -> Cell:
    """A text cell that stays text: a unit's name starting with “=” never becomes a formula."""
    cell = ws.cell(row=row, column=column, value=value)
    cell.data_type = "s"
    return cell


def unit_path(directory: Path, code: str) -> Path:
    """Where a unit's workbook goes."""
    return Path(directory) / UNITS_DIR / f"{code}.xlsx"


# ---------------------------------------------------------------- validation rules


def _rule(col: Column, first: str, lists: dict[str, str]) -> DataValidation | None:
    """The data validation of a column (``first``: its first prepared cell, e.g. ``D2``)."""
    title = col.field.title
    if col.field.type == "enum" and col.choices:
        words = ", ".join(col.choices)
        return DataValidation(
            type="list",
            formula1='"' + ",".join(col.choices) + '"',
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=f"Chọn một trong: {words}.",
            showInputMessage=True,
            promptTitle=title,
            prompt="Chọn trong danh sách.",
        )
    if col.field.name in lists:
        return DataValidation(
            type="list",
            formula1=lists[col.field.name],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=title,
            error="Tên này không có trong danh sách đơn vị. Vẫn ghi (mã hoặc tên gọi khác của đơn vị)?",
        )
    if not col.is_date:
        return None
    message = (
        f"Ghi ngày theo dạng ngày/tháng/năm ({DATE_FORMAT}), ví dụ 05/03/2025, "
        f"trong khoảng {FIRST_DAY:%d/%m/%Y}–{LAST_DAY:%d/%m/%Y}."
    )
    low, high = serial_day(FIRST_DAY), serial_day(LAST_DAY)
    if col.field.type == "date_or_kind":
        kinds = [w for spellings in col.field.values.values() for w in spellings]
        allowed = ",".join(f'{first}="{w}"' for w in kinds)
        shown = " / ".join(f"“{w}”" for w in kinds[:2])
        return DataValidation(
            type="custom",
            formula1=f"OR(AND(ISNUMBER({first}),{first}>={low},{first}<={high}),{allowed})",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=f"{message} Hoặc ghi {shown}.",
        )
    return DataValidation(
        type="date",
        operator="between",
        formula1=str(low),
        formula2=str(high),
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=title,
        error=message,
        showInputMessage=True,
        promptTitle=title,
        prompt=f"Ngày/tháng/năm, ví dụ 05/03/2025 ({DATE_FORMAT}).",
    )


# ---------------------------------------------------------------- sheets


def _print_setup(ws: Worksheet, *, title_rows: str | None) -> None:
    """A4 landscape, one page wide, as tall as needed."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


def _task_sheet(ws: Worksheet, schema: Schema, *, protect: bool, lists: dict[str, str]) -> None:
    """The task tab: header, widths, prepared rows with their rules; protected when ``protect``."""
    cols = columns(schema)
    ws.title = schema.tab
    last = HEADER_ROW + PREPARED_ROWS
    for col in cols:
        cell = _text(ws, HEADER_ROW, col.index + 1, col.field.title)
        cell.font = _BOLD
        cell.alignment = _HEADER_ALIGN
        cell.border = _BOX
        cell.fill = _OFFICE_FILL if col.office or not protect else _UNIT_FILL
        dim = ws.column_dimensions[col.letter]
        dim.width = col.width
        # the column's default style: what a cell below the prepared rows gets when typed in
        if protect and not col.office:
            dim.protection = _UNLOCKED
        if col.is_date:
            dim.number_format = DATE_FORMAT
        for row in range(HEADER_ROW + 1, last + 1):
            c = ws.cell(row=row, column=col.index + 1)
            if protect and not col.office:
                c.protection = _UNLOCKED
            if col.is_date:
                c.number_format = DATE_FORMAT
            elif col.wraps:
                c.alignment = _WRAP
        rule = _rule(col, f"{col.letter}{HEADER_ROW + 1}", lists)
        if rule is not None:
            rule.add(f"{col.letter}{HEADER_ROW + 1}:{col.letter}{last}")
            ws.add_data_validation(rule)
    ws.row_dimensions[HEADER_ROW].height = _HEADER_HEIGHT
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1).coordinate
    ws.auto_filter.ref = f"A{HEADER_ROW}:{cols[-1].letter}{last}"
    _print_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}")
    if protect:
        _protect(ws)


def _protect(ws: Worksheet) -> None:
    """Sheet protection without a password; widths, heights and the filter stay usable."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = False  # in openpyxl, False = allowed
    p.formatRows = False
    p.autoFilter = False
    p.selectLockedCells = False
    p.selectUnlockedCells = False


def _guide_sheet(ws: Worksheet, rows: list[list[str]]) -> None:
    """The guide: general lines across the four columns, then the table of columns."""
    widths = _GUIDE_WIDTHS
    span = len(widths)
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    chars_per_line = sum(widths) * 5 // 4  # text is narrower than a column's "0" width
    table = False
    for r, row in enumerate(rows, start=1):
        if row == list(GUIDE_HEADER):
            table = True
        for c, value in enumerate(row, start=1):
            cell = _text(ws, r, c, value)
            cell.alignment = _WRAP
            if table:
                cell.border = _BOX
        if r == 1:
            ws.cell(row=1, column=1).font = _TITLE
        if row == list(GUIDE_HEADER):
            for c in range(1, span + 1):
                ws.cell(row=r, column=c).font = _BOLD
                ws.cell(row=r, column=c).fill = _OFFICE_FILL
        elif len(row) == 1:  # a line of text: across the table's width, tall enough to show it
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=span)
            lines = -(-len(row[0]) // chars_per_line)
            ws.row_dimensions[r].height = 18 * max(lines, 1) + (6 if r == 1 else 0)
        elif table:
            lines = max(-(-len(v) // (widths[i] * 5 // 4)) for i, v in enumerate(row) if i < span)
            ws.row_dimensions[r].height = 15 * max(lines, 1) + 3
    _print_setup(ws, title_rows=None)
    _protect(ws)


def unit_workbook(unit: UnitSpec, *, schema: Schema, cutoff_day: int) -> Workbook:
    """A unit's new workbook: the task tab (protected) and the guide."""
    wb = Workbook()
    _task_sheet(wb.active, schema, protect=True, lists={})
    guide = wb.create_sheet(GUIDE_TAB)
    _guide_sheet(guide, guide_rows(schema, unit_name=unit.name, task_tab=schema.tab, cutoff_day=cutoff_day))
    wb.properties.title = f"{schema.title} — {unit.name}"
    wb.properties.creator = "ubnd-sync"
    return wb


def register_workbook(units: Sequence[UnitSpec], *, schema: Schema) -> Workbook:
    """The Office's new register: its tab, and the hidden list of unit names for the dropdown."""
    wb = Workbook()
    names = wb.create_sheet(LISTS_TAB)
    _text(names, 1, 1, "Đơn vị").font = _BOLD
    for i, unit in enumerate(units, start=2):
        _text(names, i, 1, unit.name)
    names.column_dimensions["A"].width = 40
    names.sheet_state = "hidden"
    lists = {"lead_unit": f"'{LISTS_TAB}'!$A$2:$A${len(units) + 1}"}
    _task_sheet(wb.active, schema, protect=False, lists=lists)
    wb.properties.title = schema.title
    wb.properties.creator = "ubnd-sync"
    return wb


# ---------------------------------------------------------------- writing


def _create(path: Path, build: Callable[[], Workbook], label: str, report: InitReport, base: Path) -> bool:
    """Write the workbook ``build()`` makes at ``path`` unless a file is there; True when created."""
    shown = os.path.relpath(path, base) if path.is_relative_to(base) else str(path)
    # what a run killed while writing this file left (even just after it was in place)
    remove_stale_temporaries(path, older_than=0)
    if path.exists() or path.is_symlink():
        report.found.append(f"{label}: {shown}")
        return False
    try:
        with atomic_create(path) as tmp:
            build().save(tmp)
    except FileExistsError:  # made meanwhile by someone else: theirs stays
        report.found.append(f"{label}: {shown}")
        return False
    except OSError as e:
        raise OutputError(
            f"không ghi được {label} vào {path}: {os_reason(e)}. Các tệp đã tạo được giữ nguyên; "
            "sửa lỗi này rồi chạy lại “ubnd-sync init”: lần sau chỉ tạo những tệp còn thiếu"
        ) from e
    report.created.append(f"{label}: {shown}")
    return True


def init_xlsx(
    units: Sequence[UnitSpec],
    *,
    directory: Path,
    cutoff_day: int = 25,
    progress: Progress | None = None,
) -> tuple[InitReport, dict[str, Path]]:
    """Create what is missing of the register and the units' workbooks under ``directory``.

    Returns the report and where each file is (``"register"`` and each unit's code), for the
    config. Raises ``OutputError`` (naming the file) when one cannot be written; the files
    made before it stay, and a new run makes only the rest.
    """
    directory = Path(directory)
    report = InitReport()
    schema = unit_sheet_schema()
    paths: dict[str, Path] = {"register": directory / REGISTER_FILE}
    total = len(units) + 1
    _create(
        paths["register"],
        lambda: register_workbook(units, schema=register_schema()),
        "Danh mục nhiệm vụ",
        report,
        directory,
    )
    if progress:
        progress("", 1, total)
    for i, unit in enumerate(units, start=2):
        path = paths[unit.code] = unit_path(directory, unit.code)
        _create(
            path,
            lambda unit=unit: unit_workbook(unit, schema=schema, cutoff_day=cutoff_day),  # type: ignore[misc]
            f"Bảng của đơn vị {unit.code} ({unit.name})",
            report,
            directory,
        )
        if not unit.emails:
            report.without_email.append(unit.code)
        if progress:
            progress(unit.code, i, total)
    return report, paths
