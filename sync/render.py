"""Human-readable Vietnamese text for the terminal (the CLI only formats; this builds)."""

from __future__ import annotations

from collections import Counter

from sync.display import ROMAN, format_percent
from sync.labels import GROUP_LABELS, REPORT_STATUS_LABELS, SEVERITY_LABELS
from sync.model import Counts, Finding, RunResult, grouped
from sync.normalize import format_date


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def units_table(result: RunResult) -> str:
    w = max([8, *(len(u.code) for u in result.units)])  # commune codes (P-LONGXUYEN) are long
    head = (
        f"{'Mã':<{w}} {'Đơn vị':<34} {'Tổng':>5} {'HT đúng':>7} {'HT trễ':>6} {'Đang TH':>7} "
        f"{'Quá hạn':>7} {'K.hạn':>5} {'Chưa PL':>7} {'Tỷ lệ HT':>8} {'Đúng hạn':>8}  Báo cáo"
    )
    lines = [
        f"Tình hình thực hiện nhiệm vụ đến ngày {format_date(result.as_of)} (kỳ báo cáo {result.period.label()})",
        "",
        head,
        "-" * len(head),
    ]

    def line(code: str, name: str, c: Counts, st: str) -> str:
        return (
            f"{code:<{w}} {_fit(name, 34):<34} {c.total:>5} {c.completed_on_time:>7} "
            f"{c.completed_late:>6} {c.in_progress_on_time:>7} {c.in_progress_overdue:>7} "
            f"{c.no_deadline:>5} {c.unclassified:>7} "
            f"{format_percent(c.completion_rate):>8} {format_percent(c.on_time_rate):>8}  {st}"
        )

    groups = grouped(result.units)
    for number, (group, units) in enumerate(groups, start=1):
        if len(groups) > 1:  # as Thống kê: each group opens with its subtotal
            if number > 1:
                lines.append("")
            sub = sum((u.tally for u in units), Counts())
            lines.append(line(ROMAN[number], f"{GROUP_LABELS[group]} ({len(units)})", sub, ""))
        for u in units:
            lines.append(line(u.code, u.name, u.tally, REPORT_STATUS_LABELS[u.report_status]))
    lines.append("-" * len(head))
    lines.append(line("", "Tổng cộng", Counts.from_dict(result.totals["counts"]), ""))
    return "\n".join(lines)


def findings_overview(findings: list[Finding]) -> str:
    by = Counter(f.severity for f in findings)
    parts = [f"{by.get(s, 0)} {SEVERITY_LABELS[s].lower()}" for s in ("error", "warning", "info")]
    return (
        "Phát hiện: "
        + ", ".join(parts)
        + " (chi tiết ở trang “Cảnh báo” của bảng tổng hợp hoặc lệnh validate)."
    )


def status_overview(result: RunResult) -> str:
    """The units to chase, by status; then how many had no task (counted, not listed: they may be most)."""
    lines = []
    for status in ("unreadable", "invalid", "missing", "incomplete", "late"):
        codes = [u.code for u in result.units if u.report_status == status]
        if codes:
            lines.append(f"{REPORT_STATUS_LABELS[status]}: {', '.join(codes)}")
    if idle := sum(1 for u in result.units if u.report_status == "no_tasks"):
        lines.append(
            f"{REPORT_STATUS_LABELS['no_tasks']}: {idle}/{len(result.units)} đơn vị "
            "(không tính là đúng hạn hay chậm)"
        )
    return "\n".join(lines)


def findings_list(findings: list[Finding], *, min_severity: str = "info") -> str:
    order = {"error": 0, "warning": 1, "info": 2}
    lines = []
    for f in findings:
        if order[f.severity] > order[min_severity]:
            continue
        where = f.unit
        if f.sheet:
            where += f" · {f.sheet}"
        if f.cell:
            where += f"!{f.cell}"
        lines.append(f"[{SEVERITY_LABELS[f.severity]}] {where} ({f.code}): {f.message}")
    return "\n".join(lines)
