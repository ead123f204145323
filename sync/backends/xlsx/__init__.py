"""The embedded default backend: .xlsx workbooks in a shared folder; no account, no network.

- ``read``: a unit's workbook read with python-calamine, after ``guard`` has checked the file;
- ``unitbook``: the Office's safe writes into a unit's workbook (``XlsxUnitBook``);
- ``summary``: the summary written with XlsxWriter in a child process, installed atomically;
- ``create``: ``init``'s workbooks (the register and one per unit), made with openpyxl.

References are paths, relative to the config's folder. Each part imports its library only
when it is used, so a command that only reads never loads the writers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sync.backends.base import Backend, CreatedBooks, NewProvince, PendingSummary, UnitBook, Workbook
from sync.shapes.books import relative

if TYPE_CHECKING:
    from sync.config import UnitConfig
    from sync.model import UnitResult
    from sync.shapes.tables import Table

#: Where ``init`` puts the summary, relative to the province's folder.
SUMMARY_XLSX = "out/tong-hop.xlsx"


class XlsxBackend(Backend):
    """Workbooks by path; relative paths resolve against the config's folder."""

    name = "xlsx"
    #: python-calamine parses without holding the GIL: read the next unit while this one is checked
    read_ahead = 1

    def resolve(self, ref: str) -> str:
        p = Path(os.path.expanduser(ref))
        return str(p if p.is_absolute() else self.config.base_dir / p)

    def open(self, ref: str) -> Workbook:
        from sync.backends.xlsx.read import XlsxWorkbook, same_name_on_disk

        return XlsxWorkbook(same_name_on_disk(Path(self.resolve(ref))), self.config.limits)

    # ---------------------------------------------------------------- the summary

    @property
    def summary_file(self) -> Path:
        return Path(self.resolve(self.config.sync.summary))

    def summary_blocked(self) -> str | None:
        from sync.backends.xlsx.summary import open_elsewhere

        return open_elsewhere(self.summary_file)

    def start_summary(self, tables: list[Table]) -> PendingSummary:
        from sync.backends.xlsx.summary import start_xlsx

        return start_xlsx(tables, self.summary_file)

    # ---------------------------------------------------------------- units' own books

    def unit_book(self, unit: UnitConfig) -> UnitBook:
        from sync.backends.xlsx.unitbook import XlsxUnitBook

        return XlsxUnitBook(unit, Path(self.resolve(unit.source)), self.config.limits)

    # ---------------------------------------------------------------- a new province

    def create_books(self, new: NewProvince) -> CreatedBooks:
        from sync.backends.xlsx.create import init_xlsx

        report, paths = init_xlsx(
            new.units, directory=new.directory, cutoff_day=new.cutoff_day, progress=new.progress
        )
        report.notes.append(
            "Với tệp .xlsx, địa chỉ e-mail (cột emails của danh sách) được ghi vào cấu hình để nhắc việc "
            "(ubnd-sync remind); chia sẻ thư mục don-vi cho từng đơn vị (mỗi đơn vị chỉ sửa tệp của mình) "
            "là việc của Văn phòng."
        )
        base = new.config_dir
        return CreatedBooks(
            report=report,
            sources={u.code: relative(paths[u.code], base) for u in new.units},
            register=relative(paths["register"], base),
            summary=relative(new.directory / SUMMARY_XLSX, base),
        )

    # ---------------------------------------------------------------- when most units are unreadable

    def unreadable_cause(self, units: Sequence[UnitResult]) -> str | None:
        folders = list(dict.fromkeys(Path(self.resolve(u.source)).parent for u in units))
        unreachable = [str(f) for f in folders if not _reachable(f)]
        if unreachable:
            shown = ", ".join(unreachable[:3]) + (
                f" và {len(unreachable) - 3} thư mục khác" if len(unreachable) > 3 else ""
            )
            return (
                f"thư mục {shown} không truy cập được (ổ mạng chưa kết nối? thư mục bị đổi tên hay chuyển đi?); "
                "mở thử thư mục đó trên máy này"
            )
        if all(u.unreadable_detail == "missing" for u in units):
            shown = ", ".join(str(f) for f in folders[:3])
            return (
                f"không có tệp nào của các đơn vị này trong thư mục {shown} (tệp bị đổi tên hay chuyển đi? "
                "cấu hình của tỉnh khác?)"
            )
        return None


def _reachable(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError:
        return False
    return True
