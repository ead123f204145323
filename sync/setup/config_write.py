"""The province's config as ``init`` writes it (contract §5), with tomlkit.

``config_text`` builds the TOML (a short Vietnamese comment header, then ``[sync]``,
``[gsheets]`` for Google, ``[register]`` and one ``[[units]]`` per unit); relative paths for the
xlsx backend, so the province's folder can be moved or shared as a whole. ``write_config``
never replaces a file: a config already there is left untouched and compared with what init
would have written, the differences in Vietnamese for the Office to carry over by hand.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit

from sync.atomic import atomic_create
from sync.exceptions import OutputError, os_reason
from sync.model import DEFAULT_KIND
from sync.shapes.books import UnitSpec

_HEADER = (
    "Cấu hình ubnd-sync của tỉnh, do “ubnd-sync init” tạo từ danh sách đơn vị {units_csv}.",
    "Đường dẫn tương đối tính từ thư mục chứa tệp này. Sửa được bằng tay (xem README, mục Configuration);",
    "chạy lại “ubnd-sync init” không ghi đè tệp này.",
)


def config_data(
    units: Sequence[UnitSpec],
    *,
    backend: str,
    sources: Mapping[str, str],
    register: str,
    summary: str,
    cutoff_day: int,
    task_tab: str,
    settings: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The config as plain data (``sources``: unit code -> path or spreadsheet id; ``settings``:
    the backend's own section, e.g. ``[gsheets]``, when it has one)."""
    data: dict[str, Any] = {
        "sync": {"backend": backend, "summary": summary, "sheet": task_tab, "cutoff_day": cutoff_day}
    }
    if settings:
        data[backend] = dict(settings)
    data["register"] = {"source": register}
    data["units"] = []
    for u in units:
        entry: dict[str, Any] = {"code": u.code, "name": u.name, "kind": u.kind, "source": sources[u.code]}
        if u.aliases:
            entry["aliases"] = list(u.aliases)
        if u.emails:
            entry["emails"] = list(u.emails)
        data["units"].append(entry)
    return data


def config_text(data: Mapping[str, Any], *, units_csv: str) -> str:
    """``data`` as TOML with the comment header."""
    doc = tomlkit.document()
    for line in _HEADER:
        doc.add(tomlkit.comment(line.format(units_csv=units_csv)))
    doc.add(tomlkit.nl())
    for section, value in data.items():
        if section == "units":
            units = tomlkit.aot()
            for entry in value:
                units.append(tomlkit.item(entry))
            doc.add("units", units)
        else:
            doc.add(section, tomlkit.item(value))
            doc.add(tomlkit.nl())
    return tomlkit.dumps(doc)


@dataclass
class ConfigOutcome:
    """What ``write_config`` did: ``created``, or found (``differences`` empty when it matches)."""

    created: bool
    differences: list[str] = field(default_factory=list)


def write_config(path: Path, text: str) -> ConfigOutcome:
    """Write ``text`` to ``path`` atomically unless a file is there; then compare, never replace."""
    try:
        with atomic_create(path) as tmp:
            tmp.write_text(text, encoding="utf-8")
        return ConfigOutcome(created=True)
    except FileExistsError:
        pass
    except OSError as e:
        raise OutputError(f"không ghi được tệp cấu hình {path}: {os_reason(e)}") from e
    wanted = tomllib.loads(text)
    try:
        found = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        reason = os_reason(e) if isinstance(e, OSError) else "không đọc được như một tệp TOML"
        return ConfigOutcome(created=False, differences=[f"tệp hiện có {reason}"])
    return ConfigOutcome(created=False, differences=differences(found, wanted))


def _shown(value: Any) -> str:
    return f"“{value}”" if isinstance(value, str) else str(value)


#: a unit's keys init writes, with the value an absent key means
_UNIT_DEFAULTS: dict[str, Any] = {
    "name": None,
    "kind": DEFAULT_KIND,
    "source": None,
    "aliases": [],
    "emails": [],
}


def differences(found: Mapping[str, Any], wanted: Mapping[str, Any], *, at_most: int = 12) -> list[str]:
    """How the config ``found`` differs from ``wanted`` in what init writes, in Vietnamese."""
    out: list[str] = []
    for section, keys in wanted.items():
        if section == "units":
            continue
        have = found.get(section)
        have = have if isinstance(have, dict) else {}
        for key, value in keys.items():
            if have.get(key) != value:
                now = _shown(have[key]) if key in have else "chưa có"
                out.append(f"[{section}] {key}: đang là {now}, init sẽ ghi {_shown(value)}")
    have_units = {u.get("code"): u for u in found.get("units") or [] if isinstance(u, dict)}
    want_units = {u["code"]: u for u in wanted["units"]}
    missing = [c for c in want_units if c not in have_units]
    extra = [str(c) for c in have_units if c not in want_units]
    if missing:
        out.append(
            f"đơn vị có trong danh sách nhưng chưa có trong cấu hình ({len(missing)}): {', '.join(missing)}"
        )
    if extra:
        out.append(
            f"đơn vị có trong cấu hình nhưng không có trong danh sách ({len(extra)}): {', '.join(extra)}"
        )
    for code, unit in want_units.items():
        have = have_units.get(code)
        if have is None:
            continue
        keys = [k for k, empty in _UNIT_DEFAULTS.items() if have.get(k, empty) != unit.get(k, empty)]
        if keys:
            out.append(f"đơn vị {code}: khác ở {', '.join(keys)}")
    if len(out) > at_most:
        out = [*out[:at_most], f"… và {len(out) - at_most} khác biệt nữa"]
    return out
