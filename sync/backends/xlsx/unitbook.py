"""Safe writes into a unit's .xlsx: the unit's work is never lost, whatever happens meanwhile.

The recipe (``UnitWorkbook``):

1. ``UnitWorkbook.read(path, ...)`` reads the file's bytes and stat once, through
   ``sync.backends.xlsx.guard`` (the file is untrusted: size, zip parts and grid are checked
   before any parser sees it); it refuses a workbook a spreadsheet program has open (Excel's
   owner file ``~$<name>``, LibreOffice's ``.~lock.<name>#``) and one holding parts the tool
   does not write beside yet (images, charts, pivot tables, macros, external links,
   slicers …), saying what to do;
2. ``editing()`` opens those very bytes as an ``XlsxPackage`` (``sync.backends.xlsx.package``): the
   caller writes cells and Office tabs in place, every other byte of the package kept;
   what cannot be kept is refused (``UnitWriteRefused`` naming the unit, the tab, the cell);
3. ``save()`` writes a temporary file in the folder of the real file (a symlinked workbook is
   written through: the link stays a link), then, just before the rename, checks again that
   the file on disk is the one read (size, ``mtime_ns``, SHA-256 of its bytes, the same real
   file) and that no lock file appeared; else it refuses and the file is untouched. Windows
   refuses to replace a file Excel has open (``PermissionError``): also “đang mở”, nothing
   changed.

Every refusal is ``UnitWriteRefused`` with a Vietnamese message naming the unit and file.
A small window remains between the last check and the rename (milliseconds); a unit that
saves exactly then loses that save to the Office's copy, which holds everything it had read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sync.atomic import AtomicFile
from sync.backends.base import UnitBook, Workbook
from sync.backends.xlsx.guard import read_checked
from sync.backends.xlsx.locks import lock_files
from sync.backends.xlsx.package import CellStyle, PackageRefused, SheetSpec, XlsxPackage
from sync.backends.xlsx.read import XlsxWorkbook
from sync.exceptions import SourceUnreadable, UnitWriteFailed, UnitWriteRefused
from sync.limits import Limits
from sync.shapes.office_tabs import OFFICE_TAB_LEAD, find_office_tab, free_office_tab_name
from sync.shapes.task_tab import TaskTab, office_fields, row_cells

if TYPE_CHECKING:
    from sync.config import UnitConfig
    from sync.model import Task

#: zip part name prefixes of what the tool does not write beside yet -> what people call them. The
#: package editor would keep them byte for byte, but an image, a chart or a control drawn over the task
#: tab may hide the rows added, and a pivot table, slicer or link reading the tab would not count them.
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


_TITLE = CellStyle(bold=True, size=13)
_COLUMN_TITLES = CellStyle(bold=True, fill="D9D9D9", wrap=True, vertical="center")
_ROWS = CellStyle(wrap=True, vertical="top")


def office_tab_spec(grid: list[list[str]], widths: tuple[int, ...]) -> SheetSpec:
    """An Office-owned tab as a worksheet: all text, laid out as ``grid`` is (a title, a line, a blank
    row, the column titles, the rows). The title and the column titles are bold, the rows wrap in
    their columns and read from the top, the column titles stay in view and repeat on every printed
    page, A4 landscape one page wide; sheet protection on."""
    cells: dict[tuple[int, int], tuple[str, CellStyle | None]] = {}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value:
                cells[r, c] = (value, _ROWS if r > OFFICE_TAB_LEAD else None)
    if grid and grid[0] and grid[0][0]:
        cells[0, 0] = (grid[0][0], _TITLE)
    if len(grid) > OFFICE_TAB_LEAD:
        columns = grid[OFFICE_TAB_LEAD]
        for c in range(max(len(r) for r in grid)):
            cells[OFFICE_TAB_LEAD, c] = (columns[c] if c < len(columns) else "", _COLUMN_TITLES)
    return SheetSpec(
        cells,
        widths,
        frozen_rows=OFFICE_TAB_LEAD + 1,
        print_title_row=OFFICE_TAB_LEAD + 1,
        landscape_fit_width=True,
        protected=True,
    )


def replace_office_tab(
    package: XlsxPackage, name: str, grid: list[list[str]], widths: tuple[int, ...]
) -> str:
    """Write the Office's tab ``name`` (replaced in place when the workbook has it, else added at
    the end); returns the name it bears. A unit's own tab of that name is never touched: the
    Office's tab then takes a free fallback name (``sync.shapes.office_tabs``)."""
    tabs = package.sheet_names()
    title = grid[0][0] if grid and grid[0] else ""
    ours = find_office_tab(tabs, name, title, lambda tab: package.cell_text(tab, 1, 0))
    target = ours or free_office_tab_name(tabs, name)
    if target is None:
        raise PackageRefused(
            f"bảng tính đã có các trang “{name}” … “{name} (Văn phòng 9)” của đơn vị, không còn tên cho "
            f"trang “{name}” của Văn phòng; đơn vị đổi tên một trang trong số đó"
        )
    package.put_sheet(target, office_tab_spec(grid, widths))
    return target


