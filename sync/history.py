"""The Office's memory: one SQLite snapshot per non-dry-run ``sync``, and diffs.

Google Drive keeps only weeks of revisions, so this file is the only record of
what each unit's sheet said at each meeting. Rules:

* one transaction per run (``BEGIN IMMEDIATE`` … ``COMMIT``): a run that fails
  or is killed leaves no partial snapshot (SQLite's rollback journal undoes
  the half-written transaction the next time the file is opened);
* the schema is versioned with ``PRAGMA user_version`` and upgraded by the
  ``MIGRATIONS`` below, each in its own transaction, after a backup copy of a
  non-empty file (``<name>.v<N>.bak``);
* nothing here ever deletes a snapshot. A file written by a newer version of
  ubnd-sync, or a damaged file, is an error, never overwritten.

Tables (schema version 1): ``runs`` (as-of, period, totals, where it came
from), ``unit_results`` (per unit: report status, counts, rates, the source
and the source version read), ``tasks`` (per task: its fields as parsed and as
written, its category, effective deadline, days overdue, update state) and
``findings``.

Test hook: when the environment variable ``UBND_SYNC_TEST_KILL_AT`` is
``history-mid-snapshot``, :meth:`History.record` kills its own process with
SIGKILL after inserting part of the rows and before committing. Only the
tests use it, to prove that a killed run leaves the database consistent.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sync.exceptions import HistoryError
from sync.labels import REPORT_STATUS_LABELS
from sync.model import CATEGORIES, Finding, Period, RunResult, Task, unit_dict
from sync.normalize import cell_text
from sync.summary import Column, Table

#: The env var and value of the kill test hook (see the module docstring).
KILL_ENV = "UBND_SYNC_TEST_KILL_AT"
KILL_POINT = "history-mid-snapshot"

#: Tab name of the comparison table in the summary workbook.
TAB_COMPARISON = "So sánh"

#: Fields that hold dates in ``Task.values`` (restored from ISO text on load).
DATE_FIELDS = ("doc_date", "extended_deadline", "completed_on", "extension_request", "updated_on")

_COUNT_KEYS = ("total", *CATEGORIES)

#: Schema migrations; entry N-1 brings the file from version N-1 to N. Never
#: edit a released entry: append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1 — initial schema
    """
    CREATE TABLE runs (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        as_of           TEXT NOT NULL,
        previous_cutoff TEXT NOT NULL,
        cutoff          TEXT NOT NULL,
        generated_at    TEXT NOT NULL,
        recorded_at     TEXT NOT NULL,
        version         TEXT NOT NULL,
        config_path     TEXT NOT NULL,
        summary_path    TEXT,
        totals          TEXT NOT NULL,
        unit_count      INTEGER NOT NULL,
        task_count      INTEGER NOT NULL,
        finding_count   INTEGER NOT NULL
    );
    CREATE INDEX runs_period ON runs (cutoff, as_of);
    CREATE TABLE unit_results (
        run_id              INTEGER NOT NULL REFERENCES runs (id),
        position            INTEGER NOT NULL,
        code                TEXT NOT NULL,
        name                TEXT NOT NULL,
        source              TEXT NOT NULL,
        sheet               TEXT,
        source_version      TEXT,
        report_status       TEXT NOT NULL,
        total               INTEGER NOT NULL,
        completed_on_time   INTEGER NOT NULL,
        completed_late      INTEGER NOT NULL,
        in_progress_on_time INTEGER NOT NULL,
        in_progress_overdue INTEGER NOT NULL,
        no_deadline         INTEGER NOT NULL,
        unclassified        INTEGER NOT NULL,
        completion_rate     REAL,
        on_time_rate        REAL,
        PRIMARY KEY (run_id, code)
    );
    CREATE TABLE tasks (
        run_id             INTEGER NOT NULL REFERENCES runs (id),
        position           INTEGER NOT NULL,
        unit               TEXT NOT NULL,
        sheet              TEXT NOT NULL,
        row                INTEGER NOT NULL,
        task_id            TEXT,
        category           TEXT NOT NULL,
        effective_deadline TEXT,
        completed          INTEGER NOT NULL,
        update_state       TEXT NOT NULL,
        days_overdue       INTEGER,
        due_soon           INTEGER NOT NULL,
        fields             TEXT NOT NULL,
        raw                TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
    );
    CREATE INDEX tasks_task_id ON tasks (task_id);
    CREATE TABLE findings (
        run_id   INTEGER NOT NULL REFERENCES runs (id),
        position INTEGER NOT NULL,
        unit     TEXT NOT NULL,
        sheet    TEXT,
        cell     TEXT,
        row      INTEGER,
        field    TEXT,
        code     TEXT NOT NULL,
        severity TEXT NOT NULL,
        value    TEXT,
        message  TEXT NOT NULL,
        PRIMARY KEY (run_id, position)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)


