"""The Office's memory: one SQLite snapshot per non-dry-run ``sync``, and diffs.

Google Drive keeps only weeks of revisions, so this file is the only record of
what each unit's sheet said at each meeting. Nothing here ever deletes a
snapshot; a run that fails or is killed leaves no partial one.

Modules:

* :mod:`~sync.history.store`: the file, its schema and migrations, the ``History`` handle;
* :mod:`~sync.history.snapshot`: recording one run, in one transaction (or not, when identical);
* :mod:`~sync.history.standing`: back-dated runs refused or flagged, runs voided;
* :mod:`~sync.history.queries`: reading runs back (listing, by id, date or month, whole);
* :mod:`~sync.history.records`: the records read back (``RunInfo``, ``RunSnapshot`` …);
* :mod:`~sync.history.changes`: what changed between two runs (``diff``);
* :mod:`~sync.history.render`: the run list and a diff as text.
"""

from __future__ import annotations

from sync.history.changes import Diff, TaskChange, UnitChange, diff
from sync.history.errors import BackdatedRunError, HistoryError
from sync.history.records import RecordOutcome, RunInfo, RunSnapshot, TaskSnapshot, UnitSnapshot
from sync.history.store import SCHEMA_VERSION, History, check_as_of

__all__ = [
    "SCHEMA_VERSION",
    "BackdatedRunError",
    "Diff",
    "History",
    "HistoryError",
    "RecordOutcome",
    "RunInfo",
    "RunSnapshot",
    "TaskChange",
    "TaskSnapshot",
    "UnitChange",
    "UnitSnapshot",
    "check_as_of",
    "diff",
]
