"""Lock files a spreadsheet program keeps beside a workbook it has open (any system, any program).

Excel (Windows, macOS) writes an owner file ``~$<name>`` (for a long name ``~$`` plus the name less
its first two characters); LibreOffice (every system) writes ``.~lock.<name>#``. While one is
there, the program may hold edits not saved to the file: a write would be lost on its next save
(Windows refuses to replace the file anyway; Linux and macOS do not, so the lock file is the
only sign), and a read misses the unsaved edits.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["lock_files", "open_elsewhere"]


def lock_files(path: Path) -> list[Path]:
    """Lock files a spreadsheet program keeps beside a workbook it has open, present now."""
    name = path.name
    candidates = [f"~${name}", f".~lock.{name}#"]
    if len(name) > 2:
        candidates.append(f"~${name[2:]}")  # Excel's owner file of a long name drops 2 characters
    return [path.parent / c for c in dict.fromkeys(candidates) if (path.parent / c).exists()]


def open_elsewhere(target: Path) -> str | None:
    """Why ``target`` must not be replaced now: a spreadsheet program has it open (its lock file is
    there). Windows refuses the replace itself (``PermissionError``); Linux and macOS would let it
    happen under the program, whose next save would put its copy back: refused the same way."""
    locks = lock_files(target)
    if not locks:
        return None
    return (
        f"Tệp tổng hợp {target} đang mở trong Excel/LibreOffice (có tệp khóa {locks[0].name}); đóng tệp "
        "rồi chạy lại (nếu chương trình đã tắt mà tệp khóa còn, xóa tệp khóa). Chưa ghi gì: bảng tổng hợp "
        "và lịch sử vẫn như cũ."
    )
