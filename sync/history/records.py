"""What the history holds, as Python values: a run, its units, its tasks.

Each record is built from the ``sqlite3.Row`` of its table by column name
(``from_row``) or, for a fresh run that was never recorded, from the
``RunResult`` (``RunSnapshot.from_result``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sync.model import (
    CATEGORIES,
    DEFAULT_KIND,
    Finding,
    Period,
    RunResult,
    Task,
    UnitResult,
    group_totals,
    unit_dict,
)
from sync.normalize import cell_text

#: Fields that hold dates in ``Task.values`` (restored from ISO text on load).
DATE_FIELDS = ("doc_date", "extended_deadline", "completed_on", "extension_request", "updated_on")

#: The per-unit counts, in the order of their columns in ``unit_results``.
COUNT_KEYS = ("total", *CATEGORIES)


def jsonable(value: Any) -> Any:
    """A cell value as JSON can hold it: dates as ISO text, NaN and infinities as text."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else str(value)
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def parse_date(value: Any) -> date | None:
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
            out[name] = parse_date(out[name])
    deadline = out.get("deadline")
    if isinstance(deadline, str) and deadline != "no_deadline":
        out["deadline"] = parse_date(deadline)
    return out


#: The fields of a unit (besides its counts) and of a task stored as they are, under their own names.
UNIT_FIELDS = (
    "code",
    "name",
    "source",
    "sheet",
    "source_version",
    "report_status",
    "completion_rate",
    "on_time_rate",
    "kind",
)
_TASK_FIELDS = ("unit", "sheet", "task_id", "category", "update_state", "days_overdue")


@dataclass(frozen=True, slots=True)
class RunInfo:
    """One recorded run, as ``ubnd-sync history`` lists it.

    ``backdated``: recorded with ``--back-dated`` (its as-of is before a run recorded
    earlier), so never "the latest" nor a comparison's baseline. ``voided_at`` and
    ``void_reason``: set by ``ubnd-sync history void``; a void run is kept but read by
    nothing. ``superseded_by``: the run that reports use for this run's month
    instead of this one (a later re-run, or the regular run of a back-dated run's month).
    """

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
    backdated: bool = False
    voided_at: str | None = None
    void_reason: str | None = None
    superseded_by: int | None = None

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> RunInfo:
        """A row of ``runs``, with the id of the run chosen for its month as ``chosen_id``."""
        run_id = int(r["id"])
        chosen = r["chosen_id"]
        return cls(
            id=run_id,
            as_of=date.fromisoformat(r["as_of"]),
            period=Period(date.fromisoformat(r["previous_cutoff"]), date.fromisoformat(r["cutoff"])),
            generated_at=r["generated_at"],
            recorded_at=r["recorded_at"],
            version=r["version"],
            config_path=r["config_path"],
            summary_path=r["summary_path"],
            totals=json.loads(r["totals"]),
            unit_count=int(r["unit_count"]),
            task_count=int(r["task_count"]),
            finding_count=int(r["finding_count"]),
            backdated=bool(r["backdated"]),
            voided_at=r["voided_at"],
            void_reason=r["void_reason"],
            superseded_by=None if r["voided_at"] is not None or chosen in (None, run_id) else int(chosen),
        )

    @property
    def void(self) -> bool:
        return self.voided_at is not None

    @property
    def voided_on(self) -> date | None:
        """The day the run was voided."""
        return None if self.voided_at is None else date.fromisoformat(self.voided_at[:10])

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
            "backdated": self.backdated,
            "void": self.void,
            "voided_at": self.voided_at,
            "void_reason": self.void_reason,
            "superseded_by": self.superseded_by,
        }


@dataclass(frozen=True, slots=True)
class RecordOutcome:
    """What ``History.record`` did: recorded run ``run_id``, or found its data already recorded.

    ``duplicate_of``: the id of the newest run of the same as-of holding exactly the
    same data (then nothing was added and ``run_id`` is that run's id).
    ``backdated``: the run was recorded as a deliberate back-dated run.
    """

    run_id: int
    as_of: date
    duplicate_of: int | None = None
    backdated: bool = False

    @property
    def recorded(self) -> bool:
        return self.duplicate_of is None


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
    kind: str = DEFAULT_KIND

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> UnitSnapshot:
        """A row of ``unit_results``."""
        return cls(**{k: r[k] for k in UNIT_FIELDS}, counts={k: int(r[k]) for k in COUNT_KEYS})

    @classmethod
    def from_unit(cls, u: UnitResult) -> UnitSnapshot:
        return cls(
            **{k: getattr(u, k) for k in UNIT_FIELDS}, counts={k: u.counts.get(k, 0) for k in COUNT_KEYS}
        )

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
            **{k: getattr(t, k) for k in _TASK_FIELDS},
            row=t.row,
            effective_deadline=t.effective_deadline,
            completed=t.completed,
            due_soon=t.due_soon,
            values=dict(t.values),
            raw=dict(t.raw),
        )

    @classmethod
    def from_row(cls, r: sqlite3.Row) -> TaskSnapshot:
        """A row of ``tasks``."""
        return cls(
            **{k: r[k] for k in _TASK_FIELDS},
            row=int(r["row"]),
            effective_deadline=parse_date(r["effective_deadline"]),
            completed=bool(r["completed"]),
            due_soon=bool(r["due_soon"]),
            values=_restore_values(json.loads(r["fields"])),
            raw=json.loads(r["raw"]),
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
            "effective_deadline": jsonable(self.effective_deadline),
            "days_overdue": self.days_overdue,
        }


def finding_from_row(r: sqlite3.Row) -> Finding:
    """A row of ``findings``."""
    return Finding(
        unit=r["unit"],
        sheet=r["sheet"],
        cell=r["cell"],
        row=r["row"],
        field=r["field"],
        code=r["code"],
        severity=r["severity"],
        value=json.loads(r["value"]) if r["value"] is not None else None,
        message=r["message"],
    )


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
        units = [UnitSnapshot.from_unit(u) for u in result.units]
        return cls(info, units, [TaskSnapshot.from_task(t) for t in result.tasks], list(result.findings))

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of contract §6, plus the run id (``extension_requests`` is not recorded
        as such: its findings and the tasks' cells are)."""
        return {
            "run_id": self.id,
            "as_of": self.as_of.isoformat(),
            "period": self.period.to_dict(),
            "units": [u.to_dict() for u in self.units],
            "totals": self.totals,
            "groups": group_totals(self.units),
            "findings": [f.to_dict() for f in self.findings],
        }


__all__ = [
    "COUNT_KEYS",
    "UNIT_FIELDS",
    "DATE_FIELDS",
    "RecordOutcome",
    "RunInfo",
    "RunSnapshot",
    "TaskSnapshot",
    "UnitSnapshot",
    "finding_from_row",
    "jsonable",
    "parse_date",
]