def dropped_parts(data: bytes) -> list[str]:
    """Parts of this package the tool does not write beside yet (names for people; ``DROPPED_PARTS``)."""
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

    def __init__(self, path: Path, unit: str, data: bytes, stamp: Stamp, real: Path | None = None):
        self.path = path
        self.unit = unit
        self.data = data
        self.stamp = stamp
        self.real = real or path  # the file itself when ``path`` is a symlink
        self._package: XlsxPackage | None = None

    @classmethod
    def read(cls, path: Path, unit: str, limits: Limits) -> UnitWorkbook:
        """Read the file once, checked like any unit's file; raises ``SourceUnreadable``."""
        real = Path(os.path.realpath(path))
        data, st = read_checked(path, limits)
        return cls(path, unit, data, _stamp(data, st), real)

    def check_writable(self) -> None:
        """Refuse (``UnitWriteRefused``) a workbook that is open, or that holds parts not written beside yet."""
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
                f"bảng tính có {', '.join(lost)}: công cụ chưa ghi vào tệp có các phần này (chúng có thể che "
                "hoặc không tính các dòng được thêm). Đơn vị chuyển các phần đó sang tệp khác (bảng theo dõi "
                "chỉ giữ các trang bảng) hoặc Văn phòng tự nhập các nhiệm vụ được báo"
            )

    def refused(self, why: str) -> UnitWriteRefused:
        return UnitWriteRefused(f"đơn vị {self.unit}, tệp {self.path.name}: {why}. Tệp không bị thay đổi.")

    def check_not_open(self) -> None:
        locks = lock_files(self.path) or (lock_files(self.real) if self.real != self.path else [])
        if locks:
            raise self.refused(
                f"tệp đang mở trong Excel/LibreOffice (có tệp khóa {locks[0].name}); "
                "đóng tệp (hoặc xóa tệp khóa nếu chương trình đã tắt) rồi chạy lại"
            )

    def package(self) -> XlsxPackage:
        """The package of the bytes read (opened once), after ``check_writable``."""
        if self._package is None:
            self.check_writable()
            with self._refusals():
                self._package = XlsxPackage(self.data)
        return self._package

    @contextlib.contextmanager
    def editing(self) -> Iterator[XlsxPackage]:
        """The package to change; what it cannot change without a loss is this unit's refusal."""
        package = self.package()
        with self._refusals():
            yield package

    @contextlib.contextmanager
    def _refusals(self) -> Iterator[None]:
        try:
            yield
        except PackageRefused as e:
            raise self.refused(e.reason) from None

    def unchanged_on_disk(self) -> bool:
        try:
            if Path(os.path.realpath(self.path)) != self.real:
                return False  # the link points at another file now
            st = self.path.stat()
            if st.st_size != self.stamp.size or st.st_mtime_ns != self.stamp.mtime_ns:
                return False
            return hashlib.sha256(self.path.read_bytes()).hexdigest() == self.stamp.sha256
        except OSError:
            return False

    def save(self) -> None:
        """Write the changed workbook over the file, atomically, if the file is still the one read."""
        with self._refusals():
            data = self.package().to_bytes()
        pending = AtomicFile(self.real)
        try:
            pending.tmp.write_bytes(data)
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


def append_rows(package: XlsxPackage, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
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
    package.fit_rows(tab.name, rows)
    return list(rows)


class XlsxUnitBook(UnitBook):
    """A unit's .xlsx for the Office's writes: one read, the package edited in place (every byte but
    the rows and the tab written kept), one atomic replace (``UnitWorkbook``), or nothing at all."""

    def __init__(self, unit: UnitConfig, path: Path, limits: Limits):
        super().__init__(unit)
        self.path = path
        self.target = UnitWorkbook.read(path, unit.code, limits)
        self._reader = XlsxWorkbook(path, limits, data=self.target.data)
        self._changed = False

    @property
    def workbook(self) -> Workbook:
        return self._reader

    def update_cells(self, tab: TaskTab, cells: Mapping[int, Mapping[int, date | str]]) -> dict[int, int]:
        # the file is replaced only if nobody saved it since it was read: the rows are where they were
        with self.target.editing() as package:
            package.write_cells(tab.name, cells)
            package.fit_rows(tab.name, cells)
        self.updated += sorted(cells)
        self._changed = True
        return {row: row for row in cells}

    def append_tasks(self, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
        with self.target.editing() as package:
            rows = append_rows(package, tab, tasks)
        self.rows += rows
        self._changed = True
        return rows

    def put_office_tab(self, name: str, grid: list[list[str]], widths: tuple[int, ...] = ()) -> str:
        with self.target.editing() as package:
            bears = replace_office_tab(package, name, grid, widths)
        self._changed = True
        return bears

    def save(self) -> list[str]:
        if not self._changed:
            return []
        try:
            self.target.save()
        except OSError as e:
            self.rows, self.updated = [], []
            raise UnitWriteFailed(f"không ghi được tệp {self.path.name}: {e.strerror or e}") from e
        except (UnitWriteRefused, SourceUnreadable):
            self.rows, self.updated = [], []
            raise
        return []

    def close(self) -> None:
        self._reader.close()
