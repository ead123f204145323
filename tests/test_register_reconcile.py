"""Reconciliation of the units' sheets with the Office's task register (issue: the register, part 3)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner

from sync.cli import cli
from sync.config import load_config
from sync.demo.gsheets import load_demo_into_emulator
from sync.emulator import Emulator
from sync.engine import run_sync
from sync.schema import register_schema
from tests.helpers import AS_OF, task_row, write_config, write_workbook

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


def register_on_google(tmp_path: Path, xlsx_config: Path, emu: Emulator) -> Path:
    """The province loaded into the emulator, the register as one more Google Sheet; its config."""
    staged = tmp_path / "staged.toml"  # the register uploaded like one more unit, then moved to [register]
    text = xlsx_config.read_text(encoding="utf-8").replace('[register]\nsource = "danh-muc.xlsx"\n', "")
    staged.write_text(
        text + '\n[[units]]\ncode = "REG"\nname = "Danh mục"\nsource = "danh-muc.xlsx"\n', encoding="utf-8"
    )
    gpath = load_demo_into_emulator(tmp_path, staged, emu)
    gtext = gpath.read_text(encoding="utf-8")
    block = re.search(
        r'\[\[units\]\]\ncode = "REG"\n(?:.*\n)*?source = "([^"]+)"\n(?:kind = "[^"]*"\n)?', gtext
    )
    assert block is not None
    gtext = gtext.replace(block.group(0), "") + f'\n[register]\nsource = "{block.group(1)}"\n'
    gpath.write_text(gtext, encoding="utf-8")
    return gpath


def test_google_backend_reconciles_the_same(tmp_path: Path, emu: Emulator) -> None:
    """The register as a Google Sheet: the same findings and figures as with .xlsx files."""
    xlsx_config = province(tmp_path)
    gpath = register_on_google(tmp_path, xlsx_config, emu)
    google = run_sync(load_config(gpath), AS_OF)
    local = run_sync(load_config(xlsx_config), AS_OF)
    assert [(f.unit, f.code, f.cell) for f in google.findings] == [
        (f.unit, f.code, f.cell) for f in local.findings
    ]
    assert google.totals == local.totals
