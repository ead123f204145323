"""The summary as an .xlsx file, written with XlsxWriter atomically (contract §7).

``write_xlsx`` renders the tables into a temporary file next to the target and renames
it over the target (``sync.atomic``), so a crash leaves the previous summary whole.
``start_xlsx`` does the same with the rendering in a forked child process, so the caller
can record the history meanwhile on the machine's other core. Every text is written as
text: a cell that starts with ``=`` stays text, never becomes a formula.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from sync.atomic import AtomicFile, remove_stale_temporaries
from sync.backends.xlsx.locks import open_elsewhere
from sync.backends.xlsx.sheetbody import BodyFormats, BodySheet, body_xml, column_letters, fast_body_supported
from sync.exceptions import OutputError, os_reason
from sync.gcpause import gc_paused
from sync.shapes.grid import to_serial
from sync.shapes.tables import SUMMARY_TITLE, Table
from sync.shapes.wrap import LINE_POINTS as _LINE
from sync.shapes.wrap import wrapped_lines as _lines


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
    if (blocked := open_elsewhere(target)) is not None:
        raise OutputError(blocked)
    try:
        file = AtomicFile(target)
    except OSError as e:
        raise OutputError(f"Không tạo được tệp tổng hợp trong thư mục {target.parent}: {os_reason(e)}") from e
    remove_stale_temporaries(target)
    pending = PendingSummary(file)
    if background and hasattr(os, "fork"):
        pending.fork(tables)
    else:
        try:
            pending.render(tables)
        except BaseException:
            pending.abort()
            raise
    return pending


class PendingSummary:
    """A summary written to a temporary file, installed by ``finish()``."""

    def __init__(self, file: AtomicFile):
        self.file = file
        self.target = file.target
        self.location = str(file.target)
        self.tmp = file.tmp
        self._pid: int | None = None
        self._errors: int | None = None

    def render(self, tables: list[Table]) -> None:
        """Render into the temporary file, with its final permissions, on disk."""
        with gc_paused():
            _render_xlsx(tables, self.tmp)
        self.file.finalize()

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
            if (blocked := open_elsewhere(self.target)) is not None:  # opened while the run went on
                raise OutputError(blocked)
            self.file.install()
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
        if self.file.committed:
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
        self.file.discard()


_STYLES: dict[str | None, dict[str, Any]] = {
    None: {},
    "overdue": {"bg_color": "#F8CBAD", "font_color": "#9C0006"},
    "due_soon": {"bg_color": "#FFE699"},
    "error": {"bg_color": "#FFC7CE", "font_color": "#9C0006"},
    "total": {"bold": True, "bg_color": "#D9E1F2", "top": 1},
}
_KINDS: dict[str, dict[str, Any]] = {
    "text": {},
    "wrap": {"text_wrap": True},  # a text column whose text wraps (``Column.wrap``)
    "int": {},
    "date": {"num_format": "dd/mm/yyyy", "align": "center"},
    "percent": {"num_format": "0.0%"},
    "datetime": {"num_format": "dd/mm/yyyy hh:mm", "align": "center"},
}
_TOP = {"valign": "top"}  # tall (wrapped) rows read from their top line


def _header_height(table: Table) -> float:
    """The column titles' row: two lines at least, as many as the longest wrapped title takes (bold
    and centred: a little wider than plain text, so counted in 85% of the column)."""
    lines = max((_lines(col.title, col.width * 0.85) for col in table.columns), default=1)
    return max(32, _LINE * lines + 3)


def _header_text(text: str) -> str:
    return text.replace("&", "&&")  # “&” starts a code in Excel's page header and footer


def _print_setup(ws: Any, table: Table) -> None:
    """A4 landscape, header row (and identifying columns) on every page, title and page numbers."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.set_margins(left=0.4, right=0.4, top=0.75, bottom=0.6)
    ws.repeat_rows(0)
    # the program that prints chooses the scale: its own fonts decide the columns' widths
    ws.fit_to_pages(table.pages_wide, 0)
    if table.repeat_columns and table.pages_wide > 1:
        ws.repeat_columns(0, table.repeat_columns - 1)
    if table.header is not None:
        h = table.header
        ws.set_header(
            f"&L&B{_header_text(h.title)} – {_header_text(table.name)}&B&R{_header_text(h.dates())}"
        )
    ws.set_footer("&CTrang &P/&N")


def _formats(wb: Any) -> tuple[Any, dict[tuple[str | None, str], Any], dict[str, Any]]:
    """(header format, cell formats by (row style, kind), column formats by kind)."""
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
    formats = {
        (style, kind): wb.add_format({**_TOP, **_KINDS[kind], **_STYLES[style]})
        for style in _STYLES
        for kind in _KINDS
    }
    # Plain text and numbers in unstyled rows are written without a format: they take their
    # column's (the cheapest cell). A styled row's cells take the row's format instead.
    columns = {kind: formats[(None, kind)] for kind in ("text", "wrap")}
    # numbered now, in this order, not as the file is written: the rows' XML made beforehand
    # (``sheetbody``) and XlsxWriter's own cells then name the same formats alike
    for fmt in (header_fmt, *formats.values()):
        fmt._get_xf_index()
    return header_fmt, formats, columns


