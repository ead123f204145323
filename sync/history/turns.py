"""Runs that take turns on a history: one ``remind`` at a time.

Two syncs take turns on the history's write lock, held only while a run is recorded. A
``remind`` writes its deliveries one by one as they happen (each must land at once, see
:mod:`sync.history.deliveries`), so it cannot hold that lock for the minutes it spends
sending; it holds the same kind of lock on a small file beside the history instead,
``<history>.remind-lock`` (an empty SQLite file: its lock works on every system SQLite
does, network shares included, and is released by the system when the process ends,
however it ends). A second ``remind`` waits for it as a second sync waits for the history,
then reads what the first one recorded.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sync.exceptions import HistoryError
from sync.history.errors import is_busy


def _seconds(value: float) -> str:
    return f"{value:g}".replace(".", ",")


def lock_path(history: Path) -> Path:
    return history.with_name(history.name + ".remind-lock")


@contextlib.contextmanager
def remind_turn(history: Path, *, wait: float) -> Iterator[None]:
    """Hold the remind lock of ``history`` for the block, waiting up to ``wait`` seconds for it."""
    path = lock_path(history)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=wait)
    except sqlite3.Error as e:
        raise HistoryError(f"không mở được tệp khóa {path}: {e}") from e
    try:
        try:
            conn.execute("BEGIN EXCLUSIVE")
        except sqlite3.Error as e:
            if is_busy(e):
                raise HistoryError(
                    f"một lần nhắc việc khác đang gửi (tệp khóa {path.name}) và chưa xong sau {_seconds(wait)} giây; "
                    "chờ lần đó chạy xong rồi chạy lại: lần này không gửi gì."
                ) from e
            raise HistoryError(f"không khóa được tệp {path}: {e}") from e
        try:
            yield
        finally:
            conn.execute("ROLLBACK")
    finally:
        conn.close()
