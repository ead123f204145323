"""Printed pages people read (issue 18 part 9), held to the layout properties that make them so:

- rows ``distribute`` appends are as tall as their wrapped text (.xlsx: ``ht`` + ``customHeight``
  on the ``<row>``; Google: ``updateDimensionProperties``);
- the evaluation workbook's code columns fit the longest code, unwrapped, and its rows their notes;
- So sánh's column titles fit their row, its code column the longest code;
- the reminder's fix list prints one page wide, its title and column titles on every page;
- the report's first page is not left half empty: Bảng 1 starts on it (checked in the PDF
  LibreOffice makes) and goes on under its repeated header.

Each was looked at in LibreOffice (PDF, then PNG) before and after.
"""

from __future__ import annotations

import io
import math
import subprocess
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from docx import Document
from docx.oxml.ns import qn

from google_emulator import Emulator
from sync.config import Config, load_config
from sync.distribute import distribute
from sync.evaluate import export_evaluation
from sync.history import History
from sync.remind.notices import FIX_COLUMNS, build_notices, fix_list_title
from sync.report import write_report
from sync.report.sections import TABLE1_KEPT_ROWS
from sync.schema import unit_sheet_schema
from sync.setup.province import init_province
from sync.shapes.books import UnitSpec
from sync.shapes.wrap import google_row_pixels
from sync.summary.compare import comparison_table
from tests.helpers import AS_OF, google_writable, task_row, write_config, write_workbook
from tests.test_register_reconcile import REGISTER_FIELDS, REGISTER_TITLES, register_row
from tests.test_report import _need, demo  # noqa: F401 - the module's demo province, recorded at three meetings

LONG = (
    "Rà soát, đề xuất tháo gỡ khó khăn, vướng mắc cho các dự án đầu tư xây dựng khu đô thị mới trên địa bàn "
    "tỉnh; báo cáo UBND tỉnh kết quả thực hiện, kiến nghị các giải pháp cụ thể đối với từng dự án chậm tiến độ"
)


# ------------------------------------------------------------------ rows distribute appends


def _template_province(tmp_path: Path) -> Config:
    """A province made by ``init`` (its unit sheets as units get them), with SNV given a task of a long
    content and one of a short one in the register."""
    outcome = init_province(
        [UnitSpec("SNV", "Sở Nội vụ"), UnitSpec("STC", "Sở Tài chính")],
        directory=tmp_path,
        config_path=tmp_path / "ubnd-sync.toml",
        units_csv="don-vi.csv",
        backend="xlsx",
    )
    config = load_config(outcome.config_path)
    assert config.register.source is not None
    register = Path(config.register.source)
    register = register if register.is_absolute() else tmp_path / register
    wb = openpyxl.load_workbook(register)
    ws = wb["Danh mục nhiệm vụ"]
    head = [c.value for c in ws[1]]
    titles = {f.name: f.title for f in unit_sheet_schema().fields}
    for r, (task_id, summary) in enumerate((("NV-1", LONG), ("NV-2", "Báo cáo quý")), start=2):
        values = {
            "task_id": task_id,
            "doc_ref": "344/UBND",
            "doc_date": "10/01/2024",
            "summary": summary,
            "assigner": "UBND tỉnh",
            "lead_unit": "SNV",
            "deadline": "30/06/2024",
        }
        for name, value in values.items():
            ws.cell(row=r, column=head.index(titles[name]) + 1, value=value)
    wb.save(register)
    return config


def test_rows_distribute_appends_are_as_tall_as_their_wrapped_text(tmp_path: Path) -> None:
    config = _template_province(tmp_path)
    [snv, _stc] = distribute(config, as_of=AS_OF).units
    assert snv.status == "added" and snv.rows == [2, 3]
    path = tmp_path / "don-vi" / "SNV.xlsx"
    ws = openpyxl.load_workbook(path)["Nhiệm vụ"]
    col = unit_sheet_schema().names.index("summary")
    width = ws.column_dimensions[openpyxl.utils.get_column_letter(col + 1)].width
    lines = math.ceil(len(LONG) / (width * 1.1))  # at least this many lines of the default font
    assert ws.cell(row=2, column=col + 1).alignment.wrap_text  # the template wraps the content
    assert ws.row_dimensions[2].height >= 15 * lines and ws.row_dimensions[2].customHeight
    assert ws.row_dimensions[3].height is None  # one line: the sheet's default height
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<row r="2" ht="' in sheet and 'customHeight="1"' in sheet


def test_google_rows_distribute_appends_are_as_tall_as_their_wrapped_text(
    tmp_path: Path, emu: Emulator
) -> None:
    write_workbook(
        tmp_path / "danh-muc.xlsx",
        [
            register_row("NV-2", "Sở Nội vụ", "30/06/2024", summary=LONG),
            register_row("NV-3", "SNV", "30/06/2024", summary="Báo cáo quý"),
        ],
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )
    write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row(task_id="NV-1")])
    path = write_config(
        tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")], extra='\n[register]\nsource = "danh-muc.xlsx"\n'
    )
    config = google_writable(tmp_path, path, emu)
    [unit] = distribute(config, as_of=AS_OF).units
    assert unit.status == "added" and unit.rows == [6, 7]
    book = emu.spreadsheet_json(config.units[0].source, include_grid=True)
    meta = book["sheets"][0]["data"][0]["rowMetadata"]
    long_lines = math.ceil(len(LONG) / (48 * 1.1))  # the content column as init makes it: 48 characters
    assert meta[5]["pixelSize"] >= google_row_pixels(long_lines) > 21
    assert meta[6]["pixelSize"] == 21  # one line: left alone


