"""Command ``distribute``: hand the register's tasks out to the units' sheets (``sync.distribute``)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from sync.cli.common import (
    CONTEXT,
    VietnameseCommand,
    as_of_option,
    config_option,
    debug_option,
    echo_json,
    guard,
    json_option,
)


@click.command("distribute", cls=VietnameseCommand, context_settings=CONTEXT)
@config_option
@as_of_option
@json_option
@debug_option
@click.option("--dry-run", is_flag=True, help="Chỉ báo sẽ thêm gì, không ghi vào bảng của đơn vị nào.")
@click.option("--unit", "unit", metavar="CODE", help="Chỉ giao cho một đơn vị (mã đơn vị).")
@guard
def distribute_cmd(
    config_path: Path, as_of: date | None, as_json: bool, debug: bool, dry_run: bool, unit: str | None
) -> None:
    """Giao nhiệm vụ: thêm vào bảng của đơn vị chủ trì các nhiệm vụ trong danh mục ([register]) mà bảng chưa có.

    Chỉ thêm dòng mới sau dòng cuối cùng, chỉ các cột do Văn phòng quản lý; không bao giờ sửa
    dòng đã có. Đơn vị phối hợp không nhận dòng trong trang nhiệm vụ mà nhận trang “Phối hợp”
    (chỉ đọc) liệt kê các nhiệm vụ phối hợp. Tệp .xlsx đang mở hoặc vừa được sửa trong lúc chạy
    thì không ghi (báo rõ), chạy lại sau. Chạy lại không thêm trùng.

    Mã thoát: 0 xong; 1 có đơn vị chưa thêm được; 2 lỗi cấu hình hoặc tham số.

    \b
    Ví dụ:
      ubnd-sync distribute --dry-run        # xem trước sẽ thêm gì cho từng đơn vị
      ubnd-sync distribute                  # thêm
      ubnd-sync distribute --unit SNV --json
    """
    from sync.config import load_config
    from sync.distribute import distribute
    from sync.distribute.render import report_lines
    from sync.engine import today

    report = distribute(load_config(config_path), as_of=as_of or today(), dry_run=dry_run, unit=unit)
    if as_json:
        echo_json(report.to_dict())
    else:
        for line in report_lines(report):
            click.echo(line)
    sys.exit(1 if report.failed else 0)
