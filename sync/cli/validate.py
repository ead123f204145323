"""Command ``validate``: check every unit's sheet and list the cells to fix (``sync.pipeline.validate_units``)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click

from sync.cli.common import (
    CONTEXT,
    EXIT_FAILURE,
    VietnameseCommand,
    config_options,
    echo_json,
    guard,
    output_options,
    progress_bar,
)
from sync.cli.sync import EXIT_OK, EXIT_UNREADABLE, READING


@click.command("validate", cls=VietnameseCommand, context_settings=CONTEXT)
@config_options
@output_options
@guard
def validate_cmd(config_path: Path, as_of: date | None, as_json: bool, quiet: bool, debug: bool) -> None:
    """Chỉ kiểm tra bảng tính của các đơn vị và liệt kê các ô cần sửa.

    Mã thoát: 0 không có lỗi; 1 có lỗi; 2 lỗi cấu hình hoặc tham số; 3 có đơn vị
    không đọc được.

    \b
    Ví dụ:
      ubnd-sync validate --config ubnd-sync.toml
      ubnd-sync validate --json | jq '.findings[] | select(.severity=="error")'
    """
    from sync import render
    from sync.backends import open_backend
    from sync.config import load_config
    from sync.engine import today
    from sync.pipeline import validate_units

    config = load_config(config_path)
    with (
        open_backend(config) as backend,
        progress_bar(quiet, len(config.units), READING, backend.activity) as bar,
    ):
        outcome = validate_units(config, as_of or today(), progress=bar, backend=backend)
    for warning in outcome.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    result = outcome.result
    if as_json:
        echo_json(result.to_dict())
    else:
        listing = render.findings_list(result.findings)
        click.echo(listing or "Không phát hiện vấn đề nào.")
        click.echo()
        click.echo(render.findings_overview(result.findings))
    if result.unreadable_units():
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_FAILURE if result.errors() else EXIT_OK)
