"""The history as a person reads it (Vietnamese): the list of runs and a diff."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sync.history.changes import Diff, TaskChange
from sync.history.records import RunInfo
from sync.labels import CATEGORY_LABELS, REPORT_STATUS_LABELS

_DEADLINE_NAMES = {"deadline": "thời hạn", "extended_deadline": "gia hạn đến"}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def render_runs(runs: list[RunInfo], path: Path) -> str:
    """The table of ``ubnd-sync history``: one line per recorded run."""
    if not runs:
        return "Lịch sử chưa có lần tổng hợp nào."
    lines = [
        f"Lịch sử: {path}",
        f"{'Số':>4}  {'Ngày tổng hợp':<13}  {'Kỳ cập nhật':<23}  {'Tháng':<7}  {'Đơn vị':>6}  "
        f"{'Nhiệm vụ':>8}  {'Quá hạn':>7}  {'Tỷ lệ HT':>8}  {'Đúng hạn':>8}",
    ]
    for r in runs:
        counts = r.totals.get("counts", {})
        period = r.period.label()
        lines.append(
            f"{r.id:>4}  {r.as_of:%d/%m/%Y}     {period:<23}  {r.period.cutoff:%m/%Y}  {r.unit_count:>6}  "
            f"{r.task_count:>8}  {counts.get('in_progress_overdue', 0):>7}  "
            f"{_pct(r.totals.get('completion_rate')):>8}  {_pct(r.totals.get('on_time_rate')):>8}"
        )
    lines.append(f"{len(runs)} lần tổng hợp.")
    return "\n".join(lines)


def _shown(value: str | None) -> str:
    if value is None:
        return "(trống)"
    if value == "no_deadline":
        return "Không thời hạn"
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _task(c: TaskChange) -> str:
    summary = c.summary or ""
    if len(summary) > 70:
        summary = summary[:67] + "…"
    return f"[{c.unit}] {c.task_id or '(không mã)'} {summary}"


def _marked_new(c: TaskChange) -> str:
    return " (mới giao)" if c.detail.get("new") else ""


def _deadline_change(c: TaskChange) -> str:
    parts = [
        f"{_DEADLINE_NAMES[name]}: {_shown(ch['old'])} → {_shown(ch['new'])}"
        for name, ch in c.detail.get("changes", {}).items()
    ]
    return _task(c) + " (" + "; ".join(parts) + ")"


def _sections(d: Diff) -> list[tuple[str, list[str]]]:
    return [
        ("Nhiệm vụ mới hoàn thành", [_task(c) + _marked_new(c) for c in d.newly_completed]),
        (
            "Nhiệm vụ mới quá hạn",
            [
                _task(c) + f" — quá hạn {c.detail.get('days_overdue')} ngày" + _marked_new(c)
                for c in d.newly_overdue
            ],
        ),
        ("Thay đổi thời hạn, gia hạn", [_deadline_change(c) for c in d.deadline_changes]),
        ("Nhiệm vụ mới giao", [_task(c) for c in d.new_tasks]),
        (
            "Nhiệm vụ không còn trong bảng",
            [
                _task(c) + f" (trước: {CATEGORY_LABELS.get(c.old_category or '', '')})"
                for c in d.vanished_tasks
            ],
        ),
        (
            "Đơn vị thay đổi tình trạng báo cáo",
            [
                f"{u.name} ({u.code}): {REPORT_STATUS_LABELS.get(u.old_status or '', 'chưa có')} → "
                f"{REPORT_STATUS_LABELS.get(u.new_status or '', 'không còn trong cấu hình')}"
                for u in d.report_status_changes
            ],
        ),
    ]


def render_diff(d: Diff) -> str:
    """The diff as a person reads it (Vietnamese)."""
    lines = [
        f"So sánh lần tổng hợp số {d.old.id} (ngày {d.old.as_of:%d/%m/%Y}) với lần số {d.new.id} "
        f"(ngày {d.new.as_of:%d/%m/%Y}):"
    ]
    for title, items in _sections(d):
        lines += ["", f"{title}: {len(items)}", *(f"  - {item}" for item in items)]
    return "\n".join(lines)


__all__ = ["render_diff", "render_runs"]
