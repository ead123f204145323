"""``remind``'s outcome as the Office reads it (one line per unit and channel, each address's fate,
times in Việt Nam) and as JSON."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sync.engine import TIMEZONE
from sync.remind.mail import Outcome

if TYPE_CHECKING:
    from sync.remind import Reminders

#: One line per outcome of the ``Nhắc việc`` tab in the unit's own sheet (``detail``: the tab's name
#: when written, the reason when not, the time when it was written before).
SHEET_TEXT = {
    "sent": "đã ghi trang “{detail}” trong bảng của đơn vị",
    "failed": "CHƯA GHI ĐƯỢC trang “Nhắc việc”: {detail} — sẽ ghi lại ở lần chạy sau",
    "already_sent": "trang “Nhắc việc” đã có thông báo này trong kỳ (ghi lúc {detail}), không ghi lại",
}


def when(at: str) -> str:
    """A recorded time (ISO 8601 with its offset) as ``dd/mm/yyyy HH:MM`` in Việt Nam."""
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    if moment.tzinfo is None:  # written without an offset: taken as this machine's local time
        moment = moment.astimezone()
    return f"{moment.astimezone(TIMEZONE):%d/%m/%Y %H:%M}"


def _grouped(pairs: tuple[tuple[str, str], ...]) -> dict[str, list[str]]:
    """(address, text) pairs as text -> addresses, in order."""
    out: dict[str, list[str]] = {}
    for address, text in pairs:
        out.setdefault(text, []).append(address)
    return out


def _decide(unit: str) -> str:
    return (
        f"hỏi đơn vị đã nhận thư chưa: chưa thì chạy “ubnd-sync remind --unit {unit} --resend” để gửi lại, "
        f"đã nhận thì chạy “ubnd-sync remind --unit {unit} --mark-sent”"
    )


def email_line(o: Outcome) -> str:
    """What happened to one unit's e-mail, every address accounted for."""
    if o.status == "no_address":
        return "không có địa chỉ e-mail trong cấu hình (khóa “emails” của đơn vị): chưa gửi"
    if o.status == "marked":
        return f"đã ghi nhận {', '.join(o.recipients)} đã nhận thông báo (Văn phòng xác nhận); không gửi lại"
    parts: list[str] = []
    if o.recipients:
        parts.append(f"đã gửi tới {', '.join(o.recipients)}" + (f" {o.detail}" if o.detail else ""))
    if o.status == "skipped":
        parts.append(f"CHƯA GỬI: đã dừng gửi thư vì {o.detail} — sẽ gửi ở lần chạy sau")
    if o.not_sent:
        groups = _grouped(o.not_sent)
        if len(groups) == 1 and not o.recipients:
            parts.append(f"CHƯA GỬI ĐƯỢC: {next(iter(groups))} — sẽ gửi lại ở lần chạy sau")
        else:
            told = "; ".join(f"tới {', '.join(addresses)}: {reason}" for reason, addresses in groups.items())
            parts.append(f"CHƯA GỬI ĐƯỢC {told} — sẽ gửi lại ở lần chạy sau")
    if o.unsure:
        for reason, addresses in _grouped(tuple((a, _doubt(at, why)) for a, at, why in o.unsure)).items():
            parts.append(f"CÓ THỂ ĐÃ GỬI tới {', '.join(addresses)} ({reason}): {_decide(o.unit)}")
    if o.earlier:
        times = _grouped(tuple((a, when(at)) for a, at in o.earlier))
        if not parts:
            shown = ", ".join(times)
            return f"đã gửi thông báo này trong kỳ (lúc {shown}), không gửi lại"
        parts += [f"{', '.join(addresses)} đã nhận thông báo này lúc {t}" for t, addresses in times.items()]
    return "; ".join(parts)


def _doubt(at: str, reason: str) -> str:
    started = f"lần gửi lúc {when(at)}" if at else "lần gửi này"
    return (
        f"{started}: {reason}"
        if reason
        else f"{started} chưa có kết quả: bị dừng giữa chừng hoặc không ghi được vào lịch sử"
    )


def email_json(o: Outcome) -> dict[str, Any]:
    """The outcome for ``--json``: its status and detail, then each address's fate."""
    return {
        "status": o.status,
        "detail": o.detail,
        "sent": list(o.recipients),
        "not_sent": dict(o.not_sent),
        "earlier": dict(o.earlier),
        "unsure": {a: at for a, at, _ in o.unsure},
    }


def sheet_line(o: Outcome) -> str:
    """What happened to one unit's ``Nhắc việc`` tab."""
    detail = when(o.detail) if o.status == "already_sent" else o.detail
    return SHEET_TEXT[o.status].format(detail=detail)


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
        if outcome.channel == "email":
            by_unit[outcome.unit]["outcome"] = email_json(outcome)
        else:
            by_unit[outcome.unit]["sheet"] = {"status": outcome.status, "detail": outcome.detail}
    return doc


def reminders_lines(reminders: Reminders, *, dry_run: bool, mark_sent: bool = False) -> list[str]:
    """A dry run: each notice in full; a real run: one line per unit and channel."""
    lines: list[str] = []
    if dry_run:
        for n in reminders.notices:
            to = ", ".join(n.recipients) or "(không có địa chỉ e-mail)"
            lines.append(f"=== {n.unit} — gửi tới: {to}\nTiêu đề: {n.subject}\n\n{n.text}")
        lines.append(f"Chạy thử (--dry-run): {len(reminders.notices)} thông báo, không gửi thư nào.")
        return lines
    for o in reminders.outcomes:
        lines.append(f"{o.unit}: {email_line(o) if o.channel == 'email' else sheet_line(o)}")
    if mark_sent and not reminders.outcomes:
        lines.append("Không có thư nào đang “có thể đã gửi”: không ghi nhận gì.")
    if not reminders.notices:
        lines.append("Không đơn vị nào cần nhắc theo lần tổng hợp gần nhất.")
    return lines
