"""The one failure of the history: its file cannot be read or written (``sync.exceptions.HistoryError``)."""

from __future__ import annotations

from sync.exceptions import HistoryError

__all__ = ["HistoryError"]