# ----------------------------------------------------------------- snapshots


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> Any:
    """What the JSON encoder cannot write itself: dates as ISO text, anything else as text."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _parse_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _restore_values(values: dict[str, Any]) -> dict[str, Any]:
    """JSON field values back to the shapes of ``Task.values`` (dates as dates)."""
    out = dict(values)
    for name in DATE_FIELDS:
        if isinstance(out.get(name), str):
            out[name] = _parse_date(out[name])
    deadline = out.get("deadline")
    if isinstance(deadline, str) and deadline != "no_deadline":
        out["deadline"] = _parse_date(deadline)
    return out


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One recorded run, as ``ubnd-sync history`` lists it."""

    id: int | None
    as_of: date
    period: Period
    generated_at: str
    recorded_at: str | None
    version: str
    config_path: str | None
    summary_path: str | None
    totals: dict[str, Any]
    unit_count: int
    task_count: int
    finding_count: int

    @property
    def month(self) -> str:
        """The month the run reports on, ``YYYY-MM``: the month of the period's cutoff."""
        return self.period.cutoff.strftime("%Y-%m")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "month": self.month,
            "generated_at": self.generated_at,
            "recorded_at": self.recorded_at,
            "version": self.version,
            "config_path": self.config_path,
            "summary_path": self.summary_path,
            "units": self.unit_count,
            "tasks": self.task_count,
            "findings": self.finding_count,
            "totals": self.totals,
        }


@dataclass(slots=True)
class UnitSnapshot:
    code: str
    name: str
    source: str
    sheet: str | None
    source_version: str | None
    report_status: str
    counts: dict[str, int]
    completion_rate: float | None
    on_time_rate: float | None

    def to_dict(self) -> dict[str, Any]:
        return unit_dict(self)


@dataclass(slots=True)
class TaskSnapshot:
    """A task as recorded. ``values`` has the shapes of ``Task.values``."""

    unit: str
    sheet: str
    row: int
    task_id: str | None
    category: str
    effective_deadline: date | None
    completed: bool
    update_state: str
    days_overdue: int | None
    due_soon: bool
    values: dict[str, Any]
    raw: dict[str, Any]

    @classmethod
    def from_task(cls, t: Task) -> TaskSnapshot:
        return cls(
            unit=t.unit,
            sheet=t.sheet,
            row=t.row,
            task_id=t.task_id,
            category=t.category,
            effective_deadline=t.effective_deadline,
            completed=t.completed,
            update_state=t.update_state,
            days_overdue=t.days_overdue,
            due_soon=t.due_soon,
            values=dict(t.values),
            raw=dict(t.raw),
        )

    def text(self, name: str) -> str | None:
        """A field as a person reads it: the cell as written (dates dd/mm/yyyy)."""
        value = self.values.get(name)
        if isinstance(value, date):
            return value.strftime("%d/%m/%Y")
        raw = self.raw.get(name)
        if raw is None or raw == "":
            return None
        if isinstance(raw, (date, datetime)):
            return raw.strftime("%d/%m/%Y")
        return cell_text(raw) or None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "sheet": self.sheet,
            "row": self.row,
            "task_id": self.task_id,
            "summary": self.values.get("summary"),
            "category": self.category,
            "effective_deadline": _jsonable(self.effective_deadline),
            "days_overdue": self.days_overdue,
        }


