"""What the Office sees is current (issue 18 part 7): a back-dated run never replaces the current
summary (it is written beside it, named and marked by its as-of, on both backends); a summary
another program has open is refused before anything is written, on any system; a unit's workbook
open in Excel or LibreOffice is read, with an info finding that its unsaved edits are not in it."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from google_emulator import Emulator
from sync import findings as F
from sync.cli import cli
from sync.config import load_config
from sync.engine import run_sync
from sync.exceptions import OutputError
from sync.history import History
from sync.pipeline import sync_and_record
from tests.helpers import AS_OF, google_copy, task_row, write_config, write_workbook

LATER = AS_OF + timedelta(days=7)  # the regular run; AS_OF after it is back-dated


def province(tmp_path: Path) -> Path:
    write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row(task_id="NV-1")])
    write_workbook(tmp_path / "units" / "STC.xlsx", [task_row(task_id="NV-2", lead_unit="Sở Tài chính")])
    return write_config(
        tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx"), ("STC", "Sở Tài chính", "units/STC.xlsx")]
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------ a back-dated run


def test_a_back_dated_run_writes_beside_the_current_summary_and_says_so(tmp_path: Path) -> None:
    path = province(tmp_path)
    config = load_config(path)
    summary = tmp_path / "out" / "tong-hop.xlsx"
    sync_and_record(config, LATER)
    current = sha(summary)

    out = CliRunner().invoke(cli, ["sync", "-c", str(path), "--as-of", AS_OF.isoformat(), "--back-dated"])
    assert out.exit_code == 0, out.output
    beside = tmp_path / "out" / "tong-hop-lui-ngay-2024-03-05.xlsx"
    assert f"Đã ghi bảng tổng hợp: {beside}" in out.output
    assert sha(summary) == current  # the summary the Office opens is still the latest run's
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "tong-hop-lui-ngay-2024-03-05.xlsx",
        "tong-hop.xlsx",
    ]
    book = openpyxl.load_workbook(beside)
    info = book["Thông tin"]
    assert str(info["A2"].value).startswith(
        "BẢN TỔNG HỢP LÙI NGÀY 05/03/2024: không phải bảng tổng hợp hiện hành"
    )
    assert "lần tổng hợp gần nhất ngày 12/03/2024" in str(info["A2"].value)
    assert info["A3"].value == "Ngày báo cáo"
    for ws in book.worksheets:  # every printed page says it
        assert "BẢN LÙI NGÀY – Tổng hợp tình hình thực hiện nhiệm vụ" in ws.oddHeader.left.text
    assert "BẢN LÙI NGÀY" not in (openpyxl.load_workbook(summary)["Thống kê"].oddHeader.left.text or "")
    with History(config.history_path) as h:
        runs = h.runs()
        assert [(r.backdated, Path(r.summary_path).name) for r in runs] == [
            (False, "tong-hop.xlsx"),
            (True, "tong-hop-lui-ngay-2024-03-05.xlsx"),
        ]

    # a regular run afterwards writes the current summary, and leaves the back-dated one alone
    kept = sha(beside)
    sync_and_record(config, LATER + timedelta(days=1))
    assert sha(summary) != current and sha(beside) == kept


def test_a_run_not_before_the_latest_replaces_the_summary_even_with_back_dated(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    sync_and_record(config, AS_OF)
    outcome = sync_and_record(config, LATER, back_dated=True)  # not before the latest: a regular run
    assert outcome.summary == str(tmp_path / "out" / "tong-hop.xlsx")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["tong-hop.xlsx"]


def test_google_a_back_dated_run_leaves_the_shared_summary_as_it_is(tmp_path: Path, emu: Emulator) -> None:
    """On Google the back-dated summary is an .xlsx file beside the config; the spreadsheet the Office
    shares keeps the latest run's figures."""
    config = load_config(google_copy(tmp_path, province(tmp_path), emu))
    sync_and_record(config, LATER)
    sid = config.sync.summary
    before = emu.spreadsheet_json(sid)
    emu.reset_stats()
    outcome = sync_and_record(config, AS_OF, back_dated=True)
    beside = config.base_dir / "tong-hop-lui-ngay-2024-03-05.xlsx"
    assert outcome.summary == str(beside) and beside.is_file()
    assert emu.spreadsheet_json(sid) == before
    assert not [k for k in emu.stats_json()["by_endpoint"] if "batchUpdate" in k]
    assert str(openpyxl.load_workbook(beside)["Thông tin"]["A2"].value).startswith("BẢN TỔNG HỢP LÙI NGÀY")


