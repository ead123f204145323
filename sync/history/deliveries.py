"""Reminders delivered to units (``ubnd-sync remind``): one row per attempt and address, each written at once.

An e-mail attempt is recorded in two steps (schema version 6): before the message's final dot,
one row per address the server took at ``RCPT`` with status ``sending`` (and one ``refused`` row
per address it did not take); once the server has answered the final dot, those rows become
``sent`` or ``failed``. A row still ``sending`` afterwards is an attempt whose end is unknown
(the run was killed, or the history could not be written after the server took the message):
the message may have gone out, so it is never sent again blindly (:func:`standing`).

Rows of the ``sheet`` channel, and e-mail rows written before version 5, have no ``address``:
such a row stands for the addresses in its ``recipients`` column (``"a@x.vn, b@x.vn"``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sync.exceptions import HistoryError
from sync.history.errors import busy_message, is_busy

#: Status of an address in an attempt.
SENDING, SENT, REFUSED, FAILED = "sending", "sent", "refused", "failed"


@dataclass(frozen=True, slots=True)
class AddressState:
    """Where one address stands for one notice in its period: its deciding row's status, time and detail."""

    status: str  # "sent" (at its first sending) or the latest attempt's status
    at: str
    detail: str = ""


def sent_before(conn: sqlite3.Connection, unit: str, channel: str, cutoff: date, digest: str) -> str | None:
    """When the same notice (same items) was sent to ``unit`` by ``channel`` in the period, if it was."""
    row = conn.execute(
        "SELECT at FROM deliveries WHERE unit = ? AND channel = ? AND cutoff = ? AND digest = ? "
        "AND status = 'sent' ORDER BY id LIMIT 1",
        (unit, channel, cutoff.isoformat(), digest),
    ).fetchone()
    return None if row is None else str(row[0])


def standing(
    conn: sqlite3.Connection, unit: str, channel: str, cutoff: date, digest: str
) -> dict[str, AddressState]:
    """Per address, what the history says about this notice in the period.

    An address once ``sent`` stays sent (its first sending); otherwise its latest row decides:
    ``sending`` (maybe sent), ``refused`` or ``failed`` (to be sent again).
    """
    rows = conn.execute(
        "SELECT address, recipients, status, detail, at FROM deliveries "
        "WHERE unit = ? AND channel = ? AND cutoff = ? AND digest = ? ORDER BY id",
        (unit, channel, cutoff.isoformat(), digest),
    ).fetchall()
    states: dict[str, AddressState] = {}
    for address, recipients, status, detail, at in rows:
        for a in [address] if address is not None else _listed(recipients):
            if states.get(a, AddressState("", "")).status != SENT:
                states[a] = AddressState(str(status), str(at), str(detail or ""))
    return states


def _listed(recipients: str | None) -> list[str]:
    return [a.strip() for a in (recipients or "").split(",") if a.strip()]


def _stamp() -> str:
    return datetime.now().astimezone().replace(microsecond=0).isoformat()


def _failure(path: Path, e: sqlite3.Error) -> HistoryError:
    if is_busy(e):
        return HistoryError(busy_message(path))
    return HistoryError(f"không ghi được vào lịch sử {path}: {e}")


#: One row of an attempt: (address or None, recipients as listed, status, detail).
Row = tuple[str | None, str, str, str]


def record(
    conn: sqlite3.Connection,
    path: Path,
    *,
    run_id: int,
    unit: str,
    channel: str,
    cutoff: date,
    digest: str,
    rows: Iterable[Row],
) -> list[int]:
    """The rows of one attempt, all in one transaction; their ids, in order.

    E-mail: one row per address (``(address, address, status, detail)``); the ``sheet``
    channel: one row for the notice (``(None, "", status, detail)``).
    """
    stamp, ids = _stamp(), []
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for address, recipients, status, detail in rows:
                cur = conn.execute(
                    "INSERT INTO deliveries (run_id, unit, channel, cutoff, digest, recipients, address, status, "
                    "detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        run_id,
                        unit,
                        channel,
                        cutoff.isoformat(),
                        digest,
                        recipients,
                        address,
                        status,
                        detail,
                        stamp,
                    ),
                )
                ids.append(int(cur.lastrowid or 0))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    except sqlite3.Error as e:
        raise _failure(path, e) from e
    return ids


def conclude(conn: sqlite3.Connection, path: Path, ids: list[int], status: str, detail: str) -> None:
    """The end of an attempt: its rows ``ids`` get ``status`` and ``detail`` (one statement)."""
    if not ids:
        return
    marks = ", ".join("?" * len(ids))
    try:
        conn.execute(
            f"UPDATE deliveries SET status = ?, detail = ?, at = ? WHERE id IN ({marks})",
            (status, detail, _stamp(), *ids),
        )
    except sqlite3.Error as e:
        raise _failure(path, e) from e
