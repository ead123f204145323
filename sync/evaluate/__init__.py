"""The year-end evaluation for the Department of Home Affairs (Sở Nội vụ): ``ubnd-sync evaluate``.

- ``formula``: the score's parameters (config ``[evaluation]``) and its band points;
- ``year``: the year's record per unit from the history, analysed with pandas;
- ``workbook``: the .xlsx for Sở Nội vụ, with the breakdown behind every score.

``evaluate_year(config, year)`` returns an ``Evaluation``; ``write_evaluation`` writes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync.evaluate.year import NOT_SCORED, PERIODS, TASK_COLUMNS, TERMS, load_year, score_units
from sync.formula import Formula
from sync.history import History, RunInfo
from sync.labels import GROUP_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from sync.config import Config

__all__ = ["Evaluation", "evaluate_year", "export_evaluation"]


def rate(value: Any) -> float | None:
    """A rate (or a score, a term) out of the table: None where there is none (pandas holds NaN)."""
    return None if value is None or value != value else float(value)


def rank(value: Any) -> int | None:
    """A rank out of the table: None for a unit not ranked (pandas holds NaN)."""
    r = rate(value)
    return None if r is None else int(r)


@dataclass(frozen=True, slots=True)
class Evaluation:
    year: int
    formula: Formula
    runs: list[RunInfo]
    table: pd.DataFrame  # one row per unit, ranked within its group (see ``score_units``)
    months: pd.DataFrame  # one row per (unit, month): its report status

    def status(self) -> dict[tuple[str, int], str]:
        """(unit code, month) -> the unit's report status in that month's run."""
        return {
            (u, int(m)): s for u, m, s in self.months[["unit", "month", "status"]].itertuples(index=False)
        }

    def unit_dicts(self) -> list[dict[str, Any]]:
        out = []
        for row in self.table.to_dict("records"):
            out.append(
                {
                    "code": row["code"],
                    "name": row["name"],
                    "group": row["group"],
                    "rank": rank(row["rank"]),
                    "tasks": {"due": int(row["due"]), **{k: int(row[k]) for k in TASK_COLUMNS}},
                    "completion_rate": rate(row["completion_rate"]),
                    "on_time_rate": rate(row["on_time_rate"]),
                    "periods": {k: int(row[k]) for k in PERIODS},
                    # a unit with nothing to rate: no terms, no score, no rank, and why
                    "terms": None if row["not_scored"] else {k: float(row[k]) for k in TERMS},
                    "score": rate(row["score"]),
                    "not_scored": row["not_scored"] or None,
                    "not_scored_reason": NOT_SCORED.get(row["not_scored"] or ""),
                }
            )
        return out

    def to_dict(self) -> dict[str, Any]:
        units = self.unit_dicts()
        return {
            "year": self.year,
            "months": [{"month": r.month, "run_id": r.id, "as_of": r.as_of.isoformat()} for r in self.runs],
            "formula": self.formula.to_dict(),
            "groups": [
                {"group": g, "label": label, "units": [u for u in units if u["group"] == g]}
                for g, label in GROUP_LABELS.items()
                if any(u["group"] == g for u in units)
            ],
        }


def evaluate_year(config: Config, year: int) -> Evaluation:
    """Score every unit seen in ``year``'s runs; ``HistoryError`` when the year has none."""
    with History(config.history_path, create=False) as history:
        record = load_year(history, year)
    table = score_units(record, config.evaluation)
    return Evaluation(year, config.evaluation, record.runs, table, record.months)


def export_evaluation(config: Config, year: int, out: Path | None = None) -> tuple[Evaluation, Path]:
    """``ubnd-sync evaluate``: the year's evaluation, written as a workbook to ``out`` (default:
    ``danh-gia/danh-gia-nam-YYYY.xlsx`` beside the config); returns it and where it went."""
    from sync.evaluate.workbook import write_evaluation
    from sync.exceptions import OutputError, os_reason

    evaluation = evaluate_year(config, year)
    target = out or config.base_dir / "danh-gia" / f"danh-gia-nam-{year}.xlsx"
    try:
        write_evaluation(evaluation, target)
    except OSError as e:
        raise OutputError(f"Không ghi được tệp đánh giá {target}: {os_reason(e)}") from e
    return evaluation, target
