"""The typed counts: categories, total, completed and the rates of contract §2."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from sync.model import CATEGORIES, Counts, Task

SNV = {
    "total": 30,
    "completed_on_time": 10,
    "completed_late": 2,
    "in_progress_on_time": 12,
    "in_progress_overdue": 3,
    "no_deadline": 3,
    "unclassified": 0,
}


def test_contract_example() -> None:
    c = Counts.from_dict(SNV)
    assert c.total == 30 and c.completed == 12 and c.rated == 15
    assert (c.completion_rate, c.on_time_rate) == (0.8, 0.6667)
    assert c.as_dict() == SNV
    assert list(c.as_dict()) == ["total", *CATEGORIES]  # the JSON document's key order


def test_nothing_to_rate_gives_none() -> None:
    none = Counts.from_dict({**SNV, "completed_on_time": 0, "completed_late": 0, "in_progress_overdue": 0})
    assert (none.completion_rate, none.on_time_rate) == (None, None)
    c = Counts(in_progress_on_time=4, no_deadline=2, unclassified=1)
    assert c.total == 7 and c.completion_rate is None and c.on_time_rate is None
    assert Counts().totals_dict() == {
        "counts": dict.fromkeys(["total", *CATEGORIES], 0),
        "completion_rate": None,
        "on_time_rate": None,
    }


def test_of_tasks_and_sum() -> None:
    tasks = [
        Task(unit="X", sheet="s", row=i, values={}, raw={}, category=cat)
        for i, cat in enumerate(
            ["completed_late", "completed_on_time", "in_progress_overdue", "completed_late"]
        )
    ]
    c = Counts.of(tasks)
    assert c == Counts(completed_on_time=1, completed_late=2, in_progress_overdue=1)
    assert (c.completion_rate, c.on_time_rate) == (0.75, 0.25)
    assert c + Counts.from_dict(SNV) == Counts.from_dict({k: v + c.as_dict()[k] for k, v in SNV.items()})


counts = st.builds(Counts, *(st.integers(0, 10_000) for _ in CATEGORIES))


@given(counts)
def test_rates_are_between_zero_and_one_and_json_stable(c: Counts) -> None:
    assert c.total == sum(c.as_dict()[k] for k in CATEGORIES)
    assert Counts.from_dict(json.loads(json.dumps(c.as_dict()))) == c
    if c.rated:
        assert c.completion_rate is not None and c.on_time_rate is not None
        assert 0 <= c.on_time_rate <= c.completion_rate <= 1
    else:
        assert c.completion_rate is None
