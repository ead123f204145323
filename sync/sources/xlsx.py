"""The embedded default backend: .xlsx workbooks in a shared folder, read with python-calamine.

python-calamine (Rust) was chosen over openpyxl by measurement: see README,
Performance. It also reads .xls and .ods, which some units still send.
Files are only ever opened for reading.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import python_calamine as pc

from sync.exceptions import SourceUnreadable, os_reason
from sync.sources.base import Source, TabData, Workbook

_LOCK_HINT = "Nếu tệp đang mở trong Excel/LibreOffice, đóng tệp rồi chạy lại."


def _open_book(path: Path) -> pc.CalamineWorkbook:
    """Open by extension; a file whose content is another format (an .ods or .xls saved
    under an .xlsx name) is opened again by content."""
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise
    except pc.CalamineError:
        with open(path, "rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)


class XlsxWorkbook(Workbook):
    def __init__(self, path: Path):
        self.path = path
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise SourceUnreadable(
                f"không tìm thấy tệp {path.name} trong thư mục {path.parent}",
                detail="missing",
            ) from None
        except OSError as e:
            raise SourceUnreadable(f"không mở được tệp {path.name}: {os_reason(e)}", detail="os") from None
        if path.is_dir():
            raise SourceUnreadable(
                f"{path.name} là một thư mục, không phải tệp bảng tính", detail="directory"
            )
        self.version = f"{stat.st_mtime_ns}-{stat.st_size}"
        try:
            self._book = _open_book(path)
        except pc.PasswordError:
            raise SourceUnreadable(
                f"tệp {path.name} được đặt mật khẩu; gửi lại bản không có mật khẩu", detail="password"
            ) from None
        except PermissionError:
            raise SourceUnreadable(
                f"không có quyền đọc tệp {path.name}. {_LOCK_HINT}", detail="permission"
            ) from None
        except Exception as e:  # calamine raises several kinds for a damaged or foreign file
            raise SourceUnreadable(
                f"tệp {path.name} bị hỏng hoặc không phải tệp Excel (.xlsx); mở và lưu lại bằng Excel",
                detail=type(e).__name__,
            ) from None

    def tab_names(self) -> list[str]:
        return [m.name for m in self._book.sheets_metadata if m.typ == pc.SheetTypeEnum.WorkSheet]

    def read_tab(self, name: str) -> TabData:
        try:
            sheet = self._book.get_sheet_by_name(name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except Exception as e:
            raise SourceUnreadable(
                f"không đọc được trang “{name}” của tệp {self.path.name}: tệp bị hỏng",
                detail=type(e).__name__,
            ) from None
        return TabData(name=name, rows=rows, merged=merged)

    def close(self) -> None:
        self._book.close()


class XlsxSource(Source):
    """Workbooks by path; relative paths resolve against ``base_dir`` (the config's folder)."""

    #: python-calamine parses without holding the GIL: read the next unit while this one is checked
    read_ahead = 1

    def __init__(self, base_dir: Path | str = "."):
        self.base_dir = Path(base_dir)

    def open(self, ref: str) -> Workbook:
        path = Path(os.path.expanduser(ref))
        if not path.is_absolute():
            path = self.base_dir / path
        return XlsxWorkbook(_same_name_on_disk(path))


def _same_name_on_disk(path: Path) -> Path:
    """The file as named on disk: a name typed in NFC finds a file stored in NFD (macOS, zips)."""
    if path.exists():
        return path
    wanted = unicodedata.normalize("NFC", path.name)
    try:
        for entry in path.parent.iterdir():
            if unicodedata.normalize("NFC", entry.name) == wanted:
                return entry
    except OSError:
        pass
    return path
