"""Charts for the meeting report (matplotlib, Agg backend: no window, no GUI).

Each function draws one PNG and returns its path. Figures are made with
``matplotlib.figure.Figure`` (not ``pyplot``), so nothing stays open in a
global registry and nothing needs closing. The PNG carries no timestamp or
software version, so the same data give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from sync.display import format_number, round_percent  # noqa: E402
from sync.labels import CATEGORY_LABELS  # noqa: E402
from sync.model import CATEGORIES  # noqa: E402
from sync.report.docx import _write_atomically  # noqa: E402

#: One colour per category (green done on time … grey unclassified), print-friendly.
CATEGORY_COLORS: dict[str, str] = {
    "completed_on_time": "#2E7D32",
    "completed_late": "#9CCC65",
    "in_progress_on_time": "#1E88E5",
    "in_progress_overdue": "#E53935",
    "no_deadline": "#FFB300",
    "unclassified": "#9E9E9E",
}

_RC: Any = {
    # bundled with matplotlib, full Vietnamese coverage: same glyphs on every machine
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "ubnd-sync",
}
_DPI = 200
_METADATA = {"Software": None}


def _axis_percent(x: float, _pos: object = None) -> str:
    return format_number(x, 0) + "%"


def _rate_label(rate: float) -> str:
    """A rate as the report prints it, without the % sign (0.8125 -> ``81,3``)."""
    return format_number(float(round_percent(rate)))


def _save(fig: Figure, path: Path) -> None:
    """Write the PNG atomically: a crash never leaves half a chart."""
    _write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", metadata=_METADATA))


def units_have_data(units: Sequence[tuple[str, Mapping[str, int]]]) -> bool:
    """Whether the units chart has a bar to draw (some unit has a task)."""
    return any(int(counts.get(cat, 0)) for _, counts in units for cat in CATEGORIES)


def trend_has_data(points: Sequence[tuple[str, float | None, float | None]]) -> bool:
    """Whether the trend chart shows a trend: a rate in at least two months."""
    return sum(1 for _, on_time, completion in points if on_time is not None or completion is not None) >= 2


def unit_category_chart(
    units: Sequence[tuple[str, Mapping[str, int]]],
    path: str | Path,
    *,
    title: str,
    notes: Sequence[str | None] | None = None,
) -> Path:
    """Horizontal stacked bars: per unit (label, counts by category), in the given order.

    ``notes`` (one per unit, or None) is written after the bar instead of the
    total, e.g. “không đọc được” for a unit whose sheet could not be counted.
    """
    path = Path(path)
    n = max(len(units), 1)
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(7.0, 1.6 + 0.24 * n), dpi=_DPI)
        ax = fig.add_subplot()
        labels = [label for label, _ in units]
        ys = list(range(len(units)))
        left = [0] * len(units)
        for cat in CATEGORIES:
            values = [int(counts.get(cat, 0)) for _, counts in units]
            if not any(values):
                continue
            ax.barh(
                ys,
                values,
                left=left,
                color=CATEGORY_COLORS[cat],
                label=CATEGORY_LABELS[cat],
                height=0.72,
                edgecolor="white",
                linewidth=0.4,
            )
            left = [a + b for a, b in zip(left, values, strict=True)]
        shown = list(notes) if notes is not None else [None] * len(units)
        for y, total, note in zip(ys, left, shown, strict=True):
            text = f"{total}" if note is None else f"({note})"
            color = "black" if note is None else "#C62828"
            ax.text(
                total + max(max(left, default=0), 1) * 0.008, y, text, va="center", fontsize=7, color=color
            )
        ax.set_yticks(ys, labels)
        ax.invert_yaxis()
        ax.set_ylim(len(units) - 0.5, -0.5)
        ax.tick_params(axis="y", labelsize=7.5, length=0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("Số nhiệm vụ")
        ax.set_xlim(0, max(max(left, default=0), 1) * 1.08)
        ax.grid(axis="x", color="#DDDDDD", linewidth=0.5)
        ax.set_axisbelow(True)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
        if ax.get_legend_handles_labels()[0]:  # no bar, no legend (and no matplotlib warning)
            ax.legend(
                loc="lower center",
                bbox_to_anchor=(0.4, 1.0),
                ncol=3,
                frameon=False,
                fontsize=7.5,
                handlelength=1.2,
                columnspacing=1.2,
            )
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        _save(fig, path)
    return path


def rate_trend_chart(
    points: Sequence[tuple[str, float | None, float | None]], path: str | Path, *, title: str
) -> Path:
    """Lines of the on-time and completion rates (0..1, None for a month without data) by month."""
    path = Path(path)
    labels = [label for label, _, _ in points]
    xs = list(range(len(points)))

    def rates(i: int) -> list[float | None]:
        return [None if p[i] is None else float(p[i]) for p in points]  # type: ignore[arg-type]

    def series(values: list[float | None]) -> list[float]:
        return [math.nan if r is None else r * 100 for r in values]

    on_time_rates, completion_rates = rates(1), rates(2)
    on_time, completion = series(on_time_rates), series(completion_rates)
    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(7.0, 3.4), dpi=_DPI)
        ax = fig.add_subplot()
        ax.plot(xs, on_time, marker="o", color="#2E7D32", linewidth=2, label="Tỷ lệ đúng hạn")
        ax.plot(
            xs,
            completion,
            marker="s",
            color="#1E88E5",
            linewidth=1.4,
            linestyle="--",
            label="Tỷ lệ hoàn thành",
        )
        for values, below, color in ((on_time_rates, -12, "#2E7D32"), (completion_rates, 6, "#1E88E5")):
            for x, rate in zip(xs, values, strict=True):
                if rate is not None:
                    ax.annotate(
                        _rate_label(rate),
                        (x, rate * 100),
                        textcoords="offset points",
                        xytext=(0, below),
                        ha="center",
                        fontsize=7,
                        color=color,
                    )
        missing = [x for x, y in zip(xs, on_time, strict=True) if math.isnan(y)]
        for x in missing:
            ax.axvspan(x - 0.4, x + 0.4, color="#F2F2F2", zorder=0)
        ax.set_xticks(xs, labels)
        ax.tick_params(axis="x", labelsize=7)
        ax.set_ylim(0, 105)
        ax.yaxis.set_major_formatter(FuncFormatter(_axis_percent))
        ax.grid(axis="y", color="#DDDDDD", linewidth=0.5)
        ax.set_axisbelow(True)
        fig.suptitle(title, fontsize=10.5, fontweight="bold")
        handles, names = ax.get_legend_handles_labels()
        note = " (ô xám: chưa có số liệu trong lịch sử)" if missing else ""
        ax.legend(handles, names, loc="lower left", frameon=False, fontsize=8, title=note or None)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        _save(fig, path)
    return path


__all__ = ["CATEGORY_COLORS", "rate_trend_chart", "unit_category_chart"]
