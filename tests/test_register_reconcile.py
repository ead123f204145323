"""Reconciliation of the units' sheets with the Office's task register (issue: the register, part 3)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from google_emulator import Emulator
from sync.cli import cli
from sync.config import load_config
from sync.engine import run_sync
from sync.schema import register_schema, unit_sheet_schema
from tests.helpers import AS_OF, google_copy, task_row, write_config, write_workbook

REGISTER_FIELDS = list(register_schema().names)
REGISTER_TITLES = [f.title for f in register_schema().fields]


def register_row(task_id: str, lead: str, deadline: str, **extra: Any) -> dict[str, Any]:
    row = {
        k: v
        for k, v in task_row(task_id=task_id, lead_unit=lead, deadline=deadline).items()
        if k in REGISTER_FIELDS
    }
    row.update(extra)
    return row


def province(tmp_path: Path, *, register: bool = True) -> Path:
    """SNV changed NV-1's deadline, keeps STC's NV-3, has an unknown NV-9 and lacks NV-4."""
    if register:
        write_workbook(
            tmp_path / "danh-muc.xlsx",
            [
                register_row("NV-1", "Sở Nội vụ", "01/03/2024"),
                register_row("NV-2", "SNV", "30/04/2024"),
                register_row("NV-3", "Sở Tài chính", "30/04/2024"),
                register_row("nv-4", "Sở Nội vụ", "30/06/2024", summary="Xây dựng đề án vị trí việc làm"),
            ],
            fields=REGISTER_FIELDS,
            headers=REGISTER_TITLES,
            tab="Danh mục nhiệm vụ",
        )
    write_workbook(
        tmp_path / "units" / "SNV.xlsx",
        [
            task_row(task_id="NV-1", deadline="31/12/2024"),
            task_row(task_id="NV-2", deadline="30/04/2024"),
            task_row(task_id="NV-3", lead_unit="Sở Tài chính"),
            task_row(task_id="NV-9"),
        ],
    )
    write_workbook(tmp_path / "units" / "STC.xlsx", [task_row(task_id="NV-3", lead_unit="Sở Tài chính")])
    return write_config(
        tmp_path,
        [("SNV", "Sở Nội vụ", "units/SNV.xlsx"), ("STC", "Sở Tài chính", "units/STC.xlsx")],
        extra='\n[register]\nsource = "danh-muc.xlsx"\n' if register else "",
    )


def test_every_kind_of_difference_is_a_finding(tmp_path: Path) -> None:
    result = run_sync(load_config(province(tmp_path)), AS_OF)
    snv = [(f.code, f.cell, f.value) for f in result.findings if f.unit == "SNV" and f.code != "overdue"]
    assert ("office-field-changed", "I5", "31/12/2024") in snv  # deadline column I, first task row 5
    assert ("wrong-unit", "B7", "NV-3") in snv
    assert ("task-unknown", "B8", "NV-9") in snv
    assert ("task-missing", None, "nv-4") in snv
    changed = next(f for f in result.findings if f.code == "office-field-changed")
    assert "“31/12/2024”" in changed.message and "“01/03/2024”" in changed.message
    missing = next(f for f in result.findings if f.code == "task-missing")
    assert "Xây dựng đề án vị trí việc làm" in missing.message
    assert not [f for f in result.findings if f.unit == "STC" and f.code not in ("due-soon",)]


def test_register_values_classify_and_wrong_unit_rows_are_not_counted_twice(tmp_path: Path) -> None:
    result = run_sync(load_config(province(tmp_path)), AS_OF)
    snv, stc = result.units
    # NV-1 classified with the register's deadline 01/03/2024 (overdue on 05/03), not the unit's 31/12/2024
    by_id = {t.task_id: t for t in snv.tasks}
    assert by_id["NV-1"].category == "in_progress_overdue" and by_id["NV-1"].days_overdue == 4
    assert sorted(by_id) == ["NV-1", "NV-2", "NV-9"]  # NV-3 counts for STC only
    assert snv.counts["total"] == 3 and stc.counts["total"] == 1
    assert result.totals["counts"]["total"] == 4


def test_without_a_register_nothing_changes(tmp_path: Path) -> None:
    result = run_sync(load_config(province(tmp_path, register=False)), AS_OF)
    codes = {f.code for f in result.findings}
    assert not codes & {"task-missing", "task-unknown", "office-field-changed", "wrong-unit"}
    assert result.units[0].counts["total"] == 4


def test_unreadable_register_is_one_finding_and_the_sync_goes_on(tmp_path: Path) -> None:
    config = province(tmp_path)
    (tmp_path / "danh-muc.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    result = CliRunner().invoke(
        cli, ["sync", "-c", str(config), "--as-of", "2024-03-05", "--json", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    register = [f for f in doc["findings"] if f["unit"] == "register"]
    assert [f["code"] for f in register] == ["source-unreadable"]
    assert "danh mục nhiệm vụ" in register[0]["message"]
    assert not {f["code"] for f in doc["findings"]} & {"task-missing", "task-unknown"}
    assert (tmp_path / "out" / "tong-hop.xlsx").exists()


def test_register_cells_are_checked_like_a_unit_sheet(tmp_path: Path) -> None:
    config = province(tmp_path)
    write_workbook(
        tmp_path / "danh-muc.xlsx",
        [register_row("NV-1", "Sở Nội vụ", "31/02/2024")],
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )
    result = run_sync(load_config(config), AS_OF)
    bad = [(f.unit, f.code, f.cell) for f in result.findings if f.unit == "register"]
    assert bad == [("register", "invalid-date", "H5")]


def test_validate_and_summary_show_the_reconciliation(tmp_path: Path) -> None:
    config = province(tmp_path)
    checked = CliRunner().invoke(cli, ["validate", "-c", str(config), "--as-of", "2024-03-05", "--json"])
    codes = {f["code"] for f in json.loads(checked.stdout)["findings"]}
    assert {"task-missing", "task-unknown", "office-field-changed", "wrong-unit"} <= codes
    synced = CliRunner().invoke(cli, ["sync", "-c", str(config), "--as-of", "2024-03-05", "--quiet"])
    assert synced.exit_code == 0, synced.output
    ws = openpyxl.load_workbook(tmp_path / "out" / "tong-hop.xlsx")["Cảnh báo"]
    cells = [str(c) for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "wrong-unit" in cells and "task-missing" in cells


def test_google_backend_reconciles_the_same(tmp_path: Path, emu: Emulator) -> None:
    """The register as a Google Sheet: the same findings and figures as with .xlsx files."""
    xlsx_config = province(tmp_path)
    gpath = google_copy(tmp_path, xlsx_config, emu)
    google = run_sync(load_config(gpath), AS_OF)
    local = run_sync(load_config(xlsx_config), AS_OF)
    assert [(f.unit, f.code, f.cell) for f in google.findings] == [
        (f.unit, f.code, f.cell) for f in local.findings
    ]
    assert google.totals == local.totals


# ------------------------------------------------------------ tampering with each Office-owned field

#: field -> (the register's value, what the unit typed over it); the register row is otherwise
#: ``task_row``'s, with the deadline 01/03/2024 (4 days overdue as of 05/03/2024) and co-unit STC.
TAMPERED: dict[str, tuple[str | None, str]] = {
    "doc_ref": ("344/UBND-TH", "345/UBND-TH"),
    "doc_date": ("10/01/2024", "11/01/2024"),
    "summary": ("Rà soát quy hoạch", "Rà soát quy hoạch (đã giảm phạm vi)"),
    "assigner": ("Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh"),
    "lead_unit": ("Sở Nội vụ", "Sở Tài chính"),
    "co_units": ("Sở Tài chính", "Sở Tài chính; Sở Tư pháp"),
    "deadline": ("01/03/2024", "31/12/2024"),
    "extended_deadline": (None, "31/12/2024"),  # a unit granting itself an extension
}
OFFICE_FIELDS = [n for n in REGISTER_FIELDS if n in TAMPERED]


def tampered_province(directory: Path, fields: list[str]) -> Path:
    """The register's NV-1, NV-2 … and SNV's sheet with one field of each task typed over."""
    base = {"deadline": "01/03/2024", "co_units": "Sở Tài chính"}
    register, sheet = [], []
    for i, name in enumerate(fields, start=1):
        office = base | {n: TAMPERED[n][0] for n in TAMPERED if n not in base} | {"summary": f"Nhiệm vụ {i}"}
        office[name] = TAMPERED[name][0]
        reg = register_row(f"NV-{i}", "Sở Nội vụ", office.pop("deadline"), **office)
        register.append(reg)
        row = task_row(**{k: v for k, v in reg.items()})
        row[name] = TAMPERED[name][1]
        sheet.append(row)
    write_workbook(
        directory / "danh-muc.xlsx",
        register,
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )
    write_workbook(directory / "units" / "SNV.xlsx", sheet)
    units = [("SNV", "Sở Nội vụ", "units/SNV.xlsx"), ("STC", "Sở Tài chính", "units/STC.xlsx")]
    units.append(("STP", "Sở Tư pháp", "units/STP.xlsx"))
    for code in ("STC", "STP"):
        write_workbook(directory / "units" / f"{code}.xlsx", [])
    return write_config(directory, units, extra='\n[register]\nsource = "danh-muc.xlsx"\n')


def check_tampering(result: Any, fields: list[str]) -> None:
    """Each typed-over cell is one office-field-changed with both values; the register's value classifies."""
    names = unit_sheet_schema().names
    changed = {f.field: f for f in result.findings if f.code == "office-field-changed"}
    assert sorted(changed) == sorted(fields)
    tasks = {t.task_id: t for t in result.units[0].tasks}
    for i, name in enumerate(fields, start=1):
        found = changed[name]
        assert (found.unit, found.cell) == ("SNV", f"{get_column_letter(names.index(name) + 1)}{4 + i}")
        office, typed = TAMPERED[name]
        assert f"“{typed}”" in found.message
        assert f"“{office if office is not None else '(trống)'}”" in found.message
        task = tasks[f"NV-{i}"]
        assert task.category == "in_progress_overdue" and task.days_overdue == 4  # the register's deadline
        register_value = {"lead_unit": "SNV", "co_units": ["STC"]}.get(name, office)
        shown = task.values.get(name)
        assert (shown.strftime("%d/%m/%Y") if isinstance(shown, date) else shown) == register_value


