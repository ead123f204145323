"""Tasks carrying the mistakes real units make, one kind per unit."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta

from sync.schema import Schema

from .model import DUPLICATE_UNITS, INCOMPLETE_UNIT, REFERENCE, DemoUnit, Task
from .tasks import base_task
from .words import OBSTACLES


def seeded_tasks(
    rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit], schema: Schema, years: int
) -> list[Task]:
    """Tasks carrying the mistakes real units make (present every month from June 2024).

    Dates in REFERENCE's calendar, like ``tasks``; a deadline typed as text names the
    province's year (``years`` later).
    """
    code = unit.role  # the role it plays, named by a Kiên Giang 2024 code
    out: list[Task] = []
    year = REFERENCE.year + years  # as the unit types it

    def add(doc: date, deadline: date | None, *mistakes: str) -> Task:
        task = base_task(rng, 1000 + len(out), unit, units, doc, deadline, years)
        task.mistakes = frozenset(mistakes)
        task.obstacles = None
        out.append(task)
        return task

    if code == "RG":  # completed, but the completion date was never typed
        t = add(date(2024, 3, 12), date(2024, 9, 30), "no-completion-date")
        t.completed = date(2024, 5, 20)
        t.started = date(2024, 3, 15)
    elif code == "KL":  # a month-first deadline
        add(date(2024, 2, 6), None, "deadline-text").deadline_text = f"03/15/{year}"
    elif code == "CT":  # a day that does not exist
        add(date(2024, 1, 18), None, "deadline-text").deadline_text = f"31/02/{year}"
    elif code == INCOMPLETE_UNIT:
        for doc in (date(2024, 2, 2), date(2024, 3, 8), date(2024, 4, 16)):
            t = add(doc, doc + timedelta(days=45))
            t.frozen = True
            t.obstacles = rng.choice(OBSTACLES)
        add(date(2024, 3, 20), date(2024, 12, 31), "future-update")
    elif code == "VT":  # TCVN3 text pasted from an old report
        t = add(date(2024, 4, 3), date(2024, 6, 30), "legacy-progress")
        t.completed = date(2024, 6, 14)
    elif code == "GR":  # a lead unit the province does not know
        t = add(date(2024, 5, 7), date(2024, 12, 15), "unknown-lead")
        t.lead = "Phòng Tài chính - Kế hoạch huyện Giồng Riềng"
    elif code == "PQ":  # text that looks like a formula
        t = add(date(2024, 2, 20), date(2024, 4, 30), "formula-text")
        t.completed = date(2024, 4, 22)
    elif code in DUPLICATE_UNITS:  # the same id in two units' sheets
        t = add(date(2023, 4, 11), date(2023, 6, 30), "duplicate")
        t.summary = "Rà soát, đề xuất tháo gỡ khó khăn cho dự án Khu đô thị lấn biển Tây Bắc Rạch Giá"
        t.doc_ref = "1034/UBND-KT"
        by_role = {u.role: u for u in units}
        t.lead = by_role[DUPLICATE_UNITS[0]].name
        t.co_units = by_role[DUPLICATE_UNITS[1]].name
        t.completed = date(2023, 6, 26) if code == "SCT" else date(2023, 7, 14)
    return out
