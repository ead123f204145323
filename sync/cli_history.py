"""Commands ``history`` (and ``history void``), ``diff`` and ``report`` (registered on ``cli`` by ``sync.cli``)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from sync.cli_common import (
    CONTEXT,
    F,
    VietnameseCommand,
    VietnameseGroup,
    config_option,
    debug_option,
    guard,
    json_option,
    parse_day,
)
from sync.config import load_config
from sync.exceptions import UsageError
from sync.history import History
from sync.history.render import render_diff, render_runs, render_void


def _common(f: F) -> F:
    """--config, --json and --debug."""
    return config_option(json_option(debug_option(f)))


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group("history", cls=VietnameseGroup, context_settings=CONTEXT, invoke_without_command=True)
@_common
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
    config = load_config(config_path)
    with History(config.history_path, create=False) as h:
        runs = h.runs(include_void=True)
    if as_json:
        _echo_json([r.to_dict() for r in runs])
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
    if not reason.strip():
        raise UsageError("cần ghi lý do hủy: --reason “…”.")
    group = ctx.parent.params if ctx.parent is not None else {}  # `history -c F --json void …` works too
    if ctx.get_parameter_source("config_path") is click.core.ParameterSource.DEFAULT:
        config_path = group.get("config_path", config_path)
    as_json = as_json or bool(group.get("as_json"))
    config = load_config(config_path)
    with History(config.history_path, create=False) as h:
        info = h.void(run_id, reason)
    if as_json:
        _echo_json(info.to_dict())
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
@_common
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
    config = load_config(config_path)
    with History(config.history_path, create=False) as h:
        new = h.newer_run(run_id)
        old = h.older_run(new, _since(since))
        d = h.diff(old, new)
    if as_json:
        _echo_json(d.to_dict())
    else:
        click.echo(render_diff(d))


@click.command("report", cls=VietnameseCommand, context_settings=CONTEXT)
@_common
@click.option("--month", metavar="YYYY-MM", help="Tháng báo cáo (mặc định: tháng của lần tổng hợp gần nhất).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi báo cáo (mặc định: thư mục “bao-cao” cạnh tệp cấu hình).",
)
@click.option("--no-pdf", is_flag=True, help="Không chuyển sang PDF.")
@guard
def report_cmd(
    config_path: Path, as_json: bool, debug: bool, month: str | None, out_dir: Path | None, no_pdf: bool
) -> None:
    """Lập báo cáo tháng (.docx, và .pdf khi có LibreOffice) cho phiên họp thường kỳ UBND tỉnh.

    Báo cáo chỉ đọc lịch sử, nên lập lại được cho tháng đã qua. Tháng của một lần
    tổng hợp là tháng của ngày chốt kỳ cập nhật (tổng hợp ngày 05/11/2024 → tháng 10/2024).

    \b
    Ví dụ:
      ubnd-sync report                      # tháng gần nhất
      ubnd-sync report --month 2024-10 --out bao-cao/
    """
    from sync.report import write_report

    config = load_config(config_path)
    target = out_dir or config.base_dir / "bao-cao"
    with History(config.history_path, create=False) as h:
        files = write_report(config, h, month, target, pdf=not no_pdf)
    if as_json:
        _echo_json(files.to_dict())
        return
    click.echo(f"Đã lập báo cáo tháng {files.month[5:]}/{files.month[:4]} (lần tổng hợp số {files.run_id}):")
    click.echo(f"  Báo cáo (.docx): {files.docx}")
    if files.pdf is not None:
        click.echo(f"  Bản PDF:         {files.pdf}")
    elif not no_pdf:  # LibreOffice missing or the conversion failed: worth a line on stderr
        click.echo(f"  {files.pdf_note}", err=True)
    for chart in files.charts:
        click.echo(f"  Biểu đồ:         {chart}")
    if len(files.charts) < 2:
        click.echo("  (Biểu đồ không có số liệu không được vẽ; báo cáo ghi rõ ở vị trí của biểu đồ.)")


@click.command("evaluate", context_settings=CONTEXT)
@_common
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="Năm đánh giá, ví dụ 2025.")
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tệp .xlsx ghi kết quả (mặc định: danh-gia/danh-gia-nam-YYYY.xlsx cạnh tệp cấu hình).",
)
@guard
def evaluate_cmd(config_path: Path, as_json: bool, debug: bool, year: int, out_path: Path | None) -> None:
    """Đánh giá kết quả thực hiện nhiệm vụ được giao trong năm của từng đơn vị (gửi Sở Nội vụ).

    Từ lịch sử (không dùng lần tổng hợp đã hủy): nhiệm vụ đến hạn trong năm, hoàn
    thành đúng hạn, quá hạn, còn quá hạn, tỷ lệ; số kỳ báo cáo đúng hạn, muộn,
    chưa đầy đủ, không báo cáo; điểm theo công thức trong mục [evaluation] của cấu
    hình, từng khoản hiện rõ; xếp hạng trong từng nhóm đơn vị.

    \b
    Ví dụ:
      ubnd-sync evaluate --year 2025
      ubnd-sync evaluate --year 2025 --json > danh-gia-2025.json
    """
    from sync.evaluate import evaluate_year
    from sync.evaluate.render import render_evaluation
    from sync.evaluate.workbook import write_evaluation
    from sync.exceptions import OutputError, os_reason

    config = load_config(config_path)
    evaluation = evaluate_year(config, year)
    target = out_path or config.base_dir / "danh-gia" / f"danh-gia-nam-{year}.xlsx"
    try:
        write_evaluation(evaluation, target)
    except OSError as e:
        raise OutputError(f"Không ghi được tệp đánh giá {target}: {os_reason(e)}") from e
    if as_json:
        _echo_json({**evaluation.to_dict(), "file": str(target)})
        return
    click.echo(render_evaluation(evaluation))
    click.echo(f"Đã ghi tệp đánh giá: {target}")


__all__ = ["diff_cmd", "evaluate_cmd", "history_cmd", "report_cmd", "void_cmd"]
