"""Request quotas per account and per project, by service and kind (sliding window; injectable clock).

Buckets are keyed ``(service, kind)``: ``("sheets", "read")``, ``("sheets", "write")`` and
``("drive", "query")`` (Drive counts every method as one query). Each bucket has a limit per
user (the caller's account, per project) and one per project; a request over either is refused
and not counted. ``configure(preset="google")`` applies Google's published quotas
(developers.google.com/sheets/api/limits and /drive/api/guides/limits):

- Sheets: 60 read and 60 write requests a minute per user, 300 of each a minute per project;
- Drive: 12 000 queries a minute per user and per project.

Without a preset (the default, as before) only Sheets' per-user 60 reads and 60 writes apply.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

Bucket = tuple[str, str]
#: (per user, per project or None) by bucket
Limits = dict[Bucket, tuple[int, int | None]]

GOOGLE: Limits = {
    ("sheets", "read"): (60, 300),
    ("sheets", "write"): (60, 300),
    ("drive", "query"): (12_000, 12_000),
}


@dataclass(frozen=True)
class Refusal:
    """Which limit a refused request hit."""

    service: str
    kind: str
    scope: str  # "user" | "project"
    limit: int


@dataclass
class Quota:
    read_per_window: int = 60
    write_per_window: int = 60
    window_seconds: float = 60.0
    enabled: bool = True
    clock: Callable[[], float] = time.monotonic
    preset: str | None = None
    drive_per_window: int = GOOGLE[("drive", "query")][0]
    _hits: dict[tuple[str, ...], deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def configure(
        self,
        read: int | None = None,
        write: int | None = None,
        window_seconds: float | None = None,
        enabled: bool | None = None,
        preset: str | None = None,
        drive: int | None = None,
    ) -> None:
        if preset is not None:
            if preset not in ("google", "off"):
                raise ValueError(f"unknown quota preset {preset!r} (google, off)")
            self.preset = "google" if preset == "google" else None
            self.enabled = preset == "google"
            self.read_per_window, self.write_per_window = 60, 60
            self.drive_per_window = GOOGLE[("drive", "query")][0]
            self.window_seconds = 60.0
        if read is not None:
            self.read_per_window = read
        if write is not None:
            self.write_per_window = write
        if window_seconds is not None:
            self.window_seconds = window_seconds
        if drive is not None:
            self.drive_per_window = drive
        if enabled is not None:
            self.enabled = enabled
        self.reset()

    def limits(self) -> Limits:
        if self.preset == "google":
            out = dict(GOOGLE)
            out[("sheets", "read")] = (self.read_per_window, GOOGLE[("sheets", "read")][1])
            out[("sheets", "write")] = (self.write_per_window, GOOGLE[("sheets", "write")][1])
            out[("drive", "query")] = (self.drive_per_window, GOOGLE[("drive", "query")][1])
            return out
        return {
            ("sheets", "read"): (self.read_per_window, None),
            ("sheets", "write"): (self.write_per_window, None),
        }

    def to_json(self) -> dict[str, object]:
        return {
            "enabled": self.enabled,
            "preset": self.preset or "",
            "window_seconds": self.window_seconds,
            "limits": {f"{s}.{k}": {"user": u, "project": p} for (s, k), (u, p) in self.limits().items()},
        }

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def take(self, user: str, project: str, service: str, kind: str) -> Refusal | None:
        """Count a request; the limit it is over (then it is not counted), or None."""
        if not self.enabled:
            return None
        limit = self.limits().get((service, kind))
        if limit is None:
            return None
        per_user, per_project = limit
        now = self.clock()
        with self._lock:
            mine = self._window(("user", project, service, kind, user), now)
            if len(mine) >= per_user:
                return Refusal(service, kind, "user", per_user)
            theirs = self._window(("project", project, service, kind), now) if per_project else None
            if theirs is not None and per_project is not None and len(theirs) >= per_project:
                return Refusal(service, kind, "project", per_project)
            mine.append(now)
            if theirs is not None:
                theirs.append(now)
        return None

    def _window(self, key: tuple[str, ...], now: float) -> deque[float]:
        q = self._hits.setdefault(key, deque())
        while q and q[0] <= now - self.window_seconds:
            q.popleft()
        return q