# ------------------------------------------------------------------ the evaluation workbook


def test_the_evaluation_workbooks_code_columns_fit_and_rows_hold_their_notes(
    demo: tuple[Config, list[dict[str, Any]]],  # noqa: F811
    tmp_path: Path,
) -> None:
    config, _docs = demo
    _evaluation, out = export_evaluation(config, 2026, tmp_path / "danh-gia.xlsx")
    book = openpyxl.load_workbook(out)
    longest = max(len(u.code) for u in config.units)
    assert longest > 11  # X-BINHTHANHDONG: longer than the column used to be
    for tab, first in (("Xếp loại", 4), ("Theo tháng", 2)):
        ws = book[tab]
        assert ws.column_dimensions["A" if tab == "Theo tháng" else "B"].width >= longest + 1
        code_col = 1 if tab == "Theo tháng" else 2
        codes = [ws.cell(row=r, column=code_col) for r in range(first, ws.max_row + 1)]
        assert all(not c.alignment.wrap_text for c in codes if c.value)  # a code is never broken
    ranking = book["Xếp loại"]
    notes = [r for r in range(4, ranking.max_row + 1) if ranking.cell(row=r, column=4).value]
    assert notes
    for r in notes:
        text = str(ranking.cell(row=r, column=4).value)
        lines = math.ceil(len(text) / (ranking.column_dimensions["D"].width * 1.1))
        assert ranking.row_dimensions[r].height >= 15 * lines, (r, text)


# ------------------------------------------------------------------ So sánh


def test_so_sanh_titles_fit_their_row_and_the_code_column_its_codes(
    demo: tuple[Config, list[dict[str, Any]]],  # noqa: F811
    tmp_path: Path,
) -> None:
    from sync.backends.xlsx.summary import write_xlsx
    from sync.engine import run_sync

    config, _docs = demo
    result = run_sync(config, date(2026, 11, 5))
    with History(config.history_path) as h:
        previous = h.previous_run(result.as_of, result.period)
    table = comparison_table(result, previous)
    path = write_xlsx([table], tmp_path / "so-sanh.xlsx")
    ws = openpyxl.load_workbook(path)[table.name]
    for c, col in enumerate(table.columns, start=1):
        # bold titles: about one character a width unit; the row must hold the longest
        lines = math.ceil(len(col.title) / ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width)
        assert ws.row_dimensions[1].height >= 15 * lines, col.title
    longest = max(len(u.code) for u in result.units)
    assert ws.column_dimensions["A"].width >= longest + 1


# ------------------------------------------------------------------ the reminder's fix list


def test_the_fix_list_prints_one_page_wide_with_its_titles_on_every_page(
    demo: tuple[Config, list[dict[str, Any]]],  # noqa: F811
) -> None:
    config, _docs = demo
    with History(config.history_path) as h:
        info = h.latest_run()
        assert info is not None
        snap = h.load(info.id)
    units = {u.code: (u.name, ("x@example.org",)) for u in config.units}
    notice = max(build_notices(snap, units), key=lambda n: len(n.table))
    book = openpyxl.load_workbook(io.BytesIO(notice.attachment))
    ws = book.active
    assert ws is not None
    assert [c.value for c in ws[1]] == [title for title, _ in FIX_COLUMNS]
    assert ws.print_title_rows == "$1:$1"  # the column titles on every page
    setup = ws.page_setup
    assert setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert (setup.fitToWidth or 1, setup.fitToHeight) == (1, 0)  # one page wide: no column alone on a page
    name = config.unit(notice.unit).name
    assert fix_list_title(name, notice.unit, snap) in ws.oddHeader.left.text.replace("&&", "&")
    width = ws.column_dimensions["E"].width
    for r in range(2, ws.max_row + 1):
        lines = math.ceil(len(str(ws.cell(row=r, column=5).value)) / (width * 1.1))
        assert lines == 1 or ws.row_dimensions[r].height >= 15 * lines


# ------------------------------------------------------------------ the report's first page


def test_the_reports_first_page_is_not_left_half_empty(
    demo: tuple[Config, list[dict[str, Any]]],  # noqa: F811
    tmp_path: Path,
) -> None:
    soffice = _need("soffice")
    pdftotext = _need("pdftotext")
    assert soffice
    config, _docs = demo
    files = write_report(config, config.history_path, "2026-10", tmp_path)
    # Bảng 1: the header repeated; the caption kept with the header and first rows, the rest free to
    # go on on the next page
    doc = Document(str(files.docx))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Chỉ tiêu")
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    def kept(row: Any) -> bool:
        return all(p.paragraph_format.keep_with_next for c in row.cells for p in c.paragraphs)

    assert [kept(r) for r in table.rows] == [True] * (TABLE1_KEPT_ROWS + 1) + [False] * (
        len(table.rows) - TABLE1_KEPT_ROWS - 1
    )
    assert files.pdf is not None, files.pdf_note
    first = subprocess.run(
        [pdftotext, "-f", "1", "-l", "1", "-layout", str(files.pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(first.split())
    assert "Bảng 1. Số liệu chung" in flat and "Tổng số nhiệm vụ" in flat.split("Bảng 1. Số liệu chung")[1]
