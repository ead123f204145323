"""Faults on demand: 429 bursts, 500/503, slow answers, dropped connections (before or after the work),
spreadsheets deleted or unshared mid-run.  Random faults are seedable."""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from typing import Any

#: ``drop``: the connection closes before the request is handled; ``drop-after``: the request is
#: handled (a create happens), then the connection closes before the answer
KINDS = ("429", "500", "503", "slow", "drop", "drop-after", "delete", "unshare")


@dataclass
class Fault:
    kind: str
    count: int | None = 1  # None = unlimited
    path_pattern: str | None = None  # regex searched in the request path (incl. query)
    method: str | None = None
    probability: float = 1.0
    retry_after: int | None = None  # for 429
    delay: float = 5.0  # for slow
    after: int = 0  # skip the first N matching requests
    file_id: str | None = None  # for delete/unshare
    email: str | None = None  # for unshare
    id: int = 0
    fired: int = 0
    seen: int = 0
    rng: random.Random = field(default_factory=random.Random)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "count": self.count,
            "path_pattern": self.path_pattern,
            "method": self.method,
            "probability": self.probability,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "after": self.after,
            "file_id": self.file_id,
            "email": self.email,
            "fired": self.fired,
        }


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next = 1

    def add(
        self,
        kind: str,
        count: int | None = 1,
        path_pattern: str | None = None,
        method: str | None = None,
        probability: float = 1.0,
        seed: int | None = None,
        retry_after: int | None = None,
        delay: float = 5.0,
        after: int = 0,
        file_id: str | None = None,
        email: str | None = None,
    ) -> Fault:
        kind = str(kind)
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {KINDS}")
        with self._lock:
            f = Fault(
                kind,
                count,
                path_pattern,
                method.upper() if method else None,
                probability,
                retry_after,
                delay,
                after,
                file_id,
                email,
                id=self._next,
                rng=random.Random(seed),
            )
            self._next += 1
            self._faults.append(f)
            return f

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def remove(self, fault_id: int) -> None:
        with self._lock:
            self._faults = [f for f in self._faults if f.id != fault_id]

    def all(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def match(self, method: str, path: str) -> list[Fault]:
        """Faults that fire for this request (consumes counts)."""
        out = []
        with self._lock:
            for f in list(self._faults):
                if f.method and f.method != method:
                    continue
                if f.path_pattern and not re.search(f.path_pattern, path):
                    continue
                f.seen += 1
                if f.seen <= f.after:
                    continue
                if f.probability < 1.0 and f.rng.random() >= f.probability:
                    continue
                f.fired += 1
                if f.count is not None:
                    f.count -= 1
                    if f.count <= 0:
                        self._faults.remove(f)
                out.append(f)
        return out
