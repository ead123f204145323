"""The summary workbook as printed (issue 9, part 5): page header and footer, A4 landscape,
wrapped text, Cảnh báo errors first with a label beside the code, the So sánh note outside
the filter, readable versions on Thông tin; and LibreOffice prints it with the header text."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from sync.config import Config
from sync.findings import CATALOGUE, FINDING_LABELS
from sync.labels import SEVERITY_LABELS
from sync.pipeline import SyncOutcome, sync_and_record
from sync.shapes.tables import SUMMARY_TITLE
from tests.helpers import AS_OF, summary_file, task_row
from tests.test_libreoffice import convert

Province = Callable[..., Config]
TABS = ["Thống kê", "Nhiệm vụ", "Quá hạn", "Đề nghị gia hạn", "Cảnh báo", "So sánh", "Thông tin"]
LONG = "Thiếu kinh phí giải phóng mặt bằng, đề nghị Sở Tài chính bố trí vốn " * 3


@pytest.fixture
def synced(province: Province) -> tuple[Config, SyncOutcome]:
    """Two months recorded (so So sánh compares), an overdue task with long obstacles, a bad
    date (an error), and a unit whose workbook is missing (an error)."""
    cfg = province(
        {
            "SNV": [
                task_row(task_id="A", status="Xong", completed_on="01/02/2024"),
                task_row(task_id="B", deadline="01/03/2024", obstacles=LONG, extension_request="31/03/2024"),
                task_row(task_id="C", deadline="31/02/2024"),
            ],
            "STC": None,
        }
    )
    sync_and_record(cfg, AS_OF.replace(month=2))
    return cfg, sync_and_record(cfg, AS_OF)


def header_row(ws: Worksheet) -> list[object]:
    return [c.value for c in ws[1]]


def test_every_tab_has_title_dates_and_page_numbers(synced: tuple[Config, SyncOutcome]) -> None:
    cfg, outcome = synced
    period = outcome.result.period
    wb = openpyxl.load_workbook(summary_file(cfg))
    assert wb.sheetnames == TABS
    for ws in wb.worksheets:
        assert ws.oddHeader.left.text == f"&B{SUMMARY_TITLE} – {ws.title}&B"
        dates = ws.oddHeader.right.text
        assert f"{AS_OF:%d/%m/%Y}" in dates and f"{period.first_day:%d/%m/%Y}" in dates
        assert f"{period.cutoff:%d/%m/%Y}" in dates
        assert ws.oddFooter.center.text == "Trang &P/&N"
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
        assert ws.print_title_rows == "$1:$1"  # the header row on every page
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToHeight == 0  # as many pages long as it takes
    # one page wide (the default, 1, is left out of the file), except the two widest tabs: two
    # pages, each led by the identifying columns
    wide = {ws.title: (ws.page_setup.fitToWidth or 1, ws.print_title_cols) for ws in wb.worksheets}
    assert wide["Nhiệm vụ"] == (2, "$A:$C") and header_row(wb["Nhiệm vụ"])[:3] == [
        "Mã đơn vị",
        "Dòng",
        "Mã nhiệm vụ",
    ]
    assert wide["So sánh"] == (2, "$A:$B")
    assert all(
        wide[t] == (1, None) for t in ("Thống kê", "Quá hạn", "Đề nghị gia hạn", "Cảnh báo", "Thông tin")
    )


def test_long_text_wraps_and_rows_are_tall_enough(synced: tuple[Config, SyncOutcome]) -> None:
    cfg, _ = synced
    ws = openpyxl.load_workbook(summary_file(cfg))["Nhiệm vụ"]
    head = header_row(ws)
    obstacles = head.index("Khó khăn, vướng mắc, đề xuất") + 1
    summary = head.index("Nội dung nhiệm vụ") + 1
    deadline = head.index("Thời hạn") + 1
    rows = {ws.cell(r, 3).value: r for r in range(2, ws.max_row + 1)}
    overdue = rows["B"]  # a styled (red) row: its text wraps all the same
    assert ws.cell(overdue, 1).fill.fgColor.rgb.endswith("F8CBAD")
    for r in rows.values():
        assert ws.cell(r, summary).alignment.wrap_text
    assert ws.cell(overdue, obstacles).value == LONG.strip()
    assert ws.cell(overdue, obstacles).alignment.wrap_text
    assert not ws.cell(overdue, deadline).alignment.wrap_text
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(obstacles)].width
    lines = len(LONG) / width
    assert ws.row_dimensions[overdue].height >= 15 * lines * 0.8  # not one line over the next row
    assert 20 < width < 40  # a sensible width, not a 60-character column


def test_extension_requests_tab_wraps_the_reason(synced: tuple[Config, SyncOutcome]) -> None:
    """B's request (first seen by February's run of 05/02/2024): 14 working days before its
    deadline 01/03/2024 (Tết 08–14/02 off), the long reason wrapped in a tall row."""
    cfg, _ = synced
    ws = openpyxl.load_workbook(summary_file(cfg))["Đề nghị gia hạn"]
    head = header_row(ws)
    assert ws.max_row == 2 and ws.cell(2, head.index("Mã nhiệm vụ") + 1).value == "B"
    assert ws.cell(2, head.index("Ngày đề nghị") + 1).value == datetime(2024, 2, 5)
    assert ws.cell(2, head.index("Ngày đề nghị") + 1).number_format == "dd/mm/yyyy"
    assert ws.cell(2, head.index("Số ngày làm việc trước hạn") + 1).value == 14
    reason = head.index("Lý do (khó khăn, vướng mắc, đề xuất)") + 1
    assert ws.cell(2, reason).value == LONG.strip() and ws.cell(2, reason).alignment.wrap_text
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(reason)].width
    assert ws.row_dimensions[2].height >= 15 * len(LONG) / width * 0.8


def test_findings_errors_first_highlighted_with_labels(synced: tuple[Config, SyncOutcome]) -> None:
    cfg, outcome = synced
    ws = openpyxl.load_workbook(summary_file(cfg))["Cảnh báo"]
    head = header_row(ws)
    code_col, label_col = head.index("Mã lỗi"), head.index("Loại vấn đề")
    assert label_col == code_col + 1  # the label beside the code
    severity_col, value_col = head.index("Mức độ"), head.index("Giá trị")
    rows = list(ws.iter_rows(min_row=2))
    order = {SEVERITY_LABELS[s]: i for i, s in enumerate(("error", "warning", "info"))}
    severities = [order[r[severity_col].value] for r in rows]
    assert severities == sorted(severities) and severities[0] == 0 and max(severities) >= 1
    assert len(rows) == len(outcome.result.findings)
    for r in rows:
        assert r[label_col].value == FINDING_LABELS[r[code_col].value]
        is_error = r[severity_col].value == SEVERITY_LABELS["error"]
        assert r[0].fill.fgColor.rgb.endswith("FFC7CE") == is_error
        if isinstance(r[value_col].value, str):  # the value wraps: it never runs into the message
            assert r[value_col].alignment.wrap_text
    codes = {r[code_col].value for r in rows}
    assert {"source-unreadable", "invalid-date", "overdue"} <= codes


def test_every_finding_code_has_a_label() -> None:
    assert set(FINDING_LABELS) == set(CATALOGUE)
    assert all(label and label[0].isupper() for label in FINDING_LABELS.values())


def test_comparison_note_is_outside_the_filter(synced: tuple[Config, SyncOutcome]) -> None:
    cfg, outcome = synced
    ws = openpyxl.load_workbook(summary_file(cfg))["So sánh"]
    last_unit_row = 1 + len(outcome.result.units) + 1  # header, units, total
    assert ws.auto_filter.ref == f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{last_unit_row}"
    assert ws.cell(last_unit_row, 2).value == "Tổng cộng"
    assert all(c.value is None for c in ws[last_unit_row + 1])  # a blank row, then the note
    note = ws.cell(last_unit_row + 2, 1).value
    assert note.startswith("So sánh lần tổng hợp ngày 05/03/2024") and "lần tổng hợp số 1" in note
    assert any(str(m).startswith(f"A{last_unit_row + 2}:") for m in ws.merged_cells.ranges)


def test_info_shows_when_each_workbook_changed(synced: tuple[Config, SyncOutcome]) -> None:
    cfg, outcome = synced
    ws = openpyxl.load_workbook(summary_file(cfg))["Thông tin"]
    head = header_row(ws)
    assert "Phiên bản" not in head
    changed = head.index("Bảng tính sửa lần cuối")
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    snv = rows["SNV — Sở Nội vụ"][changed]
    mtime = datetime.fromtimestamp(os.stat(cfg.base_dir / "units" / "SNV.xlsx").st_mtime)
    zone = outcome.result.generated_at.tzinfo
    expected = mtime.astimezone().astimezone(zone).replace(tzinfo=None, second=0, microsecond=0)
    assert snv.value == expected and snv.number_format == "dd/mm/yyyy hh:mm"
    assert rows["STC — Sở Tài chính"][changed].value is None  # no workbook: nothing to show
    texts = [str(c.value) for r in ws.iter_rows() for c in r if c.value is not None]
    assert not any(outcome.result.units[0].source_version in t for t in texts)  # no raw stamp


def test_libreoffice_prints_every_tab_with_header_and_page_numbers(
    synced: tuple[Config, SyncOutcome], tmp_path: Path
) -> None:
    cfg, _ = synced
    pdf = convert(Path(summary_file(cfg)), "pdf", tmp_path / "pdf", tmp_path)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    # a page per tab, two for the two tabs printed two pages wide: nothing spilt onto a third
    assert pages == len(TABS) + 2
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    per_page = text.split("\f")
    for tab in TABS:
        assert sum(f"{SUMMARY_TITLE} – {tab}" in " ".join(p.split()) for p in per_page) == (
            2 if tab in ("Nhiệm vụ", "So sánh") else 1
        )
    for n in range(1, pages + 1):
        assert f"Trang {n}/{pages}" in per_page[n - 1]
    assert "Ngày báo cáo 05/03/2024" in text
    extensions = next(p for p in per_page if f"{SUMMARY_TITLE} – Đề nghị gia hạn" in " ".join(p.split()))
    assert "31/03/2024" in extensions and "05/02/2024" in extensions  # requested, made


def test_google_summary_has_the_same_order_labels_wrap_and_note(synced: tuple[Config, SyncOutcome]) -> None:
    from sync.backends.gsheets.summary import summary_requests
    from sync.summary.compare import comparison_table
    from sync.summary.tables import build_tables

    _, outcome = synced
    tables = build_tables(outcome.result, extra=[comparison_table(outcome.result, None)])
    grids = {
        t.name: r["updateCells"]["rows"]
        for t, r in zip(tables, [r for r in summary_requests(tables, []) if "updateCells" in r], strict=True)
    }

    def text(cell: dict[str, object]) -> object:
        return (cell.get("userEnteredValue") or {}).get("stringValue")  # type: ignore[union-attr]

    findings = grids["Cảnh báo"]
    head = [text(c) for c in findings[0]["values"]]
    code, label, value = head.index("Mã lỗi"), head.index("Loại vấn đề"), head.index("Giá trị")
    assert label == code + 1
    first = findings[1]["values"]
    assert text(first[head.index("Mức độ")]) == SEVERITY_LABELS["error"]  # errors first
    assert text(first[label]) == FINDING_LABELS[str(text(first[code]))]
    assert first[0]["userEnteredFormat"]["backgroundColor"] == {"red": 1.0, "green": 0.7804, "blue": 0.8078}
    assert first[value]["userEnteredFormat"]["wrapStrategy"] == "WRAP"
    comparison = grids["So sánh"]
    assert comparison[-2] == {"values": []}  # a blank row, then the note
    assert text(comparison[-1]["values"][0]).startswith("Chưa có lần tổng hợp nào của kỳ trước")
    assert text(comparison[-3]["values"][1]) == "Tổng cộng"
