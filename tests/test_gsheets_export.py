"""The Google read path of issue 10: one Drive files.export per unit, read by the xlsx reader.

Real gspread/google-auth/requests over HTTP to the emulator; request counts from the emulator.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from google_emulator import Emulator
from google_emulator.demo import load_demo_into_emulator
from sync.backends.gsheets import GSheetsBackend
from sync.backends.gsheets.read import spreadsheet_id
from sync.backends.gsheets.summary import memo_path
from sync.config import Config, load_config
from sync.engine import run_sync
from sync.pipeline import sync_and_record
from tests.helpers import AS_OF, task_row, write_config, write_workbook, xlsx_at

Built = tuple[Config, Config]
TASKS = [task_row(task_id=f"NV-{i:03d}", deadline=date(2024, 2, 1 + i)) for i in range(4)]


@pytest.fixture
def gprovince(tmp_path: Path, emu: Emulator) -> Callable[..., Built]:
    """Unit workbooks (the title row merged A1:F1) in a folder and in the emulator: (xlsx, gsheets) configs."""

    def build(codes: Sequence[str], **kwargs: Any) -> Built:
        entries = []
        for code in codes:
            path = write_workbook(tmp_path / "units" / f"{code}.xlsx", TASKS, **kwargs)
            wb = openpyxl.load_workbook(path)
            wb[kwargs.get("tab", "Nhiệm vụ")].merge_cells("A1:F1")
            wb.save(path)
            entries.append((code, code, f"units/{code}.xlsx"))
        xcfg = write_config(tmp_path, entries)
        gpath = load_demo_into_emulator(tmp_path, xcfg, emu)
        emu.quota.configure(preset="google")
        emu.reset_stats()
        return load_config(xcfg), load_config(gpath)

    return build


def api_stats(emu: Emulator) -> dict[str, int]:
    by = emu.stats_json()["by_endpoint"]
    return {k: v for k, v in by.items() if not k.endswith("oauth2.token")}


def result_json(cfg: Config, source: Any = None) -> dict[str, Any]:
    """The JSON document, with the tab each unit was read from, less what names the backend."""
    res = run_sync(cfg, AS_OF, backend=source)
    d = res.to_dict()
    d.pop("generated_at", None)
    d["sheets"] = [u.sheet for u in res.units]
    return d


def test_one_export_per_unit_whatever_the_tab_is_called(
    gprovince: Callable[..., Built], emu: Emulator
) -> None:
    xcfg, gcfg = gprovince(["SNV", "STC", "RG"], tab="Theo dõi", before_tabs=("Hướng dẫn",))
    source = GSheetsBackend(gcfg)
    try:
        gres = result_json(gcfg, source)
    finally:
        source.close()
    assert api_stats(emu) == {"GET drive.files.list": 1, "GET drive.files.export": 3}
    assert gres == result_json(xcfg)
    assert set(gres["sheets"]) == {"Theo dõi"}


def test_merges_read_as_from_the_xlsx(gprovince: Callable[..., Built], emu: Emulator) -> None:
    xcfg, gcfg = gprovince(["SNV"])
    ref = gcfg.unit("SNV").source
    source = GSheetsBackend(gcfg)
    try:
        gtab = source.open(ref).read_tab("Nhiệm vụ")
    finally:
        source.close()
    xtab = xlsx_at(xcfg.base_dir).open(xcfg.unit("SNV").source).read_tab("Nhiệm vụ")
    assert gtab.merged == xtab.merged == [((0, 0), (0, 5))]
    assert gtab.rows == xtab.rows
    assert any(isinstance(v, date) for row in gtab.rows for v in row)


def test_request_budget_full_unchanged_one_changed(gprovince: Callable[..., Built], emu: Emulator) -> None:
    _, gcfg = gprovince(["SNV", "STC", "STP", "RG"])
    full = sync_and_record(gcfg, AS_OF)
    assert api_stats(emu) == {
        "GET drive.files.list": 1,
        "GET drive.files.export": 4,
        "GET sheets.spreadsheets.get": 1,
        "POST sheets.spreadsheets.batchUpdate": 1,
    }
    assert json.loads(memo_path(gcfg).read_text(encoding="utf-8"))["tabs"]

    emu.reset_stats()
    again = sync_and_record(gcfg, AS_OF)
    assert api_stats(emu) == {"GET drive.files.list": 1}  # the summary is not rewritten
    assert again.result.to_dict()["units"] == full.result.to_dict()["units"]

    stc = spreadsheet_id(gcfg.unit("STC").source)
    emu.set_values(stc, "'Nhiệm vụ'!K5", [["Đã hoàn thành"]], "RAW")
    emu.reset_stats()
    changed = sync_and_record(gcfg, AS_OF)
    assert api_stats(emu) == {
        "GET drive.files.list": 1,
        "GET drive.files.export": 1,
        "POST sheets.spreadsheets.batchUpdate": 1,
    }
    assert any(f.unit == "STC" and f.code == "completion-date-missing" for f in changed.result.findings)


def test_summary_tabs_changed_by_hand_are_looked_at_again(
    gprovince: Callable[..., Built], emu: Emulator
) -> None:
    _, gcfg = gprovince(["SNV"])
    sync_and_record(gcfg, AS_OF)
    memo = json.loads(memo_path(gcfg).read_text(encoding="utf-8"))
    memo["digest"], memo["tabs"][1]["sheetId"] = "other", 987654  # a tab deleted and re-made by hand
    memo_path(gcfg).write_text(json.dumps(memo), encoding="utf-8")
    emu.reset_stats()
    sync_and_record(gcfg, AS_OF)
    by = api_stats(emu)
    assert by["POST sheets.spreadsheets.batchUpdate"] == 2 and by["GET sheets.spreadsheets.get"] == 1
    titles = [
        s["properties"]["title"] for s in emu.spreadsheet_json(spreadsheet_id(gcfg.sync.summary))["sheets"]
    ]
    assert len(titles) == len(set(titles))


def test_export_size_limit_falls_back_to_sheets(gprovince: Callable[..., Built], emu: Emulator) -> None:
    xcfg, gcfg = gprovince(["SNV", "STC"])
    emu.state.export_limit = 100  # every unit is "too large"
    source = GSheetsBackend(gcfg)
    try:
        gres = result_json(gcfg, source)
    finally:
        source.close()
    by = api_stats(emu)
    assert by["GET drive.files.export"] == 2 and by["GET sheets.values.batchGet"] == 2
    assert emu.stats_json()["by_status"]["403"] == 2
    assert sorted(source.reader().too_large) == sorted(
        spreadsheet_id(gcfg.unit(c).source) for c in ("SNV", "STC")
    )
    assert gres["units"] == result_json(xcfg)["units"]


def test_export_of_a_hostile_unit_costs_that_unit_only(
    gprovince: Callable[..., Built], emu: Emulator
) -> None:
    _, gcfg = gprovince(["SNV", "STC"])
    snv = spreadsheet_id(gcfg.unit("SNV").source)
    emu.set_values(snv, "'Nhiệm vụ'!A2000", [["x" * 10]], "RAW")  # a big grid is still read
    emu.faults.add("drop", count=None, path_pattern=f"{snv}/export")
    source = GSheetsBackend(gcfg, sleep=lambda s: None)
    try:
        res = run_sync(gcfg, AS_OF, backend=source)
    finally:
        source.close()
    status = {u.code: u.report_status for u in res.units}
    assert status["SNV"] == "unreadable" and status["STC"] != "unreadable"
