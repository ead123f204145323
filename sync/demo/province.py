"""The world drawn from a seed: every unit's tasks with their timelines and its update days."""

from __future__ import annotations

import bisect
import functools
import random
from datetime import date, timedelta

from sync.schema import unit_sheet_schema

from .mistakes import seeded_tasks
from .model import CUTOFF_DAY, DEFAULT_PROVINCE, DUPLICATE_ID, WorldUnit, load_units, shift_month
from .styles import style_for
from .tasks import random_tasks

_FIRST_UPDATE_MONTH = (2022, 12)
_LAST_UPDATE_MONTH = (2026, 6)
_STOPPED_AFTER = (2024, 8)  # last cutoff month KH updated for


@functools.lru_cache(maxsize=8)
def build_world(seed: int, province: str = DEFAULT_PROVINCE) -> dict[str, WorldUnit]:
    units = load_units(province)
    schema = unit_sheet_schema()
    world: dict[str, WorldUnit] = {}
    for unit in units:
        style = style_for(unit)
        updates = _update_dates(seed, unit.code, style.updates)
        rng = random.Random(f"{seed}/{unit.code}/tasks")
        tasks = random_tasks(rng, unit, units, schema)
        tasks += seeded_tasks(rng, unit, units, schema)
        tasks.sort(key=lambda t: (t.doc_date, t.key))
        for task in tasks:
            if task.frozen:
                # the row was updated once, then left alone
                i = bisect.bisect_left(updates, task.doc_date)
                task.started = task.doc_date + timedelta(days=1)
                task.frozen_on = updates[i] if i < len(updates) else None
        world[unit.code] = WorldUnit(unit, style, tasks, updates)
    _assign_ids(world)
    return world


def _assign_ids(world: dict[str, WorldUnit]) -> None:
    """Ids the Office gives: NV-<year>-<number>, numbered by assignment date."""
    everything = [(t.doc_date, code, t.key, t) for code, u in world.items() for t in u.tasks]
    everything.sort(key=lambda x: (x[0], x[1], x[2]))
    counters: dict[int, int] = {}
    for doc_date, _code, _key, task in everything:
        if "duplicate" in task.mistakes:
            task.task_id = DUPLICATE_ID
            continue
        n = counters.get(doc_date.year, 0) + 1
        if doc_date.year == 2023 and n == 100:
            n += 1  # NV-2023-0100 is the seeded duplicate
        counters[doc_date.year] = n
        task.task_id = f"NV-{doc_date.year}-{n:04d}"


def _update_dates(seed: int, code: str, pattern: str) -> list[date]:
    rng = random.Random(f"{seed}/{code}/updates")
    out = []
    y, m = _FIRST_UPDATE_MONTH
    while (y, m) <= _LAST_UPDATE_MONTH:
        cutoff = date(y, m, CUTOFF_DAY)
        if pattern == "late":
            out.append(cutoff + timedelta(days=rng.randint(3, 8)))
        elif pattern == "stopped" and _STOPPED_AFTER < (y, m) <= (2024, 10):
            rng.random()
        else:
            out.append(cutoff - timedelta(days=rng.randint(0, 9)))
        y, m = shift_month(y, m, 1)
    return out


# --- words of a province
