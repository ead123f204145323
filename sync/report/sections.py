"""The sections of the meeting report, one function each, in the order of the document.

Each takes the month's ``ReportFacts`` (computed once by ``sync.report.facts``)
and the document, and writes its part: the heading and title, I. the figures,
2. the changes since last month, II. how the units reported, III. overdue
tasks, IV. extension requests, V. proposals, the signature, then the
appendices on landscape pages (I. per unit, II. all overdue tasks, III. all
extension requests when the body lists only the nearest). Column titles and
category labels come from the sheet schema and ``sync.labels``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docx.enum.section import WD_SECTION
from docx.shared import Pt

from sync.display import ROMAN, format_count, format_percent, format_points
from sync.labels import CATEGORY_LABELS, GROUP_LABELS, REPORT_STATUS_LABELS, STATUS_LABELS
from sync.model import CATEGORIES, grouped
from sync.normalize import format_date
from sync.report import docx as D
from sync.report.facts import (
    LAGGING_PROPOSAL_ORDER,
    LAGGING_TEXT_ORDER,
    STATUS_WORDS,
    Figures,
    ReportFacts,
    TaskFacts,
    UnitFacts,
)
from sync.report.months import month_short, month_words, unbreakable
from sync.schema import unit_sheet_schema

TITLE_TRICH_YEU = "Tình hình thực hiện nhiệm vụ do UBND tỉnh, Chủ tịch UBND tỉnh giao"
#: How many of the longest-overdue tasks (and nearest extension requests) the body lists.
BODY_OVERDUE_ROWS = 15
NO_OVERDUE = "Không có nhiệm vụ đang thực hiện quá hạn."
#: Why a unit's tasks are not in the figures, as the opening count says it.
UNCOUNTED_WORDS = {
    "unreadable": "chưa gửi báo cáo hoặc bảng theo dõi không đọc được",
    "invalid": "bảng theo dõi sai mẫu",
}
#: What stands in place of a chart that has nothing to show (no empty chart is drawn).
NO_CHART = {
    "trend": "(Biểu đồ 1 không được lập: lịch sử chưa có số liệu của từ hai tháng trở lên để thể hiện "
    "xu hướng.)",
    "units": "(Biểu đồ 2 không được lập: kỳ này chưa có nhiệm vụ nào của các đơn vị được tính.)",
}
DAYS_OVERDUE = "Số ngày quá hạn"


def _title(field: str) -> str:
    """A column's title in the unit sheet (``sheets_schema/unit-sheet.yaml``)."""
    return unit_sheet_schema()[field].title


def _date(d: date | None) -> str:
    return "" if d is None else format_date(d)


def _signed(n: int | None) -> str:
    """A change of count: ``+12``, ``−3``, ``0``; None -> ``—``."""
    if n is None:
        return "—"
    if n == 0:
        return "0"
    return ("+" if n > 0 else "−") + format_count(abs(n))


def _appendix_ref(facts: ReportFacts, heading: D.ReportHeading) -> str:
    return f"(Kèm theo Báo cáo số        /{heading.symbol} ngày {facts.as_of:%d/%m/%Y} của {heading.issuer_long})"


# ----------------------------------------------------------------- opening


#: Who reports, as the opening sentence names each group of units.
_GROUP_REPORTERS = {
    "so-nganh": "các sở, ban, ngành tỉnh",
    "cap-huyen": "UBND các huyện, thị xã, thành phố",
    "cap-xa": "UBND các xã, phường, đặc khu",
}


def _reporters(facts: ReportFacts) -> str:
    """“các sở, ban, ngành tỉnh và UBND các xã, phường, đặc khu”: the groups that have units."""
    names = [_GROUP_REPORTERS[g.group] for g in facts.groups] or [_GROUP_REPORTERS["so-nganh"]]
    return ", ".join(names[:-1]) + (" và " if len(names) > 1 else "") + names[-1]


