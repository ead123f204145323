"""One sync: read every unit, validate, classify, flag, and total (contract §1–§4).

``run_sync`` computes a ``RunResult`` and writes nothing; ``sync.summary``
writes it. Time enters only through ``as_of``.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sync import __version__
from sync import findings as F
from sync.backends import Backend, open_backend
from sync.classify import absent_state, classify_task, report_status, reporting_period
from sync.config import Config, UnitConfig
from sync.exceptions import SourceUnreadable, UsageError
from sync.extension import ExtensionRules, RequestDates, check_request
from sync.gcpause import gc_paused
from sync.limits import Limits, limit_breach, number
from sync.model import Counts, Finding, Period, RunResult, Task, UnitResult
from sync.normalize import MAX_YEAR, MIN_YEAR, cell_text, format_date
from sync.register import absent_tasks, load_register, reconcile
from sync.schema import Schema, unit_sheet_schema
from sync.shapes.grid import TabData
from sync.shapes.task_tab import Header, select_task_tab
from sync.validate import TabRead, UnitResolver, read_tab
from sync.workdays import PublicHolidays, WorkCalendar

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
log = logging.getLogger(__name__)

#: Called after each unit is read: (unit code, units done, units in all).
Progress = Callable[[str, int, int], None]


def today() -> date:
    """Today in Việt Nam (the only place the clock is read for as-of)."""
    return datetime.now(TIMEZONE).date()


@dataclass(slots=True)
class Loaded:
    """One unit's task tab as read from its source (or why it could not be)."""

    unit: UnitConfig
    tab: TabData | None
    version: str | None
    error: SourceUnreadable | None = None
    modified: datetime | None = None
    #: how long opening and reading took, counted against ``limits.max_seconds``
    seconds: float = 0.0
    #: ``Workbook.open_elsewhere``: the lock file of a program that has the book open
    open_elsewhere: str | None = None


def load_unit(backend: Backend, unit: UnitConfig, config: Config, schema: Schema) -> Loaded:
    """Open a unit's workbook and read its task tab: the I/O part, safe to run ahead in a thread."""
    started = time.monotonic()
    loaded = _load(backend, unit, config, schema)
    loaded.seconds = time.monotonic() - started
    if loaded.tab is not None:
        error = _over_limits(loaded, config.limits)
        if error is not None:
            loaded.tab, loaded.error = None, error
    return loaded


def _load(backend: Backend, unit: UnitConfig, config: Config, schema: Schema) -> Loaded:
    try:
        workbook = backend.open(unit.source)
    except SourceUnreadable as e:
        return Loaded(unit, None, None, e)
    try:
        tab = select_task_tab(workbook, config.sync.sheet, schema)
        return Loaded(
            unit, tab, workbook.version, modified=workbook.modified, open_elsewhere=workbook.open_elsewhere
        )
    except SourceUnreadable as e:
        return Loaded(unit, None, workbook.version, e, modified=workbook.modified)
    finally:
        workbook.close()


def _over_limits(loaded: Loaded, limits: Limits) -> SourceUnreadable | None:
    """The limits every backend shares, on the tab as read: its size and the time taken
    (a Google sheet that returns an enormous range costs its unit only)."""
    assert loaded.tab is not None
    rows = loaded.tab.rows
    cells = sum(map(len, rows)) if len(rows) <= limits.max_cells else len(rows)
    if cells > limits.max_cells:
        return limit_breach(
            f"trang “{loaded.tab.name}”",
            f"có {number(cells)} ô",
            "max_cells",
            limits.max_cells,
            "ô",
        )
    if loaded.seconds > limits.max_seconds:
        return limit_breach(
            f"bảng tính của đơn vị {loaded.unit.code}",
            f"đọc mất {loaded.seconds:.0f} giây",
            "max_seconds",
            limits.max_seconds,
            "giây",
        )
    return None


def read_unit(
    loaded: Loaded, schema: Schema, resolver: UnitResolver, as_of: date, limits: Limits | None = None
) -> tuple[UnitResult, TabRead | None, list[Finding]]:
    """Validate one loaded unit; an unreadable workbook is a finding, never an exception."""
    unit = loaded.unit
    result = UnitResult(
        code=unit.code,
        name=unit.name,
        source=unit.source,
        source_version=loaded.version,
        source_modified=loaded.modified,
        kind=unit.kind,
    )
    if loaded.tab is None:
        error = loaded.error or SourceUnreadable("không đọc được bảng tính")
        return _unreadable(result, error), None, [_unreadable_finding(unit, error)]
    limits = limits or Limits()
    deadline = time.monotonic() + max(0.0, limits.max_seconds - loaded.seconds)
    try:
        read = read_tab(
            loaded.tab,
            schema,
            unit=unit.code,
            resolver=resolver,
            as_of=as_of,
            limits=limits,
            deadline=deadline,
        )
    except SourceUnreadable as e:  # a limit reached while checking
        return _unreadable(result, e), None, [_unreadable_finding(unit, e)]
    except Exception as e:  # a defect of ours must cost one unit, never the province's summary
        log.exception("unexpected error while checking unit %s", unit.code)
        error = SourceUnreadable(
            f"lỗi không mong đợi khi kiểm tra trang “{loaded.tab.name}” ({type(e).__name__}: {e}); "
            "báo cho nhóm phát triển ubnd-sync kèm tệp của đơn vị"
        )
        return _unreadable(result, error), None, [_unreadable_finding(unit, error)]
    result.sheet = loaded.tab.name
    result.tasks = read.tasks
    if loaded.open_elsewhere is not None:
        read.findings.append(
            F.make(
                F.SOURCE_OPEN,
                unit=unit.code,
                sheet=loaded.tab.name,
                value=loaded.open_elsewhere,
                file=Path(unit.source).name,
            )
        )
    return result, read, read.findings


