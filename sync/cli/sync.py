"""Command ``sync``: read, check, classify and write the summary (``sync.pipeline.sync_and_record``)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sync.cli.common import (
    CONTEXT,
    VietnameseCommand,
    config_options,
    echo_json,
    guard,
    output_options,
    progress_bar,
)
from sync.unreadable import ALLOW_OPTION

if TYPE_CHECKING:
    from sync.config import Config
    from sync.pipeline import SyncOutcome

EXIT_OK, EXIT_UNREADABLE = 0, 3  # 1: a failure (guard); 2: usage or config (UsageError.exit_code)
READING = "Đang đọc bảng tính các đơn vị"


def run_sync_command(
    config: Config,
    as_of: date | None,
    *,
    quiet: bool,
    dry_run: bool = False,
    back_dated: bool = False,
    allow_unreadable: bool = False,
) -> SyncOutcome:
    """``sync_and_record`` with a progress bar on the terminal (as-of default: today in Việt Nam)."""
    from sync.backends import open_backend
    from sync.engine import today
    from sync.pipeline import sync_and_record

    with (
        open_backend(config) as backend,
        progress_bar(quiet, len(config.units), READING, backend.activity) as bar,
    ):
        return sync_and_record(
            config,
            as_of or today(),
            dry_run=dry_run,
            progress=bar,
            back_dated=back_dated,
            allow_unreadable=allow_unreadable,
            backend=backend,
        )


def show_sync(outcome: SyncOutcome, *, as_json: bool, dry_run: bool = False) -> int:
    """Print a sync's outcome; its exit code."""
    from sync import render
    from sync.history.render import render_outcome

    for warning in outcome.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    result = outcome.result
    if as_json:
        echo_json(result.to_dict())
    else:
        click.echo(render.units_table(result))
        click.echo()
        overview = render.status_overview(result)
        if overview:
            click.echo(overview)
        click.echo(render.findings_overview(result.findings))
        if dry_run:
            click.echo("Chạy thử (--dry-run): không ghi bảng tổng hợp, không ghi lịch sử.")
        else:
            click.echo(f"Đã ghi bảng tổng hợp: {outcome.summary}")
    if outcome.recorded is not None:
        click.echo(render_outcome(outcome.recorded), err=as_json)
    return EXIT_UNREADABLE if outcome.unreadable else EXIT_OK


@click.command("sync", cls=VietnameseCommand, context_settings=CONTEXT)
@config_options
@click.option("--dry-run", is_flag=True, help="Đọc và kiểm tra nhưng không ghi gì.")
@click.option(
    "--back-dated",
    is_flag=True,
    help="Tổng hợp lùi ngày có chủ ý: cho phép --as-of trước lần tổng hợp gần nhất; lần này được ghi "
    "là lùi ngày và không bao giờ được coi là lần gần nhất; bảng tổng hợp của nó là tệp riêng bên cạnh "
    "(…-lui-ngay-YYYY-MM-DD.xlsx), bảng tổng hợp hiện hành giữ nguyên.",
)
@click.option(
    ALLOW_OPTION,
    "allow_unreadable",
    is_flag=True,
    help="Vẫn ghi khi tất cả hoặc quá nửa số đơn vị (max_unreadable_share trong [sync]) không đọc được; "
    "mặc định khi đó không ghi gì, vì thường là thư mục chưa kết nối hoặc không vào được Google.",
)
@output_options
@guard
def sync_cmd(
    config_path: Path,
    as_of: date | None,
    dry_run: bool,
    back_dated: bool,
    allow_unreadable: bool,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Đọc, kiểm tra, phân loại và ghi bảng tổng hợp.

    Mã thoát: 0 đã ghi; 3 đã ghi nhưng có đơn vị không đọc được; 2 lỗi cấu hình
    hoặc tham số; 1 lỗi khác (khi đó không ghi gì), kể cả khi tất cả hoặc quá nửa
    số đơn vị không đọc được, hoặc không kết nối được tới Google.

    \b
    Ví dụ:
      ubnd-sync sync --config ubnd-sync.toml --as-of 05/03/2024
      ubnd-sync sync --json > ket-qua.json
    """
    from sync.config import load_config

    outcome = run_sync_command(
        load_config(config_path),
        as_of,
        quiet=quiet,
        dry_run=dry_run,
        back_dated=back_dated,
        allow_unreadable=allow_unreadable,
    )
    sys.exit(show_sync(outcome, as_json=as_json, dry_run=dry_run))