@dataclass(slots=True)
class RunSnapshot:
    """Everything a run recorded; also built in memory from a ``RunResult``."""

    info: RunInfo
    units: list[UnitSnapshot]
    tasks: list[TaskSnapshot]
    findings: list[Finding] = field(default_factory=list)

    @property
    def id(self) -> int | None:
        return self.info.id

    @property
    def as_of(self) -> date:
        return self.info.as_of

    @property
    def period(self) -> Period:
        return self.info.period

    @property
    def totals(self) -> dict[str, Any]:
        return self.info.totals

    def unit(self, code: str) -> UnitSnapshot | None:
        for u in self.units:
            if u.code == code:
                return u
        return None

    @classmethod
    def from_result(cls, result: RunResult, *, run_id: int | None = None) -> RunSnapshot:
        info = RunInfo(
            id=run_id,
            as_of=result.as_of,
            period=result.period,
            generated_at=result.generated_at.isoformat(),
            recorded_at=None,
            version=result.version,
            config_path=None,
            summary_path=result.summary_path,
            totals=json.loads(json.dumps(result.totals)),
            unit_count=len(result.units),
            task_count=len(result.tasks),
            finding_count=len(result.findings),
        )
        units = [
            UnitSnapshot(
                code=u.code,
                name=u.name,
                source=u.source,
                sheet=u.sheet,
                source_version=u.source_version,
                report_status=u.report_status,
                counts={k: u.counts.get(k, 0) for k in _COUNT_KEYS},
                completion_rate=u.completion_rate,
                on_time_rate=u.on_time_rate,
            )
            for u in result.units
        ]
        return cls(info, units, [TaskSnapshot.from_task(t) for t in result.tasks], list(result.findings))

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of contract §6, plus the run id."""
        return {
            "run_id": self.id,
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "units": [u.to_dict() for u in self.units],
            "totals": self.totals,
            "findings": [f.to_dict() for f in self.findings],
        }


def _snapshot(run: RunSnapshot | RunResult) -> RunSnapshot:
    return run if isinstance(run, RunSnapshot) else RunSnapshot.from_result(run)


# ----------------------------------------------------------------- the database


class History:
    """The SQLite history file. Use as a context manager::

        with History(config.history_path) as h:
            prev = h.previous_run(result.as_of, result.period)
            run_id = h.record(result, config_path=str(config.path))

    ``create=False`` opens an existing file only (for ``history``, ``diff``,
    ``report``) and raises ``HistoryError`` when there is none.
    """

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise HistoryError(
                f"chưa có lịch sử tổng hợp ({self.path}). Chạy “ubnd-sync sync” (không dùng --dry-run) "
                "ít nhất một lần để bắt đầu ghi lịch sử."
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._conn: sqlite3.Connection | None = sqlite3.connect(
                str(self.path), isolation_level=None, timeout=30
            )
        except (OSError, sqlite3.Error) as e:
            raise HistoryError(f"không mở được tệp lịch sử {self.path}: {e}") from e
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            self.close()
            raise HistoryError(
                f"tệp lịch sử {self.path} bị hỏng hoặc không phải tệp lịch sử của ubnd-sync ({e}). "
                "Tệp được giữ nguyên; sao lưu tệp rồi báo nhóm phát triển."
            ) from e
        except BaseException:
            self.close()
            raise

    # -- lifecycle

    def __enter__(self) -> History:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise HistoryError("tệp lịch sử đã đóng")
        return self._conn

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise HistoryError(
                f"tệp lịch sử {self.path} được tạo bởi phiên bản ubnd-sync mới hơn (lược đồ {current}, "
                f"phiên bản này chỉ hiểu đến {len(MIGRATIONS)}). Cập nhật ubnd-sync; tệp được giữ nguyên."
            )
        if current == len(MIGRATIONS):
            return
        has_tables = self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
        if current > 0 or has_tables:
            backup = self.path.with_name(f"{self.path.name}.v{current}.bak")
            if not backup.exists():
                dest = sqlite3.connect(str(backup))
                try:
                    self.conn.backup(dest)
                finally:
                    dest.close()
        for version in range(current + 1, len(MIGRATIONS) + 1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                for statement in _statements(MIGRATIONS[version - 1]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {version}")
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    # -- writing

    def record(
        self, result: RunResult, *, config_path: str, before_commit: Callable[[], object] | None = None
    ) -> int:
        """Record one run in one transaction; returns its id. Never leaves a partial snapshot.

        ``before_commit`` runs inside the transaction, after every row is in and
        before COMMIT (the CLI finishes the summary there): if it raises, the
        snapshot is rolled back and the exception goes on.
        """
        # the C encoder with a fallback for dates: much faster than mapping each value first
        dumps = functools.partial(json.dumps, ensure_ascii=False, default=_json_default)
        totals = json.dumps(_jsonable_tree(result.totals), ensure_ascii=False)
        run_row = (
            result.as_of.isoformat(),
            result.period.previous_cutoff.isoformat(),
            result.period.cutoff.isoformat(),
            result.generated_at.isoformat(),
            datetime.now().astimezone().replace(microsecond=0).isoformat(),
            result.version,
            config_path,
            result.summary_path,
            totals,
            len(result.units),
            len(result.tasks),
            len(result.findings),
        )
        unit_rows = [
            (
                i,
                u.code,
                u.name,
                u.source,
                u.sheet,
                u.source_version,
                u.report_status,
                *(int(u.counts.get(k, 0)) for k in _COUNT_KEYS),
                u.completion_rate,
                u.on_time_rate,
            )
            for i, u in enumerate(result.units)
        ]
        tasks = result.tasks

        def task_rows(run_id: int, start: int, stop: int) -> Iterator[tuple[Any, ...]]:
            # a generator: rows are encoded as SQLite takes them, never all held at once
            for i in range(start, stop):
                t = tasks[i]
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
                    dumps(t.values),
                    dumps(t.raw),
                )

        finding_rows = [
            (
                i,
                f.unit,
                f.sheet,
                f.cell,
                f.row,
                f.field,
                f.code,
                f.severity,
                json.dumps(_jsonable(f.value), ensure_ascii=False),
                f.message,
            )
            for i, f in enumerate(result.findings)
        ]
        conn = self.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.execute(
                "INSERT INTO runs (as_of, previous_cutoff, cutoff, generated_at, recorded_at, version, "
                "config_path, summary_path, totals, unit_count, task_count, finding_count) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                run_row,
            )
            run_id = cur.lastrowid
            assert run_id is not None
            conn.executemany(
                "INSERT INTO unit_results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(run_id, *r) for r in unit_rows],
            )
            half = len(tasks) // 2
            task_sql = "INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
            conn.executemany(task_sql, task_rows(run_id, 0, half))
            if os.environ.get(KILL_ENV) == KILL_POINT:  # test hook, see module docstring
                os.kill(os.getpid(), signal.SIGKILL)
            conn.executemany(task_sql, task_rows(run_id, half, len(tasks)))
            conn.executemany(
                "INSERT INTO findings VALUES (?,?,?,?,?,?,?,?,?,?,?)", [(run_id, *r) for r in finding_rows]
            )
            if before_commit is not None:
                before_commit()
            conn.execute("COMMIT")
        except BaseException as e:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise HistoryError(
                    f"không ghi được lịch sử vào {self.path}: {e}. "
                    "Lịch sử các lần trước vẫn nguyên vẹn. Kiểm tra dung lượng đĩa, quyền ghi rồi chạy lại."
                ) from e
            raise
        return int(run_id)

    # -- reading

    def _info(self, row: sqlite3.Row | tuple[Any, ...]) -> RunInfo:
        (rid, as_of, prev, cutoff, gen, rec, version, cfg, summary, totals, nu, nt, nf) = row
        return RunInfo(
            id=int(rid),
            as_of=date.fromisoformat(as_of),
            period=Period(date.fromisoformat(prev), date.fromisoformat(cutoff)),
            generated_at=gen,
            recorded_at=rec,
            version=version,
            config_path=cfg,
            summary_path=summary,
            totals=json.loads(totals),
            unit_count=int(nu),
            task_count=int(nt),
            finding_count=int(nf),
        )

    _RUN_COLUMNS = (
        "id, as_of, previous_cutoff, cutoff, generated_at, recorded_at, version, config_path, "
        "summary_path, totals, unit_count, task_count, finding_count"
    )

    def runs(self) -> list[RunInfo]:
        """Every recorded run, oldest first."""
        rows = self.conn.execute(f"SELECT {self._RUN_COLUMNS} FROM runs ORDER BY id").fetchall()
        return [self._info(r) for r in rows]

    def run_info(self, run_id: int) -> RunInfo | None:
        row = self.conn.execute(f"SELECT {self._RUN_COLUMNS} FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else self._info(row)

    def latest_run(self) -> RunInfo | None:
        row = self.conn.execute(
            f"SELECT {self._RUN_COLUMNS} FROM runs ORDER BY as_of DESC, id DESC LIMIT 1"
        ).fetchone()
        return None if row is None else self._info(row)

    def run_on_or_before(self, day: date) -> RunInfo | None:
        """The latest run whose as-of date is on or before ``day``."""
        row = self.conn.execute(
            f"SELECT {self._RUN_COLUMNS} FROM runs WHERE as_of <= ? ORDER BY as_of DESC, id DESC LIMIT 1",
            (day.isoformat(),),
        ).fetchone()
        return None if row is None else self._info(row)

    def run_for_month(self, month: str) -> RunInfo | None:
        """The latest run reporting on ``month`` (``YYYY-MM``: its period's cutoff falls in it)."""
        row = self.conn.execute(
            f"SELECT {self._RUN_COLUMNS} FROM runs WHERE substr(cutoff, 1, 7) = ? "
            "ORDER BY as_of DESC, id DESC LIMIT 1",
            (month,),
        ).fetchone()
        return None if row is None else self._info(row)

    def previous_info(self, as_of: date, period: Period) -> RunInfo | None:
        """The latest run of an earlier period than ``period`` (as of no later than ``as_of``)."""
        row = self.conn.execute(
            f"SELECT {self._RUN_COLUMNS} FROM runs WHERE cutoff < ? AND as_of <= ? "
            "ORDER BY cutoff DESC, as_of DESC, id DESC LIMIT 1",
            (period.cutoff.isoformat(), as_of.isoformat()),
        ).fetchone()
        return None if row is None else self._info(row)

    def previous_run(self, as_of: date, period: Period) -> RunSnapshot | None:
        """The latest recorded run of an EARLIER period, loaded; None when there is none."""
        info = self.previous_info(as_of, period)
        return None if info is None or info.id is None else self.load(info.id)

    def load(self, run_id: int) -> RunSnapshot:
        """One recorded run in full; ``HistoryError`` when there is no such run."""
        info = self.run_info(run_id)
        if info is None:
            raise HistoryError(f"không có lần tổng hợp số {run_id} trong lịch sử ({self.path})")
        units = [
            UnitSnapshot(
                code=r[0],
                name=r[1],
                source=r[2],
                sheet=r[3],
                source_version=r[4],
                report_status=r[5],
                counts=dict(zip(_COUNT_KEYS, (int(x) for x in r[6:13]), strict=True)),
                completion_rate=r[13],
                on_time_rate=r[14],
            )
            for r in self.conn.execute(
                "SELECT code, name, source, sheet, source_version, report_status, "
                + ", ".join(_COUNT_KEYS)
                + ", completion_rate, on_time_rate FROM unit_results WHERE run_id = ? ORDER BY position",
                (run_id,),
            )
        ]
        tasks = [
            TaskSnapshot(
                unit=r[0],
                sheet=r[1],
                row=int(r[2]),
                task_id=r[3],
                category=r[4],
                effective_deadline=_parse_date(r[5]),
                completed=bool(r[6]),
                update_state=r[7],
                days_overdue=r[8],
                due_soon=bool(r[9]),
                values=_restore_values(json.loads(r[10])),
                raw=json.loads(r[11]),
            )
            for r in self.conn.execute(
                "SELECT unit, sheet, row, task_id, category, effective_deadline, completed, update_state, "
                "days_overdue, due_soon, fields, raw FROM tasks WHERE run_id = ? ORDER BY position",
                (run_id,),
            )
        ]
        findings = [
            Finding(
                unit=r[0],
                sheet=r[1],
                cell=r[2],
                row=r[3],
                field=r[4],
                code=r[5],
                severity=r[6],
                value=json.loads(r[7]) if r[7] is not None else None,
                message=r[8],
            )
            for r in self.conn.execute(
                "SELECT unit, sheet, cell, row, field, code, severity, value, message FROM findings "
                "WHERE run_id = ? ORDER BY position",
                (run_id,),
            )
        ]
        return RunSnapshot(info, units, tasks, findings)

    def check(self) -> list[str]:
        """Consistency problems (empty when the file is sound): integrity and orphan rows."""
        problems = [r[0] for r in self.conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
        for table in ("unit_results", "tasks", "findings"):
            n = self.conn.execute(
                f"SELECT count(*) FROM {table} WHERE run_id NOT IN (SELECT id FROM runs)"
            ).fetchone()[0]
            if n:
                problems.append(f"{table}: {n} dòng không thuộc lần chạy nào")
        for info in self.runs():
            (n_units,) = self.conn.execute(
                "SELECT count(*) FROM unit_results WHERE run_id = ?", (info.id,)
            ).fetchone()
            (n_tasks,) = self.conn.execute(
                "SELECT count(*) FROM tasks WHERE run_id = ?", (info.id,)
            ).fetchone()
            (n_find,) = self.conn.execute(
                "SELECT count(*) FROM findings WHERE run_id = ?", (info.id,)
            ).fetchone()
            if (n_units, n_tasks, n_find) != (info.unit_count, info.task_count, info.finding_count):
                problems.append(f"lần chạy {info.id}: số dòng không khớp")
        return problems


def _statements(script: str) -> Iterator[str]:
    for part in script.split(";"):
        if part.strip():
            yield part.strip()


def _jsonable_tree(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable_tree(v) for k, v in value.items()}
    return _jsonable(value)


# ----------------------------------------------------------------- diffs


def _task_keys(tasks: Iterable[TaskSnapshot]) -> dict[str, TaskSnapshot]:
    """Tasks by identity: the task id (case-folded); a repeated or missing id falls back to place."""
    out: dict[str, TaskSnapshot] = {}
    for t in tasks:
        key = t.task_id.casefold() if t.task_id else f"{t.unit}!{t.sheet}!{t.row}"
        if key in out:
            n = 2
            while f"{key}#{n}" in out:
                n += 1
            key = f"{key}#{n}"
        out[key] = t
    return out


def _deadline_value(t: TaskSnapshot, name: str) -> str | None:
    value = t.values.get(name)
    if isinstance(value, date):
        return value.isoformat()
    if value == "no_deadline":
        return "no_deadline"
    return t.text(name)


@dataclass(slots=True)
class TaskChange:
    """One task in a diff, with what it was and what it is."""

    key: str
    unit: str
    task_id: str | None
    summary: str | None
    old_category: str | None
    new_category: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "task_id": self.task_id,
            "summary": self.summary,
            "old_category": self.old_category,
            "new_category": self.new_category,
            **self.detail,
        }


@dataclass(slots=True)
class UnitChange:
    code: str
    name: str
    old_status: str | None
    new_status: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "old_report_status": self.old_status,
            "new_report_status": self.new_status,
        }


