"""The demo's hosts (sync.demo.host): found through their entry point, the Google one serving a
province from a real emulator on 127.0.0.1, and a Vietnamese way out when none is installed."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path

import pytest
import requests

import google_emulator.demo
from sync.config import Config, load_config
from sync.demo.host import GROUP, INSTALL, find_host
from sync.engine import run_sync
from sync.exceptions import UsageError
from tests.helpers import AS_OF, task_row

ROOT = Path(__file__).resolve().parents[1]


def test_the_gsheets_host_is_the_emulator_declared_as_an_entry_point() -> None:
    (entry,) = entry_points(group=GROUP, name="gsheets")
    assert entry.value == "google_emulator.demo:host"
    assert find_host("gsheets") is google_emulator.demo.host


def test_the_emulator_serves_the_province_while_open_then_stops(
    province: Callable[..., Config], tmp_path: Path
) -> None:
    province({"SNV": [task_row()], "STC": [task_row(task_id="NV-002")], "STP": None})  # STP: no workbook
    with find_host("gsheets")(tmp_path, tmp_path / "ubnd-sync.toml") as hosted:
        assert hosted.config_path == tmp_path / "ubnd-sync.gsheets.toml"
        assert hosted.requests() == 0  # the loading is not counted
        config = load_config(hosted.config_path)
        assert config.sync.backend == "gsheets" and config.gsheets.endpoint == hosted.url
        result = run_sync(config, AS_OF)
        assert {u.code: u.report_status for u in result.units} == {
            "SNV": "on_time",
            "STC": "on_time",
            "STP": "unreadable",
        }
        served = hosted.requests()
        assert served > 0
        assert requests.get(f"{hosted.url}/_emulator/stats", timeout=5).json()["total"] == served
    with pytest.raises(requests.ConnectionError):  # stopped on leaving
        requests.get(f"{hosted.url}/_emulator/stats", timeout=5)


def test_a_backend_without_a_host_says_how_to_install_one() -> None:
    with pytest.raises(UsageError) as caught:
        find_host("khong-co-may-chu")  # no distribution declares it
    assert caught.value.exit_code == 2
    assert str(caught.value) == (
        "Tỉnh mẫu với --backend khong-co-may-chu cần trình giả lập Google Sheets chạy tại chỗ "
        f"(bản cài đặt này không có trình giả lập). Cài thêm bằng: {INSTALL}"
    )


WITHOUT = """
import sys


class Without:  # as if the package were not installed, though its entry point is declared
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == sys.argv[1]:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, Without())
from sync.demo.host import find_host
from sync.exceptions import UsageError

try:
    find_host("gsheets")
except UsageError as e:
    print(e)
"""


@pytest.mark.parametrize("missing", ["google_emulator", "cryptography"])
def test_a_host_that_cannot_be_imported_says_what_is_missing_and_how_to_install_it(missing: str) -> None:
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT, missing], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert run.stdout.strip() == (
        "Tỉnh mẫu với --backend gsheets cần trình giả lập Google Sheets chạy tại chỗ "
        f"(thiếu gói {missing}). Cài thêm bằng: {INSTALL}"
    )
