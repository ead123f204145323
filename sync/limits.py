"""What one unit's workbook may cost (config ``[limits]``, README Limits), and the message of a breach.

A breach costs that unit only: it is ``SourceUnreadable``, which becomes the unit's finding.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sync.config_numbers import check_numbers
from sync.exceptions import SourceUnreadable


@dataclass(frozen=True, slots=True)
class Limits:
    """What one unit's workbook may cost (README, Limits); a breach costs that unit only."""

    max_file_mb: int = 50  # the file on disk
    max_unpacked_mb: int = 300  # the parts of an .xlsx/.ods once decompressed, all together
    max_cells: int = 2_000_000  # rows x columns of a tab
    max_text_chars: int = 32_767  # one cell's text (Excel's own limit)
    max_seconds: int = 60  # reading and checking one unit


#: key -> (lowest, highest) accepted in [limits]
LIMIT_RANGES: dict[str, tuple[int, int]] = {
    "max_file_mb": (1, 4096),
    "max_unpacked_mb": (1, 16384),
    "max_cells": (1000, 100_000_000),
    "max_text_chars": (100, 10_000_000),
    "max_seconds": (1, 86400),
}


def parse_limits(table: dict[str, Any], fail: Callable[[str, str], Exception]) -> Limits:
    """The [limits] section: whole numbers within ``LIMIT_RANGES``; ``fail(message, key)`` for a bad one."""
    return Limits(**check_numbers(table, LIMIT_RANGES, "limits", fail, whole=True))  # type: ignore[arg-type]


def number(n: float) -> str:
    """``1234567`` as people here write it: ``1.234.567``."""
    return f"{n:,.0f}".replace(",", ".")


def limit_breach(subject: str, what: str, key: str, value: int, unit: str) -> SourceUnreadable:
    """The unreadable error for a limit: what was over, the limit, and the config key that sets it."""
    return SourceUnreadable(
        f"{subject} vượt giới hạn: {what} (giới hạn {number(value)} {unit}, khóa “{key}” trong mục "
        "[limits] của cấu hình). Đơn vị bỏ dòng, cột, trang thừa hoặc nội dung quá lớn rồi lưu lại",
        detail="limit:" + key,
    )
