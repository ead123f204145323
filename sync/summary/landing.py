"""The summary and the history land together, or neither does, even if the process is killed.

The summary is installed inside the history's transaction, just before COMMIT
(``sync.pipeline``). A process killed between the two (power cut, ``kill -9``) would leave
a new summary whose run the history never recorded. So, inside the transaction:

1. the previous .xlsx summary is kept beside it as ``.<name>.previous`` (a hard link, or a
   copy where the file system has none);
2. a marker ``.<name>.landing`` is written (atomically), naming the newest run id the
   history will hold once it commits;
3. the new summary is renamed in, and the history commits.

Every step that reads or removes the marker holds the history's write lock, so no other
sync is between steps 1 and 3 meanwhile (``Landing.resolve``): right after the commit, and
at the start of the next sync. If the history holds the run, the marker and the backup go;
if it does not, the previous summary is put back (or the new one removed when there was
none before) and one Vietnamese line says so.

A Google Sheets summary cannot be put back (it is written in place by one batchUpdate):
its marker lives beside the config, and the next sync says that the summary shows a run
the history does not have, then writes its own over it.
"""

from __future__ import annotations

import contextlib
import filecmp
import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sync.atomic import atomic_path, atomic_write_bytes, fsync_directory
from sync.exceptions import OutputError, os_reason

if TYPE_CHECKING:
    from sync.config import Config
    from sync.history import History

__all__ = ["Landing"]


@dataclass(frozen=True, slots=True)
class Landing:
    """The marker (and for an .xlsx summary, the backup) of one config's summary."""

    marker: Path
    #: the .xlsx summary; None for a Google Sheets summary (nothing to put back)
    summary: Path | None

    @classmethod
    def of(cls, config: Config, summary_file: Path | None) -> Landing:
        """The landing of ``config``'s summary; ``summary_file``: the summary when it is a local
        file (``Backend.summary_file``), else None (written in place: nothing to put back)."""
        if summary_file is not None:
            return cls(summary_file.with_name(f".{summary_file.name}.landing"), summary_file)
        return cls(config.base_dir / f".{config.path.stem}.summary.landing", None)

    @property
    def backup(self) -> Path | None:
        return None if self.summary is None else self.summary.with_name(f".{self.summary.name}.previous")

    def prepare(self, run_id: int | None) -> None:
        """Steps 1 and 2, inside the history's transaction before the summary is installed.

        ``run_id``: the newest run id the history holds once this transaction commits.
        """
        try:
            previous = self._keep_previous()
            atomic_write_bytes(self.marker, json.dumps({"run": run_id, "previous": previous}).encode("utf-8"))
        except OSError as e:
            raise OutputError(
                f"Không giữ được bản tổng hợp trước bên cạnh {self.summary or self.marker}: {os_reason(e)}; "
                "bảng tổng hợp và lịch sử vẫn như trước."
            ) from e

    def _keep_previous(self) -> bool:
        """Step 1: whether there was a previous .xlsx summary, now kept as the backup."""
        if self.summary is None or self.backup is None:
            return False
        with contextlib.suppress(FileNotFoundError):
            self.backup.unlink()
        if not _is_file(self.summary):  # nothing to keep (a folder there fails the install)
            return False
        try:
            os.link(self.summary, self.backup)
        except OSError:  # no hard links here (some network shares): a copy
            with atomic_path(self.backup) as tmp:
                shutil.copyfile(self.summary, tmp)
        return True

    def resolve(self, history: History) -> str | None:
        """Settle a marker, holding the history's write lock; a line for a person when a run was undone."""
        if not self.marker.exists():
            return None
        with history.write_lock():
            return self._recover(history.newest_run_id())

    def _recover(self, newest: int | None) -> str | None:
        try:
            left = json.loads(self.marker.read_text(encoding="utf-8"))
            expected, previous = left.get("run"), bool(left.get("previous"))
        except FileNotFoundError:  # settled by another sync just now
            return None
        except (OSError, ValueError, AttributeError):  # not ours to judge: as if the run did not land
            expected, previous = None, False
        landed = isinstance(expected, int) and newest is not None and newest >= expected
        message = None if landed or self._unchanged(previous) else self._undo(previous)
        with contextlib.suppress(FileNotFoundError):
            self.marker.unlink()
        if self.backup is not None:
            with contextlib.suppress(FileNotFoundError):
                self.backup.unlink()
        return message

    def _unchanged(self, previous: bool) -> bool:
        """The new summary never got in (its rename failed: a file open in Excel): nothing to undo."""
        if not previous or self.summary is None or self.backup is None:
            return False
        try:
            return os.path.samefile(self.summary, self.backup) or filecmp.cmp(
                self.summary, self.backup, shallow=False
            )
        except OSError:
            return False

    def _undo(self, previous: bool) -> str:
        """The history did not commit: the summary goes back to what it was before that run."""
        stopped = "Lần tổng hợp trước bị dừng sau khi ghi bảng tổng hợp nhưng trước khi ghi lịch sử"
        if self.summary is None or self.backup is None:
            return (
                f"{stopped}: bảng tổng hợp trên Google Sheets đang là của lần bị dừng (lịch sử không có "
                "lần đó); lần tổng hợp này ghi lại bảng."
            )
        if previous and self.backup.exists():
            os.replace(self.backup, self.summary)
            said = f"đã khôi phục bảng tổng hợp trước đó ({self.summary})"
        elif previous:  # the backup is gone (removed by hand): leave the summary as it is
            return f"{stopped}; bảng tổng hợp {self.summary} đang là của lần bị dừng, lần này ghi lại."
        else:
            if _is_file(self.summary):
                self.summary.unlink()
            said = f"đã xóa bảng tổng hợp {self.summary} của lần đó (chưa có trong lịch sử)"
        fsync_directory(self.summary.parent)
        return f"{stopped}: {said}, để bảng tổng hợp và lịch sử luôn khớp nhau."


def _is_file(path: Path) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