def load_ahead(backend: Backend, config: Config, schema: Schema) -> Iterator[Loaded]:
    """Units loaded in config order; a backend that allows it reads the next ``read_ahead`` units
    in as many threads while the caller validates this one (python-calamine releases the GIL
    while it parses; a Google export mostly waits on the network)."""
    ahead = max(0, backend.read_ahead)
    if ahead == 0:
        for unit in config.units:
            yield load_unit(backend, unit, config, schema)
        return
    with ThreadPoolExecutor(max_workers=ahead, thread_name_prefix="ubnd-sync-read") as pool:
        pending: deque[Future[Loaded]] = deque()
        units = iter(config.units)
        for unit in itertools.islice(units, ahead + 1):
            pending.append(pool.submit(load_unit, backend, unit, config, schema))
        try:
            while pending:
                loaded = pending.popleft().result()
                nxt = next(units, None)
                if nxt is not None:
                    pending.append(pool.submit(load_unit, backend, nxt, config, schema))
                yield loaded
        finally:
            for future in pending:
                future.cancel()


def _unreadable(result: UnitResult, e: SourceUnreadable) -> UnitResult:
    result.report_status = "unreadable"
    result.unreadable_detail = e.detail
    result.set_counts(Counts())
    return result


def _unreadable_finding(unit: UnitConfig, e: SourceUnreadable) -> Finding:
    return F.make(
        F.SOURCE_UNREADABLE,
        unit=unit.code,
        sheet=None,
        value=unit.source,
        detail=str(e),
        hint="Đơn vị kiểm tra lại tệp/bảng tính và quyền chia sẻ; Văn phòng kiểm tra đường dẫn trong cấu hình.",
    )


def _flags(task: Task, header: Header, period: Period, as_of: date) -> list[Finding]:
    out: list[Finding] = []
    unit, sheet, row = task.unit, task.sheet, task.row

    def add(kind: F.FindingKind, field_id: str, value: object, **details: object) -> None:
        details.setdefault("title", header.titles.get(field_id, field_id))
        details.setdefault("text", cell_text(value))
        out.append(
            F.make(
                kind,
                unit=unit,
                sheet=sheet,
                cell=header.cell(field_id, row),
                row=row,
                field=field_id,
                value=value,
                **details,
            )
        )

    if task.days_overdue is not None or task.due_soon:
        deadline_field = "extended_deadline" if task.values.get("extended_deadline") else "deadline"
        summary = task.values.get("summary") or ""
        short = summary if len(summary) <= 80 else summary[:77] + "…"
        assert task.effective_deadline is not None
        if task.days_overdue is not None:
            add(
                F.OVERDUE,
                deadline_field,
                task.days_overdue,
                summary=short,
                deadline=format_date(task.effective_deadline),
            )
        else:
            days = (task.effective_deadline - as_of).days
            add(
                F.DUE_SOON,
                deadline_field,
                days,
                summary=short,
                deadline=format_date(task.effective_deadline),
                remaining="hạn là hôm nay" if days == 0 else f"còn {days} ngày",
            )
    if task.update_state == "stale":
        updated = task.raw.get("updated_on")
        add(
            F.STALE_UPDATE,
            "updated_on",
            updated,
            period=period.label(),
            shown="đang trống" if updated is None else f"là “{cell_text(updated)}”",
        )
    elif task.update_state == "late":
        add(F.LATE_UPDATE, "updated_on", task.raw.get("updated_on"), cutoff=format_date(period.cutoff))
    return out


#: A duplicate-task-id finding names at most this many other copies (then “và N nơi khác”), so
#: findings grow with the copies, not with their square (300 units sharing one workbook).
_OTHERS_SHOWN = 3


def _others(copies: list[tuple[Task, str | None]], i: int) -> str:
    shown: list[str] = []
    for j, (o, c) in enumerate(copies):
        if j != i:
            shown.append(f"ô {c} trang “{o.sheet}” của {o.unit}")
            if len(shown) == _OTHERS_SHOWN:
                break
    rest = len(copies) - 1 - len(shown)
    return "; ".join(shown) + (f" và {number(rest)} nơi khác" if rest else "")


