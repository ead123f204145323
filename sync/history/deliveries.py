"""Reminders delivered to units (``ubnd-sync remind``), one row per attempt (autocommit: each lands at once)."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from sync.exceptions import HistoryError


def sent_before(conn: sqlite3.Connection, unit: str, channel: str, cutoff: date, digest: str) -> str | None:
    """When the same notice (same items) was sent to ``unit`` by ``channel`` in the period, if it was."""
    row = conn.execute(
        "SELECT at FROM deliveries WHERE unit = ? AND channel = ? AND cutoff = ? AND digest = ? "
        "AND status = 'sent' ORDER BY id LIMIT 1",
        (unit, channel, cutoff.isoformat(), digest),
    ).fetchone()
    return None if row is None else str(row[0])


def record(
    conn: sqlite3.Connection,
    path: Path,
    *,
    run_id: int,
    unit: str,
    channel: str,
    cutoff: date,
    digest: str,
    recipients: tuple[str, ...],
    status: str,
    detail: str,
) -> None:
    stamp = datetime.now().astimezone().replace(microsecond=0).isoformat()
    try:
        conn.execute(
            "INSERT INTO deliveries (run_id, unit, channel, cutoff, digest, recipients, status, detail, at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (run_id, unit, channel, cutoff.isoformat(), digest, ", ".join(recipients), status, detail, stamp),
        )
    except sqlite3.Error as e:
        raise HistoryError(f"không ghi được vào lịch sử {path}: {e}") from e
