"""The summary's tables as every writer renders them: tab name, typed columns, rows, row styles, notes.

``sync.summary.tables.build_tables`` fills them from a run; each backend's writer
(``sync.backends.*.summary``) renders them the same way, on screen and on paper.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sync.model import Period


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    width: float = 14
    kind: str = "text"  # text | int | date | percent | datetime
    #: long text: wraps inside the column (on screen and on paper) instead of running on
    wrap: bool = False


#: The summary's title, at the top of every printed page.
SUMMARY_TITLE = "Tổng hợp tình hình thực hiện nhiệm vụ"


@dataclass(frozen=True, slots=True)
class PageHeader:
    """What every printed page of the summary says at its top: title, as-of date, period."""

    as_of: date
    period: Period
    title: str = SUMMARY_TITLE

    def dates(self) -> str:
        return f"Ngày báo cáo {self.as_of:%d/%m/%Y} – kỳ báo cáo {self.period.label()}"


@dataclass(slots=True)
class Table:
    name: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    #: per row: None, "overdue", "due_soon", "error" or "total"
    styles: list[str | None] = field(default_factory=list)
    #: explanations shown below the table, apart from it (outside its filter and sorting)
    notes: list[str] = field(default_factory=list)
    #: printing: how many pages wide the tab prints (as many pages long as it takes) …
    pages_wide: int = 1
    #: … and how many columns from the left are repeated on each of those pages
    repeat_columns: int = 0
    header: PageHeader | None = None

    def add(self, row: list[Any], style: str | None = None) -> None:
        self.rows.append(row)
        self.styles.append(style)


#: The info tab's row that changes on every run (``sync.summary.tables.info_table``)
GENERATED_LABEL = "Thời điểm tạo"


def tables_digest(tables: list[Table]) -> str:
    """What the summary shows, as a hash: the same for a re-run that would write the same cells,
    formats and layout; the time it was made (``GENERATED_LABEL``) left out. A summary already
    showing these tables is not written again (both backends)."""
    h = hashlib.sha256()
    for t in tables:
        rows = [r for r in t.rows if not (r and r[0] == GENERATED_LABEL)]
        cols = [(c.title, c.kind, c.width, c.wrap) for c in t.columns]
        head = None if t.header is None else [t.header.title, t.header.dates()]
        layout = [t.notes, t.pages_wide, t.repeat_columns, head]
        # repr, all in C for the cells' types (texts, numbers, dates, None): a third faster than JSON
        h.update(repr([t.name, cols, rows, t.styles, layout]).encode("utf-8", "surrogatepass"))
    return h.hexdigest()