# ------------------------------------------------------------------ a summary open in another program


@pytest.mark.parametrize("lock", [".~lock.tong-hop.xlsx#", "~$tong-hop.xlsx"])
def test_a_summary_open_elsewhere_is_refused_before_anything_is_written(tmp_path: Path, lock: str) -> None:
    path = province(tmp_path)
    config = load_config(path)
    sync_and_record(config, AS_OF)
    summary = tmp_path / "out" / "tong-hop.xlsx"
    (tmp_path / "out" / lock).write_text("an owner", encoding="utf-8")
    summary_bytes, history_bytes = summary.read_bytes(), config.history_path.read_bytes()
    out = CliRunner().invoke(cli, ["sync", "-c", str(path), "--as-of", LATER.isoformat()])
    assert out.exit_code == 1
    assert f"Tệp tổng hợp {summary} đang mở trong Excel/LibreOffice (có tệp khóa {lock})" in out.output
    assert "Chưa ghi gì: bảng tổng hợp và lịch sử vẫn như cũ." in out.output
    assert summary.read_bytes() == summary_bytes and config.history_path.read_bytes() == history_bytes
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted([lock, "tong-hop.xlsx"])


def test_a_summary_opened_while_the_run_goes_on_is_refused_and_nothing_recorded(tmp_path: Path) -> None:
    config = load_config(province(tmp_path))
    sync_and_record(config, AS_OF)
    summary = tmp_path / "out" / "tong-hop.xlsx"
    summary_bytes, history_bytes = summary.read_bytes(), config.history_path.read_bytes()

    def someone_opens_it(code: str, done: int, total: int) -> None:
        if done == total:
            (tmp_path / "out" / ".~lock.tong-hop.xlsx#").write_text("x", encoding="utf-8")

    with pytest.raises(OutputError, match="đang mở trong Excel/LibreOffice"):
        sync_and_record(config, LATER, progress=someone_opens_it)
    assert summary.read_bytes() == summary_bytes and config.history_path.read_bytes() == history_bytes
    assert [p.name for p in (tmp_path / "out").iterdir() if p.suffix == ".tmp"] == []


# ------------------------------------------------------------------ a unit's workbook open in Excel


@pytest.mark.parametrize("lock", ["~$SNV.xlsx", ".~lock.SNV.xlsx#"])
def test_a_units_workbook_open_in_a_program_is_read_with_an_info_finding(tmp_path: Path, lock: str) -> None:
    config = load_config(province(tmp_path))
    (tmp_path / "units" / lock).write_bytes(b"owner")
    result = run_sync(config, AS_OF)
    found = [f for f in result.findings if f.code == F.SOURCE_OPEN.code]
    assert [(f.unit, f.sheet, f.severity, f.value, f.cell) for f in found] == [
        ("SNV", "Nhiệm vụ", "info", lock, None)
    ]
    assert found[0].message.startswith(
        f"Tệp SNV.xlsx đang được mở trong Excel/LibreOffice (có tệp khóa {lock}): những gì đơn vị sửa mà chưa "
        "lưu không có trong lần tổng hợp này."
    )
    snv = next(u for u in result.units if u.code == "SNV")
    assert snv.report_status == "on_time" and [t.task_id for t in snv.tasks] == ["NV-1"]  # still read
    (tmp_path / "units" / lock).unlink()
    assert not [f for f in run_sync(config, AS_OF).findings if f.code == F.SOURCE_OPEN.code]


def test_a_summary_opened_between_writing_and_installing_is_not_replaced(tmp_path: Path) -> None:
    """The last look, just before the rename: a lock file that appeared while the file was rendered."""
    from sync.backends.xlsx.summary import start_xlsx
    from sync.summary import build_tables

    config = load_config(province(tmp_path))
    target = tmp_path / "out" / "tong-hop.xlsx"
    sync_and_record(config, AS_OF)
    before = target.read_bytes()
    pending = start_xlsx(build_tables(run_sync(config, LATER)), target)
    (tmp_path / "out" / "~$tong-hop.xlsx").write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="có tệp khóa ~\\$tong-hop.xlsx"):
        pending.finish()
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["tong-hop.xlsx", "~$tong-hop.xlsx"]
