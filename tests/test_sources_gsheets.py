"""The gsheets backend through real gspread + google-auth + sync.backends.gsheets.client, over HTTP to the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from google_emulator import Emulator
from google_emulator.demo import SERVICE_ACCOUNT, load_demo_into_emulator
from sync.backends.gsheets import GSheetsBackend
from sync.backends.gsheets.read import grid_from_value_range, spreadsheet_id
from sync.backends.gsheets.summary import write_summary_gsheets
from sync.config import Config, load_config
from sync.engine import run_sync
from sync.model import RunResult
from sync.summary import build_tables
from tests.helpers import AS_OF, DemoMonths, task_row, write_config, write_workbook

NAMES = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "STP": "Sở Tư pháp", "RG": "UBND thành phố Rạch Giá"}


Built = tuple[Config, Config]  # (xlsx config, gsheets config)


@pytest.fixture
def gprovince(tmp_path: Path, emu: Emulator) -> Callable[..., Built]:
    """Like conftest's ``province`` but also loaded into the emulator: (xlsx config, gsheets config).

    The gsheets config reads with ``read = "values"`` (Sheets values:batchGet), the path these
    request budgets are about; the export path is tested in tests/test_gsheets_export.py.
    """

    def build(units: dict[str, Sequence[dict[str, Any]] | None], **kwargs: Any) -> Built:
        entries = []
        for code, tasks in units.items():
            if tasks is not None:
                write_workbook(tmp_path / "units" / f"{code}.xlsx", tasks, **kwargs)
            entries.append((code, NAMES.get(code, code), f"units/{code}.xlsx"))
        xcfg = write_config(tmp_path, entries)
        gpath = load_demo_into_emulator(tmp_path, xcfg, emu)
        emu.reset_stats()
        gcfg = load_config(gpath)
        return load_config(xcfg), replace(gcfg, gsheets=replace(gcfg.gsheets, read="values"))

    return build


def sync_g(cfg: Config, *, write: bool = True, commit: bool = True) -> tuple[RunResult, GSheetsBackend]:
    """What the CLI does for gsheets: one source, run, write summary, commit state."""
    source = GSheetsBackend(cfg)
    try:
        result = run_sync(cfg, AS_OF, backend=source)
        if write:
            result.summary_path = write_summary_gsheets(cfg, build_tables(result))
            if commit:
                source.commit()
    finally:
        source.close()
    return result, source


def comparable(result: RunResult) -> dict[str, Any]:
    """to_dict without what necessarily differs between backends (the unreadable unit's reference)."""
    d = result.to_dict()
    d["findings"] = [
        {**f, "value": None, "message": None} if f["code"] == "source-unreadable" else f
        for f in d["findings"]
    ]
    return d


def api_stats(emu: Emulator) -> dict[str, int]:
    by = emu.stats_json()["by_endpoint"]
    return {k: v for k, v in by.items() if not k.endswith("oauth2.token")}


MIXED = [
    task_row(),
    task_row(
        task_id="NV-002",
        deadline=date(2024, 2, 1),
        doc_date=datetime(2024, 1, 5),
        updated_on=date(2024, 1, 2),
    ),
    task_row(task_id="NV-003", status="Đã hoàn thành", completed_on="15/02/2024", deadline="31/02/2024"),
    task_row(
        task_id="NV-004", summary='=HYPERLINK("http://x","y")', progress="=1+1", updated_on="03/15/2024"
    ),
    task_row(
        task_id="NV-005", deadline="Thường xuyên", status="Hoàn thành", completed_on=None, lead_unit="Sở Lạ"
    ),
    task_row(task_id="NV-006", deadline=date(2024, 3, 8), status="Đang TH", updated_on=date(2024, 3, 1)),
    task_row(task_id="NV-001", stt=7, doc_ref="  12/UBND-KT ", extension_request=45500),
]


def test_same_result_as_xlsx(gprovince: Callable[..., Built]) -> None:
    xcfg, gcfg = gprovince({"SNV": MIXED, "STC": MIXED[:3], "STP": None, "RG": [task_row(task_id="RG-1")]})
    xres = run_sync(xcfg, AS_OF)
    gres, _ = sync_g(gcfg)
    assert comparable(gres) == comparable(xres)
    assert [u.report_status for u in gres.units][2] == "unreadable"
    assert json.dumps(comparable(gres), ensure_ascii=False)  # JSON-able
    # the same summary content (tab names, cells) for the same result
    assert [t.name for t in build_tables(gres)] == [t.name for t in build_tables(xres)]


def test_task_tab_searched_when_not_named(gprovince: Callable[..., Built], emu: Emulator) -> None:
    xcfg, gcfg = gprovince({"SNV": MIXED[:2]}, tab="Theo dõi", before_tabs=("Hướng dẫn",))
    gres, _ = sync_g(gcfg, write=False)
    assert comparable(gres) == comparable(run_sync(xcfg, AS_OF))
    assert gres.units[0].sheet == "Theo dõi"
    by = api_stats(emu)
    # named read (400) + tab list + one batchGet of every tab
    assert by["GET sheets.values.batchGet"] == 2
    assert by["GET sheets.spreadsheets.get"] == 1


def test_unshared_and_deleted_are_unreadable_summary_still_written(
    gprovince: Callable[..., Built], emu: Emulator
) -> None:
    _, gcfg = gprovince({"SNV": MIXED[:1], "STC": MIXED[:1], "RG": MIXED[:1]})
    emu.unshare(spreadsheet_id(gcfg.unit("SNV").source), SERVICE_ACCOUNT)
    emu.delete_file(spreadsheet_id(gcfg.unit("STC").source))
    res, _ = sync_g(gcfg)
    status = {u.code: u.report_status for u in res.units}
    assert status == {"SNV": "unreadable", "STC": "unreadable", "RG": "on_time"}
    messages = {f.unit: f.message for f in res.findings if f.code == "source-unreadable"}
    assert "chưa chia sẻ" in messages["SNV"] and SERVICE_ACCOUNT in messages["SNV"]
    assert "không tìm thấy" in messages["STC"]
    assert res.summary_path and res.summary_path.startswith("https://docs.google.com/spreadsheets/d/")
    assert emu.stats_json()["by_endpoint"]["POST sheets.spreadsheets.batchUpdate"] == 1


def test_request_budget_full_incremental_one_changed(gprovince: Callable[..., Built], emu: Emulator) -> None:
    units = {c: [task_row(task_id=f"{c}-{i}") for i in range(5)] for c in ("SNV", "STC", "STP", "RG")}
    _, gcfg = gprovince(units)
    full, _ = sync_g(gcfg)
    by = api_stats(emu)
    assert sum(by.values()) <= len(units) + 3, by
    assert by == {
        "GET drive.files.list": 1,
        "GET sheets.values.batchGet": 4,
        "GET sheets.spreadsheets.get": 1,
        "POST sheets.spreadsheets.batchUpdate": 1,
    }
    assert emu.stats_json()["by_endpoint"].get("POST oauth2.token", 0) <= 1

    emu.reset_stats()
    again, source = sync_g(gcfg)
    assert sum(api_stats(emu).values()) <= 3, api_stats(emu)
    assert comparable(again) == comparable(full)
    assert source.reader().read_ids == [] and len(source.reader().reused_ids) == 4

    stc = spreadsheet_id(gcfg.unit("STC").source)
    emu.set_values(stc, "'Nhiệm vụ'!K5", [["Đã hoàn thành"]], "RAW")
    emu.reset_stats()
    changed, source = sync_g(gcfg)
    assert source.reader().read_ids == [stc]
    assert api_stats(emu)["GET sheets.values.batchGet"] == 1
    assert any(f.unit == "STC" and f.code == "completion-date-missing" for f in changed.findings)
    assert comparable(changed)["findings"] != comparable(full)["findings"]


def test_state_not_committed_without_success(gprovince: Callable[..., Built], emu: Emulator) -> None:
    _, gcfg = gprovince({"SNV": MIXED[:1]})
    sync_g(gcfg, commit=False)
    assert not gcfg.state_path.exists()
    emu.reset_stats()
    sync_g(gcfg)
    assert api_stats(emu)["GET sheets.values.batchGet"] == 1  # nothing was reused
    state = json.loads(gcfg.state_path.read_text(encoding="utf-8"))
    assert list(state["spreadsheets"]) == [spreadsheet_id(gcfg.unit("SNV").source)]
    assert not list(gcfg.base_dir.glob("*.tmp"))


def test_fault_injection_same_result_no_duplicate_writes(
    gprovince: Callable[..., Built], emu: Emulator
) -> None:
    units = {c: MIXED[: i + 2] for i, c in enumerate(("SNV", "STC", "STP", "RG"))}
    _, gcfg = gprovince(units)
    clean, _ = sync_g(gcfg, commit=False)
    clean_summary = _summary_cells(emu, gcfg)
    emu.faults.add("429", count=None, probability=0.2, seed=1, retry_after=0)
    emu.faults.add("503", count=None, probability=0.15, seed=2)
    emu.faults.add("drop", count=None, probability=0.1, seed=3, path_pattern="values:batchGet")
    source = GSheetsBackend(gcfg, sleep=lambda s: None)
    try:
        noisy = run_sync(gcfg, AS_OF, backend=source)
    finally:
        source.close()
    emu.faults.clear()
    write_summary_gsheets(gcfg, build_tables(noisy))
    assert comparable(noisy) == comparable(clean)
    assert source.client().stats.retries, "the faults fired"
    assert _summary_cells(emu, gcfg) == clean_summary


def test_unshared_mid_run(gprovince: Callable[..., Built], emu: Emulator) -> None:
    _, gcfg = gprovince({"SNV": MIXED[:2], "STC": MIXED[:2], "RG": MIXED[:2]})
    stc = spreadsheet_id(gcfg.unit("STC").source)
    emu.faults.add("unshare", count=1, file_id=stc, email=SERVICE_ACCOUNT, path_pattern=f"{stc}/values")
    res, _ = sync_g(gcfg)
    assert {u.code: u.report_status for u in res.units}["STC"] == "unreadable"
    assert {u.code: u.report_status for u in res.units}["RG"] != "unreadable"
    assert res.summary_path


def _summary_cells(emu: Emulator, cfg: Config) -> dict[str, Any]:
    sid = spreadsheet_id(cfg.sync.summary)
    data = emu.spreadsheet_json(sid)
    out: dict[str, Any] = {}
    for s in data["sheets"]:
        title = s["properties"]["title"]
        vals = emu.get_values(sid, "'" + title.replace("'", "''") + "'", "UNFORMATTED_VALUE")
        if title == "Thông tin":
            vals = [r for r in vals if r and r[0] != "Thời điểm tạo"]
        out[title] = vals
    return out


def test_formula_text_stays_text_in_summary(gprovince: Callable[..., Built], emu: Emulator) -> None:
    _, gcfg = gprovince({"SNV": MIXED})
    emu.reset_stats()
    res, _ = sync_g(gcfg)
    by = api_stats(emu)
    assert by["GET sheets.spreadsheets.get"] + by["POST sheets.spreadsheets.batchUpdate"] == 2
    sid = spreadsheet_id(gcfg.sync.summary)
    grid = emu.get_values(sid, "'Nhiệm vụ'", "FORMULA")
    cells = [v for row in grid for v in row]
    assert '=HYPERLINK("http://x","y")' in cells and "=1+1" in cells
    ss = emu.state.files[sid].spreadsheet
    assert ss is not None
    sheet = next(s for s in ss.sheets if s.props["title"] == "Nhiệm vụ")
    assert not any(cell.uev and "formulaValue" in cell.uev for cell in sheet.cells.values())
    texts = [
        cell.uev["stringValue"] for cell in sheet.cells.values() if cell.uev and "stringValue" in cell.uev
    ]
    assert "=1+1" in texts
    # the tabs and headers are those of the xlsx summary, the header row frozen
    titles = [s["properties"]["title"] for s in emu.spreadsheet_json(sid)["sheets"]]
    assert titles == [t.name for t in build_tables(res)]
    props = emu.spreadsheet_json(sid)["sheets"][0]["properties"]
    assert props["gridProperties"]["frozenRowCount"] == 1


def test_grid_anchored_at_a1() -> None:
    title, rows = grid_from_value_range({"range": "'It''s'!B3:D9", "values": [["a"], [], [1, "", True]]})
    assert title == "It's"
    assert rows == [
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "a", "", ""],
        ["", "", "", ""],
        ["", 1, "", True],
    ]
    assert grid_from_value_range({"range": "Sheet1!A1:Z1000"}) == ("Sheet1", [])


