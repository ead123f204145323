"""The Office's summary (contract §7): built once as tables, written by a backend.

``build_tables`` turns a ``RunResult`` into backend-neutral ``Table`` objects
(tab name, typed columns, rows, row styles); ``write_xlsx`` renders them with
XlsxWriter into a temporary file and renames it over the target, so a crash
leaves the previous summary whole. Every text is written as text: a cell that
starts with ``=`` stays text, never becomes a formula.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from sync.exceptions import OutputError, os_reason
from sync.gcutil import gc_paused
from sync.labels import CATEGORY_LABELS, REPORT_STATUS_LABELS, SEVERITY_LABELS, UPDATE_STATE_LABELS
from sync.model import CATEGORIES, RunResult, Task
from sync.normalize import cell_text
from sync.schema import Schema, unit_sheet_schema


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float = 14
    kind: str = "text"  # text | int | date | percent | datetime


@dataclass(slots=True)
class Table:
    name: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    #: per row: None, "overdue", "due_soon" or "total"
    styles: list[str | None] = field(default_factory=list)

    def add(self, row: list[Any], style: str | None = None) -> None:
        self.rows.append(row)
        self.styles.append(style)


TAB_STATS = "Thống kê"
TAB_TASKS = "Nhiệm vụ"
TAB_OVERDUE = "Quá hạn"
TAB_FINDINGS = "Cảnh báo"
TAB_INFO = "Thông tin"


def _unit_names(result: RunResult) -> dict[str, str]:
    return {u.code: u.name for u in result.units}


#: Units the Office must chase are coloured like overdue tasks; late or partial ones like due-soon.
_STATUS_STYLE = {
    "missing": "overdue",
    "unreadable": "overdue",
    "invalid": "overdue",
    "incomplete": "due_soon",
    "late": "due_soon",
}


def stats_table(result: RunResult) -> Table:
    cols = [Column("Mã đơn vị", 11), Column("Đơn vị", 40), Column("Tổng số", 9, "int")]
    cols += [Column(CATEGORY_LABELS[c], 13, "int") for c in CATEGORIES]
    cols += [Column("Tỷ lệ hoàn thành", 12, "percent"), Column("Tỷ lệ đúng hạn", 12, "percent")]
    cols += [Column("Tình trạng báo cáo", 22)]
    t = Table(TAB_STATS, cols)
    for u in result.units:
        counts = u.counts
        t.add(
            [
                u.code,
                u.name,
                counts.get("total", 0),
                *(counts.get(c, 0) for c in CATEGORIES),
                u.completion_rate,
                u.on_time_rate,
                REPORT_STATUS_LABELS[u.report_status],
            ],
            _STATUS_STYLE.get(u.report_status),
        )
    tc = result.totals["counts"]
    t.add(
        [
            "",
            "Tổng cộng",
            tc["total"],
            *(tc[c] for c in CATEGORIES),
            result.totals["completion_rate"],
            result.totals["on_time_rate"],
            "",
        ],
        "total",
    )
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
    cols = [Column("Mã đơn vị", 11), Column("Dòng", 7, "int")]
    widths = {"summary": 60, "progress": 40, "obstacles": 40, "doc_ref": 16, "lead_unit": 24, "co_units": 24}
    for f in fields:
        kind = "date" if f.type in ("date", "date_or_kind") else "text"
        cols.append(Column(f.title, widths.get(f.name, 14 if kind == "date" else 18), kind))
    cols += [Column("Phân loại", 24), Column("Số ngày quá hạn", 10, "int"), Column("Tình trạng cập nhật", 18)]
    t = Table(TAB_TASKS, cols)
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


def overdue_table(result: RunResult) -> Table:
    cols = [
        Column("Mã đơn vị", 11),
        Column("Đơn vị", 30),
        Column("Mã nhiệm vụ", 14),
        Column("Nội dung nhiệm vụ", 60),
        Column("Thời hạn", 12, "date"),
        Column("Số ngày quá hạn", 10, "int"),
        Column("Tình trạng", 16),
        Column("Kết quả thực hiện", 40),
        Column("Khó khăn, vướng mắc, đề xuất", 40),
        Column("Đề nghị gia hạn đến", 14, "date"),
        Column("Vị trí", 16),
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


def findings_table(result: RunResult, schema: Schema | None = None) -> Table:
    cols = [
        Column("Mã đơn vị", 11),
        Column("Đơn vị", 30),
        Column("Trang", 14),
        Column("Ô", 8),
        Column("Dòng", 7, "int"),
        Column("Cột", 18),
        Column("Mức độ", 10),
        Column("Mã lỗi", 22),
        Column("Giá trị", 24),
        Column("Nội dung", 90),
    ]
    t = Table(TAB_FINDINGS, cols)
    names = _unit_names(result)
    titles = {f.name: f.title for f in (schema or unit_sheet_schema()).fields}
    for f in result.findings:
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
                value,
                f.message,
            ]
        )
    return t


def info_table(result: RunResult) -> Table:
    t = Table(
        TAB_INFO,
        [Column("Mục", 30), Column("Giá trị", 60), Column("Trang tính", 16), Column("Phiên bản", 24)],
    )
    t.add(["Ngày báo cáo", result.as_of])
    t.add(["Kỳ báo cáo: từ sau ngày", result.period.previous_cutoff])
    t.add(["Kỳ báo cáo: đến ngày", result.period.cutoff])
    t.add(["Thời điểm tạo", result.generated_at.strftime("%d/%m/%Y %H:%M:%S %z")])
    t.add(["Phiên bản ubnd-sync", result.version])
    t.add(["Số đơn vị", len(result.units)])
    t.add(["Nguồn dữ liệu của từng đơn vị", None])
    for u in result.units:
        t.add([f"{u.code} — {u.name}", u.source, u.sheet, u.source_version])
    return t


def build_tables(result: RunResult, schema: Schema | None = None, extra: Iterable[Table] = ()) -> list[Table]:
    schema = schema or unit_sheet_schema()
    tables = [
        stats_table(result),
        tasks_table(result, schema),
        overdue_table(result),
        findings_table(result, schema),
    ]
    tables.extend(extra)
    tables.append(info_table(result))
    return tables


# ----------------------------------------------------------------- xlsx


def write_xlsx(tables: list[Table], target: str | Path) -> Path:
    """Write the tables to ``target`` atomically (temporary file, then rename)."""
    return start_xlsx(tables, target, background=False).finish()


def start_xlsx(tables: list[Table], target: str | Path, *, background: bool = True) -> PendingSummary:
    """Begin writing the summary to a temporary file next to ``target``.

    With ``background`` (where the system can fork), a child process renders the
    file while the caller goes on (the CLI records the history meanwhile, on the
    machine's other core); ``finish()`` waits for it and renames the file over
    ``target``; ``abort()`` drops it. Until ``finish()`` the previous summary is
    untouched.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as e:
        raise OutputError(f"Không tạo được tệp tổng hợp trong thư mục {target.parent}: {os_reason(e)}") from e
    _remove_stale_temporaries(target)
    pending = PendingSummary(target, Path(tmp_name))
    if background and hasattr(os, "fork"):
        pending.fork(tables)
    else:
        try:
            pending.render(tables)
        except BaseException:
            pending.abort()
            raise
    return pending


def new_file_mode() -> int:
    """The mode a new file gets under the process's umask (mkstemp makes 0600 files)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


STALE_AFTER_SECONDS = 3600


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files of runs that were killed (never ours of this run: those are newer)."""
    now = time.time()
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > STALE_AFTER_SECONDS:
                leftover.unlink()


class PendingSummary:
    """A summary written to a temporary file, installed by ``finish()``."""

    def __init__(self, target: Path, tmp: Path):
        self.target = target
        self.tmp = tmp
        self._pid: int | None = None
        self._errors: int | None = None
        self._done = False

    def render(self, tables: list[Table]) -> None:
        with gc_paused():
            _render_xlsx(tables, self.tmp)
        # mkstemp made the file private (0600): give it the previous summary's mode, or the
        # usual one, so colleagues on the shared folder can open it
        try:
            mode = self.target.stat().st_mode & 0o777
        except OSError:
            mode = new_file_mode()
        os.chmod(self.tmp, mode)
        with open(self.tmp, "rb") as fh:
            os.fsync(fh.fileno())

    def fork(self, tables: list[Table]) -> None:
        sys.stdout.flush()
        sys.stderr.flush()
        read_end, write_end = os.pipe()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:  # the child: render, report any error through the pipe, never return
            code = 0
            try:
                os.close(read_end)
                gc.disable()  # the child exits right after: nothing to collect
                self.render(tables)
                if os.getppid() != parent:  # the parent was killed: nobody will install the file
                    self.tmp.unlink()
            except BaseException as e:  # noqa: BLE001 - everything must reach the parent
                code = 1
                message = os_reason(e) if isinstance(e, OSError) else f"{type(e).__name__}: {e}"
                with contextlib.suppress(OSError):
                    os.write(write_end, message.encode("utf-8", "replace")[:4000])
            finally:
                os._exit(code)
        os.close(write_end)
        self._pid = pid
        self._errors = read_end

    def _wait(self) -> str | None:
        """Wait for the child; its error message, or None when it succeeded."""
        if self._pid is None:
            return None
        assert self._errors is not None
        chunks = []
        errors, self._errors = self._errors, None
        with os.fdopen(errors, "rb") as pipe:
            while chunk := pipe.read(4096):
                chunks.append(chunk)
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        code = os.waitstatus_to_exitcode(status)
        if code == 0:
            return None
        message = b"".join(chunks).decode("utf-8", "replace")
        return message or f"tiến trình ghi bị dừng (mã {code})"

    def finish(self) -> Path:
        """Wait for the file and rename it over the target; the previous summary stays if anything fails."""
        try:
            error = self._wait()
            if error is not None:
                raise OutputError(f"Không ghi được tệp tổng hợp {self.target}: {error}")
            os.replace(self.tmp, self.target)
            self._done = True
        except OSError as e:
            self.abort()
            raise OutputError(
                f"Không ghi được tệp tổng hợp {self.target}: {os_reason(e)}. "
                "Nếu tệp đang mở trong Excel, đóng tệp rồi chạy lại; bản tổng hợp trước vẫn còn nguyên."
            ) from e
        except BaseException:
            self.abort()
            raise
        return self.target

    def abort(self) -> None:
        """Stop the writer (if still running) and remove the temporary file; nothing once finished."""
        if self._done:
            return
        if self._pid is not None:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGTERM)
            with contextlib.suppress(OSError):
                os.waitpid(self._pid, 0)
            self._pid = None
        if self._errors is not None:
            with contextlib.suppress(OSError):
                os.close(self._errors)
            self._errors = None
        with contextlib.suppress(OSError):
            self.tmp.unlink()


