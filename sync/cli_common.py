"""What every command shares: options, and the one place failures become messages and exit codes."""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click

from sync.config import DEFAULT_CONFIG
from sync.exceptions import UbndSyncError

F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EXIT_FAILURE = 1


def _parse_as_of(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"“{value}” không phải ngày dạng YYYY-MM-DD (ví dụ 2024-03-05)") from None


as_of_option = click.option(
    "--as-of",
    "as_of",
    callback=_parse_as_of,
    metavar="YYYY-MM-DD",
    help="Ngày báo cáo (mặc định: hôm nay theo giờ Việt Nam).",
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


def guard(fn: F) -> F:
    """Map failures to one clear line and an exit code; ``--debug`` shows the traceback."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
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
