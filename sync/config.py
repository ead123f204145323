"""The TOML configuration (contract §5), checked on load.

Any mistake is one ``ConfigError`` naming the key and the line, e.g.
``ubnd-sync.toml, dòng 7: khóa “cutof_day” trong [sync] không được hỗ trợ``.
"""

from __future__ import annotations

import ipaddress
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sync.config_file import DEFAULT_CONFIG, PROTECTIONS, parse_toml, read_config_text
from sync.exceptions import ConfigError
from sync.findings import DATE_REASONS
from sync.formula import FORMULA_RANGES, Formula, parse_formula
from sync.limits import LIMIT_RANGES, Limits, parse_limits
from sync.model import DEFAULT_KIND, UNIT_KINDS
from sync.normalize import clean_text, fold, format_date, parse_date

#: the backends ``[sync] backend`` may name (``sync.backends.register_backend`` adds one): name -> what it is
BACKENDS: dict[str, str] = {"xlsx": "tệp .xlsx trong thư mục dùng chung", "gsheets": "Google Sheets"}
#: [report] signing (NĐ 30/2020): the head signs, a deputy signs for (KT.), by order (TL.), acting (Q.)
SIGNING_MODES = ("direct", "KT", "TL", "Q")


@dataclass(frozen=True, slots=True)
class UnitConfig:
    code: str
    name: str
    source: str
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    kind: str = DEFAULT_KIND


@dataclass(frozen=True, slots=True)
class MailSettings:
    """[mail]: the SMTP server reminders go through; the password only from the environment."""

    host: str | None = None
    port: int = 587
    security: str = "starttls"  # "starttls" | "ssl" | "none"
    user: str | None = None
    sender: str | None = None
    password_env: str = "UBND_SYNC_SMTP_PASSWORD"
    pause_seconds: float = 1.0
    #: how long one step of the SMTP conversation may take; a server silent that long is given up for the run
    timeout_seconds: float = 30.0
    #: how long the server may take to answer a message's final dot (RFC 5321 §4.5.3.2.6: 10 minutes)
    data_timeout_seconds: float = 600.0
    #: log in over a connection that is not encrypted (security = "none") to a host that is not this machine
    allow_unencrypted_login: bool = False


@dataclass(frozen=True, slots=True)
class RegisterSettings:
    """[register]: the Office's task register (a path, or a spreadsheet id/URL for gsheets)."""

    source: str | None = None
    sheet: str | None = None  # default: the register schema's tab, "Danh mục nhiệm vụ"


@dataclass(frozen=True, slots=True)
class CalendarSettings:
    """[calendar]: a year's days off and make-up working Saturdays, beyond the public holidays
    the ``holidays`` package knows (``sync.workdays``)."""

    days_off: tuple[date, ...] = ()
    working_saturdays: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtensionSettings:
    """[extension]: a request for a new deadline must come this many working days before it."""

    min_working_days: int = 5


@dataclass(frozen=True, slots=True)
class SyncSettings:
    backend: str = "xlsx"
    summary: str = "out/tong-hop.xlsx"
    sheet: str = "Nhiệm vụ"
    cutoff_day: int = 25
    due_soon_days: int = 7
    #: more unreadable units than this share (or all of them) stops a sync: nothing is written
    max_unreadable_share: float = 0.5


@dataclass(frozen=True, slots=True)
class GSheetsSettings:
    credentials: str | None = None
    endpoint: str | None = None
    requests_per_minute: int = 55
    folder: str | None = None
    #: how a unit's spreadsheet is read: "export" (Drive files.export as .xlsx, one request)
    #: or "values" (Sheets values:batchGet of the task tab, the path before issue 10)
    read: str = "export"
    #: ``init``: the Office's columns of a new unit sheet are a protected range only the Office
    #: may edit ("enforce"), or a warning-only one anybody may edit after a warning ("warn")
    protection: str = "enforce"


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
    limits: Limits = field(default_factory=Limits)
    evaluation: Formula = field(default_factory=Formula)
    mail: MailSettings = field(default_factory=MailSettings)
    register: RegisterSettings = field(default_factory=RegisterSettings)
    calendar: CalendarSettings = field(default_factory=CalendarSettings)
    extension: ExtensionSettings = field(default_factory=ExtensionSettings)

    def unit(self, code: str) -> UnitConfig:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    @property
    def state_path(self) -> Path:
        """Small local state file next to the config (incremental Google sync)."""
        return self.base_dir / (self.path.stem + ".state.json")

    @property
    def cache_path(self) -> Path:
        """The local cache next to the config: what the backends read last time, to read again
        only what changed (``sync.backends.xlsx.cache``; the Google backend's grids)."""
        return self.base_dir / (self.path.stem + ".cache.sqlite")

    @property
    def history_path(self) -> Path:
        """The SQLite history next to the config."""
        return self.base_dir / (self.path.stem + ".history.sqlite")


_SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "sync": ("backend", "summary", "sheet", "cutoff_day", "due_soon_days", "max_unreadable_share"),
    "units": ("code", "name", "source", "aliases", "emails", "kind"),
    "mail": (
        "host",
        "port",
        "security",
        "user",
        "sender",
        "password_env",
        "pause_seconds",
        "timeout_seconds",
        "data_timeout_seconds",
        "allow_unencrypted_login",
    ),
    "gsheets": ("credentials", "endpoint", "requests_per_minute", "folder", "read", "protection"),
    "register": ("source", "sheet"),
    "calendar": ("days_off", "working_saturdays"),
    "extension": ("min_working_days",),
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
    "limits": tuple(LIMIT_RANGES),
    "evaluation": tuple(FORMULA_RANGES),
}

#: the files SQLite keeps beside the history while writing it
HISTORY_COMPANIONS = ("-journal", "-wal", "-shm")

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
        p = p if p.is_absolute() else config_path.parent / p
        try:
            return p.resolve()
        except (OSError, RuntimeError):  # a symlink loop: that unit is unreadable, not the config
            return Path(os.path.abspath(p))

    target = resolved(summary)
    for unit in units:
        if resolved(unit.source) == target:
            raise fail(
                f"“summary” trỏ vào đúng tệp của đơn vị {unit.code} ({unit.source}): bảng tổng hợp sẽ ghi đè "
                "dữ liệu của đơn vị. Chọn một tệp khác, ví dụ out/tong-hop.xlsx",
                "sync",
                "summary",
            )
    history = config_path.parent / (config_path.stem + ".history.sqlite")
    own = {
        config_path: "tệp cấu hình",
        config_path.parent / (config_path.stem + ".state.json"): "tệp trạng thái đọc Google",
        history: "tệp lịch sử",
        **{history.with_name(history.name + tail): "tệp phụ của tệp lịch sử" for tail in HISTORY_COMPANIONS},
    }
    if target in own:
        raise fail(
            f"“summary” trỏ vào {own[target]} của ubnd-sync ({target.name}): ghi bảng tổng hợp vào đó sẽ làm mất "
            "dữ liệu. Chọn một tệp .xlsx khác, ví dụ out/tong-hop.xlsx",
            "sync",
            "summary",
        )
    if target.suffix.lower() != ".xlsx":
        raise fail(
            f'“summary” phải là một tệp .xlsx (đang là “{summary}”), ví dụ summary = "out/tong-hop.xlsx"',
            "sync",
            "summary",
        )