@pytest.mark.parametrize("field", OFFICE_FIELDS)
def test_tampering_with_an_office_field_is_caught(tmp_path: Path, field: str) -> None:
    result = run_sync(load_config(tampered_province(tmp_path, [field])), AS_OF)
    check_tampering(result, [field])


def test_a_changed_task_id_is_unknown_and_the_registers_task_missing(tmp_path: Path) -> None:
    config = tampered_province(tmp_path, ["doc_ref"])
    write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row(task_id="NV-7", deadline="01/03/2024")])
    result = run_sync(load_config(config), AS_OF)
    found = [
        (f.code, f.cell, f.value) for f in result.findings if f.unit == "SNV" and f.code.startswith("task-")
    ]
    assert found == [("task-missing", None, "NV-1"), ("task-unknown", "B5", "NV-7")]


def test_google_catches_every_tampered_field_in_one_sheet(tmp_path: Path, emu: Emulator) -> None:
    """Every Office-owned field typed over in one Google Sheet, the register a Google Sheet too."""
    xlsx_config = tampered_province(tmp_path, OFFICE_FIELDS)
    google = run_sync(load_config(google_copy(tmp_path, xlsx_config, emu)), AS_OF)
    check_tampering(google, OFFICE_FIELDS)
    local = run_sync(load_config(xlsx_config), AS_OF)
    assert [f.to_dict() for f in google.findings] == [f.to_dict() for f in local.findings]
