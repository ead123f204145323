from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.config import Config
from sync.model import CATEGORIES
from tests.helpers import summary_file, task_row, tree_hash

Province = Callable[..., Config]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_sync_writes_summary_exit_0(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    code, out, err = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == 0, err
    assert Path(summary_file(cfg)).exists()
    assert "Tình hình thực hiện nhiệm vụ đến ngày 05/03/2024 (kỳ báo cáo 26/01/2024 – 25/02/2024)" in out
    assert f"Đã ghi bảng tổng hợp: {summary_file(cfg)}" in out
    assert "SNV      Sở Nội vụ" in out
    assert err == ""


def test_sync_unreadable_unit_exit_3(province: Province) -> None:
    cfg = province({"SNV": [task_row()], "STC": None})
    code, out, _ = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == 3
    assert Path(summary_file(cfg)).exists()
    assert "Không đọc được: STC" in out


def test_sync_json_carries_kinds_and_group_totals(province: Province) -> None:
    cfg = province(
        {
            "SNV": [task_row()],  # in progress, on time
            "X-MHH": [task_row(task_id="NV-002", deadline="01/03/2024")],  # overdue
            "P-BD": [task_row(task_id="NV-003", status="Hoàn thành", completed_on="15/02/2024")],
            "DK-PQ": None,
        }
    )
    code, out, _ = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05", "--json")
    assert code == 3
    doc = json.loads(out)
    assert [(u["code"], u["kind"]) for u in doc["units"]] == [
        ("SNV", "so-nganh"),
        ("X-MHH", "xa"),
        ("P-BD", "phuong"),
        ("DK-PQ", "dac-khu"),
    ]
    zero = dict.fromkeys(CATEGORIES, 0)
    assert doc["groups"] == [
        {
            "group": "so-nganh",
            "name": "Sở, ban, ngành",
            "unit_count": 1,
            "counts": {"total": 1, **zero, "in_progress_on_time": 1},
            "completion_rate": None,
            "on_time_rate": None,
        },
        {
            "group": "cap-xa",
            "name": "UBND cấp xã",
            "unit_count": 3,
            "counts": {"total": 2, **zero, "completed_on_time": 1, "in_progress_overdue": 1},
            "completion_rate": 0.5,
            "on_time_rate": 0.5,
        },
    ]
    assert doc["totals"]["counts"]["total"] == 3


def test_sync_json_is_the_only_stdout(province: Province) -> None:
    cfg = province({"SNV": [task_row(deadline="31/02/2024")]})
    code, out, _ = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05", "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"as_of", "period", "units", "totals", "groups", "findings", "extension_requests"}
    assert doc["as_of"] == "2024-03-05"
    assert doc["period"] == {"previous_cutoff": "2024-01-25", "cutoff": "2024-02-25"}
    assert doc["units"][0]["counts"]["unclassified"] == 1
    f = doc["findings"][0]
    assert {k: f[k] for k in ("unit", "sheet", "cell", "row", "field", "code", "severity", "value")} == {
        "unit": "SNV",
        "sheet": "Nhiệm vụ",
        "cell": "I5",
        "row": 5,
        "field": "deadline",
        "code": "invalid-date",
        "severity": "error",
        "value": "31/02/2024",
    }


def test_dry_run_writes_nothing(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row()]})
    before = tree_hash(tmp_path)
    code, out, _ = invoke("sync", "-c", str(cfg.path), "--dry-run", "--as-of", "2024-03-05")
    assert code == 0
    assert "--dry-run" in out
    assert tree_hash(tmp_path) == before


def test_config_error_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "c.toml"
    bad.write_text('[sync]\ncutoff_day = 40\n[[units]]\ncode="A"\nname="B"\nsource="c"\n', encoding="utf-8")
    code, out, err = invoke("sync", "-c", str(bad))
    assert code == 2
    assert out == ""
    assert err == f"Lỗi: {bad}, dòng 2: “cutoff_day” phải là số nguyên từ 1 đến 28 (đang là 40)\n"


def test_missing_config_exit_2(tmp_path: Path) -> None:
    code, _, err = invoke("validate", "-c", str(tmp_path / "none.toml"))
    assert code == 2
    assert "không tìm thấy tệp cấu hình" in err


