"""A third backend, in memory: proof that ``sync.backends.base.Backend`` is all a backend needs.

Books are grids in a ``MemoryStore`` (one per province folder): ``init`` makes them, the units
"edit" them by changing the grids, ``distribute`` and ``remind`` write into them through
``UnitBook`` (all staged changes land at ``save()``, or none when the book changed since it was
read), ``sync`` reads them and keeps the summary's tables. Nothing here names a feature: it
implements the interface and no more (``tests/test_backend_seam.py`` runs the whole cycle).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sync.backends import Backend, CreatedBooks, NewProvince, UnitBook, Workbook, register_backend
from sync.config import Config, UnitConfig
from sync.exceptions import SourceUnreadable, UnitWriteRefused
from sync.model import Task
from sync.schema import register_schema, unit_sheet_schema
from sync.shapes.books import InitReport
from sync.shapes.grid import Grid, TabData
from sync.shapes.layout import header
from sync.shapes.office_tabs import find_office_tab, first_cell, free_office_tab_name
from sync.shapes.tables import Table
from sync.shapes.task_tab import TaskTab, office_fields, row_cells

NAME = "memory"


@dataclass
class MemoryBook:
    title: str
    tabs: dict[str, Grid] = field(default_factory=dict)
    #: tabs only the Office may edit
    protected: set[str] = field(default_factory=set)
    version: int = 1

    def grid(self, name: str) -> Grid:
        return self.tabs[name]


@dataclass
class MemoryStore:
    """A province's books by id, and the summary last written."""

    books: dict[str, MemoryBook] = field(default_factory=dict)
    summary: list[Table] | None = None
    summary_writes: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def add(self, book: MemoryBook) -> str:
        ref = f"mem-{next(self._ids)}"
        self.books[ref] = book
        return ref

    @classmethod
    def of_grids(cls, grids: dict[str, Grid], tab: str = "Nhiệm vụ") -> MemoryStore:
        """Books of one tab each, by reference."""
        return cls(books={ref: MemoryBook(ref, {tab: rows}) for ref, rows in grids.items()})


#: one store per province folder (the config's folder)
STORES: dict[Path, MemoryStore] = {}


class MemoryWorkbook(Workbook):
    def __init__(self, book: MemoryBook):
        self._tabs = copy.deepcopy(book.tabs)
        self.version = str(book.version)

    def tab_names(self) -> list[str]:
        return list(self._tabs)

    def read_tab(self, name: str) -> TabData:
        if name not in self._tabs:
            raise SourceUnreadable(f"không có trang “{name}”")
        return TabData(name, copy.deepcopy(self._tabs[name]))


class MemoryUnitBook(UnitBook):
    """Changes staged on a copy; ``save()`` lands them all, or refuses when the book changed meanwhile."""

    def __init__(self, unit: UnitConfig, book: MemoryBook):
        super().__init__(unit)
        self._book = book
        self._read = MemoryWorkbook(book)
        self._tabs = copy.deepcopy(book.tabs)
        self._office: set[str] = set()

    @property
    def workbook(self) -> Workbook:
        return self._read

    def update_cells(self, tab: TaskTab, cells: Mapping[int, Mapping[int, date | str]]) -> dict[int, int]:
        grid = self._tabs[tab.name]  # staged on a copy: save() refuses if the book changed since it was read
        for number, values in cells.items():
            row = grid[number - 1]
            for col, value in values.items():
                row.extend([""] * (col + 1 - len(row)))
                row[col] = value
        self.updated += sorted(cells)
        return {row: row for row in cells}

    def append_tasks(self, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
        grid = self._tabs[tab.name]
        rows = []
        for i, task in enumerate(tasks):
            r = tab.last_row + 1 + i  # 0-based grid row
            while len(grid) <= r:
                grid.append([])
            row = grid[r]
            for col, value in row_cells(tab, task, tab.next_stt + i, office_fields()).items():
                row.extend([""] * (col + 1 - len(row)))
                row[col] = value
            rows.append(r + 1)
        self.rows += rows
        return rows

    def put_office_tab(self, name: str, grid: list[list[str]], widths: tuple[int, ...] = ()) -> str:
        title = grid[0][0] if grid and grid[0] else ""
        tabs = list(self._tabs)
        bears = find_office_tab(tabs, name, title, lambda tab: first_cell(self._tabs[tab]))
        bears = bears or free_office_tab_name(tabs, name)
        if bears is None:
            raise UnitWriteRefused(f"đơn vị {self.unit.code}: không còn tên cho trang “{name}” của Văn phòng")
        self._tabs[bears] = [list(r) for r in grid]
        self._office.add(bears)
        return bears

    def save(self) -> list[str]:
        if str(self._book.version) != self._read.version:
            self.rows, self.updated = [], []
            raise UnitWriteRefused(f"đơn vị {self.unit.code}: bảng đã được sửa sau khi đọc")
        self._book.tabs = self._tabs
        self._book.protected |= self._office
        self._book.version += 1
        return []


class _Pending:
    def __init__(self, store: MemoryStore, tables: list[Table], location: str):
        self._store, self._tables, self.location = store, tables, location

    def finish(self) -> str:
        self._store.summary = self._tables
        self._store.summary_writes += 1
        return self.location

    def abort(self) -> None:
        pass


class MemoryBackend(Backend):
    """Books in a ``MemoryStore``, the one of the config's folder."""

    name = NAME

    def __init__(self, config: Config, store: MemoryStore | None = None):
        super().__init__(config)
        self.store = store if store is not None else STORES.setdefault(config.path.parent, MemoryStore())

    def open(self, ref: str) -> Workbook:
        book = self.store.books.get(ref)
        if book is None:
            raise SourceUnreadable(f"không có bảng tính “{ref}”", detail="not-found")
        return MemoryWorkbook(book)

    def start_summary(self, tables: list[Table]) -> _Pending:
        return _Pending(self.store, tables, self.config.sync.summary)

    def unit_book(self, unit: UnitConfig) -> UnitBook:
        book = self.store.books.get(unit.source)
        if book is None:
            raise SourceUnreadable(f"không có bảng tính “{unit.source}”", detail="not-found")
        return MemoryUnitBook(unit, book)

    def create_books(self, new: NewProvince) -> CreatedBooks:
        report = InitReport()
        found = {b.title: ref for ref, b in self.store.books.items()}

        def ensure(title: str, tab: str, head: list[str]) -> str:
            if title in found:
                report.found.append(title)
                return found[title]
            report.created.append(title)
            return self.store.add(MemoryBook(title, {tab: [head]}, protected=set()))

        units_schema, register = unit_sheet_schema(), register_schema()
        register_ref = ensure("Danh mục nhiệm vụ", register.tab, header(register))
        summary_ref = ensure("Tổng hợp", "Thống kê", [])
        sources = {}
        for i, unit in enumerate(new.units, 1):
            sources[unit.code] = ensure(f"{unit.code} — {unit.name}", units_schema.tab, header(units_schema))
            if new.progress:
                new.progress(unit.code, i, len(new.units))
        return CreatedBooks(report, sources, register_ref, summary_ref)


def factory(config: Config) -> Backend:
    """In memory (tests)"""
    return MemoryBackend(config)


def install() -> None:
    register_backend(NAME, factory)


def grid_rows(store: MemoryStore, ref: str, tab: str) -> list[dict[str, Any]]:
    """A tab's rows below its header as {title: value} (for the tests to read and edit)."""
    grid = store.books[ref].tabs[tab]
    head = grid[0]
    return [dict(zip(head, r, strict=False)) for r in grid[1:]]
