"""What the xlsx backend read from each unit's file last time, kept so that an unchanged file is not parsed again.

Parsing is most of what a sync of a real province costs (checking each package, then
python-calamine), and from one month's meeting to the next most units' files have not
changed. ``ReadCache`` keeps, in the province's local cache beside the config
(``Config.cache_path``, table ``xlsx_reads``), one entry per file: where it is, the file as
``stat`` saw it (size, modification time in nanoseconds, inode and device, status-change
time), a digest of its bytes, and what was read from it (its tab names and each tab read,
as the reader returned it, before anything else touched it).

An entry is used only when all of it agrees with the file as it is now. Every file is still
opened and read as before (a regular file within ``max_file_mb``, ``guard.read_regular``);
only checking the package and parsing are skipped. So a file saved again, even at the same
size and with its modification time put back, has another digest and is parsed again; a
file renamed over, another inode; the cache of an older or newer ubnd-sync, another reader
(``reader_identity``: the cache format, ubnd-sync's and python-calamine's versions, the
reading modules' files, the limits). Anything unexpected in the cache file (unreadable,
another format, a value of an unexpected type) and it is not used: the run reads everything.
A sync gives the same result, to the byte, with or without it.

The cache is written by ``save`` (``Backend.commit``), after a sync's summary and history
are written, in one transaction: the files this run read, nothing else. A dry run, a
validation or a failed sync leaves it as it was. The file holds the units' data, so it is
private (0600), like the Google backend's cache that shares it.
"""

from __future__ import annotations

import hashlib
import io
import logging
import marshal
import os
import pickle
import sqlite3
import threading
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import python_calamine as pc

from sync import __version__
from sync.atomic import private_file
from sync.backends.base import Workbook
from sync.backends.xlsx import guard
from sync.backends.xlsx.read import XlsxWorkbook, file_version, lock_name
from sync.limits import Limits
from sync.shapes.grid import TabData

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
_TABLE = "xlsx_reads"
#: what a cell may hold (``sync.shapes.grid``): the only classes a cached tab may name
_CELL_CLASSES = {"date": date, "datetime": datetime, "time": time, "timedelta": timedelta}

#: SQLite's answers for a file that is not (or no longer) a database
_DAMAGED = (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT)

#: (size, modification ns, inode, device, status-change ns): the file as ``stat`` saw it
Stamp = tuple[int, int, int, int, int]


def stamp_of(st: os.stat_result) -> Stamp:
    return (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_ctime_ns)


def digest_of(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=20).digest()


def reader_identity(limits: Limits) -> str:
    """What else decides what a file reads as: entries made under another identity are not used."""
    from sync.backends.xlsx import read

    parts = [f"format {CACHE_FORMAT}", f"ubnd-sync {__version__}"]
    # a changed reader (a repair, a check, another python-calamine) reads files anew: the files
    # of its modules as they are installed (python-calamine says no version of its own)
    for module in (read, guard, pc._python_calamine):
        try:
            st = os.stat(module.__file__ or "")
            parts.append(f"{module.__name__} {st.st_size} {st.st_mtime_ns}")
        except OSError:
            parts.append(f"{module.__name__} ?")
    parts.append(repr(limits))
    return "; ".join(parts)


