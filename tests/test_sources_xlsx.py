from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from sync.config import Config
from sync.engine import run_sync
from sync.exceptions import SourceUnreadable
from sync.sources.xlsx import XlsxSource
from tests.conftest import AS_OF, task_row, tree_hash, write_workbook

Province = Callable[..., Config]


def unreadable_message(province: Province, tmp_path: Path, make: Callable[[Path], None]) -> str:
    cfg = province({"SNV": [task_row()], "STC": None})
    make(tmp_path / "units" / "STC.xlsx")
    result = run_sync(cfg, AS_OF)
    stc = result.units[1]
    assert stc.report_status == "unreadable"
    assert result.units[0].report_status == "on_time"
    f = [f for f in result.findings if f.unit == "STC"]
    assert [x.code for x in f] == ["source-unreadable"]
    assert f[0].cell is None and f[0].severity == "error"
    return f[0].message


def test_missing_workbook(province: Province, tmp_path: Path) -> None:
    msg = unreadable_message(province, tmp_path, lambda p: None)
    assert "không tìm thấy tệp STC.xlsx" in msg


def test_text_file_named_xlsx(province: Province, tmp_path: Path) -> None:
    msg = unreadable_message(province, tmp_path, lambda p: p.write_text("không phải excel", encoding="utf-8"))
    assert "bị hỏng hoặc không phải tệp Excel" in msg


def test_truncated_zip(province: Province, tmp_path: Path) -> None:
    def make(p: Path) -> None:
        write_workbook(p, [task_row()])
        data = p.read_bytes()
        p.write_bytes(data[: len(data) // 2])

    assert "bị hỏng" in unreadable_message(province, tmp_path, make)


def test_zip_without_workbook(province: Province, tmp_path: Path) -> None:
    def make(p: Path) -> None:
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("hello.txt", "x")

    assert "bị hỏng" in unreadable_message(province, tmp_path, make)


def test_directory_instead_of_file(province: Province, tmp_path: Path) -> None:
    assert "thư mục" in unreadable_message(province, tmp_path, lambda p: p.mkdir(parents=True))


def test_no_task_tab(province: Province, tmp_path: Path) -> None:
    def make(p: Path) -> None:
        wb = openpyxl.Workbook()
        wb.active["A1"] = "Chỉ có hướng dẫn"  # type: ignore[index]
        wb.save(p)

    assert "không có trang tính “Nhiệm vụ”" in unreadable_message(province, tmp_path, make)


def test_renamed_task_tab_after_instruction_tab(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "u.xlsx", [task_row()], tab="Theo dõi NV", before_tabs=["Hướng dẫn"])
    from sync.schema import unit_sheet_schema
    from sync.sources.base import select_task_tab
    from sync.validate import has_header

    wb = XlsxSource(tmp_path).open(str(path))
    assert wb.tab_names() == ["Hướng dẫn", "Theo dõi NV"]
    tab = select_task_tab(wb, "Nhiệm vụ", lambda rows: has_header(rows, unit_sheet_schema()))
    assert tab.name == "Theo dõi NV"
    wb.close()


def test_named_tab_matched_insensitively(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "u.xlsx", [task_row()], tab=" nhiệm  VỤ ")
    wb = XlsxSource(tmp_path).open(str(path))
    tab = wb.read_named_tab("Nhiệm vụ")
    assert tab is not None and tab.name == " nhiệm  VỤ "
    wb.close()


def test_grid_is_anchored_at_a1(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["C3"] = "x"
    ws.merge_cells("D5:D7")
    ws["D5"] = "m"
    ws.row_dimensions[3].hidden = True
    wb.save(tmp_path / "a.xlsx")
    book = XlsxSource(tmp_path).open("a.xlsx")
    tab = book.read_tab(book.tab_names()[0])
    assert tab.rows[2][2] == "x"
    assert tab.rows[4][3] == "m"
    assert ((4, 3), (6, 3)) in tab.merged
    book.close()


def test_hidden_rows_and_merged_lead_unit_are_tasks(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row(task_id="A"), task_row(task_id="B", lead_unit=None)]})
    path = tmp_path / "units" / "SNV.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    ws.row_dimensions[6].hidden = True
    ws.merge_cells("G5:G6")
    wb.save(path)
    result = run_sync(cfg, AS_OF)
    assert [t.task_id for t in result.units[0].tasks] == ["A", "B"]
    assert [t.values["lead_unit"] for t in result.units[0].tasks] == ["SNV", "SNV"]


def test_open_missing_raises_source_unreadable(tmp_path: Path) -> None:
    with pytest.raises(SourceUnreadable):
        XlsxSource(tmp_path).open("nope.xlsx")


def test_sync_never_changes_inputs(province: Province, tmp_path: Path) -> None:
    cfg = province(
        {
            "SNV": [task_row(summary='=HYPERLINK("http://x","y")', deadline="31/02/2024")],
            "STC": [task_row(task_id="X", status="Hoµn thµnh")],
        }
    )
    before = tree_hash(tmp_path / "units")
    from sync.cli import write_outputs

    write_outputs(cfg, run_sync(cfg, AS_OF))
    assert tree_hash(tmp_path / "units") == before
