"""Writing into a unit's .xlsx loses nothing (issue 18): ``distribute`` and the ``Nhắc việc`` tab edit
the package in place (``sync.backends.xlsx.package``). On workbooks written by XlsxWriter (which writes Excel's
own x14 extensions) and re-saved by LibreOffice — formulas with their saved values, dropdowns whose
list lives on another tab (also as Excel's x14 extension), conditional formats with x14 data bars,
a sparkline, comments, defined names — every zip part but the edited ones is byte for byte the same,
the edited sheet's bytes around the rows written too, our reader still sees the formulas' values,
and LibreOffice opens the result."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import warnings
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc
import xlsxwriter
from click.testing import CliRunner

from sync.backends.xlsx.package import CellStyle, PackageRefused, SheetSpec, XlsxPackage
from sync.backends.xlsx.unitbook import UnitWorkbook, replace_office_tab
from sync.cli import cli
from sync.config import Limits, load_config
from sync.distribute import distribute
from sync.distribute.plan import COOP_COLUMNS, COOP_TITLE
from sync.engine import run_sync
from sync.exceptions import UnitWriteRefused
from sync.pipeline import sync_and_record
from sync.remind.sheet import TITLE as REMIND_TITLE
from sync.schema import unit_sheet_schema
from sync.shapes.office_tabs import REMIND_TAB
from tests.helpers import AS_OF, task_row, write_config, write_workbook
from tests.test_libreoffice import convert
from tests.test_register_reconcile import REGISTER_FIELDS, REGISTER_TITLES, register_row

SCHEMA = unit_sheet_schema()
COLUMNS = list(SCHEMA.names)
STATUS = COLUMNS.index("status")  # K
DONE = COLUMNS.index("completed_on")  # M
#: parts an edit may change; any other part must be byte for byte the same
EDITABLE = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
#: a dropdown as Excel writes one whose list lives on another tab (openpyxl drops it)
EXCEL_X14_DROPDOWN = (
    '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main">'
    '<x14:dataValidations count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:dataValidation type="list" allowBlank="1" showInputMessage="1" showErrorMessage="1">'
    "<x14:formula1><xm:f>'Danh mục'!$B$1:$B$2</xm:f></x14:formula1><xm:sqref>F5:F500</xm:sqref>"
    "</x14:dataValidation></x14:dataValidations></ext>"
)


def unit_workbook(path: Path, task_id: str = "NV-1", *, own_tabs: tuple[str, ...] = ()) -> Path:
    """A unit's tracking sheet as Excel would hold it, written by XlsxWriter: title rows, the header,
    one overdue task whose status is a formula (saved value “Đang thực hiện”), then a pre-numbered template
    row (STT and borders only); a dropdown from the “Danh mục” tab, conditional formats (an x14 data
    bar, icons), a comment, a defined name, a sparkline, a frozen header, a count by formula on
    another tab. ``own_tabs``: tabs of the unit's own, named as it likes."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Nhiệm vụ")
    lists = wb.add_worksheet("Danh mục")
    for name in own_tabs:
        own = wb.add_worksheet(name)
        own.write_row(0, 0, ["Đơn vị", "Đầu mối", "Điện thoại"])
        own.write_row(1, 0, ["Sở Tài chính", "Phòng Ngân sách", "0297 3862 111"])
    bold = wb.add_format({"bold": True, "border": 1, "text_wrap": True})
    cell = wb.add_format({"border": 1, "valign": "top"})
    day = wb.add_format({"border": 1, "valign": "top", "num_format": "dd/mm/yyyy"})
    ws.write(0, 0, "UBND TỈNH KIÊN GIANG", wb.add_format({"bold": True}))
    ws.write(1, 0, "BẢNG THEO DÕI NHIỆM VỤ")
    ws.write_row(3, 0, [f.title for f in SCHEMA.fields], bold)
    row = task_row(task_id=task_id, deadline="15/02/2024")
    for c, name in enumerate(COLUMNS):
        value = row[name]
        if c == STATUS:
            ws.write_formula(4, c, '=IF(M5="","Đang thực hiện","Đã hoàn thành")', cell, "Đang thực hiện")
        elif isinstance(value, str) and re.fullmatch(r"\d\d/\d\d/\d{4}", value):
            ws.write_datetime(4, c, datetime.strptime(value, "%d/%m/%Y"), day)
        elif value is None:
            ws.write_blank(4, c, None, day if SCHEMA[name].type == "date" else cell)
        else:
            ws.write(4, c, value, cell)
    ws.write_number(5, 0, 2, cell)  # the template row: an STT, borders
    for c in range(1, len(COLUMNS)):
        ws.write_blank(5, c, None, cell)
    lists.write_column(0, 0, ["Đang thực hiện", "Đã hoàn thành", "Chưa thực hiện"])
    lists.write_column(0, 1, ["Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh"])
    lists.write_formula(4, 0, "=COUNTA('Nhiệm vụ'!B5:B500)", None, 1)
    ws.data_validation("K5:K500", {"validate": "list", "source": "='Danh mục'!$A$1:$A$3"})
    ws.conditional_format("I5:I500", {"type": "data_bar", "data_bar_2010": True})
    ws.conditional_format("A5:A500", {"type": "icon_set", "icon_style": "3_arrows"})
    ws.write_comment("B4", "Mã do Văn phòng cấp")
    wb.define_name("TrangThai", "='Danh mục'!$A$1:$A$3")
    ws.add_sparkline("R5", {"range": "'Nhiệm vụ'!A5:A5"})
    ws.freeze_panes(4, 0)
    wb.close()
    # the dropdown Excel keeps in its x14 extension, beside XlsxWriter's own extensions
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert sheet.endswith("</extLst></worksheet>")
    parts["xl/worksheets/sheet1.xml"] = (
        sheet[: -len("</extLst></worksheet>")] + EXCEL_X14_DROPDOWN
    ).encode() + (b"</extLst></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def saved_by(writer: str, path: Path, tmp_path: Path, **kw: Any) -> Path:
    """``unit_workbook`` as XlsxWriter wrote it, or re-saved by LibreOffice."""
    src = unit_workbook(tmp_path / "src" / path.name if writer == "libreoffice" else path, **kw)
    if writer == "libreoffice":
        out = convert(src, "xlsx", path.parent, tmp_path)
        assert out == path
    return path


def province(tmp_path: Path, writer: str, **kw: Any) -> Path:
    """SNV's sheet has NV-1 and lacks NV-2; STC leads NV-3 with SNV co-operating (SNV's Phối hợp tab)."""
    (tmp_path / "src").mkdir()
    (tmp_path / "units").mkdir()
    write_workbook(
        tmp_path / "danh-muc.xlsx",
        [
            register_row("NV-1", "Sở Nội vụ", "15/02/2024"),
            register_row("NV-2", "SNV", "30/06/2024", summary="=Xây dựng đề án vị trí việc làm"),
            register_row("NV-3", "STC", "31/05/2024", co_units="Sở Nội vụ"),
        ],
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )
    saved_by(writer, tmp_path / "units" / "SNV.xlsx", tmp_path, **kw)
    write_workbook(tmp_path / "units" / "STC.xlsx", [task_row(task_id="NV-3", lead_unit="Sở Tài chính")])
    return write_config(
        tmp_path,
        [("SNV", "Sở Nội vụ", "units/SNV.xlsx"), ("STC", "Sở Tài chính", "units/STC.xlsx")],
        extra='\n[register]\nsource = "danh-muc.xlsx"\n',
    )


def raw_entries(data: bytes) -> dict[str, bytes]:
    """Each zip entry's local header and compressed bytes, as stored."""
    out = {}
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            n, m = (
                int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28], "little"),
                int.from_bytes(data[info.header_offset + 28 : info.header_offset + 30], "little"),
            )
            out[info.filename] = data[
                info.header_offset : info.header_offset + 30 + n + m + info.compress_size
            ]
    return out


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i) for i in z.infolist()}


