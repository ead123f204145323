"""The task tab, whatever backend holds it: its header row, where it is, and what a new row holds.

- ``find_header``: the header row (contract §1: the first of a tab's first rows in which at
  least three cells match known titles or aliases) and where each field's column is;
- ``select_task_tab``: which tab of a workbook is the task tab (never a tab the Office owns);
- ``TaskTab`` / ``task_tab``: what a writer needs from a task tab (ids present, the last data
  row, the next STT) and ``row_cells``: the cells of a new row, by column.

Backends depend on these shapes; features (``validate``, ``distribute``, ``register``) too.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from sync.exceptions import SourceUnreadable
from sync.model import Task, task_key
from sync.normalize import cell_text, clean_text, fold, is_blank, parse_date
from sync.schema import Schema, unit_sheet_schema
from sync.shapes.grid import TabData, cell_name
from sync.shapes.office_tabs import OFFICE_TABS


@dataclass(slots=True)
class Header:
    row: int  # 0-based grid index
    columns: dict[str, int]  # field id -> column index
    titles: dict[str, str]  # field id -> header text as written
    duplicates: list[tuple[str, int]] = field(default_factory=list)

    def cell(self, field_id: str, sheet_row: int) -> str | None:
        col = self.columns.get(field_id)
        return None if col is None else cell_name(col, sheet_row)


def _header_key(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return fold(clean_text(value))


def find_header(rows: Sequence[Sequence[Any]], schema: Schema) -> Header | None:
    """The first of the first N rows with at least M cells matching known titles."""
    lookup = schema.header_lookup
    for r, row in enumerate(rows[: schema.header_search_rows]):
        columns: dict[str, int] = {}
        titles: dict[str, str] = {}
        duplicates: list[tuple[str, int]] = []
        for c, value in enumerate(row):
            key = _header_key(value)
            if key is None:
                continue
            field_id = lookup.get(key)
            if field_id is None:
                continue
            if field_id in columns:
                duplicates.append((field_id, c))
            else:
                columns[field_id] = c
                titles[field_id] = clean_text(value)
        if len(columns) >= schema.header_min_matches:
            return Header(row=r, columns=columns, titles=titles, duplicates=duplicates)
    return None


def has_header(rows: Sequence[Sequence[Any]], schema: Schema) -> bool:
    return find_header(rows, schema) is not None


class Tabs(Protocol):
    """What ``select_task_tab`` needs of an opened workbook (``sync.backends.base.Workbook``)."""

    def tab_names(self) -> list[str]: ...

    def read_tab(self, name: str) -> TabData: ...

    def read_named_tab(self, name: str) -> TabData | None: ...


def tab_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def select_task_tab(workbook: Tabs, preferred: str, schema: Schema) -> TabData:
    """The tab called ``preferred`` when it has a header row of ``schema``, else the first tab with
    one (contract §1); never a tab the Office owns in the unit's workbook (``Phối hợp``, ``Nhắc việc``)."""
    named = workbook.read_named_tab(preferred)
    if named is not None and has_header(named.rows, schema):
        return named
    office = {tab_key(t) for t in OFFICE_TABS}
    for name in workbook.tab_names():
        if named is not None and name == named.name or tab_key(name) in office:
            continue
        tab = workbook.read_tab(name)
        if has_header(tab.rows, schema):
            return tab
    if named is not None:
        raise SourceUnreadable(
            f"trang “{named.name}” không có dòng tiêu đề: trong 10 dòng đầu không có dòng nào có ít nhất "
            "3 ô mang tên cột của mẫu (Mã nhiệm vụ, Nội dung nhiệm vụ, Thời hạn, Tình trạng …)"
        )
    raise SourceUnreadable(
        f"không có trang tính “{preferred}” và không trang tính nào có dòng tiêu đề "
        "của bảng theo dõi nhiệm vụ"
    )


def office_fields(schema: Schema | None = None) -> list[str]:
    """The fields ``distribute`` writes: the unit sheet's Office-owned fields."""
    schema = schema or unit_sheet_schema()
    return [f.name for f in schema.fields if f.owner == "office"]


def holds(cell: Any, value: date | str) -> bool:
    """Whether a cell as read already holds ``value``: the same date (a date cell, a serial number or
    a date typed as text), or the same text as the reconciliation compares it (``fold``)."""
    if isinstance(value, date):
        return parse_date(cell) == value
    return fold(cell_text(cell)) == fold(value)


def cell_value(task: Task, name: str) -> date | str | None:
    """A register task's value for one field as it goes into a unit's cell: a date as a date,
    anything else as the text the Office wrote (NFC, trimmed)."""
    value = task.values.get(name)
    if isinstance(value, date):
        return value
    text = cell_text(task.raw.get(name))
    return text or None


@dataclass(slots=True)
class TaskTab:
    """A unit's task tab as read: header, ids present, where new rows go, the next STT."""

    name: str
    header: Header
    ids: dict[str, int]  # task key -> 0-based grid row
    last_row: int  # 0-based grid index of the last data row (the header's when none)
    next_stt: int

    @property
    def first_col(self) -> int:
        return min(self.header.columns.values())

    @property
    def last_col(self) -> int:
        return max(self.header.columns.values())


def _stt(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def task_tab(name: str, rows: Sequence[Sequence[Any]], schema: Schema) -> TaskTab | None:
    """The facts ``distribute`` needs from a task tab; None when it has no header row."""
    header = find_header(rows, schema)
    if header is None:
        return None
    id_col = header.columns.get("task_id")
    stt_col = header.columns.get("stt")
    ids: dict[str, int] = {}
    last = header.row
    stts: list[int] = []
    data_rows = 0
    for r in range(header.row + 1, len(rows)):
        row = rows[r]
        filled = [c for c, v in enumerate(row) if not is_blank(v) and c != stt_col]
        if stt_col is not None and stt_col < len(row) and (n := _stt(row[stt_col])) is not None and filled:
            stts.append(n)
        if not filled:
            continue
        last = r
        data_rows += 1
        if id_col is not None and id_col < len(row):
            text = cell_text(row[id_col])
            if text:
                ids.setdefault(task_key(text), r)
    next_stt = max(stts) + 1 if stts else data_rows + 1
    return TaskTab(name, header, ids, last, next_stt)


def missing_tasks(tab: TaskTab, tasks: Sequence[Task]) -> list[Task]:
    """The unit's register tasks whose id its task tab lacks (register order)."""
    return [t for t in tasks if t.task_id and task_key(t.task_id) not in tab.ids]


def row_cells(
    tab: TaskTab, task: Task, stt: int | None, fields: Sequence[str]
) -> dict[int, date | str | int]:
    """Column index -> value for one new row: the Office-owned fields the header has, and STT."""
    out: dict[int, date | str | int] = {}
    for name in fields:
        col = tab.header.columns.get(name)
        value = cell_value(task, name)
        if col is not None and value is not None:
            out[col] = value
    if stt is not None and "stt" in tab.header.columns:
        out[tab.header.columns["stt"]] = stt
    return out
