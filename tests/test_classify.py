from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.classify import absent_state, classify_task, report_status, reporting_period
from sync.model import CATEGORIES, Counts, Period, Task

D = date(2024, 3, 5)
P = reporting_period(D, 25)


def task(**values: Any) -> Task:
    base: dict[str, Any] = {
        "status": "in_progress",
        "deadline": date(2024, 4, 30),
        "doc_date": date(2024, 1, 10),
        "updated_on": date(2024, 2, 20),
        "completed_on": None,
        "extended_deadline": None,
    }
    base.update(values)
    return classify_task(Task(unit="X", sheet="Nhiệm vụ", row=5, values=base, raw={}), D, P, 7)


@pytest.mark.parametrize(
    "as_of, k, prev, cut",
    [
        (date(2024, 3, 5), 25, date(2024, 1, 25), date(2024, 2, 25)),
        (date(2024, 3, 25), 25, date(2024, 2, 25), date(2024, 3, 25)),
        (date(2024, 1, 10), 25, date(2023, 11, 25), date(2023, 12, 25)),
        (date(2024, 2, 1), 25, date(2023, 12, 25), date(2024, 1, 25)),
        (date(2024, 1, 1), 1, date(2023, 12, 1), date(2024, 1, 1)),
    ],
)
def test_reporting_period(as_of: date, k: int, prev: date, cut: date) -> None:
    assert reporting_period(as_of, k) == Period(prev, cut)


@pytest.mark.parametrize(
    "values, category",
    [
        (
            {"status": "completed", "completed_on": date(2024, 2, 1), "deadline": date(2024, 2, 1)},
            "completed_on_time",
        ),
        (
            {"status": "completed", "completed_on": date(2024, 2, 2), "deadline": date(2024, 2, 1)},
            "completed_late",
        ),
        (
            {
                "status": "completed",
                "completed_on": date(2024, 2, 2),
                "deadline": date(2024, 2, 1),
                "extended_deadline": date(2024, 2, 10),
            },
            "completed_on_time",
        ),
        ({"status": "completed", "completed_on": None, "deadline": date(2024, 2, 1)}, "in_progress_overdue"),
        ({"status": "completed", "completed_on": None, "deadline": date(2024, 4, 1)}, "in_progress_on_time"),
        (
            {"status": "completed", "completed_on": date(2024, 3, 6), "deadline": date(2024, 4, 1)},
            "in_progress_on_time",
        ),
        ({"deadline": D}, "in_progress_on_time"),
        ({"deadline": date(2024, 3, 4)}, "in_progress_overdue"),
        ({"deadline": date(2024, 3, 4), "extended_deadline": date(2024, 3, 30)}, "in_progress_on_time"),
        ({"deadline": "no_deadline"}, "no_deadline"),
        ({"deadline": "no_deadline", "status": "completed", "completed_on": date(2024, 1, 2)}, "no_deadline"),
        ({"deadline": None}, "unclassified"),
        ({"status": None, "deadline": date(2024, 1, 1)}, "in_progress_overdue"),
    ],
)
def test_categories(values: dict[str, Any], category: str) -> None:
    assert task(**values).category == category


def test_overdue_days_and_due_soon() -> None:
    t = task(deadline=date(2024, 2, 24))
    assert t.days_overdue == 10
    assert task(deadline=date(2024, 3, 12)).due_soon
    assert not task(deadline=date(2024, 3, 13)).due_soon
    assert task(deadline=D).due_soon


