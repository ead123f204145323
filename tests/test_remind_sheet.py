"""The ``Nhắc việc`` tab (issue 12): the notice delivered into the unit's own sheet, on .xlsx and on
Google (the emulator): content, replaced (never duplicated) when the notice changes, protected, never
written twice in a period, a refused write retried next run, and ``sync`` still reading the unit."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from pathlib import Path

import openpyxl
from click.testing import CliRunner, Result

from google_emulator import Emulator
from google_emulator.demo import SERVICE_ACCOUNT, load_demo_into_emulator
from sync.cli import cli
from sync.config import load_config
from sync.engine import run_sync
from sync.history import History
from sync.pipeline import sync_and_record
from sync.remind.sheet import COLUMNS, WIDTHS
from sync.schema import unit_sheet_schema
from sync.shapes.task_tab import find_header
from tests.helpers import AS_OF
from tests.test_remind import free_port, province

LATER = AS_OF + timedelta(days=1)  # same reporting period


def remind(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["remind", "-c", str(config), "--channel", "sheet", *args])


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fix_snv_status(path: Path) -> None:
    """The unit corrects NV-02's status in Excel (its Nhắc việc tab stays): one item fewer next time."""
    book = openpyxl.load_workbook(path)
    book["Nhiệm vụ"]["K6"] = "Đang thực hiện"
    book.save(path)


def test_xlsx_tab_holds_the_notice_protected_and_sync_still_reads_the_unit(tmp_path: Path) -> None:
    config = province(tmp_path, free_port())
    snv = tmp_path / "units" / "SNV.xlsx"
    tasks_before = [[c.value for c in r] for r in openpyxl.load_workbook(snv)["Nhiệm vụ"].iter_rows()]
    result = remind(config)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "SNV: đã ghi trang “Nhắc việc” trong bảng của đơn vị",
        "RG: đã ghi trang “Nhắc việc” trong bảng của đơn vị",
    ]
    book = openpyxl.load_workbook(snv)
    assert book.sheetnames == ["Nhiệm vụ", "Nhắc việc"]
    assert [[c.value for c in r] for r in book["Nhiệm vụ"].iter_rows()] == tasks_before
    tab = book["Nhắc việc"]
    assert tab.protection.sheet is True
    # laid out to be read and printed: bold column titles repeated on each A4 landscape page, one wide
    assert tab["A1"].font.b and all(c.font.b for c in tab[4] if c.value)
    assert tab.print_title_rows == "$4:$4" and tab.freeze_panes == "A5"
    assert (tab.page_setup.orientation, tab.page_setup.fitToWidth, tab.page_setup.fitToHeight) == (
        "landscape",
        1,
        0,
    )
    assert tab["D5"].alignment.wrap_text
    rows = [[c.value for c in r] for r in tab.iter_rows()]
    assert rows[0][0].startswith("NHẮC VIỆC CỦA VĂN PHÒNG UBND TỈNH")
    assert "05/03/2024" in rows[1][0] and "25/03/2024" in rows[1][0]
    assert rows[3] == list(COLUMNS)
    items = [r for r in rows[4:] if any(r)]
    assert [(r[0], r[1], r[2]) for r in items] == [
        ("Lỗi cần sửa trong bảng theo dõi", "NV-02", "Nhiệm vụ!K6"),
        ("Nhiệm vụ quá hạn", "NV-01", "Nhiệm vụ!I5"),
    ]
    assert "Đang làm dở" in items[0][3]
    assert find_header(rows, unit_sheet_schema()) is None  # never a task tab
    assert (
        not (tmp_path / "units" / "STC.xlsx").exists()
        or "Nhắc việc" not in openpyxl.load_workbook(tmp_path / "units" / "STC.xlsx").sheetnames
    )  # nothing to say to STC
    synced = run_sync(load_config(config), AS_OF)
    unit = next(u for u in synced.units if u.code == "SNV")
    assert unit.sheet == "Nhiệm vụ" and [t.task_id for t in unit.tasks] == ["NV-01", "NV-02"]


def test_xlsx_same_notice_not_rewritten_new_notice_replaces_the_tab(tmp_path: Path) -> None:
    config = province(tmp_path, free_port())
    snv = tmp_path / "units" / "SNV.xlsx"
    remind(config)
    written = sha(snv)
    again = remind(config)
    assert again.exit_code == 0
    assert again.output.splitlines()[0].startswith(
        "SNV: trang “Nhắc việc” đã có thông báo này trong kỳ (ghi lúc "
    )
    assert sha(snv) == written
    fix_snv_status(snv)
    assert openpyxl.load_workbook(snv).sheetnames == ["Nhiệm vụ", "Nhắc việc"]
    sync_and_record(load_config(config), LATER)
    third = remind(config)
    assert third.output.splitlines()[0] == "SNV: đã ghi trang “Nhắc việc” trong bảng của đơn vị"
    book = openpyxl.load_workbook(snv)
    assert book.sheetnames == ["Nhiệm vụ", "Nhắc việc"]
    items = [[c.value for c in r] for r in book["Nhắc việc"].iter_rows(min_row=5) if any(c.value for c in r)]
    assert [(r[0], r[1]) for r in items] == [("Nhiệm vụ quá hạn", "NV-01")]
    fourth = remind(config)
    assert "đã có thông báo này" in fourth.output.splitlines()[0]
    book = openpyxl.load_workbook(snv)
    assert book.sheetnames.count("Nhắc việc") == 1


