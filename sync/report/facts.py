"""What the monthly report says, computed once from the history: plain dataclasses, no document.

``load_facts`` reads the history (the month's run, the previous month's, the same
month last year and the last twelve months' rates); ``build_facts`` turns those
runs into a ``ReportFacts`` without touching a file, so every figure of the
report can be tested without opening a .docx. The month of a run is the month of
its reporting period's cutoff (``RunInfo.month``); the latest run of a month is used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sync import findings as F
from sync.extension import asks_for_more
from sync.history import History, HistoryError, RunInfo, RunSnapshot, TaskSnapshot, diff
from sync.labels import GROUP_LABELS
from sync.model import CATEGORIES, DEFAULT_KIND, Counts, group_of, grouped
from sync.report.months import month_short, month_words, parse_month, shift_month

#: Biểu đồ 2 draws a bar per unit up to this many units (a page of bars with its caption).
CHART_UNITS = 34
#: Report statuses of the units that did not update fully and on time, as the tables order them.
LAGGING_ORDER = ("missing", "unreadable", "invalid", "incomplete", "late")
#: The same statuses as the text and the proposals list them.
LAGGING_TEXT_ORDER = ("late", "incomplete", "missing", "invalid", "unreadable")
LAGGING_PROPOSAL_ORDER = ("missing", "incomplete", "late", "invalid", "unreadable")
#: How the report tells the Chairman a unit's report status: plain official words, never a
#: finding's message (which names files, paths, cells and tells the Office what to fix).
STATUS_WORDS: dict[str, str] = {
    "on_time": "cập nhật đầy đủ, đúng hạn",
    "late": "cập nhật chậm",
    "incomplete": "cập nhật chưa đầy đủ",
    "missing": "không cập nhật trong kỳ",
    "no_tasks": "chưa có nhiệm vụ",
    "invalid": "bảng theo dõi sai mẫu (thiếu cột bắt buộc)",
    "unreadable": "bảng theo dõi không đọc được",
}


@dataclass(frozen=True, slots=True)
class Figures:
    """A run's counts by category (and ``total``) with its official rates."""

    counts: Mapping[str, int]
    completion_rate: float | None
    on_time_rate: float | None

    @classmethod
    def from_totals(cls, totals: Mapping[str, Any]) -> Figures:
        counts = {k: int(v) for k, v in totals["counts"].items()}
        return cls(counts, totals.get("completion_rate"), totals.get("on_time_rate"))

    def __getitem__(self, key: str) -> int:
        return int(self.counts.get(key, 0))

    @property
    def total(self) -> int:
        return self["total"]

    @property
    def completed(self) -> int:
        return Counts.from_dict(self.counts).completed

    @property
    def in_progress(self) -> int:
        return self["in_progress_on_time"] + self["in_progress_overdue"]


@dataclass(frozen=True, slots=True)
class VanishedTask:
    """A task in last month's sheet that is no longer in the unit's sheet."""

    unit_name: str
    summary: str
    task_id: str | None
    old_category: str | None


@dataclass(frozen=True, slots=True)
class Changes:
    """What changed since the previous month's run (task by task, counted)."""

    since: date  # the previous run's date
    new_tasks: int
    new_completed: int  # new tasks already completed within the period
    newly_completed: int  # older tasks completed in the period
    newly_overdue: int  # older tasks that became overdue
    new_overdue: int  # new tasks already overdue
    deadline_changes: int
    extended: int  # deadline changes that are extensions
    vanished: tuple[VanishedTask, ...]


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """One unit: its counts and rates, how it reported, and how it reported last month."""

    code: str
    name: str
    report_status: str
    counts: Mapping[str, int]
    completion_rate: float | None
    on_time_rate: float | None
    previous_status: str | None
    #: tasks that had to be updated in the period, those updated after the cutoff, those not updated
    tasks_to_update: int
    tasks_late: int
    tasks_stale: int
    #: config ``kind`` (``sync.model.UNIT_KINDS``)
    kind: str = DEFAULT_KIND
    #: tasks the register gives the unit that its sheet lacks (they count as not updated when due)
    tasks_absent: int = 0

    @property
    def not_counted(self) -> bool:
        """The unit's tasks are not in the figures: its sheet could not be read or lacks a required column."""
        return self.report_status in ("invalid", "unreadable")

    @property
    def idle(self) -> bool:
        """The unit has no task: nothing to report, neither on time nor late (``no_tasks``)."""
        return self.report_status == "no_tasks"

    @property
    def status_words(self) -> str:
        """The report status in plain official words (``STATUS_WORDS``)."""
        return STATUS_WORDS[self.report_status]


