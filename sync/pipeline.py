"""The sync and validate use cases, from Python: what ``ubnd-sync sync`` and ``validate`` do, without click.

``sync_and_record(config, as_of)`` reads and checks every unit (``sync.engine.run_sync``),
builds the summary's tables with the ``So sánh`` tab against the history's previous run,
writes the summary through the configured backend and records the run in the history in
one transaction, then lets the backend remember what it read (``Backend.commit``)::

    from sync.config import load_config
    from sync.pipeline import sync_and_record

    outcome = sync_and_record(load_config("ubnd-sync.toml"), date(2024, 3, 5))
    outcome.result.to_dict()   # the JSON document of contract §6
    outcome.summary            # where the summary went (a path or a Google Sheets URL)
    outcome.warnings           # things a person should know; the run still succeeded
    outcome.recorded           # what the history got (a new run, or "identical to run N")

``validate_units(config, as_of)`` is the same reading and checking, writing nothing.

A sync dated before the latest recorded run is refused (``BackdatedRunError``) before
anything is read, unless ``back_dated=True`` asks for a deliberate back-dated run; its
summary is then written beside the current one, named and marked by its as-of
(``sync.shapes.backdated``): the summary the Office opens stays the latest run's.

A summary another program has open (its lock file beside it, ``Backend.summary_blocked``)
is refused before anything is read, and again just before it would be replaced.

A sync where every unit, or more than ``[sync] max_unreadable_share`` of them, could not be
read writes nothing (``TooManyUnreadable``: the folder or Google is probably at fault, see
``sync.unreadable``), unless ``allow_unreadable=True``; a dry run gets it as a warning.

The history is opened once for the whole run. The summary is installed inside its
transaction, just before it commits: a failure of either leaves the previous summary and
history whole, and so does a process killed between the two (the next sync puts the
previous .xlsx summary back: ``sync.summary.landing``). An .xlsx summary renders in a child
process meanwhile (the machine's other core).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sync.backends import Backend, open_backend
from sync.config import Config
from sync.engine import Progress, run_sync
from sync.exceptions import HistoryError, OutputError, TooManyUnreadable
from sync.extension import RequestDates
from sync.model import RunResult
from sync.shapes.backdated import mark_backdated
from sync.summary import build_tables
from sync.summary.landing import Landing
from sync.unreadable import ALLOW_OPTION, refusal, unreadable_problem, unreadable_warning
from sync.workdays import PublicHolidays

if TYPE_CHECKING:
    from sync.history import History, RecordOutcome

__all__ = ["SyncOutcome", "sync_and_record", "validate_units"]


@dataclass(slots=True)
class SyncOutcome:
    """What a sync (or a validation) did: its result, where the summary went, and warnings for a person."""

    result: RunResult
    #: The summary's path or URL; None on a dry run (nothing written).
    summary: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: What the history recorded; None on a dry run.
    recorded: RecordOutcome | None = None

    @property
    def unreadable(self) -> bool:
        """Some unit's workbook could not be read (the CLI exits 3)."""
        return bool(self.result.unreadable_units())


def validate_units(
    config: Config, as_of: date, *, progress: Progress | None = None, backend: Backend | None = None
) -> SyncOutcome:
    """Read and check every unit as a sync would; nothing is written (``ubnd-sync validate``)."""
    with _existing_history(config, readable_only=True) as history, _backend(config, backend) as backend:
        requests = _request_dates(history, as_of)
        holidays = PublicHolidays.load(config.cache_path)
        result = run_sync(
            config, as_of, progress=progress, backend=backend, requests=requests, holidays=holidays
        )
        problem = unreadable_problem(backend, result)
    return SyncOutcome(result, warnings=[unreadable_warning(problem)] if problem else [])


