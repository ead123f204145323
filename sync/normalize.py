"""Turning what a unit typed into values: text, dates, folded keys, legacy encodings.

Everything here is a pure function of the cell value. Text is NFC-normalised
and trimmed before anything else (contract §1); dates are always day-first.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from typing import Any

#: Day 0 of spreadsheet serial numbers (Excel/Sheets 1900 system, after the leap-year bug).
SERIAL_EPOCH = date(1899, 12, 30)
MIN_YEAR, MAX_YEAR = 2000, 2100
_MIN_SERIAL = (date(MIN_YEAR, 1, 1) - SERIAL_EPOCH).days
_MAX_SERIAL = (date(MAX_YEAR, 12, 31) - SERIAL_EPOCH).days


#: Invisible characters pasted from the web or Word (zero-width space/joiners, BOM, soft hyphen).
_INVISIBLE_CHARS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS))
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CHARS}]")


def clean_text(value: str) -> str:
    """NFC, without invisible characters, trimmed (the first thing done to every text)."""
    if not value.isascii():
        if _INVISIBLE_RE.search(value):  # searching is 15x cheaper than translating every text
            value = value.translate(_INVISIBLE)
        if not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
    return value.strip()


_WS = re.compile(r"\s+")
#: Texts longer than this are folded without being cached (a hostile file could fill the cache).
_CACHED_TEXT = 256


def fold(text: str) -> str:
    """A matching key: case, spacing, Unicode form and diacritics ignored.

    ``fold("Ngày  cập nhật") == fold("ngay cap nhat") == "ngaycapnhat"``.
    """
    return _fold_cached(text) if len(text) <= _CACHED_TEXT else _fold(text)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "d").replace("Đ", "D")
    return _WS.sub("", stripped).casefold()


_fold_cached = functools.lru_cache(maxsize=65536)(_fold)


def format_date(d: date) -> str:
    """A date as people here write it: ``05/03/2024``."""
    return d.strftime("%d/%m/%Y")


def cell_text(value: Any) -> str:
    """Any cell value as the text a person sees, for messages and text fields."""
    if value is None:
        return ""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == 0:
            return format_date(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    return clean_text(str(value))


#: What a cell may hold once read (``base.Workbook``); anything else becomes text.
PLAIN_TYPES = frozenset({str, int, float, bool, date, datetime, time, timedelta})


def safe_value(value: Any) -> Any:
    """A cell value every later step can take: NaN and ±infinity (a number or date cell
    crafted so) become the text ``NaN`` / ``Infinity`` / ``-Infinity``; a value of a type no
    spreadsheet holds (a list or object from an API) becomes its text."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return value
    if type(value) in PLAIN_TYPES or value is None:
        return value
    try:
        text = str(value)
    except Exception:  # a value whose str() fails still costs only its cell
        text = f"<{type(value).__name__}>"
    return clean_text(text)


def is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return False


# ---------------------------------------------------------------- dates

#: Why a value is not a date, for findings.
NOT_A_DATE = "not-a-date"
OUT_OF_RANGE = "year-out-of-range"
NO_SUCH_DAY = "no-such-day"
MONTH_FIRST = "month-first"

