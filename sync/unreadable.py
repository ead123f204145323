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

from typing import TYPE_CHECKING

from sync.display import format_percent

if TYPE_CHECKING:  # ``ubnd-sync sync --help`` reads ALLOW_OPTION: nothing heavy at import
    from sync.backends import Backend
    from sync.model import RunResult, UnitResult

__all__ = ["ALLOW_OPTION", "refusal", "unreadable_problem", "unreadable_warning"]

ALLOW_OPTION = "--allow-unreadable"
_GO_ON = (
    "Sửa rồi chạy lại; nếu vẫn muốn tổng hợp chỉ với các đơn vị đọc được, chạy "
    f"“ubnd-sync sync {ALLOW_OPTION}”."
)


def unreadable_problem(backend: Backend, result: RunResult) -> str | None:
    """What is wrong when every unit, or more than ``max_unreadable_share`` of them, is unreadable."""
    total = len(result.units)
    bad = result.unreadable_units()
    share = backend.config.sync.max_unreadable_share
    if not bad or (len(bad) < total and len(bad) / total <= share):
        return None
    if len(bad) == total:
        counted = f"cả {total} đơn vị"
    else:
        counted = (
            f"{len(bad)}/{total} đơn vị, quá {format_percent(share)} số đơn vị "
            f"(max_unreadable_share = {share:g} trong [sync])"
        )
    return f"không đọc được bảng tính của {counted}: {_probable_cause(backend, bad, result)}"


def refusal(problem: str) -> str:
    """The message of a sync that stops: nothing written, and how to go on."""
    return f"{problem.rstrip('.')}. Không ghi bảng tổng hợp, không ghi lịch sử. {_GO_ON}"


def unreadable_warning(problem: str) -> str:
    """The same, for a run that writes nothing anyway (dry run, ``validate``)."""
    return f"{problem.rstrip('.')}. Khi như vậy, lệnh sync dừng và không ghi gì. {_GO_ON}"


def _probable_cause(backend: Backend, bad: list[UnitResult], result: RunResult) -> str:
    return backend.unreadable_cause(bad) or _example(bad[0], result)


def _example(unit: UnitResult, result: RunResult) -> str:
    """No common cause found: the first unreadable unit's own message, as an example."""
    from sync import findings as F

    for f in result.findings:
        if f.unit == unit.code and f.code == F.SOURCE_UNREADABLE.code:
            return f"ví dụ đơn vị {unit.code}: {f.message}"
    return f"ví dụ đơn vị {unit.code}"
