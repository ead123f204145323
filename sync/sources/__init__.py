"""Where units' workbooks come from: one backend per module behind ``base.Source``.

- ``xlsx``: .xlsx files in a shared folder (the embedded default);
- ``gsheets``: Google Sheets through gspread and google-auth.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.sources.base import Source, TabData, Workbook, select_task_tab

if TYPE_CHECKING:
    from sync.config import Config

__all__ = ["Source", "TabData", "Workbook", "select_task_tab", "make_source"]


def make_source(config: Config) -> Source:
    """The source for ``config.sync.backend``."""
    if config.sync.backend == "gsheets":
        from sync.sources.gsheets import GSheetsSource

        return GSheetsSource.from_config(config)
    from sync.sources.xlsx import XlsxSource

    return XlsxSource(base_dir=config.base_dir, limits=config.limits)
