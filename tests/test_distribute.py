"""``ubnd-sync distribute`` (issue 11 part 2): the register's missing tasks appended to their lead
units' own sheets, append-only, a second run adding nothing, refusals costing one unit only."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from sync.cli import cli
from sync.config import load_config
from sync.distribute import distribute
from sync.distribute.plan import COOP_COLUMNS
from sync.engine import run_sync
from sync.schema import unit_sheet_schema
from sync.sources.xlsx import XlsxWorkbook
from sync.validate import find_header
from tests.helpers import AS_OF, task_row, write_config, write_workbook
from tests.test_libreoffice import convert
from tests.test_register_reconcile import REGISTER_FIELDS, REGISTER_TITLES, register_row

#: STC keeps its columns in another order and has no "Người giao" / "Ngày văn bản" columns
STC_FIELDS = [
    "task_id",
    "summary",
    "status",
    "deadline",
    "stt",
    "lead_unit",
    "co_units",
    "doc_ref",
    "progress",
    "completed_on",
    "updated_on",
]


def province(tmp_path: Path) -> Path:
    """SNV has NV-1 and lacks NV-2 (co-unit STC) and NV-4; STC has NV-3 and lacks nv-7;
    NV-5's lead unit is unknown, NV-6's deadline is not a date: both are held back."""
    write_workbook(
        tmp_path / "danh-muc.xlsx",
        [
            register_row("NV-1", "Sở Nội vụ", "30/04/2024"),
            register_row(
                "NV-2", "SNV", "30/06/2024", co_units="Sở Tài chính", summary="Xây dựng đề án vị trí việc làm"
            ),
            register_row("NV-3", "Sở Tài chính", "30/04/2024"),
            register_row(
                "NV-4",
                "Sở Nội vụ",
                "Thường xuyên",
                summary='=HYPERLINK("http://x";"bấm")',
                doc_ref="+12/UBND",
            ),
            register_row("NV-5", "Sở Không Có", "30/04/2024"),
            register_row("NV-6", "Sở Nội vụ", "31/02/2024"),
            register_row("nv-7", "STC", "15/05/2024", doc_date="01/03/2024"),
        ],
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )
    write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row(task_id="nv-1", deadline="30/04/2024")])
    write_workbook(
        tmp_path / "units" / "STC.xlsx",
        [task_row(task_id="NV-3", lead_unit="Sở Tài chính", stt=7)],
        fields=STC_FIELDS,
        before_tabs=["Hướng dẫn"],
    )
    return write_config(
        tmp_path,
        [("SNV", "Sở Nội vụ", "units/SNV.xlsx"), ("STC", "Sở Tài chính", "units/STC.xlsx")],
        extra='\n[register]\nsource = "danh-muc.xlsx"\n',
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows_of(path: Path, tab: str = "Nhiệm vụ") -> list[tuple[Any, ...]]:
    wb = openpyxl.load_workbook(path)
    return [tuple(c.value for c in row) for row in wb[tab].iter_rows()]


def test_missing_tasks_are_appended_to_the_lead_units_sheet(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    snv, stc = tmp_path / "units" / "SNV.xlsx", tmp_path / "units" / "STC.xlsx"
    before_snv, before_stc = rows_of(snv), rows_of(stc)
    report = distribute(config, as_of=AS_OF)
    by_unit = {u.code: u for u in report.units}
    assert (by_unit["SNV"].status, by_unit["SNV"].added, by_unit["SNV"].rows) == (
        "added",
        ["NV-2", "NV-4"],
        [6, 7],
    )
    assert (by_unit["STC"].status, by_unit["STC"].added, by_unit["STC"].rows) == ("added", ["nv-7"], [6])
    assert by_unit["STC"].coop == ["NV-2"]
    assert [(h.task_id, h.row) for h in report.held] == [("NV-5", 9), ("NV-6", 10)]
    assert "Sở Không Có" in report.held[0].reason

    after = rows_of(snv)
    assert after[:5] == before_snv  # title rows, header, the unit's row: identical
    schema = unit_sheet_schema()
    new = dict(zip(schema.names, after[5], strict=True))
    assert new["stt"] == 2 and new["task_id"] == "NV-2" and new["lead_unit"] == "SNV"
    assert new["summary"] == "Xây dựng đề án vị trí việc làm" and new["co_units"] == "Sở Tài chính"
    assert new["doc_date"] == datetime(2024, 1, 10) and new["deadline"] == datetime(2024, 6, 30)
    for unit_field in ("status", "progress", "completed_on", "updated_on", "obstacles"):
        assert new[unit_field] is None  # the unit's columns are the unit's to fill
    ws = openpyxl.load_workbook(snv)["Nhiệm vụ"]
    assert ws["D6"].number_format == "DD/MM/YYYY" and ws["I6"].number_format == "DD/MM/YYYY"
    hostile = ws["E7"]
    assert hostile.value == '=HYPERLINK("http://x";"bấm")' and hostile.data_type == "s"
    assert ws["C7"].value == "+12/UBND" and ws["I7"].value == "Thường xuyên" and ws["A7"].value == 3
    # the other reader sees text, not a formula
    grid = XlsxWorkbook(snv).read_tab("Nhiệm vụ").rows
    assert grid[6][4] == '=HYPERLINK("http://x";"bấm")'

    stc_after = rows_of(stc)
    assert stc_after[:5] == before_stc
    new = dict(zip(STC_FIELDS, stc_after[5], strict=True))
    assert (new["task_id"], new["stt"], new["deadline"], new["lead_unit"]) == (
        "nv-7",
        8,
        datetime(2024, 5, 15),
        "STC",
    )
    book = openpyxl.load_workbook(stc)
    assert book.sheetnames == ["Hướng dẫn", "Nhiệm vụ", "Phối hợp"]
    coop = book["Phối hợp"]
    assert coop.protection.sheet is True
    assert [c.value for c in coop[4]] == list(COOP_COLUMNS)
    assert [c.value for c in coop[5]] == [
        "1",
        "NV-2",
        "344/UBND-TH ngày 10/01/2024",
        "Xây dựng đề án vị trí việc làm",
        "Sở Nội vụ",
        "30/06/2024",
    ]


def test_sync_afterwards_reads_every_task_and_finds_none_missing(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    before = run_sync(config, AS_OF)
    assert {(f.unit, f.value) for f in before.findings if f.code == "task-missing"} == {
        ("SNV", "NV-2"),
        ("SNV", "NV-4"),
        ("SNV", "NV-6"),
        ("STC", "nv-7"),
    }
    distribute(config, as_of=AS_OF)
    after = run_sync(config, AS_OF)
    # NV-6 was held back (its deadline in the register is not a date): still missing, nothing else
    assert [(f.unit, f.value) for f in after.findings if f.code == "task-missing"] == [("SNV", "NV-6")]
    codes = {f.code for f in after.findings if f.unit in ("SNV", "STC")}
    assert not codes & {"wrong-unit", "task-unknown", "office-field-changed", "source-unreadable"}
    units = {u.code: u for u in after.units}
    assert [t.task_id for t in units["SNV"].tasks] == ["nv-1", "NV-2", "NV-4"]
    assert [t.task_id for t in units["STC"].tasks] == ["NV-3", "nv-7"]
    assert units["STC"].sheet == "Nhiệm vụ"


def test_second_run_adds_nothing_and_leaves_the_files_alone(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    distribute(config, as_of=AS_OF)
    files = {p: sha(p) for p in (tmp_path / "units").iterdir()}
    again = distribute(config, as_of=date(2024, 3, 6))
    assert [(u.code, u.status, u.added) for u in again.units] == [
        ("SNV", "up_to_date", []),
        ("STC", "up_to_date", []),
    ]
    assert {p: sha(p) for p in (tmp_path / "units").iterdir()} == files


def test_dry_run_writes_nothing_and_reports_the_same(tmp_path: Path) -> None:
    path = province(tmp_path)
    files = {p: sha(p) for p in (tmp_path / "units").iterdir()}
    result = CliRunner().invoke(
        cli, ["distribute", "--config", str(path), "--dry-run", "--as-of", "05/03/2024"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "SNV: sẽ thêm 2 nhiệm vụ (NV-2, NV-4) vào trang “Nhiệm vụ”, từ dòng 6",
        "STC: sẽ thêm 1 nhiệm vụ (nv-7) vào trang “Nhiệm vụ”, từ dòng 6; sẽ ghi trang “Phối hợp” (1 nhiệm vụ phối hợp)",
        "Danh mục dòng 9 (NV-5): không giao — đơn vị chủ trì “Sở Không Có” không có trong cấu hình",
        "Danh mục dòng 10 (NV-6): không giao — dòng có lỗi trong danh mục (xem “ubnd-sync validate”)",
        "Chạy thử (--dry-run): sẽ thêm 3 nhiệm vụ cho 2 đơn vị.",
    ]
    assert {p: sha(p) for p in (tmp_path / "units").iterdir()} == files
    assert sorted(p.name for p in (tmp_path / "units").iterdir()) == ["SNV.xlsx", "STC.xlsx"]


def test_an_open_workbook_costs_its_unit_only(tmp_path: Path) -> None:
    path = province(tmp_path)
    snv = tmp_path / "units" / "SNV.xlsx"
    (tmp_path / "units" / "~$SNV.xlsx").write_bytes(b"owner")
    before = sha(snv)
    result = CliRunner().invoke(cli, ["distribute", "--config", str(path), "--json", "--as-of", "05/03/2024"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    units = {u["unit"]: u for u in doc["units"]}
    assert (
        units["SNV"]["status"] == "refused" and "đang mở trong Excel/LibreOffice" in units["SNV"]["message"]
    )
    assert "đơn vị SNV, tệp SNV.xlsx" in units["SNV"]["message"]
    assert units["STC"]["status"] == "added"
    assert sha(snv) == before
    (tmp_path / "units" / "~$SNV.xlsx").unlink()
    result = CliRunner().invoke(cli, ["distribute", "--config", str(path), "--as-of", "05/03/2024"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        "SNV: đã thêm 2 nhiệm vụ (NV-2, NV-4) vào trang “Nhiệm vụ”, dòng 6, 7",
        "STC: đã có đủ nhiệm vụ của danh mục, không thêm gì",
    ]


def test_a_sheet_without_a_task_tab_is_skipped_with_a_message(tmp_path: Path) -> None:
    path = province(tmp_path)
    wb = openpyxl.Workbook()
    assert wb.active is not None
    wb.active["A1"] = "Bảng trống"
    wb.save(tmp_path / "units" / "SNV.xlsx")
    report = distribute(load_config(path), as_of=AS_OF)
    snv = report.units[0]
    assert snv.status == "skipped" and "không có trang nhiệm vụ" in snv.message
    assert report.failed == []


def test_office_tabs_are_never_the_task_tab(tmp_path: Path) -> None:
    """A unit that renamed its task tab: the first tab with a header is used, never ours."""
    path = province(tmp_path)
    distribute(load_config(path), as_of=AS_OF)
    stc = tmp_path / "units" / "STC.xlsx"
    wb = openpyxl.load_workbook(stc)
    wb["Nhiệm vụ"].title = "Theo dõi"
    wb.move_sheet("Phối hợp", offset=-2)  # first now
    wb.save(stc)
    assert find_header([list(COOP_COLUMNS)], unit_sheet_schema()) is None
    result = run_sync(load_config(path), AS_OF)
    unit = next(u for u in result.units if u.code == "STC")
    assert unit.sheet == "Theo dõi" and [t.task_id for t in unit.tasks] == ["NV-3", "nv-7"]


def test_libreoffice_opens_a_distributed_workbook(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    distribute(config, as_of=AS_OF)
    out = convert(
        tmp_path / "units" / "STC.xlsx",
        "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
        tmp_path / "lo",
        tmp_path,
    )
    sheets = sorted((tmp_path / "lo").glob("STC*.csv"))
    text = "\n".join(p.read_text(encoding="utf-8") for p in sheets)
    assert out.parent == tmp_path / "lo"
    assert "nv-7" in text and "15/05/2024" in text and "Xây dựng đề án vị trí việc làm" in text
