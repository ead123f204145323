"""The Office's writes into a unit's Google Sheet: ``values.append``, safe while units edit, and
Office-owned tabs replaced whole in one ``batchUpdate``.

Per unit (4 requests when something is added): the spreadsheet exported as .xlsx in one Drive
``files.export`` (Drive's quota, not Sheets' 60 reads a minute) for the task tab and the
Office's tabs; the tab ids (one ``spreadsheets.get``) only for a unit that gets something;

- ``append_tasks``: ``values.append`` (``RAW``: text stays text, ``=…`` never a formula; dates
  as serial numbers; ``INSERT_ROWS``: Google inserts new rows for the data, so nothing below
  is ever overwritten) anchored at the cell below the last data row in the header's first
  column. Where that cell is empty, the rows land exactly there; where a unit typed a row
  there meanwhile, Google's table detection puts ours after the unit's table — below the
  unit's row. An append is not idempotent, so it is never retried blindly
  (``idempotent=False``: only a 429 or a connection never made is retried by the client).
  After a 5xx or a lost answer the task tab is read again and only the tasks still absent
  are appended (at most ``APPEND_ROUNDS`` times): a retried run never duplicates a row;
- ``put_office_tab`` and ``save``: one ``batchUpdate``: the date cells of the new rows shown
  ``dd/mm/yyyy``, and each Office tab deleted and added again (values, a protected range over
  the whole tab editable only by the Office's account). A tab is the Office's by its name and
  its title in A1 (``sync.shapes.office_tabs``): a unit's own ``Phối hợp`` is never deleted, the
  Office's then takes a fallback name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sync.backends.base import UnitBook, Workbook
from sync.backends.gsheets.client import GoogleClient
from sync.backends.gsheets.read import GSheetsSource, GSheetsWorkbook, quote_title, spreadsheet_id
from sync.exceptions import (
    GoogleApiError,
    GoogleNetworkError,
    SourceUnreadable,
    UnitWriteFailed,
    UnitWriteRefused,
)
from sync.model import task_key
from sync.schema import unit_sheet_schema
from sync.shapes.grid import column_letter, serial_day
from sync.shapes.layout import DATE_FORMAT
from sync.shapes.layout import columns as layout_columns
from sync.shapes.office_tabs import OFFICE_TAB_LEAD, find_office_tab, first_cell, free_office_tab_name
from sync.shapes.task_tab import TaskTab, holds, office_fields, row_cells, task_tab
from sync.shapes.wrap import google_row_pixels, row_lines

if TYPE_CHECKING:
    from sync.config import UnitConfig
    from sync.model import Task

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets/"
APPEND_ROUNDS = 3
_RANGE_START = re.compile(r"!\$?([A-Z]+)\$?(\d+)")


def _outcome_unknown(e: GoogleApiError | GoogleNetworkError) -> Exception:
    """A write's failure after which what landed is not known (Google's 5xx, an answer lost): returned,
    for the caller to read what landed and write only the rest; Google's refusal (4xx) is raised."""
    if isinstance(e, GoogleApiError) and e.status < 500:
        raise e
    return e


def _json_value(value: date | str | int) -> str | int:
    return serial_day(value) if isinstance(value, date) else value


