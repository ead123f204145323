"""The sync use case, from Python: what ``ubnd-sync sync`` does, without click.

``sync_and_record(config, as_of)`` reads and checks every unit (``sync.engine.run_sync``),
builds the summary's tables with the ``So sánh`` tab against the history's previous run,
writes the summary with the configured backend and records the run in the history in
one transaction, then lets the source remember what it read (``Source.commit``)::

    from sync.config import load_config
    from sync.pipeline import sync_and_record

    outcome = sync_and_record(load_config("ubnd-sync.toml"), date(2024, 3, 5))
    outcome.result.to_dict()   # the JSON document of contract §6
    outcome.summary            # where the summary went (a path or a Google Sheets URL)
    outcome.warnings           # things a person should know; the run still succeeded
    outcome.recorded           # what the history got (a new run, or "identical to run N")

A sync dated before the latest recorded run is refused (``BackdatedRunError``) before
anything is read, unless ``back_dated=True`` asks for a deliberate back-dated run.

A sync where every unit, or more than ``[sync] max_unreadable_share`` of them, could not be
read writes nothing (``TooManyUnreadable``: the folder or Google is probably at fault, see
``sync.unreadable``), unless ``allow_unreadable=True``; a dry run gets it as a warning.

The summary is installed inside the history's transaction, just before it commits: a
failure of either leaves the previous summary and history whole, and so does a process
killed between the two (the next sync puts the previous .xlsx summary back:
``sync.summary.landing``). An .xlsx summary renders in a child process meanwhile (the
machine's other core).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sync.config import Config, load_config
from sync.engine import Progress, run_sync
from sync.exceptions import HistoryError, TooManyUnreadable, UsageError
from sync.extension import RequestDates
from sync.model import RunResult
from sync.sources import Source, make_source
from sync.summary import build_tables, start_xlsx, write_tables
from sync.summary.landing import Landing
from sync.unreadable import ALLOW_OPTION, refusal, unreadable_problem, unreadable_warning

if TYPE_CHECKING:
    from sync.demo import DemoProvince
    from sync.history import RecordOutcome

__all__ = ["SyncOutcome", "sync_and_record", "prepare_demo", "request_dates"]


@dataclass(slots=True)
class SyncOutcome:
    """What a sync did: its result, where the summary went, and warnings for a person."""

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


def sync_and_record(
    config: Config,
    as_of: date,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    source: Source | None = None,
    back_dated: bool = False,
    allow_unreadable: bool = False,
) -> SyncOutcome:
    """One sync: read, write the summary (with the ``So sánh`` tab), record the history.

    With ``dry_run`` nothing is written (no summary, no history, no source state).
    Raises ``sync.exceptions.UbndSyncError`` subclasses when the run cannot finish, among
    them ``TooManyUnreadable`` (before anything is written) unless ``allow_unreadable``.
    """
    warnings: list[str] = []
    if not dry_run:  # a run dated before the latest one is refused before anything is read
        from sync.history import check_as_of

        warnings += _land_killed_run(config)
        check_as_of(config.history_path, as_of, backdated=back_dated)
    requests = request_dates(config, as_of)
    source = source or make_source(config)
    try:
        result = run_sync(config, as_of, progress=progress, source=source, requests=requests)
        problem = unreadable_problem(config, result)
        if dry_run:
            return SyncOutcome(result, warnings=[unreadable_warning(problem)] if problem else [])
        if problem and not allow_unreadable:
            raise TooManyUnreadable(refusal(problem))
        recorded = _write_and_record(config, result, back_dated=back_dated)
        notes = [f"{problem.rstrip('.')}; vẫn ghi theo yêu cầu ({ALLOW_OPTION})."] if problem else []
        return SyncOutcome(result, result.summary_path, warnings + notes + _commit(source), recorded)
    finally:
        source.close()


def request_dates(config: Config, as_of: date) -> RequestDates:
    """When the extension requests earlier runs saw were made (``sync.extension``), from the history.

    Without a history file, or with one that cannot be read (the sync itself then says why),
    every request counts as first seen by this run.
    """
    if not config.history_path.exists():
        return RequestDates()
    from sync.history import History

    try:
        with History(config.history_path) as history:
            return history.request_dates(as_of)
    except HistoryError:
        return RequestDates()


def _land_killed_run(config: Config) -> list[str]:
    """A sync killed between installing its summary and committing its run: undo the summary."""
    landing = Landing.for_config(config)
    if not landing.marker.exists():
        return []
    from sync.history import History

    with History(config.history_path) as history:
        message = landing.resolve(history)
    return [message] if message else []


def _write_and_record(config: Config, result: RunResult, *, back_dated: bool) -> RecordOutcome:
    """The summary and the history snapshot, in the history's one transaction (see ``sync.summary.landing``)."""
    from sync.history import History  # only a run that writes needs it
    from sync.summary.compare import comparison_table

    landing = Landing.for_config(config)
    with History(config.history_path) as history:
        previous = history.previous_run(result.as_of, result.period)
        tables = build_tables(result, extra=[comparison_table(result, previous)])
        if config.sync.backend == "xlsx":
            pending = start_xlsx(tables, config.summary_target)
            del tables  # the writer has its own copy: free this one while history is written
            result.summary_path = str(pending.target)

            def install() -> None:
                landing.prepare(history.newest_run_id())
                pending.finish()

        else:
            result.summary_path = config.sync.summary
            pending = None

            def install() -> None:
                landing.prepare(history.newest_run_id())
                result.summary_path = write_tables(config, tables)

        try:
            return history.record(
                result, config_path=str(config.path), before_commit=install, backdated=back_dated
            )
        finally:
            if pending is not None:
                pending.abort()  # no-op once finished
            with contextlib.suppress(HistoryError, OSError):  # else the next sync settles it
                landing.resolve(history)


