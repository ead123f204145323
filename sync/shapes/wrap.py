"""How tall a row of wrapped text must be, for every writer: the summary, and the rows ``distribute``
appends to a unit's sheet (on paper a row keeps the height the file says; not every program
computes it on opening, and none does when the height was ever set by hand).

Widths are in characters (Excel's unit: the width of a digit of the default font); a character
of ordinary text is narrower than a digit, so a line holds about 1.1 width of text. Estimated,
not measured: fonts differ between Excel, LibreOffice and Google; a row is at worst a line too
tall, which prints; a line too short would hide text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: points a line of the default font (Calibri 11) takes in Excel and LibreOffice
LINE_POINTS = 15
#: Google Sheets: a row of one line (Arial 10) is 21 pixels; each further line about 17
GOOGLE_ROW_PIXELS = 21
GOOGLE_LINE_PIXELS = 17


def wrapped_lines(text: str, width: float) -> int:
    """About how many lines ``text`` takes wrapped in a column ``width`` characters wide."""
    per_line = max(width * 1.1, 1)
    if "\n" not in text:  # most cells: no split, no generator
        return 1 + int(len(text) // per_line)
    return sum(1 + int(len(part) // per_line) for part in text.split("\n"))


def row_lines(texts: Mapping[int, str], widths: Mapping[int, float], wraps: Iterable[int]) -> int:
    """The lines a row needs: the most any of its wrapping columns' texts takes (1 at least)."""
    return max(
        (wrapped_lines(texts[c], widths[c]) for c in wraps if c in texts and c in widths and texts[c]),
        default=1,
    )


def row_points(lines: int, line: float = LINE_POINTS) -> float:
    """An Excel row height (points) for ``lines`` lines of text of ``line`` points."""
    return line * lines + 3


def google_row_pixels(lines: int) -> int:
    """A Google Sheets row height (pixels) for ``lines`` lines of the default font."""
    return GOOGLE_ROW_PIXELS + GOOGLE_LINE_PIXELS * (max(lines, 1) - 1)
