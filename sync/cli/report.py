"""Command ``report``: the monthly meeting's report (``sync.report.make_report``)."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli.common import CONTEXT, VietnameseCommand, echo_json, guard, history_options


@click.command("report", cls=VietnameseCommand, context_settings=CONTEXT)
@history_options
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
    from sync.config import load_config
    from sync.report import make_report

    files = make_report(load_config(config_path), month=month, out_dir=out_dir, pdf=not no_pdf)
    if as_json:
        echo_json(files.to_dict())
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
