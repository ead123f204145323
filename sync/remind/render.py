"""``remind``'s outcome as the Office reads it (one line per unit and channel) and as JSON."""

from __future__ import annotations

from typing import Any

from sync.remind import Reminders

#: One line per outcome, as the Office reads it.
OUTCOME_TEXT = {
    "sent": "đã gửi tới {recipients}",
    "failed": "CHƯA GỬI ĐƯỢC: {detail} — sẽ gửi lại ở lần chạy sau",
    "already_sent": "đã gửi thông báo này trong kỳ (lúc {detail}), không gửi lại",
    "no_address": "không có địa chỉ e-mail trong cấu hình (khóa “emails” của đơn vị): chưa gửi",
}
#: The same for the ``Nhắc việc`` tab in the unit's own sheet.
SHEET_TEXT = {
    "sent": "đã ghi trang “{detail}” trong bảng của đơn vị",
    "failed": "CHƯA GHI ĐƯỢC trang “Nhắc việc”: {detail} — sẽ ghi lại ở lần chạy sau",
    "already_sent": "trang “Nhắc việc” đã có thông báo này trong kỳ (ghi lúc {detail}), không ghi lại",
}


def reminders_json(reminders: Reminders) -> list[dict[str, Any]]:
    """One entry per notice, with what became of it by e-mail (``outcome``) and in the sheet (``sheet``)."""
    doc: list[dict[str, Any]] = [
        {
            "unit": n.unit,
            "recipients": list(n.recipients),
            "subject": n.subject,
            "sections": n.sections,
            "text": n.text,
            "outcome": None,
            "sheet": None,
        }
        for n in reminders.notices
    ]
    by_unit = {entry["unit"]: entry for entry in doc}
    for outcome in reminders.outcomes:
        key = "outcome" if outcome.channel == "email" else "sheet"
        by_unit[outcome.unit][key] = {"status": outcome.status, "detail": outcome.detail}
    return doc


def reminders_lines(reminders: Reminders, *, dry_run: bool) -> list[str]:
    """A dry run: each notice in full; a real run: one line per unit and channel."""
    lines: list[str] = []
    if dry_run:
        for n in reminders.notices:
            to = ", ".join(n.recipients) or "(không có địa chỉ e-mail)"
            lines.append(f"=== {n.unit} — gửi tới: {to}\nTiêu đề: {n.subject}\n\n{n.text}")
        lines.append(f"Chạy thử (--dry-run): {len(reminders.notices)} thông báo, không gửi thư nào.")
        return lines
    for o in reminders.outcomes:
        texts = OUTCOME_TEXT if o.channel == "email" else SHEET_TEXT
        lines.append(
            f"{o.unit}: {texts[o.status].format(recipients=', '.join(o.recipients), detail=o.detail)}"
        )
    if not reminders.notices:
        lines.append("Không đơn vị nào cần nhắc theo lần tổng hợp gần nhất.")
    return lines
