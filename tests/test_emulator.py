from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gspread
import pytest
import requests
from google.auth.transport.requests import AuthorizedSession

from google_emulator import Emulator
from google_emulator.client import connect_session, credentials
from google_emulator.client import gspread_client as make_client

ROOT = Path(__file__).resolve().parents[1]

OTHER = "other-bot@emulator-project.iam.gserviceaccount.com"


def test_values_raw_and_user_entered(gspread_client: gspread.Client) -> None:
    ws = gspread_client.create("T").sheet1
    ws.update([["=1+1", "'=1+1", "15/03/2024", "1.5"]], "A1", value_input_option="RAW")
    ws.update([["=1+1", "'=1+1", "2020-01-01", "1.5"]], "A2", value_input_option="USER_ENTERED")
    assert ws.get("A1:D2") == [["=1+1", "'=1+1", "15/03/2024", "1.5"], ["2", "=1+1", "2020-01-01", "1.5"]]
    assert ws.get("A2:D2", value_render_option="FORMULA") == [["=1+1", "=1+1", 43831, 1.5]]
    assert ws.get("A2:D2", value_render_option="UNFORMATTED_VALUE") == [[2, "=1+1", 43831, 1.5]]
    fmt = ws.get("C2", value_render_option="UNFORMATTED_VALUE", date_time_render_option="FORMATTED_STRING")
    assert fmt == [["2020-01-01"]]