def sync_and_record(
    config: Config,
    as_of: date,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    backend: Backend | None = None,
    back_dated: bool = False,
    allow_unreadable: bool = False,
) -> SyncOutcome:
    """One sync: read, write the summary (with the ``So sánh`` tab), record the history.

    With ``dry_run`` nothing is written (no summary, no history, no backend state). ``backend``
    (default: the configured one) is the run's: it is closed when the run ends.
    Raises ``sync.exceptions.UbndSyncError`` subclasses when the run cannot finish, among
    them ``TooManyUnreadable`` (before anything is written) unless ``allow_unreadable``.
    """
    if dry_run:
        return validate_units(config, as_of, progress=progress, backend=backend)
    with _existing_history(config) as history, _backend(config, backend) as backend:
        warnings: list[str] = []
        requests = RequestDates()
        beside: date | None = None
        if history is not None:  # a run dated before the latest one is refused before anything is read
            warnings += _land_killed_run(config, backend, history)
            beside = as_of if history.check_as_of(as_of, backdated=back_dated) else None
            requests = _request_dates(history, as_of)
        if beside is None and (blocked := backend.summary_blocked()) is not None:
            raise OutputError(blocked)
        holidays = PublicHolidays.load(config.cache_path)
        result = run_sync(
            config, as_of, progress=progress, backend=backend, requests=requests, holidays=holidays
        )
        problem = unreadable_problem(backend, result)
        if problem and not allow_unreadable:
            raise TooManyUnreadable(refusal(problem))
        if history is None:
            from sync.history import History

            history = History(config.history_path)
        with history:
            recorded = _write_and_record(
                config, backend, history, result, back_dated=back_dated, beside=beside
            )
        notes = [f"{problem.rstrip('.')}; vẫn ghi theo yêu cầu ({ALLOW_OPTION})."] if problem else []
        kept = _commit(backend, holidays, config.cache_path)
        return SyncOutcome(result, result.summary_path, warnings + notes + kept, recorded)


@contextlib.contextmanager
def _backend(config: Config, given: Backend | None) -> Iterator[Backend]:
    """The run's backend: the one given, or the configured one; closed when the run ends."""
    with given or open_backend(config) as backend:
        yield backend


@contextlib.contextmanager
def _existing_history(config: Config, *, readable_only: bool = False) -> Iterator[History | None]:
    """The history when its file exists (a run never makes one before it has something to record).

    ``readable_only`` (a run that writes nothing): a history that cannot be opened is skipped
    (every extension request then counts as first seen now); a sync says why it cannot.
    """
    if not config.history_path.exists():
        yield None
        return
    from sync.history import History

    try:
        history = History(config.history_path)
    except HistoryError:
        if not readable_only:
            raise
        yield None
        return
    with history:
        yield history


def _request_dates(history: History | None, as_of: date) -> RequestDates:
    """When the extension requests earlier runs saw were made (``sync.extension``); without a
    history that can be read, every request counts as first seen by this run."""
    if history is None:
        return RequestDates()
    try:
        return history.request_dates(as_of)
    except HistoryError:
        return RequestDates()


def _land_killed_run(config: Config, backend: Backend, history: History) -> list[str]:
    """A sync killed between installing its summary and committing its run: undo the summary."""
    landing = Landing.of(config, backend.summary_file)
    if not landing.marker.exists():
        return []
    message = landing.resolve(history)
    return [message] if message else []


def _write_and_record(
    config: Config,
    backend: Backend,
    history: History,
    result: RunResult,
    *,
    back_dated: bool,
    beside: date | None = None,
) -> RecordOutcome:
    """The summary and the history snapshot, in the history's one transaction (see ``sync.summary.landing``);
    a back-dated run's summary (``beside``: its as-of) beside the current one."""
    from sync.summary.compare import comparison_table

    landing = Landing.of(config, backend.beside_file(beside) if beside else backend.summary_file)
    previous = history.previous_run(result.as_of, result.period)
    tables = build_tables(result, extra=[comparison_table(result, previous)])
    if beside is not None:
        latest = history.latest_run()
        mark_backdated(tables, beside, latest.as_of if latest else None, config.sync.summary)
        pending = backend.start_beside(tables, beside)
    else:
        pending = backend.start_summary(tables)
    del tables  # the writer has what it needs: free this copy while the history is written
    result.summary_path = pending.location  # as the history records it

    def install() -> None:
        landing.prepare(history.newest_run_id())
        result.summary_path = str(pending.finish())  # where a person opens it (Google: its URL)

    try:
        return history.record(
            result, config_path=str(config.path), before_commit=install, backdated=back_dated
        )
    finally:
        pending.abort()  # no-op once finished
        with contextlib.suppress(HistoryError, OSError):  # else the next sync settles it
            landing.resolve(history)


def _commit(backend: Backend, holidays: PublicHolidays, cache: Path) -> list[str]:
    """Let the backend remember what it read, and keep the holidays computed; failing costs only
    a full read next time."""
    try:
        backend.commit()
        holidays.save(cache)
    except (OSError, ValueError) as e:
        return [f"không lưu được trạng thái đọc lần này ({e}); lần sau sẽ đọc lại tất cả."]
    return []
