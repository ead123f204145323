"""The unit list ``init`` starts from: a CSV like ``sync/data/an-giang-2025-units.csv``.

Columns (first row, any order, case-insensitive): ``code`` and ``name`` required; ``kind``
(default ``so-nganh``), ``aliases`` and ``emails`` optional, the last two ``;``-separated.
UTF-8 with or without BOM (Excel's "CSV UTF-8"); every text is NFC and trimmed; blank lines are
skipped. A unit's code, name and aliases pass the same checks as the config's ``[[units]]``
(``sync.config``), so the config ``init`` writes from the list always loads.

Every problem is one ``ConfigError`` naming the file and the line, e.g.
``don-vi.csv, dòng 7: mã đơn vị “SNV” bị trùng (đã có ở dòng 3)`` (exit 2).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from sync.config import EMAIL_ADDRESS, UNIT_CODE
from sync.exceptions import ConfigError, os_reason
from sync.model import DEFAULT_KIND, UNIT_KINDS
from sync.normalize import clean_text, fold
from sync.shapes.books import UnitSpec

REQUIRED_COLUMNS = ("code", "name")
OPTIONAL_COLUMNS = ("kind", "aliases", "emails")
#: names Windows keeps for devices: ``CON.xlsx`` cannot be a file there
_WINDOWS_DEVICES = frozenset(
    {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
)
#: a province has some 120 units; a file far larger is not a unit list
MAX_BYTES = 4 << 20


def _split(text: str) -> tuple[str, ...]:
    return tuple(p for p in (clean_text(x) for x in text.split(";")) if p)


def read_units_csv(path: str | Path) -> list[UnitSpec]:
    """The units of the list at ``path``, in file order; ``ConfigError`` naming the line otherwise."""
    path = Path(path)
    shown = str(path)
    try:
        if not path.is_file():
            raise ConfigError(f"không tìm thấy tệp danh sách đơn vị {shown} (hoặc đó không phải một tệp)")
        if path.stat().st_size > MAX_BYTES:
            raise ConfigError(f"tệp {shown} quá lớn để là danh sách đơn vị (hơn {MAX_BYTES >> 20} MB)")
        raw = path.read_bytes()
    except OSError as e:
        raise ConfigError(f"không đọc được tệp danh sách đơn vị {shown}: {os_reason(e)}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise ConfigError(
            "tệp không phải văn bản UTF-8; trong Excel chọn Lưu thành › “CSV UTF-8 (Comma delimited)”",
            path=shown,
            line=line,
        ) from None
    return parse_units_csv(text, shown)


def parse_units_csv(text: str, shown: str = "danh sách đơn vị") -> list[UnitSpec]:
    """The units of a unit list's text; ``shown`` names it in messages."""
    reader = csv.reader(io.StringIO(text, newline=""))

    def fail(message: str) -> ConfigError:
        return ConfigError(message, path=shown, line=reader.line_num or 1)

    try:
        header = next((row for row in reader if any(c.strip() for c in row)), None)
        if header is None:
            raise fail("tệp danh sách đơn vị trống: dòng đầu phải là tiêu đề code,name,kind,aliases,emails")
        columns = [clean_text(c).lower() for c in header]
        for name in columns:
            if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
                allowed = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
                raise fail(f"cột “{name}” không được hỗ trợ (các cột: {allowed})")
            if columns.count(name) > 1:
                raise fail(f"cột “{name}” xuất hiện hai lần trong dòng tiêu đề")
        missing = [c for c in REQUIRED_COLUMNS if c not in columns]
        if missing:
            raise fail(
                f"thiếu cột {', '.join(f'“{c}”' for c in missing)} trong dòng tiêu đề "
                "(cần ít nhất: code,name; có thể thêm kind,aliases,emails)"
            )
        units: list[UnitSpec] = []
        codes: dict[str, int] = {}
        spellings: dict[str, tuple[str, int]] = {}
        for row in reader:
            if not any(c.strip() for c in row):
                continue
            if len(row) > len(columns):
                raise fail(
                    f"dòng có {len(row)} ô nhưng tiêu đề chỉ có {len(columns)} cột "
                    '(một tên có dấu phẩy phải nằm trong dấu nháy kép, ví dụ "Sở Nội vụ, tỉnh An Giang")'
                )
            cells = dict(zip(columns, (clean_text(c) for c in row), strict=False))
            unit = _unit(cells, fail)
            line = reader.line_num
            if unit.code.casefold() in codes:
                raise fail(f"mã đơn vị “{unit.code}” bị trùng (đã có ở dòng {codes[unit.code.casefold()]})")
            codes[unit.code.casefold()] = line
            for spelling in (unit.code, unit.name, *unit.aliases):
                other = spellings.get(fold(spelling))
                if other is not None and other[0] != unit.code:
                    raise fail(
                        f"tên gọi “{spelling}” của đơn vị {unit.code} trùng với tên gọi của đơn vị {other[0]} "
                        f"(dòng {other[1]}); mỗi tên, mã, tên gọi khác chỉ dùng cho một đơn vị"
                    )
                spellings[fold(spelling)] = (unit.code, line)
            units.append(unit)
    except csv.Error as e:
        raise fail(f"tệp không đúng định dạng CSV ({e})") from None
    if not units:
        raise ConfigError("danh sách đơn vị không có đơn vị nào (chỉ có dòng tiêu đề)", path=shown)
    return units


def _unit(cells: dict[str, str], fail: Callable[[str], ConfigError]) -> UnitSpec:
    """One row's unit; ``fail(message)`` names the line."""
    code = cells.get("code", "")
    if not code:
        raise fail("thiếu mã đơn vị (cột “code”)")
    if not UNIT_CODE.fullmatch(code) or code.startswith("."):
        raise fail(
            f"mã đơn vị “{code}” chỉ được gồm chữ không dấu, số, “-”, “_”, “.” "
            "(và không bắt đầu bằng dấu chấm), vì mã là tên tệp của đơn vị"
        )
    if code.split(".")[0].upper() in _WINDOWS_DEVICES:
        raise fail(f"mã đơn vị “{code}” là tên thiết bị của Windows, không đặt được tên tệp; chọn mã khác")
    name = cells.get("name", "")
    if not name:
        raise fail(f"đơn vị {code} chưa có tên (cột “name”)")
    kind = cells.get("kind") or DEFAULT_KIND
    if kind not in UNIT_KINDS:
        allowed = ", ".join(UNIT_KINDS)
        raise fail(f"loại đơn vị (cột “kind”) của {code} là “{kind}”, phải là một trong: {allowed}")
    emails = _split(cells.get("emails", ""))
    for address in emails:
        if not EMAIL_ADDRESS.fullmatch(address):
            raise fail(
                f"địa chỉ e-mail “{address}” của đơn vị {code} không hợp lệ "
                "(ví dụ vanthu@snv.angiang.gov.vn; nhiều địa chỉ cách nhau bằng dấu chấm phẩy)"
            )
    aliases = tuple(dict.fromkeys(a for a in _split(cells.get("aliases", "")) if a != name))
    return UnitSpec(code=code, name=name, kind=kind, aliases=aliases, emails=tuple(dict.fromkeys(emails)))