def sheet_part(data: bytes, tab: str) -> str:
    """The part name of worksheet ``tab``."""
    p = parts(data)
    book = p["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet [^>]*name="{re.escape(tab)}"[^>]*r:id="(\w+)"', book)
    assert rid is not None
    target = re.search(
        rf'Id="{rid.group(1)}"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="{rid.group(1)}"',
        p["xl/_rels/workbook.xml.rels"].decode(),
    )
    assert target is not None
    return "xl/" + (target.group(1) or target.group(2)).removeprefix("/xl/")


def assert_kept(before: bytes, after: bytes, allowed: set[str]) -> set[str]:
    """Every part outside ``allowed`` is the same zip entry (header and compressed bytes); returns
    the parts that changed or were added."""
    old, new = raw_entries(before), raw_entries(after)
    assert set(old) <= set(new)
    changed = {n for n in new if old.get(n) != new[n]}
    assert changed <= allowed, changed - allowed
    return changed


def assert_rows_spliced(old: bytes, new: bytes, first: int, last: int) -> None:
    """Within a sheet, the bytes before row ``first`` and after row ``last`` are the same (the
    dimension's range aside)."""
    dim = re.compile(rb'<dimension ref="[^"]*"/>')
    old, new = dim.sub(b"<dimension/>", old), dim.sub(b"<dimension/>", new)
    start = new.index(f'<row r="{first}"'.encode())
    assert old[:start] == new[:start]
    end = new.index(b"</row>", new.index(f'<row r="{last}"'.encode())) + len(b"</row>")
    if f'<row r="{last}"'.encode() in old:
        old_end = old.index(b"</row>", old.index(f'<row r="{last}"'.encode())) + len(b"</row>")
    else:
        old_end = old.index(b"</sheetData>")
    assert new[end:] == old[old_end:]


def lo_text(path: Path, tmp_path: Path) -> str:
    """Every tab of ``path`` as LibreOffice shows it (csv), one after the other."""
    out = tmp_path / "lo-csv"
    convert(
        path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1", out, tmp_path
    )
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.glob(path.stem + "*.csv")))


