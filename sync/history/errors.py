"""The failures of the history: its file cannot be read or written; a sync dated before the latest run."""

from __future__ import annotations

from sync.exceptions import UbndSyncError, UsageError


class HistoryError(UbndSyncError):
    """The history file cannot be read or written, or holds no such run (exit 1); nothing is lost."""


class BackdatedRunError(UsageError):
    """A sync's as-of is before the latest recorded run and ``--back-dated`` was not given (exit 2).

    Raised before anything is read or written.
    """


__all__ = ["BackdatedRunError", "HistoryError"]
