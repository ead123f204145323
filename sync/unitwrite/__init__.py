"""The Office's writes into units' own workbooks (``distribute``, the ``Nhắc việc`` tab).

- ``xlsx``: the safe writer for a unit's .xlsx (read once, change, replace atomically only
  if the file on disk is still the one read and no spreadsheet program has it open);
- ``OFFICE_TABS``: tabs the Office owns in a unit's workbook; ``select_task_tab`` never
  takes one of them for the task tab.
"""

from __future__ import annotations

#: the co-operation tab: tasks a unit takes part in without leading them (read-only)
COOP_TAB = "Phối hợp"
#: the reminder tab: the notice ``remind`` would e-mail, in the unit's own sheet (read-only)
REMIND_TAB = "Nhắc việc"
OFFICE_TABS = (COOP_TAB, REMIND_TAB)

__all__ = ["COOP_TAB", "OFFICE_TABS", "REMIND_TAB"]
