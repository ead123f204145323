"""Command ``init`` (registered on ``cli`` by ``sync.cli``)."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import click

from sync.cli_common import CONTEXT, VietnameseCommand, debug_option, guard, json_option, quiet_option
from sync.config import DEFAULT_CONFIG, EMAIL_ADDRESS, PROTECTIONS, GSheetsSettings
from sync.exceptions import UsageError
from sync.setup.config_write import relative
from sync.setup.plan import InitReport
from sync.setup.province import GoogleTarget, InitOutcome, Progress, init_province
from sync.setup.units_csv import read_units_csv

#: lines shown per category; the rest are counted (all of them are in --json)
SHOWN_LINES = 8


@contextmanager
def _progress(quiet: bool, total: int) -> Iterator[Progress | None]:
    """A bar on stderr while the books are made; nothing when not a terminal or with --quiet."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(
        length=total, label="Đang tạo bảng tính", file=sys.stderr, show_pos=True, show_eta=False
    ) as bar:
        yield lambda _code, _done, _total: bar.update(1)


def _lines(title: str, lines: list[str]) -> None:
    click.echo(f"{title} ({len(lines)}):")
    for line in lines[:SHOWN_LINES]:
        click.echo(f"  - {line}")
    if len(lines) > SHOWN_LINES:
        click.echo(f"  … và {len(lines) - SHOWN_LINES} mục khác")


def _show(outcome: InitOutcome, *, backend: str, directory: Path) -> None:
    report: InitReport = outcome.report
    if report.created:
        _lines("Đã tạo mới", report.created)
    if report.found:
        _lines("Đã có sẵn, giữ nguyên (không ghi đè, không sửa)", report.found)
    if report.shared:
        _lines("Đã chia sẻ", report.shared)
    if outcome.config.differences:
        click.echo(
            f"Tệp cấu hình {outcome.config_path.name} đã có từ trước nên được giữ nguyên, nhưng khác với "
            "những gì init sẽ ghi; nếu cần, sửa bằng tay:"
        )
        for line in outcome.config.differences:
            click.echo(f"  - {line}")
    if report.without_email:
        click.echo(f"Đơn vị chưa có địa chỉ e-mail ({len(report.without_email)}):")
        if all(" " not in line for line in report.without_email):  # codes: one paragraph
            text = ", ".join(report.without_email)
            click.echo(textwrap.fill(text, width=96, initial_indent="  ", subsequent_indent="  "))
        else:  # sentences (Google: what was not shared): one line each, every one of them
            for line in report.without_email:
                click.echo(f"  - {line}")
    if backend == "xlsx":
        click.echo(
            "Với tệp .xlsx, địa chỉ e-mail (cột emails của danh sách) được ghi vào cấu hình để nhắc việc "
            "(ubnd-sync remind); chia sẻ thư mục don-vi cho từng đơn vị (mỗi đơn vị chỉ sửa tệp của mình) "
            "là việc của Văn phòng."
        )
    for line in report.problems:
        click.echo(f"Chưa làm được: {line}", err=True)
    config = outcome.config_path
    # as typed from the folder the command runs in (a path with a space in quotes: Windows and bash alike)
    shown = os.path.relpath(config, Path.cwd())
    if shown.startswith(".."):
        shown = str(config)
    if " " in shown:
        shown = f'"{shown}"'
    click.echo("Bước tiếp theo:")
    click.echo("  1. Văn phòng nhập nhiệm vụ vào Danh mục nhiệm vụ.")
    click.echo(f"  2. Giao nhiệm vụ cho các đơn vị: ubnd-sync distribute -c {shown}")
    click.echo(f"  3. Hằng tháng, tổng hợp: ubnd-sync sync -c {shown}")


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
    units = read_units_csv(units_csv)
    wrong = [e for e in office_emails if not EMAIL_ADDRESS.fullmatch(e.strip())]
    if wrong:
        raise UsageError(f"--office-email “{wrong[0]}” không phải là một địa chỉ e-mail.")
    config_path = Path(config_name)
    config_path = (config_path if config_path.is_absolute() else directory / config_path).resolve()
    google = None
    if backend == "gsheets":
        from sync.google.client import INIT_SCOPES, GoogleClient

        settings = GSheetsSettings(credentials=str(credentials) if credentials else None, endpoint=endpoint)
        # the settings a config would hold; credentials relative to the folder the command runs in
        where = SimpleNamespace(gsheets=settings, base_dir=Path.cwd(), path=config_path)
        google = GoogleTarget(
            client=GoogleClient.from_config(where, scopes=INIT_SCOPES),
            credentials=relative(credentials.resolve(), config_path.parent) if credentials else None,
            endpoint=endpoint,
            protection=protection,
            office_emails=tuple(e.strip() for e in office_emails if e.strip()),
        )
    with _progress(quiet or as_json, len(units) + 1) as progress:
        outcome = init_province(
            units,
            directory=directory.resolve(),
            config_path=config_path,
            units_csv=units_csv.name,
            cutoff_day=cutoff_day,
            google=google,
            progress=progress,
        )
    if as_json:
        doc = {
            **dataclasses.asdict(outcome.report),
            "config": str(outcome.config_path),
            "config_created": outcome.config.created,
            "config_differences": outcome.config.differences,
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        _show(outcome, backend=backend, directory=directory)
    sys.exit(1 if outcome.report.problems else 0)
