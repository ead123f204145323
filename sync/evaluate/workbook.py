"""The evaluation as an .xlsx for Sở Nội vụ: the ranking with every term, month by month, the formula."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import xlsxwriter

from sync.atomic import atomic_path
from sync.display import format_short
from sync.evaluate import Evaluation, rate
from sync.evaluate.year import NOT_SCORED
from sync.labels import GROUP_LABELS, REPORT_STATUS_LABELS
from sync.shapes.wrap import row_lines, row_points

#: The ranking tab's columns: (title, width, key in the table, kind).
COLUMNS: tuple[tuple[str, int, str, str], ...] = (
    ("Hạng trong nhóm", 8, "rank", "int"),
    ("Mã đơn vị", 11, "code", "code"),
    ("Đơn vị", 34, "name", "text"),
    ("Ghi chú", 22, "note", "text"),
    ("Nhiệm vụ đến hạn trong năm", 11, "due", "int"),
    ("Hoàn thành đúng hạn", 11, "completed_on_time", "int"),
    ("Hoàn thành quá hạn", 11, "completed_late", "int"),
    ("Còn quá hạn", 10, "in_progress_overdue", "int"),
    ("Chưa đến hạn", 10, "in_progress_on_time", "int"),
    ("Tỷ lệ hoàn thành", 11, "completion_rate", "percent"),
    ("Tỷ lệ đúng hạn", 11, "on_time_rate", "percent"),
    ("Kỳ báo cáo đúng hạn", 10, "on_time", "int"),
    ("Kỳ báo cáo muộn", 10, "late", "int"),
    ("Kỳ báo cáo chưa đầy đủ", 10, "incomplete", "int"),
    ("Kỳ không báo cáo", 10, "not_reported", "int"),
    ("Điểm theo tỷ lệ đúng hạn", 11, "band_points", "number"),
    ("Trừ: nhiệm vụ còn quá hạn", 11, "overdue_deduction", "number"),
    ("Trừ: kỳ không báo cáo", 11, "missed_report_deduction", "number"),
    ("Trừ: kỳ báo cáo muộn, chưa đầy đủ", 12, "late_report_deduction", "number"),
    ("Điểm", 9, "score", "number"),
)


def _formula_lines(ev: Evaluation) -> list[tuple[str, str]]:
    f = ev.formula
    pct = lambda x: format_short(x * 100) + "%"  # noqa: E731
    num = format_short
    return [
        ("Điểm", "điểm theo tỷ lệ đúng hạn − các khoản trừ (không thấp hơn 0)"),
        (
            "Tỷ lệ đúng hạn",
            "hoàn thành đúng hạn / (đã hoàn thành + còn quá hạn), các nhiệm vụ đến hạn trong năm",
        ),
        (f"Tỷ lệ ≥ {pct(f.band_high)}", f"{num(f.points_high)} điểm"),
        (f"Tỷ lệ từ {pct(f.band_low)} đến dưới {pct(f.band_high)}", f"{num(f.points_mid)} điểm"),
        (f"Tỷ lệ dưới {pct(f.band_low)}", f"{num(f.points_low)} điểm"),
        ("Trừ mỗi nhiệm vụ còn quá hạn", f"{num(f.per_overdue_task)} điểm"),
        (
            "Trừ mỗi kỳ không báo cáo",
            f"{num(f.per_missed_report)} điểm (không cập nhật, không đọc được, sai mẫu)",
        ),
        ("Trừ mỗi kỳ báo cáo muộn hoặc chưa đầy đủ", f"{num(f.per_late_report)} điểm"),
        (
            "Đơn vị có ít nhiệm vụ",
            "chấm như mọi đơn vị: tỷ lệ tính trên chính số nhiệm vụ của đơn vị (cột “Nhiệm vụ đến hạn "
            "trong năm” ghi số nhiệm vụ đó)",
        ),
        (
            "Không chấm điểm, không xếp hạng",
            "đơn vị không có nhiệm vụ đến hạn trong năm đã hoàn thành hoặc còn quá hạn (không có tỷ lệ "
            "để tính): vẫn có tên trong danh sách, sau các đơn vị được xếp hạng, cột “Ghi chú” ghi lý do",
        ),
        (
            "Kỳ chưa có nhiệm vụ",
            "tháng đơn vị chưa có nhiệm vụ nào không tính là kỳ báo cáo đúng hạn hay chậm",
        ),
        ("Xếp hạng", "trong từng nhóm (Sở, ban, ngành; UBND cấp xã); bằng điểm thì cùng hạng"),
        (
            "Số liệu",
            "lần tổng hợp của từng tháng trong năm (lần gần nhất của tháng; lần đã hủy không được dùng); "
            f"các tháng có số liệu: {', '.join(r.month[5:] + '/' + r.month[:4] for r in ev.runs)}",
        ),
    ]


def _code_width(ev: Evaluation) -> int:
    """The code column: as wide as the longest code (``X-BINHTHANHDONG``), never wrapped or cut."""
    return max([11, *(len(str(code)) + 2 for code in ev.table["code"])])


def _row_height(texts: dict[int, str], widths: dict[int, float]) -> float | None:
    """A row tall enough for its wrapped texts (None: one line, the default height)."""
    lines = row_lines(texts, widths, texts)
    return row_points(lines) if lines > 1 else None


def _cell(ws: Any, r: int, c: int, value: Any, kind: str, fmt: dict[str, Any]) -> None:
    if kind == "code":  # one line, whatever its length: the column is made wide enough
        ws.write_string(r, c, str(value), fmt["code"])
        return
    if kind == "text":
        if value == "":
            ws.write_blank(r, c, None, fmt["text"])
        else:
            ws.write_string(r, c, str(value), fmt["text"])  # never a formula, whatever a name holds
        return
    v = rate(value)  # None: a rate with nothing rated; the rank, terms and score of a unit not scored
    if v is None:
        ws.write_blank(r, c, None, fmt["text"])
    else:
        ws.write_number(r, c, v, fmt[kind])


def _ranking(wb: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Xếp loại")
    ws.write_string(0, 0, f"KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO NĂM {ev.year}", fmt["title"])
    widths = {
        c: float(_code_width(ev) if key == "code" else width)
        for c, (_t, width, key, _k) in enumerate(COLUMNS)
    }
    texts_at = [c for c, (_t, _w, _key, kind) in enumerate(COLUMNS) if kind == "text"]
    for c, (title, _width, _key, _kind) in enumerate(COLUMNS):
        ws.set_column(c, c, widths[c])
        ws.write_string(2, c, title, fmt["header"])
    ws.set_row(2, 48)  # the wrapped titles' height, said in the file (not every program computes it)
    ws.freeze_panes(3, 3)
    r = 3
    for group, label in GROUP_LABELS.items():
        rows = ev.table[ev.table["group"] == group]
        if rows.empty:
            continue
        ws.merge_range(r, 0, r, len(COLUMNS) - 1, label, fmt["group"])
        r += 1
        for row in rows.to_dict("records"):
            row["note"] = f"Không xếp hạng: {NOT_SCORED[row['not_scored']]}" if row["not_scored"] else ""
            for c, (_title, _width, key, kind) in enumerate(COLUMNS):
                _cell(ws, r, c, row[key], kind, fmt)
            height = _row_height({c: str(row[COLUMNS[c][2]] or "") for c in texts_at}, widths)
            if height is not None:  # said in the file: a printed page keeps it
                ws.set_row(r, height)
            r += 1
    _on_paper(ws, header_row=2)


def _on_paper(ws: Any, *, header_row: int) -> None:
    """A4 landscape, one page wide, the header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(header_row)


