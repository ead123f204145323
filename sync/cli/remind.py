"""Command ``remind``: chase the units by e-mail and in their own sheets (``sync.remind``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from sync.cli.common import (
    CONTEXT,
    VietnameseCommand,
    config_option,
    debug_option,
    echo_json,
    guard,
    json_option,
)

CHANNEL_CHOICES = {"email": ("email",), "sheet": ("sheet",), "all": ("email", "sheet")}


@click.command("remind", cls=VietnameseCommand, context_settings=CONTEXT)
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
    from sync.config import load_config
    from sync.remind import remind
    from sync.remind.render import reminders_json, reminders_lines

    reminders = remind(
        load_config(config_path),
        dry_run=dry_run,
        unit=unit,
        channels=CHANNEL_CHOICES[channel],
        resend=resend,
        mark_sent=mark_sent,
    )
    if as_json:
        echo_json(reminders_json(reminders))
    else:
        for line in reminders_lines(reminders, dry_run=dry_run, mark_sent=mark_sent):
            click.echo(line)
    sys.exit(1 if reminders.failed else 0)
