"""The one failure of the history: its file cannot be read or written."""

from __future__ import annotations

from sync.exceptions import UbndSyncError


class HistoryError(UbndSyncError):
    """The history file cannot be read or written (exit 1); nothing is lost."""


__all__ = ["HistoryError"]
