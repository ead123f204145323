"""The embedded default backend: .xlsx workbooks in a shared folder, read with python-calamine.

python-calamine (Rust) was chosen over openpyxl by measurement: see README,
Performance. It also reads .xls and .ods, which some units still send.
Files are only ever opened for reading, and only after ``sync.backends.xlsx.guard``
has found them to be regular files within the limits (README, Limits).
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import python_calamine as pc

from sync.backends.base import Workbook
from sync.backends.xlsx import guard
from sync.backends.xlsx.locks import lock_files
from sync.exceptions import SourceUnreadable
from sync.limits import Limits
from sync.shapes.grid import TabData

#: Ways to make a readable workbook calamine refuses readable, tried in order after a failure:
#: error values it does not know (newer Excel), then dates/durations outside its calendar (a panic).
_REPAIRS: tuple[Callable[[bytes], bytes], ...] = (
    guard.known_errors_only,
    lambda data: guard.without_formats(guard.known_errors_only(data)),
)


#: The stream an encrypted OOXML workbook keeps in its OLE container (UTF-16 name).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def _corrupt(path: Path, e: BaseException) -> SourceUnreadable:
    return SourceUnreadable(
        f"tệp {path.name} bị hỏng hoặc không phải tệp Excel (.xlsx); mở và lưu lại bằng Excel",
        detail=type(e).__name__,
    )


def _is_failure(e: BaseException) -> bool:
    """Exceptions of a parser (incl. a Rust panic, which is a BaseException), not a stop request."""
    return not isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit))


class XlsxWorkbook(Workbook):
    """A workbook file, or ``data`` already in memory (a Google export, shown as ``path``'s name)."""

    def __init__(
        self,
        path: Path,
        limits: Limits | None = None,
        data: bytes | None = None,
        *,
        stat: os.stat_result | None = None,
    ):
        """``data``: the bytes already read (``stat``: of the file they were read from, which then
        gives the version; else they are a Google export, without one)."""
        self.path = path
        self.limits = limits or Limits()
        if data is None:
            data, stat = guard.read_checked(path, self.limits)
        else:
            guard.check_package(io.BytesIO(data), path.name, self.limits)
        self._data = data
        self.version, self.modified = file_version(stat) if stat is not None else (None, None)
        #: a file read from disk: the lock file of a program that has it open now (else None)
        self.open_elsewhere = lock_name(path) if stat is not None else None
        self._repairs = list(_REPAIRS) if self._data[:4] == b"PK\x03\x04" else []
        try:
            self._book = self._open(self._data)
        except pc.PasswordError:
            raise SourceUnreadable(
                f"tệp {path.name} được đặt mật khẩu; gửi lại bản không có mật khẩu", detail="password"
            ) from None
        except BaseException as e:  # calamine raises several kinds for a damaged or foreign file
            if not _is_failure(e):
                raise
            if _ENCRYPTED in self._data:
                raise SourceUnreadable(
                    f"tệp {path.name} được đặt mật khẩu; gửi lại bản không có mật khẩu", detail="password"
                ) from None
            self._book = self._repaired(e)

    @staticmethod
    def _open(data: bytes) -> pc.CalamineWorkbook:
        return pc.CalamineWorkbook.from_filelike(io.BytesIO(data))

    def _repaired(self, first: BaseException) -> pc.CalamineWorkbook:
        """The workbook opened again after the next repair; the first failure when none is left."""
        while self._repairs:
            repair = self._repairs.pop(0)
            try:
                return self._open(repair(self._data))
            except BaseException as e:
                if not _is_failure(e):
                    raise
        raise _corrupt(self.path, first) from None

    def tab_names(self) -> list[str]:
        return [m.name for m in self._book.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]

    def read_tab(self, name: str) -> TabData:
        while True:
            try:
                return self._read(name)
            except SourceUnreadable:
                raise
            except BaseException as e:
                if not _is_failure(e):
                    raise
                if not self._repairs:
                    raise SourceUnreadable(
                        f"không đọc được trang “{name}” của tệp {self.path.name}: tệp bị hỏng",
                        detail=type(e).__name__,
                    ) from None
                self._book.close()
                self._book = self._repaired(e)

    def _read(self, name: str) -> TabData:
        sheet = self._book.get_sheet_by_name(name)
        cells = sheet.total_height * sheet.total_width
        if cells > self.limits.max_cells:
            raise guard.limit_breach(
                f"tệp {self.path.name}",
                f"trang “{name}” có {guard.number(sheet.total_height)} dòng × {sheet.total_width} cột",
                "max_cells",
                self.limits.max_cells,
                "ô",
            )
        rows = sheet.to_python(skip_empty_area=False)
        merged = list(sheet.merged_cell_ranges or [])
        return TabData(name=name, rows=rows, merged=merged)

    def close(self) -> None:
        self._book.close()


def lock_name(path: Path) -> str | None:
    """The name of the lock file a spreadsheet program keeps beside ``path`` while it has it open."""
    locks = lock_files(path)
    return locks[0].name if locks else None


def file_version(stat: os.stat_result) -> tuple[str, datetime]:
    """A file's version (changes whenever it is saved) and when it was last changed."""
    return f"{stat.st_mtime_ns}-{stat.st_size}", datetime.fromtimestamp(stat.st_mtime).astimezone()


def same_name_on_disk(path: Path) -> Path:
    """The file as named on disk: a name typed in NFC finds a file stored in NFD (macOS, zips)."""
    try:
        if os.path.lexists(path):
            return path
        wanted = unicodedata.normalize("NFC", path.name)
        for entry in path.parent.iterdir():
            if unicodedata.normalize("NFC", entry.name) == wanted:
                return entry
    except (OSError, ValueError):  # a folder without read permission, a name with NUL
        pass
    return path
