"""What each unit is told before the cut-off: its items from the latest sync, errors first.

A notice lists, from the run's findings and tasks: cells to fix (errors), overdue
tasks (by how many days), tasks due soon, rows not updated in the period and rows
updated late, and the register's tasks missing from the sheet or rows of another unit's
task, each with the cell and what to do. A unit with none of these gets no notice: a unit
with no task (``no_tasks``) is told nothing unless its sheet has something wrong. Its
``digest`` covers the items (the findings) only (not the run's date), so the same problems
are never sent twice in a period.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from html import escape

import xlsxwriter

from sync import findings as F
from sync.history import RunSnapshot, TaskSnapshot
from sync.labels import SEVERITY_LABELS
from sync.model import Finding
from sync.shapes.wrap import row_points, wrapped_lines

#: Sections of a notice: (title, finding codes), from each kind's ``section`` in ``sync.findings``;
#: errors of any code come first.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = tuple(
    (title, tuple(k.code for k in F.KINDS if k.section == title)) for title in F.REMINDER_SECTIONS
)
ERRORS = "Lỗi cần sửa trong bảng theo dõi"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Notice:
    unit: str
    unit_name: str
    recipients: tuple[str, ...]
    subject: str
    text: str
    html: str
    attachment: bytes
    attachment_name: str
    digest: str
    sections: dict[str, int] = field(default_factory=dict)  # section title -> items
    #: the same items as a table for the unit's ``Nhắc việc`` tab: (what, task id, cell, how to fix)
    table: tuple[tuple[str, str, str, str], ...] = ()


def next_cutoff(cutoff: date) -> date:
    """The cut-off a month after ``cutoff`` (the day of month is 1–28, so it always exists)."""
    y, m = divmod(cutoff.year * 12 + cutoff.month, 12)
    return date(y, m + 1, cutoff.day)


def subject(unit_name: str, cutoff: date) -> str:
    """The e-mail's subject: the unit and the next cut-off (``sync.remind.headers`` encodes it)."""
    return f"Nhắc việc: {unit_name} – cập nhật nhiệm vụ trước ngày {next_cutoff(cutoff):%d/%m/%Y}"


def _task_line(f: Finding, task: TaskSnapshot | None) -> str:
    where = f"dòng {f.row}" if f.row else "bảng theo dõi"
    if task is None:
        return f"{where}: {f.message}"
    name = f" {task.task_id}" if task.task_id else ""
    summary = (task.values.get("summary") or "").strip()
    if not summary or summary[:40] in f.message:  # the message names the task already (overdue, due soon)
        return f"{where} (nhiệm vụ{name}): {f.message}" if name else f"{where}: {f.message}"
    summary = summary if len(summary) <= 160 else summary[:157] + "…"
    return f"{where} (nhiệm vụ{name}: {summary}): {f.message}"


def _items(snap: RunSnapshot, code: str) -> dict[str, list[str]]:
    tasks = {(t.sheet, t.row): t for t in snap.tasks if t.unit == code}
    findings = [f for f in snap.findings if f.unit == code]
    items: dict[str, list[str]] = {ERRORS: []}
    for f in findings:
        if f.severity == "error":
            cell = (
                f"trang “{f.sheet}”, ô {f.cell}"
                if f.sheet and f.cell
                else (f"trang “{f.sheet}”" if f.sheet else "tệp")
            )
            items[ERRORS].append(f"{cell}: {f.message}")
    for title, codes in SECTIONS:
        chosen = [f for f in findings if f.code in codes and f.severity != "error"]
        items[title] = [_task_line(f, tasks.get((f.sheet or "", f.row or 0))) for f in chosen]
    return {title: lines for title, lines in items.items() if lines}


def _table(snap: RunSnapshot, code: str) -> tuple[tuple[str, str, str, str], ...]:
    """The notice's items as rows (what, task id, cell, how to fix): errors first, then each section."""
    tasks = {(t.sheet, t.row): t for t in snap.tasks if t.unit == code}
    findings = [f for f in snap.findings if f.unit == code]
    rows: list[tuple[str, str, str, str]] = []
    chosen = [(ERRORS, f) for f in findings if f.severity == "error"]
    for title, codes in SECTIONS:
        chosen += [(title, f) for f in findings if f.code in codes and f.severity != "error"]
    for title, f in chosen:
        task = tasks.get((f.sheet or "", f.row or 0))
        cell = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
        rows.append((title, (task.task_id if task else None) or "", cell, f.message))
    return tuple(rows)


#: the fix list's columns: (title, width in characters); the last one wraps
FIX_COLUMNS = (("Trang", 14), ("Ô", 7), ("Dòng", 7), ("Mức", 10), ("Nội dung cần sửa", 80))


