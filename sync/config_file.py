"""Reading the config file: never a hang, never a traceback, TOML mistakes explained in Vietnamese.

``read_config_text(path)`` opens the file without blocking and checks on the opened
descriptor that it is a regular file of at most ``MAX_CONFIG_BYTES`` (a FIFO, a device such
as ``/dev/zero`` or a folder is refused, never read), then decodes it as UTF-8.

``parse_toml(text, shown)`` is ``tomllib.loads`` whose syntax errors become one
``ConfigError`` with the line and column, e.g.
``ubnd-sync.toml, dòng 3: giá trị không hợp lệ (cột 11) …``, with a hint when the line holds
the curly quotes “ ” ‘ ’ that Word puts in place of straight ones. A file nested too
deeply for the parser (``RecursionError``) is refused the same way.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from pathlib import Path
from typing import Any

from sync.exceptions import ConfigError, os_reason

# Two names the command line needs before any config is read (kept here, so that
# ``ubnd-sync --help`` does not load the config's checker, ``sync.config``):
#: the config's name when none is given (``-c``)
DEFAULT_CONFIG = "ubnd-sync.toml"
#: [gsheets] protection: how init protects the Office's columns on Google
PROTECTIONS = ("enforce", "warn")

#: a config of a province (~120 units) is some 20 KB; anything far larger is not a config
MAX_CONFIG_BYTES = 4 << 20

#: what a path that is not a regular file is, in words (shared with sync.backends.xlsx.guard)
FILE_KINDS = {
    stat.S_IFIFO: "một đường ống (FIFO)",
    stat.S_IFCHR: "một thiết bị",
    stat.S_IFBLK: "một thiết bị",
    stat.S_IFSOCK: "một socket",
    stat.S_IFDIR: "một thư mục",
}

#: open for reading without blocking: a FIFO never stalls the open (shared with sync.backends.xlsx.guard)
READ_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
)

CURLY_QUOTES = "“”‘’"
CURLY_HINT = "dùng dấu nháy thẳng \" thay cho “ ” (và ' thay cho ‘ ’), thường do chép từ Word"

#: tomllib's messages (their start) -> what a person reads
_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        "Invalid value",
        'giá trị không hợp lệ (chuỗi phải nằm trong dấu nháy thẳng "…"; số viết liền; true/false)',
    ),
    ("Unterminated string", 'chuỗi chưa có dấu nháy " đóng lại'),
    ('Expected "\'"', "chuỗi chưa có dấu nháy ' đóng lại"),
    ("Expected ']' at the end of a table declaration", "thiếu dấu “]” ở cuối tên mục, ví dụ [sync]"),
    ("Expected ']]' at the end of an array declaration", "thiếu “]]” ở cuối tên mục, ví dụ [[units]]"),
    ("Cannot overwrite a value", "một khóa được khai báo hai lần; mỗi khóa chỉ viết một lần trong một mục"),
    ("Cannot declare", "một mục được khai báo hai lần"),
    (
        "Expected newline or end of document after a statement",
        "còn ký tự thừa sau giá trị; mỗi dòng một khóa",
    ),
    (
        "Expected '=' after a key in a key/value pair",
        "thiếu dấu “=” sau tên khóa (tên khóa không có dấu cách)",
    ),
    ("Invalid statement", "dòng phải là “khóa = giá trị” hoặc tên mục như [sync]"),
    (
        "Unescaped '\\' in a string",
        "dấu \\ trong chuỗi phải viết thành \\\\ (hoặc đặt đường dẫn trong dấu nháy đơn '…')",
    ),
    ("Illegal character '\\n'", "chuỗi chưa có dấu nháy đóng lại trước khi hết dòng"),
    ("Illegal character", "ký tự không được phép (ví dụ xuống dòng giữa một chuỗi)"),
    ("Unclosed array", "danh sách chưa có dấu “]” đóng lại"),
    ("Unclosed inline table", "bảng chưa có dấu “}” đóng lại"),
)
_WHERE = re.compile(r"\s*\((?:at line (\d+), column (\d+)|at end of document)\)\s*$")


def read_config_text(path: Path) -> str:
    """The config's text; ``ConfigError`` for a missing, special, oversized or non-UTF-8 file."""
    shown = str(path)
    try:
        fd = os.open(path, READ_FLAGS)
    except FileNotFoundError:
        raise ConfigError(
            f"không tìm thấy tệp cấu hình {shown}. Chỉ ra tệp bằng --config, "
            "hoặc chạy “ubnd-sync demo” để có một tệp mẫu."
        ) from None
    except OSError as e:
        raise ConfigError(f"không đọc được tệp cấu hình {shown}: {os_reason(e)}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = FILE_KINDS.get(stat.S_IFMT(st.st_mode), "không phải tệp thông thường")
            raise ConfigError(f"{shown} là {kind}, không phải tệp cấu hình; chỉ ra tệp .toml bằng --config")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_CONFIG_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"không đọc được tệp cấu hình {shown}: {os_reason(e)}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"tệp cấu hình lớn hơn {MAX_CONFIG_BYTES >> 20} MB: đây không phải tệp cấu hình; kiểm tra --config",
            path=shown,
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("tệp cấu hình phải được lưu với mã UTF-8", path=shown) from None


def parse_toml(text: str, shown: str) -> dict[str, Any]:
    """``tomllib.loads`` with every failure as one Vietnamese ``ConfigError``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise syntax_error(str(e), text, shown) from None
    except RecursionError:
        raise ConfigError(
            "tệp lồng nhau quá sâu (hàng nghìn dấu [ hoặc { liên tiếp): đây không phải tệp cấu hình hợp lệ",
            path=shown,
        ) from None


def syntax_error(message: str, text: str, shown: str) -> ConfigError:
    """tomllib's ``message`` as a person reads it: what is wrong, where, and the curly-quote hint."""
    where = _WHERE.search(message)
    what = message[: where.start()] if where else message
    line = int(where.group(1)) if where and where.group(1) else None
    column = int(where.group(2)) if where and where.group(2) else None
    said = next((vi for en, vi in _MESSAGES if what.startswith(en)), f"lỗi cú pháp TOML ({what})")
    place = f" (cột {column})" if column else (" (ở cuối tệp)" if where else "")
    lines = text.splitlines()
    curly = line is not None and line <= len(lines) and any(q in lines[line - 1] for q in CURLY_QUOTES)
    hint = f"; {CURLY_HINT}" if curly else ""
    return ConfigError(f"tệp không đúng cú pháp TOML: {said}{place}{hint}", path=shown, line=line)
