"""The failures of the history: its file cannot be read or written (``sync.exceptions.HistoryError``);
a sync dated before the latest run."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync.exceptions import HistoryError, UsageError


def is_busy(e: sqlite3.Error) -> bool:
    """SQLite gave up waiting for another process's lock on the file (``database is locked``)."""
    return getattr(e, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def busy_message(path: Path) -> str:
    return (
        f"một lần tổng hợp khác đang ghi tệp lịch sử {path} và chưa xong sau khi đã chờ; "
        "chờ lần đó chạy xong rồi chạy lại (không có gì được ghi)."
    )


class BackdatedRunError(UsageError):
    """A sync's as-of is before the latest recorded run and ``--back-dated`` was not given (exit 2).

    Raised before anything is read or written.
    """


__all__ = ["BackdatedRunError", "HistoryError", "busy_message", "is_busy"]