@dataclass(slots=True)
class Diff:
    """What changed between two runs (``old`` earlier, ``new`` later).

    * ``newly_completed``: completed in ``new``, not completed in ``old`` (tasks
      new since ``old`` included, marked ``"new": true``);
    * ``newly_overdue``: overdue in ``new``, not overdue in ``old`` (same rule);
    * ``deadline_changes``: the deadline or the approved extension changed;
    * ``new_tasks`` / ``vanished_tasks``: by task id;
    * ``report_status_changes``: units whose report status changed (or that
      appeared in / disappeared from the config).
    """

    old: RunInfo
    new: RunInfo
    newly_completed: list[TaskChange] = field(default_factory=list)
    newly_overdue: list[TaskChange] = field(default_factory=list)
    deadline_changes: list[TaskChange] = field(default_factory=list)
    new_tasks: list[TaskChange] = field(default_factory=list)
    vanished_tasks: list[TaskChange] = field(default_factory=list)
    report_status_changes: list[UnitChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.newly_completed
            or self.newly_overdue
            or self.deadline_changes
            or self.new_tasks
            or self.vanished_tasks
            or self.report_status_changes
        )

    def to_dict(self) -> dict[str, Any]:
        def totals(info: RunInfo) -> dict[str, Any]:
            return info.totals

        return {
            "old": {
                "run_id": self.old.id,
                "as_of": self.old.as_of.isoformat(),
                "period": self.old.period.to_dict(),
            },
            "new": {
                "run_id": self.new.id,
                "as_of": self.new.as_of.isoformat(),
                "period": self.new.period.to_dict(),
            },
            "totals": {"old": totals(self.old), "new": totals(self.new)},
            "newly_completed": [c.to_dict() for c in self.newly_completed],
            "newly_overdue": [c.to_dict() for c in self.newly_overdue],
            "deadline_changes": [c.to_dict() for c in self.deadline_changes],
            "new_tasks": [c.to_dict() for c in self.new_tasks],
            "vanished_tasks": [c.to_dict() for c in self.vanished_tasks],
            "report_status_changes": [c.to_dict() for c in self.report_status_changes],
        }


