"""The failures of the history: its file cannot be read or written (``sync.exceptions.HistoryError``);
a sync dated before the latest run."""

from __future__ import annotations

from sync.exceptions import HistoryError, UsageError


class BackdatedRunError(UsageError):
    """A sync's as-of is before the latest recorded run and ``--back-dated`` was not given (exit 2).

    Raised before anything is read or written.
    """


__all__ = ["BackdatedRunError", "HistoryError"]
