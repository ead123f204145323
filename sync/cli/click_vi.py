"""Click's own words (help headings, usage errors) in Vietnamese, through gettext.

Click marks every text it prints with gettext (``_("Usage:")``, ``_("Error: {message}")``,
``ngettext(…)``), looked up in the process's gettext domain for the language the
environment names. ``vietnamese()`` points that lookup at our catalog for the length of a
command: it binds the domain ``ubnd-sync-click`` to ``sync/locale`` (public
``gettext.bindtextdomain``/``textdomain``) and asks for Vietnamese (``LANGUAGE=vi``), then
puts both back. Nothing of click is replaced: a text missing from the catalog stays English.

The catalog is ``CATALOG`` below (click's texts exactly as click writes them); the compiled
``sync/locale/vi/LC_MESSAGES/ubnd-sync-click.mo`` is written from it by
``python -m sync.cli.click_vi`` (a test checks the two agree).
"""

from __future__ import annotations

import contextlib
import gettext
import os
import struct
from collections.abc import Iterator
from pathlib import Path

DOMAIN = "ubnd-sync-click"
LOCALE_DIR = Path(__file__).parent.parent / "locale"
MO_FILE = LOCALE_DIR / "vi" / "LC_MESSAGES" / f"{DOMAIN}.mo"

#: click's text -> Vietnamese; a pair (singular, plural) -> a pair for ``ngettext``.
CATALOG: dict[str | tuple[str, str], str | tuple[str, str]] = {
    "Usage:": "Cách dùng:",
    "Usage: ": "Cách dùng: ",  # click 8.1
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Tham số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: {command} {option}",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing command.": "Thiếu lệnh.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such option: {name}": "Không có tùy chọn {name}",  # click 8.1
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số {name!r} cần {nargs} giá trị.",
    "Aborted!": "Đã dừng.",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "deprecated": "không còn dùng",
    "file": "Tệp",
    "directory": "Thư mục",
    "path": "Đường dẫn",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là một tệp, không phải thư mục.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là một thư mục, không phải tệp.",
    "{name} {filename!r} is not readable.": "Không đọc được {name} {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {name} {filename!r}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải một số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "{value!r} không phải giá trị có/không hợp lệ. Các giá trị được nhận: {states}"
    ),
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"): (
        "Thừa tham số ({args})",
        "Thừa tham số ({args})",
    ),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."): (
        "Tùy chọn {name!r} cần một giá trị.",
        "Tùy chọn {name!r} cần {nargs} giá trị.",
    ),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."): (
        "{value!r} không phải {choice}.",
        "{value!r} không phải một trong các giá trị {choices}.",
    ),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"): (
        "Có phải ý bạn là {possibility}?",
        "(Có phải ý bạn là một trong: {possibilities}?)",
    ),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."): (
        "Cần {nargs} giá trị nhưng chỉ có 1.",
        "Cần {nargs} giá trị nhưng có {len}.",
    ),
    ("{value!r} does not match the format {format}.", "{value!r} does not match the formats {formats}."): (
        "{value!r} không đúng dạng {format}.",
        "{value!r} không đúng dạng nào trong {formats}.",
    ),
}

# Two forms, as English has: click fills each with its own placeholders.
_HEADER = (
    "Content-Type: text/plain; charset=UTF-8\nLanguage: vi\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
)


def mo_bytes(catalog: dict[str | tuple[str, str], str | tuple[str, str]] = CATALOG) -> bytes:
    """The catalog as a GNU .mo file (the format ``gettext.GNUTranslations`` reads)."""
    entries: list[tuple[bytes, bytes]] = [(b"", _HEADER.encode())]
    for key, value in catalog.items():
        original = "\0".join(key) if isinstance(key, tuple) else key
        translated = "\0".join(value) if isinstance(value, tuple) else value
        entries.append((original.encode(), translated.encode()))
    entries.sort()
    n = len(entries)
    originals_at = 7 * 4
    translations_at = originals_at + n * 8
    data_at = translations_at + n * 8
    tables: list[bytes] = [b"", b""]
    blob = b""
    for which, texts in enumerate(([o for o, _ in entries], [t for _, t in entries])):
        for text in texts:
            tables[which] += struct.pack("<2I", len(text), data_at + len(blob))
            blob += text + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, originals_at, translations_at, 0, data_at)
    return header + tables[0] + tables[1] + blob


@contextlib.contextmanager
def vietnamese() -> Iterator[None]:
    """While inside, click's texts come out in Vietnamese (see the module's docstring)."""
    domain = gettext.textdomain()
    language = os.environ.get("LANGUAGE")
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = "vi"
    try:
        yield
    finally:
        gettext.textdomain(domain)
        if language is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = language


if __name__ == "__main__":  # python -m sync.cli.click_vi: write the compiled catalog
    MO_FILE.parent.mkdir(parents=True, exist_ok=True)
    from sync.atomic import atomic_write_bytes

    atomic_write_bytes(MO_FILE, mo_bytes())
    print(MO_FILE)
