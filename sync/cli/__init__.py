"""The ``ubnd-sync`` command: one module per command, each parse → call a use case → render.

Failures become messages and exit codes in one place: ``sync.cli.common.guard``. A command
module imports its use case inside the command, so ``ubnd-sync --help`` loads none of them.
"""

from __future__ import annotations

import signal

import click

from sync import __version__
from sync.cli.common import CONTEXT, VietnameseGroup, printable_streams
from sync.cli.demo import demo_cmd
from sync.cli.distribute import distribute_cmd
from sync.cli.evaluate import evaluate_cmd
from sync.cli.history import diff_cmd, history_cmd
from sync.cli.init import init_cmd
from sync.cli.remind import remind_cmd
from sync.cli.report import report_cmd
from sync.cli.sync import sync_cmd
from sync.cli.validate import validate_cmd


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


for command in (
    sync_cmd,
    validate_cmd,
    demo_cmd,
    history_cmd,
    diff_cmd,
    report_cmd,
    evaluate_cmd,
    remind_cmd,
    init_cmd,
    distribute_cmd,
):
    cli.add_command(command)


def _stop(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # a scheduler's SIGTERM ends a run like Ctrl-C: cleanly, nothing half-written


def main() -> None:
    signal.signal(signal.SIGTERM, _stop)
    printable_streams()
    cli(prog_name="ubnd-sync")


__all__ = ["cli", "main"]
