"""The emulator's Google quotas: per account and per project, Sheets and Drive, switchable at run time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import requests

from google_emulator import Emulator
from google_emulator.quota import Quota

ACCOUNT = "bench@quota-project.iam.gserviceaccount.com"


def _session(emu: Emulator, email: str = ACCOUNT) -> requests.Session:
    if email not in emu.state.accounts:
        emu.create_service_account(email, project_id="quota-project")
    s = requests.Session()
    s.headers["Authorization"] = "Bearer " + emu.issue_token(email)
    return s


def _reads(emu: Emulator, s: requests.Session, sid: str, n: int) -> list[requests.Response]:
    return [s.get(f"{emu.url}/v4/spreadsheets/{sid}", params={"fields": "spreadsheetId"}) for _ in range(n)]


def test_switch_endpoint_and_sheets_429_body(emu: Emulator) -> None:
    s = _session(emu)
    sid = emu.create_spreadsheet(ACCOUNT, "Đơn vị")
    off = requests.post(emu.url + "/_emulator/quotas", json={"enabled": False}, timeout=5).json()
    assert off["enabled"] is False
    assert [r.status_code for r in _reads(emu, s, sid, 70)] == [200] * 70

    on = requests.post(emu.url + "/_emulator/quotas", json={"enabled": True}, timeout=5).json()
    assert on["enabled"] is True and on["preset"] == "google"
    assert on["limits"]["sheets.read"] == {"user": 60, "project": 300}
    assert on["limits"]["drive.query"] == {"user": 12000, "project": 12000}
    got = _reads(emu, s, sid, 61)
    assert [r.status_code for r in got[:60]] == [200] * 60
    assert got[60].status_code == 429
    err = got[60].json()["error"]
    assert err["status"] == "RESOURCE_EXHAUSTED"
    assert err["message"] == (
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' "
        "of service 'sheets.googleapis.com' for consumer 'project_number:quota-project'."
    )
    meta = err["details"][0]["metadata"]
    assert meta["quota_limit"] == "ReadRequestsPerMinutePerUser" and meta["quota_limit_value"] == "60"
    assert meta["quota_unit"] == "1/min/{project}/{user}"
    # Drive has its own quota: listing still works while Sheets reads are refused
    assert s.get(emu.url + "/drive/v3/files").status_code == 200
    assert requests.get(emu.url + "/_emulator/quotas", timeout=5).json()["enabled"] is True
    bad = requests.post(emu.url + "/_emulator/quotas", json={"enabled": "yes"}, timeout=5)
    assert bad.status_code == 400
    s.close()


def test_per_account_buckets_and_old_endpoint(emu: Emulator) -> None:
    a, b = _session(emu), _session(emu, "other@quota-project.iam.gserviceaccount.com")
    sid = emu.create_spreadsheet(ACCOUNT, "Đơn vị")
    emu.share(sid, "other@quota-project.iam.gserviceaccount.com")
    # the older numeric endpoint keeps working
    assert requests.post(emu.url + "/_emulator/quota", json={"read": 3, "enabled": True}, timeout=5).ok
    assert [r.status_code for r in _reads(emu, a, sid, 4)] == [200, 200, 200, 429]
    assert [r.status_code for r in _reads(emu, b, sid, 3)] == [200, 200, 200]  # its own bucket
    a.close()
    b.close()


def test_drive_quota_answers_403_user_rate_limit(emu: Emulator) -> None:
    s = _session(emu)
    emu.quota.configure(preset="google", drive=2)
    codes = [s.get(emu.url + "/drive/v3/files").status_code for _ in range(3)]
    assert codes == [200, 200, 403]
    err = s.get(emu.url + "/drive/v3/files").json()["error"]
    assert err["errors"][0]["reason"] == "userRateLimitExceeded"
    assert err["errors"][0]["domain"] == "usageLimits"
    assert err["message"].startswith("User Rate Limit Exceeded.")
    s.close()


def test_project_bucket_and_window_refill() -> None:
    now = [0.0]
    q = Quota(clock=lambda: now[0])
    q.configure(preset="google")
    for i in range(300):  # five accounts of one project, 60 each: the project's 300
        assert q.take(f"u{i // 60}", "p", "sheets", "read") is None
    refused = q.take("u9", "p", "sheets", "read")
    assert refused is not None and (refused.scope, refused.limit) == ("project", 300)
    assert q.take("u9", "other-project", "sheets", "read") is None
    now[0] = 60.0  # refilled every minute
    assert q.take("u9", "p", "sheets", "read") is None


def test_emulator_script_starts_with_google_quotas(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "google_emulator", "--port", "0", "--key-out", str(key), "--quotas", "google"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        got = requests.get(url + "/_emulator/quotas", timeout=5).json()
        assert got["enabled"] is True and got["preset"] == "google"
        assert json.loads(key.read_text(encoding="utf-8"))["type"] == "service_account"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()