def _write_notes(ws: Any, table: Table, first_row: int, fmt: Any) -> None:
    """The table's notes below it, after a blank row, each across the first printed page's columns."""
    last = len(table.columns) - 1
    if table.pages_wide > 1:  # within the first printed page
        last = max(table.repeat_columns, len(table.columns) // table.pages_wide) - 1
    chars = sum(c.width for c in table.columns[: last + 1])
    for r, note in enumerate(table.notes, start=first_row + 1):
        ws.set_row(r, _LINE * _lines(note, chars) + 3)
        if last > 0:
            ws.merge_range(r, 0, r, last, note, fmt)
        else:
            ws.write_string(r, 0, note, fmt)


def _render_xlsx(tables: list[Table], path: Path, *, fast: bool | None = None) -> None:
    """Render ``tables`` into ``path``; ``fast``: the body rows as XML made at once (``sheetbody``;
    default: when this XlsxWriter allows it), else cell by cell through XlsxWriter's methods."""
    fast = fast_body_supported() if fast is None else fast
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
    header_fmt, formats, column_formats = _formats(wb)
    wb.set_properties({"title": SUMMARY_TITLE, "author": "ubnd-sync"})
    for table in tables:
        ws = wb.add_worksheet(table.name, BodySheet if fast else None)
        for c, col in enumerate(table.columns):
            ws.set_column(c, c, col.width, column_formats["wrap" if col.wrap else "text"])
        ws.set_row(0, _header_height(table))
        for c, col in enumerate(table.columns):
            ws.write_string(0, c, col.title, header_fmt)
        ws.freeze_panes(1, 0)
        _print_setup(ws, table)
        if table.rows:
            ws.autofilter(0, 0, len(table.rows), len(table.columns) - 1)  # the notes stay outside
        _write_rows(ws, table, formats, column_formats)
        _write_notes(ws, table, len(table.rows) + 1, formats[(None, "wrap")])
    wb.close()


def _write_rows(
    ws: Any,
    table: Table,
    formats: dict[tuple[str | None, str], Any],
    columns: dict[str, Any],
) -> None:
    col_kinds = [col.kind for col in table.columns]
    wraps = [col.wrap for col in table.columns]
    wrapped = [(c, col.width) for c, col in enumerate(table.columns) if col.wrap]
    write_string, write_number = ws.write_string, ws.write_number
    body = _body_formats(table, formats, columns) if isinstance(ws, BodySheet) else None
    letters = column_letters(len(table.columns))
    for r, (row, style) in enumerate(zip(table.rows, table.styles, strict=True), start=1):
        # the height wrapped text needs, said in the file: not every program computes it on opening
        lines = 1
        for c, w in wrapped:  # a plain loop: this runs for every row of the summary
            if c < len(row):
                v = row[c]
                if isinstance(v, str) and (len(v) > w or "\n" in v):
                    lines = max(lines, _lines(v, w))
        if style is not None or lines > 1:
            # a styled row carries its colour as the row's format: cells without a format
            # of their own (text, plain numbers, blanks) show it without being written
            ws.set_row(
                r, _LINE * lines + 3 if lines > 1 else None, formats[(style, "text")] if style else None
            )
        if body is not None and r < ws.xls_rowmax:
            cells = body_xml(row, r + 1, letters, body[style], ws.str_table)
            if cells is not None and ws.body_row(r, *cells):
                continue
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                # in a styled row the row's format would hide the column's wrapping: say it again
                write_string(r, c, value, formats[(style, "wrap")] if style and wraps[c] else None)
            elif isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                write_number(r, c, value, formats[(style, col_kinds[c])] if col_kinds[c] != "int" else None)
            elif isinstance(value, date):
                # a date is its serial number with a date format (as Excel stores it);
                # cheaper than write_datetime's conversion, same file content
                kind = "datetime" if isinstance(value, datetime) else "date"
                write_number(r, c, to_serial(value), formats[(style, kind)])
            else:
                write_string(r, c, str(value))


def _body_formats(
    table: Table, formats: dict[tuple[str | None, str], Any], columns: dict[str, Any]
) -> dict[str | None, BodyFormats]:
    """Each row style's cell openings (``sheetbody.BodyFormats``), with the formats ``_write_rows``
    gives cells cell by cell: a styled row's texts wrap where the column does; whole numbers
    and texts take the row's format, or the column's."""
    cols = table.columns
    column = [columns["wrap" if col.wrap else "text"] for col in cols]
    out: dict[str | None, BodyFormats] = {}
    for style in _STYLES:
        row_format = formats[(style, "text")] if style else None
        out[style] = BodyFormats(
            strings=[formats[(style, "wrap")] if style and col.wrap else None for col in cols],
            numbers=[formats[(style, col.kind)] if col.kind != "int" else None for col in cols],
            dates=formats[(style, "date")],
            datetimes=formats[(style, "datetime")],
            fallback=[row_format or column[c] for c in range(len(cols))],
        )
    return out
