"""End to end on the demo province: the 118 real units of An Giang, seeded mistakes, exact figures.

The demo generator decides every task's category and every unit's status first
(its ``expected``); the sync must find exactly those from the workbooks alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from google_emulator import Emulator
from google_emulator.demo import load_demo_into_emulator
from sync.cli import cli
from sync.config import load_config
from sync.demo import DEMO_AS_OF, DemoProvince
from sync.engine import run_sync
from sync.model import RunResult
from tests.helpers import DemoMonths, tree_hash


@pytest.fixture(scope="module")
def demo(demo_months: DemoMonths, tmp_path_factory: pytest.TempPathFactory) -> DemoProvince:
    return demo_months.render(tmp_path_factory.mktemp("demo"), as_of=DEMO_AS_OF)  # seed 2024


@pytest.fixture(scope="module", params=["xlsx", "gsheets"])
def demo_result(request: pytest.FixtureRequest, demo: DemoProvince) -> Iterator[RunResult]:
    """The demo synced through each backend: .xlsx files, or the same cells in Google Sheets."""
    if request.param == "xlsx":
        yield run_sync(load_config(demo.config_path), demo.as_of)
        return
    with Emulator() as emulator:
        config = load_config(load_demo_into_emulator(demo.directory, demo.config_path, emulator))
        yield run_sync(config, demo.as_of)


def test_demo_figures_match_ground_truth(demo: DemoProvince, demo_result: RunResult) -> None:
    result = demo_result
    assert len(result.units) == 118
    for unit in result.units:
        want = demo.expected[unit.code]
        assert (unit.code, unit.report_status) == (unit.code, want.report_status)
        assert (unit.code, unit.counts) == (unit.code, want.counts)
        found = {f.code for f in result.findings if f.unit == unit.code}
        assert want.error_codes <= found, (unit.code, want.error_codes - found)
    assert result.totals["counts"] == demo.totals()


def test_demo_statuses_and_group_figures(demo: DemoProvince, demo_result: RunResult) -> None:
    """The seeded statuses, and each group's figures: the ground truth summed over its units."""
    result = demo_result
    statuses = {u.code: u.report_status for u in result.units if u.report_status != "on_time"}
    assert statuses == {
        "X-ANMINH": "incomplete",
        "X-GIANGTHANH": "late",
        "DK-KIENHAI": "missing",
        "SDTTG": "invalid",
        "DK-THOCHAU": "unreadable",
        "X-UMINHTHUONG": "unreadable",
    }
    kinds = {u.code: u.kind for u in demo.units}
    groups = {g["group"]: g for g in result.to_dict()["groups"]}
    assert list(groups) == ["so-nganh", "cap-xa"]
    for group, members in (("so-nganh", ("so-nganh",)), ("cap-xa", ("xa", "phuong", "dac-khu"))):
        codes = [c for c, k in kinds.items() if k in members]
        want = {key: sum(demo.expected[c].counts[key] for c in codes) for key in demo.totals()}
        assert groups[group]["unit_count"] == len(codes) == (16 if group == "so-nganh" else 102)
        assert groups[group]["counts"] == want
        rated = want["completed_on_time"] + want["completed_late"] + want["in_progress_overdue"]
        done = want["completed_on_time"] + want["completed_late"]
        assert groups[group]["completion_rate"] == round(done / rated, 4)
        assert groups[group]["on_time_rate"] == round(want["completed_on_time"] / rated, 4)
    assert result.totals["counts"] == demo.totals()
    dup = sorted(f.unit for f in result.findings if f.code == "duplicate-task-id")
    assert dup == ["SCT", "SXD"]


@pytest.mark.parametrize("as_of", [date(2026, 7, 5), date(2026, 9, 5), date(2026, 10, 5)])
def test_demo_other_months(demo_months: DemoMonths, tmp_path: Path, as_of: date) -> None:
    province = demo_months.render(tmp_path, as_of=as_of)  # seed 2024
    result = run_sync(load_config(province.config_path), as_of)
    for unit in result.units:
        want = province.expected[unit.code]
        assert (unit.code, unit.report_status, unit.counts) == (unit.code, want.report_status, want.counts)


