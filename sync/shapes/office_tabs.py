"""The tabs the Office owns in a unit's own workbook (``Phối hợp``, ``Nhắc việc``): their layout,
and which tab is the Office's.

- ``OFFICE_TABS``: their names; ``select_task_tab`` never takes one of them for the task tab;
- ``office_tab_grid``: an Office tab's cells (title, line, blank, column titles, rows), as every
  backend lays it out;
- which tab is the Office's: a unit may have a tab of its own that happens to bear the name (a
  tab listing its partners called ``Phối hợp``, its own reminders called ``Nhắc việc``). Writing
  the Office's tab must never replace or delete it, so the Office's tab is recognised by two
  things, not by its name alone: its name is the tab's name (``Phối hợp``) or one of the names
  the Office falls back on (``Phối hợp (Văn phòng)``, ``Phối hợp (Văn phòng 2)`` … ``(Văn phòng
  9)``), compared as Excel compares tab names (case and Unicode form ignored); and its first
  cell (A1) holds the title the Office writes there (``office_tab_grid``'s title). Any other
  tab is the unit's. When the name is a unit's tab, the Office's tab takes the first free
  fallback name; when all ten are taken, the unit is refused and listed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

#: the co-operation tab: tasks a unit takes part in without leading them (read-only)
COOP_TAB = "Phối hợp"
#: the reminder tab: the notice ``remind`` would e-mail, in the unit's own sheet (read-only)
REMIND_TAB = "Nhắc việc"
OFFICE_TABS = (COOP_TAB, REMIND_TAB)
#: an Office tab's rows above its column titles: a title, a line, a blank row (0-based: the
#: column titles are row ``OFFICE_TAB_LEAD``, the table's rows follow)
OFFICE_TAB_LEAD = 3


def office_tab_grid(
    title: str, line: str, columns: Sequence[str], rows: Iterable[Sequence[str]]
) -> list[list[str]]:
    """An Office tab's cells, laid out as both writers format them: title, line, blank, column titles, rows."""
    return [[title], [line], [], list(columns), *(list(r) for r in rows)]


def office_tab_rows(grid: Sequence[Sequence[Any]]) -> Sequence[Sequence[Any]]:
    """The table's rows of an Office tab as read (below its column titles)."""
    return grid[OFFICE_TAB_LEAD + 1 :]


#: what the Office's tab is called when the unit has a tab of that name: "<name> (Văn phòng[ n])"
FALLBACK = "Văn phòng"
_FALLBACKS = 9


def _excel_key(name: str) -> str:
    """A tab's name as Excel compares names (case and Unicode form ignored)."""
    return unicodedata.normalize("NFC", name).casefold()


def office_tab_names(name: str) -> list[str]:
    """The names the Office's tab ``name`` may bear, in the order they are taken."""
    return [name, f"{name} ({FALLBACK})", *(f"{name} ({FALLBACK} {n})" for n in range(2, _FALLBACKS + 1))]


def _same_text(value: object, title: str) -> bool:
    if not isinstance(value, str):
        return False
    return " ".join(unicodedata.normalize("NFC", value).split()) == " ".join(title.split())


def find_office_tab(
    tabs: Sequence[str], name: str, title: str, first_cell: Callable[[str], object]
) -> str | None:
    """The tab among ``tabs`` that is the Office's ``name`` (its A1, read by ``first_cell``, is
    ``title``), or None."""
    by_key = {_excel_key(t): t for t in tabs}
    for candidate in office_tab_names(name):
        tab = by_key.get(_excel_key(candidate))
        if tab is not None and _same_text(first_cell(tab), title):
            return tab
    return None


def free_office_tab_name(tabs: Sequence[str], name: str) -> str | None:
    """The first of ``office_tab_names(name)`` no tab bears, or None."""
    taken = {_excel_key(t) for t in tabs}
    return next((n for n in office_tab_names(name) if _excel_key(n) not in taken), None)


def first_cell(rows: Sequence[Sequence[object]]) -> object:
    """A1 of a tab read as a grid (``None`` when the tab is empty)."""
    return rows[0][0] if rows and rows[0] else None


__all__ = [
    "COOP_TAB",
    "OFFICE_TABS",
    "OFFICE_TAB_LEAD",
    "REMIND_TAB",
    "find_office_tab",
    "first_cell",
    "free_office_tab_name",
    "office_tab_grid",
    "office_tab_names",
    "office_tab_rows",
]
