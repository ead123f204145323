"""An .xlsx summary that would be written the same is kept as it is (sync.backends.xlsx.unchanged):
only when nothing was read anew and the file is the one the last sync installed, untouched."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date
from pathlib import Path

import openpyxl

from sync.config import Config
from sync.pipeline import sync_and_record
from tests.helpers import AS_OF, summary_file, task_row


def _run(config: Config, as_of: date = AS_OF) -> tuple[int, bytes]:
    """Sync; the summary file's modification time and bytes after it."""
    sync_and_record(config, as_of)
    path = Path(summary_file(config))
    return path.stat().st_mtime_ns, path.read_bytes()


def _generated(config: Config) -> str:
    ws = openpyxl.load_workbook(summary_file(config))["Thông tin"]
    return next(str(r[1].value) for r in ws.iter_rows() if r[0].value == "Thời điểm tạo")


def _two_units(province: Callable[..., Config]) -> Config:
    return province({"SNV": [task_row()], "STC": [task_row(task_id="NV-002", lead_unit="Sở Tài chính")]})


def test_nothing_changed_keeps_the_summary_as_it_is(province: Callable[..., Config]) -> None:
    config = _two_units(province)
    first = _run(config)
    made = _generated(config)
    assert _run(config) == first
    assert _generated(config) == made  # the time it was made: of the run that wrote it


def test_the_summary_is_written_when_anything_differs(
    province: Callable[..., Config], tmp_path: Path
) -> None:
    config = _two_units(province)
    path = Path(summary_file(config))
    first = _run(config)

    # another as-of: other tables
    later = _run(config, date(2024, 3, 6))
    assert later != first

    # a unit's file changed
    unit = config.base_dir / "units" / "SNV.xlsx"
    wb = openpyxl.load_workbook(unit)
    wb["Nhiệm vụ"]["L5"] = "Đã họp lần hai"
    wb.save(unit)
    changed = _run(config, date(2024, 3, 6))
    assert changed != later

    # the summary opened and saved by a person: its bytes are not the ones written
    kept = _run(config, date(2024, 3, 6))
    assert kept == changed
    book = openpyxl.load_workbook(path)
    book["Thông tin"]["B1"] = "sửa tay"
    book.save(path)
    _run(config, date(2024, 3, 6))
    assert openpyxl.load_workbook(path)["Thông tin"]["B1"].value != "sửa tay"

    # the summary deleted
    path.unlink()
    _run(config, date(2024, 3, 6))
    assert path.exists()


def test_a_summary_edited_in_place_at_the_same_size_and_time_is_written_again(
    province: Callable[..., Config],
) -> None:
    config = _two_units(province)
    path = Path(summary_file(config))
    _run(config)
    st = path.stat()
    data = bytearray(path.read_bytes())
    data[-30] ^= 0xFF  # a byte of the zip's directory changed: same size
    path.write_bytes(bytes(data))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    _run(config)
    assert path.read_bytes() != bytes(data)
    openpyxl.load_workbook(path)  # a whole workbook again
