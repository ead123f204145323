"""Command ``demo``: make a realistic demo province and sync it (``sync.demo.prepare.run_demo``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from sync.cli.common import AS_OF_METAVAR, CONTEXT, VietnameseCommand, _parse_as_of, guard, output_options
from sync.cli.sync import show_sync


@click.command("demo", cls=VietnameseCommand, context_settings=CONTEXT)
@click.argument("directory", default="ubnd-sync-demo", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seed", default=2024, show_default=True, help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)."
)
@click.option(
    "--as-of",
    "as_of",
    callback=_parse_as_of,
    metavar=AS_OF_METAVAR,
    help="Ngày họp giả định, ví dụ 05/10/2026 (mặc định: ngày họp của tỉnh mẫu, "
    "05/11/2026 với an-giang-2025, 05/11/2024 với kien-giang-2024).",
)
@click.option(
    "--backend",
    type=click.Choice(["xlsx", "gsheets"]),
    default="xlsx",
    show_default=True,
    help="gsheets: nạp tỉnh mẫu vào trình giả lập Google Sheets chạy tại chỗ và tổng hợp qua Google.",
)
@click.option(
    "--months",
    default=3,
    show_default=True,
    type=click.IntRange(1, 24),
    help="Số tháng tổng hợp liên tiếp (để có lịch sử cho lệnh diff và report).",
)
@click.option(
    "--province",
    type=click.Choice(["an-giang-2025", "kien-giang-2024"]),
    default="an-giang-2025",
    show_default=True,
    help="an-giang-2025: 118 đơn vị (16 sở, ban, ngành và 102 xã, phường, đặc khu); "
    "kien-giang-2024: 37 đơn vị trước sắp xếp (có 15 UBND cấp huyện).",
)
@output_options
@guard
def demo_cmd(
    directory: Path,
    seed: int,
    as_of: date | None,
    backend: str,
    months: int,
    province: str,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Tạo một tỉnh mẫu (118 đơn vị của tỉnh An Giang mới) và chạy tổng hợp trên đó.

    Với --backend gsheets, tỉnh mẫu được nạp vào một trình giả lập Google Sheets
    chạy ngay trên máy (không cần tài khoản Google) rồi được tổng hợp qua đúng
    đường Google: gspread, google-auth, HTTP.

    Với --backend xlsx, các tháng trước ngày họp cũng được tổng hợp (--months),
    để lịch sử có sẵn cho “ubnd-sync diff” và “ubnd-sync report”.

    \b
    Ví dụ:
      ubnd-sync demo                 # vào thư mục ./ubnd-sync-demo
      ubnd-sync demo /tmp/tinh-mau --seed 7 --months 6
      ubnd-sync demo --backend gsheets
      ubnd-sync demo /tmp/kien-giang --province kien-giang-2024
    """
    from sync.config import load_config
    from sync.demo.prepare import run_demo

    def announce(line: str) -> None:
        if not quiet and not as_json:
            click.echo(line, err=True)

    done = run_demo(
        directory,
        seed=seed,
        as_of=as_of,
        backend=backend,
        months=months,
        province=province,
        announce=announce,
    )
    show_sync(done.sync, as_json=as_json)  # the demo has unreadable units on purpose: still exit 0
    if not as_json:
        if done.requests is None:
            click.echo(f"Cấu hình mẫu: {done.config_path}")
            click.echo(f"Mở bảng tổng hợp: {done.sync.summary}")
        else:
            config = load_config(done.config_path)
            click.echo(f"Cấu hình mẫu (Google Sheets): {done.config_path}")
            click.echo(
                f"Bảng tổng hợp là Google Sheet {config.sync.summary} trên trình giả lập; "
                f"lần tổng hợp này dùng {done.requests} yêu cầu tới Google API."
            )
