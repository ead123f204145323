"""Reading runs back: listing, finding one by id, date or month, loading it whole, checking the file.

Every function takes the open connection; rows are read by column name
(``sqlite3.Row``), on their own cursor, so the connection itself keeps
returning plain tuples to whoever else uses it.

Which runs count:

* a **void** run (``ubnd-sync history void``) is listed by ``runs(include_void=True)``
  and loaded by id, and nothing else ever chooses it;
* a **back-dated** run (``sync --back-dated``) is never "the latest", never the
  previous run of a comparison (So sánh, ``diff``, the report's last month, last
  year and trend); it is a month's run for ``report --month`` only when that month
  has no regular run;
* among the runs of one month, the newest (latest as-of, then highest id) is the
  month's run: a re-run after units corrected their sheets **supersedes** the
  earlier one, which is kept and listed with ``superseded_by``.
"""

from __future__ import annotations

import bisect
import sqlite3
from datetime import date
from typing import Any

from sync.extension import RequestDates, RequestKey, made_on, request_key
from sync.history.errors import HistoryError
from sync.history.records import RunInfo, RunSnapshot, TaskSnapshot, UnitSnapshot, finding_from_row
from sync.model import Period
from sync.normalize import parse_date

_LATEST = "ORDER BY as_of DESC, id DESC LIMIT 1"
#: Runs that are not void; regular runs: not void and not back-dated.
LIVE = "voided_at IS NULL"
REGULAR = "voided_at IS NULL AND backdated = 0"
#: Every column of ``runs`` plus ``chosen_id``: the run reports use for the row's month.
_SELECT = f"""
    SELECT runs.*, (
        SELECT c.id FROM runs AS c
        WHERE substr(c.cutoff, 1, 7) = substr(runs.cutoff, 1, 7) AND c.{LIVE}
        ORDER BY c.backdated, c.as_of DESC, c.id DESC LIMIT 1
    ) AS chosen_id
    FROM runs"""


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, params).fetchall()


def _one_run(conn: sqlite3.Connection, where: str, params: tuple[Any, ...] = ()) -> RunInfo | None:
    rows = _rows(conn, f"{_SELECT} {where}", params)
    return RunInfo.from_row(rows[0]) if rows else None


def runs(conn: sqlite3.Connection, *, include_void: bool = False) -> list[RunInfo]:
    """The recorded runs, oldest first: void ones only with ``include_void`` (back-dated ones always)."""
    where = "" if include_void else f"WHERE {LIVE}"
    return [RunInfo.from_row(r) for r in _rows(conn, f"{_SELECT} {where} ORDER BY id")]


def run_info(conn: sqlite3.Connection, run_id: int) -> RunInfo | None:
    """Run ``run_id`` whatever it is (void or back-dated too)."""
    return _one_run(conn, "WHERE id = ?", (run_id,))


def latest_run(conn: sqlite3.Connection) -> RunInfo | None:
    """The latest regular run (neither void nor back-dated)."""
    return _one_run(conn, f"WHERE {REGULAR} {_LATEST}")


def latest_of_day(conn: sqlite3.Connection, as_of: date) -> RunInfo | None:
    """The newest run that is not void with this as-of date (back-dated or not)."""
    return _one_run(conn, f"WHERE {LIVE} AND as_of = ? ORDER BY id DESC LIMIT 1", (as_of.isoformat(),))


def run_on_or_before(conn: sqlite3.Connection, day: date) -> RunInfo | None:
    """The latest regular run whose as-of date is on or before ``day``."""
    return _one_run(conn, f"WHERE {REGULAR} AND as_of <= ? {_LATEST}", (day.isoformat(),))


def run_for_month(conn: sqlite3.Connection, month: str, *, backdated: bool = False) -> RunInfo | None:
    """The run reporting on ``month`` (``YYYY-MM``: its period's cutoff falls in it): the latest regular one.

    With ``backdated``, a back-dated run when the month has no regular run (the
    report's own month); without, only regular runs (comparisons).
    """
    kinds = LIVE if backdated else REGULAR
    return _one_run(
        conn,
        f"WHERE {kinds} AND substr(cutoff, 1, 7) = ? ORDER BY backdated, as_of DESC, id DESC LIMIT 1",
        (month,),
    )


