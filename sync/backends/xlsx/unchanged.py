"""A summary that would be written the same is not written again (the Google backend's rule, on .xlsx).

Re-running a sync whose units changed nothing (the same as-of, every file taken from the read
cache: ``sync.backends.xlsx.cache``) builds the same tables; rendering them again would cost
more than the whole rest of the run and give the same file but for the time it was made
(``Thời điểm tạo``). So the local cache beside the config (``Config.cache_path``, table
``xlsx_summary``) remembers, after each successful sync, what the summary file holds: the
digest of its tables (``sync.shapes.tables.tables_digest``), the file as installed (its size,
modification time in nanoseconds and a digest of its bytes), and the renderer that wrote it
(``renderer_identity``). The summary is kept as it is only when all of it agrees: the file
untouched since (not opened and saved in Excel, not replaced, not deleted: the same bytes), the
same renderer, the same tables. Anything else and it is written as always.

The digest is taken only when keeping is possible (nothing was parsed this run); otherwise it is
taken by the parent while the child renders the file (``remember``), for the next run.
"""

from __future__ import annotations

import importlib.util
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from sync import __version__
from sync.backends.xlsx.cache import digest_of
from sync.shapes.tables import Table, tables_digest

_TABLE = "xlsx_summary"


def renderer_identity() -> str:
    """ubnd-sync's version, and the files of the modules that render the summary (and XlsxWriter's)."""
    parts = [f"ubnd-sync {__version__}"]
    here = Path(__file__).parent
    files = [here / "summary.py", here / "sheetbody.py"]
    spec = importlib.util.find_spec("xlsxwriter")  # found, not imported: keeping needs none of it
    if spec is not None and spec.origin:
        files += [Path(spec.origin), Path(spec.origin).with_name("worksheet.py")]
    for f in files:
        try:
            st = f.stat()
            parts.append(f"{f.name} {st.st_size} {st.st_mtime_ns}")
        except OSError:
            parts.append(f"{f.name} ?")
    return "; ".join(parts)


@dataclass(frozen=True)
class Written:
    """What a summary file holds: its tables' digest, the file as installed, its renderer."""

    path: str
    size: int
    mtime_ns: int
    file_digest: bytes
    digest: str
    renderer: str

    @classmethod
    def of(cls, path: Path, digest: str) -> Written:
        """The file at ``path`` as it is now, holding tables of ``digest`` (raises ``OSError``)."""
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            data = fh.read()
        return cls(str(path), st.st_size, st.st_mtime_ns, digest_of(data), digest, renderer_identity())

    def same_file(self, path: Path) -> bool:
        """``path`` is still the file as installed: same size and time, the same bytes."""
        try:
            st = os.stat(path)
            if (st.st_size, st.st_mtime_ns) != (self.size, self.mtime_ns):
                return False
            with open(path, "rb") as fh:
                return digest_of(fh.read()) == self.file_digest
        except OSError:
            return False


def load_written(cache: Path, summary: Path) -> Written | None:
    """What the last sync wrote to ``summary``, as the cache remembers it (None when in doubt)."""
    if not cache.exists():
        return None
    try:
        conn = sqlite3.connect(f"{cache.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                f"SELECT size, mtime_ns, file_digest, digest, renderer FROM {_TABLE} WHERE path = ?",
                (str(summary),),
            ).fetchone()
        finally:
            conn.close()
    except (sqlite3.Error, OSError, ValueError):
        return None
    if row is None:
        return None
    size, mtime, file_digest, digest, renderer = row
    return Written(str(summary), int(size), int(mtime), bytes(file_digest), str(digest), str(renderer))


def still_shows(cache: Path, summary: Path, tables: list[Table]) -> str | bool:
    """True when ``summary`` is the file the last sync wrote, untouched, for these same tables;
    else the tables' digest (False when the file is not as written: no digest was needed)."""
    written = load_written(cache, summary)
    if written is None or written.renderer != renderer_identity() or not written.same_file(summary):
        return False
    digest = tables_digest(tables)
    return True if digest == written.digest else digest


def save_written(cache: Path, written: Written) -> None:
    """Remember what the summary file now holds (one row; raises ``OSError``)."""
    from sync.atomic import private_file

    private_file(cache)
    try:
        conn = sqlite3.connect(cache)
        try:
            with conn:
                conn.execute(f"DROP TABLE IF EXISTS {_TABLE}")
                conn.execute(
                    f"CREATE TABLE {_TABLE} (path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, "
                    "file_digest BLOB, digest TEXT, renderer TEXT)"
                )
                conn.execute(
                    f"INSERT INTO {_TABLE} VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        written.path,
                        written.size,
                        written.mtime_ns,
                        written.file_digest,
                        written.digest,
                        written.renderer,
                    ),
                )
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise OSError(str(e)) from e


class KeptSummary:
    """The summary left as it is: it already shows these tables (``finish`` writes nothing)."""

    def __init__(self, target: Path):
        self.target = target
        self.location = str(target)

    def finish(self) -> Path:
        return self.target

    def abort(self) -> None:
        """Nothing was started."""


__all__ = ["KeptSummary", "Written", "load_written", "renderer_identity", "save_written", "still_shows"]
