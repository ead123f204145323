"""The report for the Committee's regular meeting: a .docx (and a PDF when LibreOffice is present).

``write_report`` reads the history only, never the units' sheets, so the report
for a past month can be made again at any time. The month of a run is the
month of its reporting period's cutoff (a run as of 05/11/2024 with cutoff day
25 reports on the period ending 25/10/2024: “tháng 10 năm 2024”); the latest
run of that month is used.

The document follows Nghị định 30/2020/NĐ-CP: A4, margins top/bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman 14 pt (tables 12, appendices 11);
the issuing body and the number placeholder on the left and the national title
and motto on the right of a borderless two-column table; place and date in
italics; the document kind “BÁO CÁO” in bold capitals over the title; page
numbers centred in the top margin from page 2; recipients and the signature
block at the end; the appendices (per-unit table, full overdue list) on
landscape pages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph

from sync.charts import rate_trend_chart, unit_category_chart
from sync.config import Config
from sync.exceptions import UsageError
from sync.history import Diff, History, HistoryError, RunInfo, RunSnapshot, TaskSnapshot, diff
from sync.labels import CATEGORY_LABELS, REPORT_STATUS_LABELS
from sync.model import CATEGORIES
from sync.normalize import format_date
from sync.summary import new_file_mode

FONT = "Times New Roman"
TITLE_TRICH_YEU = "Tình hình thực hiện nhiệm vụ do UBND tỉnh, Chủ tịch UBND tỉnh giao"
#: How many of the longest-overdue tasks the body lists (all are in Phụ lục II).
BODY_OVERDUE_ROWS = 15


@dataclass(frozen=True, slots=True)
class ReportHeading:
    """Who issues the report and where; defaults are the Office of UBND tỉnh Kiên Giang."""

    parent: str = "UBND TỈNH KIÊN GIANG"
    issuer: str = "VĂN PHÒNG"
    symbol: str = "BC-VP"
    place: str = "Kiên Giang"
    issuer_long: str = "Văn phòng UBND tỉnh"
    signer_title: str = "CHÁNH VĂN PHÒNG"
    recipients: tuple[str, ...] = (
        "- Chủ tịch, các PCT UBND tỉnh;",
        "- Các sở, ban, ngành tỉnh;",
        "- UBND các huyện, thành phố;",
        "- Lãnh đạo Văn phòng;",
        "- Lưu: VT, TH.",
    )

    @classmethod
    def from_config(cls, config: Config) -> ReportHeading:
        """The defaults, with what the config's ``[report]`` section sets."""
        r = config.report
        given = {name: getattr(r, name) for name in r.__slots__ if getattr(r, name) is not None}
        return cls(**given)


@dataclass(slots=True)
class ReportFiles:
    """What ``write_report`` produced."""

    docx: Path
    pdf: Path | None
    #: why there is no PDF (LibreOffice absent, conversion failed); None when there is one
    pdf_note: str | None
    charts: list[Path] = field(default_factory=list)
    run_id: int = 0
    month: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "run_id": self.run_id,
            "docx": str(self.docx),
            "pdf": str(self.pdf) if self.pdf else None,
            "pdf_note": self.pdf_note,
            "charts": [str(p) for p in self.charts],
        }


# ----------------------------------------------------------------- numbers and dates


def fmt_int(n: int | None) -> str:
    """1356 -> ``1.356`` (Vietnamese thousands separator); None -> ``—``."""
    return "—" if n is None else f"{n:,}".replace(",", ".")


def fmt_pct(x: float | None) -> str:
    """0.5778 -> ``57,8%``; None -> ``—``."""
    return "—" if x is None else f"{x * 100:.1f}%".replace(".", ",")


def fmt_signed(n: float | None, *, pct: bool = False) -> str:
    if n is None:
        return "—"
    if pct:
        value = round(n * 100, 1)
        if value == 0:
            return "0"
        return ("+" if value > 0 else "−") + f"{abs(value):.1f}".replace(".", ",") + " điểm %"
    if n == 0:
        return "0"
    return ("+" if n > 0 else "−") + fmt_int(int(abs(n)))


def fmt_date(d: date | None) -> str:
    return "" if d is None else format_date(d)


