"""What ``init`` works from and what it reports, shared by every backend's ``create_books``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class UnitSpec:
    """One unit from the unit list (a CSV like ``an-giang-2025-units.csv``)."""

    code: str
    name: str
    kind: str = "so-nganh"
    aliases: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass
class InitReport:
    """What one ``init`` run did, in plain Vietnamese lines for the Office, per category.

    ``created``: made by this run; ``found``: already there and left untouched (a re-run);
    ``shared``: sharing added; ``without_email``: units with no address (listed, not an error);
    ``problems``: what could not be done and what to do about it; ``notes``: what is left to the
    Office with this backend.
    """

    created: list[str] = field(default_factory=list)
    found: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    without_email: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: what the Office must still do itself with this backend (e.g. share the folder)
    notes: list[str] = field(default_factory=list)
    #: Google API requests sent (0 for xlsx)
    requests: int = 0


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with ``/`` (works on Windows too), else absolute."""
    try:
        return Path(os.path.relpath(path, base)).as_posix()
    except ValueError:  # another drive on Windows
        return str(path)
