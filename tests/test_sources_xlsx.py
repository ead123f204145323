from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.config import Config, load_config
from sync.engine import run_sync
from sync.exceptions import SourceUnreadable
from sync.model import CATEGORIES
from tests.helpers import AS_OF, task_row, tree_hash, write_config, write_workbook, xlsx_at

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
    from sync.shapes.task_tab import select_task_tab

    wb = xlsx_at(tmp_path).open(str(path))
    assert wb.tab_names() == ["Hướng dẫn", "Theo dõi NV"]
    tab = select_task_tab(wb, "Nhiệm vụ", unit_sheet_schema())
    assert tab.name == "Theo dõi NV"
    wb.close()


def test_named_tab_matched_insensitively(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "u.xlsx", [task_row()], tab=" nhiệm  VỤ ")
    wb = xlsx_at(tmp_path).open(str(path))
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
    book = xlsx_at(tmp_path).open("a.xlsx")
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
        xlsx_at(tmp_path).open("nope.xlsx")


def test_sync_never_changes_inputs(province: Province, tmp_path: Path) -> None:
    cfg = province(
        {
            "SNV": [task_row(summary='=HYPERLINK("http://x","y")', deadline="31/02/2024")],
            "STC": [task_row(task_id="X", status="Hoµn thµnh")],
        }
    )
    before = tree_hash(tmp_path / "units")
    from sync.backends import open_backend
    from sync.summary import build_tables

    with open_backend(cfg) as backend:
        backend.start_summary(build_tables(run_sync(cfg, AS_OF))).finish()
    assert tree_hash(tmp_path / "units") == before