def title_and_opening(doc: Any, facts: ReportFacts, heading: D.ReportHeading) -> None:
    """The heading block, “BÁO CÁO” over the title, and the opening paragraph."""
    D.national_heading(doc, heading, facts.as_of)
    D.para(doc, "BÁO CÁO", bold=True, align=D.CENTER, before=18, after=0)
    D.para(
        doc, unbreakable(f"{TITLE_TRICH_YEU} {month_words(facts.month)}"), bold=True, align=D.CENTER, after=0
    )
    D.short_rule(doc, 16.5, 4.0).paragraph_format.space_after = Pt(12)
    D.body(
        doc,
        f"Thực hiện chế độ báo cáo định kỳ, trên cơ sở số liệu {_reporters(facts)} "
        f"cập nhật trên hệ thống theo dõi nhiệm vụ (kỳ cập nhật từ ngày "
        f"{_date(facts.period_first_day)} đến ngày {_date(facts.period_cutoff)}, "
        f"tổng hợp ngày "
        f"{_date(facts.as_of)}), {heading.issuer_long} báo cáo tình hình thực hiện nhiệm vụ do UBND tỉnh, "
        f"Chủ tịch UBND tỉnh giao {month_words(facts.month)} như sau:",
    )


# ----------------------------------------------------------------- I. figures


def _table1_counts() -> list[tuple[str, Callable[[Figures], int]]]:
    def sub(category: str) -> str:
        return "  - " + CATEGORY_LABELS[category]

    return [
        ("Tổng số nhiệm vụ", lambda f: f.total),
        (STATUS_LABELS["completed"], lambda f: f.completed),
        (sub("completed_on_time"), lambda f: f["completed_on_time"]),
        (sub("completed_late"), lambda f: f["completed_late"]),
        (STATUS_LABELS["in_progress"], lambda f: f.in_progress),
        ("  - Trong hạn", lambda f: f["in_progress_on_time"]),
        ("  - Quá hạn", lambda f: f["in_progress_overdue"]),
        (CATEGORY_LABELS["no_deadline"], lambda f: f["no_deadline"]),
        (CATEGORY_LABELS["unclassified"], lambda f: f["unclassified"]),
    ]


def _comparison(
    facts: ReportFacts,
    label: str,
    value: Callable[[Figures], Any],
    show: Callable[[Any], str],
    change: Callable[[Any], str],
) -> list[str]:
    """One row of Bảng 1: this month, last month, the change, the same month last year."""

    def of(figures: Figures | None) -> Any:
        return None if figures is None else value(figures)

    now, before = of(facts.figures), of(facts.previous)
    delta = None if now is None or before is None else now - before
    return [label, show(now), show(before), change(delta), show(of(facts.last_year))]


def _table1_rows(facts: ReportFacts) -> list[list[str]]:
    """The counts then the rates, compared (``—``: not in the history)."""
    rates: list[tuple[str, Callable[[Figures], float | None]]] = [
        ("Tỷ lệ hoàn thành", lambda f: f.completion_rate),
        ("Tỷ lệ hoàn thành đúng hạn", lambda f: f.on_time_rate),
    ]
    return [_comparison(facts, label, count, format_count, _signed) for label, count in _table1_counts()] + [
        _comparison(facts, label, rate, format_percent, format_points) for label, rate in rates
    ]


def _of_units(facts: ReportFacts) -> str:
    """Whose tasks the figures count: “của 37 đơn vị”, or “của 35/37 đơn vị đã báo cáo (…)”.

    A unit is counted when its sheet was read, has the required columns and holds tasks, even
    when it was not updated; a unit with no task is not among those that reported (contract §3);
    the others are named by why they are left out.
    """
    counted, left_out, idle = len(facts.counted_units), facts.uncounted_units, facts.idle_units
    if not left_out and not idle:
        return f"của {counted} đơn vị"
    notes = [f"{len(idle)} đơn vị chưa có nhiệm vụ"] if idle else []
    why = [
        f"{n} đơn vị {UNCOUNTED_WORDS[s]}"
        for s in UNCOUNTED_WORDS
        if (n := sum(1 for u in left_out if u.report_status == s))
    ]
    if why:
        notes.append(
            f"{why[0]}, chưa tính" if len(why) == 1 else f"{len(left_out)} đơn vị chưa tính: {', '.join(why)}"
        )
    return f"của {counted}/{len(facts.units)} đơn vị đã báo cáo ({'; '.join(notes)})"