def _duplicate_ids(reads: list[tuple[UnitResult, TabRead]]) -> list[Finding]:
    places: dict[str, list[tuple[Task, str | None]]] = defaultdict(list)
    for unit, read in reads:
        assert read.header is not None
        for t in unit.tasks:  # without rows the register gives to another unit
            tid = t.task_id
            if tid:
                places[tid.casefold()].append((t, read.header.cell("task_id", t.row)))
    out: list[Finding] = []
    for copies in places.values():
        if len(copies) < 2:
            continue
        for i, (t, cell) in enumerate(copies):
            others = _others(copies, i)
            out.append(
                F.make(
                    F.DUPLICATE_TASK_ID,
                    unit=t.unit,
                    sheet=t.sheet,
                    cell=cell,
                    row=t.row,
                    field="task_id",
                    value=t.raw.get("task_id"),
                    text=t.task_id,
                    others=others,
                )
            )
    return out


def run_sync(
    config: Config,
    as_of: date,
    *,
    backend: Backend | None = None,
    progress: Progress | None = None,
    schema: Schema | None = None,
    generated_at: datetime | None = None,
    requests: RequestDates | None = None,
    holidays: PublicHolidays | None = None,
) -> RunResult:
    """Read, validate, classify and flag every configured unit.

    ``requests``: when the extension requests seen by earlier runs were made (the pipeline
    reads them from the history: ``sync.pipeline.request_dates``); without it every request
    counts as first seen now (``sync.extension``). ``holidays``: the public holidays with the
    years known already (the pipeline keeps them in the local cache); default: computed.
    """
    with gc_paused():
        return _run_sync(
            config, as_of, backend, progress, schema, generated_at, requests or RequestDates(), holidays
        )


def _run_sync(
    config: Config,
    as_of: date,
    backend: Backend | None,
    progress: Progress | None,
    schema: Schema | None,
    generated_at: datetime | None,
    requests: RequestDates,
    holidays: PublicHolidays | None,
) -> RunResult:
    if not MIN_YEAR <= as_of.year <= MAX_YEAR:
        raise UsageError(
            f"ngày báo cáo {format_date(as_of)} phải trong các năm {MIN_YEAR}–{MAX_YEAR}, như mọi ngày trong bảng"
        )
    schema = schema or unit_sheet_schema()
    resolver = UnitResolver(config.units)
    period = reporting_period(as_of, config.sync.cutoff_day)
    own_backend = backend is None
    backend = backend or open_backend(config)
    units: list[UnitResult] = []
    findings_by_unit: dict[str, list[Finding]] = {}
    reads: list[tuple[UnitResult, TabRead]] = []
    try:
        register = load_register(config, backend, resolver, as_of)
        for i, loaded in enumerate(load_ahead(backend, config, schema), start=1):
            unit = loaded.unit
            result, read, found = read_unit(loaded, schema, resolver, as_of, config.limits)
            units.append(result)
            findings_by_unit[unit.code] = list(found)
            if read is not None:
                if read.missing:
                    result.report_status = "invalid"
                    result.set_counts(Counts())
                else:
                    reads.append((result, read))
            if progress is not None:
                progress(unit.code, i, len(config.units))
    finally:
        if own_backend:
            backend.close()

    extra: list[Finding] = []
    #: per unit, the update states of the register's tasks its sheet lacks
    absent: dict[str, list[str]] = {}
    if register is not None:  # first: a row in the wrong unit's sheet is not that unit's (nor a duplicate)
        extra = register.findings
        if register.readable:
            for code, found in reconcile(register, reads).items():
                findings_by_unit[code].extend(found)
                absent[code] = [absent_state(t, period) for t in absent_tasks(register, found)]
    for f in _duplicate_ids(reads):
        findings_by_unit[f.unit].append(f)

    rules = ExtensionRules(
        WorkCalendar(config.calendar.days_off, config.calendar.working_saturdays, holidays),
        config.extension.min_working_days,
        requests,
    )
    pending = []
    for result, read in reads:
        assert read.header is not None
        flags = findings_by_unit[result.code]
        for t in result.tasks:
            classify_task(t, as_of, period, config.sync.due_soon_days)
            flags.extend(_flags(t, read.header, period, as_of))
            found, request = check_request(t, read.header, as_of, rules)
            flags.extend(found)
            if request is not None:
                pending.append(request)
        result.set_counts(Counts.of(result.tasks))
        result.report_status = report_status(result.tasks, absent.get(result.code, ()))

    province = sum((u.tally for u in units), Counts())
    findings: list[Finding] = sorted(extra, key=_finding_order)
    for u in units:
        findings.extend(sorted(findings_by_unit[u.code], key=_finding_order))
    return RunResult(
        as_of=as_of,
        period=period,
        units=units,
        totals=province.totals_dict(),
        findings=findings,
        generated_at=generated_at or datetime.now(TIMEZONE).replace(microsecond=0),
        version=__version__,
        extension_requests=sorted(pending, key=lambda r: (r.deadline, r.unit, r.row)),
    )


def _col_index(cell: str | None) -> tuple[int, str]:
    if not cell:
        return (0, "")
    letters = "".join(ch for ch in cell if ch.isalpha())
    return (len(letters), letters)


def _finding_order(f: Finding) -> tuple[int, tuple[int, str], str]:
    return (f.row or 0, _col_index(f.cell), f.code)
