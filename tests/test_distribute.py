"""``ubnd-sync distribute`` (issue 11 part 2): the register's missing tasks appended to their lead
units' own sheets, append-only, a second run adding nothing, refusals costing one unit only."""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from google_emulator import Emulator
from google_emulator.client import gspread_client
from google_emulator.demo import SERVICE_ACCOUNT
from sync.backends.xlsx.read import XlsxWorkbook
from sync.cli import cli
from sync.config import Config, load_config
from sync.distribute import DistributeReport, distribute
from sync.distribute.plan import COOP_COLUMNS
from sync.engine import run_sync
from sync.schema import unit_sheet_schema
from sync.shapes.task_tab import find_header
from tests.helpers import AS_OF, google_writable, task_row, write_config, write_workbook
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

ROOT = Path(__file__).resolve().parent.parent


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
    ods = convert(tmp_path / "units" / "STC.xlsx", "ods", tmp_path / "ods", tmp_path)
    with zipfile.ZipFile(ods) as z:
        content = z.read("content.xml").decode("utf-8")
    tables = dict(re.findall(r'<table:table table:name="([^"]+)"([^>]*)>', content))
    assert set(tables) == {"Hướng dẫn", "Nhiệm vụ", "Phối hợp"}
    assert 'table:protected="true"' in tables["Phối hợp"]  # LibreOffice keeps the tab locked


# ------------------------------------------------------------------ Google Sheets (the emulator)

UNIT_CLERK = "van-thu@snv.angiang.gov.vn"


def google_province(tmp_path: Path, emu: Emulator) -> Config:
    """The same province on the emulator; the service account may write the units' sheets."""
    return google_writable(tmp_path, province(tmp_path), emu)


def google_rows(emu: Emulator, sid: str, tab: str = "Nhiệm vụ") -> list[list[Any]]:
    return emu.get_values(sid, f"'{tab}'")


def ids_in(rows: list[list[Any]], col: int = 1) -> list[str]:
    return [r[col] for r in rows[4:] if len(r) > col and r[col]]


def test_google_append_is_append_only_and_a_second_run_adds_nothing(tmp_path: Path, emu: Emulator) -> None:
    config = google_province(tmp_path, emu)
    snv, stc = (u.source for u in config.units)
    before = google_rows(emu, snv)
    report = distribute(config, as_of=AS_OF)
    by_unit = {u.code: u for u in report.units}
    assert (by_unit["SNV"].status, by_unit["SNV"].added, by_unit["SNV"].rows) == (
        "added",
        ["NV-2", "NV-4"],
        [6, 7],
    )
    assert (by_unit["STC"].status, by_unit["STC"].added, by_unit["STC"].coop) == ("added", ["nv-7"], ["NV-2"])
    after = google_rows(emu, snv)
    assert after[:5] == before[:5]
    assert after[5][:9] == [
        "2",
        "NV-2",
        "344/UBND-TH",
        "10/01/2024",
        "Xây dựng đề án vị trí việc làm",
        "Chủ tịch UBND tỉnh",
        "SNV",
        "Sở Tài chính",
        "30/06/2024",
    ]
    assert after[6][4] == '=HYPERLINK("http://x";"bấm")'  # text, not a formula
    cells = emu.spreadsheet_json(snv)
    raw = emu.get_values(snv, "'Nhiệm vụ'!D6:I6", render="UNFORMATTED_VALUE")
    assert raw[0][0] == 45301 and raw[0][5] == 45473  # real dates (serial numbers) shown dd/mm/yyyy
    assert cells["sheets"][0]["properties"]["title"] == "Nhiệm vụ"
    coop = emu.spreadsheet_json(stc)["sheets"]
    tab = next(s for s in coop if s["properties"]["title"] == "Phối hợp")
    [protected] = tab["protectedRanges"]
    assert protected["editors"]["users"] == [SERVICE_ACCOUNT] and not protected.get("warningOnly")
    assert google_rows(emu, stc, "Phối hợp")[4] == [
        "1",
        "NV-2",
        "344/UBND-TH ngày 10/01/2024",
        "Xây dựng đề án vị trí việc làm",
        "Sở Nội vụ",
        "30/06/2024",
    ]

    emu.reset_stats()
    again = distribute(config, as_of=AS_OF)
    assert [(u.code, u.status, u.added) for u in again.units] == [
        ("SNV", "up_to_date", []),
        ("STC", "up_to_date", []),
    ]
    assert not [k for k in emu.stats_json()["by_endpoint"] if k.startswith("POST sheets")]  # nothing written
    assert ids_in(google_rows(emu, snv)) == ["nv-1", "NV-2", "NV-4"]
    synced = run_sync(config, AS_OF)
    assert [(f.unit, f.value) for f in synced.findings if f.code == "task-missing"] == [("SNV", "NV-6")]
    units = {u.code: u for u in synced.units}
    assert [t.task_id for t in units["SNV"].tasks] == ["nv-1", "NV-2", "NV-4"]
    assert units["SNV"].tasks[1].values["deadline"] == date(2024, 6, 30)