@pytest.mark.parametrize(
    "values, state",
    [
        ({"updated_on": date(2024, 1, 26)}, "fresh"),
        ({"updated_on": date(2024, 2, 25)}, "fresh"),
        ({"updated_on": date(2024, 2, 26)}, "late"),
        ({"updated_on": D}, "late"),
        ({"updated_on": date(2024, 3, 6)}, "stale"),
        ({"updated_on": date(2024, 1, 25)}, "stale"),
        ({"updated_on": None}, "stale"),
        ({"updated_on": None, "doc_date": date(2024, 1, 26)}, "not_needed"),
        ({"updated_on": None, "doc_date": None}, "stale"),
        ({"updated_on": None, "status": "completed", "completed_on": date(2024, 1, 25)}, "not_needed"),
        ({"updated_on": None, "status": "completed", "completed_on": date(2024, 1, 26)}, "stale"),
    ],
)
def test_update_states(values: dict[str, Any], state: str) -> None:
    assert task(**values).update_state == state


@pytest.mark.parametrize(
    "states, status",
    [
        ([], "no_tasks"),  # contract §3: nothing to report, neither on time nor late
        (["not_needed"], "on_time"),
        (["fresh", "fresh"], "on_time"),
        (["fresh", "late"], "late"),
        (["stale", "late"], "incomplete"),
        (["stale", "fresh"], "incomplete"),
        (["stale", "stale", "not_needed"], "missing"),
    ],
)
def test_report_status(states: list[str], status: str) -> None:
    tasks = [
        Task(unit="X", sheet="s", row=i, values={}, raw={}, update_state=s) for i, s in enumerate(states)
    ]
    assert report_status(tasks) == status


def _register_task(doc_date: date | None) -> Task:
    """A task as the register holds it: the Office's fields only, never classified."""
    values = {"task_id": "NV-9", "summary": "Báo cáo", "deadline": date(2024, 4, 30), "doc_date": doc_date}
    return Task(unit="register", sheet="Danh mục", row=4, values=values, raw={})


@pytest.mark.parametrize(
    "doc_date, state",
    [
        (date(2024, 1, 25), "stale"),  # assigned on P: owed an update in (P, C]
        (None, "stale"),  # no valid assignment date: counts as assigned before (contract §3)
        (date(2024, 1, 26), "not_needed"),  # assigned after P: nothing owed yet
    ],
)
def test_a_register_task_the_sheet_lacks_is_never_updated(doc_date: date | None, state: str) -> None:
    assert absent_state(_register_task(doc_date), P) == state


@pytest.mark.parametrize(
    "states, absent, status",
    [
        ([], ["stale"], "missing"),  # tasks in the register, none in the sheet: not no_tasks
        ([], ["not_needed"], "on_time"),  # it has tasks; none needed an update yet
        ([], ["stale", "not_needed"], "missing"),
        (["fresh"], ["stale"], "incomplete"),
        (["fresh"], ["not_needed"], "on_time"),
        (["late"], [], "late"),
        ([], [], "no_tasks"),
    ],
)
def test_report_status_counts_the_register_tasks_a_sheet_lacks(
    states: list[str], absent: list[str], status: str
) -> None:
    tasks = [
        Task(unit="X", sheet="s", row=i, values={}, raw={}, update_state=s) for i, s in enumerate(states)
    ]
    assert report_status(tasks, absent) == status


dates = st.one_of(st.none(), st.dates(min_value=date(2023, 1, 1), max_value=date(2025, 1, 1)))


@given(
    status=st.sampled_from([None, "completed", "in_progress", "not_started"]),
    deadline=st.one_of(dates, st.just("no_deadline")),
    extended=dates,
    completed_on=dates,
    updated=dates,
    doc=dates,
)
def test_exactly_one_category(
    status: Any, deadline: Any, extended: Any, completed_on: Any, updated: Any, doc: Any
) -> None:
    t = task(
        status=status,
        deadline=deadline,
        extended_deadline=extended,
        completed_on=completed_on,
        updated_on=updated,
        doc_date=doc,
    )
    assert t.category in CATEGORIES
    c = Counts.of([t]).as_dict()
    assert sum(c[k] for k in CATEGORIES) == c["total"] == 1
    assert (t.days_overdue is not None) == (t.category == "in_progress_overdue")
