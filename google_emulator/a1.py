"""A1 notation: parsing ranges (with quoted Unicode sheet names) and formatting them."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CELL = re.compile(r"^([A-Za-z]*)([0-9]*)$")


def col_to_index(letters: str) -> int:
    """'A' -> 0, 'Z' -> 25, 'AA' -> 26."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def index_to_col(index: int) -> str:
    index += 1
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell_name(row: int, col: int) -> str:
    return f"{index_to_col(col)}{row + 1}"


@dataclass
class A1Range:
    """A parsed A1 range. Indices are 0-based, ends exclusive, None = unbounded."""

    sheet: str | None
    start_row: int | None
    end_row: int | None
    start_col: int | None
    end_col: int | None
    whole_sheet: bool = False
    single_cell: bool = False


class A1Error(ValueError):
    pass


def split_sheet(text: str) -> tuple[str | None, str]:
    text = text.strip()
    if text.startswith("'"):
        # quoted sheet name; '' is an escaped quote
        i = 1
        name = ""
        while i < len(text):
            ch = text[i]
            if ch == "'":
                if i + 1 < len(text) and text[i + 1] == "'":
                    name += "'"
                    i += 2
                    continue
                rest = text[i + 1 :]
                if rest == "":
                    return name, ""
                if rest.startswith("!"):
                    return name, rest[1:]
                raise A1Error(text)
            name += ch
            i += 1
        raise A1Error(text)
    if "!" in text:
        name, _, cells = text.rpartition("!")
        return name, cells
    return None, text


def _parse_ref(ref: str) -> tuple[int | None, int | None]:
    m = _CELL.match(ref.replace("$", ""))
    if not m or (not m.group(1) and not m.group(2)):
        raise A1Error(ref)
    col = col_to_index(m.group(1)) if m.group(1) else None
    row = int(m.group(2)) - 1 if m.group(2) else None
    if row is not None and row < 0:
        raise A1Error(ref)
    return row, col


def parse_cells(cells: str) -> A1Range:
    if ":" in cells:
        a, _, b = cells.partition(":")
        r1, c1 = _parse_ref(a)
        r2, c2 = _parse_ref(b)
        # A1:B2, A:B, 1:2, A1:B (open rows), A1:2 (open columns)
        if r1 is None and c1 is None:
            raise A1Error(cells)
        sr = r1 if r1 is not None else None
        er = r2 + 1 if r2 is not None else None
        sc = c1 if c1 is not None else None
        ec = c2 + 1 if c2 is not None else None
        if sr is None and r2 is not None:
            sr = 0
        if sc is None and c2 is not None:
            sc = 0
        if sr is not None and er is not None and er <= sr:
            sr, er = er - 1, sr + 1
        if sc is not None and ec is not None and ec <= sc:
            sc, ec = ec - 1, sc + 1
        return A1Range(None, sr, er, sc, ec)
    r, c = _parse_ref(cells)
    if r is None or c is None:
        raise A1Error(cells)
    return A1Range(None, r, r + 1, c, c + 1, single_cell=True)


def parse_a1(text: str) -> A1Range:
    sheet, cells = split_sheet(text)
    if cells == "":
        return A1Range(sheet, None, None, None, None, whole_sheet=True)
    try:
        rng = parse_cells(cells)
    except A1Error:
        if sheet is None:
            # Could be a bare sheet name
            return A1Range(text.strip(), None, None, None, None, whole_sheet=True)
        raise
    rng.sheet = sheet
    return rng


_SIMPLE_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_REF = re.compile(r"^([A-Za-z]{1,3}[0-9]+|[Rr][0-9]*[Cc][0-9]*)$")


def quote_title(title: str) -> str:
    if _SIMPLE_TITLE.match(title) and not _LOOKS_LIKE_REF.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_range(title: str, sr: int, er: int, sc: int, ec: int) -> str:
    """Format a bounded range: Sheet1!A1:B2 (or Sheet1!A1 for a single cell)."""
    start = cell_name(sr, sc)
    if er - sr == 1 and ec - sc == 1:
        return f"{quote_title(title)}!{start}"
    return f"{quote_title(title)}!{start}:{cell_name(er - 1, ec - 1)}"
