"""The year-end score: a formula in config ``[evaluation]``, every term kept visible.

    score = band points (by the on-time rate)
          − per_overdue_task × tasks still overdue
          − per_missed_report × months not reported at all
          − per_late_report × months reported late or incompletely
    (never below 0)

Band points: ``points_high`` when the on-time rate ≥ ``band_high``, ``points_mid`` when
it is ≥ ``band_low``, else ``points_low`` — the ≥ 90 % / 70–90 % / < 70 % bands of the
provincial administrative-reform indices by default, whatever the number of tasks the rate
rests on. A unit with nothing to rate (no task due in the year completed or still overdue)
has no score and no rank (``sync.evaluate.year``): there is nothing to stand on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sync.config_numbers import check_numbers

#: key -> (lowest, highest) accepted in [evaluation]; rates are fractions (0.9 = 90 %).
FORMULA_RANGES: dict[str, tuple[float, float]] = {
    "band_high": (0.0, 1.0),
    "band_low": (0.0, 1.0),
    "points_high": (0, 1000),
    "points_mid": (0, 1000),
    "points_low": (0, 1000),
    "per_overdue_task": (0, 1000),
    "per_missed_report": (0, 1000),
    "per_late_report": (0, 1000),
}


@dataclass(frozen=True, slots=True)
class Formula:
    """The scoring formula's parameters (README, Year-end evaluation)."""

    band_high: float = 0.9
    band_low: float = 0.7
    points_high: float = 100
    points_mid: float = 80
    points_low: float = 60
    per_overdue_task: float = 1
    per_missed_report: float = 5
    per_late_report: float = 2

    def band_points(self, on_time_rate: float) -> float:
        if on_time_rate >= self.band_high:
            return self.points_high
        if on_time_rate >= self.band_low:
            return self.points_mid
        return self.points_low

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


def parse_formula(table: dict[str, Any], fail: Callable[[str, str], Exception]) -> Formula:
    """The [evaluation] section: numbers within ``FORMULA_RANGES``; ``fail(message, key)`` for a bad one."""
    values = check_numbers(table, FORMULA_RANGES, "evaluation", fail, whole=False)
    formula = Formula(**{key: float(value) for key, value in values.items()})
    if formula.band_low > formula.band_high:
        raise fail(
            f"“band_low” ({formula.band_low:g}) không được lớn hơn “band_high” ({formula.band_high:g})",
            "band_low",
        )
    return formula