def load_config(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and check a config file; raises ``ConfigError`` (see ``sync.config_file``)."""
    path = Path(path)
    text = read_config_text(path)
    return parse_config(parse_toml(text, str(path)), text=text, path=path)


def parse_config(data: dict[str, Any], *, text: str = "", path: Path) -> Config:
    """Check parsed TOML section by section; raises ``ConfigError`` naming the key and the line."""
    r = _Reader(data, text, str(path))
    for key in data:
        if key not in _SECTION_KEYS:
            raise r.fail(
                f"mục “{key}” không được hỗ trợ (chỉ có [sync], [gsheets], [report], [register], [calendar], [extension], [limits], [evaluation], [mail], [[units]])",
                key,
            )
    sync = _sync_settings(r)
    gsheets = _gsheets_settings(r)
    report = _report_settings(r)
    limits = parse_limits(r.table("limits"), lambda message, key: r.fail(message, "limits", key))
    mail = _mail_settings(r)
    reg = r.table("register")
    register = RegisterSettings(
        source=reg["source"].strip() if r.get_str(reg, "register", "source", None) else None,
        sheet=r.get_str(reg, "register", "sheet", None),
    )
    evaluation = parse_formula(r.table("evaluation"), lambda message, key: r.fail(message, "evaluation", key))
    calendar = _calendar_settings(r)
    ext = r.table("extension")
    extension = ExtensionSettings(r.get_int(ext, "extension", "min_working_days", 5, 0, 60))
    units = _units(r)
    path = path.resolve()
    if sync.backend == "xlsx":
        _check_summary_target(sync.summary, units, path, r.fail)
    return Config(
        path=path,
        base_dir=path.parent,
        sync=sync,
        units=tuple(units),
        gsheets=gsheets,
        report=report,
        limits=limits,
        evaluation=evaluation,
        mail=mail,
        register=register,
        calendar=calendar,
        extension=extension,
    )


class _Reader:
    """Typed access to the parsed TOML; every error names the file, the key and its line."""

    def __init__(self, data: dict[str, Any], text: str, shown: str):
        self.data = data
        self.loc = _Locator(text)
        self.shown = shown

    def fail(self, message: str, section: str | None, key: str | None = None, index: int = 0) -> ConfigError:
        return ConfigError(message, path=self.shown, line=self.loc.line_of(section, key, index))

    def table(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(f"“{name}” phải là một mục [{name}]", None, name)
        for key in value:
            if key not in _SECTION_KEYS[name]:
                allowed = ", ".join(_SECTION_KEYS[name])
                raise self.fail(
                    f"khóa “{key}” trong [{name}] không được hỗ trợ (các khóa: {allowed})", name, key
                )
        return value

    def get_str(
        self, tbl: dict[str, Any], section: str, key: str, default: str | None, index: int = 0
    ) -> str | None:
        value = tbl.get(key, default)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"“{key}” phải là một chuỗi không rỗng", section, key, index)
        return clean_text(value)

    def get_int(self, tbl: dict[str, Any], section: str, key: str, default: int, lo: int, hi: int) -> int:
        value = tbl.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise self.fail(f"“{key}” phải là số nguyên từ {lo} đến {hi} (đang là {value!r})", section, key)
        return value


def _sync_settings(r: _Reader) -> SyncSettings:
    s = r.table("sync")
    backend = r.get_str(s, "sync", "backend", "xlsx")
    if backend not in BACKENDS:
        names = " hoặc ".join(f'"{name}"' for name in BACKENDS)
        raise r.fail(f"“backend” phải là {names} (đang là {backend!r})", "sync", "backend")
    return SyncSettings(
        backend=backend,
        summary=r.get_str(s, "sync", "summary", "out/tong-hop.xlsx") or "out/tong-hop.xlsx",
        sheet=r.get_str(s, "sync", "sheet", "Nhiệm vụ") or "Nhiệm vụ",
        cutoff_day=r.get_int(s, "sync", "cutoff_day", 25, 1, 28),
        due_soon_days=r.get_int(s, "sync", "due_soon_days", 7, 0, 365),
        max_unreadable_share=_share(r, s),
    )


def _share(r: _Reader, s: dict[str, Any]) -> float:
    """``max_unreadable_share``: a number from 0 to 1 (0.5 = half the units)."""
    value = s.get("max_unreadable_share", 0.5)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0 <= value <= 1:
        raise r.fail(
            "“max_unreadable_share” phải là một số từ 0 đến 1, ví dụ 0.5 (một nửa số đơn vị) "
            f"(đang là {value!r})",
            "sync",
            "max_unreadable_share",
        )
    return float(value)


def _calendar_settings(r: _Reader) -> CalendarSettings:
    """[calendar]: lists of dates written day first ("27/01/2025"); make-up days are weekend days."""
    c = r.table("calendar")
    days_off = _dates(r, c, "days_off")
    saturdays = _dates(r, c, "working_saturdays")
    for d in saturdays:
        if d.weekday() < 5:
            raise r.fail(
                f"“working_saturdays”: ngày {format_date(d)} không phải thứ Bảy hay Chủ nhật; chỉ ghi những ngày "
                "nghỉ cuối tuần được đổi thành ngày làm việc (làm bù)",
                "calendar",
                "working_saturdays",
            )
    return CalendarSettings(days_off=days_off, working_saturdays=saturdays)


def _dates(r: _Reader, tbl: dict[str, Any], key: str) -> tuple[date, ...]:
    value = tbl.get(key, [])
    example = (
        f'ví dụ {key} = ["27/01/2025", "28/01/2025"]'
        if key == "days_off"
        else f'ví dụ {key} = ["26/04/2025"]'
    )
    if not isinstance(value, list):
        raise r.fail(f"“{key}” phải là danh sách các ngày (dd/mm/yyyy), {example}", "calendar", key)
    out = []
    for item in value:
        parsed = parse_date(item) if isinstance(item, (str, date)) else None
        if not isinstance(parsed, date):
            shown = item if isinstance(item, str) else repr(item)
            reason = (
                DATE_REASONS.get(parsed, DATE_REASONS["not-a-date"])
                if isinstance(parsed, str)
                else (DATE_REASONS["not-a-date"])
            )
            raise r.fail(f"“{key}”: “{shown}” không phải là ngày hợp lệ — {reason}", "calendar", key)
        out.append(parsed)
    return tuple(sorted(set(out)))


def _gsheets_settings(r: _Reader) -> GSheetsSettings:
    g = r.table("gsheets")
    return GSheetsSettings(
        credentials=r.get_str(g, "gsheets", "credentials", None),
        endpoint=r.get_str(g, "gsheets", "endpoint", None),
        requests_per_minute=r.get_int(g, "gsheets", "requests_per_minute", 55, 1, 100000),
        folder=r.get_str(g, "gsheets", "folder", None),
        read=_read_mode(r, g),
        protection=_protection(r, g),
    )


def _mail_settings(r: _Reader) -> MailSettings:
    raw = r.data.get("mail")
    if isinstance(raw, dict) and "password" in raw:
        raise r.fail(
            "không ghi mật khẩu vào cấu hình: đặt nó vào biến môi trường (khóa “password_env”, mặc định "
            "UBND_SYNC_SMTP_PASSWORD) rồi xóa dòng này",
            "mail",
            "password",
        )
    m = r.table("mail")
    security = r.get_str(m, "mail", "security", "starttls") or "starttls"
    if security not in ("starttls", "ssl", "none"):
        raise r.fail(
            f'“security” phải là "starttls", "ssl" hoặc "none" (đang là {security!r})', "mail", "security"
        )
    sender = r.get_str(m, "mail", "sender", None)
    if m and (not sender or not EMAIL_ADDRESS.fullmatch(sender)):
        raise r.fail("mục [mail] cần “sender”: địa chỉ gửi thư, ví dụ vp@angiang.gov.vn", "mail", "sender")
    settings = MailSettings(
        host=r.get_str(m, "mail", "host", None),
        port=r.get_int(m, "mail", "port", 465 if security == "ssl" else 587, 1, 65535),
        security=security,
        user=r.get_str(m, "mail", "user", None),
        sender=sender,
        password_env=r.get_str(m, "mail", "password_env", "UBND_SYNC_SMTP_PASSWORD") or "",
        pause_seconds=_seconds(r, m, "pause_seconds", 1.0, 0, 60),
        timeout_seconds=_seconds(r, m, "timeout_seconds", 30.0, 0, 600, above=True),
        data_timeout_seconds=_seconds(r, m, "data_timeout_seconds", 600.0, 0, 3600, above=True),
        allow_unencrypted_login=_flag(r, m, "allow_unencrypted_login"),
    )
    _check_login_security(r, settings)
    return settings


def _seconds(
    r: _Reader, m: dict[str, Any], key: str, default: float, lo: float, hi: float, *, above: bool = False
) -> float:
    """A number of seconds from ``lo`` (excluded when ``above``) to ``hi``."""
    value = m.get(key, default)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (number and (lo < value if above else lo <= value) and value <= hi):
        low = f"lớn hơn {lo:g}" if above else f"từ {lo:g}"
        raise r.fail(f"“{key}” phải là số giây {low} đến {hi:g} (đang là {value!r})", "mail", key)
    return float(value)


def _flag(r: _Reader, m: dict[str, Any], key: str) -> bool:
    value = m.get(key, False)
    if not isinstance(value, bool):
        raise r.fail(f"“{key}” phải là true hoặc false (đang là {value!r})", "mail", key)
    return value


def is_loopback(host: str) -> bool:
    """``host`` is this machine (``localhost``, 127.0.0.0/8, ``::1``): nothing it is sent crosses a network."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_login_security(r: _Reader, s: MailSettings) -> None:
    """A login over ``security = "none"`` sends the password in clear: only to this machine, or when asked."""
    if s.security != "none" or s.user is None or s.host is None or s.allow_unencrypted_login:
        return
    if is_loopback(s.host):
        return
    raise r.fail(
        f'security = "none" sẽ gửi tên đăng nhập “{s.user}” và mật khẩu không mã hóa qua mạng tới máy chủ '
        f'{s.host}: dùng security = "starttls" (cổng 587) hoặc "ssl" (cổng 465); nếu máy chủ thư nằm trong mạng '
        "nội bộ tin cậy và Văn phòng chấp nhận điều đó, thêm allow_unencrypted_login = true vào mục [mail]",
        "mail",
        "security",
    )


def _read_mode(r: _Reader, g: dict[str, Any]) -> str:
    read = r.get_str(g, "gsheets", "read", "export") or "export"
    if read not in ("export", "values"):
        raise r.fail(f'“read” phải là "export" hoặc "values" (đang là {read!r})', "gsheets", "read")
    return read


def _protection(r: _Reader, g: dict[str, Any]) -> str:
    protection = r.get_str(g, "gsheets", "protection", "enforce") or "enforce"
    if protection not in PROTECTIONS:
        raise r.fail(
            f'“protection” phải là "enforce" (chỉ Văn phòng sửa được các cột của Văn phòng) hoặc "warn" '
            f"(chỉ cảnh báo khi sửa) (đang là {protection!r})",
            "gsheets",
            "protection",
        )
    return protection


def _report_settings(r: _Reader) -> ReportSettings:
    rep = r.table("report")
    recipients = rep.get("recipients")
    if recipients is not None and (
        not isinstance(recipients, list) or not all(isinstance(x, str) and x.strip() for x in recipients)
    ):
        raise r.fail(
            "“recipients” phải là danh sách các chuỗi (mỗi dòng “Nơi nhận” một chuỗi)", "report", "recipients"
        )
    report = ReportSettings(
        **{
            key: r.get_str(rep, "report", key, None) for key in _SECTION_KEYS["report"] if key != "recipients"
        },
        recipients=tuple(clean_text(x) for x in recipients) if recipients is not None else None,
    )
    _check_signing(r, report)
    return report


def _check_signing(r: _Reader, report: ReportSettings) -> None:
    """``signing`` and ``signer_deputy_title`` agree (KT./TL. need the deputy's title)."""
    if report.signing is not None and report.signing not in SIGNING_MODES:
        raise r.fail(
            f'“signing” phải là "direct" (người đứng đầu ký), "KT" (ký thay), "TL" (thừa lệnh) hoặc "Q" '
            f"(quyền) (đang là {report.signing!r})",
            "report",
            "signing",
        )
    if report.signing in ("KT", "TL") and report.signer_deputy_title is None:
        raise r.fail(
            f'signing = "{report.signing}" cần khóa “signer_deputy_title”: chức vụ của người ký, in dưới dòng '
            f'“{report.signing}. …”, ví dụ signer_deputy_title = "PHÓ CHÁNH VĂN PHÒNG"',
            "report",
            "signing",
        )
    if report.signer_deputy_title is not None and report.signing not in ("KT", "TL"):
        raise r.fail(
            '“signer_deputy_title” chỉ dùng khi signing = "KT" hoặc "TL"; xóa khóa này hoặc khai báo signing',
            "report",
            "signer_deputy_title",
        )


def _units(r: _Reader) -> list[UnitConfig]:
    raw_units = r.data.get("units")
    if raw_units is None or raw_units == []:
        raise r.fail("chưa khai báo đơn vị nào: thêm ít nhất một mục [[units]]", None)
    if not isinstance(raw_units, list) or not all(isinstance(u, dict) for u in raw_units):
        raise r.fail("“units” phải là các mục [[units]]", None, "units")
    units: list[UnitConfig] = []
    codes: dict[str, int] = {}
    spellings: dict[str, str] = {}
    for i, u in enumerate(raw_units):
        unit = _unit(r, u, i, codes)
        named = [("code", unit.code), ("name", unit.name), *(("aliases", a) for a in unit.aliases)]
        for which, spelling in named:
            key = fold(spelling)
            other = spellings.get(key)
            if other is not None and other != unit.code:
                raise r.fail(
                    f"tên gọi “{spelling}” của đơn vị {unit.code} trùng với tên gọi của đơn vị {other}; "
                    "mỗi tên, mã, tên gọi khác chỉ dùng cho một đơn vị",
                    "units",
                    which,
                    i,
                )
            spellings[key] = unit.code
        units.append(unit)
    return units


def _unit(r: _Reader, u: dict[str, Any], i: int, codes: dict[str, int]) -> UnitConfig:
    """The ``i``-th [[units]] entry; ``codes`` (code -> index) gets its code."""
    for key in u:
        if key not in _SECTION_KEYS["units"]:
            allowed = ", ".join(_SECTION_KEYS["units"])
            raise r.fail(
                f"khóa “{key}” trong [[units]] không được hỗ trợ (các khóa: {allowed})", "units", key, i
            )
    for key in ("code", "name", "source"):
        if key not in u:
            raise r.fail(f"đơn vị thứ {i + 1} thiếu khóa “{key}”", "units", None, i)
    code = r.get_str(u, "units", "code", None, i) or ""
    if not UNIT_CODE.fullmatch(code):
        raise r.fail(f"mã đơn vị “{code}” chỉ được gồm chữ không dấu, số, “-”, “_”, “.”", "units", "code", i)
    if code in codes:
        raise r.fail(
            f"mã đơn vị “{code}” bị trùng (đã khai báo ở đơn vị thứ {codes[code] + 1})", "units", "code", i
        )
    codes[code] = i
    aliases = u.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise r.fail("“aliases” phải là danh sách các chuỗi không rỗng", "units", "aliases", i)
    kind = r.get_str(u, "units", "kind", DEFAULT_KIND, i) or DEFAULT_KIND
    if kind not in UNIT_KINDS:
        allowed = ", ".join(f'"{k}"' for k in UNIT_KINDS)
        raise r.fail(
            f"“kind” của đơn vị {code} phải là một trong {allowed} (đang là {kind!r})", "units", "kind", i
        )
    name = r.get_str(u, "units", "name", None, i) or ""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in name):
        raise r.fail(
            f"tên của đơn vị {code} có ký tự xuống dòng hoặc ký tự điều khiển ({name!r}): viết tên trên một dòng, "
            "vì tên đi vào tiêu đề thư nhắc việc, bảng tổng hợp và báo cáo",
            "units",
            "name",
            i,
        )
    return UnitConfig(
        code=code,
        name=name,
        # checked like any text, but kept as typed: a file name on disk may be in NFD
        source=u["source"].strip() if r.get_str(u, "units", "source", None, i) else "",
        aliases=tuple(clean_text(a) for a in aliases),
        emails=_emails(r, u, i),
        kind=kind,
    )


