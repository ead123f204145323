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
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sync.backends.base import Backend, CreatedBooks, NewProvince, PendingSummary, UnitBook, Workbook
from sync.shapes.books import relative

if TYPE_CHECKING:
    from sync.backends.xlsx.cache import ReadCache
    from sync.backends.xlsx.summary import PendingSummary as XlsxPendingSummary
    from sync.config import Config, UnitConfig
    from sync.model import UnitResult
    from sync.shapes.tables import Table

#: Where ``init`` puts the summary, relative to the province's folder.
SUMMARY_XLSX = "out/tong-hop.xlsx"


class XlsxBackend(Backend):
    """Workbooks by path; relative paths resolve against the config's folder."""

    name = "xlsx"
    #: python-calamine parses without holding the GIL: read the next unit while this one is checked
    read_ahead = 1

    def __init__(self, config: Config):
        super().__init__(config)
        self._cache: ReadCache | None = None
        self._lock = threading.Lock()  # units are opened from the engine's reader thread too
        #: the summary being written and its tables' digest, remembered by ``commit``
        self._written: tuple[XlsxPendingSummary, str] | None = None

    def resolve(self, ref: str) -> str:
        p = Path(os.path.expanduser(ref))
        return str(p if p.is_absolute() else self.config.base_dir / p)

    def open(self, ref: str) -> Workbook:
        from sync.backends.xlsx.read import same_name_on_disk

        return self.read_cache().open(same_name_on_disk(Path(self.resolve(ref))))

    def read_cache(self) -> ReadCache:
        """This run's reads, with what the last sync read (``sync.backends.xlsx.cache``)."""
        with self._lock:
            if self._cache is None:
                from sync.backends.xlsx.cache import ReadCache

                self._cache = ReadCache(self.config.cache_path, self.config.limits)
            return self._cache

    def commit(self) -> None:
        if self._cache is not None:
            self._cache.save()
        if self._written is not None:
            from sync.backends.xlsx.unchanged import Written, save_written

            pending, digest = self._written
            self._written = None
            if pending.file.committed:
                save_written(self.config.cache_path, Written.of(pending.target, digest))

    # ---------------------------------------------------------------- the summary

    @property
    def summary_file(self) -> Path:
        return Path(self.resolve(self.config.sync.summary))

    def summary_blocked(self) -> str | None:
        from sync.backends.xlsx.locks import open_elsewhere  # not the writer's module: XlsxWriter not loaded

        return open_elsewhere(self.summary_file)

    def start_summary(self, tables: list[Table]) -> PendingSummary:
        """The summary rendered in a child process, or kept as it is when it already shows these
        tables and nothing was read anew (``sync.backends.xlsx.unchanged``)."""
        from sync.backends.xlsx.unchanged import KeptSummary, still_shows
        from sync.shapes.tables import tables_digest

        target = self.summary_file
        shown: str | bool = False
        if self._cache is not None and self._cache.reused and not self._cache.parsed:
            shown = still_shows(self.config.cache_path, target, tables)
            if shown is True:
                return KeptSummary(target)
        from sync.backends.xlsx.summary import start_xlsx

        pending = start_xlsx(tables, target)
        # for the next run, made while the child renders the file
        self._written = (pending, shown if isinstance(shown, str) else tables_digest(tables))
        if self._cache is not None:
            self._cache.prepare()
        return pending

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
