"""Extension requests: a unit's “Đề nghị gia hạn đến”, pending until the Office grants it.

A request is a valid date in ``extension_request`` on a task that is not completed and has a
deadline date. It is **pending** while it asks for more than the deadline in force (the approved
``extended_deadline`` where the Office recorded one — the register's when a register is
configured, see ``sync.register.reconcile`` — else ``deadline``); once the Office records an
approved date on or after the requested one, the request is granted and classification uses
the approved date (contract §2). A requested date not after the deadline, with no extension
recorded, asks for nothing: ``extension-not-later``.

When a request was **made** is not written anywhere in the sheet; it is estimated by
``made_on`` from the row's ``updated_on`` and the runs that saw it (``RequestDates``, read
from the history by the pipeline and passed in, so this stays a pure function of its inputs).
A pending request made after the deadline, or fewer than ``[extension] min_working_days``
working days (``sync.workdays``) before it, is ``extension-late``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sync import findings as F
from sync.model import ExtensionRequest, Finding, Task, task_key
from sync.normalize import format_date
from sync.workdays import WorkCalendar

if TYPE_CHECKING:
    from sync.validate import Header

#: (unit code, task id as compared (``task_key``) or ``#<row>`` without one, requested date)
RequestKey = tuple[str, str, date]


def request_key(unit: str, task_id: str | None, row: int, requested: date) -> RequestKey:
    """A request: the unit, the task (its id as compared, else its row) and the date asked for."""
    return (unit, task_key(task_id) if task_id else f"#{row}", requested)


def asks_for_more(requested: Any, deadline: date | None) -> bool:
    """A valid requested date after the deadline in force: a request still pending (not completed
    tasks only; the report's list, ``sync.report.facts.pending_extensions``, uses it too)."""
    return isinstance(requested, date) and deadline is not None and requested > deadline


def made_on(updated: date | None, seen_on: date, previous_run: date | None) -> date:
    """When a request first seen by the run of ``seen_on`` was made.

    The row's ``updated_on`` as that run read it, when it lies after the run before
    (``previous_run``, which did not see the request) and not after ``seen_on``; otherwise
    ``seen_on`` itself (a date typed later than the run, or earlier than a run that did not
    see the request yet, cannot be when it was made).
    """
    if updated is not None and updated <= seen_on and (previous_run is None or updated > previous_run):
        return updated
    return seen_on


@dataclass(frozen=True, slots=True)
class RequestDates:
    """When each request seen before was made, and the as-of of the newest run before this one."""

    seen: Mapping[RequestKey, date] = field(default_factory=dict)
    last_run: date | None = None

    def made(self, task: Task, requested: date, as_of: date) -> date:
        known = self.seen.get(request_key(task.unit, task.task_id, task.row, requested))
        if known is not None:
            return known
        updated = task.values.get("updated_on")
        return made_on(updated if isinstance(updated, date) else None, as_of, self.last_run)


@dataclass(frozen=True, slots=True)
class ExtensionRules:
    """What judging a request needs besides the task: the calendar, the minimum and the dates seen."""

    calendar: WorkCalendar
    min_working_days: int = 5
    dates: RequestDates = field(default_factory=RequestDates)


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 80 else text[:77] + "…"


def check_request(
    task: Task, header: Header, as_of: date, rules: ExtensionRules
) -> tuple[list[Finding], ExtensionRequest | None]:
    """The findings of one classified task's request and, when it is pending, the request."""
    requested = task.values.get("extension_request")
    deadline = task.effective_deadline
    if not isinstance(requested, date) or task.completed or deadline is None:
        return [], None
    cell = header.cell("extension_request", task.row)
    at: dict[str, Any] = {
        "unit": task.unit,
        "sheet": task.sheet,
        "cell": cell,
        "row": task.row,
        "field": "extension_request",
        "title": header.titles.get("extension_request", "extension_request"),
        "summary": _short(task.values.get("summary")),
        "task": f"mã {task.task_id}" if task.task_id else f"dòng {task.row}",
        "deadline": format_date(deadline),
        "requested": format_date(requested),
    }
    if not asks_for_more(requested, deadline):
        if isinstance(task.values.get("extended_deadline"), date):
            return [], None  # granted: the approved date is on or after the one asked for
        return [F.make(F.EXTENSION_NOT_LATER, value=requested, **at)], None
    made = rules.dates.made(task, requested, as_of)
    days = rules.calendar.working_days(made, deadline)
    late = made > deadline or days < rules.min_working_days
    found = [F.make(F.EXTENSION_REQUESTED, value=requested, **at)]
    if late:
        if made > deadline:
            when = f"sau thời hạn {at['deadline']}"
        elif made == deadline:
            when = f"đúng ngày hết hạn {at['deadline']}"
        else:
            when = f"chỉ {days} ngày làm việc trước thời hạn {at['deadline']}"
        found.append(
            F.make(
                F.EXTENSION_LATE,
                value=days,
                made=format_date(made),
                when=when,
                minimum=rules.min_working_days,
                **at,
            )
        )
    request = ExtensionRequest(
        unit=task.unit,
        sheet=task.sheet,
        row=task.row,
        cell=cell,
        task_id=task.task_id,
        summary=task.values.get("summary"),
        deadline=deadline,
        requested=requested,
        made_on=made,
        working_days=days,
        late=late,
        reason=task.values.get("obstacles"),
    )
    return found, request


__all__ = ["RequestDates", "ExtensionRules", "asks_for_more", "check_request", "made_on", "request_key"]
