"""The ``ubnd-sync`` command: parses options, calls ``sync.*``, formats output.

Failures become messages and exit codes in one place: ``sync.cli_common.guard``.
"""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import click

from sync import __version__, render
from sync.cli_common import CONTEXT, _parse_as_of, config_options, guard, output_options
from sync.cli_history import diff_cmd, history_cmd, report_cmd
from sync.config import Config, load_config
from sync.engine import Progress, run_sync, today
from sync.exceptions import UsageError
from sync.model import RunResult
from sync.sources import Source, make_source
from sync.summary import Table, build_tables, start_xlsx, write_xlsx

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_UNREADABLE = 0, 1, 2, 3


def _progress(quiet: bool, total_hint: int) -> tuple[Progress | None, Callable[[], None]]:
    if quiet or not sys.stderr.isatty():
        return None, lambda: None
    bar = click.progressbar(
        length=total_hint,
        label="Đang đọc bảng tính các đơn vị",
        file=sys.stderr,
        show_pos=True,
        item_show_func=lambda code: code or "",
    )
    bar.__enter__()

    def step(code: str, done: int, total: int) -> None:
        bar.update(1, code)

    def finish() -> None:
        bar.__exit__(None, None, None)

    return step, finish


def _run(config: Config, as_of: date | None, quiet: bool, source: Source | None = None) -> RunResult:
    progress, finish = _progress(quiet, len(config.units))
    try:
        return run_sync(config, as_of or today(), progress=progress, source=source)
    finally:
        finish()


def _print_json(result: RunResult) -> None:
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", message="ubnd-sync %(version)s")
def cli() -> None:
    """Tổng hợp tình hình thực hiện nhiệm vụ do UBND tỉnh, Chủ tịch UBND tỉnh giao.

    Đọc bảng theo dõi nhiệm vụ của từng đơn vị, kiểm tra từng ô, phân loại
    nhiệm vụ như báo cáo chính thức và ghi bảng tổng hợp cho Văn phòng.

    \b
    Ví dụ:
      ubnd-sync demo                      # tạo tỉnh mẫu và chạy thử
      ubnd-sync sync -c ubnd-sync.toml    # tổng hợp
      ubnd-sync validate --as-of 2024-03-05
    """


def write_tables(config: Config, tables: list[Table]) -> str:
    """Write the summary tables for the configured backend; returns where they went."""
    if config.sync.backend == "gsheets":
        from sync.sources.gsheets import write_summary_gsheets

        return write_summary_gsheets(config, tables)
    return str(write_xlsx(tables, config.summary_target))


DEMO_MARKER = ".ubnd-sync-demo"


def _claim_demo_directory(directory: Path) -> None:
    """The demo writes only into an empty folder or one it made before (never over real data)."""
    if directory.exists() and any(directory.iterdir()) and not (directory / DEMO_MARKER).exists():
        raise UsageError(
            f"thư mục {directory} đã có dữ liệu không phải của tỉnh mẫu; chọn một thư mục trống "
            "(ví dụ: ubnd-sync demo ubnd-sync-demo)."
        )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEMO_MARKER).write_text("Thư mục tỉnh mẫu của ubnd-sync.\n", encoding="utf-8")
    history = directory / "ubnd-sync.history.sqlite"
    if history.exists():  # a demo starts its history afresh
        history.unlink()


def _months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, 28))


def do_sync(
    config: Config,
    as_of: date | None,
    *,
    dry_run: bool,
    quiet: bool,
    as_json: bool,
    echo: bool = True,
    back_dated: bool = False,
) -> int:
    """One sync: read, write the summary (with the ``So sánh`` tab), record the history."""
    from sync.history import History, check_as_of, comparison_table
    from sync.history.render import render_outcome

    as_of = as_of or today()
    if not dry_run:  # a run dated before the latest one is refused before anything is read
        check_as_of(config.history_path, as_of, backdated=back_dated)
    source = make_source(config)
    try:
        result = _run(config, as_of, quiet, source)
        if not dry_run:
            with History(config.history_path) as history:
                previous = history.previous_run(result.as_of, result.period)
                tables = build_tables(result, extra=[comparison_table(result, previous)])
                # The summary is installed inside the history's transaction, just before it
                # commits: a failure of either leaves the previous summary and history whole.
                # An .xlsx summary renders in a child process meanwhile (the other core).
                if config.sync.backend == "xlsx":
                    pending = start_xlsx(tables, config.summary_target)
                    del tables  # the writer has its own copy: free this one while history is written
                    result.summary_path = str(pending.target)
                    try:
                        outcome = history.record(
                            result,
                            config_path=str(config.path),
                            before_commit=pending.finish,
                            backdated=back_dated,
                        )
                    finally:
                        pending.abort()  # no-op once finished
                else:
                    result.summary_path = config.sync.summary

                    def install() -> None:
                        result.summary_path = write_tables(config, tables)

                    outcome = history.record(
                        result, config_path=str(config.path), before_commit=install, backdated=back_dated
                    )
            # the Google backend remembers what it read only once the summary is written;
            # failing to remember costs only a full read next time, never the run
            commit = getattr(source, "commit_state", None)
            if commit is not None:
                try:
                    commit()
                except (OSError, ValueError) as e:
                    click.echo(
                        f"Cảnh báo: không lưu được trạng thái đọc lần này ({e}); lần sau sẽ đọc lại tất cả.",
                        err=True,
                    )
    finally:
        source.close()
    if not echo:
        return EXIT_UNREADABLE if result.unreadable_units() else EXIT_OK
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
            click.echo(f"Đã ghi bảng tổng hợp: {result.summary_path}")
    if not dry_run:
        click.echo(render_outcome(outcome), err=as_json)
    return EXIT_UNREADABLE if result.unreadable_units() else EXIT_OK


