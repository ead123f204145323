"""``init`` on Google (sync.backends.gsheets.create) through the emulator, over HTTP, as Google answers."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from google_emulator import Emulator
from google_emulator.client import credentials
from google_emulator.protection import PROTECTED_MESSAGE
from sync.backends.gsheets import GSheetsBackend
from sync.backends.gsheets.client import INIT_SCOPES, SCOPES, GoogleClient
from sync.backends.gsheets.create import (
    DRIVE_FILES_URL,
    GUIDE_TAB,
    REGISTER_TITLE,
    SHEETS_URL,
    STATE_NAME,
    SUMMARY_TITLE,
    UNITS_TAB,
    init_google,
    unit_title,
)
from sync.config import load_config
from sync.engine import run_sync
from sync.exceptions import ConfigError, GoogleApiError
from sync.schema import register_schema, unit_sheet_schema
from sync.shapes.books import UnitSpec
from sync.shapes.layout import DATE_FORMAT, PREPARED_ROWS, columns
from tests.test_config import write

UNITS_CSV = Path(__file__).resolve().parent.parent / "sync" / "data" / "an-giang-2025-units.csv"
UNIT_ACCOUNT = "so-noi-vu@emulator-project.iam.gserviceaccount.com"


def province(n: int) -> list[UnitSpec]:
    """The first ``n`` units of the An Giang list; every third without an address; SNV = a service account."""
    with UNITS_CSV.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))[:n]
    out = []
    for i, r in enumerate(rows):
        emails: tuple[str, ...] = () if i % 3 == 0 else (f"{r['code'].lower()}@angiang.gov.vn",)
        if r["code"] == "SNV":
            emails = (UNIT_ACCOUNT, "van-thu.snv@angiang.gov.vn")
        out.append(UnitSpec(r["code"], r["name"], r["kind"], emails=emails))
    return out


@pytest.fixture
def office(emulator: Emulator, service_account: dict[str, Any]) -> Iterator[GoogleClient]:
    client = GoogleClient(credentials(service_account, INIT_SCOPES), endpoint=emulator.url, base_delay=0.01)
    yield client
    client.close()


def get(client: GoogleClient, sid: str, **params: Any) -> dict[str, Any]:
    return dict(client.request("GET", f"{SHEETS_URL}/{sid}", params=params).json())


def put(
    client: GoogleClient, sid: str, a1: str, rows: list[list[Any]], option: str = "RAW"
) -> dict[str, Any]:
    """values.update of ``a1`` (a tab and cells) as ``client``; Google's answer."""
    url = f"{SHEETS_URL}/{sid}/values/{a1}"
    return dict(client.request("PUT", url, params={"valueInputOption": option}, json={"values": rows}).json())


def own_files(client: GoogleClient) -> list[str]:
    """Names of every spreadsheet on the account's Drive (one files.list, all pages)."""
    names: list[str] = []
    params: dict[str, Any] = {"q": "trashed=false", "fields": "nextPageToken,files(name)", "pageSize": 7}
    while True:
        data = client.request("GET", DRIVE_FILES_URL, params=dict(params)).json()
        names += [f["name"] for f in data["files"]]
        if not data.get("nextPageToken"):
            return sorted(names)
        params["pageToken"] = data["nextPageToken"]


def expected_titles(units: list[UnitSpec]) -> list[str]:
    return sorted([REGISTER_TITLE, SUMMARY_TITLE, *(unit_title(u) for u in units)])


def api(emulator: Emulator) -> dict[str, int]:
    return {k: v for k, v in emulator.stats_json()["by_endpoint"].items() if not k.endswith("oauth2.token")}


def creates(emulator: Emulator) -> int:
    return int(emulator.stats_json()["by_endpoint"].get("POST sheets.spreadsheets.create", 0))


# ---------------------------------------------------------------- what a new sheet has


