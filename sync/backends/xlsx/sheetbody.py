"""The summary's rows written as worksheet XML directly: the bytes XlsxWriter writes, a fraction of its time.

XlsxWriter spends some 10 µs on every cell: ``write_string`` checks the cell's place and
stores a record, then ``close()`` turns each record into ``<c …>`` through a general
attribute writer. The summary's body is millions of cells of four kinds (text, whole or
decimal numbers, dates) in a handful of formats, so ``BodySheet`` takes each row at once as
the XML XlsxWriter would write for it (``body_row``), made by ``body_xml`` from
precomputed pieces: each text still goes through XlsxWriter's shared-string table, every
other part of the file (columns, formats, frozen panes, filter, print setup, row heights,
merged notes) is written by XlsxWriter itself. ``tests/test_summary_body.py`` renders the
same tables both ways and compares the files byte for byte.

A row holding anything else (a boolean, a text longer than half of Excel's limit, which
XlsxWriter may cut, a number that is not finite) is written cell by cell with XlsxWriter's
own methods, as are the rows of an XlsxWriter whose internals are not the ones this module
was written against (``fast_body_supported``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from sync.shapes.grid import to_serial

#: XlsxWriter's internals ``BodySheet`` relies on (checked once, else the plain path)
_NEEDED = ("_write_rows", "_calculate_spans", "_write_row", "_write_cell", "_check_dimensions", "row_info")


def fast_body_supported() -> bool:
    """Whether this XlsxWriter has the internals ``BodySheet`` writes into."""
    probe = Worksheet()
    return all(hasattr(probe, name) for name in _NEEDED) and hasattr(probe, "table")


class BodySheet(Worksheet):
    """A worksheet whose body rows arrive as finished ``<c>`` elements (see the module's docstring)."""

    def __init__(self) -> None:
        super().__init__()
        #: 0-based row -> (its cells' XML, first column, last column)
        self.body: dict[int, tuple[str, int, int]] = {}

    def body_row(self, row: int, cells: str, first: int, last: int) -> bool:
        """Take one row's cells as XML; False (nothing kept) when the row is outside the sheet."""
        if self._check_dimensions(row, first) or self._check_dimensions(row, last):
            return False
        self.body[row] = (cells, first, last)
        return True

    # XlsxWriter's ``_calculate_spans`` and ``_write_rows`` (3.x), with the body rows among the others.

    def _calculate_spans(self) -> None:
        if not self.body:
            super()._calculate_spans()
            return
        spans: dict[int, str] = {}
        span_min: int | None = None
        span_max: int | None = None
        assert self.dim_rowmin is not None and self.dim_rowmax is not None
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cols: list[int] = []
            body = self.body.get(row_num)
            if body is not None:
                cols += [body[1], body[2]]
            if row_num in self.table:
                cols += list(self.table[row_num])
            if row_num in self.comments:
                cols += list(self.comments[row_num])
            if cols:
                lo, hi = min(cols), max(cols)
                if span_min is None or span_max is None:
                    span_min, span_max = lo, hi
                else:
                    span_min, span_max = min(span_min, lo), max(span_max, hi)
            end = (row_num + 1) % 16 == 0 or row_num == self.dim_rowmax
            if end and span_min is not None and span_max is not None:
                spans[row_num // 16] = f"{span_min + 1}:{span_max + 1}"
                span_min = None
        self.row_spans = spans

    def _write_rows(self) -> None:
        if not self.body:
            super()._write_rows()
            return
        self._calculate_spans()
        assert self.dim_rowmin is not None and self.dim_rowmax is not None
        write = self.fh.write
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            info = self.row_info.get(row_num)
            span = self.row_spans.get(row_num // 16)
            body = self.body.get(row_num)
            if body is not None:
                self._write_row(row_num, span, info)
                write(body[0])
                write("</row>")
            elif self.table.get(row_num):
                self._write_row(row_num, span, info)
                cells = self.table[row_num]
                for col_num in range(self.dim_colmin, self.dim_colmax + 1):
                    if col_num in cells:
                        self._write_cell(row_num, col_num, cells[col_num])
                write("</row>")
            elif row_num in self.comments or info is not None:
                self._write_row(row_num, span, info, empty_row=True)


class BodyFormats:
    """The XML of each cell kind's opening in one row style, per column: its place and format.

    ``strings[c]``, ``numbers[c]``, ``dates[c]``, ``datetimes[c]``: what goes between the cell's
    reference and its value, e.g. ``' s="7" t="s"><v>'``. The format is the cell's own, else
    the row's, else the column's, as XlsxWriter chooses it.
    """

    def __init__(
        self,
        strings: Sequence[Any | None],
        numbers: Sequence[Any | None],
        dates: Any,
        datetimes: Any,
        fallback: Sequence[Any | None],
    ):
        def xf(own: Any | None, c: int) -> str:
            fmt = own if own is not None else fallback[c]
            return "" if fmt is None else f' s="{fmt._get_xf_index()}"'

        width = len(fallback)
        self.strings = [xf(strings[c], c) + ' t="s"><v>' for c in range(width)]
        self.numbers = [xf(numbers[c], c) + "><v>" for c in range(width)]
        self.dates = [xf(dates, c) + "><v>" for c in range(width)]
        self.datetimes = [xf(datetimes, c) + "><v>" for c in range(width)]


#: Texts this long may be over Excel's 32,767 UTF-16 units: XlsxWriter cuts them (its own path)
_LONG = 32767 // 2


def body_xml(
    row: Sequence[Any], number: int, letters: Sequence[str], kinds: BodyFormats, strings: Any
) -> tuple[str, int, int] | None:
    """One row's ``<c>`` elements as XlsxWriter writes them (row ``number``, 1-based), with its
    first and last column; None when the row holds a value only XlsxWriter's own methods write
    (and when it is empty). ``strings``: the workbook's shared-string table."""
    out: list[str] = []
    first = last = -1
    # XlsxWriter's SharedStringTable._get_shared_string_index, inline: a text's index is its
    # place among the distinct texts in the order they are written; ``count`` counts every use
    known = strings.string_table
    used = 0
    width = len(kinds.strings)
    for c, value in enumerate(row):
        if value is None or value == "":
            continue
        cls = value.__class__
        if c >= width:
            cls = None
        if cls is str and len(value) <= _LONG:
            index = known.get(value)
            if index is None:
                index = known[value] = strings.unique_count
                strings.unique_count += 1
            used += 1
            out.append(f'<c r="{letters[c]}{number}"{kinds.strings[c]}{index}</v></c>')
        elif cls is int or (cls is float and math.isfinite(value)):
            out.append(f'<c r="{letters[c]}{number}"{kinds.numbers[c]}{value:.16G}</v></c>')
        elif cls is date:
            out.append(f'<c r="{letters[c]}{number}"{kinds.dates[c]}{to_serial(value):.16G}</v></c>')
        elif cls is datetime:
            out.append(f'<c r="{letters[c]}{number}"{kinds.datetimes[c]}{to_serial(value):.16G}</v></c>')
        else:
            # XlsxWriter's own methods write this row: its texts so far are in the table already, at
            # the places those methods give them (the same order), and they will count them
            return None
        if first < 0:
            first = c
        last = c
    if first < 0:
        return None
    strings.count += used
    return "".join(out), first, last


def column_letters(count: int) -> list[str]:
    return [xl_col_to_name(c) for c in range(count)]
