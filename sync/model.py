"""The data a run produces: tasks, findings, per-unit results and the run result.

These are plain dataclasses so that every later stage (summary workbook,
history, meeting report, Google backend) reads the same objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

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
REPORT_STATUSES: tuple[str, ...] = ("on_time", "late", "incomplete", "missing", "invalid", "unreadable")

#: Update states of a row (contract §3); ``not_needed`` when the row needs no update.
UPDATE_STATES: tuple[str, ...] = ("fresh", "late", "stale", "not_needed")

SEVERITIES: tuple[str, ...] = ("error", "warning", "info")


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

    def to_dict(self) -> dict[str, Any]:
        return unit_dict(self)


def unit_dict(u: UnitResult | Any) -> dict[str, Any]:
    """A unit's entry in the JSON document (contract §6), from a result or a recorded snapshot."""
    return {
        "code": u.code,
        "name": u.name,
        "report_status": u.report_status,
        "counts": dict(u.counts),
        "completion_rate": u.completion_rate,
        "on_time_rate": u.on_time_rate,
    }


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
class RunResult:
    as_of: date
    period: Period
    units: list[UnitResult]
    totals: dict[str, Any]
    findings: list[Finding]
    generated_at: datetime
    version: str
    summary_path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of contract §6."""
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "units": [u.to_dict() for u in self.units],
            "totals": self.totals,
            "findings": [f.to_dict() for f in self.findings],
        }

    @property
    def tasks(self) -> list[Task]:
        return [t for u in self.units for t in u.tasks]

    def unreadable_units(self) -> list[UnitResult]:
        return [u for u in self.units if u.report_status == "unreadable"]

    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]
