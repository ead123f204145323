"""The small interface every backend implements, and tab selection shared by all.

A backend opens a unit's workbook (``Source.open``) and returns a
``Workbook`` that lists its tabs and reads one tab as a grid of cell values
anchored at A1 (row 0 is sheet row 1, column 0 is column A). Cell values are
what the file holds: ``str`` (``""`` for empty), ``int``/``float``, ``bool``,
``date``/``datetime``/``time``, or ``None``. Serial numbers stay numbers; the
normaliser turns them into dates where a date is expected.
"""

from __future__ import annotations

import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.exceptions import SourceUnreadable
from sync.unitwrite import OFFICE_TABS

Grid = list[list[Any]]
#: A merged range: ((first_row, first_col), (last_row, last_col)), 0-based, inclusive.
MergedRange = tuple[tuple[int, int], tuple[int, int]]


@dataclass(slots=True)
class TabData:
    name: str
    rows: Grid
    merged: list[MergedRange] = field(default_factory=list)


class Workbook(ABC):
    """One unit's opened workbook."""

    #: Something that changes whenever the workbook changes (Drive version, file stamp).
    version: str | None = None
    #: When the workbook was last changed (timezone-aware), for people to read; None if unknown.
    modified: datetime | None = None

    @abstractmethod
    def tab_names(self) -> list[str]:
        """The tabs in workbook order."""

    @abstractmethod
    def read_tab(self, name: str) -> TabData:
        """Read one tab; raises ``SourceUnreadable``."""

    def read_named_tab(self, name: str) -> TabData | None:
        """Read the tab called ``name`` if there is one (backends may do this in one request)."""
        wanted = _tab_key(name)
        for tab in self.tab_names():
            if _tab_key(tab) == wanted:
                return self.read_tab(tab)
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the workbook holds."""


class Source(ABC):
    """A backend: opens units' workbooks by reference (path, id or URL)."""

    #: How many units the engine may read ahead in a background thread while it
    #: validates the current one (0: read in the caller's thread, one at a time).
    read_ahead: int = 0

    @abstractmethod
    def open(self, ref: str) -> Workbook:
        """Open a workbook; raises ``SourceUnreadable`` with a Vietnamese message."""

    def commit(self) -> None:  # noqa: B027 - optional hook
        """Remember what this run read; called only after the summary is written.

        A backend that reads incrementally persists its state here (the Google backend:
        versions and cached grids). May raise ``OSError``/``ValueError``: that costs a
        full read next time, never the run (``sync.pipeline`` turns it into a warning).
        """

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def activity(self) -> tuple[int, float] | None:
        """(requests made, seconds waited on quota) so far, for a backend over the network."""
        return None


def _tab_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def select_task_tab(
    workbook: Workbook, preferred: str, has_header: Callable[[Sequence[Sequence[Any]]], bool]
) -> TabData:
    """The tab called ``preferred`` when it has a header row, else the first tab with one (contract §1);
    never a tab the Office owns in the unit's workbook (``Phối hợp``, ``Nhắc việc``)."""
    named = workbook.read_named_tab(preferred)
    if named is not None and has_header(named.rows):
        return named
    office = {_tab_key(t) for t in OFFICE_TABS}
    for name in workbook.tab_names():
        if named is not None and name == named.name or _tab_key(name) in office:
            continue
        tab = workbook.read_tab(name)
        if has_header(tab.rows):
            return tab
    if named is not None:
        raise SourceUnreadable(
            f"trang “{named.name}” không có dòng tiêu đề: trong 10 dòng đầu không có dòng nào có ít nhất "
            "3 ô mang tên cột của mẫu (Mã nhiệm vụ, Nội dung nhiệm vụ, Thời hạn, Tình trạng …)"
        )
    raise SourceUnreadable(
        f"không có trang tính “{preferred}” và không trang tính nào có dòng tiêu đề "
        "của bảng theo dõi nhiệm vụ"
    )