def _change(
    key: str, before: TaskSnapshot | None, after: TaskSnapshot | None, /, **detail: Any
) -> TaskChange:
    t = after or before
    assert t is not None
    return TaskChange(
        key=key,
        unit=t.unit,
        task_id=t.task_id,
        summary=t.values.get("summary"),
        old_category=before.category if before else None,
        new_category=after.category if after else None,
        detail=detail,
    )


def diff(old: RunSnapshot | RunResult, new: RunSnapshot | RunResult) -> Diff:
    """What changed from ``old`` to ``new`` (either a recorded run or a fresh result)."""
    a, b = _snapshot(old), _snapshot(new)
    out = Diff(old=a.info, new=b.info)
    old_tasks, new_tasks = _task_keys(a.tasks), _task_keys(b.tasks)
    for key, nt in new_tasks.items():
        ot = old_tasks.get(key)
        is_new = ot is None
        if is_new:
            out.new_tasks.append(_change(key, None, nt, deadline=_deadline_value(nt, "deadline")))
        if nt.completed and (ot is None or not ot.completed):
            completed_on = nt.values.get("completed_on")
            out.newly_completed.append(_change(key, ot, nt, new=is_new, completed_on=_jsonable(completed_on)))
        if nt.category == "in_progress_overdue" and (ot is None or ot.category != "in_progress_overdue"):
            out.newly_overdue.append(
                _change(
                    key,
                    ot,
                    nt,
                    new=is_new,
                    effective_deadline=_jsonable(nt.effective_deadline),
                    days_overdue=nt.days_overdue,
                )
            )
        if ot is not None:
            changed = {}
            for name in ("deadline", "extended_deadline"):
                before, after = _deadline_value(ot, name), _deadline_value(nt, name)
                if before != after:
                    changed[name] = {"old": before, "new": after}
            if changed:
                out.deadline_changes.append(_change(key, ot, nt, changes=changed))
    for key, ot in old_tasks.items():
        if key not in new_tasks:
            out.vanished_tasks.append(_change(key, ot, None))
    old_units = {u.code: u for u in a.units}
    new_units = {u.code: u for u in b.units}
    for code, nu in new_units.items():
        ou = old_units.get(code)
        if ou is None or ou.report_status != nu.report_status:
            out.report_status_changes.append(
                UnitChange(code, nu.name, ou.report_status if ou else None, nu.report_status)
            )
    for code, ou in old_units.items():
        if code not in new_units:
            out.report_status_changes.append(UnitChange(code, ou.name, ou.report_status, None))
    return out


