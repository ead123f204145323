"""Recording one run: every row of its snapshot in one transaction.

``record`` inserts the run, then its units, tasks and findings, then calls the
caller's ``before_commit`` (the CLI installs the summary there) and commits.
Anything that goes wrong on the way, even the process being killed, leaves no
partial snapshot: the transaction is rolled back (by SQLite's rollback journal
the next time the file is opened, if the process died).
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sync.history.errors import HistoryError
from sync.history.records import COUNT_KEYS, UNIT_FIELDS, jsonable
from sync.model import Finding, RunResult, Task, UnitResult

# Columns in insertion order (the run id first for the per-run tables).
RUN_COLUMNS = (
    "as_of",
    "previous_cutoff",
    "cutoff",
    "generated_at",
    "recorded_at",
    "version",
    "config_path",
    "summary_path",
    "totals",
    "unit_count",
    "task_count",
    "finding_count",
)
UNIT_COLUMNS = ("run_id", "position", *UNIT_FIELDS, *COUNT_KEYS)
TASK_COLUMNS = (
    "run_id",
    "position",
    "unit",
    "sheet",
    "row",
    "task_id",
    "category",
    "effective_deadline",
    "completed",
    "update_state",
    "days_overdue",
    "due_soon",
    "fields",
    "raw",
)
FINDING_COLUMNS = (
    "run_id",
    "position",
    "unit",
    "sheet",
    "cell",
    "row",
    "field",
    "code",
    "severity",
    "value",
    "message",
)


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _json_default(value: Any) -> Any:
    """What the JSON encoder cannot write itself: dates as ISO text, anything else as text."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _jsonable_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable_tree(v) for k, v in value.items()}
    return jsonable(value)


# the C encoder with a fallback for dates: much faster than mapping each value first
_dumps = functools.partial(json.dumps, ensure_ascii=False, default=_json_default)


def _run_row(result: RunResult, config_path: str, task_count: int) -> tuple[Any, ...]:
    return (
        result.as_of.isoformat(),
        result.period.previous_cutoff.isoformat(),
        result.period.cutoff.isoformat(),
        result.generated_at.isoformat(),
        datetime.now().astimezone().replace(microsecond=0).isoformat(),
        result.version,
        config_path,
        result.summary_path,
        json.dumps(_jsonable_tree(result.totals), ensure_ascii=False),
        len(result.units),
        task_count,
        len(result.findings),
    )


def _unit_rows(run_id: int, units: Sequence[UnitResult]) -> Iterator[tuple[Any, ...]]:
    for i, u in enumerate(units):
        yield (
            run_id,
            i,
            *(getattr(u, k) for k in UNIT_FIELDS),
            *(int(u.counts.get(k, 0)) for k in COUNT_KEYS),
        )


def _task_rows(run_id: int, tasks: Sequence[Task]) -> Iterator[tuple[Any, ...]]:
    # a generator: rows are encoded as SQLite takes them, never all held at once
    for i, t in enumerate(tasks):
        yield (
            run_id,
            i,
            t.unit,
            t.sheet,
            t.row,
            t.task_id,
            t.category,
            t.effective_deadline.isoformat() if t.effective_deadline else None,
            int(t.completed),
            t.update_state,
            t.days_overdue,
            int(t.due_soon),
            _dumps(t.values),
            _dumps(t.raw),
        )


def _finding_rows(run_id: int, findings: Sequence[Finding]) -> Iterator[tuple[Any, ...]]:
    for i, f in enumerate(findings):
        yield (
            run_id,
            i,
            f.unit,
            f.sheet,
            f.cell,
            f.row,
            f.field,
            f.code,
            f.severity,
            json.dumps(jsonable(f.value), ensure_ascii=False),
            f.message,
        )


def _insert_snapshot(conn: sqlite3.Connection, result: RunResult, config_path: str) -> int:
    """Every row of the run (inside the caller's transaction); returns the run id."""
    tasks = result.tasks
    cur = conn.execute(_insert_sql("runs", RUN_COLUMNS), _run_row(result, config_path, len(tasks)))
    run_id = cur.lastrowid
    assert run_id is not None
    conn.executemany(_insert_sql("unit_results", UNIT_COLUMNS), _unit_rows(run_id, result.units))
    conn.executemany(_insert_sql("tasks", TASK_COLUMNS), _task_rows(run_id, tasks))
    conn.executemany(_insert_sql("findings", FINDING_COLUMNS), _finding_rows(run_id, result.findings))
    return int(run_id)


def record(
    conn: sqlite3.Connection,
    path: Path,
    result: RunResult,
    *,
    config_path: str,
    before_commit: Callable[[], object] | None = None,
) -> int:
    """Record one run in one transaction; returns its id. Never leaves a partial snapshot.

    ``before_commit`` runs inside the transaction, after every row is in and
    before COMMIT: if it raises, the snapshot is rolled back and the exception
    goes on. A database error becomes a ``HistoryError`` naming ``path``.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        run_id = _insert_snapshot(conn, result, config_path)
        if before_commit is not None:
            before_commit()
        conn.execute("COMMIT")
    except BaseException as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(e, sqlite3.Error):
            raise HistoryError(
                f"không ghi được lịch sử vào {path}: {e}. "
                "Lịch sử các lần trước vẫn nguyên vẹn. Kiểm tra dung lượng đĩa, quyền ghi rồi chạy lại."
            ) from e
        raise
    return run_id


__all__ = ["record"]
