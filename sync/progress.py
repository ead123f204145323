"""What a person sees while a sync reads the units: units done, requests, quota waits, time left.

``ProgressLine`` is pure (times are passed in): the CLI draws it on stderr when stderr is a
terminal, and nothing at all otherwise (``sync.cli._progress``).
"""

from __future__ import annotations

from dataclasses import dataclass


def duration(seconds: float) -> str:
    """``45 giây``, ``2 phút 05 giây``."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s} giây"
    return f"{s // 60} phút {s % 60:02d} giây"


@dataclass
class ProgressLine:
    """The text after the bar: the unit just read, and for a networked source its requests."""

    started: float

    def text(self, code: str, done: int, total: int, now: float, activity: tuple[int, float] | None) -> str:
        parts = [code] if code else []
        if activity is not None:
            requests, waited = activity
            parts.append(f"{requests} yêu cầu")
            if waited >= 0.5:
                parts.append(f"chờ hạn mức {duration(waited)}")
        if 0 < done < total:
            left = (now - self.started) / done * (total - done)
            parts.append(f"còn khoảng {duration(left)}")
        return " · ".join(parts)
