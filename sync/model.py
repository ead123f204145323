"""The data a run produces: tasks, findings, per-unit results and the run result.

These are plain dataclasses so that every later stage (summary workbook,
history, meeting report, Google backend) reads the same objects.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol, TypeVar

from sync.labels import GROUP_LABELS

#: The classification categories of contract §2, in report order.
CATEGORIES: tuple[str, ...] = (
    "completed_on_time",
    "completed_late",
    "in_progress_on_time",
    "in_progress_overdue",
    "no_deadline",
    "unclassified",
)

#: Unit report statuses of contract §3.
REPORT_STATUSES: tuple[str, ...] = (
    "on_time",
    "late",
    "incomplete",
    "missing",
    "no_tasks",
    "invalid",
    "unreadable",
)

#: Unit kinds (config ``kind``, contract §5): provincial agencies and, since 01/07/2025, the
#: commune-level committees; ``huyen`` (district committees) for configs and histories from before.
UNIT_KINDS: tuple[str, ...] = ("so-nganh", "xa", "phuong", "dac-khu", "huyen")
DEFAULT_KIND = "so-nganh"

#: The groups units are totalled in, in report order, with the kinds each holds.
UNIT_GROUPS: dict[str, tuple[str, ...]] = {
    "so-nganh": ("so-nganh",),
    "cap-huyen": ("huyen",),
    "cap-xa": ("xa", "phuong", "dac-khu"),
}


def group_of(kind: str) -> str:
    """The group (a key of ``UNIT_GROUPS``) a unit of ``kind`` is totalled in."""
    return next((g for g, kinds in UNIT_GROUPS.items() if kind in kinds), DEFAULT_KIND)


class _Kinded(Protocol):
    @property
    def kind(self) -> str: ...


K = TypeVar("K", bound=_Kinded)


def grouped(units: Sequence[K]) -> list[tuple[str, list[K]]]:
    """``units`` by group, groups in ``UNIT_GROUPS`` order, only those that have units; order kept."""
    by: dict[str, list[K]] = {g: [] for g in UNIT_GROUPS}
    for u in units:
        by[group_of(u.kind)].append(u)
    return [(g, members) for g, members in by.items() if members]


def json_value(value: Any) -> Any:
    """A cell value as JSON can hold it: dates become ISO text, other objects text."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def task_key(task_id: str) -> str:
    """Task ids compare case-insensitively, as duplicate ids do (README, Choices)."""
    return task_id.casefold()


@dataclass(slots=True)
class Finding:
    """One problem in the data (contract §4). Never raised; collected."""

    unit: str
    sheet: str | None
    cell: str | None
    row: int | None
    field: str | None
    code: str
    severity: str
    value: Any
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "sheet": self.sheet,
            "cell": self.cell,
            "row": self.row,
            "field": self.field,
            "code": self.code,
            "severity": self.severity,
            "value": json_value(self.value),
            "message": self.message,
        }


@dataclass(slots=True)
class Task:
    """One row of a unit's task tab, read, normalised and classified.

    ``values`` holds parsed values by field id: text fields ``str | None``;
    date fields ``date | None`` (None when empty or invalid); ``deadline`` a
    ``date``, the string ``"no_deadline"`` or None; ``status`` one of
    ``completed`` / ``in_progress`` / ``not_started`` or None; ``lead_unit`` a
    unit code or the text as written; ``co_units`` a list of codes/texts.
    ``raw`` holds each cell as the unit wrote it (text NFC-normalised).
    """

    unit: str
    sheet: str
    row: int
    values: dict[str, Any]
    raw: dict[str, Any]
    category: str = "unclassified"
    effective_deadline: date | None = None
    completed: bool = False
    update_state: str = "not_needed"
    days_overdue: int | None = None
    due_soon: bool = False

    @property
    def task_id(self) -> str | None:
        value = self.values.get("task_id")
        return value if isinstance(value, str) else None


@dataclass(frozen=True, slots=True)
class Counts:
    """Tasks by category (contract §2) for a unit or the province, and the rates they give.

    The JSON document and the history keep counts as a dict (``as_dict()``: ``total`` then
    the six categories); this is the one place that knows what "completed" and the rates are.
    """

    completed_on_time: int = 0
    completed_late: int = 0
    in_progress_on_time: int = 0
    in_progress_overdue: int = 0
    no_deadline: int = 0
    unclassified: int = 0

    @classmethod
    def of(cls, tasks: Iterable[Task]) -> Counts:
        """Count classified tasks by their category."""
        by: dict[str, int] = dict.fromkeys(CATEGORIES, 0)
        for t in tasks:
            by[t.category] += 1
        return cls(**by)

    @classmethod
    def from_dict(cls, counts: Mapping[str, Any]) -> Counts:
        """From the dict form (a missing category counts 0; ``total`` is derived)."""
        return cls(**{c: int(counts.get(c, 0) or 0) for c in CATEGORIES})

    def as_dict(self) -> dict[str, int]:
        """``{"total": …, "completed_on_time": …, …}`` in contract order (JSON, history)."""
        return {"total": self.total, **{c: getattr(self, c) for c in CATEGORIES}}

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def total(self) -> int:
        return sum(getattr(self, c) for c in CATEGORIES)

    @property
    def completed(self) -> int:
        """Completed = completed on time + completed late."""
        return self.completed_on_time + self.completed_late

    @property
    def rated(self) -> int:
        """The rates' denominator: completed + in progress overdue."""
        return self.completed + self.in_progress_overdue

    @property
    def completion_rate(self) -> float | None:
        """completed / (completed + overdue), rounded to 4 places; None when nothing to rate."""
        return round(self.completed / self.rated, 4) if self.rated else None

    @property
    def on_time_rate(self) -> float | None:
        """completed on time / (completed + overdue), rounded to 4 places; None when nothing to rate."""
        return round(self.completed_on_time / self.rated, 4) if self.rated else None

    def totals_dict(self) -> dict[str, Any]:
        """The ``totals`` entry of the JSON document: counts and rates."""
        return {
            "counts": self.as_dict(),
            "completion_rate": self.completion_rate,
            "on_time_rate": self.on_time_rate,
        }


