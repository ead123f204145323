"""sync_and_record from Python does what ``ubnd-sync sync`` does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sync.backends.xlsx import XlsxBackend
from sync.cli import cli
from sync.config import Config
from sync.exceptions import OutputError
from sync.history import History
from sync.pipeline import sync_and_record
from tests.helpers import AS_OF, summary_file, task_row, tree_hash

Province = Callable[..., Config]


class Remembering(XlsxBackend):
    """An xlsx backend that counts its commits, and can fail them like a full disk."""

    def __init__(self, config: Config, fail: bool = False):
        super().__init__(config)
        self.commits = 0
        self.closed = False
        self.fail = fail

    def commit(self) -> None:
        self.commits += 1
        if self.fail:
            raise OSError(28, "No space left on device")

    def close(self) -> None:
        self.closed = True
        super().close()


def test_summary_with_comparison_tab_and_history_snapshot(province: Province) -> None:
    cfg = province({"SNV": [task_row()], "STC": [task_row(task_id="NV-002", status="Hoàn thành")]})
    first = sync_and_record(cfg, AS_OF.replace(month=2))
    source = Remembering(cfg)
    outcome = sync_and_record(cfg, AS_OF, backend=source)
    assert outcome.summary == first.summary == str(summary_file(cfg)) == outcome.result.summary_path
    assert outcome.warnings == [] and not outcome.unreadable
    assert source.commits == 1 and source.closed
    wb = openpyxl.load_workbook(summary_file(cfg))
    assert wb.sheetnames == [
        "Thống kê",
        "Nhiệm vụ",
        "Quá hạn",
        "Đề nghị gia hạn",
        "Cảnh báo",
        "So sánh",
        "Thông tin",
    ]
    with History(cfg.history_path) as h:
        runs = h.runs()
        assert [r.as_of.isoformat() for r in runs] == ["2024-02-05", "2024-03-05"]
        assert runs[-1].summary_path == str(summary_file(cfg))
        snapshot = h.previous_run(AS_OF.replace(day=6), outcome.result.period)
        assert snapshot is not None and snapshot.totals == outcome.result.totals


def test_same_json_as_the_command(province: Province) -> None:
    cfg = province({"SNV": [task_row(), task_row(task_id="NV-009", deadline="01/03/2024")], "STC": None})
    outcome = sync_and_record(cfg, AS_OF, dry_run=True)
    result = CliRunner().invoke(cli, ["sync", "-c", str(cfg.path), "--as-of", "2024-03-05", "--json"])
    assert result.exit_code == 3 and outcome.unreadable
    assert json.loads(result.stdout) == outcome.result.to_dict()
    assert result.stdout == json.dumps(outcome.result.to_dict(), ensure_ascii=False, indent=2) + "\n"


def test_dry_run_writes_nothing(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row()]})
    before = tree_hash(tmp_path)
    source = Remembering(cfg)
    progress: list[tuple[str, int, int]] = []
    outcome = sync_and_record(
        cfg, AS_OF, dry_run=True, backend=source, progress=lambda *a: progress.append(a)
    )
    assert outcome.summary is None and outcome.result.units[0].code == "SNV"
    assert progress == [("SNV", 1, 1)]
    assert tree_hash(tmp_path) == before
    assert not Path(summary_file(cfg)).exists() and not Path(cfg.history_path).exists()
    assert source.commits == 0 and source.closed


def test_state_not_saved_is_a_warning_not_a_failure(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    outcome = sync_and_record(cfg, AS_OF, backend=Remembering(cfg, fail=True))
    assert Path(summary_file(cfg)).exists()
    assert len(outcome.warnings) == 1
    assert outcome.warnings[0].startswith("không lưu được trạng thái đọc lần này (")
    assert outcome.warnings[0].endswith("lần sau sẽ đọc lại tất cả.")


def test_the_command_prints_the_warning(province: Province, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = province({"SNV": [task_row()]})
    monkeypatch.setattr("sync.backends.open_backend", lambda config: Remembering(config, fail=True))
    result = CliRunner().invoke(cli, ["sync", "-c", str(cfg.path), "--as-of", "2024-03-05"])
    assert result.exit_code == 0
    assert result.stderr.startswith("Cảnh báo: không lưu được trạng thái đọc lần này (")
    assert "Đã ghi bảng tổng hợp" in result.stdout


def test_failed_summary_commits_nothing(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    Path(summary_file(cfg)).mkdir(parents=True)  # the summary cannot be renamed into place
    source = Remembering(cfg)
    with pytest.raises(OutputError):
        sync_and_record(cfg, AS_OF, backend=source)
    assert source.commits == 0 and source.closed
    with History(cfg.history_path) as h:
        assert h.runs() == []