def previous_info(conn: sqlite3.Connection, as_of: date, period: Period) -> RunInfo | None:
    """The latest regular run of an earlier period than ``period`` (as of no later than ``as_of``)."""
    return _one_run(
        conn,
        f"WHERE {REGULAR} AND cutoff < ? AND as_of <= ? ORDER BY cutoff DESC, as_of DESC, id DESC LIMIT 1",
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


def request_dates(conn: sqlite3.Connection, as_of: date) -> RequestDates:
    """When each extension request seen by a run as of ``as_of`` or earlier was made (``sync.extension``).

    A request is the unit, the task and the requested date; the first live run that saw it
    (earliest as-of) dates it with ``made_on``: the row's ``updated_on`` as that run read it,
    bounded by that run's as-of and the as-of of the live run before it.
    """
    days = [
        date.fromisoformat(r[0])
        for r in conn.execute(
            f"SELECT DISTINCT as_of FROM runs WHERE {LIVE} AND as_of <= ? ORDER BY as_of",
            (as_of.isoformat(),),
        )
    ]
    rows = conn.execute(
        f"""SELECT t.unit, t.task_id, t.row, json_extract(t.fields, '$.extension_request'),
                   json_extract(t.fields, '$.updated_on'), r.as_of
            FROM tasks AS t JOIN runs AS r ON r.id = t.run_id
            WHERE r.{LIVE} AND r.as_of <= ? AND json_extract(t.fields, '$.extension_request') IS NOT NULL
            ORDER BY r.as_of, r.id""",
        (as_of.isoformat(),),
    )
    seen: dict[RequestKey, date] = {}
    for unit, task_id, row, requested, updated, seen_on in rows:
        asked, updated_on = parse_date(requested), parse_date(updated)
        if not isinstance(asked, date):
            continue
        key = request_key(unit, task_id, row, asked)
        if key not in seen:
            day = date.fromisoformat(seen_on)
            before = bisect.bisect_left(days, day)
            seen[key] = made_on(
                updated_on if isinstance(updated_on, date) else None,
                day,
                days[before - 1] if before else None,
            )
    return RequestDates(seen, days[-1] if days else None)


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
    for info in runs(conn, include_void=True):
        assert info.id is not None
        counted = tuple(_count(conn, table, info.id) for table in ("unit_results", "tasks", "findings"))
        if counted != (info.unit_count, info.task_count, info.finding_count):
            problems.append(f"lần chạy {info.id}: số dòng không khớp")
    return problems


def _chosen(conn: sqlite3.Connection, run_id: int) -> RunInfo:
    """Run ``run_id`` picked by hand for a comparison: it must exist and not be void."""
    info = run_info(conn, run_id)
    if info is None:
        raise HistoryError(f"không có lần tổng hợp số {run_id}; xem danh sách bằng “ubnd-sync history”.")
    if info.voided_on is not None:
        raise HistoryError(
            f"lần tổng hợp số {run_id} đã bị hủy ngày {info.voided_on:%d/%m/%Y} "
            f"(lý do: {info.void_reason}) nên không dùng để so sánh; chọn lần khác trong “ubnd-sync history”."
        )
    return info


def newer_run(conn: sqlite3.Connection, run_id: int | None) -> RunInfo:
    """The later run of a diff: run ``run_id`` (not void), or the latest regular run when it is None."""
    if run_id is not None:
        return _chosen(conn, run_id)
    new = latest_run(conn)
    if new is None:
        raise HistoryError("lịch sử chưa có lần tổng hợp nào.")
    return new


def older_run(conn: sqlite3.Connection, new: RunInfo, since: int | date | None) -> RunInfo:
    """The earlier run of a diff against ``new``.

    ``since`` is a run id (not void), or a day (the latest regular run on or before
    it), or None: the latest regular run of the period before ``new``'s, else the
    regular run recorded just before it (the run a re-run superseded).
    """
    if since is None:
        prev = previous_info(conn, new.as_of, new.period)
        if prev is None:
            prev = _one_run(conn, f"WHERE {REGULAR} AND id < ? ORDER BY id DESC LIMIT 1", (new.id,))
            if prev is None:
                raise HistoryError("lịch sử mới có một lần tổng hợp nên chưa có gì để so sánh.")
        return prev
    if isinstance(since, int):
        return _chosen(conn, since)
    info = run_on_or_before(conn, since)
    if info is None:
        raise HistoryError(f"không có lần tổng hợp nào vào hoặc trước ngày {since:%d/%m/%Y}.")
    return info


__all__ = [
    "LIVE",
    "REGULAR",
    "check",
    "latest_of_day",
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