@dataclass(slots=True)
class UnitResult:
    code: str
    name: str
    source: str
    report_status: str = "on_time"
    sheet: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    completion_rate: float | None = None
    on_time_rate: float | None = None
    tasks: list[Task] = field(default_factory=list)
    source_version: str | None = None
    #: when the unit's workbook was last changed (file time, Drive ``modifiedTime``), if known
    source_modified: datetime | None = None
    #: why an unreadable unit could not be read (``SourceUnreadable.detail``: "missing", "network" …)
    unreadable_detail: str = ""
    kind: str = DEFAULT_KIND

    def to_dict(self) -> dict[str, Any]:
        return unit_dict(self)

    @property
    def tally(self) -> Counts:
        """``counts`` as a typed ``Counts``."""
        return Counts.from_dict(self.counts)

    def set_counts(self, counts: Counts) -> None:
        """Store the unit's counts and the rates they give."""
        self.counts = counts.as_dict()
        self.completion_rate, self.on_time_rate = counts.completion_rate, counts.on_time_rate


def unit_dict(u: UnitResult | Any) -> dict[str, Any]:
    """A unit's entry in the JSON document (contract §6), from a result or a recorded snapshot."""
    return {
        "code": u.code,
        "name": u.name,
        "kind": u.kind,
        "report_status": u.report_status,
        "counts": dict(u.counts),
        "completion_rate": u.completion_rate,
        "on_time_rate": u.on_time_rate,
    }


def group_totals(units: Sequence[UnitResult] | Sequence[Any]) -> list[dict[str, Any]]:
    """The ``groups`` entry of the JSON document: per group present, its units' counts and rates.

    ``units`` are results or recorded snapshots (anything with ``kind`` and ``counts``).
    """
    out = []
    for group, members in grouped(units):
        counts = sum((Counts.from_dict(u.counts) for u in members), Counts())
        out.append(
            {"group": group, "name": GROUP_LABELS[group], "unit_count": len(members), **counts.totals_dict()}
        )
    return out


@dataclass(slots=True)
class Period:
    previous_cutoff: date
    cutoff: date

    def to_dict(self) -> dict[str, str]:
        return {"previous_cutoff": self.previous_cutoff.isoformat(), "cutoff": self.cutoff.isoformat()}

    @property
    def first_day(self) -> date:
        """The period is (previous_cutoff, cutoff]: its first day is the day after."""
        return self.previous_cutoff + timedelta(days=1)

    def label(self) -> str:
        """As a person reads it: ``26/01/2024 – 25/02/2024``."""
        return f"{self.first_day:%d/%m/%Y} – {self.cutoff:%d/%m/%Y}"


@dataclass(slots=True)
class ExtensionRequest:
    """A unit's pending request for a new deadline (``sync.extension``; the summary's Đề nghị gia hạn tab)."""

    unit: str
    sheet: str
    row: int
    cell: str | None
    task_id: str | None
    summary: str | None
    #: the deadline in force: the approved extension where one is recorded, else the deadline
    deadline: date
    requested: date
    #: when the request was made (README, Extension requests)
    made_on: date
    #: working days after ``made_on`` up to and including ``deadline`` (0 when made on or after it)
    working_days: int
    late: bool
    #: the reason, from the row's “Khó khăn, vướng mắc, đề xuất”
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "sheet": self.sheet,
            "row": self.row,
            "cell": self.cell,
            "task_id": self.task_id,
            "summary": self.summary,
            "deadline": self.deadline.isoformat(),
            "requested": self.requested.isoformat(),
            "made_on": self.made_on.isoformat(),
            "working_days_before": self.working_days,
            "late": self.late,
            "reason": self.reason,
        }


@dataclass(slots=True)
class RunResult:
    as_of: date
    period: Period
    units: list[UnitResult]
    totals: dict[str, Any]
    findings: list[Finding]
    generated_at: datetime
    version: str
    summary_path: str | None = None
    #: pending extension requests, nearest deadline first
    extension_requests: list[ExtensionRequest] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of contract §6, with ``groups`` and ``extension_requests`` (README)."""
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "units": [u.to_dict() for u in self.units],
            "totals": self.totals,
            "groups": group_totals(self.units),
            "findings": [f.to_dict() for f in self.findings],
            "extension_requests": [r.to_dict() for r in self.extension_requests],
        }

    @property
    def tasks(self) -> list[Task]:
        return [t for u in self.units for t in u.tasks]

    def unreadable_units(self) -> list[UnitResult]:
        return [u for u in self.units if u.report_status == "unreadable"]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]