def test_a_units_edit_during_distribution_survives(tmp_path: Path, emu: Emulator) -> None:
    """The unit's clerk edits an existing row and types a new row where ours were to go, between
    distribute's read and its append (the append is held 1 s by the emulator): both edits stay,
    every task is appended once, after the clerk's row."""
    config = google_province(tmp_path, emu)
    snv = config.units[0].source
    clerk_key = emu.create_service_account(UNIT_CLERK)
    emu.share(snv, UNIT_CLERK, "writer")
    clerk = gspread_client(clerk_key, emu.url)
    emu.faults.add("slow", count=1, path_pattern=r":append", delay=1.0, method="POST")
    done: list[DistributeReport] = []
    worker = threading.Thread(target=lambda: done.append(distribute(config, as_of=AS_OF, unit="SNV")))
    worker.start()
    deadline = time.monotonic() + 30
    while not emu.stats_json()["by_endpoint"].get("POST sheets.values.append"):
        assert time.monotonic() < deadline and worker.is_alive()
        time.sleep(0.01)
    ws = clerk.open_by_key(snv).worksheet("Nhiệm vụ")
    ws.update([["Đã họp, đang dự thảo"]], "L5", value_input_option="RAW")
    ws.update([["9", "NV-DV-1", "", "", "Việc đơn vị tự thêm"]], "A6", value_input_option="RAW")
    worker.join(30)
    clerk.http_client.session.close()
    [report] = done
    [unit] = report.units
    assert unit.status == "added" and unit.added == ["NV-2", "NV-4"] and unit.rows == [7, 8]
    rows = google_rows(emu, snv)
    assert rows[4][1] == "nv-1" and rows[4][11] == "Đã họp, đang dự thảo"  # the edit survived
    assert rows[5][:5] == ["9", "NV-DV-1", "", "", "Việc đơn vị tự thêm"]  # the clerk's row too
    assert ids_in(rows) == ["nv-1", "NV-DV-1", "NV-2", "NV-4"]


def test_google_a_units_own_phoi_hop_tab_is_never_replaced(tmp_path: Path, emu: Emulator) -> None:
    """The unit keeps a tab of its own called “Phối hợp” (its partners): the Office's tab takes a
    fallback name beside it, and a second run finds it there and changes nothing."""
    config = google_province(tmp_path, emu)
    stc = config.unit("STC").source
    clerk_key = emu.create_service_account(UNIT_CLERK)
    emu.share(stc, UNIT_CLERK, "writer")
    clerk = gspread_client(clerk_key, emu.url)
    own = clerk.open_by_key(stc).add_worksheet("Phối hợp", rows=10, cols=3)
    own.update([["Đối tác", "Liên hệ"], ["Sở Tài chính", "0296 3 852 000"]], "A1", value_input_option="RAW")
    clerk.http_client.session.close()
    [unit] = distribute(config, as_of=AS_OF, unit="STC").units
    assert unit.status == "added" and unit.coop == ["NV-2"] and unit.coop_tab == "Phối hợp (Văn phòng)"
    assert google_rows(emu, stc, "Phối hợp") == [["Đối tác", "Liên hệ"], ["Sở Tài chính", "0296 3 852 000"]]
    assert google_rows(emu, stc, "Phối hợp (Văn phòng)")[4][1] == "NV-2"
    [again] = distribute(config, as_of=AS_OF, unit="STC").units
    assert again.status == "up_to_date" and again.coop == []


