"""Command ``distribute`` (registered on ``cli`` by ``sync.cli``)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from sync.cli_common import CONTEXT, as_of_option, config_option, debug_option, guard, json_option
from sync.config import load_config

#: One line per unit, as the Office reads it.
STATUS_TEXT = {
    "added": "đã thêm {n} nhiệm vụ ({ids}) vào trang “{sheet}”, dòng {rows}",
    "would_add": "sẽ thêm {n} nhiệm vụ ({ids}) vào trang “{sheet}”, từ dòng {first}",
    "up_to_date": "đã có đủ nhiệm vụ của danh mục, không thêm gì",
    "skipped": "BỎ QUA: {message}",
    "refused": "CHƯA THÊM: {message}",
    "failed": "CHƯA THÊM: {message}",
}


#: units with nothing to add are listed one by one up to this many, else counted in one line
QUIET_LISTED = 5


def _line(u: object) -> str:
    from sync.distribute import UnitOutcome

    assert isinstance(u, UnitOutcome)
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
    if u.coop and u.status in ("added", "would_add", "up_to_date"):
        verb = "sẽ ghi" if u.status == "would_add" else "đã ghi"
        coop = f"{verb} trang “{u.coop_tab or 'Phối hợp'}” ({len(u.coop)} nhiệm vụ phối hợp)"
        text = coop if not u.added else f"{text}; {coop}"
    return f"{u.code}: {text}"


@click.command("distribute", context_settings=CONTEXT)
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
    from sync.distribute import distribute
    from sync.engine import today

    report = distribute(load_config(config_path), as_of=as_of or today(), dry_run=dry_run, unit=unit)
    if as_json:
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        quiet = [u for u in report.units if u.status == "up_to_date" and not u.coop]
        for u in report.units:
            if u not in quiet or len(quiet) <= QUIET_LISTED:
                click.echo(_line(u))
        if len(quiet) > QUIET_LISTED:  # 118 units: the few that change, then one line for the rest
            who = f"{len(quiet)} đơn vị khác" if len(quiet) < len(report.units) else f"Cả {len(quiet)} đơn vị"
            click.echo(f"{who} đã có đủ nhiệm vụ của danh mục, không thêm gì.")
        for h in report.held:
            click.echo(f"Danh mục dòng {h.row} ({h.task_id or 'chưa có mã'}): không giao — {h.reason}")
        verb = "Chạy thử (--dry-run): sẽ thêm" if dry_run else "Đã thêm"
        click.echo(
            f"{verb} {report.added} nhiệm vụ cho {sum(1 for u in report.units if u.added and u.status in ('added', 'would_add'))} đơn vị."
        )
        if report.failed:
            click.echo(
                f"{len(report.failed)} đơn vị chưa thêm được: {', '.join(u.code for u in report.failed)}; chạy lại sau khi xử lý."
            )
        if report.requests is not None:
            click.echo(f"Đã dùng {report.requests} yêu cầu tới Google API.")
    sys.exit(1 if report.failed else 0)
