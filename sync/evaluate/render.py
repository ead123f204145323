"""The evaluation on the terminal: each group's ranking, one line per unit."""

from __future__ import annotations

from sync.display import format_percent, format_short
from sync.evaluate import Evaluation, rank, rate
from sync.evaluate.year import NOT_SCORED
from sync.labels import GROUP_LABELS


def render_evaluation(ev: Evaluation) -> str:
    months = ", ".join(f"{r.month[5:]}/{r.month[:4]}" for r in ev.runs)
    lines = [f"Đánh giá năm {ev.year} (số liệu các tháng: {months})."]
    for group, label in GROUP_LABELS.items():
        rows = ev.table[ev.table["group"] == group]
        if rows.empty:
            continue
        lines += ["", f"{label}:", "Hạng  Mã           NV  Đúng hạn   Kỳ BC đúng/muộn/thiếu/không   Điểm"]
        for row in rows.to_dict("records"):
            periods = f"{row['on_time']}/{row['late']}/{row['incomplete']}/{row['not_reported']}"
            place, score = rank(row["rank"]), rate(row["score"])
            name = (
                row["name"]
                if score is not None
                else f"{row['name']} (không xếp hạng: {NOT_SCORED[row['not_scored']]})"
            )
            lines.append(
                f"{'—' if place is None else place:>4}  {str(row['code']):<10}  {int(row['due']):>3}"
                f"  {format_percent(rate(row['on_time_rate'])):>8}   {periods:<28}  "
                f"{'—' if score is None else format_short(score):>4}  {name}"
            )
    return "\n".join(lines)
