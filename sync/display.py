"""How numbers look to a person: one rounding, the Vietnamese decimal comma, the dot for thousands.

Every percentage a person reads (terminal, summary workbook, report, charts) goes through
:func:`round_percent`, so one rate shows the same digits everywhere: 0.8125 is ``81,3%`` in the
report, ``81,3%`` on the terminal and 81.3 % in the workbook (which stores the rate rounded the
same way and lets the spreadsheet program show its locale's decimal mark).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PERCENT_DECIMALS = 1


#: Roman numerals for numbered groups of rows (I. Sở, ban, ngành; II. UBND cấp xã …); index 0 unused.
ROMAN: tuple[str, ...] = ("", "I", "II", "III", "IV", "V")


def round_percent(rate: float, decimals: int = PERCENT_DECIMALS) -> Decimal:
    """A rate (0.8125) as a percentage rounded half up (81.3), exactly, without binary surprises."""
    # str() first: Decimal(0.8125 * 100) would carry the float's binary error into the rounding
    return (Decimal(str(rate)) * 100).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def rounded_rate(rate: float | None, decimals: int = PERCENT_DECIMALS) -> float | None:
    """The rate as stored in a workbook cell formatted ``0.0%``: rounded as :func:`round_percent`."""
    if rate is None:
        return None
    return float(round_percent(rate, decimals) / 100)


def _decimal_comma(text: str) -> str:
    return text.replace(".", ",")


def format_percent(rate: float | None, decimals: int = PERCENT_DECIMALS) -> str:
    """0.8125 -> ``81,3%``; None -> ``—``."""
    if rate is None:
        return "—"
    return _decimal_comma(f"{round_percent(rate, decimals)}") + "%"


def format_points(delta: float | None, decimals: int = PERCENT_DECIMALS) -> str:
    """A change of rate in percentage points: 0.0225 -> ``+2,3 điểm %``; 0 -> ``0``; None -> ``—``."""
    if delta is None:
        return "—"
    q = round_percent(delta, decimals)
    if q == 0:
        return "0"
    return ("+" if q > 0 else "−") + _decimal_comma(f"{abs(q)}") + " điểm %"


def format_number(value: float, decimals: int = PERCENT_DECIMALS) -> str:
    """A plain decimal number with the Vietnamese comma: 57.84 -> ``57,8``."""
    q = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return _decimal_comma(f"{q}")


def format_short(value: float) -> str:
    """A number as short as it goes, with the Vietnamese comma: 58.5 -> ``58,5``; 59.0 -> ``59``."""
    return _decimal_comma(f"{value:g}")


def format_count(n: int | None) -> str:
    """A count with the Vietnamese thousands dot: 1389 -> ``1.389``; None -> ``—``."""
    return "—" if n is None else f"{n:,}".replace(",", ".")