def test_locale_dates(emulator: Emulator, gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("VN")
    sh.batch_update(
        {
            "requests": [
                {"updateSpreadsheetProperties": {"properties": {"locale": "vi_VN"}, "fields": "locale"}}
            ]
        }
    )
    sh.sheet1.update([["15/03/2024", "1,5"]], "A1", value_input_option="USER_ENTERED")
    assert sh.sheet1.get("A1:B1", value_render_option="UNFORMATTED_VALUE") == [[45366, 1.5]]
    assert sh.sheet1.get("A1:B1") == [["15/03/2024", "1,5"]]
    us = gspread_client.create("US").sheet1
    us.update([["15/03/2024", "03/15/2024"]], "A1", value_input_option="USER_ENTERED")
    assert us.get("A1:B1", value_render_option="UNFORMATTED_VALUE") == [["15/03/2024", 45366]]


def test_unicode_sheet_trim_append_clear(gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("U")
    ws = sh.add_worksheet("Nhiệm vụ", rows=200, cols=17)
    ws.update([["a", "", ""], ["", "", ""], ["b", "c", ""]], "A1")
    res = sh.values_get("'Nhiệm vụ'!A1:Q200")
    assert res["range"] == "'Nhiệm vụ'!A1:Q200"
    assert res["values"] == [["a"], [], ["b", "c"]]
    out = ws.append_row(["d", "e"])
    assert out["updates"]["updatedRange"] == "'Nhiệm vụ'!A4:B4"
    sh.values_clear("'Nhiệm vụ'!A1:B2")
    assert ws.get_all_values()[:2] == [["", ""], ["b", "c"]] or ws.get("A1:B4") == [
        [],
        [],
        ["b", "c"],
        ["d", "e"],
    ]


def test_batch_update_atomic(gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("A")
    with pytest.raises(gspread.exceptions.APIError) as exc:
        sh.batch_update(
            {
                "requests": [
                    {"addSheet": {"properties": {"title": "New"}}},
                    {"deleteSheet": {"sheetId": 424242}},
                ]
            }
        )
    assert exc.value.response.status_code == 400
    assert [w.title for w in sh.worksheets()] == ["Sheet1"]
    with pytest.raises(gspread.exceptions.APIError) as exc2:
        sh.batch_update({"requests": [{"frobnicate": {}}]})
    assert exc2.value.response.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_drive_version_and_modified_change(emulator: Emulator, gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("V")
    before = emulator.file_info(sh.id)
    sh.sheet1.update([["x"]], "A1")
    after = emulator.file_info(sh.id)
    assert int(after["version"]) > int(before["version"])
    assert after["modifiedTime"] > before["modifiedTime"]


def test_permissions_isolation(emulator: Emulator, gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("P")
    other = gspread_client_for(emulator, OTHER)
    try:
        with pytest.raises(PermissionError) as exc:
            other.open_by_key(sh.id)
        cause = exc.value.__cause__
        assert isinstance(cause, gspread.exceptions.APIError)
        assert cause.response.status_code == 403
        assert [f["id"] for f in other.list_spreadsheet_files()] == []
        r = other.http_client.session.get(f"https://www.googleapis.com/drive/v3/files/{sh.id}")
        assert r.status_code == 404
        r.close()
        sh.share(OTHER, perm_type="user", role="reader", notify=False)
        assert other.open_by_key(sh.id).sheet1.get_all_values() in ([], [[]])
        with pytest.raises(gspread.exceptions.APIError) as exc3:
            other.open_by_key(sh.id).sheet1.update([["no"]], "A1")
        assert exc3.value.response.status_code == 403
        emulator.delete_file(sh.id)
        with pytest.raises(gspread.exceptions.SpreadsheetNotFound):
            other.open_by_key(sh.id)
    finally:
        other.http_client.session.close()


def gspread_client_for(emulator: Emulator, email: str) -> gspread.Client:
    return make_client(emulator.create_service_account(email), emulator.url)


def test_forged_and_expired_tokens(emulator: Emulator, service_account: dict[str, Any]) -> None:
    forged = dict(service_account)
    forged["private_key"] = emulator.create_service_account("x@y.iam.gserviceaccount.com")["private_key"]
    creds = credentials(forged)
    with requests.Session() as s:
        from google.auth.exceptions import RefreshError
        from google.auth.transport.requests import Request

        with pytest.raises(RefreshError):
            creds.refresh(Request(s))
        r = s.get(emulator.url + "/v4/spreadsheets/abc")
        assert r.status_code == 401
        assert r.json()["error"]["status"] == "UNAUTHENTICATED"
        r.close()
    emulator.tokens.lifetime = 1
    good = credentials(service_account)
    with requests.Session() as s:
        from google.auth.transport.requests import Request

        good.refresh(Request(s))
        sid = emulator.create_spreadsheet(service_account["client_email"])
        url = f"{emulator.url}/v4/spreadsheets/{sid}"
        ok = s.get(url, headers={"Authorization": f"Bearer {good.token}"})
        assert ok.status_code == 200
        ok.close()
        time.sleep(1.1)
        r = s.get(url, headers={"Authorization": f"Bearer {good.token}"})
        assert r.status_code == 401
        r.close()


def test_scopes(emulator: Emulator, service_account: dict[str, Any]) -> None:
    ro = make_client(
        service_account, emulator.url, scopes=["https://www.googleapis.com/auth/spreadsheets.readonly"]
    )
    try:
        sid = emulator.create_spreadsheet(service_account["client_email"])
        ro.open_by_key(sid)
        with pytest.raises(gspread.exceptions.APIError) as exc:
            ro.open_by_key(sid).sheet1.update([["x"]], "A1")
        assert exc.value.response.status_code == 403
        assert "insufficient authentication scopes" in exc.value.response.json()["error"]["message"]
    finally:
        ro.http_client.session.close()


def test_quota_429(emulator: Emulator, gspread_client: gspread.Client) -> None:
    ws = gspread_client.create("Q").sheet1
    emulator.quota.configure(read=2, write=100, window_seconds=0.5)
    ws.get("A1")
    ws.get("A1")
    with pytest.raises(gspread.exceptions.APIError) as exc:
        ws.get("A1")
    body = exc.value.response.json()
    assert exc.value.response.status_code == 429
    assert body["error"]["status"] == "RESOURCE_EXHAUSTED"
    time.sleep(0.6)
    ws.get("A1")


def test_faults(emulator: Emulator, gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("F")
    ses: AuthorizedSession = gspread_client.http_client.session  # type: ignore[assignment]
    url = f"https://sheets.googleapis.com/v4/spreadsheets/{sh.id}/values/A1"
    emulator.faults.add("429", count=2, path_pattern="/values/", retry_after=3)
    r1 = ses.get(url)
    assert r1.status_code == 429 and r1.headers["Retry-After"] == "3"
    assert ses.get(url).status_code == 429
    assert ses.get(url).status_code == 200
    for kind, code in (("500", 500), ("503", 503)):
        emulator.faults.add(kind)
        assert ses.get(url).status_code == code
    emulator.faults.add("drop")
    with pytest.raises(requests.ConnectionError):
        ses.get(url)
    emulator.faults.add("slow", delay=1.0)
    with pytest.raises(requests.Timeout):
        ses.get(url, timeout=0.2)
    emulator.faults.add("500", count=None, probability=0.5, seed=7)
    codes1 = [ses.get(url).status_code for _ in range(8)]
    emulator.faults.clear()
    emulator.faults.add("500", count=None, probability=0.5, seed=7)
    codes2 = [ses.get(url).status_code for _ in range(8)]
    assert codes1 == codes2 and 500 in codes1 and 200 in codes1
    emulator.faults.clear()
    emulator.faults.add("delete", file_id=sh.id, after=1)
    assert ses.get(url).status_code == 200
    assert ses.get(url).status_code == 404


def test_http_control_and_stats(emulator: Emulator, gspread_client: gspread.Client) -> None:
    sh = gspread_client.create("S")
    sh.sheet1.get("A1")
    with requests.Session() as s:
        stats = s.get(emulator.url + "/_emulator/stats").json()
        assert stats["by_endpoint"]["GET sheets.values.get"] == 1
        assert stats["by_endpoint"]["POST drive.files.create"] == 1
        r = s.post(emulator.url + "/_emulator/faults", data=json.dumps({"kind": "503", "count": 1}))
        assert r.status_code == 200
        s.post(emulator.url + "/_emulator/stats/reset")
        assert s.get(emulator.url + "/_emulator/stats").json()["total"] == 0
    with pytest.raises(gspread.exceptions.APIError):
        sh.sheet1.get("A1")


def test_drive_folders_and_list(
    emulator: Emulator, gspread_client: gspread.Client, service_account: dict[str, Any]
) -> None:
    me = service_account["client_email"]
    folder = emulator.create_folder(me, "Đơn vị A")
    emulator.create_spreadsheet(me, "Bảng 1", parents=[folder])
    emulator.create_spreadsheet(me, "Other")
    files = gspread_client.list_spreadsheet_files(folder_id=folder)
    assert [f["name"] for f in files] == ["Bảng 1"]


def test_connect_session_rewrites(emulator: Emulator) -> None:
    with requests.Session() as s:
        connect_session(s, emulator.url)
        r = s.get("https://sheets.googleapis.com/v4/spreadsheets/x")
        assert r.status_code == 401
        r.close()


# ----------------------------------------------------------------- a tool for tests and the demo, not the product


def test_the_product_does_not_import_the_emulator() -> None:
    code = (
        "import sys, sync.cli, sync.engine, sync.backends.gsheets.read, sync.demo, sync.demo.host; "
        "print(sorted(m for m in sys.modules if m.startswith('google_emulator')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


EMULATOR = "google_emulator"
_MODULE_NAMED = re.compile(r"google_emulator(\.\w+)*(:\w+)?")  # a module, or an entry point's target


def emulator_references(source: str) -> list[int]:
    """The lines where Python ``source`` imports the emulator's package, at the top or inside a
    function, or names it as a module in a string (``importlib.import_module("google_emulator.x")``,
    ``__import__``, an entry point written out); its name inside a sentence is not one."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [EMULATOR] if _MODULE_NAMED.fullmatch(node.value.strip()) else []
        else:
            continue
        if any(n == EMULATOR or n.startswith(EMULATOR + ".") for n in names):
            lines.append(node.lineno)
    return lines


@pytest.mark.parametrize(
    ("source", "lines"),
    [
        ("import google_emulator", [1]),
        ("import os, google_emulator.server as s", [1]),
        ("from google_emulator.demo import host", [1]),
        ("from google_emulator import demo", [1]),
        ("def f():\n    from google_emulator import Emulator\n    return Emulator", [2]),
        ("import importlib\nhost = importlib.import_module('google_emulator.demo').host", [2]),
        ("m = __import__('google_emulator')", [1]),
        ("TARGET = 'google_emulator.demo:host'", [1]),
        ('"""The emulator (google_emulator) is a plugin: sync never imports it."""', []),
        ("import google\nfrom sync.google import client\nimport google_emulators", []),
        ("from . import emulator\nx = 'google'", []),
    ],
)
def test_what_counts_as_naming_the_emulator(source: str, lines: list[int]) -> None:
    assert emulator_references(source) == lines


def test_nothing_in_sync_names_the_emulator() -> None:
    """sync/ is the product; the emulator (google_emulator/) is above it and reached only through
    the demo hosts' entry point (sync.demo.host)."""
    modules = sorted((ROOT / "sync").rglob("*.py"))
    assert len(modules) > 50
    found = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := emulator_references(path.read_text(encoding="utf-8")))
    }
    assert found == {}
