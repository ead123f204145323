"""The history's use cases, as ``ubnd-sync history``, ``history void`` and ``diff`` (and a page) call them."""

from __future__ import annotations

from datetime import date

from sync.config import Config
from sync.exceptions import UsageError
from sync.history.changes import Diff
from sync.history.records import RunInfo
from sync.history.store import History


def list_runs(config: Config) -> list[RunInfo]:
    """Every recorded run, voided, back-dated and replaced ones included (each says which)."""
    with History(config.history_path, create=False) as h:
        return h.runs(include_void=True)


def void_run(config: Config, run_id: int, reason: str) -> RunInfo:
    """Void a run with a reason: kept, but never used for diff, report, So sánh or evaluation."""
    if not reason.strip():
        raise UsageError("cần ghi lý do hủy: --reason “…”.")
    with History(config.history_path, create=False) as h:
        return h.void(run_id, reason)


def diff_runs(config: Config, *, since: int | date | None = None, run_id: int | None = None) -> Diff:
    """What changed between run ``run_id`` (default the latest) and an older one: run ``since``
    (an id), the latest on or before ``since`` (a day), or by default the previous period's."""
    with History(config.history_path, create=False) as h:
        new = h.newer_run(run_id)
        old = h.older_run(new, since)
        return h.diff(old, new)
