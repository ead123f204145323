"""The summary workbook's ``So sánh`` tab: each unit this period against the latest run of an earlier one."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sync.display import ROMAN, rounded_rate
from sync.labels import GROUP_LABELS, REPORT_STATUS_LABELS
from sync.model import Counts, RunResult, grouped
from sync.summary.tables import Column, Table

if TYPE_CHECKING:  # at run time only attributes are read: no import cycle with sync.history
    from sync.history import RunSnapshot

#: Tab name of the comparison table in the summary workbook.
TAB_COMPARISON = "So sánh"

#: The measures compared, each in three columns (this period, the previous one, the change).
MEASURES = (
    ("Tổng số", "int"),
    ("Đã hoàn thành", "int"),
    ("Đang thực hiện quá hạn", "int"),
    ("Tỷ lệ hoàn thành", "percent"),
    ("Tỷ lệ đúng hạn", "percent"),
)
_RATES_FROM = 3  # measures from this index on are rates: their change is rounded to 4 digits
_NONE = [None] * len(MEASURES)


def _delta(a: float | int | None, b: float | int | None, *, digits: int | None = None) -> float | int | None:
    if a is None or b is None:
        return None
    d = a - b
    return round(d, digits) if digits is not None else d


def _measures(counts: dict[str, Any], completion_rate: float | None, on_time_rate: float | None) -> list[Any]:
    """The values of ``MEASURES`` for one unit or the total; rates as the workbook shows them."""
    tally = Counts.from_dict(counts)
    return [
        tally.total,
        tally.completed,
        tally.in_progress_overdue,
        rounded_rate(completion_rate),
        rounded_rate(on_time_rate),
    ]


def _of(unit: Any) -> list[Any]:
    """``_measures`` of a unit of a result or of a snapshot."""
    return _measures(unit.counts, unit.completion_rate, unit.on_time_rate)


def _of_totals(totals: dict[str, Any]) -> list[Any]:
    return _measures(totals["counts"], totals["completion_rate"], totals["on_time_rate"])


def _columns(now: str, before: str, codes: list[str]) -> list[Column]:
    # the code column as wide as the longest code of either run: a code is never cut or wrapped
    cols = [Column("Mã đơn vị", max([11, *(len(c) + 2 for c in codes)])), Column("Đơn vị", 36)]
    for title, kind in MEASURES:
        cols += [
            Column(f"{title} – {now}", 13, kind),
            Column(f"{title} – {before}", 13, kind),
            Column(f"{title} – tăng (+)/giảm (−)", 13, kind),
        ]
    return [*cols, Column(f"Tình trạng báo cáo – {now}", 20), Column(f"Tình trạng báo cáo – {before}", 20)]


def _row(
    code: str, name: str, cur: list[Any], prev: list[Any], status_now: str, status_before: str
) -> list[Any]:
    cells: list[Any] = [code, name]
    for i in range(len(MEASURES)):
        cells += [cur[i], prev[i], _delta(cur[i], prev[i], digits=4 if i >= _RATES_FROM else None)]
    return [*cells, status_now, status_before]


def _add_note(t: Table, result: RunResult, previous: RunSnapshot | None) -> None:
    """What is compared with what: a note below the table, outside its filter."""
    if previous is None:
        t.notes.append(
            "Chưa có lần tổng hợp nào của kỳ trước trong lịch sử để so sánh (đây là kỳ đầu tiên được ghi "
            "lịch sử). Từ kỳ sau, bảng này so sánh từng đơn vị với kỳ trước."
        )
    else:
        t.notes.append(
            f"So sánh lần tổng hợp ngày {result.as_of:%d/%m/%Y} (kỳ đến {result.period.cutoff:%d/%m/%Y}) với "
            f"lần tổng hợp số {previous.id} ngày {previous.as_of:%d/%m/%Y} "
            f"(kỳ đến {previous.period.cutoff:%d/%m/%Y})."
        )


def _status(code: str) -> str:
    return REPORT_STATUS_LABELS.get(code, code)


def _subtotal(units: list[Any]) -> list[Any]:
    """``_measures`` of a group: its units' counts summed, rates from the sums."""
    sub = sum((Counts.from_dict(u.counts) for u in units), Counts())
    return _measures(sub.as_dict(), sub.completion_rate, sub.on_time_rate)


def _add_units(t: Table, result: RunResult, previous: RunSnapshot | None) -> None:
    """A row per unit of this run, then a row per unit of the previous run no longer configured.

    With units of more than one group, each group opens with its row (I, II …) as in Thống kê:
    this period's subtotal against the previous run's subtotal of the units it had in that group.
    """
    prev_units = {u.code: u for u in previous.units} if previous else {}
    prev_groups = dict(grouped(list(prev_units.values())))
    groups = grouped(result.units)
    for number, (group, units) in enumerate(groups, start=1):
        if len(groups) > 1:
            before = prev_groups.get(group)
            label = f"{GROUP_LABELS[group]} ({len(units)} đơn vị)"
            t.add(
                _row(ROMAN[number], label, _subtotal(units), _subtotal(before) if before else _NONE, "", ""),
                "total",
            )
        for u in units:
            p = prev_units.get(u.code)
            prev = _of(p) if p else _NONE
            t.add(
                _row(
                    u.code,
                    u.name,
                    _of(u),
                    prev,
                    REPORT_STATUS_LABELS[u.report_status],
                    _status(p.report_status) if p else "",
                )
            )
    current_codes = {u.code for u in result.units}
    for p in previous.units if previous else []:
        if p.code not in current_codes:
            t.add(
                _row(
                    p.code,
                    f"{p.name} (không còn trong cấu hình)",
                    _NONE,
                    _of(p),
                    "",
                    _status(p.report_status),
                )
            )


def comparison_table(result: RunResult, previous: RunSnapshot | None) -> Table:
    """The ``So sánh`` tab: per unit, this run against the latest run of an earlier period.

    Columns per measure: this period, the previous one, and the change (rates in
    percentage points). A note below the table says which runs are compared; with no
    previous run it says so, and the unit rows carry this period's figures only.
    """
    now = f"kỳ {result.period.cutoff:%m/%Y}"
    before = f"kỳ {previous.period.cutoff:%m/%Y}" if previous else "kỳ trước"
    # on paper two pages wide (19 columns), each page led by the unit
    codes = [u.code for u in result.units] + ([u.code for u in previous.units] if previous else [])
    t = Table(TAB_COMPARISON, _columns(now, before, codes), pages_wide=2, repeat_columns=2)
    _add_note(t, result, previous)
    _add_units(t, result, previous)
    prev_totals = _of_totals(previous.totals) if previous else _NONE
    t.add(_row("", "Tổng cộng", _of_totals(result.totals), prev_totals, "", ""), "total")
    return t


__all__ = ["TAB_COMPARISON", "comparison_table"]
