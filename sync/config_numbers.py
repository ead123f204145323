"""Config sections made only of bounded numbers ([limits], [evaluation]): one checker for both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _shown(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def check_numbers(
    table: dict[str, Any],
    ranges: dict[str, tuple[float, float]],
    section: str,
    fail: Callable[[str, str], Exception],
    *,
    whole: bool,
) -> dict[str, Any]:
    """The keys of ``table``, each known to ``ranges`` and within its bounds; ``fail(message, key)`` otherwise.

    ``whole``: only whole numbers (TOML integers) are accepted; else integers and floats.
    """
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in ranges:
            allowed = ", ".join(ranges)
            raise fail(f"khóa “{key}” trong [{section}] không được hỗ trợ (các khóa: {allowed})", key)
        lo, hi = ranges[key]
        number = not isinstance(value, bool) and isinstance(value, int if whole else (int, float))
        if not number or not lo <= value <= hi:
            what = "số nguyên" if whole else "một số"
            raise fail(f"“{key}” phải là {what} từ {_shown(lo)} đến {_shown(hi)} (đang là {value!r})", key)
        values[key] = value
    return values