def _by_month(wb: Any, ev: Evaluation, fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet("Theo tháng")
    months = [int(r.month[5:]) for r in ev.runs]
    ws.write_string(0, 0, "Mã đơn vị", fmt["header"])
    ws.write_string(0, 1, "Đơn vị", fmt["header"])
    ws.set_column(0, 0, _code_width(ev))
    ws.set_column(1, 1, 34)
    ws.set_column(2, 1 + len(months), 14)
    for c, m in enumerate(months, start=2):
        ws.write_string(0, c, f"Tháng {m}", fmt["header"])
    status = ev.status()
    for r, row in enumerate(ev.table.to_dict("records"), start=1):
        ws.write_string(r, 0, str(row["code"]), fmt["code"])
        ws.write_string(r, 1, str(row["name"]), fmt["text"])
        if (height := _row_height({1: str(row["name"])}, {1: 34})) is not None:
            ws.set_row(r, height)
        for c, m in enumerate(months, start=2):
            s = status.get((row["code"], m))
            ws.write_string(r, c, REPORT_STATUS_LABELS.get(s, "—") if s else "—", fmt["text"])
    ws.set_row(0, 30)
    ws.freeze_panes(1, 2)
    _on_paper(ws, header_row=0)


def write_evaluation(ev: Evaluation, target: Path) -> Path:
    """Write the workbook to ``target`` atomically (the previous one stays whole on any failure)."""
    with atomic_path(target) as tmp:
        wb = xlsxwriter.Workbook(
            str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
        )
        wrap = {"text_wrap": True, "valign": "top", "border": 1}
        fmt = {
            "title": wb.add_format({"bold": True, "font_size": 13}),
            "header": wb.add_format({**wrap, "bold": True, "bg_color": "#D9E1F2", "align": "center"}),
            "group": wb.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1}),
            "text": wb.add_format(wrap),
            "code": wb.add_format({"valign": "top", "border": 1}),
            "int": wb.add_format({**wrap, "num_format": "0"}),
            "number": wb.add_format({**wrap, "num_format": "0.##"}),
            "percent": wb.add_format({**wrap, "num_format": "0.0%"}),
        }
        _ranking(wb, ev, fmt)
        _by_month(wb, ev, fmt)
        ws = wb.add_worksheet("Cách tính")
        ws.set_column(0, 0, 42)
        ws.set_column(1, 1, 90)
        for r, (term, text) in enumerate(_formula_lines(ev)):
            ws.set_row(r, _row_height({0: term, 1: text}, {0: 42, 1: 90}) or 15)
            ws.write_string(r, 0, term, fmt["text"])
            ws.write_string(r, 1, text, fmt["text"])
        _on_paper(ws, header_row=0)
        wb.close()
    return target
