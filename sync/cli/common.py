"""What every command shares: options, and the one place failures become messages and exit codes."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from sync.cli.click_vi import vietnamese
from sync.config_file import DEFAULT_CONFIG

#: Called as work goes: (unit code or "", done, total).
Progress = Callable[[str, int, int], None]

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_FAILURE = 1


#: In every usage line, where click writes ``[OPTIONS]``.
OPTIONS_METAVAR = "[TÙY CHỌN]"


class VietnameseCommand(click.Command):
    """A command whose usage line says ``[TÙY CHỌN]``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)


class VietnameseGroup(click.Group):
    """A group of Vietnamese commands; run as the program (``main``), click's own help and
    errors come out in Vietnamese too (``sync.cli.click_vi``)."""

    command_class = VietnameseCommand
    group_class = type  # its subgroups are VietnameseGroups

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", "LỆNH [THAM SỐ]...")
        super().__init__(*args, **kwargs)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        with vietnamese():
            return super().main(*args, **kwargs)


def parse_day(value: str, option: str = "--as-of") -> date:
    """A day as the Office writes it: ``05/11/2024`` (day first, also ``5/11/2024``) or ``2024-11-05``."""
    from sync.findings import DATE_REASONS
    from sync.normalize import MONTH_FIRST, NO_SUCH_DAY, OUT_OF_RANGE, parse_date

    day = parse_date(value.strip()) if len(value) <= 64 else None
    if isinstance(day, date):
        return day
    if day == OUT_OF_RANGE:
        reason = "ngày phải trong các năm 2000–2100"
    elif day == MONTH_FIRST and value.strip()[:4].isdigit():  # 2024-13-01: year first, no such month
        reason = DATE_REASONS[NO_SUCH_DAY]
    else:
        reason = DATE_REASONS.get(str(day), DATE_REASONS["not-a-date"])
    raise click.BadParameter(
        f"“{value}” không phải ngày hợp lệ: {reason} (cũng nhận dạng yyyy-mm-dd, ví dụ 2024-11-05).",
        param_hint=option,
    )


def _parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    return None if value is None else parse_day(value)


#: What --as-of takes, in every command's help.
AS_OF_METAVAR = "DD/MM/YYYY"

as_of_option = click.option(
    "--as-of",
    "as_of",
    callback=_parse_as_of,
    metavar=AS_OF_METAVAR,
    help="Ngày báo cáo, ví dụ 05/11/2024 (hoặc 2024-11-05); mặc định: hôm nay theo giờ Việt Nam.",
)
config_option = click.option(
    "--config",
    "-c",
    "config_path",
    default=DEFAULT_CONFIG,
    show_default=True,
    type=click.Path(path_type=Path),  # a folder or a device: load_config says so in Vietnamese
    help="Tệp cấu hình TOML.",
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="In một tài liệu JSON ra stdout (cho máy đọc)."
)
quiet_option = click.option("--quiet", "-q", is_flag=True, help="Không hiện tiến trình.")
debug_option = click.option("--debug", is_flag=True, help="Hiện chi tiết lỗi (traceback) khi có sự cố.")


def config_options(f: F) -> F:
    """--config and --as-of."""
    return config_option(as_of_option(f))


def output_options(f: F) -> F:
    """--json, --quiet and --debug."""
    return json_option(quiet_option(debug_option(f)))


def history_options(f: F) -> F:
    """--config, --json and --debug (the commands that read the history)."""
    return config_option(json_option(debug_option(f)))


def printable_streams() -> None:
    """Make stdout and stderr able to write Vietnamese, whatever the console or redirection.

    A Windows console is written in Unicode by Python itself; output redirected to a file or
    a pipe, or ``PYTHONIOENCODING`` set to a code page (cp1252, ascii), would fail on the
    first “ệ”. Such a stream is switched to UTF-8: nothing crashes, and a redirected file
    (``--json > ket-qua.json``) keeps every letter.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            "Tổng hợp nhiệm vụ".encode(getattr(stream, "encoding", None) or "ascii")
        except (UnicodeEncodeError, LookupError):
            reconfigure = getattr(stream, "reconfigure", None)
            if reconfigure is not None:
                reconfigure(encoding="utf-8", errors="replace")


def _silence_stdout() -> None:
    """Point stdout at the null device, so Python's flush at exit does not fail on the closed pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real stdout (a test runner's capture)
        pass


def guard(fn: F) -> F:
    """Map failures to one clear line and an exit code; ``--debug`` shows the traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from sync.exceptions import UbndSyncError

        debug = kwargs.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except UbndSyncError as e:
            if debug:
                traceback.print_exc()
            click.echo(f"Lỗi: {e}", err=True)
            sys.exit(e.exit_code)
        except KeyboardInterrupt:
            click.echo("Đã dừng theo yêu cầu; không có gì được ghi dở dang.", err=True)
            sys.exit(EXIT_FAILURE)
        except BrokenPipeError:  # ``ubnd-sync validate | head``: the reader left; nothing to tell it
            _silence_stdout()
            sys.exit(EXIT_FAILURE)
        except Exception as e:  # the last resort: never a bare traceback for a person
            if debug:
                traceback.print_exc()
            click.echo(
                f"Lỗi không mong đợi: {type(e).__name__}: {e}. Chạy lại với --debug để xem chi tiết "
                "và gửi cho nhóm phát triển.",
                err=True,
            )
            sys.exit(EXIT_FAILURE)

    return wrapper  # type: ignore[return-value]


def echo_json(data: Any) -> None:
    """One JSON document on stdout (``--json``)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@contextlib.contextmanager
def progress_bar(
    quiet: bool,
    total: int,
    label: str,
    activity: Callable[[], tuple[int, float] | None] | None = None,
) -> Iterator[Progress | None]:
    """A bar on stderr (units done/total; over the network also requests, quota waits, time left);
    nothing when stderr is not a terminal or with ``--quiet``."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from sync.progress import ProgressLine

    line = ProgressLine(time.monotonic())
    with click.progressbar(
        length=total,
        label=label,
        file=sys.stderr,
        show_pos=True,
        show_eta=False,
        item_show_func=lambda text: text or "",
    ) as bar:

        def step(code: str, done: int, total: int) -> None:
            bar.update(1, line.text(code, done, total, time.monotonic(), activity() if activity else None))

        yield step
