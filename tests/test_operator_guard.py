"""Issue 9, scenarios 2 and 3: a run that cannot read its units, or cannot reach Google, writes nothing.

Real CLI (a child process, or click's CliRunner), real .xlsx files, a real history file; the
Google runs through gspread + google-auth over HTTP to the emulator, then with the emulator
stopped, the endpoint at a closed port on 127.0.0.1, and at a host name that cannot resolve.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from google.oauth2 import service_account

from google_emulator import Emulator
from google_emulator.demo import KEY_NAME, load_demo_into_emulator
from sync.backends.gsheets import GSheetsBackend
from sync.backends.gsheets.client import SCOPES, GoogleClient, credentials_path, load_credentials
from sync.backends.gsheets.read import spreadsheet_id
from sync.backends.gsheets.summary import memo_path, write_summary_gsheets
from sync.cli import cli
from sync.config import Config, load_config
from sync.exceptions import ConfigError, GoogleUnreachable, OutputError, TooManyUnreadable
from sync.history import History
from sync.pipeline import sync_and_record
from sync.summary import build_tables
from tests.helpers import AS_OF, task_row, tree_hash, write_config, write_workbook

CODES = ("SNV", "STC", "STP", "RG")
LATER = "2024-03-12"  # a week after AS_OF: a regular (not back-dated) run


def _units(directory: Path, codes: tuple[str, ...] = CODES) -> Path:
    """Unit workbooks in ``directory/units`` and a config naming them; returns the config path."""
    for i, code in enumerate(codes):
        write_workbook(directory / "units" / f"{code}.xlsx", [task_row(task_id=f"{code}-{i}")])
    return write_config(directory, [(c, f"Đơn vị {c}", f"units/{c}.xlsx") for c in codes])


def _run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _runs(config: Path) -> int:
    with History(load_config(config).history_path) as h:
        return len(h.runs())


# ------------------------------------------------------------ part 2: the units' folder not reachable


@pytest.fixture
def synced(tmp_path: Path) -> Path:
    """A province synced once (summary written, one run recorded); its config path."""
    config = _units(tmp_path)
    assert _run("sync", "-c", str(config), "--as-of", AS_OF.isoformat(), "-q").exit_code == 0
    return config


def test_folder_missing_writes_nothing_and_says_why(synced: Path, tmp_path: Path) -> None:
    (tmp_path / "units").rename(tmp_path / "units-elsewhere")  # the shared drive not mounted
    before = tree_hash(tmp_path)
    r = _run("sync", "-c", str(synced), "--as-of", LATER, "-q")
    assert r.exit_code == 1
    message = r.stderr.strip()
    assert message.startswith("Lỗi: không đọc được bảng tính của cả 4 đơn vị: thư mục ")
    assert f"{tmp_path / 'units'} không truy cập được (ổ mạng chưa kết nối?" in message
    assert "Không ghi bảng tổng hợp, không ghi lịch sử." in message
    assert "ubnd-sync sync --allow-unreadable" in message
    assert len(message.splitlines()) == 1 and r.stdout == ""
    assert tree_hash(tmp_path) == before  # the summary and the history byte for byte


def test_dry_run_and_validate_show_the_result_with_the_same_warning(synced: Path, tmp_path: Path) -> None:
    (tmp_path / "units").rename(tmp_path / "units-elsewhere")
    before = tree_hash(tmp_path)
    dry = _run("sync", "-c", str(synced), "--as-of", LATER, "-q", "--dry-run")
    validate = _run("validate", "-c", str(synced), "--as-of", LATER, "-q")
    assert dry.exit_code == validate.exit_code == 3
    warning = dry.stderr.splitlines()[0]
    assert warning.startswith("Cảnh báo: không đọc được bảng tính của cả 4 đơn vị: thư mục ")
    assert "Khi như vậy, lệnh sync dừng và không ghi gì." in warning
    assert validate.stderr.splitlines()[0] == warning
    assert "SNV" in dry.stdout and "Chạy thử (--dry-run)" in dry.stdout  # the result is still shown
    assert "Không đọc được bảng tính của đơn vị" in validate.stdout
    assert tree_hash(tmp_path) == before


def test_allow_unreadable_writes_anyway(synced: Path, tmp_path: Path) -> None:
    (tmp_path / "units").rename(tmp_path / "units-elsewhere")
    summary = tmp_path / "out" / "tong-hop.xlsx"
    old = summary.read_bytes()
    r = _run("sync", "-c", str(synced), "--as-of", LATER, "-q", "--allow-unreadable")
    assert r.exit_code == 3
    assert "vẫn ghi theo yêu cầu (--allow-unreadable)" in r.stderr
    assert summary.read_bytes() != old and _runs(synced) == 2


@pytest.mark.parametrize(
    ("missing", "share", "stops"),
    [(3, None, True), (2, None, False), (3, "0.8", False), (1, "0", True), (4, "1.0", True)],
)
def test_share_of_unreadable_units(tmp_path: Path, missing: int, share: str | None, stops: bool) -> None:
    """More than the share (default half) stops the run; exactly half does not; all always does."""
    config = _units(tmp_path)
    if share is not None:
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("[sync]\n", f"[sync]\nmax_unreadable_share = {share}\n"), "utf-8")
    for code in CODES[:missing]:
        (tmp_path / "units" / f"{code}.xlsx").unlink()
    r = _run("sync", "-c", str(config), "--as-of", AS_OF.isoformat(), "-q")
    assert r.exit_code == (1 if stops else 3), r.stderr
    assert (tmp_path / "out" / "tong-hop.xlsx").exists() is not stops
    if stops and missing < 4:
        assert f"không đọc được bảng tính của {missing}/4 đơn vị, quá " in r.stderr
        assert "không có tệp nào của các đơn vị này trong thư mục" in r.stderr


@pytest.mark.parametrize("value", ["1.5", "-0.1", '"nửa"', "true", "nan"])
def test_max_unreadable_share_checked(tmp_path: Path, value: str) -> None:
    config = _units(tmp_path, ("SNV",))
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[sync]\n", f"[sync]\nmax_unreadable_share = {value}\n"), "utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(config)
    assert str(e.value).startswith(
        f"{config}, dòng 2: “max_unreadable_share” phải là một số từ 0 đến 1, ví dụ 0.5 (một nửa số đơn vị)"
    )
    r = _run("sync", "-c", str(config), "-q")
    assert r.exit_code == 2 and "max_unreadable_share" in r.stderr


def test_library_raises_before_anything_is_written(tmp_path: Path) -> None:
    config = _units(tmp_path, ("SNV", "STC"))
    (tmp_path / "units" / "SNV.xlsx").unlink()
    (tmp_path / "units" / "STC.xlsx").write_bytes(b"not a workbook")
    with pytest.raises(TooManyUnreadable) as e:
        sync_and_record(load_config(config), AS_OF)
    # no common cause: the first unit's own message, as an example
    assert (
        "của cả 2 đơn vị: ví dụ đơn vị SNV: Không đọc được bảng tính của đơn vị: không tìm thấy tệp"
        in str(e.value)
    )
    assert not (tmp_path / "out").exists() and not load_config(config).history_path.exists()


# ------------------------------------------------------------ part 3: Google not reachable


def _gsheets_province(directory: Path, emu: Emulator) -> Config:
    """A province loaded into ``emu`` and synced once through Google (summary, history, state)."""
    xlsx_config = _units(directory)
    path = load_demo_into_emulator(directory, xlsx_config, emu)
    # the Sheets values path: these tests count its requests (the export path reads in parallel)
    path.write_text(
        path.read_text(encoding="utf-8").replace("[gsheets]\n", '[gsheets]\nread = "values"\n'),
        encoding="utf-8",
    )
    config = load_config(path)
    sync_and_record(config, AS_OF)
    return config


def _point_at(config: Config, endpoint: str) -> None:
    """Send every Google call, the token request too, to ``endpoint``."""
    text = config.path.read_text(encoding="utf-8")
    assert config.gsheets.endpoint
    config.path.write_text(text.replace(config.gsheets.endpoint, endpoint), encoding="utf-8")
    key_path = config.base_dir / KEY_NAME
    key = json.loads(key_path.read_text(encoding="utf-8"))
    key["token_uri"] = "https://oauth2.googleapis.com/token"  # Google's, rewritten to the endpoint
    key_path.write_text(json.dumps(key), encoding="utf-8")


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 bound but not listening: connections are refused, nobody else takes it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        yield int(s.getsockname()[1])


MODES = ("stopped", "closed", "dns")


def test_google_unreachable_stops_within_30_seconds(tmp_path: Path, closed_port: int) -> None:
    """The three ways Google is not there, each a real ``ubnd-sync sync`` in a child process, at once."""
    with Emulator() as emu:
        configs = {m: _gsheets_province(tmp_path / m, emu) for m in MODES}
        stopped_at = urlsplit(emu.url).netloc
    sheets = {m: emu.spreadsheet_json(spreadsheet_id(c.sync.summary)) for m, c in configs.items()}
    _point_at(configs["closed"], f"http://127.0.0.1:{closed_port}")
    _point_at(configs["dns"], "http://ubnd-sync.invalid")
    before = {m: tree_hash(tmp_path / m) for m in MODES}
    started = time.monotonic()
    procs = {
        m: subprocess.Popen(
            [sys.executable, "-m", "sync", "sync", "-c", str(c.path), "--as-of", LATER, "-q"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for m, c in configs.items()
    }
    outcome = {}
    for m, p in procs.items():
        out, err = p.communicate(timeout=180)
        outcome[m] = (p.returncode, time.monotonic() - started, out, err)
    causes = {
        "stopped": f"(máy chủ từ chối kết nối: {stopped_at}, “endpoint” trong [gsheets])",
        "closed": f"(máy chủ từ chối kết nối: 127.0.0.1:{closed_port}, “endpoint” trong [gsheets])",
        "dns": "(không phân giải được tên máy chủ (lỗi DNS): ubnd-sync.invalid, “endpoint” trong [gsheets])",
    }
    for m, (code, seconds, out, err) in outcome.items():
        print(f"{m}: exit {code} after {seconds:.1f} s")  # the measurement, with -s
        assert code == 1, (m, err)
        assert seconds < 30, (m, seconds)
        assert out == ""
        assert err.startswith("Lỗi: không kết nối được tới Google khi xin mã truy cập " + causes[m]), (m, err)
        assert "Lần này không ghi gì: bảng tổng hợp và lịch sử vẫn như cũ." in err
        assert "không chắc" not in err and len(err.strip().splitlines()) == 1
        assert tree_hash(tmp_path / m) == before[m], m  # history, state and cache byte for byte
        assert emu.spreadsheet_json(spreadsheet_id(configs[m].sync.summary)) == sheets[m]


def _no_sleep(_seconds: float) -> None:
    """Retries without waiting, so a test of six tries per request takes no minutes."""


def _fresh_read(config: Config) -> None:
    """Forget what was read (state and cache): every unit is read from Google again."""
    config.state_path.unlink()
    config.state_path.with_name(config.path.stem + ".cache.sqlite").unlink()


def test_connection_lost_mid_run_stops_the_run(tmp_path: Path, emu: Emulator) -> None:
    """After Google has answered, one request's connection failures get its retries; when the next
    request cannot connect either, the circuit opens and the run stops instead of trying every unit."""
    config = _gsheets_province(tmp_path, emu)
    _fresh_read(config)
    before = tree_hash(tmp_path)
    summary = emu.spreadsheet_json(spreadsheet_id(config.sync.summary))
    emu.reset_stats()
    emu.faults.add("drop", count=None, path_pattern="values:batchGet")
    source = GSheetsBackend(config, sleep=_no_sleep)
    with pytest.raises(GoogleUnreachable) as e:
        sync_and_record(config, AS_OF, backend=source)
    assert str(e.value).startswith("mất kết nối tới Google trong lúc tổng hợp (kết nối bị ngắt giữa chừng: ")
    reads = emu.stats_json()["by_endpoint"]["GET sheets.values.batchGet"]
    assert 6 < reads <= 11  # the first unit its six tries, the second a short first contact, no more
    assert tree_hash(tmp_path) == before
    assert emu.spreadsheet_json(spreadsheet_id(config.sync.summary)) == summary


def test_one_units_connection_fault_costs_that_unit_only(tmp_path: Path, emu: Emulator) -> None:
    config = _gsheets_province(tmp_path, emu)
    _fresh_read(config)
    emu.faults.add("drop", count=6, path_pattern="values:batchGet")  # the first unit's six tries
    outcome = sync_and_record(config, AS_OF, backend=GSheetsBackend(config, sleep=_no_sleep))
    status = {u.code: u.report_status for u in outcome.result.units}
    assert status["SNV"] == "unreadable" and outcome.unreadable
    assert [s for c, s in status.items() if c != "SNV"] == ["on_time"] * 3
    assert outcome.recorded is not None  # 1 of 4 unreadable: written and recorded


def test_not_sure_only_when_the_write_was_sent(tmp_path: Path, emu: Emulator, closed_port: int) -> None:
    config = _gsheets_province(tmp_path, emu)
    tables = build_tables(sync_and_record(config, AS_OF, dry_run=True).result)
    sid = spreadsheet_id(config.sync.summary)

    def write(**client: Any) -> str:
        memo_path(config).unlink(missing_ok=True)  # no memo of the tabs: the write reads them first
        creds = load_credentials(credentials_path(config))
        with GoogleClient(creds, sleep=_no_sleep, **client) as c, pytest.raises(OutputError) as e:
            write_summary_gsheets(config, tables, client=c)
        return str(e.value)

    # nothing reached Google: the connection was refused
    refused = write(endpoint=f"http://127.0.0.1:{closed_port}")
    assert "không chắc" not in refused and "không kết nối được tới Google" in refused
    # only the read before the write failed (500 after every try): nothing was written
    emu.faults.add("500", count=None, method="GET", path_pattern=f"/v4/spreadsheets/{sid}(\\?|$)")
    read_failed = write(endpoint=emu.url)
    assert read_failed.startswith(f"không ghi được bảng tổng hợp {sid}: Google trả lời lỗi 500")
    emu.faults.clear()
    # the write itself went out and its answer was lost: now, and only now, not sure
    emu.faults.add("drop", count=None, path_pattern=":batchUpdate")
    lost = write(endpoint=emu.url)
    assert lost.startswith(f"không chắc bảng tổng hợp {sid} đã được ghi: mất kết nối tới Google")


def test_all_units_forbidden_names_the_service_account(tmp_path: Path, emu: Emulator) -> None:
    config = _gsheets_province(tmp_path, emu)
    _fresh_read(config)
    email = json.loads((tmp_path / KEY_NAME).read_text(encoding="utf-8"))["client_email"]
    for unit in config.units:
        emu.unshare(spreadsheet_id(unit.source), email)
    before = tree_hash(tmp_path)
    r = _run("sync", "-c", str(config.path), "--as-of", LATER, "-q")
    assert r.exit_code == 1
    assert r.stderr.startswith(
        "Lỗi: không đọc được bảng tính của cả 4 đơn vị: Google từ chối cho tài khoản dịch vụ đọc các bảng tính"
    )
    assert tree_hash(tmp_path) == before


def _google_token_key(emu: Emulator) -> Any:
    """Credentials whose token request goes to Google's token URL (rewritten to the endpoint)."""
    key = emu.create_service_account("sync-bot@emulator-project.iam.gserviceaccount.com")
    key["token_uri"] = "https://oauth2.googleapis.com/token"
    return service_account.Credentials.from_service_account_info(key, scopes=list(SCOPES))


