"""The evaluation on the terminal: each group's ranking, one line per unit."""

from __future__ import annotations

from sync.display import format_percent, format_short
from sync.evaluate import Evaluation, rate
from sync.labels import GROUP_LABELS


def render_evaluation(ev: Evaluation) -> str:
    months = ", ".join(f"{r.month[5:]}/{r.month[:4]}" for r in ev.runs)
    lines = [f"Đánh giá năm {ev.year} (số liệu các tháng: {months})."]
    for group, label in GROUP_LABELS.items():
        rows = ev.table[ev.table["group"] == group]
        if rows.empty:
            continue
        lines += ["", f"{label}:", "Hạng  Mã          Đúng hạn   Kỳ BC đúng/muộn/thiếu/không   Điểm"]
        for row in rows.to_dict("records"):
            periods = f"{row['on_time']}/{row['late']}/{row['incomplete']}/{row['not_reported']}"
            lines.append(
                f"{int(row['rank']):>4}  {str(row['code']):<10}  {format_percent(rate(row['on_time_rate'])):>8}"
                f"   {periods:<28}  {format_short(float(row['score']))}  {row['name']}"
            )
    return "\n".join(lines)
