"""The TOML configuration (contract §5), checked on load.

Any mistake is one ``ConfigError`` naming the key and the line, e.g.
``ubnd-sync.toml, dòng 7: khóa “cutof_day” trong [sync] không được hỗ trợ``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.exceptions import ConfigError, os_reason
from sync.normalize import clean_text, fold

DEFAULT_CONFIG = "ubnd-sync.toml"
BACKENDS = ("xlsx", "gsheets")
#: [report] signing (NĐ 30/2020): the head signs, a deputy signs for (KT.), by order (TL.), acting (Q.)
SIGNING_MODES = ("direct", "KT", "TL", "Q")


@dataclass(frozen=True, slots=True)
class UnitConfig:
    code: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SyncSettings:
    backend: str = "xlsx"
    summary: str = "out/tong-hop.xlsx"
    sheet: str = "Nhiệm vụ"
    cutoff_day: int = 25
    due_soon_days: int = 7


@dataclass(frozen=True, slots=True)
class GSheetsSettings:
    credentials: str | None = None
    endpoint: str | None = None
    requests_per_minute: int = 55
    folder: str | None = None


@dataclass(frozen=True, slots=True)
class ReportSettings:
    """The meeting report's heading (NĐ 30/2020); None keeps the built-in default."""

    parent: str | None = None
    issuer: str | None = None
    issuer_long: str | None = None
    symbol: str | None = None
    place: str | None = None
    signer_title: str | None = None
    signer_name: str | None = None
    signing: str | None = None
    signer_deputy_title: str | None = None
    recipients: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    base_dir: Path
    sync: SyncSettings
    units: tuple[UnitConfig, ...]
    gsheets: GSheetsSettings = field(default_factory=GSheetsSettings)
    report: ReportSettings = field(default_factory=ReportSettings)

    def unit(self, code: str) -> UnitConfig:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    def resolve(self, ref: str) -> str:
        """A path relative to the config's folder (xlsx backend); ids/URLs unchanged."""
        if self.sync.backend != "xlsx":
            return ref
        p = Path(ref).expanduser()
        return str(p if p.is_absolute() else self.base_dir / p)

    @property
    def summary_target(self) -> str:
        return self.resolve(self.sync.summary)

    @property
    def state_path(self) -> Path:
        """Small local state file next to the config (incremental Google sync)."""
        return self.base_dir / (self.path.stem + ".state.json")

    @property
    def history_path(self) -> Path:
        """The SQLite history next to the config."""
        return self.base_dir / (self.path.stem + ".history.sqlite")


_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "sync": ("backend", "summary", "sheet", "cutoff_day", "due_soon_days"),
    "units": ("code", "name", "source", "aliases"),
    "gsheets": ("credentials", "endpoint", "requests_per_minute", "folder"),
    "report": (
        "parent",
        "issuer",
        "issuer_long",
        "symbol",
        "place",
        "signer_title",
        "signer_name",
        "signing",
        "signer_deputy_title",
        "recipients",
    ),
}

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


class _Locator:
    """Finds the line of a key in the TOML text, for messages."""

    def __init__(self, text: str):
        self.lines = text.splitlines()

    def line_of(self, section: str | None, key: str | None = None, index: int = 0) -> int | None:
        current: str | None = None
        count: dict[str, int] = {}
        in_target = section is None
        for lineno, line in enumerate(self.lines, start=1):
            m = _HEADER.match(line)
            if m:
                current = m.group(2).strip().strip('"')
                if m.group(1) == "[[":
                    count[current] = count.get(current, -1) + 1
                    in_target = current == section and count[current] == index
                else:
                    in_target = current == section
                if in_target and key is None:
                    return lineno
                continue
            if in_target and key is not None:
                stripped = line.strip()
                for candidate in (key, f'"{key}"', f"'{key}'"):
                    if stripped.startswith(candidate) and stripped[len(candidate) :].lstrip().startswith("="):
                        return lineno
        return None