def test_tls_failure_is_named(emu: Emulator) -> None:
    """An endpoint that does not speak TLS (as a proxy breaking TLS would): stopped, the cause named."""
    endpoint = emu.url.replace("http://", "https://")
    client = GoogleClient(_google_token_key(emu), endpoint=endpoint, sleep=_no_sleep)
    with client as c, pytest.raises(GoogleUnreachable) as e:
        c.request("get", "https://www.googleapis.com/drive/v3/files")
    assert str(e.value).startswith(
        "không kết nối được tới Google khi xin mã truy cập (lỗi bảo mật TLS khi kết nối"
    )
    assert e.value.maybe_delivered is False and e.value.attempts == 5


def test_token_service_failing_stops_the_run(emu: Emulator) -> None:
    """The token service answers 500 (google-auth retries it itself): every request needs a token."""
    emu.faults.add("500", count=None, path_pattern="/token")
    started = time.monotonic()
    client = GoogleClient(_google_token_key(emu), endpoint=emu.url, sleep=_no_sleep)
    with client as c, pytest.raises(GoogleUnreachable) as e:
        c.request("get", "https://www.googleapis.com/drive/v3/files")
    assert str(e.value).startswith("máy chủ cấp mã truy cập của Google tạm thời không trả lời")
    assert time.monotonic() - started < 30


def test_credentials_refused_write_nothing(tmp_path: Path, emu: Emulator) -> None:
    config = _gsheets_province(tmp_path, emu)
    emu.reset(keep_accounts=False)  # the key deleted in the Cloud Console
    before = tree_hash(tmp_path)
    r = _run("sync", "-c", str(config.path), "--as-of", LATER, "-q")
    assert r.exit_code == 1
    assert r.stderr.startswith("Lỗi: Google từ chối xác thực tài khoản dịch vụ")
    assert tree_hash(tmp_path) == before
