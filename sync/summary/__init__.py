"""The Office's summary (contract §7): built once as tables, written by the backend.

- ``tables``: ``build_tables`` turns a ``RunResult`` into backend-neutral tables
  (``sync.shapes.tables.Table``), every writer renders them the same way
  (``Backend.start_summary``);
- ``compare``: the ``So sánh`` tab, against the history's previous run;
- ``landing``: the summary and the history land together, or neither does.
"""

from __future__ import annotations

from sync.summary.tables import build_tables

__all__ = ["build_tables"]