def _check_summary_target(
    summary: str, units: list[UnitConfig], config_path: Path, fail: Callable[..., ConfigError]
) -> None:
    """The summary must never be written over a unit's workbook or the tool's own files."""

    def resolved(ref: str) -> Path:
        p = Path(ref).expanduser()
        return (p if p.is_absolute() else config_path.parent / p).resolve()

    target = resolved(summary)
    for unit in units:
        if resolved(unit.source) == target:
            raise fail(
                f"“summary” trỏ vào đúng tệp của đơn vị {unit.code} ({unit.source}): bảng tổng hợp sẽ ghi đè "
                "dữ liệu của đơn vị. Chọn một tệp khác, ví dụ out/tong-hop.xlsx",
                "sync",
                "summary",
            )
    own = {config_path, config_path.with_suffix(".history.sqlite"), config_path.with_suffix(".state.json")}
    if target in own:
        raise fail(
            "“summary” trỏ vào tệp cấu hình hoặc tệp lịch sử; chọn một tệp .xlsx khác", "sync", "summary"
        )


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and check a config file; raises ``ConfigError``."""
    path = Path(path)
    shown = str(path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"không tìm thấy tệp cấu hình {shown}. Chỉ ra tệp bằng --config, "
            "hoặc chạy “ubnd-sync demo” để có một tệp mẫu."
        ) from None
    except OSError as e:
        raise ConfigError(f"không đọc được tệp cấu hình {shown}: {os_reason(e)}") from None
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError("tệp cấu hình phải được lưu với mã UTF-8", path=shown) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise ConfigError(
            f"tệp không đúng cú pháp TOML ({e})", path=shown, line=int(m.group(1)) if m else None
        ) from None
    return parse_config(data, text=text, path=path)


def parse_config(data: dict[str, Any], *, text: str = "", path: Path) -> Config:
    loc = _Locator(text)
    shown = str(path)

    def fail(message: str, section: str | None, key: str | None = None, index: int = 0) -> ConfigError:
        return ConfigError(message, path=shown, line=loc.line_of(section, key, index))

    for key in data:
        if key not in _SECTION_KEYS:
            raise fail(f"mục “{key}” không được hỗ trợ (chỉ có [sync], [gsheets], [report], [[units]])", key)

    def table(name: str) -> dict[str, Any]:
        value = data.get(name, {})
        if not isinstance(value, dict):
            raise fail(f"“{name}” phải là một mục [{name}]", None, name)
        for key in value:
            if key not in _SECTION_KEYS[name]:
                allowed = ", ".join(_SECTION_KEYS[name])
                raise fail(f"khóa “{key}” trong [{name}] không được hỗ trợ (các khóa: {allowed})", name, key)
        return value

    def get_str(
        tbl: dict[str, Any], section: str, key: str, default: str | None, index: int = 0
    ) -> str | None:
        value = tbl.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(f"“{key}” phải là một chuỗi không rỗng", section, key, index)
        return clean_text(value)

    def get_int(tbl: dict[str, Any], section: str, key: str, default: int, lo: int, hi: int) -> int:
        value = tbl.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise fail(f"“{key}” phải là số nguyên từ {lo} đến {hi} (đang là {value!r})", section, key)
        return value

    s = table("sync")
    backend = get_str(s, "sync", "backend", "xlsx")
    if backend not in BACKENDS:
        raise fail(f'“backend” phải là "xlsx" hoặc "gsheets" (đang là {backend!r})', "sync", "backend")
    sync = SyncSettings(
        backend=backend,
        summary=get_str(s, "sync", "summary", "out/tong-hop.xlsx") or "out/tong-hop.xlsx",
        sheet=get_str(s, "sync", "sheet", "Nhiệm vụ") or "Nhiệm vụ",
        cutoff_day=get_int(s, "sync", "cutoff_day", 25, 1, 28),
        due_soon_days=get_int(s, "sync", "due_soon_days", 7, 0, 365),
    )

    g = table("gsheets")
    gsheets = GSheetsSettings(
        credentials=get_str(g, "gsheets", "credentials", None),
        endpoint=get_str(g, "gsheets", "endpoint", None),
        requests_per_minute=get_int(g, "gsheets", "requests_per_minute", 55, 1, 100000),
        folder=get_str(g, "gsheets", "folder", None),
    )

    r = table("report")
    recipients = r.get("recipients")
    if recipients is not None and (
        not isinstance(recipients, list) or not all(isinstance(x, str) and x.strip() for x in recipients)
    ):
        raise fail(
            "“recipients” phải là danh sách các chuỗi (mỗi dòng “Nơi nhận” một chuỗi)", "report", "recipients"
        )
    report = ReportSettings(
        **{key: get_str(r, "report", key, None) for key in _SECTION_KEYS["report"] if key != "recipients"},
        recipients=tuple(clean_text(x) for x in recipients) if recipients is not None else None,
    )
    if report.signing is not None and report.signing not in SIGNING_MODES:
        raise fail(
            f'“signing” phải là "direct" (người đứng đầu ký), "KT" (ký thay), "TL" (thừa lệnh) hoặc "Q" '
            f"(quyền) (đang là {report.signing!r})",
            "report",
            "signing",
        )
    if report.signing in ("KT", "TL") and report.signer_deputy_title is None:
        raise fail(
            f'signing = "{report.signing}" cần khóa “signer_deputy_title”: chức vụ của người ký, in dưới dòng '
            f'“{report.signing}. …”, ví dụ signer_deputy_title = "PHÓ CHÁNH VĂN PHÒNG"',
            "report",
            "signing",
        )
    if report.signer_deputy_title is not None and report.signing not in ("KT", "TL"):
        raise fail(
            '“signer_deputy_title” chỉ dùng khi signing = "KT" hoặc "TL"; xóa khóa này hoặc khai báo signing',
            "report",
            "signer_deputy_title",
        )

    raw_units = data.get("units")
    if raw_units is None or raw_units == []:
        raise fail("chưa khai báo đơn vị nào: thêm ít nhất một mục [[units]]", None)
    if not isinstance(raw_units, list) or not all(isinstance(u, dict) for u in raw_units):
        raise fail("“units” phải là các mục [[units]]", None, "units")
    units: list[UnitConfig] = []
    codes: dict[str, int] = {}
    spellings: dict[str, str] = {}
    for i, u in enumerate(raw_units):
        for key in u:
            if key not in _SECTION_KEYS["units"]:
                allowed = ", ".join(_SECTION_KEYS["units"])
                raise fail(
                    f"khóa “{key}” trong [[units]] không được hỗ trợ (các khóa: {allowed})", "units", key, i
                )
        for key in ("code", "name", "source"):
            if key not in u:
                raise fail(f"đơn vị thứ {i + 1} thiếu khóa “{key}”", "units", None, i)
        code = get_str(u, "units", "code", None, i) or ""
        if not re.fullmatch(r"[A-Za-z0-9_.\-]+", code):
            raise fail(
                f"mã đơn vị “{code}” chỉ được gồm chữ không dấu, số, “-”, “_”, “.”", "units", "code", i
            )
        if code in codes:
            raise fail(
                f"mã đơn vị “{code}” bị trùng (đã khai báo ở đơn vị thứ {codes[code] + 1})",
                "units",
                "code",
                i,
            )
        codes[code] = i
        aliases = u.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise fail("“aliases” phải là danh sách các chuỗi không rỗng", "units", "aliases", i)
        unit = UnitConfig(
            code=code,
            name=get_str(u, "units", "name", None, i) or "",
            # checked like any text, but kept as typed: a file name on disk may be in NFD
            source=u["source"].strip() if get_str(u, "units", "source", None, i) else "",
            aliases=tuple(clean_text(a) for a in aliases),
        )
        named = [("code", unit.code), ("name", unit.name), *(("aliases", a) for a in unit.aliases)]
        for which, spelling in named:
            key = fold(spelling)
            other = spellings.get(key)
            if other is not None and other != code:
                raise fail(
                    f"tên gọi “{spelling}” của đơn vị {code} trùng với tên gọi của đơn vị {other}; "
                    "mỗi tên, mã, tên gọi khác chỉ dùng cho một đơn vị",
                    "units",
                    which,
                    i,
                )
            spellings[key] = code
        units.append(unit)

    path = path.resolve()
    if sync.backend == "xlsx":
        _check_summary_target(sync.summary, units, path, fail)
    return Config(
        path=path, base_dir=path.parent, sync=sync, units=tuple(units), gsheets=gsheets, report=report
    )
