"""``distribute`` on Google Sheets: the Sheets API's ``values.append``, safe while units edit.

Per unit (4 requests when something is added, 1 Drive request when nothing is):

1. one Drive listing for the run (``GSheetsSource``), then the spreadsheet exported as .xlsx
   in one Drive ``files.export`` (Drive's quota, not Sheets' 60 reads a minute): the task tab
   (as ``sync`` finds it), its ids and last data row, and the ``Phối hợp`` tab when there is
   one; the tab ids (one ``spreadsheets.get``) only for a unit that gets something;
2. ``values.append`` (``RAW``: text stays text, ``=…`` never a formula; dates as serial
   numbers; ``INSERT_ROWS``: Google inserts new rows for the data, so nothing below is ever
   overwritten) anchored at the cell below the last data row in the header's first column.
   Where that cell is empty, the rows land exactly there; where a unit typed a row there
   meanwhile, Google's table detection puts ours after the unit's table — below the unit's row;
3. one ``batchUpdate``: the date cells of the new rows shown ``dd/mm/yyyy``, and the
   ``Phối hợp`` tab replaced (deleted and added again, values, a protected range over the
   whole tab editable only by the Office's account) when its list changed.

An append is not idempotent, so it is never retried blindly (``idempotent=False``: only a
429 or a connection never made is retried by the client). After a 5xx or a lost answer the
task tab is read again and only the tasks still absent are appended (at most
``APPEND_ROUNDS`` times): a retried run never duplicates a row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import quote

from xlsxwriter.utility import xl_col_to_name

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
from sync.exceptions import GoogleApiError, GoogleNetworkError, SourceUnreadable
from sync.google.client import GoogleClient
from sync.model import Task
from sync.register.read import task_key
from sync.schema import unit_sheet_schema
from sync.sources import select_task_tab
from sync.sources.gsheets import GSheetsSource, GSheetsWorkbook, quote_title, spreadsheet_id
from sync.unitwrite import COOP_TAB
from sync.unitwrite.gsheets import office_tab_requests
from sync.validate import has_header

SHEETS = "https://sheets.googleapis.com/v4/spreadsheets/"
APPEND_ROUNDS = 3
DATE_PATTERN = "dd/mm/yyyy"
_EPOCH = date(1899, 12, 30)
_RANGE_START = re.compile(r"!\$?([A-Z]+)\$?(\d+)")


def serial(d: date) -> int:
    """A date as Google's serial number (days since 30/12/1899)."""
    return (d - _EPOCH).days


def _json_value(value: date | str | int) -> str | int:
    return serial(value) if isinstance(value, date) else value


class _Read:
    """One unit's spreadsheet as read for distribution."""

    def __init__(self, workbook: GSheetsWorkbook, facts: TaskTab, coop_grid: list[list[Any]] | None):
        self.workbook = workbook
        self.facts = facts
        self.coop_grid = coop_grid


