"""What changed between two runs (sync.history.changes): three months of a small province, then the demo's."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sync.config import load_config
from sync.demo import DEMO_AS_OF
from sync.engine import run_sync
from sync.history import History, diff
from tests.helpers import DemoMonths
from tests.history_fixtures import M1, M2, M3, ids, record_month


def test_multi_month_history_gives_exact_diffs(tmp_path: Path) -> None:
    ids_by_month = {}
    for as_of in (M1, M2, M3):
        _, _, ids_by_month[as_of] = record_month(tmp_path, as_of)
    config = load_config(tmp_path / "ubnd-sync.toml")
    with History(config.history_path) as h:
        runs = h.runs()
        assert [r.as_of for r in runs] == [M1, M2, M3]
        s1, s2, s3 = (h.load(ids_by_month[m]) for m in (M1, M2, M3))

    d12 = diff(s1, s2)
    assert ids(d12.newly_completed) == ["NV-002"]
    assert ids(d12.newly_overdue) == ["NV-011"]
    assert d12.newly_overdue[0].detail == {"new": True, "effective_deadline": "2024-04-01", "days_overdue": 4}
    assert ids(d12.new_tasks) == ["NV-011"]
    assert ids(d12.vanished_tasks) == []
    assert ids(d12.deadline_changes) == ["NV-010"]
    assert d12.deadline_changes[0].detail == {
        "changes": {"extended_deadline": {"old": None, "new": "2024-04-30"}}
    }
    assert d12.report_status_changes == []

    d23 = diff(s2, s3)
    assert ids(d23.newly_completed) == ["NV-011"]
    assert d23.newly_completed[0].detail == {"new": False, "completed_on": "2024-04-28"}
    assert d23.newly_completed[0].old_category == "in_progress_overdue"
    assert d23.newly_completed[0].new_category == "completed_late"
    assert ids(d23.newly_overdue) == ["NV-001"]
    assert ids(d23.vanished_tasks) == ["NV-010"]
    assert ids(d23.new_tasks) == [] and ids(d23.deadline_changes) == []
    assert [(u.code, u.old_status, u.new_status) for u in d23.report_status_changes] == [
        ("SNV", "on_time", "missing"),
        ("STC", "on_time", "late"),
    ]
    # JSON form
    doc = d23.to_dict()
    assert json.loads(json.dumps(doc)) == doc
    assert doc["old"]["run_id"] == s2.id and doc["new"]["run_id"] == s3.id
    assert [c["task_id"] for c in doc["vanished_tasks"]] == ["NV-010"]
    assert doc["report_status_changes"][0] == {
        "code": "SNV",
        "name": "Sở Nội vụ",
        "old_report_status": "on_time",
        "new_report_status": "missing",
    }
    # a diff against a fresh, unrecorded result equals the diff against its snapshot
    assert (
        diff(s2, s3).to_dict()["newly_overdue"] == diff(s2, run_sync(config, M3)).to_dict()["newly_overdue"]
    )


# ----------------------------------------------------------------- the demo province, month by month


@pytest.fixture(scope="module")
def demo_history(demo_months: DemoMonths, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[int]]:
    directory = tmp_path_factory.mktemp("demo-history")
    run_ids = []
    for month in (8, 9, 10):
        province = demo_months.render(directory, as_of=date(DEMO_AS_OF.year, month, 5))
        config = load_config(province.config_path)
        result = run_sync(config, province.as_of)
        with History(config.history_path) as h:
            run_ids.append(h.record(result, config_path=str(config.path)).run_id)
    return directory, run_ids


def test_demo_history_diffs_are_exact_and_deterministic(
    demo_history: tuple[Path, list[int]], tmp_path: Path
) -> None:
    directory, run_ids = demo_history
    config = load_config(directory / "ubnd-sync.toml")
    with History(config.history_path) as h:
        snaps = [h.load(i) for i in run_ids]
        assert h.check() == []
    for old, new in zip(snaps, snaps[1:], strict=False):
        d = diff(old, new)
        o = {t.task_id: t for t in old.tasks}
        n = {t.task_id: t for t in new.tasks}
        # recomputed independently from the two snapshots
        assert sorted(ids(d.new_tasks)) == sorted(k for k in n if k not in o)  # type: ignore[type-var]
        assert sorted(ids(d.vanished_tasks)) == sorted(k for k in o if k not in n)  # type: ignore[type-var]
        expected_done = {k for k, t in n.items() if t.completed and (k not in o or not o[k].completed)}
        # the duplicate id (two units) appears twice, keyed apart
        assert set(ids(d.newly_completed)) == expected_done
        expected_over = {
            k
            for k, t in n.items()
            if t.category == "in_progress_overdue" and (k not in o or o[k].category != "in_progress_overdue")
        }
        assert set(ids(d.newly_overdue)) == expected_over
        assert d.new_tasks, "the demo province gets new tasks every month"
        assert d.newly_completed and d.newly_overdue
        # totals move by exactly the new and vanished tasks
        assert new.info.task_count - old.info.task_count == len(d.new_tasks) - len(d.vanished_tasks)
    # same seed, same months: byte-identical diff documents
    again: list[dict[str, Any]] = []
    from sync.demo import make_demo

    other = tmp_path / "again"
    results = []
    for month in (9, 10):
        province = make_demo(other, as_of=date(DEMO_AS_OF.year, month, 5))
        results.append(run_sync(load_config(province.config_path), province.as_of))
    again.append(diff(results[0], results[1]).to_dict())
    first = diff(snaps[1], snaps[2]).to_dict()
    for key in ("newly_completed", "newly_overdue", "deadline_changes", "new_tasks", "vanished_tasks"):
        assert first[key] == again[0][key], key
    # DK-KIENHAI stops updating after the August 2026 cutoff: missing by the October run
    statuses = {(u.code, s.as_of.month): u.report_status for s in snaps for u in s.units}
    assert statuses[("DK-KIENHAI", 10)] != "on_time"
