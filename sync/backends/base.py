"""The one interface between the Office's work and where sheets live: ``Backend``.

A backend is chosen once, from ``[sync] backend`` (``sync.backends.open_backend``), and
features never ask which one they got. One ``Backend`` object serves one run:

- reading: ``open(ref)`` a unit's (or the register's) book as a ``Workbook`` that lists its
  tabs and reads one as a grid (``sync.shapes.grid.TabData``); ``commit()`` after a run's
  summary is written (a backend that reads incrementally remembers what it read);
- the summary: ``start_summary(tables)`` begins writing ``sync.shapes.tables.Table`` objects
  and returns a ``PendingSummary`` whose ``finish()`` installs them (inside the history's
  transaction, ``sync.pipeline``) or ``abort()`` leaves the previous summary whole;
- the Office's writes into a unit's own book: ``unit_book(unit)`` reads it once and returns a
  ``UnitBook`` to append tasks to and put an Office tab in, then ``save()`` (or nothing);
- a new province: ``create_books(NewProvince)`` makes the register, the summary and each
  unit's book (``init``), resumably;
- references: ``resolve(ref)`` (a path, an id), and, when most units cannot be read, the
  probable cause in words (``unreadable_cause``).

Every failure a person can act on is an exception of ``sync.exceptions`` with a Vietnamese
message: ``SourceUnreadable`` (a book cannot be read), ``UnitWriteRefused`` (nothing written:
the book is open or changed meanwhile), ``UnitWriteFailed`` (the write failed; says what
landed), ``OutputError`` (the summary).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from sync.shapes.backdated import backdated_name
from sync.shapes.books import InitReport, UnitSpec
from sync.shapes.grid import TabData
from sync.shapes.task_tab import TaskTab, tab_key

if TYPE_CHECKING:
    from sync.config import Config, UnitConfig
    from sync.model import Task, UnitResult
    from sync.shapes.tables import Table

#: Called as work goes: (unit code or "", done, total).
Progress = Callable[[str, int, int], None]


class Workbook(ABC):
    """One unit's opened workbook."""

    #: Something that changes whenever the workbook changes (Drive version, file stamp).
    version: str | None = None
    #: When the workbook was last changed (timezone-aware), for people to read; None if unknown.
    modified: datetime | None = None
    #: A sign that a program has the book open with edits it may not have saved (an .xlsx file's lock
    #: file name): what was read lacks them. None when there is none (or the backend cannot tell).
    open_elsewhere: str | None = None

    @abstractmethod
    def tab_names(self) -> list[str]:
        """The tabs in workbook order."""

    @abstractmethod
    def read_tab(self, name: str) -> TabData:
        """Read one tab; raises ``SourceUnreadable``."""

    def read_named_tab(self, name: str) -> TabData | None:
        """Read the tab called ``name`` if there is one (backends may do this in one request)."""
        wanted = tab_key(name)
        for tab in self.tab_names():
            if tab_key(tab) == wanted:
                return self.read_tab(tab)
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the workbook holds."""


class UnitBook(ABC):
    """A unit's own book, read once, for the Office's writes (``distribute``, ``remind``).

    Changes are staged by ``update_cells``, ``append_tasks`` and ``put_office_tab`` and land with
    ``save()``: all of them, or (where the backend can promise it) none. A backend that cannot
    stage a write (Google's ``values.append`` and ``values.batchUpdate``) sends it at once and
    says in ``rows`` / ``updated`` where it landed.
    """

    def __init__(self, unit: UnitConfig):
        self.unit = unit
        #: 1-based sheet rows holding the tasks appended so far
        self.rows: list[int] = []
        #: 1-based sheet rows whose cells ``update_cells`` wrote so far (where they are now)
        self.updated: list[int] = []

    @property
    @abstractmethod
    def workbook(self) -> Workbook:
        """The book as read (tabs, grids)."""

    @abstractmethod
    def update_cells(self, tab: TaskTab, cells: Mapping[int, Mapping[int, date | str]]) -> dict[int, int]:
        """Write cells of rows ``tab`` already has: ``{1-based sheet row as read: {0-based column:
        value}}``, a date as a date cell shown dd/mm/yyyy, text as text (never a formula). Each row
        is the one holding the task ``tab.ids`` found there when read: where the unit moved it
        meanwhile, it is written where it is now, and a row whose task is gone is not written.
        Returns ``{row as read: row written}``. A cell holding a formula is never overwritten
        (``UnitWriteRefused``: nothing written)."""

    @abstractmethod
    def append_tasks(self, tab: TaskTab, tasks: Sequence[Task]) -> list[int]:
        """Add a row per task after ``tab``'s last data row (Office columns, STT continued);
        returns the 1-based sheet rows."""

    @abstractmethod
    def put_office_tab(self, name: str, grid: list[list[str]], widths: tuple[int, ...] = ()) -> str:
        """Replace (or add) the Office's tab ``name`` with ``grid``, protected from the unit's edits;
        returns the name it bears. A unit's own tab of that name is never replaced: the Office's
        tab is recognised by its name and its title (``sync.shapes.office_tabs``), and takes a
        fallback name beside a unit's own (``UnitWriteRefused`` when none is left)."""

    @abstractmethod
    def save(self) -> list[str]:
        """Make the staged changes land; returns problems to report although they landed.

        Raises ``UnitWriteRefused`` (nothing written) or ``UnitWriteFailed`` (what landed is in
        its message and in ``rows``)."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release what the book holds."""


class PendingSummary(Protocol):
    """A summary being written: ``finish()`` installs it, ``abort()`` drops it (a no-op once finished)."""

    @property
    def location(self) -> str:
        """Where the summary goes, as the config names it (a path, a spreadsheet id)."""
        ...

    def finish(self) -> object:
        """Install it; returns where a person opens it (a path, a URL)."""
        ...

    def abort(self) -> None: ...


@dataclass(frozen=True)
class NewProvince:
    """What ``init`` makes books for: the units, where the province's files go, and who the Office is."""

    units: Sequence[UnitSpec]
    #: the province's folder (where an .xlsx province's files go)
    directory: Path
    #: the folder of the config init writes (references are written relative to it)
    config_dir: Path
    cutoff_day: int = 25
    #: the Office staff who may edit the register and the summary
    office_emails: tuple[str, ...] = ()
    progress: Progress | None = None


@dataclass
class CreatedBooks:
    """What ``create_books`` made or found, as the config will name it."""

    report: InitReport
    #: each unit's book, by code: a path relative to the config's folder, or an id
    sources: dict[str, str]
    register: str
    summary: str
    #: the backend's own section of the config (e.g. ``[gsheets]``), if any
    settings: dict[str, Any] = field(default_factory=dict)


class Backend(ABC):
    """Where a province's sheets live: units' books, the register and the summary (see module doc)."""

    #: the name ``[sync] backend`` gives
    name: ClassVar[str]
    #: How many units the engine may read ahead in background threads while it validates the
    #: current one (0: read in the caller's thread, one at a time).
    read_ahead: int = 0

    def __init__(self, config: Config):
        self.config = config

    # ---------------------------------------------------------------- reading

    @abstractmethod
    def open(self, ref: str) -> Workbook:
        """Open a book by the config's reference; raises ``SourceUnreadable`` with a Vietnamese message."""

    def commit(self) -> None:  # noqa: B027 - optional hook
        """Remember what this run read; called only after the summary is written.

        A backend that reads incrementally persists its state here (the Google backend:
        versions and cached grids). May raise ``OSError``/``ValueError``: that costs a
        full read next time, never the run (``sync.pipeline`` turns it into a warning).
        """

    def activity(self) -> tuple[int, float] | None:
        """(requests made, seconds waited on quota) so far, for a backend over the network."""
        return None

    def requests(self) -> int | None:
        """API requests this object has sent in all, for a backend over the network."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections."""

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- references

    def resolve(self, ref: str) -> str:
        """A reference as this backend opens it (a path made absolute, an id from a URL)."""
        return ref

    def unreadable_cause(self, units: Sequence[UnitResult]) -> str | None:
        """Why these units' books could not be read, when one cause explains most of them (a
        folder not mounted, Google refusing); else None."""
        return None

    # ---------------------------------------------------------------- the summary

    @abstractmethod
    def start_summary(self, tables: list[Table]) -> PendingSummary:
        """Begin writing the summary; nothing is visible until ``finish()``."""

    @property
    def summary_file(self) -> Path | None:
        """The summary as a local file that can be kept and put back (``sync.summary.landing``);
        None when it is written in place elsewhere."""
        return None

    def summary_blocked(self) -> str | None:
        """Why the summary cannot be replaced now (another program has it open), in words, asked
        before a run reads anything so that nothing is written; None when nothing stands in the way."""
        return None

    def beside_file(self, as_of: date) -> Path:
        """Where a back-dated run's summary goes (``sync.shapes.backdated``): an .xlsx file beside the
        current summary, named by its as-of; for a summary written in place elsewhere (Google's),
        beside the config. The current summary is never touched."""
        current = self.summary_file
        folder, name = (current.parent, current.name) if current else (self.config.base_dir, "tong-hop.xlsx")
        return folder / backdated_name(name, as_of)

    def start_beside(self, tables: list[Table], as_of: date) -> PendingSummary:
        """Begin writing a back-dated run's summary to ``beside_file(as_of)`` (an .xlsx file, whatever
        the backend: the Office reads it, no unit does)."""
        from sync.backends.xlsx.summary import start_xlsx

        return start_xlsx(tables, self.beside_file(as_of))

    # ---------------------------------------------------------------- units' own books

    @abstractmethod
    def unit_book(self, unit: UnitConfig) -> UnitBook:
        """A unit's book read for the Office's writes; raises ``SourceUnreadable``."""

    # ---------------------------------------------------------------- a new province

    @abstractmethod
    def create_books(self, new: NewProvince) -> CreatedBooks:
        """Make what is missing of the register, the summary and each unit's book; never modify
        what is found. Resumable: running again makes only the rest."""