class GSheetsUnitBook(UnitBook):
    """One unit's spreadsheet for the Office's writes, through the run's ``GoogleClient``."""

    def __init__(self, unit: UnitConfig, ref: str, client: GoogleClient, source: GSheetsSource):
        super().__init__(unit)
        self.ref = ref
        self.client = client
        self.source = source
        self.schema = unit_sheet_schema()
        book = source.open(ref)
        assert isinstance(book, GSheetsWorkbook)
        self._book = book
        self.sid = book.id
        self._dated: list[tuple[TaskTab, list[int]]] = []
        #: the tasks appended, by tab, in the order of their rows
        self._appended: dict[str, list[Task]] = {}
        #: date cells ``update_cells`` wrote (tab, 1-based row, 0-based column): shown dd/mm/yyyy
        self._dated_cells: list[tuple[str, int, int]] = []
        self._tabs: list[dict[str, Any]] = []
        #: what went wrong with where an append landed (reported although the rows landed)
        self._misplaced: list[str] = []

    @property
    def workbook(self) -> Workbook:
        return self._book

    # ---------------------------------------------------------------- cells of rows already there

    def update_cells(self, tab: TaskTab, cells: Mapping[int, Mapping[int, date | str]]) -> dict[int, int]:
        try:
            landed = self._update_safely(tab, cells)
        except (GoogleApiError, GoogleNetworkError, SourceUnreadable) as e:
            raise self._failed(e) from None
        self.updated += sorted(landed.values())
        return landed

    def _update_safely(self, facts: TaskTab, cells: Mapping[int, Mapping[int, date | str]]) -> dict[int, int]:
        """Write ``cells`` where their tasks are now; after a failure whose outcome is unknown, write
        only what is not there yet. Returns ``{row as read: row written}``.

        Google has no "write only if unchanged": a unit may insert or delete rows between the read
        and the write, and a row number would then name another task's row. So the task tab is
        read again (one Drive export) just before each ``values.batchUpdate`` and every cell goes to
        the row holding its task now (a task gone is not written); a window of well under a second
        remains, as for the .xlsx file's last check. ``RAW``: text stays text, dates are serial
        numbers (shown dd/mm/yyyy by ``save``). Not idempotent once rows can move: never retried
        blindly (``idempotent=False``)."""
        by_row = {r + 1: key for key, r in facts.ids.items()}
        wanted = {by_row[row]: (row, dict(values)) for row, values in cells.items() if row in by_row}
        failure: Exception | None = None
        for _ in range(APPEND_ROUNDS):
            grid = self.source.open(self.ref).read_tab(facts.name).rows
            now = task_tab(facts.name, grid, self.schema)
            if now is None:
                raise SourceUnreadable(f"trang “{facts.name}” không còn dòng tiêu đề", detail="no-header")
            landed = {row: now.ids[key] + 1 for key, (row, _) in wanted.items() if key in now.ids}
            data = []
            dated: list[tuple[str, int, int]] = []
            for key, (_, values) in wanted.items():
                if key not in now.ids:
                    continue
                r = now.ids[key]
                have = grid[r] if r < len(grid) else []
                for col, value in sorted(values.items()):
                    if isinstance(value, date):
                        dated.append((facts.name, r + 1, col))
                    if not holds(have[col] if col < len(have) else None, value):
                        cell = f"{quote_title(facts.name)}!{column_letter(col)}{r + 1}"
                        data.append({"range": cell, "values": [[_json_value(value)]]})
            try:
                if data:
                    self.client.request(
                        "post",
                        SHEETS + f"{self.sid}/values:batchUpdate",
                        json={"valueInputOption": "RAW", "data": data},
                        idempotent=False,
                    )
                self._dated_cells += dated
                return landed
            except (GoogleApiError, GoogleNetworkError) as e:
                failure = _outcome_unknown(e)
        assert failure is not None
        raise failure

    # ---------------------------------------------------------------- the append

    def append_tasks(self, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
        try:
            rows = self._append_safely(tab, tasks)
        except (GoogleApiError, GoogleNetworkError, SourceUnreadable) as e:
            raise self._failed(e) from None
        self.rows += rows
        self._dated.append((tab, rows))
        self._appended.setdefault(tab.name, []).extend(tasks)
        return rows

    def _append_safely(self, facts: TaskTab, tasks: Sequence[Task]) -> list[int]:
        """Append ``tasks``; after a failure whose outcome is unknown, append only what is still absent.
        Returns the 1-based sheet rows holding them."""
        rows: list[int] = []
        pending = list(tasks)
        failure: Exception | None = None
        for _ in range(APPEND_ROUNDS):
            try:
                rows += self._append(facts, pending)
                return sorted(rows)
            except (GoogleApiError, GoogleNetworkError) as e:
                failure = _outcome_unknown(e)
            facts = self._read_again(facts.name)  # what landed?
            landed = [t for t in pending if task_key(t.task_id or "") in facts.ids]
            rows += [facts.ids[task_key(t.task_id or "")] + 1 for t in landed]
            pending = [t for t in pending if t not in landed]
            if not pending:
                return sorted(rows)
        assert failure is not None
        raise failure

    def _read_again(self, name: str) -> TaskTab:
        """The task tab as it is now (a fresh export)."""
        facts = task_tab(name, self.source.open(self.ref).read_tab(name).rows, self.schema)
        if facts is None:
            raise SourceUnreadable(f"trang “{name}” không còn dòng tiêu đề", detail="no-header")
        return facts

    def _append(self, facts: TaskTab, tasks: Sequence[Task]) -> list[int]:
        fields = office_fields()
        first, last = facts.first_col, facts.last_col
        values = []
        for i, task in enumerate(tasks):
            cells = row_cells(facts, task, facts.next_stt + i, fields)
            values.append([_json_value(cells[c]) if c in cells else "" for c in range(first, last + 1)])
        anchor = f"{quote_title(facts.name)}!{column_letter(first)}{facts.last_row + 2}"
        response = self.client.request(
            "post",
            SHEETS + f"{self.sid}/values/{quote(anchor, safe='')}:append",
            params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
            json={"majorDimension": "ROWS", "values": values},
            idempotent=False,
        ).json()
        updated = str((response.get("updates") or {}).get("updatedRange") or "")
        m = _RANGE_START.search(updated)
        start = int(m.group(2)) if m else facts.last_row + 2
        if m and m.group(1) != column_letter(first):  # Google's table detection started elsewhere
            self._misplaced.append(
                f"Google đặt các dòng mới ({updated}) bắt đầu từ cột {m.group(1)} thay vì cột "
                f"{column_letter(first)} của dòng tiêu đề; Văn phòng kiểm tra và chuyển các ô cho đúng cột"
            )
        return list(range(start, start + len(tasks)))

    # ---------------------------------------------------------------- Office tabs and formats

    def put_office_tab(self, name: str, grid: list[list[str]], widths: tuple[int, ...] = ()) -> str:
        title = grid[0][0] if grid and grid[0] else ""
        try:
            ids = self._book.sheet_ids()
            tabs = list(ids)
            ours = find_office_tab(tabs, name, title, lambda tab: first_cell(self._book.read_tab(tab).rows))
            target = ours or free_office_tab_name(tabs, name)
            if target is None:
                raise UnitWriteRefused(
                    f"đơn vị {self.unit.code}: bảng tính đã có các trang “{name}” … “{name} (Văn phòng 9)” của "
                    f"đơn vị, không còn tên cho trang “{name}” của Văn phòng; đơn vị đổi tên một trang trong số đó"
                )
            self._tabs += office_tab_requests(ids, target, grid, self.client.account_email, widths)
        except SourceUnreadable as e:
            raise self._failed(e) from None
        return target

    def save(self) -> list[str]:
        try:
            requests: list[dict[str, Any]] = []
            for tab, rows in self._dated:
                sheet_id = self._book.sheet_ids().get(tab.name)  # None: a title the export shortened
                if sheet_id is not None:
                    requests += self._date_formats(sheet_id, tab, rows)
                    requests += self._heights(sheet_id, tab, rows)
            for name, row, col in self._dated_cells:
                if (sheet_id := self._book.sheet_ids().get(name)) is not None:
                    requests.append(_date_format(sheet_id, row, row, col))
            requests += self._tabs
            if requests:
                self.client.http.batch_update(self.sid, {"requests": requests})
        except (GoogleApiError, GoogleNetworkError, SourceUnreadable) as e:
            raise self._failed(e) from None
        if self._misplaced:
            landed = ", ".join(map(str, self.rows))
            raise UnitWriteFailed(f"đã thêm ở dòng {landed} nhưng {self._misplaced[0]}")
        return []

    def _failed(self, e: Exception) -> UnitWriteFailed:
        landed = f" (đã thêm ở dòng {', '.join(map(str, self.rows))})" if self.rows else ""
        return UnitWriteFailed(
            f"Google báo lỗi khi ghi vào bảng tính {spreadsheet_id(self.sid)}{landed}: {e}; chạy lại sau"
        )

    def _date_formats(self, sheet_id: int, facts: TaskTab, rows: list[int]) -> list[dict[str, Any]]:
        """Show the new rows' date cells as dd/mm/yyyy (one repeatCell per date column and run of rows)."""
        out: list[dict[str, Any]] = []
        dates = [
            facts.header.columns[f.name]
            for f in self.schema.fields
            if f.owner == "office" and f.type in ("date", "date_or_kind") and f.name in facts.header.columns
        ]
        for start, end in _runs(rows):
            out += [_date_format(sheet_id, start, end, col) for col in dates]
        return out

    def _heights(self, sheet_id: int, facts: TaskTab, rows: list[int]) -> list[dict[str, Any]]:
        """Rows appended as tall as their wrapped text: the unit's sheet as ``init`` laid it out
        (``sync.shapes.layout``: the columns' widths and which wrap, by field), the new rows' texts."""
        widths = {
            facts.header.columns[c.field.name]: c.width
            for c in layout_columns(self.schema)
            if c.field.name in facts.header.columns
        }
        wraps = [
            facts.header.columns[c.field.name]
            for c in layout_columns(self.schema)
            if c.wraps and c.field.name in facts.header.columns
        ]
        out: list[dict[str, Any]] = []
        for row, task in zip(rows, self._appended.get(facts.name, []), strict=False):
            texts = {
                col: v
                for col, v in row_cells(facts, task, None, office_fields()).items()
                if isinstance(v, str)
            }
            lines = row_lines(texts, widths, wraps)
            if lines > 1:
                out.append(
                    {
                        "updateDimensionProperties": {
                            "range": {
                                "sheetId": sheet_id,
                                "dimension": "ROWS",
                                "startIndex": row - 1,
                                "endIndex": row,
                            },
                            "properties": {"pixelSize": google_row_pixels(lines)},
                            "fields": "pixelSize",
                        }
                    }
                )
        return out


def _date_format(sheet_id: int, first: int, last: int, col: int) -> dict[str, Any]:
    """Show column ``col`` of rows ``first``..``last`` (1-based) dd/mm/yyyy."""
    return {
        "repeatCell": {
            "range": {
                "sheetId": sheet_id,
                "startRowIndex": first - 1,
                "endRowIndex": last,
                "startColumnIndex": col,
                "endColumnIndex": col + 1,
            },
            "cell": {"userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": DATE_FORMAT}}},
            "fields": "userEnteredFormat.numberFormat",
        }
    }


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of 1-based rows as (first, last)."""
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


_BOLD = {"textFormat": {"bold": True}}
_TITLE = {"textFormat": {"bold": True, "fontSize": 13}}
_COLUMN_TITLES = {"textFormat": {"bold": True}, "backgroundColor": {"red": 0.85, "green": 0.85, "blue": 0.85}}
_ROWS = {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}


def _cell(value: str, r: int) -> dict[str, Any]:
    fmt = (
        _TITLE
        if r == 0
        else _COLUMN_TITLES
        if r == OFFICE_TAB_LEAD
        else _ROWS
        if r > OFFICE_TAB_LEAD
        else None
    )
    cell: dict[str, Any] = {"userEnteredValue": {"stringValue": value}} if value else {}
    if fmt is not None:
        cell["userEnteredFormat"] = fmt
    return cell


def office_tab_requests(
    sheet_ids: dict[str, int], name: str, grid: list[list[str]], editor: str, widths: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    """Delete ``name`` if present, add it again with ``grid`` (all text, RAW), and a protected range
    over the whole tab that only ``editor`` (the Office's service account) may edit.

    Laid out as the .xlsx tab is: the title and the column titles (the 4th row) bold, frozen below
    the column titles, rows wrapped in columns ``widths`` characters wide (Google's pixels: 7 a
    character and a margin).
    """
    out: list[dict[str, Any]] = []
    if name in sheet_ids:
        out.append({"deleteSheet": {"sheetId": sheet_ids[name]}})
    new_id = max(sheet_ids.values(), default=0) + 1
    width = max((len(r) for r in grid), default=1)
    out += [
        {
            "addSheet": {
                "properties": {
                    "sheetId": new_id,
                    "title": name,
                    "gridProperties": {
                        "rowCount": len(grid) + 5,
                        "columnCount": width,
                        "frozenRowCount": min(OFFICE_TAB_LEAD + 1, len(grid)),
                    },
                }
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": new_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": [_cell(v, r) for v in row]} for r, row in enumerate(grid)],
                "fields": "userEnteredValue,userEnteredFormat",
            }
        },
        *(
            {
                "updateDimensionProperties": {
                    "range": {"sheetId": new_id, "dimension": "COLUMNS", "startIndex": c, "endIndex": c + 1},
                    "properties": {"pixelSize": w * 7 + 10},
                    "fields": "pixelSize",
                }
            }
            for c, w in enumerate(widths[:width])
        ),
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": new_id},
                    "description": "Văn phòng UBND tỉnh cập nhật; đơn vị không sửa",
                    "warningOnly": False,
                    "editors": {"users": [editor]},
                }
            }
        },
    ]
    return out
