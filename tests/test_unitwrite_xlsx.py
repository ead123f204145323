"""The safe writer for units' .xlsx (sync.backends.xlsx.unitbook): a round trip keeps everything, and every
reason not to write (changed meanwhile, open in Excel/LibreOffice, parts not written beside yet) is a refusal
that leaves the file byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sync.backends.xlsx.read import XlsxWorkbook
from sync.backends.xlsx.unitbook import UnitWorkbook, dropped_parts, lock_files
from sync.exceptions import SourceUnreadable, UnitWriteRefused
from sync.limits import Limits


def rich_workbook(path: Path) -> Path:
    """Two tabs, formats, a dropdown, sheet protection with unlocked cells, a frozen header."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Nhiệm vụ"
    ws.append(["Mã nhiệm vụ", "Nội dung nhiệm vụ", "Thời hạn", "Tình trạng"])
    ws.append(["NV-1", "Việc một", "30/04/2024", "Đang thực hiện"])
    ws["A1"].font = Font(bold=True, color="FF0000")
    ws["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.freeze_panes = "A2"
    ws.column_dimensions["B"].width = 55
    dv = DataValidation(type="list", formula1='"Đang thực hiện,Đã hoàn thành"', allow_blank=True)
    dv.add("D2:D500")
    ws.add_data_validation(dv)
    ws.protection.sheet = True
    ws["D2"].protection = openpyxl.styles.Protection(locked=False)
    guide = wb.create_sheet("Hướng dẫn")
    guide["A1"] = "Điền mỗi nhiệm vụ một dòng."
    wb.save(path)
    return path


def write_a3(target: UnitWorkbook, value: str = "NV-2") -> None:
    with target.editing() as package:
        package.write_cells("Nhiệm vụ", {3: {0: value}})


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_keeps_cells_formats_validation_protection_and_tabs(tmp_path: Path) -> None:
    path = rich_workbook(tmp_path / "SNV.xlsx")
    target = UnitWorkbook.read(path, "SNV", Limits())
    write_a3(target)
    target.save()
    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    assert wb.sheetnames == ["Nhiệm vụ", "Hướng dẫn"]
    assert [c.value for c in ws[2]] == ["NV-1", "Việc một", "30/04/2024", "Đang thực hiện"]
    assert ws["A3"].value == "NV-2"
    assert ws["A1"].font.bold and ws["A1"].font.color.rgb == "00FF0000"
    assert ws["B2"].fill.fgColor.rgb == "00FFFF00"
    assert ws.freeze_panes == "A2"
    assert ws.column_dimensions["B"].width == 55
    assert [str(v.sqref) for v in ws.data_validations.dataValidation] == ["D2:D500"]
    assert ws.protection.sheet is True and ws["D2"].protection.locked is False
    assert wb["Hướng dẫn"]["A1"].value == "Điền mỗi nhiệm vụ một dòng."


def test_a_file_changed_after_the_read_is_not_replaced(tmp_path: Path) -> None:
    path = rich_workbook(tmp_path / "SNV.xlsx")
    target = UnitWorkbook.read(path, "SNV", Limits())
    write_a3(target)
    # the unit saves its own change meanwhile
    unit = openpyxl.load_workbook(path)
    unit["Nhiệm vụ"]["B2"] = "Việc một (đơn vị sửa)"
    unit.save(path)
    saved = sha(path)
    with pytest.raises(UnitWriteRefused) as e:
        target.save()
    assert "đơn vị SNV, tệp SNV.xlsx" in str(e.value) and "đã được sửa" in str(e.value)
    assert sha(path) == saved
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SNV.xlsx"]  # no temporary file left


def test_same_size_and_time_but_other_bytes_is_a_change(tmp_path: Path) -> None:
    path = rich_workbook(tmp_path / "SNV.xlsx")
    target = UnitWorkbook.read(path, "SNV", Limits())
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[-30] ^= 1  # same size
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime
    with pytest.raises(UnitWriteRefused):
        target.save()
    assert path.read_bytes() == bytes(data)


@pytest.mark.parametrize("lock", ["~$SNV.xlsx", ".~lock.SNV.xlsx#", "~$ng-hop-so-noi-vu.xlsx"])
def test_an_open_workbook_is_refused(tmp_path: Path, lock: str) -> None:
    name = "tong-hop-so-noi-vu.xlsx" if lock.startswith("~$ng") else "SNV.xlsx"
    path = rich_workbook(tmp_path / name)
    before = sha(path)
    (tmp_path / lock).write_bytes(b"owner")
    assert lock_files(path) == [tmp_path / lock]
    target = UnitWorkbook.read(path, "SNV", Limits())
    with pytest.raises(UnitWriteRefused) as e:
        target.package()
    assert "đang mở trong Excel/LibreOffice" in str(e.value) and lock in str(e.value)
    assert sha(path) == before


def test_a_lock_appearing_before_the_replace_is_refused(tmp_path: Path) -> None:
    path = rich_workbook(tmp_path / "SNV.xlsx")
    before = sha(path)
    target = UnitWorkbook.read(path, "SNV", Limits())
    write_a3(target)
    (tmp_path / ".~lock.SNV.xlsx#").write_text("user,host", encoding="utf-8")
    with pytest.raises(UnitWriteRefused):
        target.save()
    assert sha(path) == before


def test_a_workbook_with_a_chart_is_refused_not_damaged(tmp_path: Path) -> None:
    path = rich_workbook(tmp_path / "SNV.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, min_row=1, max_row=2))
    ws.add_chart(chart, "F2")
    wb.save(path)
    before = sha(path)
    assert "biểu đồ" in dropped_parts(path.read_bytes())
    target = UnitWorkbook.read(path, "SNV", Limits())
    with pytest.raises(UnitWriteRefused) as e:
        target.package()
    assert "biểu đồ" in str(e.value) and "Tệp không bị thay đổi" in str(e.value)
    assert sha(path) == before


def test_a_workbook_with_an_image_or_macros_is_refused(tmp_path: Path) -> None:
    path = rich_workbook(tmp_path / "SNV.xlsx")
    data = path.read_bytes()
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/media/image1.png", b"\x89PNG")
        z.writestr("xl/vbaProject.bin", b"vba")
    assert dropped_parts(path.read_bytes()) == ["hình ảnh", "macro (VBA)"]
    assert dropped_parts(data) == []


def test_an_unreadable_file_is_the_guards_message(tmp_path: Path) -> None:
    path = tmp_path / "SNV.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(SourceUnreadable) as e:
        UnitWorkbook.read(path, "SNV", Limits())
    assert "SNV.xlsx" in str(e.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=40))
@example(text="=SUM(A1) _x0041_ a\r\nb \ufffe")
def test_any_text_is_written_as_that_text(tmp_path: Path, text: str) -> None:
    """Whatever the register holds, the cell reads back as the same text (never a formula, never a
    crash); only characters a .xlsx cannot hold (control characters, U+FFFE/U+FFFF) are left out.
    ``_x0041_`` is Excel's escape of “A”: written as ``_x005F_x0041_``, which Excel and our reader read
    back as ``_x0041_``; openpyxl does not undo that escape in inline strings, hence its replace."""
    path = rich_workbook(tmp_path / "SNV.xlsx")
    target = UnitWorkbook.read(path, "SNV", Limits())
    with target.editing() as package:
        package.write_cells("Nhiệm vụ", {3: {1: text}})
    target.save()
    expected = re.sub("[\ufffe\uffff]", "", ILLEGAL_CHARACTERS_RE.sub("", text))
    cell = openpyxl.load_workbook(path)["Nhiệm vụ"]["B3"]
    assert cell.data_type == "s" or (cell.value is None and expected == "")
    assert (cell.value or "").replace("_x005F_", "_") == expected
    grid = XlsxWorkbook(path).read_tab("Nhiệm vụ").rows
    assert (grid[2][1] if len(grid) > 2 else "") == expected


def test_windows_refusing_the_replace_is_open_in_excel(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows refuses to replace a file Excel has open (PermissionError), with no lock file in sight
    (a share where ~$ files are hidden): the unit is refused, the file whole, no temporary left."""
    path = rich_workbook(tmp_path / "SNV.xlsx")
    before = sha(path)
    target = UnitWorkbook.read(path, "SNV", Limits())
    write_a3(target)
    real_replace = os.replace

    def excel_holds_it(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        if Path(dst) == path:
            raise PermissionError(13, "The process cannot access the file because it is being used", str(dst))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", excel_holds_it)
    with pytest.raises(UnitWriteRefused) as e:
        target.save()
    assert "đang mở trong Excel/LibreOffice" in str(e.value) and "SNV.xlsx" in str(e.value)
    assert sha(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["SNV.xlsx"]
