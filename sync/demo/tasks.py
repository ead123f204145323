"""A unit's ordinary tasks: random timelines shaped to fall in each category on the reference date.

Dates are drawn in REFERENCE's calendar (``province`` moves them to the province's); the
texts that name a year name the province's: ``years`` is how far the dates will move.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import NamedTuple

from sync.schema import Schema

from .model import REFERENCE, DemoUnit, Task
from .styles import style_for
from .words import (
    ASSIGNERS,
    OBSTACLES,
    PROGRESS_DONE,
    PROGRESS_NEW,
    PROGRESS_STARTED,
    SUMMARY_TEMPLATES,
    co_units_text,
    doc_ref,
    lead_text,
    place_for,
)


def base_task(
    rng: random.Random,
    key: int,
    unit: DemoUnit,
    units: Sequence[DemoUnit],
    doc_date: date,
    deadline: date | None,
    years: int,
) -> Task:
    place = place_for(rng, unit, units)
    year = doc_date.year + years  # the year the province reads
    summary = rng.choice(SUMMARY_TEMPLATES)(rng, place, year)
    m, y = doc_date.month % 12 + 1, year + (doc_date.month == 12)
    suffix = unit.code if unit.kind == "so-nganh" else "UBND"
    return Task(
        key=key,
        doc_date=doc_date,
        doc_ref=doc_ref(rng, doc_date),
        summary=summary,
        assigner=rng.choice(ASSIGNERS),
        lead=lead_text(unit, style_for(unit)),
        co_units=co_units_text(rng, unit, units),
        deadline=deadline,
        started=doc_date + timedelta(days=rng.randint(1, 12)),
        result_doc=f"{rng.randint(20, 480)}/BC-{suffix}",
        progress=(
            rng.choice(PROGRESS_NEW),
            rng.choice(PROGRESS_STARTED).format(m=m, y=y),
            rng.choice(PROGRESS_DONE),
        ),
        obstacles=rng.choice(OBSTACLES) if rng.random() < 0.6 else None,
    )


class Volume(NamedTuple):
    """How many tasks a unit receives (ranges of tasks assigned in 2023, in 2024 up to the
    reference date, after it), the fewest on 01/06/2024, the most in all, and their durations
    (in REFERENCE's calendar: two years later for An Giang 2025)."""

    older: tuple[int, int]
    recent: tuple[int, int]
    later: tuple[int, int]
    fewest: int
    most: int
    durations: tuple[int, ...]


#: Agencies and district committees: 20–60 rows on every meeting date from June 2024 to March 2025
#: (REFERENCE's calendar).
AGENCY_VOLUME = Volume((10, 14), (24, 32), (6, 10), 20, 56, (10, 15, 20, 30, 30, 45, 60, 90))
#: Commune-level committees receive fewer tasks, with shorter deadlines: 6–26 rows.
COMMUNE_VOLUME = Volume((3, 5), (8, 12), (2, 4), 6, 22, (7, 10, 10, 15, 15, 20, 30, 45))


def random_tasks(
    rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit], schema: Schema, years: int
) -> list[Task]:
    r = REFERENCE
    kinds = schema["deadline"].values["no_deadline"]
    volume = COMMUNE_VOLUME if unit.commune else AGENCY_VOLUME
    tasks: list[Task] = []
    plan: list[tuple[date, str]] = []
    for _ in range(rng.randint(*volume.older)):
        doc = date(2023, 1, 10) + timedelta(days=rng.randint(0, 340))
        cat = rng.choices(
            ["completed_on_time", "completed_late", "in_progress_overdue", "no_deadline"],
            [55, 25, 10, 10],
        )[0]
        plan.append((doc, cat))
    span = (r - timedelta(days=3) - date(2024, 1, 2)).days
    for _ in range(rng.randint(*volume.recent)):
        doc = date(2024, 1, 2) + timedelta(days=rng.randint(0, span))
        cat = rng.choices(
            [
                "completed_on_time",
                "completed_late",
                "in_progress_on_time",
                "in_progress_overdue",
                "no_deadline",
            ],
            [40, 13, 25, 13, 9],
        )[0]
        plan.append((doc, cat))
    for _ in range(rng.randint(*volume.later)):
        doc = r + timedelta(days=rng.randint(1, 140))
        plan.append((doc, "future"))
    # fewest–most rows on every meeting date from June 2024 to March 2025 (seeded rows: up to 4 more)
    early = date(2024, 6, 1)
    while sum(doc <= early for doc, _ in plan) < volume.fewest:
        plan.append((date(2023, 1, 10) + timedelta(days=rng.randint(0, 340)), "completed_on_time"))
    plan.sort()
    while len(plan) > volume.most:
        plan.pop(next(i for i in range(len(plan) - 1, -1, -1) if plan[i][0] > early))
    for doc, cat in plan:
        task = base_task(rng, len(tasks), unit, units, doc, None, years)
        _shape(rng, task, cat, kinds, volume.durations)
        tasks.append(task)
    return tasks