def test_spreadsheet_id_from_url() -> None:
    assert spreadsheet_id("https://docs.google.com/spreadsheets/d/abc_D-1/edit#gid=0") == "abc_D-1"
    assert spreadsheet_id(" abc ") == "abc"


def test_demo_province_equivalent(demo_months: DemoMonths, tmp_path: Path, emu: Emulator) -> None:
    prov = demo_months.render(tmp_path / "demo")
    gpath = load_demo_into_emulator(prov.directory, prov.config_path, emu)
    emu.quota.configure(enabled=False)
    xres = run_sync(load_config(prov.config_path), prov.as_of)
    gcfg = load_config(gpath)
    emu.reset_stats()
    source = GSheetsBackend(gcfg)
    try:
        gres = run_sync(gcfg, prov.as_of, backend=source)
        write_summary_gsheets(gcfg, build_tables(gres))
        source.commit()
    finally:
        source.close()
    assert comparable(gres) == comparable(xres)
    searched = sum(1 for u in gres.units if u.sheet and u.sheet != gcfg.sync.sheet)
    assert sum(api_stats(emu).values()) <= len(gcfg.units) + 3 + 2 * searched
    emu.reset_stats()
    source = GSheetsBackend(gcfg)
    try:
        again = run_sync(gcfg, prov.as_of, backend=source)
        write_summary_gsheets(gcfg, build_tables(again))
    finally:
        source.close()
    assert sum(api_stats(emu).values()) <= 3
    assert comparable(again) == comparable(gres)