# ----------------------------------------------------------------- the "So sánh" tab


def _delta(a: float | int | None, b: float | int | None, *, digits: int | None = None) -> float | int | None:
    if a is None or b is None:
        return None
    d = a - b
    return round(d, digits) if digits is not None else d


def _completed(counts: dict[str, int]) -> int:
    return int(counts.get("completed_on_time", 0)) + int(counts.get("completed_late", 0))


def comparison_table(result: RunResult, previous: RunSnapshot | None) -> Table:
    """The ``So sánh`` tab: per unit, this run against the latest run of an earlier period.

    Columns per measure: this period, the previous one, and the change (rates in
    percentage points). With no previous run, a note row says so and the unit
    rows carry this period's figures only.
    """
    now = f"kỳ {result.period.cutoff:%m/%Y}"
    before = f"kỳ {previous.period.cutoff:%m/%Y}" if previous else "kỳ trước"
    cols = [Column("Mã đơn vị", 11), Column("Đơn vị", 36)]
    measures = [
        ("Tổng số", "int"),
        ("Đã hoàn thành", "int"),
        ("Đang thực hiện quá hạn", "int"),
        ("Tỷ lệ hoàn thành", "percent"),
        ("Tỷ lệ đúng hạn", "percent"),
    ]
    for title, kind in measures:
        cols += [
            Column(f"{title} – {now}", 13, kind),
            Column(f"{title} – {before}", 13, kind),
            Column(f"{title} – tăng (+)/giảm (−)", 13, kind),
        ]
    cols += [Column(f"Tình trạng báo cáo – {now}", 20), Column(f"Tình trạng báo cáo – {before}", 20)]
    t = Table(TAB_COMPARISON, cols)

    def values(counts: dict[str, Any] | None, cr: float | None, otr: float | None) -> list[Any]:
        if counts is None:
            return [None] * 5
        return [
            int(counts.get("total", 0)),
            _completed(counts),
            int(counts.get("in_progress_overdue", 0)),
            cr,
            otr,
        ]

    def row(code: str, name: str, cur: list[Any], prev: list[Any], s_now: str, s_before: str) -> list[Any]:
        cells: list[Any] = [code, name]
        for i in range(5):
            cells += [cur[i], prev[i], _delta(cur[i], prev[i], digits=4 if i >= 3 else None)]
        return [*cells, s_now, s_before]

    note: list[Any] = [None] * len(cols)
    if previous is None:
        note[1] = (
            "Chưa có lần tổng hợp nào của kỳ trước trong lịch sử để so sánh (đây là kỳ đầu tiên được ghi "
            "lịch sử). Từ kỳ sau, bảng này so sánh từng đơn vị với kỳ trước."
        )
        t.add(note, "due_soon")
    else:
        note[1] = (
            f"So sánh lần tổng hợp ngày {result.as_of:%d/%m/%Y} (kỳ đến {result.period.cutoff:%d/%m/%Y}) với "
            f"lần tổng hợp số {previous.id} ngày {previous.as_of:%d/%m/%Y} "
            f"(kỳ đến {previous.period.cutoff:%d/%m/%Y})."
        )
        t.add(note)
    prev_units = {u.code: u for u in previous.units} if previous else {}
    for u in result.units:
        p = prev_units.get(u.code)
        t.add(
            row(
                u.code,
                u.name,
                values(u.counts, u.completion_rate, u.on_time_rate),
                values(p.counts, p.completion_rate, p.on_time_rate) if p else [None] * 5,
                REPORT_STATUS_LABELS[u.report_status],
                REPORT_STATUS_LABELS.get(p.report_status, p.report_status) if p else "",
            )
        )
    current_codes = {u.code for u in result.units}
    for p in previous.units if previous else []:
        if p.code not in current_codes:
            t.add(
                row(
                    p.code,
                    f"{p.name} (không còn trong cấu hình)",
                    [None] * 5,
                    values(p.counts, p.completion_rate, p.on_time_rate),
                    "",
                    REPORT_STATUS_LABELS.get(p.report_status, p.report_status),
                )
            )
    pt = previous.totals if previous else None
    t.add(
        row(
            "",
            "Tổng cộng",
            values(result.totals["counts"], result.totals["completion_rate"], result.totals["on_time_rate"]),
            values(pt["counts"], pt["completion_rate"], pt["on_time_rate"]) if pt else [None] * 5,
            "",
            "",
        ),
        "total",
    )
    return t


__all__ = [
    "DATE_FIELDS",
    "KILL_ENV",
    "KILL_POINT",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "TAB_COMPARISON",
    "Diff",
    "History",
    "HistoryError",
    "RunInfo",
    "RunSnapshot",
    "TaskChange",
    "TaskSnapshot",
    "UnitChange",
    "UnitSnapshot",
    "comparison_table",
    "diff",
]
