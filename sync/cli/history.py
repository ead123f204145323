"""Commands ``history`` (and ``history void``) and ``diff`` (``sync.history.commands``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from sync.cli.common import (
    CONTEXT,
    VietnameseCommand,
    VietnameseGroup,
    config_option,
    debug_option,
    echo_json,
    guard,
    history_options,
    json_option,
    parse_day,
)


@click.group("history", cls=VietnameseGroup, context_settings=CONTEXT, invoke_without_command=True)
@history_options
@click.pass_context
@guard
def history_cmd(ctx: click.Context, config_path: Path, as_json: bool, debug: bool) -> None:
    """Liệt kê các lần tổng hợp đã ghi trong lịch sử (mỗi lần “sync” không --dry-run).

    Cả lần đã hủy, lần lùi ngày và lần đã được thay thế (tổng hợp lại cùng tháng)
    đều được liệt kê, kèm ghi chú.

    \b
    Ví dụ:
      ubnd-sync history --config ubnd-sync.toml
      ubnd-sync history --json | jq '.[-1]'
      ubnd-sync history void 4 --reason "Tổng hợp nhầm ngày"
    """
    if ctx.invoked_subcommand is not None:
        return
    from sync.config import load_config
    from sync.history.commands import list_runs
    from sync.history.render import render_runs

    config = load_config(config_path)
    runs = list_runs(config)
    if as_json:
        echo_json([r.to_dict() for r in runs])
    else:
        click.echo(render_runs(runs, config.history_path))


@history_cmd.command("void", context_settings=CONTEXT)
@click.argument("run_id", type=int, metavar="RUN_ID")
@click.option("--reason", required=True, help="Lý do hủy (bắt buộc; được ghi vào lịch sử).")
@config_option
@json_option
@debug_option
@click.pass_context
@guard
def void_cmd(
    ctx: click.Context, run_id: int, reason: str, config_path: Path, as_json: bool, debug: bool
) -> None:
    """Hủy một lần tổng hợp: vẫn giữ trong lịch sử, nhưng không dùng cho diff, báo cáo, So sánh, đánh giá.

    Không xóa gì. Mã thoát: 0 đã hủy; 1 không có lần đó hoặc lần đó đã bị hủy; 2 thiếu lý do.

    \b
    Ví dụ:
      ubnd-sync history void 4 --reason "Tổng hợp nhầm ngày 20/10/2024"
    """
    group = ctx.parent.params if ctx.parent is not None else {}  # `history -c F --json void …` works too
    if ctx.get_parameter_source("config_path") is click.core.ParameterSource.DEFAULT:
        config_path = group.get("config_path", config_path)
    as_json = as_json or bool(group.get("as_json"))
    from sync.config import load_config
    from sync.history.commands import void_run
    from sync.history.render import render_void

    info = void_run(load_config(config_path), run_id, reason)
    if as_json:
        echo_json(info.to_dict())
    else:
        click.echo(render_void(info))


def _since(since: str | None) -> int | date | None:
    """``--since``: a run id, a day (``05/10/2024`` or ``2024-10-05``), or nothing."""
    if since is None:
        return None
    if since.isdigit():
        return int(since)
    return parse_day(since, "--since")


@click.command("diff", cls=VietnameseCommand, context_settings=CONTEXT)
@history_options
@click.option(
    "--since",
    metavar="RUN_ID|DD/MM/YYYY",
    help="So với lần tổng hợp số RUN_ID, hoặc lần gần nhất vào/trước ngày đó (ví dụ 05/10/2024) "
    "(mặc định: lần gần nhất của kỳ trước).",
)
@click.option(
    "--run", "run_id", type=int, metavar="RUN_ID", help="Lần tổng hợp mới (mặc định: lần gần nhất)."
)
@guard
def diff_cmd(config_path: Path, as_json: bool, debug: bool, since: str | None, run_id: int | None) -> None:
    """Những gì thay đổi giữa hai lần tổng hợp: hoàn thành, quá hạn, thời hạn, đơn vị.

    \b
    Ví dụ:
      ubnd-sync diff                       # lần gần nhất so với kỳ trước
      ubnd-sync diff --since 05/10/2024
      ubnd-sync diff --since 3 --json
    """
    from sync.config import load_config
    from sync.history.commands import diff_runs
    from sync.history.render import render_diff

    d = diff_runs(load_config(config_path), since=_since(since), run_id=run_id)
    if as_json:
        echo_json(d.to_dict())
    else:
        click.echo(render_diff(d))


__all__ = ["diff_cmd", "history_cmd", "void_cmd"]