@dataclass(frozen=True, slots=True)
class GroupFacts:
    """A group of units (“Sở, ban, ngành”, “UBND cấp xã” …): its units and their figures."""

    group: str  # a key of ``sync.model.UNIT_GROUPS``
    name: str
    units: tuple[UnitFacts, ...]
    figures: Figures


@dataclass(frozen=True, slots=True)
class TaskFacts:
    """A task as the report lists it (overdue tasks, extension requests)."""

    unit_name: str
    task_id: str | None
    summary: str
    #: summary with the task's id and assigning document in brackets
    label: str
    #: the assigning document: number and date
    doc: str
    deadline: date | None
    days_overdue: int | None
    progress: str | None
    obstacles: str | None
    extension_request: date | None


class TrendPoint(NamedTuple):
    """One month of the rate chart: ``T10\\n2024``, the rates (None: no run that month)."""

    label: str
    on_time_rate: float | None
    completion_rate: float | None


@dataclass(frozen=True, slots=True)
class ReportFacts:
    """Everything the report states about one month."""

    month: str
    run_id: int
    as_of: date
    period_first_day: date
    period_cutoff: date
    figures: Figures
    previous: Figures | None
    last_year: Figures | None
    #: None when the history has no run for the previous month
    changes: Changes | None
    units: tuple[UnitFacts, ...]
    #: the tasks in progress past their deadline, longest overdue first
    overdue: tuple[TaskFacts, ...]
    #: (unit name, overdue tasks) for the units with overdue tasks, most first
    overdue_by_unit: tuple[tuple[str, int], ...]
    overdue_with_obstacles: int
    #: extension requests not yet granted, nearest deadline first
    pending: tuple[TaskFacts, ...]
    trend: tuple[TrendPoint, ...]

    @property
    def previous_month(self) -> str:
        return shift_month(self.month, -1)

    @property
    def last_year_month(self) -> str:
        return shift_month(self.month, -12)

    @property
    def counted_units(self) -> list[UnitFacts]:
        """The units that reported: their tasks are in the figures (a readable sheet of the right form
        with tasks; a unit with none is ``idle_units``)."""
        return [u for u in self.units if not u.not_counted and not u.idle]

    @property
    def idle_units(self) -> list[UnitFacts]:
        """The units with no task (``no_tasks``): neither on time nor late, not among those that reported."""
        return [u for u in self.units if u.idle]

    @property
    def accountable_units(self) -> list[UnitFacts]:
        """The units that had something to report: every unit but the idle ones."""
        return [u for u in self.units if not u.idle]

    @property
    def uncounted_units(self) -> list[UnitFacts]:
        """The units left out of the figures: sheet unreadable (or not sent) or of the wrong form."""
        return [u for u in self.units if u.not_counted]

    @property
    def groups(self) -> list[GroupFacts]:
        """The units by group (``sync.model.grouped``), each with its figures; only groups with units."""
        out = []
        for group, units in grouped(self.units):
            c = sum((Counts.from_dict(u.counts) for u in units), Counts())
            figures = Figures.from_totals(c.totals_dict())
            out.append(GroupFacts(group, GROUP_LABELS[group], tuple(units), figures))
        return out

    @property
    def drawable_units(self) -> list[UnitFacts]:
        """The units Biểu đồ 2 can show: those with a task counted, and those whose sheet could not be
        counted (a note says why). A unit with no task counted has nothing to draw."""
        return [u for u in self.units if u.not_counted or u.counts["total"]]

    @property
    def chart_units(self) -> list[UnitFacts]:
        """The units Biểu đồ 2 draws a bar for: ``drawable_units``, up to ``CHART_UNITS`` (a page of bars).

        Past that (the new An Giang has 118 units) the agencies keep a bar each and the other
        units with overdue tasks fill the page, most overdue first; every unit is in Phụ lục I.
        """
        drawn = self.drawable_units
        if len(drawn) <= CHART_UNITS:
            return drawn
        agencies = [u for u in drawn if group_of(u.kind) == DEFAULT_KIND]
        others = [u for u in drawn if group_of(u.kind) != DEFAULT_KIND and u.counts["in_progress_overdue"]]
        others.sort(key=lambda u: -u.counts["in_progress_overdue"])  # stable: config order among equals
        return agencies + others[: max(CHART_UNITS - len(agencies), 0)]

    def units_with(self, status: str) -> list[UnitFacts]:
        return [u for u in self.units if u.report_status == status]

    @property
    def lagging(self) -> list[UnitFacts]:
        """Units that did not update fully and on time: by status (missing first), then name."""
        order = {s: i for i, s in enumerate(LAGGING_ORDER)}
        late = [u for u in self.units if u.report_status not in ("on_time", "no_tasks")]
        return sorted(late, key=lambda u: (order.get(u.report_status, 9), u.name))


