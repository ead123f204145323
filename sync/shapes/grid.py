"""A tab as every backend hands it over: a grid of cell values, its merges, cell addresses, serial dates.

A tab is read as a grid anchored at A1 (row 0 is sheet row 1, column 0 is column A). Cell
values are what the file holds: ``str`` (``""`` for empty), ``int``/``float``, ``bool``,
``date``/``datetime``/``time``, or ``None``. Serial numbers stay numbers; the normaliser
turns them into dates where a date is expected.

Column letters and spreadsheet serial dates are computed here, once, for every backend and
feature (the serial epoch itself is ``sync.normalize.SERIAL_EPOCH``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sync.normalize import SERIAL_EPOCH

Grid = list[list[Any]]
#: A merged range: ((first_row, first_col), (last_row, last_col)), 0-based, inclusive.
MergedRange = tuple[tuple[int, int], tuple[int, int]]

_EPOCH_MIDNIGHT = datetime.combine(SERIAL_EPOCH, datetime.min.time())


@dataclass(slots=True)
class TabData:
    name: str
    rows: Grid
    merged: list[MergedRange] = field(default_factory=list)


def column_letter(index: int) -> str:
    """The letters of a 0-based column index: 0 → ``A``, 25 → ``Z``, 26 → ``AA``.

    A few lines of arithmetic rather than a spreadsheet library's helper, so that naming a cell
    (every finding does) imports no spreadsheet library.
    """
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(col: int, sheet_row: int) -> str:
    """A1 address of a 0-based column and a 1-based sheet row, e.g. ``F7``."""
    return f"{column_letter(col)}{sheet_row}"


def to_serial(value: date) -> float:
    """A date or a (naive or aware) datetime as a spreadsheet serial number (local wall time)."""
    if isinstance(value, datetime):
        delta = value.replace(tzinfo=None) - _EPOCH_MIDNIGHT
        return delta.days + delta.seconds / 86400
    return float((value - SERIAL_EPOCH).days)


def serial_day(day: date) -> int:
    """A day as a whole serial number (days since 30/12/1899)."""
    return (day - SERIAL_EPOCH).days


def from_serial(value: float) -> date | datetime:
    """A serial number as a date (whole number) or a datetime (with a fraction of a day)."""
    if float(value).is_integer():
        return SERIAL_EPOCH + timedelta(days=int(value))
    return _EPOCH_MIDNIGHT + timedelta(days=float(value))
