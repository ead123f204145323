"""The Office's writes into units' own workbooks (``distribute``, the ``Nhắc việc`` tab).

- ``xlsx``: the safe writer for a unit's .xlsx (read once, change, replace atomically only
  if the file on disk is still the one read and no spreadsheet program has it open);
- ``OFFICE_TABS``: tabs the Office owns in a unit's workbook; ``select_task_tab`` never
  takes one of them for the task tab.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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


__all__ = [
    "COOP_TAB",
    "OFFICE_TABS",
    "OFFICE_TAB_LEAD",
    "REMIND_TAB",
    "office_tab_grid",
    "office_tab_rows",
]
