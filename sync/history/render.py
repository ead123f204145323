"""The history as a person reads it (Vietnamese): the list of runs and a diff."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sync.history.changes import Diff, TaskChange
from sync.history.records import RecordOutcome, RunInfo
from sync.labels import CATEGORY_LABELS, REPORT_STATUS_LABELS

_DEADLINE_NAMES = {"deadline": "thời hạn", "extended_deadline": "gia hạn đến"}


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def run_notes(r: RunInfo) -> str:
    """Why a run is not read as a regular one: void, back-dated, superseded (empty when it is)."""
    if r.voided_on is not None:
        return f"ĐÃ HỦY ngày {r.voided_on:%d/%m/%Y}: {r.void_reason}"
    notes = ["lùi ngày"] if r.backdated else []
    if r.superseded_by is not None:
        notes.append(
            f"đã được thay thế bởi lần số {r.superseded_by}"
            if r.id is not None and r.superseded_by > r.id
            else f"báo cáo tháng dùng lần số {r.superseded_by}"
        )
    return ", ".join(notes)


def render_runs(runs: list[RunInfo], path: Path) -> str:
    """The table of ``ubnd-sync history``: one line per recorded run, void ones too, with notes."""
    if not runs:
        return "Lịch sử chưa có lần tổng hợp nào."
    lines = [
        f"Lịch sử: {path}",
        f"{'Số':>4}  {'Ngày tổng hợp':<13}  {'Kỳ cập nhật':<23}  {'Tháng':<7}  {'Đơn vị':>6}  "
        f"{'Nhiệm vụ':>8}  {'Quá hạn':>7}  {'Tỷ lệ HT':>8}  {'Đúng hạn':>8}  Ghi chú",
    ]
    for r in runs:
        counts = r.totals.get("counts", {})
        period = r.period.label()
        lines.append(
            f"{r.id:>4}  {r.as_of:%d/%m/%Y}     {period:<23}  {r.period.cutoff:%m/%Y}  {r.unit_count:>6}  "
            f"{r.task_count:>8}  {counts.get('in_progress_overdue', 0):>7}  "
            f"{_pct(r.totals.get('completion_rate')):>8}  {_pct(r.totals.get('on_time_rate')):>8}  "
            f"{run_notes(r)}".rstrip()
        )
    void = sum(1 for r in runs if r.void)
    lines.append(f"{len(runs)} lần tổng hợp" + (f", trong đó {void} lần đã hủy." if void else "."))
    return "\n".join(lines)


def render_outcome(outcome: RecordOutcome) -> str:
    """One line on what a sync added to the history."""
    if outcome.duplicate_of is not None:
        return (
            f"Dữ liệu không đổi so với lần tổng hợp số {outcome.duplicate_of} cùng ngày "
            f"{outcome.as_of:%d/%m/%Y}: không ghi thêm vào lịch sử."
        )
    if outcome.backdated:
        return (
            f"Đã ghi vào lịch sử: lần tổng hợp số {outcome.run_id}, lùi ngày về {outcome.as_of:%d/%m/%Y} "
            "(không được coi là lần gần nhất, không dùng làm số liệu kỳ trước để so sánh)."
        )
    return f"Đã ghi vào lịch sử: lần tổng hợp số {outcome.run_id}."


def render_void(r: RunInfo) -> str:
    """What ``ubnd-sync history void`` did."""
    return (
        f"Đã hủy lần tổng hợp số {r.id} (ngày {r.as_of:%d/%m/%Y}, tháng {r.period.cutoff:%m/%Y}); "
        f"lý do: {r.void_reason}. Lần này vẫn được giữ trong lịch sử nhưng không còn được dùng cho "
        "diff, báo cáo, bảng So sánh và đánh giá."
    )


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


__all__ = ["render_diff", "render_outcome", "render_runs", "render_void", "run_notes"]