@pytest.mark.parametrize("writer", ["xlsxwriter", "libreoffice"])
def test_distribute_keeps_every_other_byte(tmp_path: Path, writer: str) -> None:
    config = load_config(province(tmp_path, writer))
    snv = tmp_path / "units" / "SNV.xlsx"
    before = snv.read_bytes()
    task_part = sheet_part(before, "Nhiệm vụ")
    report = distribute(config, as_of=AS_OF)
    unit = report.units[0]
    assert (unit.status, unit.added, unit.rows, unit.coop, unit.coop_tab) == (
        "added",
        ["NV-2"],
        [6],
        ["NV-3"],
        "Phối hợp",
    )
    after = snv.read_bytes()
    coop_part = sheet_part(after, "Phối hợp")
    changed = assert_kept(before, after, EDITABLE | {task_part, coop_part})
    assert {task_part, coop_part, "xl/workbook.xml"} <= changed
    assert_rows_spliced(parts(before)[task_part], parts(after)[task_part], 6, 6)
    # the x14 extensions, the comment, the names: the same bytes, where openpyxl would have dropped them
    sheet = parts(after)[task_part].decode()
    kept = ["x14:sparklineGroups", "x14:dataBar", "Danh mục&apos;!$A$1:$A$3"]
    if writer == "xlsxwriter":
        kept = [*kept[:2], "<x14:dataValidations", "<formula1>'Danh mục'!$A$1:$A$3</formula1>"]
    assert all(k in sheet for k in kept), [k for k in kept if k not in sheet]
    assert 'name="TrangThai"' in parts(after)["xl/workbook.xml"].decode()
    # our reader: the row, the dates, the formula's saved value (not “required-missing”)
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(after))
    grid = book.get_sheet_by_name("Nhiệm vụ").to_python()
    assert grid[4][STATUS] == "Đang thực hiện"
    assert grid[5][:9] == [
        2,  # the template row's own STT
        "NV-2",
        "344/UBND-TH",
        date(2024, 1, 10),
        "=Xây dựng đề án vị trí việc làm",  # text, never a formula
        "Chủ tịch UBND tỉnh",
        "SNV",
        "",
        date(2024, 6, 30),
    ]
    assert book.get_sheet_by_name("Danh mục").to_python()[4][0] == 1  # a formula elsewhere: its value kept
    synced = run_sync(config, AS_OF)
    snv_findings = {(f.code, f.cell) for f in synced.findings if f.unit == "SNV"}
    assert ("required-missing", "K5") not in snv_findings
    assert [t.task_id for t in next(u for u in synced.units if u.code == "SNV").tasks] == ["NV-1", "NV-2"]
    # LibreOffice opens it: the new row, its dates as the unit shows them, the Office's tab
    text = lo_text(snv, tmp_path)
    assert "2,NV-2,344/UBND-TH,10/01/2024,=Xây dựng đề án vị trí việc làm" in text
    assert "30/06/2024" in text and COOP_TITLE in text and "NV-3" in text
    # a second run adds nothing and writes nothing
    again = distribute(config, as_of=AS_OF)
    assert [u.status for u in again.units] == ["up_to_date", "up_to_date"]
    assert snv.read_bytes() == after