def pending_extensions(run: RunSnapshot) -> list[TaskSnapshot]:
    """Tasks with an extension request not yet granted: not completed, and the requested date after
    the deadline in force (the approved extension where recorded), as the summary lists them
    (``sync.extension``)."""
    out = []
    for t in run.tasks:
        if t.completed or not asks_for_more(t.values.get("extension_request"), t.effective_deadline):
            continue
        out.append(t)
    out.sort(key=lambda t: (t.effective_deadline or date.max, t.unit, t.row))
    return out


def overdue_tasks(run: RunSnapshot) -> list[TaskSnapshot]:
    """Tasks in progress past their deadline, longest overdue first."""
    tasks = [t for t in run.tasks if t.category == "in_progress_overdue"]
    tasks.sort(key=lambda t: (-(t.days_overdue or 0), t.unit, t.row))
    return tasks


def _task(t: TaskSnapshot, names: Mapping[str, str]) -> TaskFacts:
    summary = t.values.get("summary") or ""
    bits = [b for b in (t.task_id, t.text("doc_ref")) if b]
    label = (summary or t.text("summary") or "") + (f" ({'; '.join(bits)})" if bits else "")
    return TaskFacts(
        unit_name=names.get(t.unit, t.unit),
        task_id=t.task_id,
        summary=summary,
        label=label,
        doc=" ".join(b for b in (t.text("doc_ref"), t.text("doc_date")) if b),
        deadline=t.effective_deadline,
        days_overdue=t.days_overdue,
        progress=t.text("progress"),
        obstacles=t.text("obstacles"),
        extension_request=t.values.get("extension_request"),
    )


def _changes(previous: RunSnapshot, current: RunSnapshot, names: Mapping[str, str]) -> Changes:
    ch = diff(previous, current)
    new_done = sum(1 for c in ch.newly_completed if c.detail.get("new"))
    old_overdue = sum(1 for c in ch.newly_overdue if not c.detail.get("new"))
    return Changes(
        since=previous.as_of,
        new_tasks=len(ch.new_tasks),
        new_completed=new_done,
        newly_completed=len(ch.newly_completed) - new_done,
        newly_overdue=old_overdue,
        new_overdue=len(ch.newly_overdue) - old_overdue,
        deadline_changes=len(ch.deadline_changes),
        extended=sum(1 for c in ch.deadline_changes if "extended_deadline" in c.detail.get("changes", {})),
        vanished=tuple(
            VanishedTask(names.get(c.unit, c.unit), c.summary or "", c.task_id, c.old_category)
            for c in ch.vanished_tasks
        ),
    )