@pytest.mark.parametrize("fault", ["drop-after", "drop", "503"])
def test_an_append_whose_answer_is_lost_is_not_repeated(tmp_path: Path, emu: Emulator, fault: str) -> None:
    """drop-after: applied, the answer lost; drop / 503: not applied. Either way each task once."""
    config = google_province(tmp_path, emu)
    snv = config.units[0].source
    emu.faults.add(fault, count=1, path_pattern=r":append", method="POST")
    report = distribute(config, as_of=AS_OF, unit="SNV")
    [unit] = report.units
    assert (unit.status, unit.added, unit.rows) == ("added", ["NV-2", "NV-4"], [6, 7])
    assert ids_in(google_rows(emu, snv)) == ["nv-1", "NV-2", "NV-4"]
    appends = emu.stats_json()["by_endpoint"]["POST sheets.values.append"]
    assert appends == (1 if fault == "drop-after" else 2)


def test_google_dry_run_writes_nothing(tmp_path: Path, emu: Emulator) -> None:
    config = google_province(tmp_path, emu)
    emu.reset_stats()
    report = distribute(config, as_of=AS_OF, dry_run=True)
    assert [(u.code, u.status, u.added) for u in report.units] == [
        ("SNV", "would_add", ["NV-2", "NV-4"]),
        ("STC", "would_add", ["nv-7"]),
    ]
    assert not [k for k in emu.stats_json()["by_endpoint"] if k.startswith("POST sheets")]


def test_usage_errors_exit_2_with_a_vietnamese_message(tmp_path: Path) -> None:
    path = province(tmp_path)
    unknown = CliRunner().invoke(cli, ["distribute", "-c", str(path), "--unit", "XYZ"])
    assert unknown.exit_code == 2
    assert "không có đơn vị mã “XYZ” trong cấu hình (các mã: SNV, STC)" in unknown.output
    path.write_text(
        path.read_text(encoding="utf-8").replace('[register]\nsource = "danh-muc.xlsx"\n', ""),
        encoding="utf-8",
    )
    missing = CliRunner().invoke(cli, ["distribute", "-c", str(path)])
    assert missing.exit_code == 2 and "chưa cấu hình danh mục nhiệm vụ" in missing.output
    assert "Traceback" not in unknown.output + missing.output


def test_google_sheet_without_a_header_is_skipped_and_unchanged(tmp_path: Path, emu: Emulator) -> None:
    config = google_province(tmp_path, emu)
    snv = config.units[0].source
    emu.set_values(snv, "'Nhiệm vụ'!A4:Q4", [[""] * 17], "RAW")  # the unit deleted its header row
    before = google_rows(emu, snv)
    [unit] = distribute(config, as_of=AS_OF, unit="SNV").units
    assert unit.status == "skipped" and "không có trang nhiệm vụ để thêm dòng" in unit.message
    assert google_rows(emu, snv) == before


def test_a_province_of_many_units_lists_only_the_units_that_change(tmp_path: Path) -> None:
    """118 units, 3 tasks: three lines for the units written, one line counting the rest."""
    init = CliRunner().invoke(
        cli,
        ["init", "--units", str(ROOT / "sync" / "data" / "an-giang-2025-units.csv"), "--dir", str(tmp_path)],
    )
    assert init.exit_code == 0, init.output
    wb = openpyxl.load_workbook(tmp_path / "danh-muc-nhiem-vu.xlsx")
    ws = wb["Danh mục nhiệm vụ"]
    for r, (task, lead) in enumerate(
        [("NV-1", "Sở Nội vụ"), ("NV-2", "Sở Tài chính"), ("NV-3", "X-ANPHU")], 2
    ):
        ws.cell(r, 1, task), ws.cell(r, 4, "Báo cáo"), ws.cell(r, 6, lead), ws.cell(r, 8, "30/11/2026")
    wb.save(tmp_path / "danh-muc-nhiem-vu.xlsx")
    argv = ["distribute", "-c", str(tmp_path / "ubnd-sync.toml"), "--as-of", "20/11/2026"]
    first = CliRunner().invoke(cli, argv)
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    assert [line.split(":")[0] for line in lines[:3]] == ["SNV", "STC", "X-ANPHU"]
    assert lines[3:] == [
        "115 đơn vị khác đã có đủ nhiệm vụ của danh mục, không thêm gì.",
        "Đã thêm 3 nhiệm vụ cho 3 đơn vị.",
    ]
    again = CliRunner().invoke(cli, argv)
    assert again.output.splitlines() == [
        "Cả 118 đơn vị đã có đủ nhiệm vụ của danh mục, không thêm gì.",
        "Đã thêm 0 nhiệm vụ cho 0 đơn vị.",
    ]
