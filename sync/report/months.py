"""Months as the report names them: ``YYYY-MM`` in, “tháng 10 năm 2024” out (NĐ 30 dates)."""

from __future__ import annotations

import re
from datetime import date

from sync.exceptions import UsageError


def parse_month(month: str) -> tuple[int, int]:
    """``2024-10`` -> (2024, 10); anything else is a ``UsageError`` saying the expected form."""
    try:
        y, m = month.split("-")
        year, mon = int(y), int(m)
        if len(y) != 4 or not 1 <= mon <= 12:
            raise ValueError
    except ValueError:
        raise UsageError(f"tháng “{month}” không đúng dạng YYYY-MM (ví dụ 2024-10)") from None
    return year, mon


def shift_month(month: str, delta: int) -> str:
    """``2024-01`` shifted by -1 -> ``2023-12``."""
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_words(month: str) -> str:
    """``2024-10`` -> ``tháng 10 năm 2024``."""
    year, mon = parse_month(month)
    return f"tháng {mon} năm {year}"


NBSP = "\u00a0"
_WORD_NUMBER = re.compile(r"\b(tháng|năm|ngày|THÁNG|NĂM|NGÀY) (?=\d)")


def unbreakable(text: str) -> str:
    """``tháng 10 năm 2024`` with a no-break space (U+00A0) after “tháng”, “năm”, “ngày”.

    Word and LibreOffice never wrap a line at a no-break space, so a title cannot
    end a line with “tháng” and start the next with “10”.
    """
    return _WORD_NUMBER.sub(lambda m: m.group(1) + NBSP, text)


def month_short(month: str) -> str:
    """``2024-10`` -> ``10/2024``."""
    year, mon = parse_month(month)
    return f"{mon}/{year}"


def place_date(place: str, d: date) -> str:
    """NĐ 30: a zero before days below 10 and before months 1 and 2."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


__all__ = ["NBSP", "month_short", "month_words", "parse_month", "place_date", "shift_month", "unbreakable"]