def test_a_date_style_that_fits_is_used_styles_untouched(tmp_path: Path) -> None:
    """The cell above shows dd/mm/yyyy: the new dates take its format, styles.xml is not touched."""
    path = unit_workbook(tmp_path / "SNV.xlsx")
    before = path.read_bytes()
    target = UnitWorkbook.read(path, "SNV", Limits())
    with target.editing() as package:
        package.write_cells(
            "Nhiệm vụ", {7: {1: "NV-9", 3: date(2024, 2, 1), 8: date(2024, 12, 31)}}, style_row=5
        )
    target.save()
    after = path.read_bytes()
    # XlsxWriter asks Excel to recalculate on opening already (else workbook.xml would say so now)
    assert assert_kept(before, after, EDITABLE | {"xl/worksheets/sheet1.xml"}) == {"xl/worksheets/sheet1.xml"}
    assert 'fullCalcOnLoad="1"' in parts(after)["xl/workbook.xml"].decode()
    cells = openpyxl_cells(after, "Nhiệm vụ")
    assert cells["D7"] == (datetime(2024, 2, 1), "dd/mm/yyyy") and cells["I7"] == (
        datetime(2024, 12, 31),
        "dd/mm/yyyy",
    )
    assert_rows_spliced(
        parts(before)["xl/worksheets/sheet1.xml"], parts(after)["xl/worksheets/sheet1.xml"], 7, 7
    )