def _shape(rng: random.Random, t: Task, cat: str, kinds: Sequence[str], durations: Sequence[int]) -> None:
    """Give a task dates that make it fall in ``cat`` as of the reference date."""
    r, d = REFERENCE, t.doc_date
    days_left = (r - d).days  # >= 3 for tasks assigned before r
    if cat == "completed_late" and days_left < 12:
        cat = "completed_on_time"
    if cat == "in_progress_overdue" and days_left < 8:
        cat = "in_progress_on_time"
    if cat == "no_deadline":
        t.deadline = None
        t.deadline_kind = rng.choice([kinds[0], kinds[0], kinds[-1]])
        t.obstacles = None
    elif cat == "completed_on_time":
        t.deadline = d + timedelta(days=rng.choice(durations))
        last = min(t.deadline, r - timedelta(days=1))
        t.completed = d + timedelta(days=rng.randint(2, max(2, (last - d).days)))
        t.started = min(t.started or d, t.completed)
        gap = (t.completed - d).days
        if gap >= 20 and rng.random() < 0.2:  # done on time thanks to an extension
            t.ext_deadline = t.completed + timedelta(days=rng.randint(0, 15))
            t.deadline = d + timedelta(days=gap // 2)
            t.ext_granted_on = t.deadline - timedelta(days=rng.randint(0, 4))
            t.ext_request_on = max(d + timedelta(days=1), t.ext_granted_on - timedelta(days=5))
            t.ext_requested = t.ext_deadline
    elif cat == "completed_late":
        latest = (r - d).days - 2
        t.deadline = d + timedelta(days=min(rng.choice(durations), max(5, latest // 2)))
        room = (r - timedelta(days=1) - t.deadline).days
        t.completed = t.deadline + timedelta(days=rng.randint(1, max(1, min(60, room))))
    elif cat == "in_progress_on_time":
        t.deadline = max(d + timedelta(days=rng.choice(durations)), r + timedelta(days=0))
        if t.deadline == r:
            t.deadline = r + timedelta(days=rng.randint(0, 75))
        t.completed = _later_completion(rng, r)
        if days_left >= 40 and rng.random() < 0.3:  # extended before running late
            original = d + timedelta(days=rng.randint(15, days_left - 10))
            t.ext_deadline, t.deadline = t.deadline, original
            t.ext_granted_on = max(d + timedelta(days=2), original - timedelta(days=rng.randint(0, 6)))
            t.ext_request_on = max(d + timedelta(days=1), t.ext_granted_on - timedelta(days=7))
            t.ext_requested = t.ext_deadline
    elif cat == "in_progress_overdue":
        dur = min(rng.choice(durations), days_left - 2)
        t.deadline = d + timedelta(days=max(5, dur))
        t.completed = _later_completion(rng, r + timedelta(days=10))
        if rng.random() < 0.35:  # asked for more time, not yet approved
            t.ext_request_on = min(r - timedelta(days=1), t.deadline + timedelta(days=rng.randint(-5, 10)))
            t.ext_request_on = max(t.ext_request_on, d + timedelta(days=1))
            t.ext_requested = r + timedelta(days=rng.randint(20, 90))
    else:  # assigned after the reference date: its own course
        if rng.random() < 0.1:
            t.deadline_kind = kinds[0]
            t.obstacles = None
            return
        t.deadline = d + timedelta(days=rng.choice(durations))
        if rng.random() < 0.75:
            t.completed = d + timedelta(days=rng.randint(3, (t.deadline - d).days + 25))
    if t.completed is not None and t.started is not None:
        t.started = min(t.started, t.completed)


def _later_completion(rng: random.Random, after: date) -> date | None:
    if rng.random() < 0.3:
        return None
    return after + timedelta(days=rng.randint(1, 90))