class GSheetsDistributor:
    """One run's writes into units' Google Sheets, through one ``GoogleClient``."""

    def __init__(self, config: Config, names: dict[str, str], as_of: date, dry_run: bool):
        self.config = config
        self.names = names
        self.as_of = as_of
        self.dry_run = dry_run
        self.client = GoogleClient.from_config(config)
        # read through Drive's export (Drive's quota, not Sheets' 60 reads a minute): a run that
        # adds nothing makes no Sheets request at all
        self.source = GSheetsSource(self.client, read="export", limits=config.limits)
        self.schema = unit_sheet_schema()
        #: spreadsheet id -> what went wrong with where an append landed (reported as failed)
        self.misplaced: dict[str, str] = {}

    def __enter__(self) -> GSheetsDistributor:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.client.close()

    def requests(self) -> int:
        return self.client.stats.api_total()

    # ---------------------------------------------------------------- reading

    def _open(self, unit: UnitConfig) -> tuple[GSheetsWorkbook, list[str]]:
        """The unit's spreadsheet (exported once) and its tabs; ``SourceUnreadable`` when it cannot be read."""
        workbook = self.source.open(self.config.resolve(unit.source))
        assert isinstance(workbook, GSheetsWorkbook)
        return workbook, workbook.tab_names()

    def _read(self, unit: UnitConfig, opened: tuple[GSheetsWorkbook, list[str]] | None = None) -> _Read:
        """The unit's task tab (and ``Phối hợp`` tab); ``SourceUnreadable`` when it has none."""
        workbook, titles = opened or self._open(unit)
        tab = select_task_tab(workbook, self.config.sync.sheet, lambda rows: has_header(rows, self.schema))
        facts = task_tab(tab.name, tab.rows, self.schema)
        assert facts is not None  # select_task_tab returns a tab with a header row
        coop = workbook.read_tab(COOP_TAB).rows if COOP_TAB in titles else None
        return _Read(workbook, facts, coop)

    # ---------------------------------------------------------------- one unit

    def unit(self, unit: UnitConfig, tasks: Sequence[Task], coop: Sequence[Task]) -> UnitOutcome:
        out = UnitOutcome(unit.code, unit.name, "up_to_date")
        if not tasks and not coop:
            return out  # nothing for this unit in the register: no request
        try:
            opened = self._open(unit)
        except SourceUnreadable as e:
            out.status, out.message = "failed", f"không đọc được bảng tính: {e}"
            return out
        try:
            read = self._read(unit, opened)
        except SourceUnreadable as e:
            out.status, out.message = "skipped", f"không có trang nhiệm vụ để thêm dòng: {e}"
            return out
        facts = read.facts
        out.sheet = facts.name
        missing = missing_tasks(facts, tasks)
        wanted_coop = coop_rows(coop, self.names)
        coop_current = coop_is_current(read.coop_grid, wanted_coop)
        out.added = [t.task_id or "" for t in missing]
        if not coop_current:
            out.coop = [t.task_id or "" for t in coop]
        if not missing and coop_current:
            return out
        if self.dry_run:
            out.status = "would_add"
            out.rows = list(range(facts.last_row + 2, facts.last_row + 2 + len(missing)))
            return out
        sid = read.workbook.id
        try:
            if missing:
                out.rows = self._append_safely(unit, sid, facts, missing)
            sheet_id = read.workbook.sheet_ids().get(facts.name)  # None: a title the export shortened
            requests = [] if sheet_id is None else self._date_formats(sheet_id, facts, out.rows)
            if not coop_current:
                grid = coop_grid(wanted_coop, self.as_of)
                requests += office_tab_requests(
                    read.workbook.sheet_ids(), COOP_TAB, grid, self.client.account_email, COOP_WIDTHS
                )
            if requests:
                self.client.http.batch_update(sid, {"requests": requests})
        except (GoogleApiError, GoogleNetworkError, SourceUnreadable) as e:
            out.status = "failed"
            landed = f" (đã thêm ở dòng {', '.join(map(str, out.rows))})" if out.rows else ""
            out.message = (
                f"Google báo lỗi khi ghi vào bảng tính {spreadsheet_id(sid)}{landed}: {e}; chạy lại sau"
            )
            return out
        out.status = "added"
        if sid in self.misplaced:
            out.status = "failed"
            out.message = f"đã thêm ở dòng {', '.join(map(str, out.rows))} nhưng {self.misplaced.pop(sid)}"
        return out

    # ---------------------------------------------------------------- the append

    def _append_safely(self, unit: UnitConfig, sid: str, facts: TaskTab, tasks: Sequence[Task]) -> list[int]:
        """Append ``tasks``; after a failure whose outcome is unknown, append only what is still absent.
        Returns the 1-based sheet rows holding them."""
        rows: list[int] = []
        pending = list(tasks)
        failure: Exception | None = None
        for _ in range(APPEND_ROUNDS):
            try:
                rows += self._append(sid, facts, pending)
                return sorted(rows)
            except GoogleApiError as e:
                if e.status < 500:
                    raise
                failure = e
            except GoogleNetworkError as e:
                failure = e
            facts = self._read(unit).facts  # what landed?
            landed = [t for t in pending if task_key(t.task_id or "") in facts.ids]
            rows += [facts.ids[task_key(t.task_id or "")] + 1 for t in landed]
            pending = [t for t in pending if t not in landed]
            if not pending:
                return sorted(rows)
        assert failure is not None
        raise failure

    def _append(self, sid: str, facts: TaskTab, tasks: Sequence[Task]) -> list[int]:
        fields = office_fields()
        first, last = facts.first_col, facts.last_col
        values = []
        for i, task in enumerate(tasks):
            cells = row_cells(facts, task, facts.next_stt + i, fields)
            values.append([_json_value(cells[c]) if c in cells else "" for c in range(first, last + 1)])
        anchor = f"{quote_title(facts.name)}!{xl_col_to_name(first)}{facts.last_row + 2}"
        response = self.client.request(
            "post",
            SHEETS + f"{sid}/values/{quote(anchor, safe='')}:append",
            params={"valueInputOption": "RAW", "insertDataOption": "INSERT_ROWS"},
            json={"majorDimension": "ROWS", "values": values},
            idempotent=False,
        ).json()
        updated = str((response.get("updates") or {}).get("updatedRange") or "")
        m = _RANGE_START.search(updated)
        start = int(m.group(2)) if m else facts.last_row + 2
        if m and m.group(1) != xl_col_to_name(first):  # Google's table detection started elsewhere
            self.misplaced[sid] = (
                f"Google đặt các dòng mới ({updated}) bắt đầu từ cột {m.group(1)} thay vì cột "
                f"{xl_col_to_name(first)} của dòng tiêu đề; Văn phòng kiểm tra và chuyển các ô cho đúng cột"
            )
        return list(range(start, start + len(tasks)))

    def _date_formats(self, sheet_id: int, facts: TaskTab, rows: list[int]) -> list[dict[str, Any]]:
        """Show the new rows' date cells as dd/mm/yyyy (one repeatCell per date column and run of rows)."""
        out: list[dict[str, Any]] = []
        if not rows:
            return out
        dates = [
            facts.header.columns[f.name]
            for f in self.schema.fields
            if f.owner == "office" and f.type in ("date", "date_or_kind") and f.name in facts.header.columns
        ]
        for start, end in _runs(rows):
            for col in dates:
                out.append(
                    {
                        "repeatCell": {
                            "range": {
                                "sheetId": sheet_id,
                                "startRowIndex": start - 1,
                                "endRowIndex": end,
                                "startColumnIndex": col,
                                "endColumnIndex": col + 1,
                            },
                            "cell": {
                                "userEnteredFormat": {
                                    "numberFormat": {"type": "DATE", "pattern": DATE_PATTERN}
                                }
                            },
                            "fields": "userEnteredFormat.numberFormat",
                        }
                    }
                )
        return out


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of 1-based rows as (first, last)."""
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out