def test_password_protected_workbook(province: Province, tmp_path: Path) -> None:
    """A workbook a unit locked with a password (encrypted by msoffcrypto-tool, as Excel does)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    def make(p: Path) -> None:
        plain = write_workbook(tmp_path / "plain.xlsx", [task_row()])
        with open(plain, "rb") as src, open(p, "wb") as out:
            OOXMLFile(src).encrypt("mat-khau", out)

    msg = unreadable_message(province, tmp_path, make)
    assert "được đặt mật khẩu" in msg


_XML_SAFE = st.characters(blacklist_categories=("Cs", "Cc"))
_cell_values = st.one_of(
    st.none(),
    st.text(_XML_SAFE, max_size=40),
    st.integers(-(10**9), 10**9),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(9999, 12, 31)),
    st.sampled_from(
        ["31/02/2024", "03/15/2024", "ngày 5 tháng 3 năm 2024", "=1+1", "Hoµn thµnh", "Xong", ""]
    ),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(_cell_values, min_size=17, max_size=17), min_size=1, max_size=5))
def test_any_cells_in_a_real_workbook_never_crash_a_sync(tmp_path: Path, rows: list[list[object]]) -> None:
    from sync.schema import unit_sheet_schema

    names = unit_sheet_schema().names
    directory = tmp_path / f"h{abs(hash(repr(rows)))}"
    write_workbook(directory / "units" / "SNV.xlsx", [dict(zip(names, r, strict=True)) for r in rows])
    cfg = load_config(write_config(directory, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")]))
    before = tree_hash(directory / "units")
    result = run_sync(cfg, AS_OF)
    unit = result.units[0]
    # a sheet whose rows are all blank but for stt has no task: nothing to report (contract §3)
    readable = ("on_time", "late", "incomplete", "missing") if unit.counts["total"] else ("no_tasks",)
    assert unit.report_status in readable
    assert sum(result.units[0].counts[c] for c in CATEGORIES) == result.units[0].counts["total"]
    for f in result.findings:
        assert f.message and f.unit == "SNV" and f.severity in ("error", "warning", "info")
    json.dumps(result.to_dict(), ensure_ascii=False)  # the JSON document always serialises
    assert tree_hash(directory / "units") == before


def test_a_defect_costs_one_unit_not_the_run(province: Province, monkeypatch: pytest.MonkeyPatch) -> None:
    import sync.engine

    real = sync.engine.read_tab

    def flaky(tab, schema, *, unit, resolver, as_of, **limits):  # type: ignore[no-untyped-def]
        if unit == "STC":
            raise ValueError("lỗi giả lập")
        return real(tab, schema, unit=unit, resolver=resolver, as_of=as_of, **limits)

    monkeypatch.setattr(sync.engine, "read_tab", flaky)
    result = run_sync(province({"SNV": [task_row()], "STC": [task_row(task_id="B")]}), AS_OF)
    assert [u.report_status for u in result.units] == ["on_time", "unreadable"]
    assert "ValueError: lỗi giả lập" in result.findings[-1].message


def test_superscript_digits_are_not_dates(province: Province) -> None:
    result = run_sync(province({"SNV": [task_row(deadline="²", updated_on="¹²")]}), AS_OF)
    assert {(f.code, f.cell) for f in result.findings} >= {("invalid-date", "I5"), ("invalid-date", "Q5")}


def test_named_tab_without_header_falls_back_to_a_tab_with_one(tmp_path: Path) -> None:
    import openpyxl as ox

    path = write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row()], tab="Sheet2")
    wb = ox.load_workbook(path)
    wb.create_sheet("Nhiệm vụ", 0)["A1"] = "Hướng dẫn: xem trang Sheet2"
    wb.save(path)
    cfg = load_config(write_config(tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")]))
    result = run_sync(cfg, AS_OF)
    assert result.units[0].sheet == "Sheet2" and result.units[0].counts["total"] == 1


def test_named_tab_without_header_alone_is_unreadable_with_reason(tmp_path: Path) -> None:
    import openpyxl as ox

    wb = ox.Workbook()
    wb.active.title = "Nhiệm vụ"  # type: ignore[union-attr]
    wb.active["A1"] = "chỉ có hướng dẫn"  # type: ignore[index]
    (tmp_path / "units").mkdir()
    wb.save(tmp_path / "units" / "SNV.xlsx")
    cfg = load_config(write_config(tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")]))
    result = run_sync(cfg, AS_OF)
    assert result.units[0].report_status == "unreadable"
    assert "không có dòng tiêu đề" in result.findings[0].message


def test_two_row_header_and_column_numbers_are_not_tasks(tmp_path: Path) -> None:
    import openpyxl as ox

    from sync.schema import unit_sheet_schema

    path = write_workbook(tmp_path / "units" / "SNV.xlsx", [], title_rows=(("UBND TỈNH",),))
    wb = ox.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    ws.insert_rows(3, 2)  # header on row 2 merged down over row 3, then a row numbering the columns
    for c in range(1, len(unit_sheet_schema().fields) + 1):
        ws.merge_cells(start_row=2, start_column=c, end_row=3, end_column=c)
        ws.cell(row=4, column=c, value=f"({c})")
    for c, v in enumerate(task_row().values(), start=1):
        ws.cell(row=5, column=c, value=v)
    wb.save(path)
    cfg = load_config(write_config(tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")]))
    result = run_sync(cfg, AS_OF)
    assert [t.row for t in result.units[0].tasks] == [5]
    assert result.findings == []


def test_nfd_file_name_on_disk_is_found(tmp_path: Path) -> None:
    import unicodedata

    nfd = unicodedata.normalize("NFD", "Sở Nội vụ.xlsx")
    write_workbook(tmp_path / "units" / nfd, [task_row()])
    cfg = load_config(write_config(tmp_path, [("SNV", "Sở Nội vụ", "units/Sở Nội vụ.xlsx")]))
    assert run_sync(cfg, AS_OF).units[0].report_status == "on_time"


def test_unit_name_with_a_comma(tmp_path: Path) -> None:
    write_workbook(
        tmp_path / "units" / "SNV.xlsx", [task_row(co_units="Sở Văn hóa, Thể thao và Du lịch, SNV")]
    )
    cfg = load_config(
        write_config(
            tmp_path,
            [
                ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),
                ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "units/SNV.xlsx"),
            ],
        )
    )
    result = run_sync(cfg, AS_OF)
    assert result.units[0].tasks[0].values["co_units"] == ["SVHTTDL", "SNV"]
    assert not [f for f in result.findings if f.code == "unknown-unit" and f.unit == "SNV"]
