"""The HTTP policy: retries, Retry-After, timeouts, limiter, auth failures, no credentials in output."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pytest

from google_emulator import Emulator
from sync.backends.gsheets.client import (
    INIT_SCOPES,
    SCOPES,
    GoogleClient,
    RateLimiter,
    credentials_path,
    endpoint_name,
    load_credentials,
    retry_after_seconds,
)
from sync.config import load_config
from sync.exceptions import AuthError, ConfigError, GoogleApiError, GoogleNetworkError

EMAIL = "sync@test.iam.gserviceaccount.com"


@pytest.fixture
def key(emu: Emulator, tmp_path: Path) -> dict[str, Any]:
    k = emu.create_service_account(EMAIL)
    (tmp_path / "key.json").write_text(json.dumps(k), encoding="utf-8")
    return k


@pytest.fixture
def sheet(emu: Emulator, key: dict[str, Any]) -> str:
    sid = emu.create_spreadsheet("owner@x.vn", sheets=["Nhiệm vụ"])
    emu.set_values(sid, "'Nhiệm vụ'!A1", [["a", 1]], "RAW")
    emu.share(sid, EMAIL, "reader")
    return sid


class Sleeps(list[float]):
    def __call__(self, s: float) -> None:
        self.append(s)


def client(emu: Emulator, tmp_path: Path, **kw: Any) -> GoogleClient:
    return GoogleClient(load_credentials(tmp_path / "key.json"), endpoint=emu.url, **kw)


def get(c: GoogleClient, sid: str) -> Any:
    return c.http.values_batch_get(sid, ["'Nhiệm vụ'"], params={"valueRenderOption": "UNFORMATTED_VALUE"})


def test_429_retry_after_honoured(emu: Emulator, tmp_path: Path, sheet: str) -> None:
    emu.faults.add("429", count=2, retry_after=7, path_pattern="batchGet")
    sleeps = Sleeps()
    with client(emu, tmp_path, sleep=sleeps) as c:
        assert get(c, sheet)["valueRanges"][0]["values"] == [["a", 1]]
        assert len(sleeps) == 2 and all(7 <= s <= 8 for s in sleeps)
        assert c.stats.by_endpoint["GET sheets.values.batchGet"] == 3
        assert c.stats.retries["GET sheets.values.batchGet"] == 2


def test_503_retried_400_not(emu: Emulator, tmp_path: Path, sheet: str) -> None:
    emu.faults.add("503", count=1, path_pattern="batchGet")
    sleeps = Sleeps()
    with client(emu, tmp_path, sleep=sleeps) as c:
        get(c, sheet)
        assert len(sleeps) == 1
        with pytest.raises(GoogleApiError) as e:
            c.http.values_batch_get(sheet, ["'Không có'"])
        assert e.value.status == 400 and e.value.attempts == 1 and len(sleeps) == 1


def test_at_most_six_tries_with_growing_backoff(emu: Emulator, tmp_path: Path, sheet: str) -> None:
    emu.faults.add("500", count=None, path_pattern="batchGet")
    sleeps = Sleeps()
    with client(emu, tmp_path, sleep=sleeps) as c:
        with pytest.raises(GoogleApiError) as e:
            get(c, sheet)
        assert e.value.attempts == 6 and len(sleeps) == 5
        assert emu.stats_json()["by_endpoint"]["GET sheets.values.batchGet"] == 6
        assert sleeps[-1] > sleeps[0]


def test_timeouts_and_dropped_connections_retried(emu: Emulator, tmp_path: Path, sheet: str) -> None:
    emu.faults.add("slow", count=1, delay=1.0, path_pattern="batchGet")
    emu.faults.add("drop", count=1, after=1, path_pattern="batchGet")
    sleeps = Sleeps()
    with client(emu, tmp_path, sleep=sleeps, timeout=(2.0, 0.3)) as c:
        assert get(c, sheet)["valueRanges"][0]["values"] == [["a", 1]]
        assert len(sleeps) == 2
    emu.faults.add("drop", count=None, path_pattern="batchGet")
    with client(emu, tmp_path, sleep=Sleeps()) as c, pytest.raises(GoogleNetworkError) as e:
        get(c, sheet)
    assert e.value.attempts == 6


def test_limiter_keeps_under_rate() -> None:
    now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)
        now[0] += s

    lim = RateLimiter(3, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        lim.acquire()
    assert sleeps == []
    lim.acquire()
    assert sleeps and abs(sum(sleeps) - 60) < 0.01


def test_forged_key_is_auth_error_without_key_content(emu: Emulator, tmp_path: Path, sheet: str) -> None:
    forged = dict(emu.create_service_account("other@test.iam.gserviceaccount.com"))
    forged["client_email"] = "nobody@test.iam.gserviceaccount.com"
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged), encoding="utf-8")
    with (
        GoogleClient(load_credentials(path), endpoint=emu.url, sleep=Sleeps()) as c,
        pytest.raises(AuthError) as e,
    ):
        get(c, sheet)
    msg = str(e.value)
    assert "invalid_grant" in msg and "PRIVATE KEY" not in msg and forged["private_key_id"] not in msg


def test_unknown_token_is_auth_error(emu: Emulator, tmp_path: Path, sheet: str) -> None:
    with client(emu, tmp_path, sleep=Sleeps()) as c:
        get(c, sheet)
        emu.tokens.tokens.clear()
        emu.state.accounts.pop(EMAIL)  # key revoked: refresh is refused too
        with pytest.raises(AuthError):
            get(c, sheet)


def test_credentials_config_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    cfg_path = tmp_path / "c.toml"
    cfg_path.write_text(
        '[sync]\nbackend = "gsheets"\nsummary = "x"\n\n[[units]]\ncode = "A"\nname = "A"\nsource = "id"\n',
        encoding="utf-8",
    )
    cfg = load_config(cfg_path)
    with pytest.raises(ConfigError):
        credentials_path(cfg)
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "k.json"))
    assert credentials_path(cfg) == tmp_path / "k.json"
    with pytest.raises(ConfigError, match="không tìm thấy"):
        load_credentials(tmp_path / "k.json")
    secret = (
        '{"type": "service_account", "client_email": "a@b", "token_uri": "x", "private_key": "SECRET-KEY"}'
    )
    (tmp_path / "k.json").write_text(secret, encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_credentials(tmp_path / "k.json")
    assert "SECRET" not in str(e.value)
    (tmp_path / "k.json").write_text("{not json SECRET", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_credentials(tmp_path / "k.json")
    assert "SECRET" not in str(e.value)


def test_credentials_never_logged(
    emu: Emulator, tmp_path: Path, key: dict[str, Any], sheet: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emu.faults.add("429", count=1, path_pattern="batchGet")
    with client(emu, tmp_path, sleep=Sleeps()) as c:
        get(c, sheet)
        token = c.credentials.token
        assert token and repr(c).count(token) == 0
    pem_line = key["private_key"].splitlines()[1]
    for text in (caplog.text, str([r.args for r in caplog.records])):
        assert token not in text and pem_line not in text and key["private_key_id"] not in text


def test_scopes_and_names() -> None:
    assert SCOPES == (
        "https://www.googleapis.com/auth/spreadsheets",
        "https://www.googleapis.com/auth/drive.readonly",
    )
    assert endpoint_name("get", "https://sheets.googleapis.com/v4/spreadsheets/x/values:batchGet") == (
        "GET sheets.values.batchGet"
    )
    assert endpoint_name("post", "https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate") == (
        "POST sheets.spreadsheets.batchUpdate"
    )
    assert endpoint_name("GET", "https://www.googleapis.com/drive/v3/files") == "GET drive.files.list"
    assert retry_after_seconds("12") == 12 and retry_after_seconds(None) is None


def test_a_create_whose_answer_is_lost_is_not_sent_again(
    emu: Emulator, tmp_path: Path, key: dict[str, Any]
) -> None:
    """``idempotent=False``: the create happened, its answer was lost; resending would make a second one."""
    url = "https://sheets.googleapis.com/v4/spreadsheets"
    emu.faults.add("drop-after", count=1, method="POST", path_pattern=r"^/v4/spreadsheets$")
    with client(emu, tmp_path, sleep=Sleeps()) as c:
        with pytest.raises(GoogleNetworkError) as e:
            c.request("POST", url, json={"properties": {"title": "Một"}}, idempotent=False)
        assert (e.value.attempts, e.value.maybe_delivered) == (1, True)
        assert [f.name for f in emu.state.files.values()] == ["Một"]
        emu.faults.add("drop-after", count=1, method="POST", path_pattern=r"^/v4/spreadsheets$")
        c.request("POST", url, json={"properties": {"title": "Hai"}})  # the default retries: a duplicate
    assert sorted(f.name for f in emu.state.files.values()) == ["Hai", "Hai", "Một"]


def test_init_scopes_can_share_the_sync_scopes_cannot(
    emu: Emulator, tmp_path: Path, key: dict[str, Any]
) -> None:
    text = (
        '[sync]\nbackend = "gsheets"\nsummary = "1Ab"\n\n[gsheets]\ncredentials = "key.json"\n'
        f'endpoint = "{emu.url}"\n\n[[units]]\ncode = "A"\nname = "Sở A"\nsource = "1X"\n'
    )
    (tmp_path / "ubnd-sync.toml").write_text(text, encoding="utf-8")
    cfg = load_config(tmp_path / "ubnd-sync.toml")
    share = {"type": "user", "role": "writer", "emailAddress": "a@x.vn"}
    with GoogleClient.from_config(cfg, scopes=INIT_SCOPES, sleep=Sleeps()) as c:
        sid = c.request("POST", "https://sheets.googleapis.com/v4/spreadsheets", json={}).json()[
            "spreadsheetId"
        ]
        c.request("POST", f"https://www.googleapis.com/drive/v3/files/{sid}/permissions", json=share)
    with (
        GoogleClient.from_config(cfg, sleep=Sleeps()) as c,
        pytest.raises(AuthError, match="init: spreadsheets và drive.file"),
    ):
        c.request("POST", f"https://www.googleapis.com/drive/v3/files/{sid}/permissions", json=share)