def _chart(doc: Any, charts: Mapping[str, Path], key: str, caption: str) -> None:
    """The chart ``key`` with its caption, or, when it had nothing to show, an italic line saying so."""
    if key in charts:
        D.figure(doc, charts[key], caption)
    else:
        D.para(doc, NO_CHART[key], size=12, italic=True, align=D.CENTER)


#: Bảng 1's rows kept with its caption: the table starts on the page its caption is on (the first page,
#: right after the figures) and goes on under its repeated header, so the first page is never left
#: half empty by a table moved whole to the next one
TABLE1_KEPT_ROWS = 3


def overall_figures(doc: Any, facts: ReportFacts, charts: Mapping[str, Path]) -> None:
    """I.1: the counts and rates, Bảng 1 (compared with last month and last year), Biểu đồ 1."""
    f = facts.figures
    D.section_title(doc, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
    D.section_title(doc, "1. Số liệu chung", level=2)
    D.body(
        doc, f"Tổng số nhiệm vụ đang theo dõi: {format_count(f.total)} nhiệm vụ {_of_units(facts)}, trong đó:"
    )
    lines = [
        f"- Đã hoàn thành: {format_count(f.completed)} nhiệm vụ (đúng hạn {format_count(f['completed_on_time'])}, "
        f"quá hạn {format_count(f['completed_late'])});",
        f"- Đang thực hiện: {format_count(f.in_progress)} nhiệm vụ (trong hạn "
        f"{format_count(f['in_progress_on_time'])}, quá hạn {format_count(f['in_progress_overdue'])});",
        f"- Nhiệm vụ thường xuyên, không thời hạn: {format_count(f['no_deadline'])} nhiệm vụ;",
    ]
    if f["unclassified"]:
        lines.append(
            f"- Chưa phân loại được (thời hạn để trống hoặc ghi sai): {format_count(f['unclassified'])} nhiệm vụ;"
        )
    lines.append(
        f"- Tỷ lệ hoàn thành: {format_percent(f.completion_rate)}; tỷ lệ hoàn thành đúng hạn: "
        f"{format_percent(f.on_time_rate)} (tính trên số nhiệm vụ đã hoàn thành và đang thực hiện "
        "quá hạn, theo cách tính của báo cáo chính thức)."
    )
    for line in lines:
        D.body(doc, line)
    D.body(
        doc,
        "So sánh với tháng trước và cùng kỳ năm trước (Bảng 1; dấu “—”: lịch sử chưa có số liệu):",
        keep_next=True,
    )
    rows = _table1_rows(facts)
    D.caption(doc, "Bảng 1. Số liệu chung")
    D.grid_table(
        doc,
        [
            "Chỉ tiêu",
            f"Tháng {month_short(facts.month)}",
            f"Tháng {month_short(facts.previous_month)}",
            "Tăng (+), giảm (−)",
            f"Cùng kỳ (Tháng {month_short(facts.last_year_month)})",
        ],
        rows,
        (5.3, 2.6, 2.6, 3.2, 2.8),
        left_cols=(0,),
        bold_rows=(0, len(rows) - 1),
        keep_rows=TABLE1_KEPT_ROWS,
    )
    D.gap(doc)
    _chart(doc, charts, "trend", "Biểu đồ 1. Tỷ lệ hoàn thành đúng hạn và tỷ lệ hoàn thành 12 tháng gần nhất")


# ----------------------------------------------------------------- I.2 changes


def changes_since_last_month(doc: Any, facts: ReportFacts) -> None:
    """I.2: tasks new, completed, overdue, with new deadlines, vanished since last month's run."""
    D.section_title(doc, "2. Biến động so với tháng trước", level=2)
    ch = facts.changes
    if ch is None:
        D.body(
            doc,
            f"Lịch sử chưa có lần tổng hợp của {month_words(facts.previous_month)} nên chưa so sánh được "
            "từng nhiệm vụ; từ tháng sau báo cáo sẽ nêu các nhiệm vụ mới hoàn thành, mới quá hạn, thay đổi "
            "thời hạn.",
        )
        return
    D.body(
        doc,
        f"So với lần tổng hợp ngày {_date(ch.since)} (số liệu {month_words(facts.previous_month)}):",
    )
    lines = (
        f"- Nhiệm vụ mới giao: {format_count(ch.new_tasks)}"
        + (
            f" (trong đó {format_count(ch.new_completed)} nhiệm vụ đã hoàn thành ngay trong kỳ)"
            if ch.new_completed
            else ""
        )
        + ";",
        f"- Nhiệm vụ hoàn thành thêm trong kỳ: {format_count(ch.newly_completed)};",
        f"- Nhiệm vụ chuyển sang quá hạn trong kỳ: {format_count(ch.newly_overdue)}"
        + (
            f" (ngoài ra {format_count(ch.new_overdue)} nhiệm vụ mới giao đã quá hạn)"
            if ch.new_overdue
            else ""
        )
        + ";",
        f"- Nhiệm vụ được điều chỉnh thời hạn, gia hạn: {format_count(ch.deadline_changes)}"
        + (f" (trong đó {format_count(ch.extended)} nhiệm vụ được gia hạn)" if ch.extended else "")
        + ";",
        f"- Nhiệm vụ không còn trong bảng theo dõi của đơn vị: {format_count(len(ch.vanished))}"
        + ("." if not ch.vanished else " (đề nghị đơn vị giải trình, xem danh sách dưới đây)."),
    )
    for line in lines:
        D.body(doc, line)
    if ch.vanished:
        D.grid_table(
            doc,
            ["TT", "Đơn vị", "Nhiệm vụ", "Phân loại tháng trước"],
            [
                [
                    str(i),
                    v.unit_name,
                    f"{v.summary} ({v.task_id or 'không có mã'})",
                    CATEGORY_LABELS.get(v.old_category or "", ""),
                ]
                for i, v in enumerate(ch.vanished, start=1)
            ],
            (1.0, 4.0, 8.0, 3.5),
            left_cols=(1, 2),
        )
        D.gap(doc)


# ----------------------------------------------------------------- II. reporting


def _lagging_note(u: UnitFacts, cutoff: date) -> str:
    """Why a unit is in Bảng 2, in plain words: never a finding's message (no file, path, cell or code)."""
    if u.not_counted:
        return f"{u.status_words.capitalize()}; số liệu của đơn vị chưa được tính"
    if u.report_status == "late":
        return f"{u.tasks_late}/{u.tasks_to_update} nhiệm vụ cập nhật sau ngày {_date(cutoff)}"
    # tasks the register gives the unit that its sheet lacks count as not updated (sync.classify)
    absent = f"{u.tasks_absent} nhiệm vụ được giao chưa có trong bảng theo dõi" if u.tasks_absent else ""
    if u.report_status == "missing":
        rows = f"{u.tasks_stale}/{u.tasks_to_update} nhiệm vụ chưa cập nhật" if u.tasks_to_update else ""
        return f"Không cập nhật trong kỳ ({'; '.join(p for p in (rows, absent) if p)})"
    rows = f"{u.tasks_stale}/{u.tasks_to_update} nhiệm vụ chưa cập nhật trong kỳ" if u.tasks_stale else ""
    return "; ".join(p for p in (rows, absent) if p)


def _lagging_rows(facts: ReportFacts, lagging: Sequence[UnitFacts]) -> tuple[list[list[str]], list[int]]:
    """Bảng 2's rows and its bold rows: with units of more than one group, each group opens with its
    row (I, II …: its name, how many of its units lag out of how many) and its units are numbered
    from 1, as Phụ lục I does."""
    rows: list[list[str]] = []
    bold: list[int] = []
    several = len(grouped(facts.units)) > 1
    accountable = dict(grouped(facts.accountable_units))  # a unit with no task cannot lag
    groups = grouped(lagging)
    for number, (group, units) in enumerate(groups, start=1):
        if several:
            bold.append(len(rows))
            label = f"{GROUP_LABELS[group]} ({len(units)}/{len(accountable[group])} đơn vị)"
            rows.append([ROMAN[number], label, "", "", ""])
        for i, u in enumerate(units, start=1):
            rows.append(
                [
                    str(i),
                    u.name,
                    REPORT_STATUS_LABELS[u.report_status],
                    _lagging_note(u, facts.period_cutoff),
                    REPORT_STATUS_LABELS.get(u.previous_status or "", "—"),
                ]
            )
    return rows, bold


def _how_units_reported(facts: ReportFacts) -> str:
    """“Kỳ này có x/y đơn vị cập nhật đầy đủ, đúng hạn; …”: y counts the units that had something to
    report, so a unit with no task (neither on time nor late, contract §3) is left out and said so."""
    accountable, idle = len(facts.accountable_units), len(facts.idle_units)
    if not accountable:
        return f"Kỳ này chưa đơn vị nào có nhiệm vụ để cập nhật ({idle} đơn vị chưa có nhiệm vụ)."
    on_time = len(facts.units_with("on_time"))
    head = f"Kỳ này có {on_time}/{accountable} đơn vị cập nhật đầy đủ, đúng hạn"
    if idle:
        head += f" (không tính {idle} đơn vị chưa có nhiệm vụ)"
    others = [
        f"{len(facts.units_with(s))} đơn vị {STATUS_WORDS[s]}"
        for s in LAGGING_TEXT_ORDER
        if facts.units_with(s)
    ]
    return "; ".join([head, *others]) + (" (chi tiết tại Bảng 2)." if on_time < accountable else ".")


def _chart_which(facts: ReportFacts) -> str:
    """What Biểu đồ 2 leaves out, for its caption: units with no task (no bar to draw) and, past a
    page of bars, the communes with fewer overdue tasks."""
    shown, everyone = len(facts.chart_units), len(facts.units)
    if shown == everyone:
        return ""
    parts = []
    if shown < len(facts.drawable_units):
        parts.append("các sở, ban, ngành và đơn vị có nhiều nhiệm vụ quá hạn nhất")
    if without := everyone - len(facts.drawable_units):
        parts.append(f"không thể hiện {without} đơn vị chưa có nhiệm vụ")
    return f"; {shown}/{everyone} đơn vị: {', '.join(parts)}, đủ các đơn vị tại Phụ lục I"


def unit_reporting(doc: Any, facts: ReportFacts, cutoff_day: int, charts: Mapping[str, Path]) -> None:
    """II: how many units updated on time, Bảng 2 (the others, with why), Biểu đồ 2."""
    D.section_title(doc, "II. TÌNH HÌNH CẬP NHẬT, BÁO CÁO CỦA CÁC ĐƠN VỊ")
    D.body(
        doc,
        f"Theo quy định, các đơn vị cập nhật kết quả thực hiện nhiệm vụ trước ngày {cutoff_day} hằng tháng. "
        + _how_units_reported(facts),
    )
    lagging = facts.lagging
    if lagging:
        D.caption(doc, "Bảng 2. Đơn vị chưa cập nhật đầy đủ, đúng hạn")
        rows, bold = _lagging_rows(facts, lagging)
        D.grid_table(
            doc,
            ["TT", "Đơn vị", "Tình trạng", "Ghi chú", "Tháng trước"],
            rows,
            (1.0, 4.2, 2.8, 5.8, 2.7),
            left_cols=(1, 3),
            bold_rows=bold,
        )
        D.gap(doc)
    _chart(
        doc,
        charts,
        "units",
        f"Biểu đồ 2. Tình hình thực hiện nhiệm vụ của từng đơn vị (số nhiệm vụ theo phân loại{_chart_which(facts)})",
    )


# ----------------------------------------------------------------- III. overdue


def overdue(doc: Any, facts: ReportFacts) -> None:
    """III: how many tasks are overdue, where, and Bảng 3 (the longest overdue, with obstacles)."""
    D.section_title(doc, "III. NHIỆM VỤ QUÁ HẠN, NGUYÊN NHÂN")
    if not facts.overdue:
        D.body(doc, NO_OVERDUE)
        return
    top_units = ", ".join(f"{name} ({n})" for name, n in facts.overdue_by_unit[:5])
    D.body(
        doc,
        f"Có {format_count(len(facts.overdue))} nhiệm vụ đang thực hiện quá hạn tại {len(facts.overdue_by_unit)} "
        f"đơn vị; nhiều nhất: {top_units}. Có {format_count(facts.overdue_with_obstacles)} nhiệm vụ đơn vị nêu "
        f"khó khăn, vướng mắc. Danh sách {min(BODY_OVERDUE_ROWS, len(facts.overdue))} nhiệm vụ quá hạn lâu "
        "nhất tại Bảng 3; toàn bộ danh sách tại Phụ lục II.",
    )
    D.caption(doc, "Bảng 3. Nhiệm vụ quá hạn lâu nhất")
    D.grid_table(
        doc,
        [
            "TT",
            _title("lead_unit"),
            _title("summary"),
            _title("deadline"),
            DAYS_OVERDUE,
            "Khó khăn, vướng mắc",
        ],
        [
            [
                str(i),
                t.unit_name,
                t.label,
                _date(t.deadline),
                format_count(t.days_overdue),
                t.obstacles or "Đơn vị chưa nêu",
            ]
            for i, t in enumerate(facts.overdue[:BODY_OVERDUE_ROWS], start=1)
        ],
        (0.9, 2.6, 5.3, 2.3, 1.5, 3.9),
        size=11,
        left_cols=(1, 2, 5),
    )
    D.gap(doc)


# ----------------------------------------------------------------- IV. extension requests


def _extension_table(
    doc: Any, tasks: Sequence[TaskFacts], *, widths: Sequence[float], size: float = 11
) -> None:
    D.grid_table(
        doc,
        [
            "TT",
            "Đơn vị",
            _title("summary"),
            "Thời hạn hiện tại",
            _title("extension_request"),
            "Lý do, khó khăn",
        ],
        [
            [
                str(i),
                t.unit_name,
                t.label,
                _date(t.deadline),
                _date(t.extension_request),
                t.obstacles or "",
            ]
            for i, t in enumerate(tasks, start=1)
        ],
        widths,
        size=size,
        left_cols=(1, 2, 5),
    )


def extension_requests(doc: Any, facts: ReportFacts) -> None:
    """IV: extension requests waiting for the leaders, Bảng 4 (the nearest deadlines first)."""
    D.section_title(doc, "IV. ĐỀ NGHỊ GIA HẠN CHƯA ĐƯỢC XEM XÉT")
    pending = facts.pending
    if not pending:
        D.body(doc, "Không có đề nghị gia hạn đang chờ xem xét.")
        return
    D.body(
        doc,
        f"Có {format_count(len(pending))} nhiệm vụ đơn vị đề nghị gia hạn nhưng chưa được điều chỉnh thời hạn "
        "(đơn vị đã ghi “Đề nghị gia hạn đến”, thời hạn chưa được điều chỉnh theo đề nghị), kính trình "
        "lãnh đạo UBND tỉnh xem xét:",
        keep_next=True,
    )
    D.caption(doc, "Bảng 4. Đề nghị gia hạn")
    _extension_table(doc, pending[:BODY_OVERDUE_ROWS], widths=(0.9, 2.6, 5.0, 2.3, 2.3, 3.4))
    if len(pending) > BODY_OVERDUE_ROWS:
        D.para(
            doc,
            f"(Bảng 4 nêu {BODY_OVERDUE_ROWS} đề nghị có thời hạn gần nhất; toàn bộ {format_count(len(pending))} "
            "đề nghị tại Phụ lục III.)",
            size=12,
            italic=True,
            align=D.CENTER,
        )
    D.gap(doc)


# ----------------------------------------------------------------- V. proposals


def proposals(doc: Any, facts: ReportFacts, heading: D.ReportHeading, cutoff_day: int) -> None:
    """V: what the Office asks the Committee to do, then the closing sentence."""
    D.section_title(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ")
    D.body(doc, f"{heading.issuer_long} kính đề nghị UBND tỉnh, Chủ tịch UBND tỉnh:")
    items: list[str] = []
    laggards = [u.name for s in LAGGING_PROPOSAL_ORDER for u in facts.units_with(s)]
    if laggards:
        items.append(
            "Nhắc nhở các đơn vị chưa cập nhật đầy đủ, đúng hạn ("
            + ", ".join(laggards)
            + ") cập nhật kết quả "
            f"thực hiện nhiệm vụ trước ngày {cutoff_day} hằng tháng theo đúng mẫu bảng theo dõi."
        )
    if facts.overdue:
        items.append(
            "Chỉ đạo các đơn vị có nhiều nhiệm vụ quá hạn ("
            + ", ".join(name for name, _ in facts.overdue_by_unit[:5])
            + ") tập trung giải quyết dứt điểm, báo cáo rõ nguyên nhân và thời gian hoàn thành."
        )
    if facts.pending:
        items.append(
            f"Xem xét, cho ý kiến đối với {format_count(len(facts.pending))} đề nghị gia hạn tại Mục IV."
        )
    if not items:
        items.append("Tiếp tục chỉ đạo các đơn vị duy trì việc cập nhật và thực hiện nhiệm vụ đúng hạn.")
    for i, text in enumerate(items, start=1):
        D.body(doc, f"{i}. {text}")
    D.body(
        doc,
        f"Trên đây là báo cáo tình hình thực hiện nhiệm vụ {month_words(facts.month)} của {heading.issuer_long}./.",
    )


# ----------------------------------------------------------------- appendices


def appendix_units(doc: Any, facts: ReportFacts, heading: D.ReportHeading) -> None:
    """Phụ lục I, opening the landscape pages: one row per unit (counts, rates, status), then the total."""
    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    D.margins(appendix, landscape=True)
    appendix.different_first_page_header_footer = False
    D.appendix_heading(
        doc,
        "Phụ lục I",
        unbreakable(f"TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CỦA CÁC ĐƠN VỊ {month_words(facts.month).upper()}"),
        _appendix_ref(facts, heading),
        page_break=False,
    )

    def row(
        no: str, name: str, counts: Mapping[str, int], cr: float | None, otr: float | None, status: str
    ) -> list[str]:
        figures = (format_count(int(counts.get(k, 0))) for k in ("total", *CATEGORIES))
        return [no, name, *figures, format_percent(cr), format_percent(otr), status]

    rows: list[list[str]] = []
    bold: list[int] = []
    groups = facts.groups
    for number, group in enumerate(groups, start=1):
        if len(groups) > 1:  # the group's subtotal and rates above its units, numbered afresh
            g = group.figures
            bold.append(len(rows))
            label = f"{group.name} ({len(group.units)} đơn vị)"
            rows.append(row(ROMAN[number], label, g.counts, g.completion_rate, g.on_time_rate, ""))
        rows += [
            row(
                str(i),
                u.name,
                u.counts,
                u.completion_rate,
                u.on_time_rate,
                REPORT_STATUS_LABELS[u.report_status],
            )
            for i, u in enumerate(group.units, start=1)
        ]
    f = facts.figures
    bold.append(len(rows))
    rows.append(row("", "Tổng cộng", f.counts, f.completion_rate, f.on_time_rate, ""))
    D.grid_table(
        doc,
        [
            "TT",
            "Đơn vị",
            "Tổng số",
            *(CATEGORY_LABELS[k] for k in CATEGORIES),
            "Tỷ lệ hoàn thành",
            "Tỷ lệ đúng hạn",
            "Tình trạng báo cáo",
        ],
        rows,
        (0.9, 5.6, 1.5, 1.8, 1.8, 1.8, 1.8, 1.7, 1.6, 1.8, 1.8, 2.9),
        size=11,
        left_cols=(1,),
        bold_rows=bold,
    )


def appendix_overdue(doc: Any, facts: ReportFacts, heading: D.ReportHeading) -> None:
    """Phụ lục II: every overdue task, with its document, progress and obstacles."""
    D.appendix_heading(
        doc,
        "Phụ lục II",
        unbreakable(f"DANH SÁCH NHIỆM VỤ QUÁ HẠN {month_words(facts.month).upper()}"),
        _appendix_ref(facts, heading),
    )
    if not facts.overdue:
        D.para(doc, NO_OVERDUE, align=D.CENTER)
        return
    D.grid_table(
        doc,
        [
            "TT",
            *(_title(name) for name in ("lead_unit", "task_id", "summary")),
            "Văn bản giao",
            _title("deadline"),
            DAYS_OVERDUE,
            *(_title(name) for name in ("progress", "obstacles")),
        ],
        [
            [
                str(i),
                t.unit_name,
                t.task_id or "",
                t.summary,
                t.doc,
                _date(t.deadline),
                format_count(t.days_overdue),
                t.progress or "",
                t.obstacles or "",
            ]
            for i, t in enumerate(facts.overdue, start=1)
        ],
        (0.9, 3.0, 2.2, 5.6, 2.4, 2.0, 1.5, 3.6, 4.0),
        size=10,
        left_cols=(1, 3, 7, 8),
    )


def appendix_extensions(doc: Any, facts: ReportFacts, heading: D.ReportHeading) -> None:
    """Phụ lục III, only when Bảng 4 could not list every extension request."""
    if len(facts.pending) <= BODY_OVERDUE_ROWS:
        return
    D.appendix_heading(
        doc,
        "Phụ lục III",
        unbreakable(f"DANH SÁCH ĐỀ NGHỊ GIA HẠN CHƯA ĐƯỢC XEM XÉT {month_words(facts.month).upper()}"),
        _appendix_ref(facts, heading),
    )
    _extension_table(doc, facts.pending, widths=(0.9, 3.6, 9.0, 2.4, 2.4, 6.9), size=10)


# ----------------------------------------------------------------- the document


def build_document(
    facts: ReportFacts, heading: D.ReportHeading, cutoff_day: int, charts: Mapping[str, Path]
) -> Any:
    """The whole report as a python-docx ``Document`` (not saved)."""
    doc = D.new_document(
        title=f"Báo cáo {TITLE_TRICH_YEU.lower()} {month_words(facts.month)}",
        author=f"{heading.issuer_long} ({heading.place})",
        subject="Báo cáo định kỳ phục vụ phiên họp thường kỳ UBND tỉnh",
        keywords=f"ubnd-sync; lần tổng hợp {facts.run_id}; {facts.as_of.isoformat()}",
        stamp=facts.as_of,
    )
    title_and_opening(doc, facts, heading)
    overall_figures(doc, facts, charts)
    changes_since_last_month(doc, facts)
    unit_reporting(doc, facts, cutoff_day, charts)
    overdue(doc, facts)
    extension_requests(doc, facts)
    proposals(doc, facts, heading, cutoff_day)
    D.signature(doc, heading)
    appendix_units(doc, facts, heading)
    appendix_overdue(doc, facts, heading)
    appendix_extensions(doc, facts, heading)
    return doc


__all__ = ["BODY_OVERDUE_ROWS", "TITLE_TRICH_YEU", "build_document"]
