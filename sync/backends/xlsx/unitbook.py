"""Safe writes into a unit's .xlsx: the unit's work is never lost, whatever happens meanwhile.

The recipe (``UnitWorkbook``):

1. ``UnitWorkbook.read(path, ...)`` reads the file's bytes and stat once, through
   ``sync.backends.xlsx.guard`` (the file is untrusted: size, zip parts and grid are checked
   before any parser sees it); it refuses a workbook a spreadsheet program has open (Excel's
   owner file ``~$<name>``, LibreOffice's ``.~lock.<name>#``) and one holding parts openpyxl
   would drop on a round trip (images, charts, pivot tables, macros, external links,
   slicers …), saying what to do;
2. ``book()`` opens those very bytes with openpyxl; the caller changes it;
3. ``save()`` writes a temporary file in the same folder (``sync.atomic.AtomicFile``), then,
   just before the rename, checks again that the file on disk is the one read (size,
   ``mtime_ns``, SHA-256 of its bytes) and that no lock file appeared; else it refuses and
   the file is untouched. Windows refuses to replace a file Excel has open
   (``PermissionError``): also “đang mở”, nothing changed.

Every refusal is ``UnitWriteRefused`` with a Vietnamese message naming the unit and file.
A small window remains between the last check and the rename (milliseconds); a unit that
saves exactly then loses that save to the Office's copy, which holds everything it had read.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import openpyxl
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.workbook import Workbook as OpenpyxlWorkbook
from openpyxl.worksheet.worksheet import Worksheet

from sync.atomic import AtomicFile
from sync.backends.base import UnitBook, Workbook
from sync.backends.xlsx.guard import read_checked
from sync.backends.xlsx.read import XlsxWorkbook
from sync.exceptions import SourceUnreadable, UnitWriteFailed, UnitWriteRefused
from sync.limits import Limits
from sync.shapes.layout import DATE_FORMAT
from sync.shapes.office_tabs import OFFICE_TAB_LEAD
from sync.shapes.task_tab import TaskTab, office_fields, row_cells

if TYPE_CHECKING:
    from sync.config import UnitConfig
    from sync.model import Task

#: zip part name prefixes openpyxl does not carry over on a round trip -> what people call them
DROPPED_PARTS = (
    ("xl/charts/", "biểu đồ"),
    ("xl/chartsheets/", "trang biểu đồ"),
    ("xl/media/", "hình ảnh"),
    ("xl/drawings/drawing", "hình vẽ, hình ảnh"),
    ("xl/pivottables/", "bảng tổng hợp (PivotTable)"),
    ("xl/pivotcache/", "bảng tổng hợp (PivotTable)"),
    ("xl/vbaproject", "macro (VBA)"),
    ("xl/externallinks/", "liên kết tới tệp khác"),
    ("xl/slicers/", "bộ lọc slicer"),
    ("xl/slicercaches/", "bộ lọc slicer"),
    ("xl/timelines/", "bộ lọc timeline"),
    ("xl/activex/", "điều khiển ActiveX"),
    ("xl/ctrlprops/", "nút, ô đánh dấu (form control)"),
    ("xl/embeddings/", "đối tượng nhúng"),
    ("xl/threadedcomments/", "bình luận dạng hội thoại"),
    ("xl/richdata/", "hình ảnh trong ô"),
)


def set_text(ws: Worksheet, row: int, col: int, value: str) -> None:
    """A text cell that stays text (openpyxl would make ``=…`` a formula); control characters a
    .xlsx cannot hold (openpyxl refuses them) are left out."""
    cell = ws.cell(row=row, column=col)
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.data_type = "s"


#: the row of an Office tab's column titles, 1-based as openpyxl counts
_HEADER_ROW = OFFICE_TAB_LEAD + 1


def replace_office_tab(
    book: OpenpyxlWorkbook, name: str, grid: list[list[str]], widths: tuple[int, ...]
) -> None:
    """Replace (or add at the end) an Office-owned tab: all text, sheet protection on.

    ``grid`` is laid out as both Office tabs are: a title, a line, a blank row, the column titles,
    then the rows. The title and the column titles are bold, the rows wrap in their columns and read
    from the top, the column titles repeat on every printed page, A4 landscape one page wide.
    """
    index = None
    if name in book.sheetnames:
        index = book.sheetnames.index(name)
        del book[name]
    ws = book.create_sheet(name, index)
    wrap = Alignment(wrap_text=True, vertical="top")
    for r, row in enumerate(grid, 1):
        for c, value in enumerate(row, 1):
            if value:
                set_text(ws, r, c, value)
                if r > _HEADER_ROW:
                    ws.cell(r, c).alignment = wrap
    ws.cell(1, 1).font = Font(name="Calibri", bold=True, size=13)
    for cell in ws[_HEADER_ROW]:
        cell.font = Font(name="Calibri", bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for c, width in enumerate(widths, 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width = width
    ws.freeze_panes = ws.cell(_HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    ws.protection.enable()


def lock_files(path: Path) -> list[Path]:
    """Lock files a spreadsheet program keeps beside a workbook it has open, present now."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Excel's owner file of a long name drops 2 characters
    return [path.parent / c for c in dict.fromkeys(candidates) if (path.parent / c).exists()]