_EPOCH = date(1899, 12, 30)


def _serial(value: date) -> float:
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - datetime(1899, 12, 30)
        return delta.days + delta.seconds / 86400
    return float((value - _EPOCH).days)


def _render_xlsx(tables: list[Table], path: Path) -> None:
    # Default (shared-strings) mode: measured 2x faster than constant_memory for the
    # summary's repeated texts (unit names, labels), within the memory target (README).
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "default_date_format": "dd/mm/yyyy",
        },
    )
    header_fmt = wb.add_format(
        {
            "bold": True,
            "text_wrap": True,
            "bg_color": "#1F4E78",
            "font_color": "#FFFFFF",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
        }
    )
    styles: dict[str | None, dict[str, Any]] = {
        None: {},
        "overdue": {"bg_color": "#F8CBAD", "font_color": "#9C0006"},
        "due_soon": {"bg_color": "#FFE699"},
        "total": {"bold": True, "bg_color": "#D9E1F2", "top": 1},
    }
    kinds: dict[str, dict[str, Any]] = {
        "text": {},
        "int": {},
        "date": {"num_format": "dd/mm/yyyy", "align": "center"},
        "percent": {"num_format": "0.0%"},
        "datetime": {"num_format": "dd/mm/yyyy hh:mm"},
    }
    # Plain text and numbers in unstyled rows need no format at all (the cheapest cell).
    formats: dict[tuple[str | None, str], Any] = {
        (style, kind): (
            wb.add_format({**kinds[kind], **styles[style]}) if kinds[kind] or styles[style] else None
        )
        for style in styles
        for kind in kinds
    }
    wb.set_properties({"title": "Tổng hợp tình hình thực hiện nhiệm vụ", "author": "ubnd-sync"})
    for table in tables:
        ws = wb.add_worksheet(table.name)
        for c, col in enumerate(table.columns):
            ws.set_column(c, c, col.width)
        ws.set_row(0, 32)
        for c, col in enumerate(table.columns):
            ws.write_string(0, c, col.title, header_fmt)
        ws.freeze_panes(1, 0)
        # printed as the Office prints it: A4 landscape, one page wide, header on every page
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
        if table.rows:
            ws.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
        col_kinds = [col.kind for col in table.columns]
        write_string, write_number = ws.write_string, ws.write_number
        for r, (row, style) in enumerate(zip(table.rows, table.styles, strict=True), start=1):
            if style is not None:
                # a styled row carries its colour as the row's format: cells without a format
                # of their own (text, plain numbers, blanks) show it without being written
                ws.set_row(r, None, formats[(style, "text")])
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, str):
                    write_string(r, c, value)
                elif isinstance(value, bool):
                    ws.write_boolean(r, c, value)
                elif isinstance(value, (int, float)):
                    write_number(
                        r, c, value, formats[(style, col_kinds[c])] if col_kinds[c] != "int" else None
                    )
                elif isinstance(value, date):
                    # a date is its serial number with a date format (as Excel stores it);
                    # cheaper than write_datetime's conversion, same file content
                    write_number(r, c, _serial(value), formats[(style, "date")])
                else:
                    write_string(r, c, str(value))
    wb.close()