class _CellsOnly(pickle.Unpickler):
    """Unpickles a tab: lists, texts, numbers and the ``datetime`` classes, nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _CELL_CLASSES:
            return _CELL_CLASSES[name]
        raise pickle.UnpicklingError(f"{module}.{name}")


def _tab_blob(tab: TabData) -> bytes:
    return zlib.compress(pickle.dumps((tab.name, tab.rows, tab.merged), protocol=5), 1)


def _tab_from_blob(blob: bytes) -> TabData:
    name, rows, merged = _CellsOnly(io.BytesIO(zlib.decompress(blob))).load()
    if not isinstance(name, str) or not isinstance(rows, list) or not isinstance(merged, list):
        raise ValueError("not a tab")
    return TabData(name=name, rows=rows, merged=[((a, b), (c, d)) for (a, b), (c, d) in merged])


@dataclass
class Reads:
    """What one file gave: its tab names (once asked for) and each tab read, as blobs (``tabs``)
    or, read this run, as the reader returned them until ``prepare`` makes blobs of them."""

    stamp: Stamp
    digest: bytes
    names: list[str] | None = None
    tabs: dict[str, bytes] = field(default_factory=dict)
    fresh: dict[str, tuple[str, list[list[Any]], list[Any]]] = field(default_factory=dict)

    def prepare(self) -> None:
        for name, (tab_name, rows, merged) in self.fresh.items():
            self.tabs[name] = _tab_blob(TabData(tab_name, rows, merged))
        self.fresh.clear()

    def payload(self) -> bytes:
        self.prepare()
        return marshal.dumps((self.names, self.tabs))

    @classmethod
    def from_row(cls, stamp: Stamp, digest: bytes, payload: bytes) -> Reads:
        names, tabs = marshal.loads(payload)
        if not (names is None or isinstance(names, list) and all(isinstance(n, str) for n in names)):
            raise ValueError("tab names")
        if not isinstance(tabs, dict) or not all(
            isinstance(k, str) and isinstance(v, bytes) for k, v in tabs.items()
        ):
            raise ValueError("tabs")
        return cls(stamp, digest, names, dict(tabs))


class CachedFileWorkbook(Workbook):
    """A unit's file whose bytes were read: tabs from ``known`` (the same file read before), else parsed.

    Everything this workbook hands out is also put in ``reads`` for the next run.
    """

    def __init__(
        self, path: Path, limits: Limits, data: bytes, st: os.stat_result, known: Reads | None, reads: Reads
    ):
        self.path = path
        self.limits = limits
        self._data = data
        self._stat = st
        self._known = known
        self.reads = reads
        self.version, self.modified = file_version(st)
        self.open_elsewhere = lock_name(path)  # now, whatever the cache holds
        self._book: XlsxWorkbook | None = None
        if known is None:  # parsed now: a damaged file fails when opened, as it always has
            self._parsed()

    def _parsed(self) -> XlsxWorkbook:
        if self._book is None:
            self._book = XlsxWorkbook(self.path, self.limits, self._data, stat=self._stat)
        return self._book

    def tab_names(self) -> list[str]:
        names = self._known.names if self._known is not None else None
        if names is None:
            names = self._parsed().tab_names()
        self.reads.names = list(names)
        return list(names)

    def read_tab(self, name: str) -> TabData:
        blob = self._known.tabs.get(name) if self._known is not None else None
        if blob is not None:
            try:
                tab = _tab_from_blob(blob)
            except Exception:  # noqa: BLE001 - a damaged entry: parse the file instead
                log.warning("Bộ nhớ đệm của %s bị hỏng; đọc lại tệp", self.path.name)
                self._known = None
            else:
                self.reads.tabs[name] = blob
                return tab
        tab = self._parsed().read_tab(name)
        # kept as read: nothing changes a tab a backend hands over (``sync.validate.fill_merged``
        # fills copies); made a blob later, while the summary renders (``ReadCache.prepare``)
        self.reads.fresh[name] = (tab.name, tab.rows, tab.merged)
        self.reads.tabs.pop(name, None)
        return tab

    def close(self) -> None:
        if self._book is not None:
            self._book.close()


class ReadCache:
    """The xlsx backend's reads, with last run's entries; ``save()`` after a successful sync."""

    def __init__(self, path: Path, limits: Limits):
        self.path = path
        self.limits = limits
        self.identity = reader_identity(limits)
        self._lock = threading.Lock()
        self._stored: dict[str, Reads] | None = None
        self._this_run: dict[str, Reads] = {}
        #: the files this run took from the cache, and those it parsed (in the order opened)
        self.reused: list[str] = []
        self.parsed: list[str] = []

    def open(self, path: Path) -> CachedFileWorkbook:
        """The file at ``path`` (``SourceUnreadable`` as ``XlsxWorkbook`` raises it)."""
        data, st = guard.read_regular(path, self.limits)
        stamp, digest = stamp_of(st), digest_of(data)
        key = str(path)
        with self._lock:
            known = self._this_run.get(key) or self._load().get(key)
        if known is not None and (known.stamp != stamp or known.digest != digest):
            known = None
        reads = Reads(stamp, digest)
        book = CachedFileWorkbook(path, self.limits, data, st, known, reads)
        with self._lock:
            self._this_run[key] = reads
            (self.parsed if known is None else self.reused).append(key)
        return book

    def _load(self) -> dict[str, Reads]:
        if self._stored is None:
            self._stored = {}
            if self.path.exists():
                try:
                    self._stored = self._read_entries()
                except (sqlite3.Error, OSError, ValueError, TypeError, EOFError) as e:
                    log.warning("Không đọc được bộ nhớ đệm %s (%s); đọc lại tất cả", self.path, e)
        return self._stored

    def _read_entries(self) -> dict[str, Reads]:
        conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (_TABLE,)
            ).fetchone()
            if not exists:
                return {}
            rows = conn.execute(
                f"SELECT path, size, mtime_ns, inode, device, ctime_ns, digest, payload FROM {_TABLE} "
                "WHERE reader = ?",
                (self.identity,),
            ).fetchall()
        finally:
            conn.close()
        out: dict[str, Reads] = {}
        for path, *stamp, digest, payload in rows:
            out[str(path)] = Reads.from_row(
                (int(stamp[0]), int(stamp[1]), int(stamp[2]), int(stamp[3]), int(stamp[4])),
                bytes(digest),
                payload,
            )
        return out

    def prepare(self) -> None:
        """Make blobs of the tabs parsed this run (``save`` does it otherwise): the xlsx backend
        calls it while the summary renders in its child process, on the parent's idle core."""
        with self._lock:
            reads = list(self._this_run.values())
        for r in reads:
            r.prepare()

    def save(self) -> None:
        """Keep what this run read, in one transaction; raises ``OSError`` (the run is not at
        fault: it only costs a full read next time)."""
        with self._lock:
            rows = [
                (key, *r.stamp, r.digest, self.identity, r.payload())
                for key, r in self._this_run.items()
                if r.names is not None or r.tabs or r.fresh
            ]
        try:
            try:
                self._write(rows)
            except sqlite3.DatabaseError as e:
                if getattr(e, "sqlite_errorcode", None) not in _DAMAGED:
                    raise
                self.path.unlink()  # a damaged cache is only a cache: made anew
                self._write(rows)
        except sqlite3.Error as e:
            raise OSError(f"bộ nhớ đệm {self.path.name}: {e}") from e

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        private_file(self.path)
        conn = sqlite3.connect(self.path)
        try:
            with conn:
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {_TABLE} (path TEXT PRIMARY KEY, size INTEGER, "
                    "mtime_ns INTEGER, inode INTEGER, device INTEGER, ctime_ns INTEGER, digest BLOB, "
                    "reader TEXT, payload BLOB)"
                )
                conn.execute(f"DELETE FROM {_TABLE}")
                conn.executemany(f"INSERT INTO {_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        finally:
            conn.close()


__all__ = ["CACHE_FORMAT", "CachedFileWorkbook", "ReadCache", "reader_identity"]
