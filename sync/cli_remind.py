"""Command ``remind`` (registered on ``cli`` by ``sync.cli``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from sync.cli_common import CONTEXT, config_option, debug_option, guard, json_option
from sync.config import load_config

#: One line per outcome, as the Office reads it.
OUTCOME_TEXT = {
    "sent": "đã gửi tới {recipients}",
    "failed": "CHƯA GỬI ĐƯỢC: {detail} — sẽ gửi lại ở lần chạy sau",
    "already_sent": "đã gửi thông báo này trong kỳ (lúc {detail}), không gửi lại",
    "no_address": "không có địa chỉ e-mail trong cấu hình (khóa “emails” của đơn vị): chưa gửi",
}


@click.command("remind", context_settings=CONTEXT)
@config_option
@json_option
@debug_option
@click.option("--dry-run", is_flag=True, help="In các thông báo, không gửi.")
@click.option("--unit", "unit", metavar="CODE", help="Chỉ nhắc một đơn vị (mã đơn vị).")
@guard
def remind_cmd(config_path: Path, as_json: bool, debug: bool, dry_run: bool, unit: str | None) -> None:
    """Nhắc việc các đơn vị theo lần tổng hợp gần nhất, qua e-mail (mục [mail] của cấu hình).

    Mỗi đơn vị có nhiệm vụ quá hạn, sắp đến hạn, dòng chưa cập nhật, cập nhật muộn
    hoặc lỗi trong bảng nhận một thư (lỗi cần sửa trước), kèm danh sách ô cần sửa
    (.xlsx). Một thông báo không bao giờ được gửi hai lần trong một kỳ; thư chưa gửi
    được sẽ được gửi lại ở lần chạy sau. Mật khẩu máy chủ thư lấy từ biến môi trường
    UBND_SYNC_SMTP_PASSWORD (hoặc biến ghi ở khóa password_env), không ghi trong cấu hình.

    Mã thoát: 0 đã gửi hết (hoặc không có gì để gửi); 1 có thư chưa gửi được.

    \b
    Ví dụ:
      ubnd-sync remind --dry-run            # xem trước các thông báo
      ubnd-sync remind                      # gửi
      ubnd-sync remind --unit SNV
    """
    from sync.remind import remind

    reminders = remind(load_config(config_path), dry_run=dry_run, unit=unit)
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
            }
            for n in notices.values()
        ]
        for entry, outcome in zip(doc, reminders.outcomes, strict=False):
            entry["outcome"] = {"status": outcome.status, "detail": outcome.detail}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    elif dry_run:
        for n in reminders.notices:
            to = ", ".join(n.recipients) or "(không có địa chỉ e-mail)"
            click.echo(f"=== {n.unit} — gửi tới: {to}\nTiêu đề: {n.subject}\n\n{n.text}")
        click.echo(f"Chạy thử (--dry-run): {len(reminders.notices)} thông báo, không gửi thư nào.")
    else:
        for o in reminders.outcomes:
            line = OUTCOME_TEXT[o.status].format(recipients=", ".join(o.recipients), detail=o.detail)
            click.echo(f"{o.unit}: {line}")
        if not reminders.notices:
            click.echo("Không đơn vị nào cần nhắc theo lần tổng hợp gần nhất.")
    sys.exit(1 if reminders.failed else 0)