_NUMERIC = re.compile(r"^(\d{1,2})\s*([/\-.])\s*(\d{1,2})\s*\2\s*(\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_WORDS = re.compile(r"^(?:ngay\s*)?(\d{1,2})\s*thang\s*(\d{1,2})\s*nam\s*(\d{4})$")
#: The longest text that can be a date (``ngày 15 tháng 03 năm 2024 10:30:00 SA`` with room to spare):
#: longer text is not a date, decided without running any pattern over it.
MAX_DATE_TEXT = 64
_TIME_TAIL = re.compile(r"(?:\s+|T)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp][Mm])?$")


def _make(year: int, month: int, day: int) -> date | str:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return OUT_OF_RANGE
    if not 1 <= month <= 12:
        return MONTH_FIRST if 1 <= day <= 12 and 13 <= month <= 31 else NO_SUCH_DAY
    try:
        return date(year, month, day)
    except ValueError:
        return NO_SUCH_DAY


@functools.lru_cache(maxsize=65536)
def _parse_date_text(text: str) -> date | str:
    text = _TIME_TAIL.sub("", text.strip())
    m = _NUMERIC.match(text)
    if m:
        return _make(int(m.group(4)), int(m.group(3)), int(m.group(1)))
    m = _ISO.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    folded = " ".join(fold_words(text).split())
    m = _WORDS.match(folded)
    if m:
        return _make(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return NOT_A_DATE


def fold_words(text: str) -> str:
    """Like ``fold`` but keeps single spaces between words."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.replace("đ", "d").replace("Đ", "D").casefold()


def parse_date(value: Any) -> date | str | None:
    """A cell as a date.

    Returns a ``date``; ``None`` for an empty cell; or one of the reason
    strings (``NOT_A_DATE``, ``OUT_OF_RANGE``, ``NO_SUCH_DAY``, ``MONTH_FIRST``).
    Accepts date cells, serial numbers (days since 1899-12-30) and the text
    forms of contract §1, day first always.
    """
    if value is None:
        return None
    if isinstance(value, date):
        if MIN_YEAR <= value.year <= MAX_YEAR:
            return value.date() if isinstance(value, datetime) else value
        return OUT_OF_RANGE
    if isinstance(value, bool):
        return NOT_A_DATE
    if isinstance(value, (int, float)):
        return serial_to_date(value)
    if isinstance(value, str):
        text = clean_text(value)
        if not text:
            return None
        if len(text) == 5 and text.isascii() and text.isdigit():  # a serial number kept as text
            return serial_to_date(int(text))
        if len(text) > MAX_DATE_TEXT:
            return NOT_A_DATE
        return _parse_date_text(text)
    if isinstance(value, timedelta):
        return NOT_A_DATE
    return NOT_A_DATE


def serial_to_date(serial: float) -> date | str:
    if isinstance(serial, float) and (math.isnan(serial) or math.isinf(serial)):
        return NOT_A_DATE
    whole = math.floor(serial)
    if whole < _MIN_SERIAL or whole > _MAX_SERIAL:
        return OUT_OF_RANGE
    return SERIAL_EPOCH + timedelta(days=int(whole))


# ------------------------------------------------------- legacy encodings

# Vietnamese letters that sit in Latin-1; everything else in U+00A1..U+00FF is
# a sign of TCVN3 (ABC) or VNI text read with a Unicode font (e.g. "Hoµn thµnh").
_VIET_LATIN1 = set("ÀÁÂÃÈÉÊÌÍÒÓÔÕÙÚÝàáâãèéêìíòóôõùúý")
# «» § º also appear in ordinary Vietnamese text (quotes, section signs), so they do not count
_BENIGN = set("°×±«»§º")
_SUSPICIOUS = "".join(chr(c) for c in range(0xA1, 0x100) if chr(c) not in _VIET_LATIN1 | _BENIGN)
_SUSPICIOUS_RE = re.compile(f"[{re.escape(_SUSPICIOUS)}]")
# Proper Unicode Vietnamese beyond Latin-1 (ă, đ, ơ, ư, ạ … ỹ): its presence means Unicode text.
_UNICODE_VIET_RE = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]"
)


def looks_legacy_encoded(text: str) -> bool:
    """True when text looks like TCVN3/VNI bytes shown as Unicode."""
    if text.isascii() or _SUSPICIOUS_RE.search(text) is None:
        return False
    hits = 0
    for _ in _SUSPICIOUS_RE.finditer(text):  # three are enough to decide: stop there
        hits += 1
        if hits == 3:
            break
    if _UNICODE_VIET_RE.search(text):
        return hits >= 3
    return hits >= 2 or len(text) <= 24