#: A unit code: it names files and appears in cell references, so plain letters only.
UNIT_CODE = re.compile(r"[A-Za-z0-9_.\-]+")
#: An e-mail address as people write them (the server has the last word): letters without diacritics
#: only (an internationalised address needs SMTPUTF8 on every server on the way; a domain with
#: diacritics is written as its xn-- form).
#: One character of it: ASCII but whitespace and ``@ < > , ;``, i.e. ``[^@\s<>,;\x80-\U0010ffff]``
#: spelt out (the same characters, a test checks; that form takes 5 ms to compile, on every command).
_EMAIL_CHAR = r"[\x00-\x08\x0e-\x1b!-+\--:=?A-\x7f]"
EMAIL_ADDRESS = re.compile(rf"{_EMAIL_CHAR}+@{_EMAIL_CHAR}+\.{_EMAIL_CHAR}+")


def _emails(r: _Reader, u: dict[str, Any], i: int) -> tuple[str, ...]:
    emails = u.get("emails", [])
    if not isinstance(emails, list) or not all(
        isinstance(e, str) and EMAIL_ADDRESS.fullmatch(e.strip()) for e in emails
    ):
        raise r.fail(
            "“emails” phải là danh sách địa chỉ e-mail viết bằng chữ không dấu, ví dụ emails = "
            '["vanthu@snv.angiang.gov.vn"]',
            "units",
            "emails",
            i,
        )
    return tuple(e.strip() for e in emails)
