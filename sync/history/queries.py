"""Reading runs back: listing, finding one by id, date or month, loading it whole, checking the file.

Every function takes the open connection; rows are read by column name
(``sqlite3.Row``), on their own cursor, so the connection itself keeps
returning plain tuples to whoever else uses it.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from sync.history.errors import HistoryError
from sync.history.records import RunInfo, RunSnapshot, TaskSnapshot, UnitSnapshot, finding_from_row
from sync.model import Period

_LATEST = "ORDER BY as_of DESC, id DESC LIMIT 1"


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params).fetchall()


def _one_run(conn: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> RunInfo | None:
    rows = _rows(conn, f"SELECT * FROM runs {where}", params)
    return RunInfo.from_row(rows[0]) if rows else None


def runs(conn: sqlite3.Connection) -> list[RunInfo]:
    """Every recorded run, oldest first."""
    return [RunInfo.from_row(r) for r in _rows(conn, "SELECT * FROM runs ORDER BY id")]


def run_info(conn: sqlite3.Connection, run_id: int) -> RunInfo | None:
    return _one_run(conn, "WHERE id = ?", (run_id,))


def latest_run(conn: sqlite3.Connection) -> RunInfo | None:
    return _one_run(conn, _LATEST)


def run_on_or_before(conn: sqlite3.Connection, day: date) -> RunInfo | None:
    """The latest run whose as-of date is on or before ``day``."""
    return _one_run(conn, f"WHERE as_of <= ? {_LATEST}", (day.isoformat(),))


def run_for_month(conn: sqlite3.Connection, month: str) -> RunInfo | None:
    """The latest run reporting on ``month`` (``YYYY-MM``: its period's cutoff falls in it)."""
    return _one_run(conn, f"WHERE substr(cutoff, 1, 7) = ? {_LATEST}", (month,))


def previous_info(conn: sqlite3.Connection, as_of: date, period: Period) -> RunInfo | None:
    """The latest run of an earlier period than ``period`` (as of no later than ``as_of``)."""
    return _one_run(
        conn,
        "WHERE cutoff < ? AND as_of <= ? ORDER BY cutoff DESC, as_of DESC, id DESC LIMIT 1",
        (period.cutoff.isoformat(), as_of.isoformat()),
    )


def load(conn: sqlite3.Connection, run_id: int, *, where: str) -> RunSnapshot:
    """One recorded run in full; ``HistoryError`` (naming the file ``where``) when there is no such run."""
    info = run_info(conn, run_id)
    if info is None:
        raise HistoryError(f"không có lần tổng hợp số {run_id} trong lịch sử ({where})")

    def of(table: str) -> list[sqlite3.Row]:
        return _rows(conn, f"SELECT * FROM {table} WHERE run_id = ? ORDER BY position", (run_id,))

    return RunSnapshot(
        info,
        [UnitSnapshot.from_row(r) for r in of("unit_results")],
        [TaskSnapshot.from_row(r) for r in of("tasks")],
        [finding_from_row(r) for r in of("findings")],
    )


def _count(conn: sqlite3.Connection, table: str, run_id: int) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table} WHERE run_id = ?", (run_id,)).fetchone()[0])


def check(conn: sqlite3.Connection) -> list[str]:
    """Consistency problems (empty when the file is sound): integrity and orphan rows."""
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    for table in ("unit_results", "tasks", "findings"):
        n = conn.execute(
            f"SELECT count(*) FROM {table} WHERE run_id NOT IN (SELECT id FROM runs)"
        ).fetchone()[0]
        if n:
            problems.append(f"{table}: {n} dòng không thuộc lần chạy nào")
    for info in runs(conn):
        assert info.id is not None
        counted = tuple(_count(conn, table, info.id) for table in ("unit_results", "tasks", "findings"))
        if counted != (info.unit_count, info.task_count, info.finding_count):
            problems.append(f"lần chạy {info.id}: số dòng không khớp")
    return problems


def newer_run(conn: sqlite3.Connection, run_id: int | None) -> RunInfo:
    """The later run of a diff: run ``run_id``, or the latest run when it is None."""
    new = run_info(conn, run_id) if run_id is not None else latest_run(conn)
    if new is None:
        raise HistoryError(
            "lịch sử chưa có lần tổng hợp nào."
            if run_id is None
            else f"không có lần tổng hợp số {run_id}; xem danh sách bằng “ubnd-sync history”."
        )
    return new


def older_run(conn: sqlite3.Connection, new: RunInfo, since: int | date | None) -> RunInfo:
    """The earlier run of a diff against ``new``.

    ``since`` is a run id, or a day (the latest run on or before it), or None:
    the latest run of the period before ``new``'s, else the run recorded just before it.
    """
    if since is None:
        prev = previous_info(conn, new.as_of, new.period)
        if prev is None:
            earlier = [r for r in runs(conn) if r.id is not None and new.id is not None and r.id < new.id]
            if not earlier:
                raise HistoryError("lịch sử mới có một lần tổng hợp nên chưa có gì để so sánh.")
            prev = earlier[-1]
        return prev
    if isinstance(since, int):
        info = run_info(conn, since)
        if info is None:
            raise HistoryError(f"không có lần tổng hợp số {since}; xem danh sách bằng “ubnd-sync history”.")
        return info
    info = run_on_or_before(conn, since)
    if info is None:
        raise HistoryError(f"không có lần tổng hợp nào vào hoặc trước ngày {since:%d/%m/%Y}.")
    return info


__all__ = [
    "check",
    "latest_run",
    "load",
    "newer_run",
    "older_run",
    "previous_info",
    "run_for_month",
    "run_info",
    "run_on_or_before",
    "runs",
]
