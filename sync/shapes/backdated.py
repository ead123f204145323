"""A back-dated run's summary (``sync --back-dated``): written beside the current one, never over it.

The summary the Office opens is the latest run's. A run dated before it (a month redone for a
report, say) writes its own file beside it, named by its as-of — ``tong-hop-lui-ngay-2026-02-25.xlsx``
beside ``tong-hop.xlsx`` — and says what it is inside too: the first line of its ``Thông tin`` tab
and the title printed at the top of every page (``mark_backdated``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import PurePath

from sync.shapes.tables import Table

__all__ = ["BACKDATED_TITLE", "backdated_name", "mark_backdated"]

#: what the printed pages of a back-dated summary say before the summary's title
BACKDATED_TITLE = "BẢN LÙI NGÀY"


def backdated_name(current: str, as_of: date) -> str:
    """The file name of a back-dated summary beside ``current`` (a file name): its stem, ``-lui-ngay-``
    and the as-of (sortable), as an .xlsx file."""
    path = PurePath(current)
    stem = path.stem if path.suffix.lower() == ".xlsx" else path.name
    return f"{stem}-lui-ngay-{as_of:%Y-%m-%d}.xlsx"


def mark_backdated(tables: list[Table], as_of: date, latest: date | None, current: str) -> None:
    """Say on every printed page and on the first line of ``Thông tin`` that this summary is a
    back-dated run's, not the current summary (``current``: where that one is)."""
    note = (
        f"BẢN TỔNG HỢP LÙI NGÀY {as_of:%d/%m/%Y}: không phải bảng tổng hợp hiện hành"
        + (f" (lần tổng hợp gần nhất ngày {latest:%d/%m/%Y}" if latest else " (")
        + f", ở {current})."
    )
    for table in tables:
        if table.header is not None:
            table.header = replace(table.header, title=f"{BACKDATED_TITLE} – {table.header.title}")
    info = tables[-1]
    info.rows.insert(0, [note, None])
    info.styles.insert(0, "error")