def dropped_parts(data: bytes) -> list[str]:
    """What a round trip through openpyxl would lose from this package (names for people)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = [n.lower() for n in package.namelist()]
    found: list[str] = []
    for prefix, what in DROPPED_PARTS:
        if any(n.startswith(prefix) for n in names) and what not in found:
            found.append(what)
    return found


@dataclass(frozen=True, slots=True)
class Stamp:
    """What identifies the file on disk: size, modification time and a hash of its bytes."""

    size: int
    mtime_ns: int
    sha256: str


def _stamp(data: bytes, st: os.stat_result) -> Stamp:
    return Stamp(st.st_size, st.st_mtime_ns, hashlib.sha256(data).hexdigest())


class UnitWorkbook:
    """One unit's .xlsx, read once; ``save()`` replaces it only if nobody changed it meanwhile."""

    def __init__(self, path: Path, unit: str, data: bytes, stamp: Stamp):
        self.path = path
        self.unit = unit
        self.data = data
        self.stamp = stamp
        self._book: OpenpyxlWorkbook | None = None

    @classmethod
    def read(cls, path: Path, unit: str, limits: Limits) -> UnitWorkbook:
        """Read the file once, checked like any unit's file; raises ``SourceUnreadable``."""
        data, st = read_checked(path, limits)
        return cls(path, unit, data, _stamp(data, st))

    def check_writable(self) -> None:
        """Refuse (``UnitWriteRefused``) a workbook that is open, or that a rewrite would damage."""
        self.check_not_open()
        try:
            lost = dropped_parts(self.data)
        except zipfile.BadZipFile:
            raise SourceUnreadable(
                f"tệp {self.path.name} không phải tệp Excel (.xlsx); mở và lưu lại bằng Excel dạng .xlsx",
                detail="bad-zip",
            ) from None
        if lost:
            raise self.refused(
                f"bảng tính có {', '.join(lost)}, phần mà công cụ không giữ được khi ghi lại tệp. "
                "Đơn vị chuyển các phần đó sang tệp khác (bảng theo dõi chỉ giữ các trang bảng) "
                "hoặc Văn phòng tự nhập các nhiệm vụ được báo"
            )

    def refused(self, why: str) -> UnitWriteRefused:
        return UnitWriteRefused(f"đơn vị {self.unit}, tệp {self.path.name}: {why}. Tệp không bị thay đổi.")

    def check_not_open(self) -> None:
        locks = lock_files(self.path)
        if locks:
            raise self.refused(
                f"tệp đang mở trong Excel/LibreOffice (có tệp khóa {locks[0].name}); "
                "đóng tệp (hoặc xóa tệp khóa nếu chương trình đã tắt) rồi chạy lại"
            )

    def book(self) -> OpenpyxlWorkbook:
        """The workbook opened with openpyxl from the bytes read (once), after ``check_writable``."""
        if self._book is None:
            self.check_writable()
            try:
                self._book = openpyxl.load_workbook(io.BytesIO(self.data), rich_text=True)
            except Exception as e:  # openpyxl raises many kinds on a damaged package
                raise SourceUnreadable(
                    f"không mở được tệp {self.path.name} để ghi ({type(e).__name__}); "
                    "đơn vị mở và lưu lại bằng Excel",
                    detail="openpyxl",
                ) from None
        return self._book

    def unchanged_on_disk(self) -> bool:
        try:
            st = self.path.stat()
            if st.st_size != self.stamp.size or st.st_mtime_ns != self.stamp.mtime_ns:
                return False
            return hashlib.sha256(self.path.read_bytes()).hexdigest() == self.stamp.sha256
        except OSError:
            return False

    def save(self) -> None:
        """Write the changed workbook over the file, atomically, if the file is still the one read."""
        book = self.book()
        pending = AtomicFile(self.path)
        try:
            book.save(pending.tmp)
            pending.finalize()
            self.check_not_open()
            if not self.unchanged_on_disk():
                raise self.refused(
                    "tệp đã được sửa hoặc lưu lại sau khi công cụ đọc (có người đang làm việc trên tệp); "
                    "chạy lại khi đơn vị đã lưu xong"
                )
            try:
                pending.install()
            except PermissionError:
                raise self.refused(
                    "tệp đang mở trong Excel/LibreOffice (hệ điều hành không cho thay tệp); đóng tệp rồi chạy lại"
                ) from None
        finally:
            pending.discard()


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
                cell.number_format = DATE_FORMAT.upper()


def append_rows(ws: Worksheet, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
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


class XlsxUnitBook(UnitBook):
    """A unit's .xlsx for the Office's writes: one read, changes in memory, one atomic replace
    (``UnitWorkbook``), or nothing at all."""

    def __init__(self, unit: UnitConfig, path: Path, limits: Limits):
        super().__init__(unit)
        self.path = path
        self.target = UnitWorkbook.read(path, unit.code, limits)
        self._reader = XlsxWorkbook(path, limits, data=self.target.data)
        self._changed = False

    @property
    def workbook(self) -> Workbook:
        return self._reader

    def append_tasks(self, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
        rows = append_rows(self.target.book()[tab.name], tab, tasks)
        self.rows += rows
        self._changed = True
        return rows

    def put_office_tab(self, name: str, grid: list[list[str]], widths: tuple[int, ...] = ()) -> None:
        replace_office_tab(self.target.book(), name, grid, widths)
        self._changed = True

    def save(self) -> list[str]:
        if not self._changed:
            return []
        try:
            self.target.save()
        except OSError as e:
            self.rows = []
            raise UnitWriteFailed(f"không ghi được tệp {self.path.name}: {e.strerror or e}") from e
        except (UnitWriteRefused, SourceUnreadable):
            self.rows = []
            raise
        return []

    def close(self) -> None:
        self._reader.close()
