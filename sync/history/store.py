"""The history file: opening it, its schema and migrations, and the ``History`` handle.

* the schema is versioned with ``PRAGMA user_version`` and upgraded by the
  ``MIGRATIONS`` below, each in its own transaction, after a backup copy of a
  non-empty file (``<name>.v<N>.bak``);
* a file written by a newer version of ubnd-sync, or a damaged file, is an
  error, never overwritten.

Tables (schema version 6): ``runs`` (as-of, period, totals, where it came
from; whether it was a deliberate back-dated run, when and why it was voided,
the digest of its data), ``unit_results`` (per unit: its kind, report status, counts, rates, the source
and the source version read), ``tasks`` (per task: its fields as parsed and as
written, its category, effective deadline, days overdue, update state),
``findings`` and ``deliveries`` (the reminders sent, per channel and e-mail address). Version 5
adds no column: it records idle units of earlier runs as ``no_tasks``; version 6 adds the
address of each e-mail delivery.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from sync.extension import RequestDates
from sync.history import changes, deliveries, queries, snapshot, standing, turns
from sync.history.changes import Diff
from sync.history.errors import HistoryError, busy_message, is_busy
from sync.history.records import RecordOutcome, RunInfo, RunSnapshot
from sync.model import Period, RunResult

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
    # 2 — back-dated and void runs, the digest of a run's data (identical re-runs).
    # A run recorded with an as-of before that of a run recorded earlier was back-dated
    # (version 1 let it through silently): it is flagged so it is never taken as "the latest".
    """
    ALTER TABLE runs ADD COLUMN backdated INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE runs ADD COLUMN voided_at TEXT;
    ALTER TABLE runs ADD COLUMN void_reason TEXT;
    ALTER TABLE runs ADD COLUMN digest TEXT;
    UPDATE runs SET backdated = 1
        WHERE as_of < (SELECT max(earlier.as_of) FROM runs AS earlier WHERE earlier.id < runs.id);
    CREATE INDEX runs_day ON runs (as_of, id)
    """,
    # 3 — the unit's kind (config ``kind``). Units of runs recorded before kinds existed get the
    # kind their name says: “UBND huyện/thị xã/thành phố …” (district committees, before
    # 01/07/2025) ``huyen``, “UBND xã/phường/đặc khu …” ``xa``/``phuong``/``dac-khu``; every other
    # unit ``so-nganh`` (the default of the config key).
    """
    ALTER TABLE unit_results ADD COLUMN kind TEXT NOT NULL DEFAULT 'so-nganh';
    UPDATE unit_results SET kind = 'huyen'
        WHERE name GLOB 'UBND huyện *' OR name GLOB 'UBND thị xã *' OR name GLOB 'UBND thành phố *';
    UPDATE unit_results SET kind = 'xa' WHERE name GLOB 'UBND xã *';
    UPDATE unit_results SET kind = 'phuong' WHERE name GLOB 'UBND phường *';
    UPDATE unit_results SET kind = 'dac-khu' WHERE name GLOB 'UBND đặc khu *'
    """,
    # 4 — reminders delivered to units (``ubnd-sync remind``): one row per attempt, so a
    # notice already sent in a period is never sent again and a failed one is retried.
    # (IF NOT EXISTS: some development builds created this table as version 3.)
    """
    CREATE TABLE IF NOT EXISTS deliveries (
        id          INTEGER PRIMARY KEY,
        run_id      INTEGER NOT NULL REFERENCES runs(id),
        unit        TEXT NOT NULL,
        channel     TEXT NOT NULL,
        cutoff      TEXT NOT NULL,
        digest      TEXT NOT NULL,
        recipients  TEXT NOT NULL,
        status      TEXT NOT NULL,
        detail      TEXT,
        at          TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS deliveries_key ON deliveries (unit, channel, cutoff, digest, status)
    """,
    # 5 — the report status ``no_tasks`` (contract §3: a readable, valid unit with no task row is
    # neither on time nor late). Earlier versions recorded such a unit ``on_time`` with 0 tasks; it
    # becomes ``no_tasks`` unless the register gave it tasks its sheet lacked (``task-missing``
    # findings of that run): then what it was owed is not known here, and the status stays.
    """
    UPDATE unit_results SET report_status = 'no_tasks'
        WHERE report_status = 'on_time' AND total = 0
        AND NOT EXISTS (
            SELECT 1 FROM findings
            WHERE findings.run_id = unit_results.run_id AND findings.unit = unit_results.code
            AND findings.code = 'task-missing'
        )
    """,
    # 6 — e-mail deliveries per address (``sync.history.deliveries``): one row per address and attempt,
    # ``sending`` before the message's final dot, then ``sent`` or ``failed``; ``refused`` for an address
    # the server did not take. Rows written before (no address) stand for the addresses they list.
    """
    ALTER TABLE deliveries ADD COLUMN address TEXT
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

#: seconds a sync waits for another one that is writing the history before it gives up
BUSY_TIMEOUT = 30.0


def _statements(script: str) -> Iterator[str]:
    for part in script.split(";"):
        if part.strip():
            yield part.strip()


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return sqlite3.connect(str(path), isolation_level=None, timeout=BUSY_TIMEOUT)
    except (OSError, sqlite3.Error) as e:
        raise HistoryError(f"không mở được tệp lịch sử {path}: {e}") from e


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def _back_up(conn: sqlite3.Connection, path: Path, version: int) -> None:
    """A copy of a file about to be migrated, once per version: ``<name>.v<version>.bak``."""
    backup = path.with_name(f"{path.name}.v{version}.bak")
    if backup.exists():
        return
    dest = sqlite3.connect(str(backup))
    try:
        conn.backup(dest)
    finally:
        dest.close()


def _apply(conn: sqlite3.Connection, version: int) -> None:
    """Migration ``version`` in its own transaction, unless another process applied it meanwhile.

    Two first-ever syncs started together both see an empty file; the one that waits for the
    write lock finds the schema made when it gets the lock, and goes on.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
        if schema_version(conn) >= version:
            conn.execute("COMMIT")
            return
        for statement in _statements(MIGRATIONS[version - 1]):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {version}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file at ``path`` to the latest schema (backing it up first when it has data)."""
    current = schema_version(conn)
    if current > len(MIGRATIONS):
        raise HistoryError(
            f"tệp lịch sử {path} được tạo bởi phiên bản ubnd-sync mới hơn (lược đồ {current}, "
            f"phiên bản này chỉ hiểu đến {len(MIGRATIONS)}). Cập nhật ubnd-sync; tệp được giữ nguyên."
        )
    if current == len(MIGRATIONS):
        return
    has_tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0
    if current > 0 or has_tables:
        _back_up(conn, path, current)
    for version in range(current + 1, len(MIGRATIONS) + 1):
        _apply(conn, version)


class History:
    """The SQLite history file. Use as a context manager::

        check_as_of(config.history_path, as_of, backdated=False)  # before reading the units
        with History(config.history_path) as h:
            prev = h.previous_run(result.as_of, result.period)
            outcome = h.record(result, config_path=str(config.path))

    ``create=False`` opens an existing file only (for ``history``, ``diff``,
    ``report``) and raises ``HistoryError`` when there is none. The reading
    methods are those of :mod:`sync.history.queries`, on this file.
    """

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise HistoryError(
                f"chưa có lịch sử tổng hợp ({self.path}). Chạy “ubnd-sync sync” (không dùng --dry-run) "
                "ít nhất một lần để bắt đầu ghi lịch sử."
            )
        self._conn: sqlite3.Connection | None = _connect(self.path)
        try:
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._conn.execute("PRAGMA synchronous = FULL")
            migrate(self._conn, self.path)
        except sqlite3.DatabaseError as e:
            self.close()
            if is_busy(e):
                raise HistoryError(busy_message(self.path)) from e
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
        self, _exc_type: type[BaseException] | None, _exc: BaseException | None, _tb: TracebackType | None
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
        return schema_version(self.conn)

    # -- writing

    def check_as_of(self, as_of: date, *, backdated: bool) -> bool:
        """Whether a run as of ``as_of`` would be back-dated; ``BackdatedRunError`` unless ``backdated``.

        See :func:`sync.history.standing.check_as_of`.
        """
        try:
            return standing.check_as_of(self.conn, as_of, backdated=backdated)
        except sqlite3.OperationalError as e:  # another sync holds the file past the busy timeout
            if is_busy(e):
                raise HistoryError(busy_message(self.path)) from e
            raise

    def record(
        self,
        result: RunResult,
        *,
        config_path: str,
        before_commit: Callable[[], object] | None = None,
        backdated: bool = False,
    ) -> RecordOutcome:
        """Record one run in one transaction (see :func:`sync.history.snapshot.record`).

        Returns the run's id, or the id of the newest run of the same as-of whose
        data is identical (then nothing is added: ``outcome.duplicate_of``).
        ``backdated``: the person asked for a back-dated run (``--back-dated``);
        without it a run dated before the latest is refused (``BackdatedRunError``).
        ``before_commit`` runs after every row is in and before COMMIT (the CLI
        finishes the summary there): if it raises, nothing is recorded.
        """
        return snapshot.record(
            self.conn,
            self.path,
            result,
            config_path=config_path,
            before_commit=before_commit,
            backdated=backdated,
        )

    def sent_before(self, unit: str, channel: str, cutoff: date, digest: str) -> str | None:
        """When this notice was already sent in the period (``sync.history.deliveries``)."""
        return deliveries.sent_before(self.conn, unit, channel, cutoff, digest)

    def record_delivery(self, **attempt: Any) -> list[int]:
        """Record the rows of one delivery attempt at once; their ids (``sync.history.deliveries.record``)."""
        return deliveries.record(self.conn, self.path, **attempt)

    def delivery_standing(
        self, unit: str, channel: str, cutoff: date, digest: str
    ) -> dict[str, deliveries.AddressState]:
        """Per address, where this notice stands in the period (``sync.history.deliveries.standing``)."""
        return deliveries.standing(self.conn, unit, channel, cutoff, digest)

    def conclude_delivery(self, ids: list[int], status: str, detail: str) -> None:
        """The end of an attempt recorded by :meth:`record_delivery`."""
        deliveries.conclude(self.conn, self.path, ids, status, detail)

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the file's write lock (no other sync is recording meanwhile); nothing is written."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            if is_busy(e):
                raise HistoryError(busy_message(self.path)) from e
            raise HistoryError(f"không mở được tệp lịch sử {self.path}: {e}") from e
        try:
            yield
        finally:
            self.conn.execute("ROLLBACK")

    def remind_turn(self) -> contextlib.AbstractContextManager[None]:
        """Hold the file's remind lock (one ``remind`` at a time; ``sync.history.turns``), waiting as a sync does."""
        return turns.remind_turn(self.path, wait=BUSY_TIMEOUT)

    def newest_run_id(self) -> int | None:
        """The highest run id in the file (void and back-dated runs too), as this connection sees it."""
        newest = self.conn.execute("SELECT max(id) FROM runs").fetchone()[0]
        return None if newest is None else int(newest)

    def void(self, run_id: int, reason: str) -> RunInfo:
        """Mark run ``run_id`` void (kept, read by nothing); see :func:`sync.history.standing.void`."""
        return standing.void(self.conn, self.path, run_id, reason)

    # -- reading

    def runs(self, *, include_void: bool = False) -> list[RunInfo]:
        """The recorded runs, oldest first: back-dated ones flagged, void ones only with ``include_void``."""
        return queries.runs(self.conn, include_void=include_void)

    def run_info(self, run_id: int) -> RunInfo | None:
        return queries.run_info(self.conn, run_id)

    def latest_run(self) -> RunInfo | None:
        """The latest regular run: neither void nor back-dated."""
        return queries.latest_run(self.conn)

    def run_on_or_before(self, day: date) -> RunInfo | None:
        """The latest regular run whose as-of date is on or before ``day``."""
        return queries.run_on_or_before(self.conn, day)

    def run_for_month(self, month: str, *, backdated: bool = False) -> RunInfo | None:
        """The run reporting on ``month`` (``YYYY-MM``): its latest regular run; with ``backdated``,
        a back-dated run when the month has no regular one (see :func:`sync.history.queries.run_for_month`)."""
        return queries.run_for_month(self.conn, month, backdated=backdated)

    def previous_info(self, as_of: date, period: Period) -> RunInfo | None:
        """The latest regular run of an earlier period than ``period`` (as of no later than ``as_of``)."""
        return queries.previous_info(self.conn, as_of, period)

    def previous_run(self, as_of: date, period: Period) -> RunSnapshot | None:
        """The latest regular run of an EARLIER period, loaded; None when there is none."""
        info = self.previous_info(as_of, period)
        return None if info is None or info.id is None else self.load(info.id)

    def load(self, run_id: int) -> RunSnapshot:
        """One recorded run in full; ``HistoryError`` when there is no such run."""
        return queries.load(self.conn, run_id, where=str(self.path))

    def newer_run(self, run_id: int | None) -> RunInfo:
        """The later run of ``ubnd-sync diff``: run ``run_id`` (not void), or the latest run when it is None."""
        return queries.newer_run(self.conn, run_id)

    def older_run(self, new: RunInfo, since: int | date | None) -> RunInfo:
        """The earlier run of ``ubnd-sync diff`` against ``new`` (see :func:`sync.history.queries.older_run`)."""
        return queries.older_run(self.conn, new, since)

    def diff(self, old: RunInfo, new: RunInfo) -> Diff:
        """What changed from recorded run ``old`` to recorded run ``new``."""
        assert old.id is not None and new.id is not None
        return changes.diff(self.load(old.id), self.load(new.id))

    def request_dates(self, as_of: date) -> RequestDates:
        """When the extension requests seen by runs as of ``as_of`` or earlier were made."""
        return queries.request_dates(self.conn, as_of)

    def check(self) -> list[str]:
        """Consistency problems (empty when the file is sound): integrity and orphan rows."""
        return queries.check(self.conn)


def check_as_of(path: str | Path, as_of: date, *, backdated: bool) -> bool:
    """``History.check_as_of`` on the file at ``path``, before a sync reads anything.

    Without a history file there is no earlier run: False, and no file is made.
    """
    if not Path(path).exists():
        return False
    with History(path) as h:
        return h.check_as_of(as_of, backdated=backdated)


__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "History", "check_as_of", "migrate", "schema_version"]
