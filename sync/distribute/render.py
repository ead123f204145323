"""``distribute``'s outcome as the Office reads it: one line per unit that changes, then the totals."""

from __future__ import annotations

from sync.distribute import FAILED, DistributeReport, UnitOutcome
from sync.distribute.current import CURRENT_FIELDS
from sync.schema import register_schema

#: One line per unit, as the Office reads it.
STATUS_TEXT = {
    "added": "đã thêm {n} nhiệm vụ ({ids}) vào trang “{sheet}”, dòng {rows}",
    "would_add": "sẽ thêm {n} nhiệm vụ ({ids}) vào trang “{sheet}”, từ dòng {first}",
    "updated": "",
    "would_update": "",
    "up_to_date": "đã có đủ nhiệm vụ của danh mục, không thêm gì",
    "skipped": "BỎ QUA: {message}",
    "refused": "CHƯA THÊM: {message}",
    "failed": "CHƯA THÊM: {message}",
}


#: units with nothing to add are listed one by one up to this many, else counted in one line
QUIET_LISTED = 5


def unit_line(u: UnitOutcome) -> str:
    """One unit's line."""
    text = STATUS_TEXT[u.status].format(
        n=len(u.added),
        ids=", ".join(u.added),
        sheet=u.sheet or "",
        rows=", ".join(map(str, u.rows)),
        first=u.rows[0] if u.rows else "",
        message=u.message,
    )
    if u.status == "up_to_date" and not u.coop:
        return f"{u.code}: {text}"
    parts = [text] if u.added or u.status not in ("added", "would_add", "updated", "would_update") else []
    if u.updated and u.status in ("added", "would_add", "updated", "would_update"):
        verb = "sẽ cập nhật" if u.status.startswith("would_") else "đã cập nhật"
        parts.append(f"{verb} {updated_text(u)}")
    if u.coop and u.status in ("added", "would_add", "up_to_date"):
        verb = "sẽ ghi" if u.status == "would_add" else "đã ghi"
        parts.append(f"{verb} trang “{u.coop_tab or 'Phối hợp'}” ({len(u.coop)} nhiệm vụ phối hợp)")
    return f"{u.code}: {'; '.join(parts)}"


def updated_text(u: UnitOutcome) -> str:
    """The rows brought up to date, as the Office reads them: what, which task, which row."""
    titles = {f.name: f.title for f in register_schema().fields}
    fields = [titles[n] for n in CURRENT_FIELDS if any(n in r.fields for r in u.updated)]
    rows = ", ".join(f"{r.task_id} dòng {r.row}" for r in u.updated)
    return f"{' và '.join(f'“{t}”' for t in fields)} theo danh mục ({rows})"


def report_lines(report: DistributeReport) -> list[str]:
    """The whole report: the units that change (the rest counted in one line when many), the
    register rows held back, and the totals."""
    lines: list[str] = []
    quiet = [u for u in report.units if u.status == "up_to_date" and not u.coop]
    for u in report.units:
        if u not in quiet or len(quiet) <= QUIET_LISTED:
            lines.append(unit_line(u))
    if len(quiet) > QUIET_LISTED:  # 118 units: the few that change, then one line for the rest
        who = f"{len(quiet)} đơn vị khác" if len(quiet) < len(report.units) else f"Cả {len(quiet)} đơn vị"
        lines.append(f"{who} đã có đủ nhiệm vụ của danh mục, không thêm gì.")
    for h in report.held:
        lines.append(f"Danh mục dòng {h.row} ({h.task_id or 'chưa có mã'}): không giao — {h.reason}")
    verb = "Chạy thử (--dry-run): sẽ thêm" if report.dry_run else "Đã thêm"
    units = sum(1 for u in report.units if u.added and u.status in ("added", "would_add"))
    total = f"{verb} {report.added} nhiệm vụ cho {units} đơn vị"
    if report.updated:
        changed = sum(1 for u in report.units if u.updated and u.status not in FAILED)
        again = "sẽ cập nhật" if report.dry_run else "cập nhật"
        total += f"; {again} thời hạn điều chỉnh ở {report.updated} dòng đã có của {changed} đơn vị"
    lines.append(total + ".")
    if report.failed:
        codes = ", ".join(u.code for u in report.failed)
        lines.append(f"{len(report.failed)} đơn vị chưa thêm được: {codes}; chạy lại sau khi xử lý.")
    if report.requests is not None:
        lines.append(f"Đã dùng {report.requests} yêu cầu tới Google API.")
    return lines