def _commit(source: Source) -> list[str]:
    """Let the source remember what it read; failing costs only a full read next time."""
    try:
        source.commit()
    except (OSError, ValueError) as e:
        return [f"không lưu được trạng thái đọc lần này ({e}); lần sau sẽ đọc lại tất cả."]
    return []


# ---------------------------------------------------------------- the demo province

DEMO_MARKER = ".ubnd-sync-demo"


def claim_demo_directory(directory: Path) -> None:
    """The demo writes only into an empty folder or one it made before (never over real data)."""
    if directory.exists() and any(directory.iterdir()) and not (directory / DEMO_MARKER).exists():
        raise UsageError(
            f"thư mục {directory} đã có dữ liệu không phải của tỉnh mẫu; chọn một thư mục trống "
            "(ví dụ: ubnd-sync demo ubnd-sync-demo)."
        )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEMO_MARKER).write_text("Thư mục tỉnh mẫu của ubnd-sync.\n", encoding="utf-8")
    history = directory / "ubnd-sync.history.sqlite"
    if history.exists():  # a demo starts its history afresh
        history.unlink()


def months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, 28))


def prepare_demo(
    directory: Path, *, seed: int, as_of: date, months: int = 1, province: str | None = None
) -> DemoProvince:
    """Make the demo province in ``directory`` as of ``as_of``.

    ``province``: a key of ``sync.demo.PROVINCES`` (default the new An Giang).
    With ``months`` > 1 the meetings of the months before are made and synced into the
    history first (earliest first), so ``diff`` and ``report`` have something to compare.
    """
    from sync.demo import DEFAULT_PROVINCE, make_demo

    claim_demo_directory(directory)
    key = province or DEFAULT_PROVINCE
    for back in range(months - 1, 0, -1):
        earlier = make_demo(directory, seed=seed, as_of=months_before(as_of, back), province=key)
        sync_and_record(load_config(earlier.config_path), earlier.as_of)
    return make_demo(directory, seed=seed, as_of=as_of, province=key)