def fix_list_title(unit_name: str, code: str, snap: RunSnapshot) -> str:
    """What the fix list's printed pages say at their top: whose list, of which run and period."""
    return (
        f"DANH SÁCH CÁC Ô CẦN SỬA – {unit_name} ({code}) – tổng hợp ngày {snap.as_of:%d/%m/%Y}, "
        f"kỳ cập nhật đến ngày {snap.period.cutoff:%d/%m/%Y}"
    )


def _fix_list(snap: RunSnapshot, code: str, unit_name: str = "") -> bytes:
    """The unit's findings as a small .xlsx (errors first); every cell written as text.

    On paper: A4 landscape, one page wide (every column beside the others, never the last one on a
    page of its own); the title, which says whose list it is, in the page header and the column
    titles (the first row) repeated at the top of every page, so they always print with the rows;
    each row as tall as its wrapped text."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    ws = wb.add_worksheet("Cần sửa")
    head = wb.add_format({"bold": True, "text_wrap": True, "border": 1, "bg_color": "#D9E1F2"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top", "border": 1})
    for c, (name, width) in enumerate(FIX_COLUMNS):
        ws.set_column(c, c, width)
        ws.write_string(0, c, name, head)
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(
        (f for f in snap.findings if f.unit == code), key=lambda f: (order.get(f.severity, 3), f.row or 0)
    )
    for r, f in enumerate(findings, start=1):
        cells = (
            f.sheet or "",
            f.cell or "",
            str(f.row or ""),
            SEVERITY_LABELS.get(f.severity, f.severity),
            f.message,
        )
        lines = wrapped_lines(f.message, FIX_COLUMNS[-1][1])
        if lines > 1:
            ws.set_row(r, row_points(lines))
        for c, value in enumerate(cells):
            ws.write_string(r, c, value, wrap)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.9, bottom=0.6)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    title = fix_list_title(unit_name or code, code, snap).replace("&", "&&")  # “&” starts a code there
    ws.set_header(f"&L&B{title[:240]}")
    ws.set_footer("&CTrang &P/&N")
    wb.close()
    return buffer.getvalue()


def _text(unit_name: str, snap: RunSnapshot, items: dict[str, list[str]], attachment: str) -> str:
    cutoff = snap.period.cutoff
    lines = [
        f"Kính gửi: {unit_name}",
        "",
        f"Văn phòng UBND tỉnh nhắc việc theo kết quả tổng hợp ngày {snap.as_of:%d/%m/%Y} "
        f"(kỳ cập nhật đến ngày {cutoff:%d/%m/%Y}). Đề nghị đơn vị cập nhật bảng theo dõi nhiệm vụ "
        f"trước ngày {next_cutoff(cutoff):%d/%m/%Y}.",
    ]
    for i, (title, entries) in enumerate(items.items(), start=1):
        lines += ["", f"{i}. {title} ({len(entries)}):"]
        lines += [f"   - {e}" for e in entries]
    lines += [
        "",
        f"Danh sách các ô cần sửa kèm theo trong tệp {attachment}.",
        "Thư này được gửi tự động từ ubnd-sync của Văn phòng UBND tỉnh; đơn vị không cần trả lời thư.",
    ]
    return "\n".join(lines) + "\n"


def _html(text: str) -> str:
    """The same notice as HTML: paragraphs and lists, every character escaped."""
    out, in_list = ["<html><body style=\"font-family: 'Times New Roman', serif\">"], False
    for line in text.splitlines():
        if line.startswith("   - "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{escape(line[5:])}</li>")
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        if line:
            out.append(f"<p>{escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out + ["</body></html>"])


def _digest(snap: RunSnapshot, code: str) -> str:
    """The notice's items as findings, not as worded: rewording a notice never sends it again."""
    told = {c for _, codes in SECTIONS for c in codes}
    items = sorted(
        (f.code, f.severity, f.sheet or "", f.cell or "", f.row or 0, f.message)
        for f in snap.findings
        if f.unit == code and (f.severity == "error" or f.code in told)
    )
    return hashlib.sha256(repr(items).encode("utf-8")).hexdigest()


def build_notices(snap: RunSnapshot, units: dict[str, tuple[str, tuple[str, ...]]]) -> list[Notice]:
    """A notice for every unit of ``units`` (code -> (name, addresses)) with something to do."""
    notices = []
    for code, (name, recipients) in units.items():
        items = _items(snap, code)
        if not items:
            continue
        attachment = f"{code}-can-sua-{snap.period.cutoff:%Y-%m}.xlsx"
        text = _text(name, snap, items, attachment)
        digest = _digest(snap, code)
        notices.append(
            Notice(
                unit=code,
                unit_name=name,
                recipients=recipients,
                subject=subject(name, snap.period.cutoff),
                text=text,
                html=_html(text),
                attachment=_fix_list(snap, code, name),
                attachment_name=attachment,
                digest=digest,
                sections={title: len(entries) for title, entries in items.items()},
                table=_table(snap, code),
            )
        )
    return notices
