"""The summary's content (contract §7): a ``RunResult`` as backend-neutral tables.

``build_tables`` turns a ``RunResult`` into ``Table`` objects (tab name, typed columns,
rows, row styles, notes) that every writer renders the same way: ``sync.backends.xlsx.summary`` (a file)
and ``sync.backends.gsheets.summary`` (a Google Sheet). Percent cells hold the rate rounded as
every other place shows it (``sync.display.rounded_rate``).

How a tab prints is decided here too, once for every writer that can print: the page
header (``PageHeader``: title, as-of, period), the columns whose text wraps, and for a tab
wider than a page, how many pages wide it prints (``pages_wide``) and the identifying
columns repeated on each of them (``repeat_columns``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sync.display import ROMAN, rounded_rate
from sync.findings import FINDING_LABELS
from sync.labels import (
    CATEGORY_LABELS,
    GROUP_LABELS,
    REPORT_STATUS_LABELS,
    SEVERITY_LABELS,
    UPDATE_STATE_LABELS,
)
from sync.model import CATEGORIES, Counts, RunResult, Task, grouped
from sync.normalize import cell_text
from sync.schema import Schema, unit_sheet_schema
from sync.shapes.tables import GENERATED_LABEL, Column, PageHeader, Table

TAB_STATS = "Thống kê"
TAB_TASKS = "Nhiệm vụ"
TAB_OVERDUE = "Quá hạn"
TAB_EXTENSIONS = "Đề nghị gia hạn"
TAB_FINDINGS = "Cảnh báo"
TAB_INFO = "Thông tin"


def _code_column(result: RunResult) -> Column:
    """“Mã đơn vị”, wide enough for the longest code (``X-VINHTHANHTRUNG``)."""
    return Column("Mã đơn vị", max([11, *(len(u.code) + 2 for u in result.units)]))


def _unit_names(result: RunResult) -> dict[str, str]:
    return {u.code: u.name for u in result.units}


#: Units the Office must chase are coloured like overdue tasks; late or partial ones like due-soon;
#: those on time or with no task (``no_tasks``: nothing to chase) are not coloured.
_STATUS_STYLE = {
    "missing": "overdue",
    "unreadable": "overdue",
    "invalid": "overdue",
    "incomplete": "due_soon",
    "late": "due_soon",
}


def stats_table(result: RunResult) -> Table:
    """One row per unit and the total; with units of more than one group (``sync.model.grouped``)
    each group opens with its row (I, II …: its name, unit count, subtotal and rates)."""
    cols = [_code_column(result), Column("Đơn vị", 40), Column("Tổng số", 9, "int")]
    cols += [Column(CATEGORY_LABELS[c], 13, "int") for c in CATEGORIES]
    cols += [Column("Tỷ lệ hoàn thành", 12, "percent"), Column("Tỷ lệ đúng hạn", 12, "percent")]
    cols += [Column("Tình trạng báo cáo", 22)]
    t = Table(TAB_STATS, cols)

    def cells(c: Counts, completion: float | None, on_time: float | None) -> list[Any]:
        # the rates rounded as the report and the terminal show them (0.8125 -> 81.3%)
        return [*c.as_dict().values(), rounded_rate(completion), rounded_rate(on_time)]

    groups = grouped(result.units)
    for number, (group, units) in enumerate(groups, start=1):
        if len(groups) > 1:
            # the group's row carries its subtotal and rates, above its units
            sub = sum((u.tally for u in units), Counts())
            label = f"{GROUP_LABELS[group]} ({len(units)} đơn vị)"
            t.add([ROMAN[number], label, *cells(sub, sub.completion_rate, sub.on_time_rate), ""], "total")
        for u in units:
            t.add(
                [
                    u.code,
                    u.name,
                    *cells(u.tally, u.completion_rate, u.on_time_rate),
                    REPORT_STATUS_LABELS[u.report_status],
                ],
                _STATUS_STYLE.get(u.report_status),
            )
    totals = result.totals
    row = cells(Counts.from_dict(totals["counts"]), totals["completion_rate"], totals["on_time_rate"])
    t.add(["", "Tổng cộng", *row, ""], "total")
    return t


def _display(task: Task, name: str) -> Any:
    value = task.values.get(name)
    if isinstance(value, date):
        return value
    raw = task.raw.get(name)
    if raw is None or isinstance(raw, str):  # text was cleaned on the way in
        return raw
    return cell_text(raw)


def tasks_table(result: RunResult, schema: Schema) -> Table:
    fields = [f for f in schema.fields if f.name != "stt"]
    # the unit by its code (the names are on Thống kê and Quá hạn): a column less on the largest tab
    cols = [_code_column(result), Column("Dòng", 6, "int")]
    widths = {"summary": 44, "progress": 34, "obstacles": 34, "task_id": 12, "doc_ref": 12}
    widths |= {"lead_unit": 16, "co_units": 16, "assigner": 14, "status": 14, "result_doc": 14}
    for f in fields:
        kind = "date" if f.type in ("date", "date_or_kind") else "text"
        cols.append(
            Column(f.title, widths.get(f.name, 11 if kind == "date" else 14), kind, wrap=kind == "text")
        )
    cols += [
        Column("Phân loại", 16, wrap=True),
        Column("Số ngày quá hạn", 8, "int"),
        Column("Tình trạng cập nhật", 13, wrap=True),
    ]
    # on paper two pages wide (one would shrink the text below reading size), each page led
    # by the unit, the row and the task's id
    ids = 3 if [f.name for f in fields][:1] == ["task_id"] else 2
    t = Table(TAB_TASKS, cols, pages_wide=2, repeat_columns=ids)
    for task in result.tasks:
        style = "overdue" if task.days_overdue is not None else "due_soon" if task.due_soon else None
        t.add(
            [
                task.unit,
                task.row,
                *(_display(task, f.name) for f in fields),
                CATEGORY_LABELS[task.category],
                task.days_overdue,
                UPDATE_STATE_LABELS[task.update_state],
            ],
            style,
        )
    return t


def _task_columns(result: RunResult) -> list[Column]:
    """The columns that name a task on the Quá hạn and Đề nghị gia hạn tabs: its unit, id and content."""
    return [
        _code_column(result),
        Column("Đơn vị", 22, wrap=True),
        Column("Mã nhiệm vụ", 12, wrap=True),
        Column("Nội dung nhiệm vụ", 44, wrap=True),
    ]


def overdue_table(result: RunResult) -> Table:
    cols = [
        *_task_columns(result),
        Column("Thời hạn", 11, "date"),
        Column("Số ngày quá hạn", 8, "int"),
        Column("Tình trạng", 14, wrap=True),
        Column("Kết quả thực hiện", 32, wrap=True),
        Column("Khó khăn, vướng mắc, đề xuất", 32, wrap=True),
        Column("Đề nghị gia hạn đến", 11, "date"),
        Column("Vị trí", 14, wrap=True),
    ]
    t = Table(TAB_OVERDUE, cols)
    names = _unit_names(result)
    overdue = [task for task in result.tasks if task.days_overdue is not None]
    overdue.sort(key=lambda task: (-(task.days_overdue or 0), task.unit, task.row))
    for task in overdue:
        t.add(
            [
                task.unit,
                names[task.unit],
                _display(task, "task_id"),
                _display(task, "summary"),
                task.effective_deadline,
                task.days_overdue,
                _display(task, "status"),
                _display(task, "progress"),
                _display(task, "obstacles"),
                _display(task, "extension_request"),
                f"{task.sheet}, dòng {task.row}",
            ],
            "overdue",
        )
    return t


def extensions_table(result: RunResult) -> Table:
    """The Đề nghị gia hạn tab: pending extension requests (``sync.extension``), nearest deadline
    first; a request made too late is coloured like an overdue task."""
    cols = [
        *_task_columns(result),
        Column("Thời hạn hiện tại", 11, "date"),
        Column("Đề nghị gia hạn đến", 11, "date"),
        Column("Ngày đề nghị", 11, "date"),
        Column("Số ngày làm việc trước hạn", 10, "int"),
        Column("Lý do (khó khăn, vướng mắc, đề xuất)", 36, wrap=True),
        Column("Đề nghị muộn", 9),
        Column("Vị trí", 14, wrap=True),
    ]
    t = Table(TAB_EXTENSIONS, cols)
    names = _unit_names(result)
    for r in result.extension_requests:
        t.add(
            [
                r.unit,
                names.get(r.unit, r.unit),
                r.task_id,
                r.summary,
                r.deadline,
                r.requested,
                r.made_on,
                r.working_days,
                r.reason,
                "Muộn" if r.late else None,
                f"{r.sheet}, ô {r.cell}" if r.cell else f"{r.sheet}, dòng {r.row}",
            ],
            "overdue" if r.late else None,
        )
    return t


#: The Cảnh báo tab's order: what must be fixed first.
_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def findings_table(result: RunResult, schema: Schema | None = None) -> Table:
    """The Cảnh báo tab: errors first (highlighted), then warnings, then information.

    Within a severity the findings keep the engine's order (unit, row). Beside the code,
    the finding's name in Vietnamese (``sync.findings.FINDING_LABELS``).
    """
    cols = [
        _code_column(result),
        Column("Đơn vị", 22, wrap=True),
        Column("Trang", 12, wrap=True),
        Column("Ô", 6),
        Column("Dòng", 6, "int"),
        Column("Cột", 16, wrap=True),
        Column("Mức độ", 9),
        Column("Mã lỗi", 20),
        Column("Loại vấn đề", 20, wrap=True),
        Column("Giá trị", 20, wrap=True),
        Column("Nội dung", 60, wrap=True),
    ]
    t = Table(TAB_FINDINGS, cols)
    names = _unit_names(result)
    titles = {f.name: f.title for f in (schema or unit_sheet_schema()).fields}
    for f in sorted(result.findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, 3)):
        value = (
            f.value
            if isinstance(f.value, (int, float)) and not isinstance(f.value, bool)
            else (None if f.value is None else cell_text(f.value))
        )
        t.add(
            [
                f.unit,
                names.get(f.unit, f.unit),
                f.sheet,
                f.cell,
                f.row,
                titles.get(f.field, f.field) if f.field else None,
                SEVERITY_LABELS[f.severity],
                f.code,
                FINDING_LABELS.get(f.code, f.code),
                value,
                f.message,
            ],
            "error" if f.severity == "error" else None,
        )
    return t


def _local(moment: datetime | None, zone: datetime) -> datetime | None:
    """``moment`` as the clock on the Office's wall showed it (the run's time zone), to the minute."""
    if moment is None:
        return None
    if moment.tzinfo is not None and zone.tzinfo is not None:
        moment = moment.astimezone(zone.tzinfo)
    return moment.replace(tzinfo=None, second=0, microsecond=0)


def info_table(result: RunResult) -> Table:
    t = Table(
        TAB_INFO,
        [
            Column("Mục", 30, wrap=True),
            Column("Giá trị", 50, wrap=True),
            Column("Trang tính", 16, wrap=True),
            Column("Bảng tính sửa lần cuối", 18, "datetime"),
        ],
    )
    t.add(["Ngày báo cáo", result.as_of])
    t.add(["Kỳ báo cáo: từ sau ngày", result.period.previous_cutoff])
    t.add(["Kỳ báo cáo: đến ngày", result.period.cutoff])
    t.add([GENERATED_LABEL, result.generated_at.strftime("%d/%m/%Y %H:%M:%S %z")])
    t.add(["Phiên bản ubnd-sync", result.version])
    t.add(["Số đơn vị", len(result.units)])
    t.add(["Nguồn dữ liệu của từng đơn vị", None])
    for u in result.units:
        t.add([f"{u.code} — {u.name}", u.source, u.sheet, _local(u.source_modified, result.generated_at)])
    return t


def build_tables(result: RunResult, schema: Schema | None = None, extra: Iterable[Table] = ()) -> list[Table]:
    schema = schema or unit_sheet_schema()
    tables = [
        stats_table(result),
        tasks_table(result, schema),
        overdue_table(result),
        extensions_table(result),
        findings_table(result, schema),
    ]
    tables.extend(extra)
    tables.append(info_table(result))
    header = PageHeader(result.as_of, result.period)
    for t in tables:
        t.header = header
    return tables
