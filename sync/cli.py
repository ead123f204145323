"""The ``ubnd-sync`` command: parses options, calls ``sync.*``, formats output.

Failures become messages and exit codes in one place: ``sync.cli_common.guard``.
"""

from __future__ import annotations

import json
import signal
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from sync import __version__, pipeline, render
from sync.cli_common import (
    AS_OF_METAVAR,
    CONTEXT,
    VietnameseGroup,
    _parse_as_of,
    config_options,
    guard,
    output_options,
    printable_streams,
)
from sync.cli_distribute import distribute_cmd
from sync.cli_history import diff_cmd, evaluate_cmd, history_cmd, report_cmd
from sync.cli_init import init_cmd
from sync.cli_remind import remind_cmd
from sync.config import Config, load_config
from sync.engine import Progress, run_sync, today
from sync.history.render import render_outcome
from sync.model import RunResult
from sync.pipeline import SyncOutcome, prepare_demo, request_dates, sync_and_record
from sync.progress import ProgressLine
from sync.sources import Source
from sync.unreadable import ALLOW_OPTION, unreadable_problem, unreadable_warning

EXIT_OK, EXIT_FAILURE, EXIT_UNREADABLE = 0, 1, 3  # 2 (usage, config): UsageError.exit_code


def _progress(
    quiet: bool, total_hint: int, source: Source | None = None
) -> tuple[Progress | None, Callable[[], None]]:
    """A bar on stderr (units done/total; for Google also requests, quota waits, time left);
    nothing when stderr is not a terminal or with --quiet."""
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    line = ProgressLine(time.monotonic())
    bar = click.progressbar(
        length=total_hint,
        label="Đang đọc bảng tính các đơn vị",
        file=sys.stderr,
        show_pos=True,
        show_eta=False,
        item_show_func=lambda text: text or "",
    )
    bar.__enter__()

    def step(code: str, done: int, total: int) -> None:
        activity = source.activity() if source is not None else None
        bar.update(1, line.text(code, done, total, time.monotonic(), activity))

    def finish() -> None:
        bar.__exit__(None, None, None)

    return step, finish


def _validate(config: Config, as_of: date | None, quiet: bool) -> RunResult:
    progress, finish = _progress(quiet, len(config.units))
    try:
        day = as_of or today()
        return run_sync(config, day, progress=progress, requests=request_dates(config, day))
    finally:
        finish()


def _print_json(result: RunResult) -> None:
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@click.group(cls=VietnameseGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="ubnd-sync %(version)s")
def cli() -> None:
    """Tổng hợp tình hình thực hiện nhiệm vụ do UBND tỉnh, Chủ tịch UBND tỉnh giao.

    Đọc bảng theo dõi nhiệm vụ của từng đơn vị, kiểm tra từng ô, phân loại
    nhiệm vụ như báo cáo chính thức và ghi bảng tổng hợp cho Văn phòng.

    \b
    Ví dụ:
      ubnd-sync demo                      # tạo tỉnh mẫu và chạy thử
      ubnd-sync sync -c ubnd-sync.toml    # tổng hợp
      ubnd-sync validate --as-of 05/03/2024
    """


def _show(outcome: SyncOutcome, *, as_json: bool, dry_run: bool = False) -> int:
    """Print a sync's outcome; its exit code."""
    for warning in outcome.warnings:
        click.echo(f"Cảnh báo: {warning}", err=True)
    result = outcome.result
    if as_json:
        _print_json(result)
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


def _sync(
    config: Config,
    as_of: date | None,
    *,
    quiet: bool,
    dry_run: bool = False,
    back_dated: bool = False,
    allow_unreadable: bool = False,
) -> SyncOutcome:
    source = pipeline.make_source(config)
    progress, finish = _progress(quiet, len(config.units), source)
    try:
        return sync_and_record(
            config,
            as_of or today(),
            dry_run=dry_run,
            progress=progress,
            back_dated=back_dated,
            allow_unreadable=allow_unreadable,
            source=source,
        )
    finally:
        finish()
        source.close()  # already closed unless the run stopped before reading


@cli.command("sync", context_settings=CONTEXT)
@config_options
@click.option("--dry-run", is_flag=True, help="Đọc và kiểm tra nhưng không ghi gì.")
@click.option(
    "--back-dated",
    is_flag=True,
    help="Tổng hợp lùi ngày có chủ ý: cho phép --as-of trước lần tổng hợp gần nhất; lần này được ghi "
    "là lùi ngày và không bao giờ được coi là lần gần nhất.",
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
    outcome = _sync(
        load_config(config_path),
        as_of,
        quiet=quiet,
        dry_run=dry_run,
        back_dated=back_dated,
        allow_unreadable=allow_unreadable,
    )
    sys.exit(_show(outcome, as_json=as_json, dry_run=dry_run))


@cli.command("validate", context_settings=CONTEXT)
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
    config = load_config(config_path)
    result = _validate(config, as_of, quiet)
    problem = unreadable_problem(config, result)
    if problem:
        click.echo(f"Cảnh báo: {unreadable_warning(problem)}", err=True)
    if as_json:
        _print_json(result)
    else:
        listing = render.findings_list(result.findings)
        click.echo(listing or "Không phát hiện vấn đề nào.")
        click.echo()
        click.echo(render.findings_overview(result.findings))
    if result.unreadable_units():
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_FAILURE if result.errors() else EXIT_OK)


@cli.command("demo", context_settings=CONTEXT)
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
    from sync.demo import demo_as_of

    # with xlsx, the earlier meetings are synced into the history first (for diff and report)
    history_months = months if backend == "xlsx" else 1
    made = prepare_demo(
        directory, seed=seed, as_of=as_of or demo_as_of(province), months=history_months, province=province
    )
    if not quiet and not as_json:
        click.echo(f"Đã tạo tỉnh mẫu trong {made.directory} ({len(made.units)} đơn vị).", err=True)
    if backend == "xlsx":
        config = load_config(made.config_path)
        _show(_sync(config, made.as_of, quiet=quiet), as_json=as_json)
        if not as_json:
            click.echo(f"Cấu hình mẫu: {made.config_path}")
            click.echo(f"Mở bảng tổng hợp: {config.summary_target}")
        return
    from sync.demo.host import hosted_demo  # the emulator, a plugin: its own package and extra

    with hosted_demo(backend, made.directory, made.config_path) as hosted:
        if not quiet and not as_json:
            click.echo(f"Trình giả lập Google Sheets đang chạy tại {hosted.url}.", err=True)
        config = load_config(hosted.config_path)
        _show(_sync(config, made.as_of, quiet=quiet), as_json=as_json)
        if not as_json:
            click.echo(f"Cấu hình mẫu (Google Sheets): {hosted.config_path}")
            click.echo(
                f"Bảng tổng hợp là Google Sheet {config.sync.summary} trên trình giả lập; "
                f"lần tổng hợp này dùng {hosted.requests()} yêu cầu tới Google API."
            )


cli.add_command(history_cmd)
cli.add_command(diff_cmd)
cli.add_command(report_cmd)
cli.add_command(evaluate_cmd)
cli.add_command(remind_cmd)
cli.add_command(init_cmd)
cli.add_command(distribute_cmd)


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # a scheduler's SIGTERM ends a run like Ctrl-C: cleanly, nothing half-written


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    printable_streams()
    cli(prog_name="ubnd-sync")
