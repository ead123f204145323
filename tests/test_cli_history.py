"""The ``history`` and ``diff`` commands (sync.cli.history)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from sync.cli.history import diff_cmd, history_cmd
from sync.config import Config
from tests.helpers import task_row
from tests.history_fixtures import M1, M2, M3, record_month


def test_history_and_diff_commands(tmp_path: Path) -> None:
    for as_of in (M1, M2, M3):
        record_month(tmp_path, as_of)
    cfg = str(tmp_path / "ubnd-sync.toml")
    runner = CliRunner()
    out = runner.invoke(history_cmd, ["-c", cfg])
    assert out.exit_code == 0, out.output
    assert "05/03/2024" in out.output and "3 lần tổng hợp" in out.output
    out = runner.invoke(history_cmd, ["-c", cfg, "--json"])
    runs = json.loads(out.output)
    assert [r["as_of"] for r in runs] == ["2024-03-05", "2024-04-05", "2024-05-05"]
    out = runner.invoke(diff_cmd, ["-c", cfg, "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["old"]["as_of"] == "2024-04-05" and doc["new"]["as_of"] == "2024-05-05"
    assert [c["task_id"] for c in doc["vanished_tasks"]] == ["NV-010"]
    out = runner.invoke(diff_cmd, ["-c", cfg, "--since", "2024-03-31", "--json"])
    assert json.loads(out.output)["old"]["as_of"] == "2024-03-05"
    out = runner.invoke(diff_cmd, ["-c", cfg, "--since", "1"])
    assert out.exit_code == 0
    assert "Nhiệm vụ mới hoàn thành: 2" in out.output  # NV-002 and NV-011
    assert "Sở Nội vụ (SNV): Đúng hạn → Không cập nhật" in out.output
    out = runner.invoke(diff_cmd, ["-c", cfg, "--since", "99"])
    assert out.exit_code == 1 and "không có lần tổng hợp số 99" in out.output
    out = runner.invoke(history_cmd, ["-c", str(tmp_path / "nope" / "x.toml")])
    assert out.exit_code == 2


def test_history_command_without_history(tmp_path: Path, province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row()]})
    out = CliRunner().invoke(history_cmd, ["-c", str(config.path)])
    assert out.exit_code == 1
    assert "chưa có lịch sử" in out.output
    assert not config.history_path.exists()


def test_diff_needs_two_runs(tmp_path: Path) -> None:
    config, _, _ = record_month(tmp_path, M1)
    out = CliRunner().invoke(diff_cmd, ["-c", str(config.path)])
    assert out.exit_code == 1
    assert "chưa có gì để so sánh" in out.output
    out = CliRunner().invoke(diff_cmd, ["-c", str(config.path), "--run", "7"])
    assert out.exit_code == 1 and "không có lần tổng hợp số 7" in out.output


def test_diff_of_two_runs_in_one_period_compares_them(tmp_path: Path) -> None:
    record_month(tmp_path, M2)
    # a re-run after units corrected their sheets: no earlier period, the run it superseded
    config, _, id2 = record_month(tmp_path, M2, corrected=True)
    out = CliRunner().invoke(diff_cmd, ["-c", str(config.path), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert (doc["old"]["run_id"], doc["new"]["run_id"]) == (id2 - 1, id2)
    assert doc["new_tasks"] == [] and doc["vanished_tasks"] == []
