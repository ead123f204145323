"""The Office's summary (contract §7): built once as tables, written by a backend.

- ``tables``: ``build_tables`` turns a ``RunResult`` into backend-neutral ``Table`` objects;
- ``xlsx``: ``write_xlsx`` / ``start_xlsx`` write them as an .xlsx file, atomically;
- ``gsheets``: ``write_summary_gsheets`` writes them into a Google Sheet in one batchUpdate
  (imported on demand: it needs the Google libraries).

``write_tables`` writes them with the configured backend.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sync.summary.tables import Column, Table, build_tables
from sync.summary.xlsx import PendingSummary, start_xlsx, write_xlsx

if TYPE_CHECKING:
    from sync.config import Config

__all__ = [
    "Column",
    "PendingSummary",
    "Table",
    "build_tables",
    "start_xlsx",
    "write_tables",
    "write_xlsx",
]


def write_tables(config: Config, tables: list[Table]) -> str:
    """Write the summary tables with the configured backend; returns where they went."""
    if config.sync.backend == "gsheets":
        from sync.summary.gsheets import write_summary_gsheets

        return write_summary_gsheets(config, tables)
    return str(write_xlsx(tables, config.summary_target))