def test_bad_as_of_is_usage_error(province: Province) -> None:
    cfg = province({"SNV": [task_row()]})
    code, _, err = invoke("sync", "-c", str(cfg.path), "--as-of", "03/15/2024")  # month first
    assert code == 2
    assert "ngày phải viết trước tháng" in err


def test_output_failure_exit_1_one_line(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row()]})
    (tmp_path / "out").write_text("a file where the folder should be")
    code, out, err = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == 1
    assert err.startswith("Lỗi: Không tạo được tệp tổng hợp")
    assert "Traceback" not in err and err.count("\n") == 1


def test_debug_shows_traceback(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row()]})
    (tmp_path / "out").write_text("x")
    code, _, err = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05", "--debug")
    assert code == 1
    assert "Traceback" in err


@pytest.mark.parametrize(
    "units, expected",
    [
        ({"SNV": [task_row()]}, 0),
        ({"SNV": [task_row(status="Hoàn thành")]}, 1),
        ({"SNV": [task_row()], "STC": None}, 3),
    ],
)
def test_validate_exit_codes(province: Province, units: dict, expected: int) -> None:
    cfg = province(units)
    code, out, _ = invoke("validate", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == expected
    assert not Path(summary_file(cfg)).exists()
    if expected == 0:
        assert "Không phát hiện vấn đề nào." in out
    if expected == 1:
        assert "[Lỗi] SNV · Nhiệm vụ!M5 (completion-date-missing)" in out


def test_validate_json(province: Province) -> None:
    cfg = province({"SNV": [task_row(status="Hoàn thành")]})
    code, out, _ = invoke("validate", "-c", str(cfg.path), "--as-of", "2024-03-05", "--json")
    assert code == 1
    assert [f["code"] for f in json.loads(out)["findings"]] == ["completion-date-missing"]


@pytest.mark.parametrize("command", ["sync", "validate", "demo"])
def test_help_has_example(command: str) -> None:
    code, out, _ = invoke(command, "-h")
    assert code == 0
    assert "Ví dụ:" in out
    assert f"ubnd-sync {command}" in out


def test_version() -> None:
    code, out, _ = invoke("--version")
    assert code == 0 and out.startswith("ubnd-sync ")


def test_summary_failure_records_no_history(province: Province, tmp_path: Path) -> None:
    from sync.history import History

    cfg = province({"SNV": [task_row()]})
    code, _, _ = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == 0
    Path(summary_file(cfg)).unlink()
    Path(summary_file(cfg)).mkdir()  # the summary cannot be renamed into place now
    code, _, err = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == 1
    assert err.startswith("Lỗi: Không ghi được tệp tổng hợp")
    with History(cfg.history_path) as h:
        assert len(h.runs()) == 1  # the failed run left no snapshot
    assert [p.name for p in Path(summary_file(cfg)).parent.iterdir() if p.name.endswith(".tmp")] == []


def test_sync_records_history_and_comparison_tab(province: Province) -> None:
    import openpyxl

    from sync.history import History

    cfg = province({"SNV": [task_row()]})
    assert invoke("sync", "-c", str(cfg.path), "--as-of", "2024-02-05")[0] == 0
    assert invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")[0] == 0
    with History(cfg.history_path) as h:
        assert [r.as_of.isoformat() for r in h.runs()] == ["2024-02-05", "2024-03-05"]
    wb = openpyxl.load_workbook(summary_file(cfg))
    assert "So sánh" in wb.sheetnames
    assert invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05", "--dry-run")[0] == 0
    with History(cfg.history_path) as h:
        assert len(h.runs()) == 2


def test_sync_shows_rates_as_the_report_does(province: Province) -> None:
    done = task_row(task_id="A", status="Xong", completed_on="01/02/2024")
    overdue = [task_row(task_id=t, deadline="01/03/2024") for t in ("B", "C")]
    cfg = province({"SNV": [done, *overdue]})
    code, out, _ = invoke("sync", "-c", str(cfg.path), "--as-of", "2024-03-05")
    assert code == 0
    snv = next(line for line in out.splitlines() if line.startswith("SNV "))
    assert snv.endswith("   33,3%    33,3%  Đúng hạn")  # half up, Vietnamese decimal comma
    assert "33.3%" not in out
