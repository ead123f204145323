"""Pausing Python's cyclic garbage collector around allocation-heavy phases.

Reading 100k rows and writing the summary allocate millions of long-lived,
acyclic objects; the collector's repeated full scans of them cost about a
quarter of the run (measured with scripts/bench). Reference counting still
frees everything; the collector runs again as soon as the phase ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