@cli.command("sync", context_settings=CONTEXT)
@config_options
@click.option("--dry-run", is_flag=True, help="Đọc và kiểm tra nhưng không ghi gì.")
@click.option(
    "--back-dated",
    is_flag=True,
    help="Tổng hợp lùi ngày có chủ ý: cho phép --as-of trước lần tổng hợp gần nhất; lần này được ghi "
    "là lùi ngày và không bao giờ được coi là lần gần nhất.",
)
@output_options
@guard
def sync_cmd(
    config_path: Path,
    as_of: date | None,
    dry_run: bool,
    back_dated: bool,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Đọc, kiểm tra, phân loại và ghi bảng tổng hợp.

    Mã thoát: 0 đã ghi; 3 đã ghi nhưng có đơn vị không đọc được; 2 lỗi cấu hình
    hoặc tham số; 1 lỗi khác (khi đó không ghi gì).

    \b
    Ví dụ:
      ubnd-sync sync --config ubnd-sync.toml --as-of 2024-03-05
      ubnd-sync sync --json > ket-qua.json
    """
    config = load_config(config_path)
    sys.exit(do_sync(config, as_of, dry_run=dry_run, quiet=quiet, as_json=as_json, back_dated=back_dated))


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
    result = _run(config, as_of, quiet)
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
    metavar="YYYY-MM-DD",
    help="Ngày họp giả định (mặc định 05/11/2024).",
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
@output_options
@guard
def demo_cmd(
    directory: Path,
    seed: int,
    as_of: date | None,
    backend: str,
    months: int,
    as_json: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Tạo một tỉnh mẫu (37 đơn vị của Kiên Giang) và chạy tổng hợp trên đó.

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
    """
    from sync.demo import DEMO_AS_OF, make_demo

    final = as_of or DEMO_AS_OF
    _claim_demo_directory(directory)
    if backend == "xlsx":
        for back in range(months - 1, 0, -1):  # earlier meetings first, each synced into the history
            earlier = make_demo(directory, seed=seed, as_of=_months_before(final, back))
            do_sync(
                load_config(earlier.config_path),
                earlier.as_of,
                dry_run=False,
                quiet=True,
                as_json=False,
                echo=False,
            )
    province = make_demo(directory, seed=seed, as_of=final)
    if not quiet and not as_json:
        click.echo(f"Đã tạo tỉnh mẫu trong {province.directory} ({len(province.units)} đơn vị).", err=True)
    if backend == "xlsx":
        config = load_config(province.config_path)
        do_sync(config, province.as_of, dry_run=False, quiet=quiet, as_json=as_json)
        if not as_json:
            click.echo(f"Cấu hình mẫu: {province.config_path}")
            click.echo(f"Mở bảng tổng hợp: {config.summary_target}")
        return
    from sync.emulator import Emulator
    from sync.gsheets_demo import load_demo_into_emulator

    emulator = Emulator().start()
    try:
        gs_config_path = load_demo_into_emulator(province.directory, province.config_path, emulator)
        emulator.reset_stats()
        if not quiet and not as_json:
            click.echo(f"Trình giả lập Google Sheets đang chạy tại {emulator.url}.", err=True)
        config = load_config(gs_config_path)
        do_sync(config, province.as_of, dry_run=False, quiet=quiet, as_json=as_json)
        if not as_json:
            stats = emulator.stats_json()
            click.echo(f"Cấu hình mẫu (Google Sheets): {gs_config_path}")
            click.echo(
                f"Bảng tổng hợp là Google Sheet {config.sync.summary} trên trình giả lập; "
                f"lần tổng hợp này dùng {stats['total']} yêu cầu tới Google API."
            )
    finally:
        emulator.stop()


cli.add_command(history_cmd)
cli.add_command(diff_cmd)
cli.add_command(report_cmd)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # a scheduler's SIGTERM ends a run like Ctrl-C: cleanly, nothing half-written


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    cli(prog_name="ubnd-sync")