def test_demo_command_end_to_end(tmp_path: Path) -> None:
    target = tmp_path / "tinh-mau"
    result = CliRunner().invoke(cli, ["demo", str(target), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["as_of"] == DEMO_AS_OF.isoformat() == "2026-11-05"
    assert doc["period"] == {"previous_cutoff": "2026-09-25", "cutoff": "2026-10-25"}
    assert (target / "out" / "tong-hop.xlsx").exists()
    # the sync changed nothing the units wrote
    units_before = tree_hash(target / "units")
    again = CliRunner().invoke(
        cli,
        ["sync", "-c", str(target / "ubnd-sync.toml"), "--as-of", "2026-11-05", "--json"],
        catch_exceptions=False,
    )
    assert again.exit_code == 3  # two units are unreadable on purpose
    assert tree_hash(target / "units") == units_before
    first, second = json.loads(result.stdout), json.loads(again.stdout)
    assert first == second  # a retried run gives the same result


def test_demo_human_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d")], catch_exceptions=False)
    assert result.exit_code == 0
    assert "Tình hình thực hiện nhiệm vụ đến ngày 05/11/2026" in result.stdout
    assert "Không đọc được: X-UMINHTHUONG, DK-THOCHAU" in result.stdout
    assert "Mở bảng tổng hợp:" in result.stdout


def _comparable(doc: dict) -> dict:
    """The JSON without what must differ by backend: where an unreadable source lives."""
    for f in doc["findings"]:
        if f["code"] == "source-unreadable":
            f["value"] = f["message"] = None
    return doc


def test_demo_command_gsheets_gives_the_same_json(tmp_path: Path) -> None:
    runner = CliRunner()
    # one meeting on both (the Google demo records no earlier months): the same history, so the
    # same dates for the extension requests (sync.extension: when a request was first seen)
    xlsx = runner.invoke(
        cli, ["demo", str(tmp_path / "x"), "--months", "1", "--json"], catch_exceptions=False
    )
    google = runner.invoke(
        cli, ["demo", str(tmp_path / "g"), "--backend", "gsheets", "--json"], catch_exceptions=False
    )
    assert google.exit_code == 0, google.stderr
    assert _comparable(json.loads(google.stdout)) == _comparable(json.loads(xlsx.stdout))
    assert (tmp_path / "g" / "ubnd-sync.gsheets.toml").exists()
    assert (tmp_path / "g" / "ubnd-sync.gsheets.history.sqlite").exists()


def test_demo_builds_months_of_history_and_can_run_again(tmp_path: Path) -> None:
    from sync.history import History

    target = tmp_path / "d"
    for _ in range(2):  # a second demo into its own folder starts the history afresh
        result = CliRunner().invoke(cli, ["demo", str(target), "--months", "3", "-q"], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        with History(target / "ubnd-sync.history.sqlite") as h:
            assert [r.as_of.isoformat() for r in h.runs()] == ["2026-09-05", "2026-10-05", "2026-11-05"]


def test_demo_command_kien_giang_keeps_its_2024_calendar(tmp_path: Path) -> None:
    """--province kien-giang-2024 is made for its own meeting, 05/11/2024, with 2024's history."""
    from sync.history import History

    target = tmp_path / "kg"
    argv = ["demo", str(target), "--province", "kien-giang-2024", "--months", "2", "--json"]
    result = CliRunner().invoke(cli, argv, catch_exceptions=False)
    doc = json.loads(result.stdout)
    assert (doc["as_of"], doc["period"]) == (
        "2024-11-05",
        {"previous_cutoff": "2024-09-25", "cutoff": "2024-10-25"},
    )
    assert len(doc["units"]) == 37
    with History(target / "ubnd-sync.history.sqlite") as h:
        assert [r.as_of.isoformat() for r in h.runs()] == ["2024-10-05", "2024-11-05"]
    chosen = CliRunner().invoke(cli, [*argv, "--as-of", "05/10/2024"], catch_exceptions=False)
    assert json.loads(chosen.stdout)["as_of"] == "2024-10-05"


def test_demo_never_writes_over_other_data(tmp_path: Path) -> None:
    (tmp_path / "ubnd-sync.toml").write_text("# the Office's real config\n", encoding="utf-8")
    before = tree_hash(tmp_path)
    result = CliRunner().invoke(cli, ["demo", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 2
    assert "đã có dữ liệu không phải của tỉnh mẫu" in result.stderr
    assert tree_hash(tmp_path) == before


WITHOUT_CRYPTOGRAPHY = """
import sys


class NoCryptography:  # as if the 'emulator' extra were not installed
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "cryptography":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


sys.meta_path.insert(0, NoCryptography())
from sync.cli import main

sys.argv = ["ubnd-sync", "demo", sys.argv[1], "--backend", "gsheets"]
main()
"""


def test_demo_gsheets_without_the_emulator_extra_says_how_to_install_it(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", WITHOUT_CRYPTOGRAPHY, str(tmp_path / "d")],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert run.returncode == 2, run.stderr
    assert 'pip install "ubnd-sync[emulator]"' in run.stderr
    assert "Traceback" not in run.stderr
