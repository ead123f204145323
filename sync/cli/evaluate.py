"""Command ``evaluate``: the year-end evaluation for the Department of Home Affairs (``sync.evaluate``)."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli.common import CONTEXT, VietnameseCommand, echo_json, guard, history_options


@click.command("evaluate", cls=VietnameseCommand, context_settings=CONTEXT)
@history_options
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
    from sync.config import load_config
    from sync.evaluate import export_evaluation
    from sync.evaluate.render import render_evaluation

    evaluation, target = export_evaluation(load_config(config_path), year, out_path)
    if as_json:
        echo_json({**evaluation.to_dict(), "file": str(target)})
        return
    click.echo(render_evaluation(evaluation))
    click.echo(f"Đã ghi tệp đánh giá: {target}")