def place_date(place: str, d: date) -> str:
    """NĐ 30: a zero before days below 10 and before months 1 and 2."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{place}, ngày {d.day:02d} tháng {month} năm {d.year}"


def parse_month(month: str) -> tuple[int, int]:
    try:
        y, m = month.split("-")
        year, mon = int(y), int(m)
        if len(y) != 4 or not 1 <= mon <= 12:
            raise ValueError
    except ValueError:
        raise UsageError(f"tháng “{month}” không đúng dạng YYYY-MM (ví dụ 2024-10)") from None
    return year, mon


def shift_month(month: str, delta: int) -> str:
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_words(month: str) -> str:
    year, mon = parse_month(month)
    return f"tháng {mon} năm {year}"


def month_short(month: str) -> str:
    year, mon = parse_month(month)
    return f"{mon}/{year}"


def _completed(counts: dict[str, Any]) -> int:
    return int(counts.get("completed_on_time", 0)) + int(counts.get("completed_late", 0))


def _in_progress(counts: dict[str, Any]) -> int:
    return int(counts.get("in_progress_on_time", 0)) + int(counts.get("in_progress_overdue", 0))


# ----------------------------------------------------------------- python-docx helpers


def _set_run_font(
    run: Any, size: float | None = None, bold: bool | None = None, italic: bool | None = None
) -> None:
    run.font.name = FONT
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.bold = bold
    if italic is not None:
        run.italic = italic


def _para(
    container: Any,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.JUSTIFY,
    indent: bool = False,
    before: float = 0,
    after: float = 6,
    keep_next: bool = False,
) -> Paragraph:
    p: Paragraph = container.add_paragraph()
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    pf.line_spacing = 1.15 if size >= 13 else 1.0
    if indent:
        pf.first_line_indent = Cm(1)
    if keep_next:
        pf.keep_with_next = True
    if text:
        _set_run_font(p.add_run(text), size, bold, italic)
    return p


def _runs(p: Paragraph, parts: Iterable[tuple[str, bool]], size: float = 14) -> Paragraph:
    for text, bold in parts:
        _set_run_font(p.add_run(text), size, bold)
    return p


def _cell_para(
    cell: _Cell,
    text: str,
    *,
    size: float = 12,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
) -> Paragraph:
    p = (
        cell.paragraphs[0]
        if not cell.paragraphs[0].text and len(cell.paragraphs[0].runs) == 0
        else cell.add_paragraph()
    )
    p.alignment = align
    pf = p.paragraph_format
    pf.space_before = Pt(1)
    pf.space_after = Pt(1)
    pf.line_spacing = 1.0
    if text:
        _set_run_font(p.add_run(text), size, bold, italic)
    return p


def _short_rule(container: Any, width_cm: float, line_cm: float) -> Paragraph:
    """A short centred line (NĐ 30's rule under the issuer, the motto and the title).

    An empty paragraph of its own, 3 pt high, with a bottom border narrowed by indents.
    """
    p: Paragraph = container.add_paragraph()
    side = max((width_cm - line_cm) / 2, 0)
    pf = p.paragraph_format
    pf.left_indent = Cm(side)
    pf.right_indent = Cm(side)
    pf.space_before = Pt(0)
    pf.space_after = Pt(0)
    pf.line_spacing = Pt(3)
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "6")
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), "000000")
    bdr.append(bottom)
    ppr.append(bdr)
    return p


def _no_borders(table: DocxTable) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _set_widths(table: DocxTable, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    grid = table._tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_cm, strict=False):
        col.set(qn("w:w"), str(int(Cm(w).twips)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(w)


def _shade(cell: _Cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    tc_pr.append(shd)


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cant_split(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:cantSplit"))


def _grid_table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_cm: Sequence[float],
    *,
    size: float = 12,
    left_cols: Iterable[int] = (),
    bold_rows: Iterable[int] = (),
    keep_together: bool = False,
) -> DocxTable:
    """A bordered table with a bold shaded header repeated on each page."""
    left = set(left_cols)
    bold = set(bold_rows)
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    head = table.rows[0]
    _repeat_header(head)
    for cell, text in zip(head.cells, headers, strict=True):
        _cell_para(cell, text, size=size, bold=True)
        _shade(cell, "D9E2F3")
    for i, values in enumerate(rows):
        row = table.add_row()
        _cant_split(row)
        for j, (cell, text) in enumerate(zip(row.cells, values, strict=True)):
            align = WD_ALIGN_PARAGRAPH.LEFT if j in left else WD_ALIGN_PARAGRAPH.CENTER
            _cell_para(cell, text, size=size, bold=i in bold, align=align)
            if i in bold:
                _shade(cell, "F2F2F2")
    _set_widths(table, widths_cm)
    if keep_together:
        for row in table.rows[:-1]:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True
    return table


def _page_number_header(section: Any) -> None:
    """Page number centred in the top margin, not on the first page (NĐ 30)."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run()
    _set_run_font(run, 13)
    for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _margins(section: Any, *, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin = Mm(20)
    section.bottom_margin = Mm(20)
    section.left_margin = Mm(30)
    section.right_margin = Mm(15)
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


# ----------------------------------------------------------------- the data of one report


@dataclass(slots=True)
class _Data:
    month: str
    current: RunSnapshot
    previous: RunSnapshot | None
    last_year: RunInfo | None
    change: Diff | None
    trend: list[tuple[str, float | None, float | None]]


def _load(history: History, month: str | None) -> _Data:
    if month is None:
        latest = history.latest_run()
        if latest is None:
            raise HistoryError(
                "lịch sử chưa có lần tổng hợp nào; chạy “ubnd-sync sync” trước khi lập báo cáo."
            )
        month = latest.month
    else:
        parse_month(month)
    info = history.run_for_month(month)
    if info is None or info.id is None:
        months = sorted({r.month for r in history.runs()})
        listed = ", ".join(month_short(m) for m in months) or "chưa có"
        raise HistoryError(
            f"lịch sử không có lần tổng hợp nào cho {month_words(month)} (kỳ cập nhật kết thúc trong tháng đó). "
            f"Các tháng đã có: {listed}."
        )
    current = history.load(info.id)
    prev_info = history.run_for_month(shift_month(month, -1))
    previous = history.load(prev_info.id) if prev_info and prev_info.id is not None else None
    last_year = history.run_for_month(shift_month(month, -12))
    trend: list[tuple[str, float | None, float | None]] = []
    for back in range(11, -1, -1):
        m = shift_month(month, -back)
        r = current.info if back == 0 else history.run_for_month(m)
        label = f"T{int(m[5:])}\n{m[:4]}"
        if r is None:
            trend.append((label, None, None))
        else:
            trend.append((label, r.totals.get("on_time_rate"), r.totals.get("completion_rate")))
    change = diff(previous, current) if previous is not None else None
    return _Data(month, current, previous, last_year, change, trend)


def pending_extensions(run: RunSnapshot) -> list[TaskSnapshot]:
    """Tasks with an extension request not yet granted (not completed; approved deadline differs).

    Until the extension register exists, a filled “Đề nghị gia hạn đến” is the request.
    """
    out = []
    for t in run.tasks:
        requested = t.values.get("extension_request")
        if requested is None or t.completed:
            continue
        if t.values.get("extended_deadline") == requested:
            continue
        out.append(t)
    out.sort(key=lambda t: (t.effective_deadline or date.max, t.unit, t.row))
    return out


def _overdue(run: RunSnapshot) -> list[TaskSnapshot]:
    tasks = [t for t in run.tasks if t.category == "in_progress_overdue"]
    tasks.sort(key=lambda t: (-(t.days_overdue or 0), t.unit, t.row))
    return tasks


def _task_label(t: TaskSnapshot) -> str:
    summary = t.values.get("summary") or t.text("summary") or ""
    bits = [b for b in (t.task_id, t.text("doc_ref")) if b]
    return summary + (f" ({'; '.join(bits)})" if bits else "")


def _stale_counts(run: RunSnapshot) -> dict[str, Counter[str]]:
    out: dict[str, Counter[str]] = {}
    for t in run.tasks:
        out.setdefault(t.unit, Counter())[t.update_state] += 1
    return out


# ----------------------------------------------------------------- the document


def build_document(data: _Data, heading: ReportHeading, cutoff_day: int, charts: dict[str, Path]) -> Any:
    cur = data.current
    info = cur.info
    names = {u.code: u.name for u in cur.units}
    tc = cur.totals["counts"]
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    props = doc.core_properties
    props.title = f"Báo cáo {TITLE_TRICH_YEU.lower()} {month_words(data.month)}"
    props.author = f"{heading.issuer_long} ({heading.place})"
    props.subject = "Báo cáo định kỳ phục vụ phiên họp thường kỳ UBND tỉnh"
    props.keywords = f"ubnd-sync; lần tổng hợp {info.id}; {info.as_of.isoformat()}"
    stamp = datetime.combine(info.as_of, datetime.min.time())
    props.created = stamp
    props.modified = stamp
    props.last_modified_by = "ubnd-sync"
    props.revision = 1

    section = doc.sections[0]
    _margins(section)
    _page_number_header(section)

    # -- header block: issuing body | national title and motto
    head = doc.add_table(rows=2, cols=2)
    _no_borders(head)
    widths = (6.3, 10.2)
    _set_widths(head, widths)
    left, right = head.rows[0].cells
    _cell_para(left, heading.parent, size=13)
    _cell_para(left, heading.issuer, size=13, bold=True)
    _short_rule(left, widths[0] - 0.2, 2.0)
    _cell_para(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12.5, bold=True)
    _cell_para(right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True)
    _short_rule(right, widths[1] - 0.2, 6.2)
    left, right = head.rows[1].cells
    _cell_para(left, f"Số:        /{heading.symbol}", size=13).paragraph_format.space_before = Pt(6)
    p = _cell_para(right, place_date(heading.place, info.as_of), size=14, italic=True)
    p.paragraph_format.space_before = Pt(6)

    # -- title
    _para(doc, "BÁO CÁO", bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, before=18, after=0)
    _para(
        doc,
        f"{TITLE_TRICH_YEU} {month_words(data.month)}",
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        after=0,
    )
    _short_rule(doc, 16.5, 4.0).paragraph_format.space_after = Pt(12)

    completed = _completed(tc)
    in_progress = _in_progress(tc)
    _para(
        doc,
        f"Thực hiện chế độ báo cáo định kỳ, trên cơ sở số liệu các sở, ban, ngành tỉnh và UBND các huyện, "
        f"thành phố cập nhật trên hệ thống theo dõi nhiệm vụ (kỳ cập nhật từ ngày "
        f"{fmt_date(info.period.first_day)} đến ngày {fmt_date(info.period.cutoff)}, "
        f"tổng hợp ngày "
        f"{fmt_date(info.as_of)}), {heading.issuer_long} báo cáo tình hình thực hiện nhiệm vụ do UBND tỉnh, "
        f"Chủ tịch UBND tỉnh giao {month_words(data.month)} như sau:",
        indent=True,
    )

    # -- I. figures
    _para(doc, "I. KẾT QUẢ THỰC HIỆN NHIỆM VỤ", bold=True, keep_next=True, before=6)
    _para(doc, "1. Số liệu chung", bold=True, keep_next=True)
    _para(
        doc,
        f"Tổng số nhiệm vụ đang theo dõi: {fmt_int(tc['total'])} nhiệm vụ của {len(cur.units)} đơn vị, trong đó:",
        indent=True,
    )
    lines = [
        f"- Đã hoàn thành: {fmt_int(completed)} nhiệm vụ (đúng hạn {fmt_int(tc['completed_on_time'])}, "
        f"quá hạn {fmt_int(tc['completed_late'])});",
        f"- Đang thực hiện: {fmt_int(in_progress)} nhiệm vụ (trong hạn {fmt_int(tc['in_progress_on_time'])}, "
        f"quá hạn {fmt_int(tc['in_progress_overdue'])});",
        f"- Nhiệm vụ thường xuyên, không thời hạn: {fmt_int(tc['no_deadline'])} nhiệm vụ;",
    ]
    if tc.get("unclassified"):
        lines.append(
            f"- Chưa phân loại được (thời hạn để trống hoặc ghi sai): {fmt_int(tc['unclassified'])} nhiệm vụ;"
        )
    lines.append(
        f"- Tỷ lệ hoàn thành: {fmt_pct(cur.totals.get('completion_rate'))}; tỷ lệ hoàn thành đúng hạn: "
        f"{fmt_pct(cur.totals.get('on_time_rate'))} (tính trên số nhiệm vụ đã hoàn thành và đang thực hiện "
        "quá hạn, theo cách tính của báo cáo chính thức)."
    )
    for line in lines:
        _para(doc, line, indent=True)

    prev_totals = data.previous.totals if data.previous else None
    ly_totals = data.last_year.totals if data.last_year else None
    m_now = f"Tháng {month_short(data.month)}"
    m_prev = f"Tháng {month_short(shift_month(data.month, -1))}"
    m_ly = f"Tháng {month_short(shift_month(data.month, -12))}"
    _para(
        doc,
        "So sánh với tháng trước và cùng kỳ năm trước (Bảng 1; dấu “—”: lịch sử chưa có số liệu):",
        indent=True,
        keep_next=True,
    )

    def counts_of(t: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if t is None else t["counts"]

    metrics: list[tuple[str, Any]] = [
        ("Tổng số nhiệm vụ", lambda c: int(c["total"])),
        ("Đã hoàn thành", _completed),
        ("  - Hoàn thành đúng hạn", lambda c: int(c["completed_on_time"])),
        ("  - Hoàn thành quá hạn", lambda c: int(c["completed_late"])),
        ("Đang thực hiện", _in_progress),
        ("  - Trong hạn", lambda c: int(c["in_progress_on_time"])),
        ("  - Quá hạn", lambda c: int(c["in_progress_overdue"])),
        ("Không thời hạn", lambda c: int(c["no_deadline"])),
        ("Chưa phân loại", lambda c: int(c["unclassified"])),
    ]
    rows: list[list[str]] = []
    for label, fn in metrics:
        now = fn(tc)
        before = fn(counts_of(prev_totals)) if prev_totals else None
        ly = fn(counts_of(ly_totals)) if ly_totals else None
        rows.append(
            [
                label,
                fmt_int(now),
                fmt_int(before),
                fmt_signed(None if before is None else now - before),
                fmt_int(ly),
            ]
        )
    for label, key in (
        ("Tỷ lệ hoàn thành", "completion_rate"),
        ("Tỷ lệ hoàn thành đúng hạn", "on_time_rate"),
    ):
        now_r = cur.totals.get(key)
        before_r = prev_totals.get(key) if prev_totals else None
        ly_r = ly_totals.get(key) if ly_totals else None
        rows.append(
            [
                label,
                fmt_pct(now_r),
                fmt_pct(before_r),
                fmt_signed(None if now_r is None or before_r is None else now_r - before_r, pct=True),
                fmt_pct(ly_r),
            ]
        )
    _para(
        doc,
        "Bảng 1. Số liệu chung",
        size=12,
        bold=True,
        italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        keep_next=True,
    )
    _grid_table(
        doc,
        ["Chỉ tiêu", m_now, m_prev, "Tăng (+), giảm (−)", f"Cùng kỳ ({m_ly})"],
        rows,
        (5.3, 2.6, 2.6, 3.2, 2.8),
        left_cols=(0,),
        bold_rows=(0, len(rows) - 1),
        keep_together=True,
    )
    _para(doc, "", after=0)

    if "trend" in charts:
        _figure(
            doc, charts["trend"], "Biểu đồ 1. Tỷ lệ hoàn thành đúng hạn và tỷ lệ hoàn thành 12 tháng gần nhất"
        )

    # -- 2. change since last month
    _para(doc, "2. Biến động so với tháng trước", bold=True, keep_next=True)
    if data.change is None or data.previous is None:
        _para(
            doc,
            f"Lịch sử chưa có lần tổng hợp của {month_words(shift_month(data.month, -1))} nên chưa so sánh được "
            "từng nhiệm vụ; từ tháng sau báo cáo sẽ nêu các nhiệm vụ mới hoàn thành, mới quá hạn, thay đổi "
            "thời hạn.",
            indent=True,
        )
    else:
        ch = data.change
        newly_done_old = [c for c in ch.newly_completed if not c.detail.get("new")]
        newly_done_new = [c for c in ch.newly_completed if c.detail.get("new")]
        newly_over_old = [c for c in ch.newly_overdue if not c.detail.get("new")]
        extended = [c for c in ch.deadline_changes if "extended_deadline" in c.detail.get("changes", {})]
        _para(
            doc,
            f"So với lần tổng hợp ngày {fmt_date(data.previous.as_of)} (số liệu {month_words(shift_month(data.month, -1))}):",
            indent=True,
        )
        for line in (
            f"- Nhiệm vụ mới giao: {fmt_int(len(ch.new_tasks))}"
            + (
                f" (trong đó {fmt_int(len(newly_done_new))} nhiệm vụ đã hoàn thành ngay trong kỳ)"
                if newly_done_new
                else ""
            )
            + ";",
            f"- Nhiệm vụ hoàn thành thêm trong kỳ: {fmt_int(len(newly_done_old))};",
            f"- Nhiệm vụ chuyển sang quá hạn trong kỳ: {fmt_int(len(newly_over_old))}"
            + (
                f" (ngoài ra {fmt_int(len(ch.newly_overdue) - len(newly_over_old))} nhiệm vụ mới giao đã quá hạn)"
                if len(ch.newly_overdue) > len(newly_over_old)
                else ""
            )
            + ";",
            f"- Nhiệm vụ được điều chỉnh thời hạn, gia hạn: {fmt_int(len(ch.deadline_changes))}"
            + (f" (trong đó {fmt_int(len(extended))} nhiệm vụ được gia hạn)" if extended else "")
            + ";",
            f"- Nhiệm vụ không còn trong bảng theo dõi của đơn vị: {fmt_int(len(ch.vanished_tasks))}"
            + ("." if not ch.vanished_tasks else " (đề nghị đơn vị giải trình, xem danh sách dưới đây)."),
        ):
            _para(doc, line, indent=True)
        if ch.vanished_tasks:
            _grid_table(
                doc,
                ["TT", "Đơn vị", "Nhiệm vụ", "Phân loại tháng trước"],
                [
                    [
                        str(i),
                        names.get(c.unit, c.unit),
                        f"{c.summary or ''} ({c.task_id or 'không có mã'})",
                        CATEGORY_LABELS.get(c.old_category or "", ""),
                    ]
                    for i, c in enumerate(ch.vanished_tasks, start=1)
                ],
                (1.0, 4.0, 8.0, 3.5),
                left_cols=(1, 2),
            )
            _para(doc, "", after=0)

    # -- II. reporting by units
    _para(doc, "II. TÌNH HÌNH CẬP NHẬT, BÁO CÁO CỦA CÁC ĐƠN VỊ", bold=True, keep_next=True, before=6)
    by_status: dict[str, list[str]] = {}
    for u in cur.units:
        by_status.setdefault(u.report_status, []).append(u.code)
    n_on_time = len(by_status.get("on_time", []))
    _para(
        doc,
        f"Theo quy định, các đơn vị cập nhật kết quả thực hiện nhiệm vụ trước ngày {cutoff_day} hằng tháng. "
        f"Kỳ này có {n_on_time}/{len(cur.units)} đơn vị cập nhật đầy đủ, đúng hạn; "
        + "; ".join(
            f"{len(by_status[s])} đơn vị {REPORT_STATUS_LABELS[s].lower()}"
            for s in ("late", "incomplete", "missing", "invalid", "unreadable")
            if by_status.get(s)
        )
        + (" (chi tiết tại Bảng 2)." if n_on_time < len(cur.units) else "."),
        indent=True,
    )
    not_ok = [u for u in cur.units if u.report_status != "on_time"]
    if not_ok:
        states = _stale_counts(cur)
        prev_status = {u.code: u.report_status for u in data.previous.units} if data.previous else {}
        unit_findings: dict[str, list[str]] = {}
        for f in cur.findings:
            if f.code in ("source-unreadable", "missing-column"):
                unit_findings.setdefault(f.unit, []).append(f.message)
        rows = []
        order = {s: i for i, s in enumerate(("missing", "unreadable", "invalid", "incomplete", "late"))}
        for i, u in enumerate(sorted(not_ok, key=lambda u: (order.get(u.report_status, 9), u.name)), start=1):
            st = states.get(u.code, Counter())
            needed = st["fresh"] + st["late"] + st["stale"]
            if u.report_status in ("unreadable", "invalid"):
                note = " ".join(unit_findings.get(u.code, [])) or REPORT_STATUS_LABELS[u.report_status]
            elif u.report_status == "late":
                note = f"{st['late']}/{needed} nhiệm vụ cập nhật sau ngày {fmt_date(info.period.cutoff)}"
            else:
                note = f"{st['stale']}/{needed} nhiệm vụ chưa cập nhật trong kỳ"
            before = prev_status.get(u.code)
            rows.append(
                [
                    str(i),
                    u.name,
                    REPORT_STATUS_LABELS[u.report_status],
                    note,
                    REPORT_STATUS_LABELS.get(before, "—") if before else "—",
                ]
            )
        _para(
            doc,
            "Bảng 2. Đơn vị chưa cập nhật đầy đủ, đúng hạn",
            size=12,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            keep_next=True,
        )
        _grid_table(
            doc,
            ["TT", "Đơn vị", "Tình trạng", "Ghi chú", "Tháng trước"],
            rows,
            (1.0, 4.2, 2.8, 5.8, 2.7),
            left_cols=(1, 3),
        )
        _para(doc, "", after=0)
    if "units" in charts:
        _figure(
            doc,
            charts["units"],
            "Biểu đồ 2. Tình hình thực hiện nhiệm vụ của từng đơn vị (số nhiệm vụ theo phân loại)",
        )

    # -- III. overdue
    overdue = _overdue(cur)
    _para(doc, "III. NHIỆM VỤ QUÁ HẠN, NGUYÊN NHÂN", bold=True, keep_next=True, before=6)
    if not overdue:
        _para(doc, "Không có nhiệm vụ đang thực hiện quá hạn.", indent=True)
    else:
        per_unit = Counter(t.unit for t in overdue)
        with_obstacles = [t for t in overdue if t.values.get("obstacles")]
        top_units = ", ".join(f"{names.get(c, c)} ({n})" for c, n in per_unit.most_common(5))
        _para(
            doc,
            f"Có {fmt_int(len(overdue))} nhiệm vụ đang thực hiện quá hạn tại {len(per_unit)} đơn vị; nhiều nhất: "
            f"{top_units}. Có {fmt_int(len(with_obstacles))} nhiệm vụ đơn vị nêu khó khăn, vướng mắc. Danh sách "
            f"{min(BODY_OVERDUE_ROWS, len(overdue))} nhiệm vụ quá hạn lâu nhất tại Bảng 3; toàn bộ danh sách tại "
            "Phụ lục II.",
            indent=True,
        )
        rows = [
            [
                str(i),
                names.get(t.unit, t.unit),
                _task_label(t),
                fmt_date(t.effective_deadline),
                fmt_int(t.days_overdue),
                t.text("obstacles") or "Đơn vị chưa nêu",
            ]
            for i, t in enumerate(overdue[:BODY_OVERDUE_ROWS], start=1)
        ]
        _para(
            doc,
            "Bảng 3. Nhiệm vụ quá hạn lâu nhất",
            size=12,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            keep_next=True,
        )
        _grid_table(
            doc,
            [
                "TT",
                "Đơn vị chủ trì",
                "Nội dung nhiệm vụ",
                "Thời hạn",
                "Số ngày quá hạn",
                "Khó khăn, vướng mắc",
            ],
            rows,
            (0.9, 2.6, 5.3, 2.3, 1.5, 3.9),
            size=11,
            left_cols=(1, 2, 5),
        )
        _para(doc, "", after=0)

    # -- IV. extension requests
    pending = pending_extensions(cur)
    _para(doc, "IV. ĐỀ NGHỊ GIA HẠN CHƯA ĐƯỢC XEM XÉT", bold=True, keep_next=True, before=6)
    if not pending:
        _para(doc, "Không có đề nghị gia hạn đang chờ xem xét.", indent=True)
    else:
        _para(
            doc,
            f"Có {fmt_int(len(pending))} nhiệm vụ đơn vị đề nghị gia hạn nhưng chưa được điều chỉnh thời hạn "
            "(đơn vị đã ghi “Đề nghị gia hạn đến”, thời hạn chưa được điều chỉnh theo đề nghị), kính trình "
            "lãnh đạo UBND tỉnh xem xét:",
            indent=True,
            keep_next=True,
        )
        _para(
            doc,
            "Bảng 4. Đề nghị gia hạn",
            size=12,
            bold=True,
            italic=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            keep_next=True,
        )
        _extension_table(doc, pending[:BODY_OVERDUE_ROWS], names, widths=(0.9, 2.6, 5.0, 2.3, 2.3, 3.4))
        if len(pending) > BODY_OVERDUE_ROWS:
            _para(
                doc,
                f"(Bảng 4 nêu {BODY_OVERDUE_ROWS} đề nghị có thời hạn gần nhất; toàn bộ {fmt_int(len(pending))} "
                "đề nghị tại Phụ lục III.)",
                size=12,
                italic=True,
                align=WD_ALIGN_PARAGRAPH.CENTER,
            )
        _para(doc, "", after=0)

    # -- V. proposals
    _para(doc, "V. ĐỀ XUẤT, KIẾN NGHỊ", bold=True, keep_next=True, before=6)
    _para(doc, f"{heading.issuer_long} kính đề nghị UBND tỉnh, Chủ tịch UBND tỉnh:", indent=True)
    proposals: list[str] = []
    laggards = [
        names.get(c, c)
        for s in ("missing", "incomplete", "late", "invalid", "unreadable")
        for c in by_status.get(s, [])
    ]
    if laggards:
        proposals.append(
            "Nhắc nhở các đơn vị chưa cập nhật đầy đủ, đúng hạn ("
            + ", ".join(laggards)
            + ") cập nhật kết quả "
            f"thực hiện nhiệm vụ trước ngày {cutoff_day} hằng tháng theo đúng mẫu bảng theo dõi."
        )
    if overdue:
        per_unit = Counter(t.unit for t in overdue)
        proposals.append(
            "Chỉ đạo các đơn vị có nhiều nhiệm vụ quá hạn ("
            + ", ".join(names.get(c, c) for c, _ in per_unit.most_common(5))
            + ") tập trung giải quyết dứt điểm, báo cáo rõ nguyên nhân và thời gian hoàn thành."
        )
    if pending:
        proposals.append(f"Xem xét, cho ý kiến đối với {fmt_int(len(pending))} đề nghị gia hạn tại Mục IV.")
    if not proposals:
        proposals.append("Tiếp tục chỉ đạo các đơn vị duy trì việc cập nhật và thực hiện nhiệm vụ đúng hạn.")
    for i, text in enumerate(proposals, start=1):
        _para(doc, f"{i}. {text}", indent=True)
    _para(
        doc,
        f"Trên đây là báo cáo tình hình thực hiện nhiệm vụ {month_words(data.month)} của {heading.issuer_long}./.",
        indent=True,
    )

    # -- recipients | signature
    sig = doc.add_table(rows=1, cols=2)
    _no_borders(sig)
    _set_widths(sig, (7.5, 9.0))
    left, right = sig.rows[0].cells
    _cell_para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    for line in heading.recipients:
        _cell_para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell_para(right, heading.signer_title, size=14, bold=True)
    for _ in range(4):
        _cell_para(right, "", size=14)
    _cell_para(right, "(Ký, ghi rõ họ tên)", size=13, italic=True)

    # -- appendices on landscape pages
    appendix = doc.add_section(WD_SECTION.NEW_PAGE)
    _margins(appendix, landscape=True)
    appendix.different_first_page_header_footer = False
    ref = (
        f"(Kèm theo Báo cáo số        /{heading.symbol} ngày {info.as_of:%d/%m/%Y} của {heading.issuer_long})"
    )
    _appendix_heading(
        doc,
        "Phụ lục I",
        f"TÌNH HÌNH THỰC HIỆN NHIỆM VỤ CỦA CÁC ĐƠN VỊ {month_words(data.month).upper()}",
        ref,
        page_break=False,
    )
    rows = []
    for i, u in enumerate(cur.units, start=1):
        c = u.counts
        rows.append(
            [
                str(i),
                u.name,
                fmt_int(c.get("total", 0)),
                *(fmt_int(c.get(k, 0)) for k in CATEGORIES),
                fmt_pct(u.completion_rate),
                fmt_pct(u.on_time_rate),
                REPORT_STATUS_LABELS[u.report_status],
            ]
        )
    rows.append(
        [
            "",
            "Tổng cộng",
            fmt_int(tc["total"]),
            *(fmt_int(tc[k]) for k in CATEGORIES),
            fmt_pct(cur.totals.get("completion_rate")),
            fmt_pct(cur.totals.get("on_time_rate")),
            "",
        ]
    )
    _grid_table(
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
        bold_rows=(len(rows) - 1,),
    )

    _appendix_heading(doc, "Phụ lục II", f"DANH SÁCH NHIỆM VỤ QUÁ HẠN {month_words(data.month).upper()}", ref)
    if not overdue:
        _para(doc, "Không có nhiệm vụ đang thực hiện quá hạn.", align=WD_ALIGN_PARAGRAPH.CENTER)
    else:
        rows = [
            [
                str(i),
                names.get(t.unit, t.unit),
                t.task_id or "",
                t.values.get("summary") or "",
                " ".join(b for b in (t.text("doc_ref"), t.text("doc_date")) if b),
                fmt_date(t.effective_deadline),
                fmt_int(t.days_overdue),
                t.text("progress") or "",
                t.text("obstacles") or "",
            ]
            for i, t in enumerate(overdue, start=1)
        ]
        _grid_table(
            doc,
            [
                "TT",
                "Đơn vị chủ trì",
                "Mã nhiệm vụ",
                "Nội dung nhiệm vụ",
                "Văn bản giao",
                "Thời hạn",
                "Số ngày quá hạn",
                "Kết quả thực hiện",
                "Khó khăn, vướng mắc, đề xuất",
            ],
            rows,
            (0.9, 3.0, 2.2, 5.6, 2.4, 2.0, 1.5, 3.6, 4.0),
            size=10,
            left_cols=(1, 3, 7, 8),
        )
    if len(pending) > BODY_OVERDUE_ROWS:
        _appendix_heading(
            doc,
            "Phụ lục III",
            f"DANH SÁCH ĐỀ NGHỊ GIA HẠN CHƯA ĐƯỢC XEM XÉT {month_words(data.month).upper()}",
            ref,
        )
        _extension_table(doc, pending, names, widths=(0.9, 3.6, 9.0, 2.4, 2.4, 6.9), size=10)
    return doc


def _figure(doc: Any, image: Path, caption: str) -> None:
    """A chart, centred, kept with its italic caption below."""
    _para(doc, "", after=0, keep_next=True).add_run().add_picture(str(image), width=Cm(16))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(doc, caption, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _appendix_heading(doc: Any, number: str, title: str, ref: str, *, page_break: bool = True) -> None:
    """An appendix's heading: its number, title and the reference to the report."""
    if page_break:
        _para(doc, "", after=0).add_run().add_break(WD_BREAK.PAGE)
    _para(doc, number, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    _para(doc, ref, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=8, size=13)


def _extension_table(
    doc: Any,
    tasks: Sequence[TaskSnapshot],
    names: dict[str, str],
    *,
    widths: Sequence[float],
    size: float = 11,
) -> DocxTable:
    rows = [
        [
            str(i),
            names.get(t.unit, t.unit),
            _task_label(t),
            fmt_date(t.effective_deadline),
            fmt_date(t.values.get("extension_request")),
            t.text("obstacles") or "",
        ]
        for i, t in enumerate(tasks, start=1)
    ]
    return _grid_table(
        doc,
        ["TT", "Đơn vị", "Nội dung nhiệm vụ", "Thời hạn hiện tại", "Đề nghị gia hạn đến", "Lý do, khó khăn"],
        rows,
        widths,
        size=size,
        left_cols=(1, 2, 5),
    )


# ----------------------------------------------------------------- PDF


def convert_to_pdf(docx_path: Path, out_dir: Path, *, timeout: float = 240) -> tuple[Path | None, str | None]:
    """``soffice --headless --convert-to pdf``; (pdf, None) or (None, the reason in Vietnamese)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        return None, (
            "Không tìm thấy LibreOffice (lệnh “soffice”) nên chưa tạo bản PDF; bản .docx vẫn dùng được. "
            "Cài LibreOffice (ví dụ: apt-get install libreoffice-writer) rồi chạy lại để có bản PDF."
        )
    target = out_dir / (docx_path.stem + ".pdf")
    with (
        tempfile.TemporaryDirectory(prefix="ubnd-sync-lo-") as profile,
        tempfile.TemporaryDirectory(prefix=".pdf-", dir=out_dir) as staging,
    ):
        # LibreOffice writes into a staging folder; the PDF replaces the previous one whole
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            staging,
            str(docx_path),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            return (
                None,
                f"LibreOffice không chuyển xong sang PDF sau {int(timeout)} giây; bản .docx vẫn dùng được.",
            )
        except OSError as e:
            return None, f"Không chạy được LibreOffice ({e}); bản .docx vẫn dùng được."
        staged = Path(staging) / target.name
        if proc.returncode == 0 and staged.exists():
            staged.replace(target)
            return target, None
    detail = (proc.stderr or proc.stdout or "").strip().splitlines()
    return None, "LibreOffice không chuyển được sang PDF" + (
        f": {detail[-1]}" if detail else ""
    ) + "; bản .docx vẫn dùng được."


# ----------------------------------------------------------------- entry point


def write_report(
    config: Config,
    history: History | str | Path,
    month: str | None,
    out_dir: Path,
    *,
    heading: ReportHeading | None = None,
    pdf: bool = True,
) -> ReportFiles:
    """Write the meeting report for ``month`` (``YYYY-MM``; None: the latest run's month).

    Reads ``history`` only (a ``History`` or the path of its file). Writes into
    ``out_dir``: ``bao-cao-thang-YYYY-MM.docx``, the charts
    ``bieu-do-ty-le-YYYY-MM.png`` and ``bieu-do-don-vi-YYYY-MM.png``, and
    ``bao-cao-thang-YYYY-MM.pdf`` when LibreOffice is present and ``pdf``.
    Raises ``HistoryError`` when the history has no run for that month and
    ``UsageError`` for a malformed month.
    """
    heading = heading or ReportHeading.from_config(config)
    if isinstance(history, History):
        data = _load(history, month)
    else:
        with History(history, create=False) as h:
            data = _load(h, month)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cur = data.current
    charts = {
        "trend": rate_trend_chart(
            data.trend,
            out_dir / f"bieu-do-ty-le-{data.month}.png",
            title="Tỷ lệ hoàn thành đúng hạn và tỷ lệ hoàn thành (%)",
        ),
        "units": unit_category_chart(
            [(u.name, u.counts) for u in cur.units],
            out_dir / f"bieu-do-don-vi-{data.month}.png",
            title=f"Nhiệm vụ theo phân loại của từng đơn vị – {month_words(data.month)}",
            notes=[
                REPORT_STATUS_LABELS[u.report_status].lower()
                if u.report_status in ("invalid", "unreadable")
                else None
                for u in cur.units
            ],
        ),
    }
    doc = build_document(data, heading, config.sync.cutoff_day, charts)
    docx_path = out_dir / f"bao-cao-thang-{data.month}.docx"
    fd, tmp_name = tempfile.mkstemp(prefix=f".{docx_path.name}.", suffix=".tmp", dir=out_dir)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        doc.save(str(tmp))
        os.chmod(tmp, new_file_mode())
        tmp.replace(docx_path)  # a crash never leaves half a report in place of the last one
    finally:
        tmp.unlink(missing_ok=True)
    pdf_path: Path | None = None
    note: str | None = "Không tạo bản PDF (đã tắt)."
    if pdf:
        pdf_path, note = convert_to_pdf(docx_path, out_dir)
    assert cur.id is not None
    return ReportFiles(
        docx=docx_path,
        pdf=pdf_path,
        pdf_note=note,
        charts=[charts["trend"], charts["units"]],
        run_id=cur.id,
        month=data.month,
    )


__all__ = [
    "ReportFiles",
    "ReportHeading",
    "convert_to_pdf",
    "fmt_int",
    "fmt_pct",
    "pending_extensions",
    "place_date",
    "write_report",
]