def test_xlsx_open_workbook_is_reported_recorded_and_retried(tmp_path: Path) -> None:
    config = province(tmp_path, free_port())
    lock = tmp_path / "units" / ".~lock.SNV.xlsx#"
    lock.write_text("van-thu,PC-01", encoding="utf-8")
    snv = tmp_path / "units" / "SNV.xlsx"
    before = sha(snv)
    result = remind(config)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    assert first.startswith("SNV: CHƯA GHI ĐƯỢC trang “Nhắc việc”: đơn vị SNV, tệp SNV.xlsx: tệp đang mở")
    assert first.endswith("— sẽ ghi lại ở lần chạy sau")
    assert result.output.splitlines()[1] == "RG: đã ghi trang “Nhắc việc” trong bảng của đơn vị"
    assert sha(snv) == before
    with History(load_config(config).history_path, create=False) as history:
        rows = history.conn.execute("SELECT unit, channel, status FROM deliveries ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [("SNV", "sheet", "failed"), ("RG", "sheet", "sent")]
    lock.unlink()
    as_json = remind(config, "--dry-run", "--json")  # a dry run: the notices, no outcome
    assert [(e["unit"], e["outcome"], e["sheet"]) for e in json.loads(as_json.output)] == [
        ("SNV", None, None),
        ("RG", None, None),
    ]
    retry = remind(config)
    assert retry.exit_code == 0
    assert retry.output.splitlines()[0] == "SNV: đã ghi trang “Nhắc việc” trong bảng của đơn vị"
    assert "đã có thông báo này" in retry.output.splitlines()[1]
    doc = json.loads(remind(config, "--json").output)
    assert [(e["unit"], e["outcome"], e["sheet"]["status"]) for e in doc] == [
        ("SNV", None, "already_sent"),
        ("RG", None, "already_sent"),
    ]


def test_google_tab_replaced_protected_and_sync_still_reads_the_unit(tmp_path: Path, emu: Emulator) -> None:
    xlsx_config = province(tmp_path, free_port())
    gpath = load_demo_into_emulator(tmp_path, xlsx_config, emu)
    config = load_config(gpath)
    for u in config.units:
        emu.share(u.source, SERVICE_ACCOUNT, "writer")
    sync_and_record(config, AS_OF)
    snv = config.units[0].source
    result = remind(gpath)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "SNV: đã ghi trang “Nhắc việc” trong bảng của đơn vị"
    sheets = emu.spreadsheet_json(snv)["sheets"]
    assert [s["properties"]["title"] for s in sheets] == ["Nhiệm vụ", "Nhắc việc"]
    [protected] = sheets[1]["protectedRanges"]
    assert protected["editors"]["users"] == [SERVICE_ACCOUNT] and not protected.get("warningOnly")
    # laid out as the .xlsx tab: bold title and column titles, frozen below them, wide wrapped rows
    tab = emu.spreadsheet_json(snv, include_grid=True)["sheets"][1]
    assert tab["properties"]["gridProperties"]["frozenRowCount"] == 4
    grid = tab["data"][0]
    fmt = [[c.get("userEnteredFormat", {}) for c in r.get("values", [])] for r in grid["rowData"]]
    assert fmt[0][0]["textFormat"]["bold"] and all(f["textFormat"]["bold"] for f in fmt[3])
    assert fmt[4][3]["wrapStrategy"] == "WRAP"
    assert [m["pixelSize"] for m in grid["columnMetadata"][:4]] == [w * 7 + 10 for w in WIDTHS]
    rows = emu.get_values(snv, "'Nhắc việc'")
    assert rows[3] == list(COLUMNS)
    assert [(r[0], r[1], r[2]) for r in rows[4:]] == [
        ("Lỗi cần sửa trong bảng theo dõi", "NV-02", "Nhiệm vụ!K6"),
        ("Nhiệm vụ quá hạn", "NV-01", "Nhiệm vụ!I5"),
    ]
    emu.reset_stats()
    same = remind(gpath)
    assert "đã có thông báo này" in same.output.splitlines()[0]
    assert not [k for k in emu.stats_json()["by_endpoint"] if k.startswith("POST sheets")]
    # the unit fixes NV-02 in its Google Sheet; a new sync; the tab is replaced, not added twice
    emu.set_values(snv, "'Nhiệm vụ'!K6", [["Đang thực hiện"]], "RAW")
    sync_and_record(config, LATER)
    remind(gpath)
    sheets = emu.spreadsheet_json(snv)["sheets"]
    assert [s["properties"]["title"] for s in sheets] == ["Nhiệm vụ", "Nhắc việc"]
    assert len(sheets[1]["protectedRanges"]) == 1
    rows = emu.get_values(snv, "'Nhắc việc'")
    assert [(r[0], r[1]) for r in rows[4:]] == [("Nhiệm vụ quá hạn", "NV-01")]
    synced = run_sync(config, LATER)
    unit = next(u for u in synced.units if u.code == "SNV")
    assert unit.sheet == "Nhiệm vụ" and [t.task_id for t in unit.tasks] == ["NV-01", "NV-02"]
