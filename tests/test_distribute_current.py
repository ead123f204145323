"""``distribute`` keeps the Office-owned extension cells of rows a unit already has current (issue 18
part 7): an extension the Office approved in the register — ``Thời hạn điều chỉnh`` and ``Văn bản
chấp thuận gia hạn`` — reaches the unit's own row, on every backend, with the same safety as an
append (an open or changed file refused, a formula never overwritten, a Google row moved
meanwhile written where its task is now); a second run writes nothing; the rows are reported."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from google_emulator import Emulator
from google_emulator.client import gspread_client
from sync.cli import cli
from sync.config import Config, load_config
from sync.distribute import DistributeReport, distribute
from sync.engine import run_sync
from sync.schema import register_schema, unit_sheet_schema
from tests.helpers import AS_OF, google_writable, task_row, write_config, write_workbook
from tests.test_distribute import UNIT_CLERK
from tests.test_register_reconcile import REGISTER_FIELDS, REGISTER_TITLES, register_row

#: the contract's columns, and the register's “Văn bản chấp thuận gia hạn” the Office added at the end
FIELDS = [*unit_sheet_schema().names, "extension_doc"]
TITLES = [f.title for f in unit_sheet_schema().fields] + [register_schema()["extension_doc"].title]
EXT = FIELDS.index("extended_deadline")
DOC = FIELDS.index("extension_doc")


def province(tmp_path: Path, *, sheet: list[dict[str, Any]] | None = None, approved: bool = True) -> Path:
    """SNV has NV-1 and NV-2 in its sheet (rows 5, 6); the register approved NV-2's extension to
    31/05/2024 by document 55/UBND-TH (unless ``approved`` is False)."""
    extension = {"extended_deadline": "31/05/2024", "extension_doc": "55/UBND-TH"} if approved else {}
    write_workbook(
        tmp_path / "danh-muc.xlsx",
        [
            register_row("NV-1", "Sở Nội vụ", "30/04/2024"),
            register_row("NV-2", "Sở Nội vụ", "15/03/2024", **extension),
        ],
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )
    rows = sheet or [
        task_row(task_id="NV-1", progress="Đang dự thảo"),
        task_row(task_id="NV-2", deadline="15/03/2024", progress="Đã xin gia hạn"),
    ]
    write_workbook(tmp_path / "units" / "SNV.xlsx", rows, fields=FIELDS, headers=TITLES)
    return write_config(
        tmp_path,
        [("SNV", "Sở Nội vụ", "units/SNV.xlsx")],
        extra='\n[register]\nsource = "danh-muc.xlsx"\n',
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    return [tuple(c.value for c in r) for r in openpyxl.load_workbook(path)["Nhiệm vụ"].iter_rows()]


def test_an_approved_extension_reaches_the_units_row_and_nothing_else_changes(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    snv = tmp_path / "units" / "SNV.xlsx"
    before = sheet_rows(snv)
    report = distribute(config, as_of=AS_OF)
    [unit] = report.units
    assert (unit.status, unit.added, unit.rows) == ("updated", [], [])
    assert [u.to_dict() for u in unit.updated] == [
        {"task_id": "NV-2", "row": 6, "fields": ["extended_deadline", "extension_doc"]}
    ]
    after = sheet_rows(snv)
    assert after[:5] == before[:5]  # title rows, header, NV-1: untouched
    changed = [i for i, (a, b) in enumerate(zip(before[5], after[5], strict=True)) if a != b]
    assert changed == [EXT, DOC]  # of NV-2's row, only the two extension cells
    assert after[5][EXT] == datetime(2024, 5, 31) and after[5][DOC] == "55/UBND-TH"
    ws = openpyxl.load_workbook(snv)["Nhiệm vụ"]
    assert ws["J6"].number_format == "DD/MM/YYYY" and ws["J6"].is_date

    # sync reads the deadline in force from the unit's own row now, and nothing differs
    result = run_sync(config, AS_OF)
    task = next(t for u in result.units for t in u.tasks if t.task_id == "NV-2")
    assert task.values["extended_deadline"] == date(2024, 5, 31)
    assert task.category == "in_progress_on_time"
    assert not [f for f in result.findings if f.code == "office-field-changed"]

    # a second run writes nothing
    files = sha(snv)
    [again] = distribute(config, as_of=AS_OF).units
    assert (again.status, again.updated) == ("up_to_date", [])
    assert sha(snv) == files


def test_the_report_says_which_rows_were_updated(tmp_path: Path) -> None:
    path = province(tmp_path)
    dry = CliRunner().invoke(cli, ["distribute", "-c", str(path), "--dry-run", "--as-of", "05/03/2024"])
    assert dry.exit_code == 0, dry.output
    assert dry.output.splitlines() == [
        "SNV: sẽ cập nhật “Thời hạn điều chỉnh” và “Văn bản chấp thuận gia hạn” theo danh mục (NV-2 dòng 6)",
        "Chạy thử (--dry-run): sẽ thêm 0 nhiệm vụ cho 0 đơn vị; sẽ cập nhật thời hạn điều chỉnh ở 1 dòng đã có "
        "của 1 đơn vị.",
    ]
    done = CliRunner().invoke(cli, ["distribute", "-c", str(path), "--json", "--as-of", "05/03/2024"])
    assert done.exit_code == 0, done.output
    doc = json.loads(done.output)
    assert doc["updated"] == 1 and doc["added"] == 0
    assert doc["units"][0]["status"] == "updated"
    assert doc["units"][0]["updated"] == [
        {"task_id": "NV-2", "row": 6, "fields": ["extended_deadline", "extension_doc"]}
    ]


def test_a_units_own_value_is_replaced_by_the_registers_and_never_emptied(tmp_path: Path) -> None:
    """The unit typed 30/06/2024 into NV-2's Office column itself: the register's approved date
    replaces it (the report lists the row). NV-1 has no extension in the register: the date the unit
    typed there stays (never emptied; ``sync`` reports it as ``office-field-changed``)."""
    rows = [
        task_row(task_id="NV-1", extended_deadline="20/05/2024"),
        task_row(task_id="NV-2", deadline="15/03/2024", extended_deadline="30/06/2024"),
    ]
    config = load_config(province(tmp_path, sheet=rows))
    [unit] = distribute(config, as_of=AS_OF).units
    assert [(u.task_id, u.row, u.fields) for u in unit.updated] == [
        ("NV-2", 6, ("extended_deadline", "extension_doc"))
    ]
    after = sheet_rows(tmp_path / "units" / "SNV.xlsx")
    assert after[4][EXT] == "20/05/2024" and after[5][EXT] == datetime(2024, 5, 31)


def test_a_cell_already_holding_the_approved_date_as_text_is_left_alone(tmp_path: Path) -> None:
    rows = [
        task_row(task_id="NV-1"),
        task_row(
            task_id="NV-2", deadline="15/03/2024", extended_deadline="31/05/2024", extension_doc="55/ubnd-th"
        ),
    ]
    path = province(tmp_path, sheet=rows)
    snv = tmp_path / "units" / "SNV.xlsx"
    before = sha(snv)
    [unit] = distribute(load_config(path), as_of=AS_OF).units
    assert (unit.status, unit.updated) == ("up_to_date", [])
    assert sha(snv) == before


def test_no_extension_in_the_register_writes_nothing(tmp_path: Path) -> None:
    config = load_config(province(tmp_path, approved=False))
    snv = tmp_path / "units" / "SNV.xlsx"
    before = sha(snv)
    [unit] = distribute(config, as_of=AS_OF).units
    assert unit.status == "up_to_date" and sha(snv) == before


def test_a_sheet_without_the_document_column_gets_the_date_only(tmp_path: Path) -> None:
    """A sheet of the contract's columns only (as ``init`` makes it): the date reaches it, the document
    stays in the register (no column is added to the unit's sheet)."""
    path = province(tmp_path)
    fields = list(unit_sheet_schema().names)
    write_workbook(
        tmp_path / "units" / "SNV.xlsx",
        [task_row(task_id="NV-1"), task_row(task_id="NV-2", deadline="15/03/2024")],
        fields=fields,
    )
    [unit] = distribute(load_config(path), as_of=AS_OF).units
    assert [(u.row, u.fields) for u in unit.updated] == [(6, ("extended_deadline",))]
    ws = openpyxl.load_workbook(tmp_path / "units" / "SNV.xlsx")["Nhiệm vụ"]
    assert ws.max_column == len(fields) and ws["J6"].value == datetime(2024, 5, 31)


def test_the_same_safety_as_an_append_open_file_and_formula(tmp_path: Path) -> None:
    """Open in Excel: refused, byte for byte unchanged. A formula in the cell: refused, never overwritten."""
    path = province(tmp_path)
    snv = tmp_path / "units" / "SNV.xlsx"
    before = sha(snv)
    (tmp_path / "units" / "~$SNV.xlsx").write_bytes(b"owner")
    [unit] = distribute(load_config(path), as_of=AS_OF).units
    assert unit.status == "refused" and "đang mở" in unit.message and unit.updated == []
    assert sha(snv) == before
    (tmp_path / "units" / "~$SNV.xlsx").unlink()

    wb = openpyxl.load_workbook(snv)
    wb["Nhiệm vụ"]["J6"] = "=I6+30"
    wb.save(snv)
    before = sha(snv)
    [unit] = distribute(load_config(path), as_of=AS_OF).units
    assert unit.status == "refused" and "ô J6" in unit.message and "công thức" in unit.message
    assert sha(snv) == before


def test_a_file_saved_by_the_unit_meanwhile_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unit saves between distribute's read and its replace: refused, the unit's save kept."""
    from sync.backends.xlsx import unitbook

    path = province(tmp_path)
    snv = tmp_path / "units" / "SNV.xlsx"
    real_save = unitbook.UnitWorkbook.save

    def unit_saves_first(self: unitbook.UnitWorkbook) -> None:
        wb = openpyxl.load_workbook(snv)
        wb["Nhiệm vụ"]["L6"] = "Đơn vị vừa lưu"
        wb.save(snv)
        real_save(self)

    monkeypatch.setattr(unitbook.UnitWorkbook, "save", unit_saves_first)
    [unit] = distribute(load_config(path), as_of=AS_OF).units
    assert unit.status == "refused" and "đã được sửa" in unit.message
    assert openpyxl.load_workbook(snv)["Nhiệm vụ"]["L6"].value == "Đơn vị vừa lưu"
    assert openpyxl.load_workbook(snv)["Nhiệm vụ"]["J6"].value is None


# ------------------------------------------------------------------ the in-memory backend


def test_the_decision_is_the_same_on_the_memory_backend(tmp_path: Path) -> None:
    from tests.memory_backend import STORES, MemoryBook, MemoryStore, install

    install()
    path = province(tmp_path)
    grid = [TITLES] + [
        [r.get(f) for f in FIELDS]
        for r in (task_row(task_id="NV-1"), task_row(task_id="NV-2", deadline="15/03/2024"))
    ]
    store = STORES[tmp_path] = MemoryStore.of_grids({"units/SNV.xlsx": grid})
    text = path.read_text(encoding="utf-8").replace("[sync]\n", '[sync]\nbackend = "memory"\n')
    path.write_text(text, encoding="utf-8")
    config = load_config(path)
    # the register stays an .xlsx file read through the same backend: put it in the store too
    register = openpyxl.load_workbook(tmp_path / "danh-muc.xlsx")["Danh mục nhiệm vụ"]
    store.books["danh-muc.xlsx"] = MemoryBook(
        "danh-muc", {"Danh mục nhiệm vụ": [list(r) for r in register.iter_rows(values_only=True)]}
    )
    try:
        [unit] = distribute(config, as_of=AS_OF).units
        assert unit.status == "updated" and [(u.row, u.fields) for u in unit.updated] == [
            (3, ("extended_deadline", "extension_doc"))
        ]
        row = store.books["units/SNV.xlsx"].tabs["Nhiệm vụ"][2]
        assert row[EXT] == date(2024, 5, 31) and row[DOC] == "55/UBND-TH"
        assert store.books["units/SNV.xlsx"].tabs["Nhiệm vụ"][1][EXT] is None  # NV-1 untouched
        [again] = distribute(config, as_of=AS_OF).units
        assert again.status == "up_to_date"
    finally:
        STORES.pop(tmp_path, None)


# ------------------------------------------------------------------ Google Sheets (the emulator)


def google_province(tmp_path: Path, emu: Emulator) -> Config:
    return google_writable(tmp_path, province(tmp_path), emu)


def test_google_an_approved_extension_reaches_the_row_and_a_second_run_writes_nothing(
    tmp_path: Path, emu: Emulator
) -> None:
    config = google_province(tmp_path, emu)
    sid = config.units[0].source
    before = emu.get_values(sid, "'Nhiệm vụ'")
    [unit] = distribute(config, as_of=AS_OF).units
    assert unit.status == "updated" and [(u.row, u.fields) for u in unit.updated] == [
        (6, ("extended_deadline", "extension_doc"))
    ]
    after = emu.get_values(sid, "'Nhiệm vụ'")
    assert after[:5] == before[:5]
    assert [i for i, (a, b) in enumerate(zip(before[5], after[5], strict=False)) if a != b] == [EXT]
    assert after[5][EXT] == "31/05/2024" and after[5][DOC] == "55/UBND-TH"
    raw = emu.get_values(sid, "'Nhiệm vụ'!J6", render="UNFORMATTED_VALUE")
    assert raw == [[45443]]  # a real date, shown dd/mm/yyyy
    assert emu.stats_json()["by_endpoint"]["POST sheets.values.batchUpdate"] == 1
    emu.reset_stats()
    [again] = distribute(config, as_of=AS_OF).units
    assert again.status == "up_to_date"
    assert not [k for k in emu.stats_json()["by_endpoint"] if k.startswith("POST sheets")]


def test_google_a_row_the_unit_moved_meanwhile_is_written_where_its_task_is_now(
    tmp_path: Path, emu: Emulator
) -> None:
    """The clerk inserts a row above NV-2 after distribute read the sheet: the approved date lands in
    NV-2's row (now 7), not in the clerk's new row 6."""
    config = google_province(tmp_path, emu)
    sid = config.units[0].source
    clerk_key = emu.create_service_account(UNIT_CLERK)
    emu.share(sid, UNIT_CLERK, "writer")
    clerk = gspread_client(clerk_key, emu.url)
    # exports: the register's, the unit's sheet as distribute reads it, then the one just before the write
    emu.faults.add("slow", count=1, path_pattern=r"/export", delay=1.0, method="GET", after=2)
    done: list[DistributeReport] = []
    worker = threading.Thread(target=lambda: done.append(distribute(config, as_of=AS_OF)))
    worker.start()
    deadline = time.monotonic() + 30
    while emu.stats_json()["by_endpoint"].get("GET drive.files.export", 0) < 3:
        assert time.monotonic() < deadline and worker.is_alive()
        time.sleep(0.01)
    ws = clerk.open_by_key(sid).worksheet("Nhiệm vụ")
    ws.insert_row(["9", "NV-DV-1", "", "", "Việc đơn vị tự thêm"], index=6, value_input_option="RAW")
    worker.join(30)
    clerk.http_client.session.close()
    [report] = done
    [unit] = report.units
    assert unit.status == "updated" and [(u.task_id, u.row) for u in unit.updated] == [("NV-2", 7)]
    rows = emu.get_values(sid, "'Nhiệm vụ'")
    assert rows[5][1] == "NV-DV-1" and len(rows[5]) <= EXT  # the clerk's row: nothing written
    assert rows[6][1] == "NV-2" and rows[6][EXT] == "31/05/2024" and rows[6][DOC] == "55/UBND-TH"


@pytest.mark.parametrize("fault", ["drop-after", "503"])
def test_google_an_update_whose_answer_is_lost_is_checked_not_repeated_blindly(
    tmp_path: Path, emu: Emulator, fault: str
) -> None:
    """drop-after: applied, the answer lost (the next round finds it there and sends nothing);
    503: not applied (sent once more). Either way the cells hold the register's values."""
    config = google_province(tmp_path, emu)
    sid = config.units[0].source
    emu.faults.add(fault, count=1, path_pattern=r"values:batchUpdate", method="POST")
    [unit] = distribute(config, as_of=AS_OF).units
    assert unit.status == "updated" and [u.row for u in unit.updated] == [6]
    assert emu.get_values(sid, "'Nhiệm vụ'!J6:R6")[0][:1] == ["31/05/2024"]
    sent = emu.stats_json()["by_endpoint"]["POST sheets.values.batchUpdate"]
    assert sent == (1 if fault == "drop-after" else 2)