def test_unit_sheet_read_back_has_everything(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    units = province(4)
    report, ids = init_google(units, config_dir=tmp_path, client=office, cutoff_day=20)
    assert set(ids["units"]) == {u.code for u in units}
    assert report.requests == sum(
        n for k, n in emulator.stats_json()["by_endpoint"].items() if not k.endswith("oauth2.token")
    )
    assert creates(emulator) == len(units) + 2  # one create per spreadsheet, nothing else on Sheets
    assert not any(
        k.startswith("POST sheets.spreadsheets.batchUpdate") for k in emulator.stats_json()["by_endpoint"]
    )
    cols = columns(unit_sheet_schema())
    for unit in units:  # every unit's sheet: its title, locale, frozen header, tabs, Office-only ranges
        got = get(
            office,
            ids["units"][unit.code],
            fields="properties(title,locale,timeZone),sheets(properties,protectedRanges)",
        )
        assert (got["properties"]["title"], got["properties"]["locale"], got["properties"]["timeZone"]) == (
            unit_title(unit),
            "vi_VN",
            "Asia/Ho_Chi_Minh",
        )
        assert [s["properties"]["title"] for s in got["sheets"]] == ["Nhiệm vụ", GUIDE_TAB]
        assert got["sheets"][0]["properties"]["gridProperties"]["frozenRowCount"] == 1
        editors = [pr["editors"] for s in got["sheets"] for pr in s["protectedRanges"]]
        assert len(editors) == 3 and all(e == {"users": [office.account_email]} for e in editors)
    sid = ids["units"]["SNV"]
    meta = get(office, sid, fields="properties(title,locale,timeZone),sheets(properties,protectedRanges)")
    assert meta["properties"] == {
        "title": "Theo dõi nhiệm vụ — Sở Nội vụ (SNV)",
        "locale": "vi_VN",
        "timeZone": "Asia/Ho_Chi_Minh",
    }
    task, guide = meta["sheets"]
    assert task["properties"]["title"] == "Nhiệm vụ"
    assert task["properties"]["gridProperties"] == {
        "rowCount": PREPARED_ROWS + 1,
        "columnCount": len(cols),
        "frozenRowCount": 1,
    }
    office_cols = [c.index for c in cols if c.office]
    for pr in task["protectedRanges"]:
        assert pr["editors"] == {"users": [office.account_email]}
        assert "warningOnly" not in pr
    ranges = [pr["range"] for pr in task["protectedRanges"]]
    assert {"startRowIndex": 0, "endRowIndex": 1} in ranges  # the header row
    covered = {
        i
        for r in ranges
        if "startColumnIndex" in r
        for i in range(r["startColumnIndex"], r["endColumnIndex"])
    }
    assert covered == set(office_cols)
    assert guide["properties"]["title"] == GUIDE_TAB
    assert [pr["range"] for pr in guide["protectedRanges"]] == [{"sheetId": 1}]

    grid = get(office, sid, includeGridData="true", ranges=f"'Nhiệm vụ'!A1:{cols[-1].letter}3")["sheets"][0][
        "data"
    ][0]
    header = grid["rowData"][0]["values"]
    assert [c["userEnteredValue"]["stringValue"] for c in header] == [c.field.title for c in cols]
    assert all(c["userEnteredFormat"]["textFormat"]["bold"] for c in header)
    assert {c.index for c in cols if "backgroundColor" in header[c.index]["userEnteredFormat"]} == set(
        office_cols
    )
    assert [m["pixelSize"] for m in grid["columnMetadata"][: len(cols)]] == [c.pixels for c in cols]
    row = grid["rowData"][2]["values"]  # the second prepared row: rules hold on every prepared row
    status = next(c for c in cols if c.field.name == "status")
    rule = row[status.index]["dataValidation"]
    assert rule["condition"]["type"] == "ONE_OF_LIST"
    assert [v["userEnteredValue"] for v in rule["condition"]["values"]] == list(status.choices)
    assert rule["strict"] is True and rule["showCustomUi"] is True
    for c in cols:
        if c.field.type == "date":
            assert row[c.index]["dataValidation"]["condition"] == {"type": "DATE_IS_VALID"}
            assert row[c.index]["dataValidation"]["strict"] is True
            assert row[c.index]["userEnteredFormat"]["numberFormat"] == {
                "type": "DATE",
                "pattern": DATE_FORMAT,
            }
        elif c.field.type == "date_or_kind":  # a deadline may be a word: the rule warns only
            assert row[c.index]["dataValidation"]["strict"] is False
        elif c.field.type == "text":
            assert "dataValidation" not in row[c.index]
    last = get(
        office,
        sid,
        includeGridData="true",
        ranges=f"'Nhiệm vụ'!A{PREPARED_ROWS + 1}:{cols[-1].letter}{PREPARED_ROWS + 1}",
    )
    assert last["sheets"][0]["data"][0]["rowData"][0]["values"][status.index]["dataValidation"] == rule

    text = office.request("GET", f"{SHEETS_URL}/{sid}/values/{GUIDE_TAB}").json()["values"]
    assert text[0] == ["HƯỚNG DẪN CẬP NHẬT BẢNG THEO DÕI NHIỆM VỤ — Sở Nội vụ"]
    assert any("trước ngày 20 hằng tháng" in line[0] for line in text if line)

    perms = office.request("GET", f"{DRIVE_FILES_URL}/{sid}/permissions").json()["permissions"]
    writers = sorted(p["emailAddress"] for p in perms if p["role"] == "writer")
    assert writers == sorted([UNIT_ACCOUNT, "van-thu.snv@angiang.gov.vn"])
    assert [line for line in report.without_email if "VPUB" in line]  # listed, not an error
    assert not report.problems


def test_register_dropdown_points_at_the_hidden_unit_list(office: GoogleClient, tmp_path: Path) -> None:
    units = province(5)
    _, ids = init_google(units, config_dir=tmp_path, client=office)
    meta = get(office, ids["register"], fields="sheets(properties,protectedRanges)")
    task, listing = meta["sheets"]
    assert task["properties"]["title"] == "Danh mục nhiệm vụ"
    assert "protectedRanges" not in task
    assert listing["properties"]["title"] == UNITS_TAB and listing["properties"]["hidden"] is True
    names = office.request("GET", f"{SHEETS_URL}/{ids['register']}/values/'{UNITS_TAB}'").json()["values"]
    assert [n[0] for n in names] == [u.name for u in units]
    grid = get(
        office,
        ids["register"],
        includeGridData="true",
        ranges=f"'Danh mục nhiệm vụ'!A1:{columns(register_schema())[-1].letter}2",
    )
    header = [
        c["userEnteredValue"]["stringValue"] for c in grid["sheets"][0]["data"][0]["rowData"][0]["values"]
    ]
    lead = header.index("Đơn vị chủ trì")
    rule = grid["sheets"][0]["data"][0]["rowData"][1]["values"][lead]["dataValidation"]
    assert rule["condition"] == {
        "type": "ONE_OF_RANGE",
        "values": [{"userEnteredValue": f"='{UNITS_TAB}'!$A$1:$A$5"}],
    }
    summary = get(office, ids["summary"], fields="properties(title,locale,timeZone)")
    assert summary["properties"]["locale"] == "vi_VN"


# ---------------------------------------------------------------- protection as a unit sees it


def unit_client(emulator: Emulator) -> GoogleClient:
    key = emulator.create_service_account(UNIT_ACCOUNT)
    return GoogleClient(credentials(key, SCOPES), endpoint=emulator.url, base_delay=0.01)


def test_unit_edits_its_columns_but_not_the_offices(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    _, ids = init_google(province(3), config_dir=tmp_path, client=office)
    sid = ids["units"]["SNV"]
    unit = unit_client(emulator)
    try:
        url = f"{SHEETS_URL}/{sid}/values/"
        ok = put(unit, sid, "'Nhiệm vụ'!K2:L2", [["Đang thực hiện", "Đã họp"]], "USER_ENTERED")
        assert ok["updatedCells"] == 2
        for target in ("'Nhiệm vụ'!C2", "'Nhiệm vụ'!A1", f"'{GUIDE_TAB}'!A1"):
            with pytest.raises(GoogleApiError) as e:
                put(unit, sid, target, [["sửa"]])
            assert (e.value.status, e.value.message) == (400, PROTECTED_MESSAGE)
        with pytest.raises(GoogleApiError) as e:  # several ranges: all or nothing
            unit.request(
                "POST",
                f"{SHEETS_URL}/{sid}/values:batchUpdate",
                json={
                    "valueInputOption": "RAW",
                    "data": [
                        {"range": "'Nhiệm vụ'!M2", "values": [["x"]]},
                        {"range": "'Nhiệm vụ'!B2", "values": [["y"]]},
                    ],
                },
            )
        assert e.value.status == 400
        got = office.request("GET", url + "'Nhiệm vụ'!B2:M2").json()["values"][0]
        assert got[0] == "" and got[9:] == ["Đang thực hiện", "Đã họp"] and len(got) == 11
        # the Office itself writes its columns
        put(office, sid, "'Nhiệm vụ'!B2", [["NV-001"]])
    finally:
        unit.close()


def test_warn_mode_ranges_are_warning_only(office: GoogleClient, emulator: Emulator, tmp_path: Path) -> None:
    _, ids = init_google(province(3), config_dir=tmp_path, client=office, protection="warn")
    sid = ids["units"]["SNV"]
    ranges = get(office, sid, fields="sheets(protectedRanges)")["sheets"][0]["protectedRanges"]
    assert ranges and all(pr["warningOnly"] is True and pr["editors"] == {} for pr in ranges)
    unit = unit_client(emulator)
    try:  # warning-only never blocks a write through the API
        put(unit, sid, "'Nhiệm vụ'!C2", [["12/UBND"]])
    finally:
        unit.close()
    with pytest.raises(ConfigError, match="enforce"):
        init_google(province(1), config_dir=tmp_path, client=office, protection="khoá")


def test_protection_config_key(tmp_path: Path) -> None:
    base = '[sync]\nbackend = "gsheets"\nsummary = "1Ab"\n\n[[units]]\ncode = "A"\nname = "Sở A"\nsource = "1X"\n'
    assert load_config(write(tmp_path, base)).gsheets.protection == "enforce"
    assert (
        load_config(write(tmp_path, base + '\n[gsheets]\nprotection = "warn"\n')).gsheets.protection == "warn"
    )
    with pytest.raises(ConfigError, match="“protection” phải là"):
        load_config(write(tmp_path, base + '\n[gsheets]\nprotection = "tắt"\n'))


# ---------------------------------------------------------------- idempotent, resumable


def test_init_twice_leaves_one_of_everything(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    units = province(6)
    first, ids = init_google(units, config_dir=tmp_path, client=office)
    emulator.reset_stats()
    again, ids2 = init_google(units, config_dir=tmp_path, client=office)
    assert ids2 == ids
    # one files.list checks the recorded files are still there; nothing else is sent
    assert again.requests == 1 and list(api(emulator)) == ["GET drive.files.list"]
    assert not again.created and not again.shared
    assert len(again.found) == len(units) + 2
    assert own_files(office) == expected_titles(units)
    state = tmp_path / STATE_NAME
    assert state.stat().st_mode & 0o777 == 0o600
    # without the state file (deleted, another PC): found on Drive by title, nothing made or shared twice
    state.unlink()
    emulator.reset_stats()
    third, ids3 = init_google(units, config_dir=tmp_path, client=office)
    assert ids3 == ids and creates(emulator) == 0 and not third.shared
    assert emulator.stats_json()["by_endpoint"]["GET drive.files.list"] == 1
    assert not any(k.startswith("POST drive.permissions") for k in emulator.stats_json()["by_endpoint"])
    assert own_files(office) == expected_titles(units)
    perms = office.request("GET", f"{DRIVE_FILES_URL}/{ids['units']['SNV']}/permissions").json()[
        "permissions"
    ]
    assert len(perms) == 3  # owner + the two addresses, once each
    # a new address in the list is added, the others are not touched
    units[1] = UnitSpec(units[1].code, units[1].name, emails=(*units[1].emails, "moi@angiang.gov.vn"))
    fourth, _ = init_google(units, config_dir=tmp_path, client=office)
    assert fourth.shared == [
        f"Đơn vị {units[1].code} ({units[1].name}): đã chia sẻ quyền sửa cho moi@angiang.gov.vn"
    ]


def test_found_sheet_is_never_changed(office: GoogleClient, emulator: Emulator, tmp_path: Path) -> None:
    units = province(3)
    _, ids = init_google(units, config_dir=tmp_path, client=office)
    sid = ids["units"][units[1].code]
    put(office, sid, "'Nhiệm vụ'!B2:K2", [["NV-1", *[""] * 8, "Đã hoàn thành"]])
    before = emulator.spreadsheet_json(sid)
    (tmp_path / STATE_NAME).unlink()
    init_google(units, config_dir=tmp_path, client=office, protection="warn")  # another mode: still untouched
    assert emulator.spreadsheet_json(sid) == before


def test_a_sheet_deleted_since_is_made_again(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    units = province(3)
    _, ids = init_google(units, config_dir=tmp_path, client=office)
    old = ids["units"][units[2].code]
    office.request("PATCH", f"{DRIVE_FILES_URL}/{old}", json={"trashed": True})
    emulator.reset_stats()
    report, ids2 = init_google(units, config_dir=tmp_path, client=office)
    assert ids2["units"][units[2].code] != old and creates(emulator) == 1
    assert report.created == [
        f"Đơn vị {units[2].code} ({units[2].name}): đã tạo “{unit_title(units[2])}” "
        f"(mã {ids2['units'][units[2].code]}) (bảng cũ mã {old} không còn trên Drive: đã xóa hoặc ở thùng rác)"
    ]
    assert {k: v for k, v in ids2["units"].items() if k != units[2].code} == {
        k: v for k, v in ids["units"].items() if k != units[2].code
    }


class Stop(Exception):
    pass


def test_stopped_half_way_then_resumed(office: GoogleClient, emulator: Emulator, tmp_path: Path) -> None:
    units = province(8)

    def stop_after_fourth(code: str, done: int, total: int) -> None:
        if done == 6:  # register, summary, 4 units
            raise Stop

    with pytest.raises(Stop):
        init_google(units, config_dir=tmp_path, client=office, progress=stop_after_fourth)
    assert len(own_files(office)) == 6
    saved = json.loads((tmp_path / STATE_NAME).read_text(encoding="utf-8"))
    assert len(saved["ids"]) == 6
    emulator.reset_stats()
    report, ids = init_google(units, config_dir=tmp_path, client=office)
    assert creates(emulator) == 4
    assert len(report.created) == 4 and len(report.found) == 6
    assert own_files(office) == expected_titles(units)
    assert len(set(ids["units"].values())) == len(units)


def test_died_between_create_and_state_write(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    """The create happened, the run died before writing its id: the next run adopts the file."""
    units = province(5)
    init_google(units, config_dir=tmp_path, client=office)
    state = tmp_path / STATE_NAME
    saved = json.loads(state.read_text(encoding="utf-8"))
    lost = saved["ids"].pop(f"unit:{units[3].code}")
    saved["ids"].pop("register")
    state.write_text(json.dumps(saved), encoding="utf-8")
    emulator.reset_stats()
    report, ids = init_google(units, config_dir=tmp_path, client=office)
    assert creates(emulator) == 0 and ids["units"][units[3].code] == lost
    assert any(unit_title(units[3]) in line and "đã có trên Drive" in line for line in report.found)
    assert own_files(office) == expected_titles(units)


@pytest.mark.parametrize("kind", ["drop", "drop-after", "500"])
def test_fifth_create_loses_its_connection(
    kind: str, office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    """``drop``: the create never happened; ``drop-after``: it did, the answer was lost; ``500``: Google
    failed (maybe after making it). Looked for before it is sent again: one of each either way."""
    units = province(6)
    emulator.faults.add(kind, count=1, method="POST", path_pattern=r"^/v4/spreadsheets$", after=4)
    report, ids = init_google(units, config_dir=tmp_path, client=office)
    by = emulator.stats_json()["by_endpoint"]
    assert own_files(office) == expected_titles(units)
    assert len(set(ids["units"].values())) == len(units)
    # the first look, then after the lost answer: found at once (drop-after), or not even after a pause (drop)
    assert by["GET drive.files.list"] == (2 if kind == "drop-after" else 3)
    assert by["POST sheets.spreadsheets.create"] == len(units) + 2 + (0 if kind == "drop-after" else 1)
    assert len(report.created) == len(units) + 2


def test_address_that_cannot_be_shared_is_a_problem_not_a_crash(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    units = [UnitSpec("SNV", "Sở Nội vụ", emails=("khong-hop-le", "a@x.vn", "b@x.vn"))]
    emulator.faults.add("500", count=None, method="POST", path_pattern="/permissions", after=1)
    report, ids = init_google(units, config_dir=tmp_path, client=office)
    assert ids["units"]["SNV"]
    assert len(report.problems) == 2
    assert report.problems[0].startswith("Đơn vị SNV (Sở Nội vụ): địa chỉ e-mail “khong-hop-le” không hợp lệ")
    assert report.problems[1].startswith(
        "Đơn vị SNV (Sở Nội vụ): không chia sẻ được cho b@x.vn (Google trả lời 500"
    )
    assert report.shared == ["Đơn vị SNV (Sở Nội vụ): đã chia sẻ quyền sửa cho a@x.vn"]
    emulator.faults.clear()
    again, _ = init_google(units, config_dir=tmp_path, client=office)  # the next run shares what is left
    assert again.shared == ["Đơn vị SNV (Sở Nội vụ): đã chia sẻ quyền sửa cho b@x.vn"]


# ---------------------------------------------------------------- the sync reads what init made


def test_sync_reads_a_fresh_sheet(
    office: GoogleClient, emulator: Emulator, service_account: dict[str, Any], tmp_path: Path
) -> None:
    units = province(3)
    _, ids = init_google(units, config_dir=tmp_path, client=office)
    sid = ids["units"][units[1].code]
    row = [
        [
            "1",
            "NV-001",
            "12/UBND-VP",
            "05/01/2025",
            "Báo cáo",
            "Chủ tịch",
            units[1].name,
            "",
            "31/03/2025",
            "",
            "Đang thực hiện",
            "Đã họp",
            "",
            "",
            "",
            "",
            "10/03/2025",
        ]
    ]
    put(office, sid, "'Nhiệm vụ'!A2:Q2", row, "USER_ENTERED")
    key = tmp_path / "key.json"
    key.write_text(json.dumps(service_account), encoding="utf-8")
    lines = [
        "[sync]",
        'backend = "gsheets"',
        f'summary = "{ids["summary"]}"',
        "",
        "[gsheets]",
        'credentials = "key.json"',
        f'endpoint = "{emulator.url}"',
        "",
    ]
    for u in units:
        lines += [
            "[[units]]",
            f'code = "{u.code}"',
            f'name = "{u.name}"',
            f'source = "{ids["units"][u.code]}"',
            "",
        ]
    # the register as the Office fills it: the lead unit picked from the dropdown (the unit's name)
    lines += ["[register]", f'source = "{ids["register"]}"', ""]
    register_rows = [
        ["NV-001", "12/UBND-VP", "05/01/2025", "Báo cáo", "Chủ tịch", units[1].name, "", "31/03/2025"],
        ["NV-002", "13/UBND-VP", "06/01/2025", "Kế hoạch", "Chủ tịch", units[1].name, "", "30/04/2025"],
    ]
    put(office, ids["register"], "'Danh mục nhiệm vụ'!A2:H3", register_rows, "USER_ENTERED")
    cfg_path = tmp_path / "ubnd-sync.toml"
    cfg_path.write_text("\n".join(lines), encoding="utf-8")
    cfg = load_config(cfg_path)
    source = GSheetsBackend(cfg)
    try:
        result = run_sync(cfg, date(2025, 3, 15), backend=source)
    finally:
        source.close()
    doc = result.to_dict()
    assert [u["report_status"] for u in doc["units"]].count("unreadable") == 0
    assert [t.task_id for t in result.tasks] == ["NV-001"]
    (task,) = result.tasks  # dates typed into the prepared cells read day first
    assert (task.values["doc_date"], task.values["deadline"]) == (date(2025, 1, 5), date(2025, 3, 31))
    assert (task.values["updated_on"], task.values["status"]) == (date(2025, 3, 10), "in_progress")
    assert not result.unreadable_units()
    # the register made by init is read and reconciled: only the task missing from the unit's sheet
    noted = [
        (f.unit, f.code)
        for f in result.findings
        if f.code in ("task-missing", "task-unknown", "source-unreadable")
    ]
    assert noted == [(units[1].code, "task-missing")]
    assert "“NV-002”" in next(f.message for f in result.findings if f.code == "task-missing")


def test_titles_and_text_are_nfc(office: GoogleClient, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Sở Nội vụ")
    assert decomposed != "Sở Nội vụ"
    _, ids = init_google([UnitSpec("SNV", decomposed)], config_dir=tmp_path, client=office)
    sid = ids["units"]["SNV"]
    assert (
        get(office, sid, fields="properties(title)")["properties"]["title"]
        == "Theo dõi nhiệm vụ — Sở Nội vụ (SNV)"
    )
    guide = office.request("GET", f"{SHEETS_URL}/{sid}/values/{GUIDE_TAB}!A1").json()["values"]
    assert guide == [["HƯỚNG DẪN CẬP NHẬT BẢNG THEO DÕI NHIỆM VỤ — Sở Nội vụ"]]
    listed = office.request("GET", f"{SHEETS_URL}/{ids['register']}/values/'{UNITS_TAB}'!A1").json()["values"]
    assert listed == [["Sở Nội vụ"]]


def test_a_damaged_state_file_is_a_vietnamese_error_and_nothing_is_made(
    office: GoogleClient, emulator: Emulator, tmp_path: Path
) -> None:
    (tmp_path / STATE_NAME).write_text('{"ids": ["không phải', encoding="utf-8")
    with pytest.raises(ConfigError, match="tệp trạng thái khởi tạo .* bị hỏng"):
        init_google(province(2), config_dir=tmp_path, client=office)
    assert not emulator.state.files


def test_the_init_command_on_google_makes_a_province_the_sync_reads(
    emulator: Emulator, service_account: dict[str, Any], tmp_path: Path
) -> None:
    """``ubnd-sync init --backend gsheets`` end to end: its own scopes (sharing needs them), the
    Office staff's addresses on the register, and a config that ``validate`` reads as it is."""
    from click.testing import CliRunner

    from sync.cli import cli

    key = tmp_path / "khoa.json"
    key.write_text(json.dumps(service_account), encoding="utf-8")
    key.chmod(0o600)
    units_csv = tmp_path / "don-vi.csv"
    units_csv.write_text(
        "code,name,kind,aliases,emails\nSNV,Sở Nội vụ,so-nganh,,vanthu@snv.example.vn\n"
        "X-ANPHU,UBND xã An Phú,xa,,\n",
        encoding="utf-8",
    )
    argv = ["init", "--units", str(units_csv), "--dir", str(tmp_path / "tinh"), "--backend", "gsheets"]
    argv += [
        "--credentials",
        str(key),
        "--endpoint",
        emulator.url,
        "--office-email",
        "chuyenvien@vp.example.vn",
    ]
    first = CliRunner().invoke(cli, argv)
    assert first.exit_code == 0, first.output
    assert "Chưa có e-mail" in first.output or "X-ANPHU" in first.output
    config = load_config(tmp_path / "tinh" / "ubnd-sync.toml")
    assert config.sync.backend == "gsheets" and [u.code for u in config.units] == ["SNV", "X-ANPHU"]
    reader = GoogleClient(credentials(service_account, INIT_SCOPES), endpoint=emulator.url)
    try:
        register = config.register.source
        assert register is not None
        perms = reader.request("GET", f"https://www.googleapis.com/drive/v3/files/{register}/permissions")
        assert "chuyenvien@vp.example.vn" in {p.get("emailAddress") for p in perms.json()["permissions"]}
        sheet = config.units[0].source
        perms = reader.request("GET", f"https://www.googleapis.com/drive/v3/files/{sheet}/permissions")
        assert "vanthu@snv.example.vn" in {p.get("emailAddress") for p in perms.json()["permissions"]}
    finally:
        reader.close()
    validate = CliRunner().invoke(
        cli, ["validate", "-c", str(config.path), "--as-of", "05/11/2026", "--json"]
    )
    assert validate.exit_code == 0, validate.output
    # empty sheets, empty register: nothing to report yet (contract §3)
    assert [u["report_status"] for u in json.loads(validate.output)["units"]] == ["no_tasks", "no_tasks"]
    again = CliRunner().invoke(cli, argv)
    assert again.exit_code == 0 and "Đã có sẵn" in again.output and "Đã tạo mới" not in again.output
    bad = CliRunner().invoke(cli, [*argv[:-1], "khong-phai-email"])
    assert bad.exit_code == 2 and "không phải là một địa chỉ e-mail" in bad.output
