"""A run's standing in the history: back-dated runs refused or flagged, runs voided.

* A sync whose as-of is before that of the latest regular run would record
  figures read today under an earlier date, and later comparisons would take
  them for that date's: ``check_as_of`` refuses it unless the person says it is
  a deliberate back-dated run, which is then recorded as such and never becomes
  "the latest" (see :mod:`sync.history.queries`, *Which runs count*).
* ``void`` takes a run back: it is marked (when, why), never deleted, and no
  reader chooses it any more.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from sync.history import queries
from sync.history.errors import BackdatedRunError, HistoryError
from sync.history.records import RunInfo

#: The ``sync`` option that records a deliberate back-dated run.
BACKDATED_OPTION = "--back-dated"


def check_as_of(conn: sqlite3.Connection, as_of: date, *, backdated: bool) -> bool:
    """Whether a run as of ``as_of`` is back-dated: its as-of is before the latest regular run's.

    Raises ``BackdatedRunError`` for a back-dated run without ``backdated`` (the
    person's explicit option). A run as of the latest run's day or later is
    regular, whatever ``backdated`` says.
    """
    latest = queries.latest_run(conn)
    if latest is None or as_of >= latest.as_of:
        return False
    if backdated:
        return True
    raise BackdatedRunError(
        f"ngày tổng hợp {as_of:%d/%m/%Y} sớm hơn lần tổng hợp gần nhất trong lịch sử "
        f"(lần số {latest.id}, ngày {latest.as_of:%d/%m/%Y}). Bảng tính của các đơn vị bây giờ không còn là "
        f"số liệu ngày {as_of:%d/%m/%Y}, nên không tổng hợp; bảng tổng hợp và lịch sử được giữ nguyên. "
        f"Nếu thật sự cần tổng hợp lùi ngày, chạy lại với {BACKDATED_OPTION} (lần tổng hợp được ghi là lùi ngày "
        "và không bao giờ được coi là lần gần nhất); nếu lần số "
        f"{latest.id} ghi nhầm, hủy nó bằng “ubnd-sync history void {latest.id} --reason …”."
    )


def void(conn: sqlite3.Connection, path: Path, run_id: int, reason: str) -> RunInfo:
    """Mark run ``run_id`` void for ``reason``; returns it as now recorded. Nothing is deleted.

    ``HistoryError`` when there is no such run or it is void already (its first
    reason stays).
    """
    reason = reason.strip()
    if not reason:
        raise HistoryError("cần ghi lý do hủy (--reason “…”).")
    info = queries.run_info(conn, run_id)
    if info is None:
        raise HistoryError(f"không có lần tổng hợp số {run_id}; xem danh sách bằng “ubnd-sync history”.")
    if info.voided_on is not None:
        raise HistoryError(
            f"lần tổng hợp số {run_id} đã bị hủy ngày {info.voided_on:%d/%m/%Y} (lý do: {info.void_reason}); "
            "không làm gì thêm."
        )
    stamp = datetime.now().astimezone().replace(microsecond=0).isoformat()
    try:
        conn.execute(
            "UPDATE runs SET voided_at = ?, void_reason = ? WHERE id = ? AND voided_at IS NULL",
            (stamp, reason, run_id),
        )
    except sqlite3.Error as e:
        raise HistoryError(f"không ghi được vào lịch sử {path}: {e}. Lịch sử được giữ nguyên.") from e
    voided = queries.run_info(conn, run_id)
    assert voided is not None
    return voided


__all__ = ["BACKDATED_OPTION", "check_as_of", "void"]
