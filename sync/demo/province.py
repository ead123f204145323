"""The world drawn from a seed: every unit's tasks with their timelines and its update days.

The world is drawn in REFERENCE's calendar (the meeting of 05/11/2024), then moved by whole
years to the province's own meeting (``ProvinceProfile.as_of``): Kiên Giang 2024 stays where
it is drawn, An Giang 2025 moves two years later. Every date moves by the same number of
years, so which category each task falls in and which unit is late, missing or stale on a
meeting is the same in every calendar. 29/02 becomes 28/02 in a year without it (a pair of
dates on 28 and 29/02 would become one day; the tests check the default seed keeps its story).
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import random
from datetime import date, timedelta

from sync.schema import unit_sheet_schema

from .mistakes import seeded_tasks
from .model import (
    CUTOFF_DAY,
    DEFAULT_PROVINCE,
    DUPLICATE_NUMBER,
    PROVINCES,
    Task,
    WorldUnit,
    load_units,
    shift_month,
    shift_years,
)
from .styles import style_for
from .tasks import random_tasks

# in REFERENCE's calendar
_FIRST_UPDATE_MONTH = (2022, 12)
_LAST_UPDATE_MONTH = (2026, 6)
_STOPPED_AFTER = (2024, 8)  # last cutoff month KH updated for
_STOPPED_UNTIL = (2024, 10)  # … until this one, then it updates again


@functools.lru_cache(maxsize=8)
def build_world(
    seed: int, province: str = DEFAULT_PROVINCE, years: int | None = None
) -> dict[str, WorldUnit]:
    """The world of ``province`` drawn from ``seed``, in the province's calendar.

    ``years``: how far to move it from REFERENCE's calendar; by default the province's own
    (``ProvinceProfile.years``). The tests draw one province in two calendars to compare them.
    """
    if years is None:
        years = PROVINCES[province].years
    units = load_units(province)
    schema = unit_sheet_schema()
    world: dict[str, WorldUnit] = {}
    for unit in units:
        style = style_for(unit)
        updates = _update_dates(seed, unit.code, style.updates)
        rng = random.Random(f"{seed}/{unit.code}/tasks")
        tasks = random_tasks(rng, unit, units, schema, years)
        tasks += seeded_tasks(rng, unit, units, schema, years)
        tasks.sort(key=lambda t: (t.doc_date, t.key))
        for task in tasks:
            if task.frozen:
                # the row was updated once, then left alone
                i = bisect.bisect_left(updates, task.doc_date)
                task.started = task.doc_date + timedelta(days=1)
                task.frozen_on = updates[i] if i < len(updates) else None
        world[unit.code] = WorldUnit(unit, style, tasks, updates)
    _assign_ids(world, years)  # numbered in the order drawn, whatever the calendar
    if years:
        for wunit in world.values():
            wunit.updates = [shift_years(d, years) for d in wunit.updates]
            for task in wunit.tasks:
                _move(task, years)
    return world


def _move(task: Task, years: int) -> None:
    """Every date of ``task`` moved ``years`` later."""
    for f in dataclasses.fields(task):
        value = getattr(task, f.name)
        if isinstance(value, date):
            setattr(task, f.name, shift_years(value, years))


def _assign_ids(world: dict[str, WorldUnit], years: int) -> None:
    """Ids the Office gives: NV-<year>-<number>, numbered by assignment date (the year the
    province reads: ``years`` after the drawn one)."""
    everything = [(t.doc_date, code, t.key, t) for code, u in world.items() for t in u.tasks]
    everything.sort(key=lambda x: (x[0], x[1], x[2]))
    duplicates = {t.doc_date.year for _d, _c, _k, t in everything if "duplicate" in t.mistakes}
    counters: dict[int, int] = {}
    for doc_date, _code, _key, task in everything:
        year = doc_date.year + years
        if "duplicate" in task.mistakes:
            task.task_id = f"NV-{year}-{DUPLICATE_NUMBER:04d}"
            continue
        n = counters.get(doc_date.year, 0) + 1
        if doc_date.year in duplicates and n == DUPLICATE_NUMBER:
            n += 1  # NV-<year>-0100 is the seeded duplicate
        counters[doc_date.year] = n
        task.task_id = f"NV-{year}-{n:04d}"


def _update_dates(seed: int, code: str, pattern: str) -> list[date]:
    rng = random.Random(f"{seed}/{code}/updates")
    out = []
    y, m = _FIRST_UPDATE_MONTH
    while (y, m) <= _LAST_UPDATE_MONTH:
        cutoff = date(y, m, CUTOFF_DAY)
        if pattern == "late":
            out.append(cutoff + timedelta(days=rng.randint(3, 8)))
        elif pattern == "stopped" and _STOPPED_AFTER < (y, m) <= _STOPPED_UNTIL:
            rng.random()
        else:
            out.append(cutoff - timedelta(days=rng.randint(0, 9)))
        y, m = shift_month(y, m, 1)
    return out


# --- words of a province
