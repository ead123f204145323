"""When so many units are unreadable that the source, not the units, is probably at fault.

A shared drive that is not mounted makes every unit unreadable; an all-zero summary written
over the good one and a 0-task run in the history would then mislead the meeting.
``unreadable_problem`` says whether a run's result has every unit, or more than
``[sync] max_unreadable_share`` of them, unreadable, and what is probably wrong (the units'
folder not reachable, Google not reachable, the service account not shared …).
``sync.pipeline`` then writes nothing (``TooManyUnreadable``, exit 1); a dry run and
``ubnd-sync validate`` show their result with the same text as a warning. ``sync
--allow-unreadable`` writes anyway.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from sync import findings as F
from sync.config import Config
from sync.display import format_percent
from sync.model import RunResult, UnitResult

__all__ = ["ALLOW_OPTION", "refusal", "unreadable_problem", "unreadable_warning"]

ALLOW_OPTION = "--allow-unreadable"
_GO_ON = (
    "Sửa rồi chạy lại; nếu vẫn muốn tổng hợp chỉ với các đơn vị đọc được, chạy "
    f"“ubnd-sync sync {ALLOW_OPTION}”."
)


def unreadable_problem(config: Config, result: RunResult) -> str | None:
    """What is wrong when every unit, or more than ``max_unreadable_share`` of them, is unreadable."""
    total = len(result.units)
    bad = result.unreadable_units()
    share = config.sync.max_unreadable_share
    if not bad or (len(bad) < total and len(bad) / total <= share):
        return None
    if len(bad) == total:
        counted = f"cả {total} đơn vị"
    else:
        counted = (
            f"{len(bad)}/{total} đơn vị, quá {format_percent(share)} số đơn vị "
            f"(max_unreadable_share = {share:g} trong [sync])"
        )
    return f"không đọc được bảng tính của {counted}: {_probable_cause(config, bad, result)}"


def refusal(problem: str) -> str:
    """The message of a sync that stops: nothing written, and how to go on."""
    return f"{problem.rstrip('.')}. Không ghi bảng tổng hợp, không ghi lịch sử. {_GO_ON}"


def unreadable_warning(problem: str) -> str:
    """The same, for a run that writes nothing anyway (dry run, ``validate``)."""
    return f"{problem.rstrip('.')}. Khi như vậy, lệnh sync dừng và không ghi gì. {_GO_ON}"


def _probable_cause(config: Config, bad: list[UnitResult], result: RunResult) -> str:
    cause = _folder_cause(config, bad) if config.sync.backend == "xlsx" else _google_cause(bad)
    return cause or _example(bad[0], result)


def _reachable(folder: Path) -> bool:
    try:
        with os.scandir(folder) as entries:
            next(entries, None)
    except OSError:
        return False
    return True


def _folder_cause(config: Config, bad: list[UnitResult]) -> str | None:
    folders = list(dict.fromkeys(Path(config.resolve(u.source)).parent for u in bad))
    unreachable = [str(f) for f in folders if not _reachable(f)]
    if unreachable:
        shown = ", ".join(unreachable[:3]) + (
            f" và {len(unreachable) - 3} thư mục khác" if len(unreachable) > 3 else ""
        )
        return (
            f"thư mục {shown} không truy cập được (ổ mạng chưa kết nối? thư mục bị đổi tên hay chuyển đi?); "
            "mở thử thư mục đó trên máy này"
        )
    if all(u.unreadable_detail == "missing" for u in bad):
        shown = ", ".join(str(f) for f in folders[:3])
        return (
            f"không có tệp nào của các đơn vị này trong thư mục {shown} (tệp bị đổi tên hay chuyển đi? "
            "cấu hình của tỉnh khác?)"
        )
    return None


_GOOGLE_CAUSES = {
    "network": "không kết nối được tới Google; kiểm tra mạng của máy này",
    "forbidden": (
        "Google từ chối cho tài khoản dịch vụ đọc các bảng tính: kiểm tra tệp khóa (“credentials” trong "
        "[gsheets]) là của đúng tài khoản và các bảng tính vẫn được chia sẻ cho tài khoản đó"
    ),
    "not-found": (
        "Google không tìm thấy các bảng tính, hoặc chúng chưa được chia sẻ cho tài khoản dịch vụ (Drive trả "
        "lời hai trường hợp như nhau): kiểm tra mã bảng tính trong cấu hình (cấu hình của tỉnh khác?), việc "
        "chia sẻ và “endpoint” trong [gsheets]"
    ),
}


def _google_cause(bad: list[UnitResult]) -> str | None:
    detail, count = Counter(u.unreadable_detail for u in bad).most_common(1)[0]
    if count * 2 <= len(bad):
        return None
    if detail in _GOOGLE_CAUSES:
        return _GOOGLE_CAUSES[detail]
    if detail.startswith("http-"):
        return f"Google trả lời lỗi {detail[5:]} cho các bảng tính (Google đang trục trặc?); chạy lại sau ít phút"
    return None


def _example(unit: UnitResult, result: RunResult) -> str:
    """No common cause found: the first unreadable unit's own message, as an example."""
    for f in result.findings:
        if f.unit == unit.code and f.code == F.SOURCE_UNREADABLE.code:
            return f"ví dụ đơn vị {unit.code}: {f.message}"
    return f"ví dụ đơn vị {unit.code}"