def _units(current: RunSnapshot, previous: RunSnapshot | None) -> tuple[UnitFacts, ...]:
    states: dict[str, Counter[str]] = {}
    for t in current.tasks:
        states.setdefault(t.unit, Counter())[t.update_state] += 1
    before = {u.code: u.report_status for u in previous.units} if previous else {}
    absent = Counter(f.unit for f in current.findings if f.code == F.TASK_MISSING.code)
    out = []
    for u in current.units:
        st = states.get(u.code, Counter())
        out.append(
            UnitFacts(
                code=u.code,
                name=u.name,
                report_status=u.report_status,
                counts={k: int(u.counts.get(k, 0)) for k in ("total", *CATEGORIES)},
                completion_rate=u.completion_rate,
                on_time_rate=u.on_time_rate,
                previous_status=before.get(u.code),
                tasks_to_update=st["fresh"] + st["late"] + st["stale"],
                tasks_late=st["late"],
                tasks_stale=st["stale"],
                kind=u.kind,
                tasks_absent=absent[u.code],
            )
        )
    return tuple(out)


def build_facts(
    month: str,
    current: RunSnapshot,
    previous: RunSnapshot | None = None,
    last_year: RunInfo | None = None,
    trend: tuple[TrendPoint, ...] = (),
) -> ReportFacts:
    """The facts of ``month`` from its run, the previous month's run and last year's (pure)."""
    assert current.id is not None, "a run from the history"
    names = {u.code: u.name for u in current.units}
    overdue = overdue_tasks(current)
    per_unit = Counter(t.unit for t in overdue)
    return ReportFacts(
        month=month,
        run_id=current.id,
        as_of=current.as_of,
        period_first_day=current.period.first_day,
        period_cutoff=current.period.cutoff,
        figures=Figures.from_totals(current.totals),
        previous=Figures.from_totals(previous.totals) if previous else None,
        last_year=Figures.from_totals(last_year.totals) if last_year else None,
        changes=_changes(previous, current, names) if previous else None,
        units=_units(current, previous),
        overdue=tuple(_task(t, names) for t in overdue),
        overdue_by_unit=tuple((names.get(c, c), n) for c, n in per_unit.most_common()),
        overdue_with_obstacles=sum(1 for t in overdue if t.values.get("obstacles")),
        pending=tuple(_task(t, names) for t in pending_extensions(current)),
        trend=trend,
    )


def _trend(history: History, month: str, current: RunInfo) -> tuple[TrendPoint, ...]:
    """The rates of the twelve months ending with ``month`` (None for a month without a run)."""
    points = []
    for back in range(11, -1, -1):
        m = shift_month(month, -back)
        run = current if back == 0 else history.run_for_month(m)
        label = f"T{int(m[5:])}\n{m[:4]}"
        if run is None:
            points.append(TrendPoint(label, None, None))
        else:
            points.append(
                TrendPoint(label, run.totals.get("on_time_rate"), run.totals.get("completion_rate"))
            )
    return tuple(points)


def load_facts(history: History, month: str | None) -> ReportFacts:
    """The facts of ``month`` (``YYYY-MM``; None: the latest run's month) from the history.

    Raises ``HistoryError`` when the history has no run for that month and
    ``UsageError`` for a malformed month.
    """
    if month is None:
        latest = history.latest_run()
        if latest is None:
            raise HistoryError(
                "lịch sử chưa có lần tổng hợp nào; chạy “ubnd-sync sync” trước khi lập báo cáo."
            )
        month = latest.month
    else:
        parse_month(month)
    info = history.run_for_month(month, backdated=True)  # comparisons below: regular runs only
    if info is None or info.id is None:
        months = sorted({r.month for r in history.runs()})
        listed = ", ".join(month_short(m) for m in months) or "chưa có"
        raise HistoryError(
            f"lịch sử không có lần tổng hợp nào cho {month_words(month)} (kỳ cập nhật kết thúc trong tháng đó). "
            f"Các tháng đã có: {listed}."
        )
    current = history.load(info.id)
    prev_info = history.run_for_month(shift_month(month, -1))
    previous = history.load(prev_info.id) if prev_info and prev_info.id is not None else None
    last_year = history.run_for_month(shift_month(month, -12))
    return build_facts(month, current, previous, last_year, _trend(history, month, current.info))


__all__ = [
    "STATUS_WORDS",
    "Changes",
    "Figures",
    "GroupFacts",
    "ReportFacts",
    "TaskFacts",
    "TrendPoint",
    "UnitFacts",
    "VanishedTask",
    "build_facts",
    "load_facts",
    "overdue_tasks",
    "pending_extensions",
]
