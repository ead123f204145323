"""Recording one run: every row of its snapshot in one transaction.

``record`` inserts the run, then its units, tasks and findings, then calls the
caller's ``before_commit`` (the CLI installs the summary there) and commits.
Anything that goes wrong on the way, even the process being killed, leaves no
partial snapshot: the transaction is rolled back (by SQLite's rollback journal
the next time the file is opened, if the process died).

While the rows go in, a digest of the run's data is taken (``runs.digest``:
sha256 over the as-of, the period and every row of units, tasks and findings as
inserted, but not where a unit was read from nor its source version, which
changes when a file is saved again unchanged, nor when or by which version the
run was made). When the newest run of the same as-of has the same digest, the
units' data is identical: the rows are taken back (a savepoint), nothing is
added, and ``before_commit`` still runs (the summary is rewritten, the same).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sync.history import queries
from sync.history.errors import HistoryError, busy_message, is_busy
from sync.history.records import COUNT_KEYS, UNIT_FIELDS, RecordOutcome, jsonable
from sync.history.standing import check_as_of
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
    "backdated",
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


# the C encoder with a fallback for dates: much faster than mapping each value first; one
# encoder for every row (``json.dumps`` would make one per call: a fifth of the time)
_dumps = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode


def _run_row(result: RunResult, config_path: str, task_count: int, backdated: bool) -> tuple[Any, ...]:
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
        int(backdated),
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


#: Unit columns left out of the digest: where the data was read from, not the data.
_NOT_DIGESTED = tuple(UNIT_COLUMNS.index(c) for c in ("source", "source_version"))


def _digested(
    rows: Iterator[tuple[Any, ...]], digest: Any, skip: tuple[int, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """``rows`` as they are, each fed to ``digest`` on its way (without the run id and the ``skip`` columns).

    Values as ``str`` joined (a third cheaper than ``repr``): None and the text "None"
    look alike here, but every value a unit typed is also in the JSON columns, where they do not.
    """
    for row in rows:
        kept = row[1:] if not skip else (v for i, v in enumerate(row) if i and i not in skip)
        digest.update("\x1f".join(map(str, kept)).encode())
        digest.update(b"\x1e")
        yield row


def _insert_snapshot(conn: sqlite3.Connection, result: RunResult, config_path: str, backdated: bool) -> int:
    """Every row of the run and its digest (inside the caller's transaction); returns the run id."""
    tasks = result.tasks
    cur = conn.execute(_insert_sql("runs", RUN_COLUMNS), _run_row(result, config_path, len(tasks), backdated))
    run_id = cur.lastrowid
    assert run_id is not None
    digest = hashlib.sha256(repr((result.as_of, result.period)).encode())
    units = _digested(_unit_rows(run_id, result.units), digest, _NOT_DIGESTED)
    conn.executemany(_insert_sql("unit_results", UNIT_COLUMNS), units)
    conn.executemany(_insert_sql("tasks", TASK_COLUMNS), _digested(_task_rows(run_id, tasks), digest))
    findings = _digested(_finding_rows(run_id, result.findings), digest)
    conn.executemany(_insert_sql("findings", FINDING_COLUMNS), findings)
    conn.execute("UPDATE runs SET digest = ? WHERE id = ?", (digest.hexdigest(), run_id))
    return int(run_id)


def _identical_run(conn: sqlite3.Connection, run_id: int, as_of: date) -> int | None:
    """The newest earlier run of ``as_of`` (not void) whose digest is that of run ``run_id``."""
    row = conn.execute(
        f"SELECT id, digest = (SELECT digest FROM runs WHERE id = ?) FROM runs "
        f"WHERE {queries.LIVE} AND as_of = ? AND id < ? ORDER BY id DESC LIMIT 1",
        (run_id, as_of.isoformat(), run_id),
    ).fetchone()
    return int(row[0]) if row is not None and row[1] else None


def record(
    conn: sqlite3.Connection,
    path: Path,
    result: RunResult,
    *,
    config_path: str,
    before_commit: Callable[[], object] | None = None,
    backdated: bool = False,
) -> RecordOutcome:
    """Record one run in one transaction unless identical to the newest of its as-of. Never partial.

    ``backdated``: the person said the run is deliberately back-dated (see
    :func:`sync.history.standing.check_as_of`, checked again here inside the
    transaction: ``BackdatedRunError`` without it). ``before_commit`` runs inside
    the transaction, after every row is in (or was taken back as a duplicate) and
    before COMMIT: if it raises, the snapshot is rolled back and the exception
    goes on. A database error becomes a ``HistoryError`` naming ``path``.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        flagged = check_as_of(conn, result.as_of, backdated=backdated)
        conn.execute("SAVEPOINT snapshot")
        run_id = _insert_snapshot(conn, result, config_path, flagged)
        duplicate_of = _identical_run(conn, run_id, result.as_of)
        if duplicate_of is not None:
            conn.execute("ROLLBACK TO snapshot")
        conn.execute("RELEASE snapshot")
        if before_commit is not None:
            before_commit()
        conn.execute("COMMIT")
    except BaseException as e:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if isinstance(e, sqlite3.Error) and is_busy(e):
            raise HistoryError(busy_message(path)) from e
        if isinstance(e, sqlite3.Error):
            raise HistoryError(
                f"không ghi được lịch sử vào {path}: {e}. "
                "Lịch sử các lần trước vẫn nguyên vẹn. Kiểm tra dung lượng đĩa, quyền ghi rồi chạy lại."
            ) from e
        raise
    if duplicate_of is not None:
        return RecordOutcome(duplicate_of, result.as_of, duplicate_of=duplicate_of, backdated=flagged)
    return RecordOutcome(run_id, result.as_of, backdated=flagged)


__all__ = ["record"]