def openpyxl_cells(data: bytes, tab: str) -> dict[str, tuple[Any, str]]:
    """Cell -> (value, number format), as openpyxl reads them (its warnings on extensions it drops silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ws = openpyxl.load_workbook(io.BytesIO(data))[tab]
    return {c.coordinate: (c.value, c.number_format) for row in ws.iter_rows() for c in row}


@pytest.mark.parametrize("writer", ["xlsxwriter", "libreoffice"])
def test_remind_tab_keeps_every_other_byte_and_is_replaced_in_place(tmp_path: Path, writer: str) -> None:
    path = province(tmp_path, writer)
    config = load_config(path)
    sync_and_record(config, AS_OF)
    snv = tmp_path / "units" / "SNV.xlsx"
    before = snv.read_bytes()
    result = CliRunner().invoke(cli, ["remind", "-c", str(path), "--channel", "sheet"])
    assert result.exit_code == 0, result.output
    assert "SNV: đã ghi trang “Nhắc việc” trong bảng của đơn vị" in result.output
    first = snv.read_bytes()
    remind_part = sheet_part(first, REMIND_TAB)
    changed = assert_kept(before, first, EDITABLE | {remind_part})
    assert (
        remind_part in changed and sheet_part(before, "Nhiệm vụ") not in changed
    )  # the task tab: not a byte
    text = lo_text(snv, tmp_path)
    assert REMIND_TITLE in text and "Nhiệm vụ quá hạn,NV-1,Nhiệm vụ!I5" in text
    # a new notice: the tab replaced in place (same part), styles found, not added again
    target = UnitWorkbook.read(snv, "SNV", Limits())
    grid = [
        [REMIND_TITLE],
        ["Theo kết quả tổng hợp ngày 06/03/2024"],
        [],
        ["Loại việc", "Mã NV liên quan"],
        ["Khác", "NV-1"],
    ]
    with target.editing() as package:
        assert replace_office_tab(package, REMIND_TAB, grid, (28, 16)) == REMIND_TAB
    target.save()
    second = snv.read_bytes()
    assert assert_kept(first, second, {remind_part, "xl/workbook.xml"}) == {remind_part}
    assert parts(second)["xl/workbook.xml"] == parts(first)["xl/workbook.xml"]
    rows = pc.CalamineWorkbook.from_filelike(io.BytesIO(second)).get_sheet_by_name(REMIND_TAB).to_python()
    assert rows[4][:2] == ["Khác", "NV-1"] and len(rows) == 5


@pytest.mark.parametrize("writer", ["xlsxwriter", "libreoffice"])
def test_a_units_own_tabs_of_those_names_are_never_touched(tmp_path: Path, writer: str) -> None:
    path = province(tmp_path, writer, own_tabs=("Phối hợp", "nhắc việc"))
    config = load_config(path)
    snv = tmp_path / "units" / "SNV.xlsx"
    before = snv.read_bytes()
    own = {sheet_part(before, "Phối hợp"), sheet_part(before, "nhắc việc")}
    result = CliRunner().invoke(cli, ["distribute", "-c", str(path), "--as-of", "05/03/2024", "--json"])
    assert result.exit_code == 0, result.output
    snv_out = json.loads(result.output)["units"][0]
    assert (snv_out["coop"], snv_out["coop_tab"]) == (["NV-3"], "Phối hợp (Văn phòng)")
    text = CliRunner().invoke(cli, ["distribute", "-c", str(path), "--dry-run", "--as-of", "05/03/2024"])
    assert text.output.splitlines()[0] == "SNV: đã có đủ nhiệm vụ của danh mục, không thêm gì"  # found again
    sync_and_record(config, AS_OF)
    reminded = CliRunner().invoke(cli, ["remind", "-c", str(path), "--channel", "sheet"])
    assert "SNV: đã ghi trang “Nhắc việc (Văn phòng)” trong bảng của đơn vị" in reminded.output
    after = snv.read_bytes()
    old, new = raw_entries(before), raw_entries(after)
    assert all(old[p] == new[p] for p in own)  # the unit's own tabs: not a byte changed
    book = pc.CalamineWorkbook.from_filelike(io.BytesIO(after))
    assert book.sheet_names == [
        "Nhiệm vụ",
        "Danh mục",
        "Phối hợp",
        "nhắc việc",
        "Phối hợp (Văn phòng)",
        "Nhắc việc (Văn phòng)",
    ]
    assert book.get_sheet_by_name("Phối hợp").to_python()[1][0] == "Sở Tài chính"
    assert book.get_sheet_by_name("Phối hợp (Văn phòng)").to_python()[3] == list(COOP_COLUMNS)
    # the next notice replaces the Office's tab, still not the unit's
    target = UnitWorkbook.read(snv, "SNV", Limits())
    with target.editing() as package:
        name = replace_office_tab(
            package, REMIND_TAB, [[REMIND_TITLE], [], [], ["Loại việc"], ["Khác"]], (20,)
        )
    target.save()
    assert name == "Nhắc việc (Văn phòng)"
    assert (
        raw_entries(snv.read_bytes())[sheet_part(before, "nhắc việc")] == old[sheet_part(before, "nhắc việc")]
    )
    assert len(pc.CalamineWorkbook.from_filelike(io.BytesIO(snv.read_bytes())).sheet_names) == 6


def test_no_free_name_left_is_a_refusal(tmp_path: Path) -> None:
    names = ["Phối hợp", *(f"Phối hợp (Văn phòng{'' if n == 1 else f' {n}'})" for n in range(1, 10))]
    path = unit_workbook(tmp_path / "SNV.xlsx", own_tabs=tuple(names))
    before = path.read_bytes()
    target = UnitWorkbook.read(path, "SNV", Limits())
    with pytest.raises(UnitWriteRefused) as e, target.editing() as package:
        replace_office_tab(package, "Phối hợp", [[COOP_TITLE]], (8,))
    assert "đơn vị SNV, tệp SNV.xlsx: bảng tính đã có các trang “Phối hợp”" in str(e.value)
    assert path.read_bytes() == before


def test_a_symlinked_workbook_is_written_through_the_link(tmp_path: Path) -> None:
    config = load_config(province(tmp_path, "xlsxwriter"))
    real_dir = tmp_path / "shared"
    real_dir.mkdir()
    link = tmp_path / "units" / "SNV.xlsx"
    real = real_dir / "so-noi-vu.xlsx"
    link.rename(real)
    link.symlink_to(os.path.relpath(real, link.parent))
    os.chmod(real, 0o640)
    report = distribute(config, as_of=AS_OF)
    assert report.units[0].status == "added", report.units[0].message
    assert link.is_symlink() and link.resolve() == real
    assert os.stat(real).st_mode & 0o777 == 0o640
    grid = pc.CalamineWorkbook.from_path(str(real)).get_sheet_by_name("Nhiệm vụ").to_python()
    assert grid[5][1] == "NV-2"
    assert sorted(p.name for p in real_dir.iterdir()) == ["so-noi-vu.xlsx"]  # no temporary file left
    assert sorted(p.name for p in link.parent.iterdir()) == ["SNV.xlsx", "STC.xlsx"]
    # a lock file beside the real file (opened there) is seen too
    (real_dir / ".~lock.so-noi-vu.xlsx#").write_text("van-thu", encoding="utf-8")
    target = UnitWorkbook.read(link, "SNV", Limits())
    with pytest.raises(UnitWriteRefused, match="đang mở"):
        target.package()


def test_a_formula_where_a_value_goes_is_refused(tmp_path: Path) -> None:
    path = unit_workbook(tmp_path / "SNV.xlsx")
    before = path.read_bytes()
    target = UnitWorkbook.read(path, "SNV", Limits())
    with pytest.raises(UnitWriteRefused) as e, target.editing() as package:
        package.write_cells("Nhiệm vụ", {5: {STATUS: "Đang thực hiện"}})
    assert "ô K5 của trang “Nhiệm vụ” có công thức" in str(e.value) and "đơn vị SNV" in str(e.value)
    assert path.read_bytes() == before


def test_an_image_is_refused_as_before(tmp_path: Path) -> None:
    src = tmp_path / "src.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("Nhiệm vụ")
    ws.write_row(0, 0, [f.title for f in SCHEMA.fields])
    ws.insert_image("B3", "logo.png", {"image_data": io.BytesIO(PNG)})
    wb.close()
    path = convert(src, "xlsx", tmp_path / "lo", tmp_path)
    target = UnitWorkbook.read(path, "SNV", Limits())
    with pytest.raises(UnitWriteRefused, match="hình"):
        target.package()


#: a 1×1 PNG
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360f8cfc0f01f0005000201a5b2d8b30000000049454e44ae426082"
)


def prefixed(data: bytes) -> bytes:
    """The package with SpreadsheetML in an ``x:`` prefix (as .NET's Open XML SDK writes it)."""
    main = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    out = {}
    for name, part in parts(data).items():
        if main in part and name.startswith("xl/"):
            part = part.replace(main, main.replace(b"xmlns=", b"xmlns:x="))
            part = re.sub(rb"<(/?)([A-Za-z]+)([\s/>])", rb"<\1x:\2\3", part)
        out[name] = part
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, part in out.items():
            z.writestr(name, part)
    return buf.getvalue()


def test_prefixed_namespace_and_a_1904_workbook(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "SNV.xlsx", [task_row(task_id="NV-1")])
    wb = openpyxl.load_workbook(path)
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    wb.save(path)
    data = prefixed(path.read_bytes())
    assert b"<x:sheetData>" in parts(data)["xl/worksheets/sheet1.xml"]
    package = XlsxPackage(data)
    package.write_cells("Nhiệm vụ", {6: {0: 2, 1: "NV-2", 8: date(2024, 6, 30)}}, style_row=5)
    style = CellStyle(bold=True)
    package.put_sheet("Phối hợp", SheetSpec({(0, 0): ("Tiêu đề", style)}, print_title_row=1))
    out = package.to_bytes()
    sheet = parts(out)["xl/worksheets/sheet1.xml"].decode()
    assert '<x:row r="6"><x:c r="A6"><x:v>2</x:v></x:c><x:c r="B6" t="inlineStr"><x:is>' in sheet
    grid = pc.CalamineWorkbook.from_filelike(io.BytesIO(out)).get_sheet_by_name("Nhiệm vụ").to_python()
    assert grid[5][:2] == [2, "NV-2"] and grid[5][8] == date(2024, 6, 30)  # the 1904 calendar honoured
    assert "<x:sheet " in parts(out)["xl/workbook.xml"].decode()
    (tmp_path / "out.xlsx").write_bytes(out)
    text = lo_text(tmp_path / "out.xlsx", tmp_path)
    assert "NV-2" in text and "30/06/2024" in text and "Tiêu đề" in text


def test_an_office_tab_excel_saved_with_printer_settings_is_replaced_cleanly(tmp_path: Path) -> None:
    """Excel keeps printer settings of a tab that was printed (a part of its own): replacing the tab
    removes them with it (nothing dangling), and nothing else."""
    path = unit_workbook(tmp_path / "SNV.xlsx")
    target = UnitWorkbook.read(path, "SNV", Limits())
    grid = [[REMIND_TITLE], [], [], ["Loại việc"], ["Khác"]]
    with target.editing() as package:
        replace_office_tab(package, REMIND_TAB, grid, (20,))
    target.save()
    p = parts(path.read_bytes())
    tab = sheet_part(path.read_bytes(), REMIND_TAB)
    rels = tab.replace("worksheets/", "worksheets/_rels/") + ".rels"
    p[rels] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxml'
        b'formats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org'
        b'/officeDocument/2006/relationships/printerSettings" Target="../printerSettings/printerSettings1.bin"/>'
        b"</Relationships>"
    )
    p["xl/printerSettings/printerSettings1.bin"] = b"\x00" * 64
    p["[Content_Types].xml"] = p["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Default Extension="bin" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.printerSettings"/></Types>',
    )
    p[tab] = p[tab].replace(b'fitToHeight="0"/>', b'fitToHeight="0" r:id="rId1"/>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in p.items():
            z.writestr(name, data)
    before = path.read_bytes()
    target = UnitWorkbook.read(path, "SNV", Limits())
    with target.editing() as package:
        replace_office_tab(package, REMIND_TAB, grid, (20,))
    target.save()
    after = path.read_bytes()
    old, new = raw_entries(before), raw_entries(after)
    assert set(old) - set(new) == {rels, "xl/printerSettings/printerSettings1.bin"}
    assert {n for n in new if old.get(n) != new[n]} == {tab}
    assert b"r:id" not in parts(after)[tab]
    assert REMIND_TITLE in lo_text(path, tmp_path)


def test_refusals_name_what_cannot_be_kept() -> None:
    with pytest.raises(PackageRefused, match="không có mục lục zip"):
        XlsxPackage(b"PK\x03\x04 not a zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                   'relationships"><Relationship Id="rId1" Type="http://purl.oclc.org/ooxml/officeDocument/'
                   'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')  # fmt: skip
    with pytest.raises(PackageRefused, match="Strict Open XML"):
        XlsxPackage(buf.getvalue())


def test_entries_are_copied_as_they_were(tmp_path: Path) -> None:
    """Not recompressed: the local header, compressed bytes and central record of an untouched part."""
    path = unit_workbook(tmp_path / "SNV.xlsx")
    before = path.read_bytes()
    package = XlsxPackage(before)
    package.write_cells("Nhiệm vụ", {6: {1: "NV-2"}})
    after = package.to_bytes()
    old, new = raw_entries(before), raw_entries(after)
    for name in ("xl/worksheets/sheet2.xml", "xl/theme/theme1.xml", "xl/comments1.xml", "docProps/app.xml"):
        assert old[name] == new[name]
    with zipfile.ZipFile(io.BytesIO(after)) as z:
        assert z.testzip() is None
    assert hashlib.sha256(before).digest() != hashlib.sha256(after).digest()
