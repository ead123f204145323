"""The summary's body rows written as XML at once (sync.backends.xlsx.sheetbody) give the file that
XlsxWriter's own methods give, byte for byte: every value kind, every row style, the rows it
leaves to XlsxWriter (booleans, very long texts, rows wider than the table) among the others."""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path

import python_calamine as pc

from sync.backends.xlsx.sheetbody import fast_body_supported
from sync.backends.xlsx.summary import _render_xlsx
from sync.config import load_config
from sync.demo import DemoProvince
from sync.engine import run_sync
from sync.model import Period
from sync.shapes.tables import Column, PageHeader, Table
from sync.summary import build_tables
from sync.summary.compare import comparison_table

#: XlsxWriter dates each file when it is made: the only part allowed to differ
_DATED = "docProps/core.xml"


def _both_ways(tables: list[Table], tmp_path: Path) -> tuple[Path, Path]:
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    _render_xlsx(tables, fast, fast=True)
    _render_xlsx(tables, plain, fast=False)
    return fast, plain


def _assert_same_bytes(a: Path, b: Path) -> None:
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        for name in za.namelist():
            if name != _DATED:
                assert za.read(name) == zb.read(name), name


def test_this_xlsxwriter_takes_the_fast_body() -> None:
    assert fast_body_supported()


def test_demo_summary_is_the_same_file_either_way(demo_province: DemoProvince, tmp_path: Path) -> None:
    config = load_config(demo_province.config_path)
    result = run_sync(config, demo_province.as_of)
    tables = build_tables(result, extra=[comparison_table(result, None)])
    assert sum(len(t.rows) for t in tables) > 2000
    fast, plain = _both_ways(tables, tmp_path)
    _assert_same_bytes(fast, plain)


def test_every_kind_style_and_odd_row_the_same_either_way(tmp_path: Path) -> None:
    columns = [
        Column("Mã", 8),
        Column("Nội dung", 30, wrap=True),
        Column("Số", 8, kind="int"),
        Column("Tỷ lệ", 8, kind="percent"),
        Column("Ngày", 12, kind="date"),
        Column("Lúc", 16, kind="datetime"),
    ]
    long_text = "Nhiệm vụ 😀 " * 2000  # over 16,383 characters, over 32,767 UTF-16 units: XlsxWriter cuts it
    rows: list[tuple[list[object], str | None]] = [
        (["A", "Một dòng", 1, 0.5, date(2024, 3, 5), datetime(2024, 3, 5, 8, 30)], None),
        (["B", "Hai\ndòng", 2, 0.25, date(2024, 2, 29), None], "overdue"),
        (["C", " khoảng trắng đầu và cuối ", -3, 1.0, None, datetime(2024, 1, 1)], "due_soon"),
        (["D", "=SUM(A1:A2)", 10**18, 1 / 3, date(2100, 12, 31), None], "error"),
        (["E", "ký tự \x07 điều khiển & <thẻ>", 0, 0.0, None, None], "total"),
        (["F", True, 4, None, None, None], None),  # a boolean: XlsxWriter's own method
        (["G", long_text, 5, None, None, None], "overdue"),  # XlsxWriter cuts it: its own method
        (["H", "rộng hơn bảng", 6, None, None, None, "cột thứ bảy"], None),  # wider than the columns
        (["", None, None, None, None, None], None),  # nothing to write
        (["I", "Dài " * 60, 7, 0.75, date(2024, 3, 1), None], "due_soon"),  # wraps over lines
    ]
    table = Table(
        "Nhiệm vụ",
        columns,
        rows=[r for r, _ in rows],
        styles=[s for _, s in rows],
        notes=["Ghi chú: một dòng chú thích dưới bảng."],
        pages_wide=2,
        repeat_columns=1,
        header=PageHeader(date(2024, 3, 5), Period(date(2024, 1, 25), date(2024, 2, 25))),
    )
    other = Table(
        "Thông tin", [Column("Mục", 20), Column("Giá trị", 40)], rows=[["Phiên bản", "0.1.0"]], styles=[None]
    )
    fast, plain = _both_ways([table, other], tmp_path)
    _assert_same_bytes(fast, plain)
    book = pc.CalamineWorkbook.from_path(str(fast))
    got = book.get_sheet_by_name("Nhiệm vụ").to_python(skip_empty_area=False)
    assert got[1][:4] == ["A", "Một dòng", 1, 0.5]
    assert got[3][1] == " khoảng trắng đầu và cuối "
    assert got[4][1] == "=SUM(A1:A2)"  # text, never a formula
    assert got[6][1] is True
    assert got[8][6] == "cột thứ bảy"
