"""Command ``init``: the units' sheets, the register and the config of a new province (``sync.setup``)."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import click

from sync.cli.common import (
    CONTEXT,
    VietnameseCommand,
    debug_option,
    echo_json,
    guard,
    json_option,
    progress_bar,
    quiet_option,
)
from sync.config_file import DEFAULT_CONFIG, PROTECTIONS


@click.command("init", cls=VietnameseCommand, context_settings=CONTEXT)
@click.option(
    "--units",
    "units_csv",
    metavar="CSV",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="Danh sách đơn vị (CSV UTF-8, cột code,name,kind,aliases và tùy chọn emails).",
)
@click.option(
    "--dir",
    "directory",
    default=".",
    show_default=True,
    type=click.Path(path_type=Path, file_okay=False),
    help="Thư mục của tỉnh: nơi ghi cấu hình, danh mục nhiệm vụ và thư mục don-vi.",
)
@click.option(
    "--backend",
    type=click.Choice(["xlsx", "gsheets"]),
    default="xlsx",
    show_default=True,
    help="xlsx: tệp Excel trong thư mục dùng chung; gsheets: Google Sheets.",
)
@click.option(
    "--config",
    "-c",
    "config_name",
    metavar="TÊN",
    default=DEFAULT_CONFIG,
    show_default=True,
    help="Tên tệp cấu hình sẽ tạo (tính từ --dir).",
)
@click.option(
    "--cutoff-day",
    type=click.IntRange(1, 28),
    default=25,
    show_default=True,
    help="Ngày chốt số liệu hằng tháng (cutoff_day).",
)
@click.option(
    "--credentials",
    type=click.Path(path_type=Path, dir_okay=False),
    help="gsheets: tệp khóa tài khoản dịch vụ Google (mặc định: $GOOGLE_APPLICATION_CREDENTIALS).",
)
@click.option("--endpoint", help="gsheets: địa chỉ máy chủ thay cho Google (trình giả lập, để thử).")
@click.option(
    "--protection",
    type=click.Choice(PROTECTIONS),
    default="enforce",
    show_default=True,
    help="gsheets: enforce = chỉ Văn phòng sửa được các cột của Văn phòng; warn = chỉ cảnh báo khi sửa "
    "(ghi vào [gsheets] protection).",
)
@click.option(
    "--office-email",
    "office_emails",
    multiple=True,
    metavar="E-MAIL",
    help="gsheets: địa chỉ của cán bộ Văn phòng được quyền sửa danh mục nhiệm vụ và bảng tổng hợp "
    "(lặp lại cho nhiều người).",
)
@json_option
@quiet_option
@debug_option
@guard
def init_cmd(
    units_csv: Path,
    directory: Path,
    backend: str,
    config_name: str,
    cutoff_day: int,
    credentials: Path | None,
    endpoint: str | None,
    protection: str,
    office_emails: tuple[str, ...],
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Tạo những gì một tỉnh cần: bảng của từng đơn vị, danh mục nhiệm vụ và tệp cấu hình.

    Với .xlsx (mặc định): mỗi đơn vị một tệp don-vi/<MÃ>.xlsx (trang “Nhiệm vụ” có
    tiêu đề cố định, danh sách chọn tình trạng, kiểm tra ngày dd/mm/yyyy, các cột của
    Văn phòng bị khóa; trang “Hướng dẫn”), danh mục nhiệm vụ danh-muc-nhiem-vu.xlsx và
    tệp cấu hình. Với gsheets: các Google Sheet tương ứng, chia sẻ cho địa chỉ e-mail
    của từng đơn vị.

    Chạy lại an toàn: không bao giờ ghi đè, nhân đôi hay bỏ khóa thứ đã có; lần chạy bị
    dừng giữa chừng được tiếp tục bằng cách chạy lại (chỉ tạo những gì còn thiếu).

    Mã thoát: 0 xong; 2 danh sách đơn vị hoặc tham số sai; 1 không ghi được (đã tạo
    được gì thì giữ nguyên).

    \b
    Ví dụ:
      ubnd-sync init --units an-giang-2025-units.csv --dir tinh-an-giang
      ubnd-sync init --units don-vi.csv --backend gsheets --credentials khoa.json
    """
    from sync.config import EMAIL_ADDRESS, GSheetsSettings
    from sync.exceptions import UsageError
    from sync.setup.province import init_province
    from sync.setup.render import init_lines
    from sync.setup.units_csv import read_units_csv

    units = read_units_csv(units_csv)
    wrong = [e for e in office_emails if not EMAIL_ADDRESS.fullmatch(e.strip())]
    if wrong:
        raise UsageError(f"--office-email “{wrong[0]}” không phải là một địa chỉ e-mail.")
    config_path = Path(config_name)
    config_path = (config_path if config_path.is_absolute() else directory / config_path).resolve()
    # the Google settings as given on the command line (a key file relative to the folder it runs in)
    settings = GSheetsSettings(
        credentials=str(credentials) if credentials else None, endpoint=endpoint, protection=protection
    )
    with progress_bar(quiet or as_json, len(units) + 1, "Đang tạo bảng tính") as progress:
        outcome = init_province(
            units,
            directory=directory.resolve(),
            config_path=config_path,
            units_csv=units_csv.name,
            backend=backend,
            cutoff_day=cutoff_day,
            gsheets=settings,
            office_emails=tuple(e.strip() for e in office_emails if e.strip()),
            progress=progress,
        )
    if as_json:
        doc = {
            **dataclasses.asdict(outcome.report),
            "config": str(outcome.config_path),
            "config_created": outcome.config.created,
            "config_differences": outcome.config.differences,
        }
        echo_json(doc)
    else:
        for line, to_stderr in init_lines(outcome, Path.cwd()):
            click.echo(line, err=to_stderr)
    sys.exit(1 if outcome.report.problems else 0)
