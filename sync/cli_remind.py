"""Command ``remind`` (registered on ``cli`` by ``sync.cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from sync.cli_common import CONTEXT, config_option, debug_option, guard, json_option
from sync.config import load_config

#: One line per outcome of the ``Nhắc việc`` tab in the unit's own sheet (e-mail: ``sync.remind.render``).
SHEET_TEXT = {
    "sent": "đã ghi trang “Nhắc việc” trong bảng của đơn vị",
    "failed": "CHƯA GHI ĐƯỢC trang “Nhắc việc”: {detail} — sẽ ghi lại ở lần chạy sau",
    "already_sent": "trang “Nhắc việc” đã có thông báo này trong kỳ (ghi lúc {detail}), không ghi lại",
}
CHANNEL_CHOICES = {"email": ("email",), "sheet": ("sheet",), "all": ("email", "sheet")}


@click.command("remind", context_settings=CONTEXT)
@config_option
@json_option
@debug_option
@click.option("--dry-run", is_flag=True, help="In các thông báo, không gửi.")
@click.option("--unit", "unit", metavar="CODE", help="Chỉ nhắc một đơn vị (mã đơn vị).")
@click.option(
    "--channel",
    type=click.Choice(sorted(CHANNEL_CHOICES)),
    default="email",
    show_default=True,
    help="Nhắc qua e-mail, ghi vào trang “Nhắc việc” trong bảng của đơn vị (sheet), hoặc cả hai (all).",
)
@click.option(
    "--resend", is_flag=True, help="Gửi lại các thư “có thể đã gửi” (sau khi hỏi đơn vị chưa nhận)."
)
@click.option(
    "--mark-sent", is_flag=True, help="Ghi nhận các thư “có thể đã gửi” là đơn vị đã nhận; không gửi gì."
)
@guard
def remind_cmd(
    config_path: Path,
    as_json: bool,
    debug: bool,
    dry_run: bool,
    unit: str | None,
    channel: str,
    resend: bool,
    mark_sent: bool,
) -> None:
    """Nhắc việc các đơn vị theo lần tổng hợp gần nhất, qua e-mail (mục [mail] của cấu hình)
    và/hoặc trang “Nhắc việc” trong bảng tính của chính đơn vị (--channel sheet|all).

    Mỗi đơn vị có nhiệm vụ quá hạn, sắp đến hạn, dòng chưa cập nhật, cập nhật muộn
    hoặc lỗi trong bảng nhận một thư (lỗi cần sửa trước), kèm danh sách ô cần sửa
    (.xlsx). Mỗi địa chỉ nhận một thông báo đúng một lần trong một kỳ; địa chỉ chưa gửi
    được sẽ được gửi lại ở lần chạy sau. Thư mà lần gửi bị dừng giữa chừng được báo
    “có thể đã gửi” và không tự gửi lại: hỏi đơn vị rồi chạy với --resend (gửi lại) hoặc
    --mark-sent (đã nhận). Hai lần nhắc việc chạy cùng lúc thì lần sau chờ lần trước.
    Mật khẩu máy chủ thư lấy từ biến môi trường
    UBND_SYNC_SMTP_PASSWORD (hoặc biến ghi ở khóa password_env), không ghi trong cấu hình.
    Trang “Nhắc việc” do Văn phòng quản lý, được thay mới mỗi khi có thông báo mới và khóa
    không cho đơn vị sửa.

    Mã thoát: 0 đã gửi hết (hoặc không có gì để gửi); 1 có thư hoặc trang chưa gửi/ghi được
    hoặc “có thể đã gửi”.

    \b
    Ví dụ:
      ubnd-sync remind --dry-run            # xem trước các thông báo
      ubnd-sync remind                      # gửi
      ubnd-sync remind --unit SNV
      ubnd-sync remind --channel all        # e-mail và trang “Nhắc việc”
      ubnd-sync remind --unit SNV --resend  # gửi lại thư “có thể đã gửi” của SNV
    """
    from sync.remind import remind
    from sync.remind.render import email_json, email_line

    reminders = remind(
        load_config(config_path),
        dry_run=dry_run,
        unit=unit,
        channels=CHANNEL_CHOICES[channel],
        resend=resend,
        mark_sent=mark_sent,
    )
    if as_json:
        notices = {n.unit: n for n in reminders.notices}
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
            for n in notices.values()
        ]
        by_unit = {entry["unit"]: entry for entry in doc}
        for outcome in reminders.outcomes:
            if outcome.channel == "email":
                by_unit[outcome.unit]["outcome"] = email_json(outcome)
            else:
                by_unit[outcome.unit]["sheet"] = {"status": outcome.status, "detail": outcome.detail}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif dry_run:
        for n in reminders.notices:
            to = ", ".join(n.recipients) or "(không có địa chỉ e-mail)"
            click.echo(f"=== {n.unit} — gửi tới: {to}\nTiêu đề: {n.subject}\n\n{n.text}")
        click.echo(f"Chạy thử (--dry-run): {len(reminders.notices)} thông báo, không gửi thư nào.")
    else:
        for o in reminders.outcomes:
            line = email_line(o) if o.channel == "email" else SHEET_TEXT[o.status].format(detail=o.detail)
            click.echo(f"{o.unit}: {line}")
        if mark_sent and not reminders.outcomes:
            click.echo("Không có thư nào đang “có thể đã gửi”: không ghi nhận gì.")
        if not reminders.notices:
            click.echo("Không đơn vị nào cần nhắc theo lần tổng hợp gần nhất.")
    sys.exit(1 if reminders.failed else 0)
