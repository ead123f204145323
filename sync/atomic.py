"""Writing a file atomically: readers see the previous file or the new one, never half of one.

Every output of ubnd-sync goes through here: the summary workbook (``sync.backends.xlsx.summary``),
the Google state file (``sync.backends.gsheets.read``), and the meeting report's .docx/.pdf and
chart images (``sync.report``/``sync.charts`` must use it too, not a hand-rolled copy).

The recipe, in one place:

1. a temporary file in the target's own folder (``.<name>.<random>.tmp``: same file system,
   so the rename is atomic; hidden, so nobody opens it by mistake);
2. the caller writes it (bytes, or any writer that needs a file name: XlsxWriter,
   python-docx, LibreOffice's ``--outdir``);
3. permissions: the previous file's, or for a new file the usual ones under the umask
   (never the private 0600 ``mkstemp`` gives, which would lock colleagues on a shared
   folder out); ``mode=0o600`` asks for a private file explicitly (secrets);
4. flush and ``fsync`` the file, ``os.replace`` it over the target, ``fsync`` the folder
   (where the system allows it) so the rename itself survives a power cut;
5. on any failure (an exception, Ctrl-C) the temporary file is removed and the target is
   left as it was.

Use::

    atomic_write_bytes(path, data)              # small files
    with atomic_path(target) as tmp:            # writers that want a file name
        workbook.save(tmp)
    pending = AtomicFile(target)                # the two halves apart (another process
    ...; pending.commit() / pending.discard()   # writes the file; see sync.backends.xlsx.summary)
    with atomic_create(target) as tmp:          # a new file only: never replaces one (init)
        workbook.save(tmp)
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

__all__ = [
    "AtomicFile",
    "atomic_create",
    "atomic_path",
    "atomic_write_bytes",
    "new_file_mode",
    "private_file",
    "remove_stale_temporaries",
]

#: A temporary file older than this is a leftover of a run that was killed.
STALE_AFTER_SECONDS = 3600


def new_file_mode() -> int:
    """The mode a new file gets under the process's umask (``mkstemp`` makes 0600 files)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable; a no-op where folders cannot be opened (Windows)."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some file systems (network shares) refuse it
            os.fsync(fd)
    finally:
        os.close(fd)


class AtomicFile:
    """A temporary file next to ``target``, installed over it by ``commit()``.

    Creating one creates the folder and the (empty) temporary file; ``tmp`` is its path.
    ``finalize()`` (permissions + fsync) may run in another process than ``install()``
    (the rename); ``commit()`` does both. ``discard()`` removes the temporary file and is a
    no-op once committed. Raises ``OSError``: callers turn it into their own message.
    """

    def __init__(self, target: str | Path, *, mode: int | None = None):
        self.target = Path(target)
        self.mode = mode
        self.target.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        os.close(fd)
        self.tmp = Path(name)
        self.committed = False

    def final_mode(self) -> int:
        """The explicit mode, else the previous file's, else the usual one for a new file."""
        if self.mode is not None:
            return self.mode
        try:
            return self.target.stat().st_mode & 0o777
        except OSError:
            return new_file_mode()

    def finalize(self) -> None:
        """Give the written file its permissions and force it to disk."""
        os.chmod(self.tmp, self.final_mode())
        with open(self.tmp, "rb") as fh:
            os.fsync(fh.fileno())

    def install(self) -> None:
        """Rename the file over the target and make the rename durable."""
        os.replace(self.tmp, self.target)
        self.committed = True
        fsync_directory(self.target.parent)

    def install_new(self) -> None:
        """Like ``install`` but never over an existing file: ``FileExistsError`` then.

        A hard link is atomic and fails when the target exists; where the file system has no
        hard links (FAT, some network shares) the target is checked, then renamed over.
        """
        try:
            os.link(self.tmp, self.target)
        except FileExistsError:
            raise
        except OSError:
            if self.target.exists():
                raise FileExistsError(str(self.target)) from None
            os.replace(self.tmp, self.target)
        else:
            os.unlink(self.tmp)
        self.committed = True
        fsync_directory(self.target.parent)

    def commit(self) -> Path:
        """``finalize()`` then ``install()``; the temporary file is removed if either fails."""
        try:
            self.finalize()
            self.install()
        except BaseException:
            self.discard()
            raise
        return self.target

    def discard(self) -> None:
        if not self.committed:
            with contextlib.suppress(OSError):
                self.tmp.unlink()


@contextlib.contextmanager
def atomic_path(target: str | Path, *, mode: int | None = None) -> Iterator[Path]:
    """Yield a temporary path to write; on a clean exit it replaces ``target`` atomically.

    On an exception the temporary file is removed and ``target`` is untouched.
    """
    pending = AtomicFile(target, mode=mode)
    try:
        yield pending.tmp
    except BaseException:
        pending.discard()
        raise
    pending.commit()


@contextlib.contextmanager
def atomic_create(target: str | Path) -> Iterator[Path]:
    """Like ``atomic_path`` for a file that must not exist yet: a file that appeared meanwhile
    (another run, a person) is never replaced (``FileExistsError``; the temporary is removed).
    A folder on the way that is a file is ``NotADirectoryError``, never ``FileExistsError``."""
    try:
        pending = AtomicFile(target)
    except FileExistsError as e:  # mkdir: a file where a folder should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), e.filename) from e
    try:
        yield pending.tmp
        pending.finalize()
        pending.install_new()
    except BaseException:
        pending.discard()
        raise


def atomic_write_bytes(path: str | Path, data: bytes, *, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` atomically (see the module docstring); returns the path."""
    with atomic_path(path, mode=mode) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
    return Path(path)


def private_file(path: str | Path) -> Path:
    """Make ``path`` exist, readable and writable by its owner only (0600), before a library
    that creates files under the umask (SQLite) opens it; files SQLite makes beside it (its
    journal) take the same mode."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o600))
    os.chmod(path, 0o600)  # a file made before under the umask
    return path


def remove_stale_temporaries(target: str | Path, *, older_than: float = STALE_AFTER_SECONDS) -> None:
    """Temporary files of runs that were killed (never a running writer's: those are newer)."""
    target = Path(target)
    now = time.time()
    for leftover in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > older_than:
                leftover.unlink()
