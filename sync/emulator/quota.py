"""Per-user read/write request quotas (sliding window; injectable clock)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Quota:
    read_per_window: int = 60
    write_per_window: int = 60
    window_seconds: float = 60.0
    enabled: bool = True
    clock: Callable[[], float] = time.monotonic
    _hits: dict[tuple[str, str], deque[float]] = field(default_factory=dict)

    def configure(
        self,
        read: int | None = None,
        write: int | None = None,
        window_seconds: float | None = None,
        enabled: bool | None = None,
    ) -> None:
        if read is not None:
            self.read_per_window = read
        if write is not None:
            self.write_per_window = write
        if window_seconds is not None:
            self.window_seconds = window_seconds
        if enabled is not None:
            self.enabled = enabled
        self._hits.clear()

    def reset(self) -> None:
        self._hits.clear()

    def check(self, user: str, kind: str) -> bool:
        """Record a request; False when over the limit (the request is then not counted)."""
        if not self.enabled:
            return True
        now = self.clock()
        q = self._hits.setdefault((user, kind), deque())
        while q and q[0] <= now - self.window_seconds:
            q.popleft()
        limit = self.read_per_window if kind == "read" else self.write_per_window
        if len(q) >= limit:
            return False
        q.append(now)
        return True
