"""The xlsx backend's read cache (sync.backends.xlsx.cache): an unchanged file is not parsed again, a
changed one always is, and a sync says the same with or without the cache."""

from __future__ import annotations

import io
import json
import marshal
import os
import pickle
import sqlite3
import zipfile
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine as pc

from sync.backends import open_backend
from sync.backends.xlsx import XlsxBackend
from sync.backends.xlsx.cache import _tab_from_blob
from sync.config import Config, load_config
from sync.pipeline import sync_and_record, validate_units
from sync.workdays import PublicHolidays, package_stamp
from tests.helpers import AS_OF, DemoMonths, task_row


def _sync(config: Config, as_of: date = AS_OF) -> tuple[dict[str, Any], XlsxBackend]:
    """One sync through a backend we keep, to look at what it read; its JSON document (with the
    tasks' ids, which the document leaves out, under ``task_ids``)."""
    backend = open_backend(config)
    assert isinstance(backend, XlsxBackend)
    outcome = sync_and_record(config, as_of, backend=backend, allow_unreadable=True)
    doc = outcome.result.to_dict()
    doc["task_ids"] = [t.task_id for t in outcome.result.tasks]
    return doc, backend


def _stored(zip_path: Path) -> None:
    """Rewrite a workbook with its parts stored uncompressed: a same-length edit keeps the file's size."""
    with zipfile.ZipFile(zip_path) as z:
        parts = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data)


def _replace_in_package(zip_path: Path, old: bytes, new: bytes) -> None:
    """Replace bytes inside a stored package's parts, in place, keeping every length."""
    assert len(old) == len(new)
    with zipfile.ZipFile(zip_path) as z:
        parts = [(i.filename, z.read(i)) for i in z.infolist()]
    assert any(old in data for _, data in parts)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
        for name, data in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data.replace(old, new))
    with open(zip_path, "r+b") as fh:  # the same file (inode) rewritten in place
        fh.write(buffer.getvalue())
        fh.truncate()


def test_unchanged_province_is_not_parsed_again_and_says_the_same(
    demo_months: DemoMonths, tmp_path: Path
) -> None:
    demo = demo_months.render(tmp_path / "demo")
    config = load_config(demo.config_path)
    cold, backend = _sync(config, demo.as_of)
    first = backend.read_cache()
    assert first.reused == [] and len(first.parsed) >= 100
    assert config.cache_path.stat().st_mode & 0o777 == 0o600  # the units' data: the owner's only

    warm, backend = _sync(config, demo.as_of)
    again = backend.read_cache()
    assert again.parsed == [] and sorted(again.reused) == sorted(first.parsed)
    assert warm == cold

    config.cache_path.unlink()
    cold_again, backend = _sync(config, demo.as_of)
    assert backend.read_cache().reused == []
    # the document ``sync --json`` prints, to the byte
    for doc in (cold, warm, cold_again):
        del doc["task_ids"]
    text = json.dumps(cold, ensure_ascii=False, indent=2)
    assert json.dumps(warm, ensure_ascii=False, indent=2) == text
    assert json.dumps(cold_again, ensure_ascii=False, indent=2) == text


def test_edited_file_of_the_same_size_and_time_is_read_again(province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row(task_id="NV-001")]})
    path = config.base_dir / "units" / "SNV.xlsx"
    _stored(path)
    first, _ = _sync(config)
    assert first["task_ids"] == ["NV-001"]
    before = path.stat()

    _replace_in_package(path, b"NV-001", b"NV-777")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # the modification time put back
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (
        before.st_size,
        before.st_mtime_ns,
        before.st_ino,
    )

    second, backend = _sync(config)
    assert second["task_ids"] == ["NV-777"]
    assert backend.read_cache().parsed == [str(path)]


def test_same_stamp_other_bytes_is_read_again(province: Callable[..., Config]) -> None:
    # A file system whose times and inodes say nothing (coarse timestamps, a share that keeps
    # them): the cache's stamp is made to match the edited file; its bytes still tell.
    config = province({"SNV": [task_row(task_id="NV-001")]})
    path = config.base_dir / "units" / "SNV.xlsx"
    _stored(path)
    _sync(config)
    _replace_in_package(path, b"NV-001", b"NV-778")
    st = path.stat()
    with sqlite3.connect(config.cache_path) as conn:
        changed = conn.execute(
            "UPDATE xlsx_reads SET size = ?, mtime_ns = ?, inode = ?, device = ?, ctime_ns = ?",
            (st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, st.st_ctime_ns),
        ).rowcount
    assert changed == 1
    doc, backend = _sync(config)
    assert doc["task_ids"] == ["NV-778"]
    assert backend.read_cache().parsed == [str(path)]


def test_damaged_or_foreign_cache_is_not_used(province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row()], "STC": [task_row(lead_unit="Sở Tài chính")]})
    expected, _ = _sync(config)

    config.cache_path.write_bytes(b"not a database at all" * 100)
    doc, backend = _sync(config)
    assert doc == expected and backend.read_cache().reused == []
    _, backend = _sync(config)  # the damaged file was replaced by a good one
    assert len(backend.read_cache().reused) == 2

    with sqlite3.connect(config.cache_path) as conn:
        conn.execute("UPDATE xlsx_reads SET payload = ?", (b"\x00garbage",))
    doc, backend = _sync(config)
    assert doc == expected and backend.read_cache().reused == []

    # another reader: the limits decide what a file reads as
    text = config.path.read_text(encoding="utf-8")
    config.path.write_text(text + "\n[limits]\nmax_cells = 900000\n", encoding="utf-8")
    doc, backend = _sync(load_config(config.path))
    assert doc == expected and backend.read_cache().reused == []


def test_a_cached_tab_cannot_name_other_classes(province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row()]})
    expected, _ = _sync(config)
    with sqlite3.connect(config.cache_path) as conn:
        (payload,) = conn.execute("SELECT payload FROM xlsx_reads").fetchone()
        names, tabs = marshal.loads(payload)
        evil = zlib.compress(pickle.dumps(("Nhiệm vụ", [[os.getcwd]], [])))  # a function, not a cell
        conn.execute(
            "UPDATE xlsx_reads SET payload = ?", (marshal.dumps((names, dict.fromkeys(tabs, evil))),)
        )
    doc, backend = _sync(config)
    assert doc == expected
    assert backend.read_cache().reused  # the entry matched, its tab was refused and the file parsed


def test_validate_and_dry_run_write_no_cache(province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row()]})
    validate_units(config, AS_OF)
    sync_and_record(config, AS_OF, dry_run=True)
    assert not config.cache_path.exists()


def test_files_gone_from_the_config_leave_the_cache(province: Callable[..., Config], tmp_path: Path) -> None:
    config = province({"SNV": [task_row()], "STC": [task_row(lead_unit="Sở Tài chính")]})
    _sync(config)
    with sqlite3.connect(config.cache_path) as conn:
        assert conn.execute("SELECT count(*) FROM xlsx_reads").fetchone()[0] == 2
    (config.base_dir / "units" / "STC.xlsx").unlink()
    _sync(config)
    with sqlite3.connect(config.cache_path) as conn:
        paths = [p for (p,) in conn.execute("SELECT path FROM xlsx_reads")]
    assert paths == [str(config.base_dir / "units" / "SNV.xlsx")]


# ---------------------------------------------------------------- the public holidays remembered


@pytest.mark.skipif(package_stamp() is None, reason="the holidays package is not installed as a distribution")
def test_holidays_kept_for_the_same_package_only(tmp_path: Path) -> None:
    cache = tmp_path / "x.cache.sqlite"
    fresh = PublicHolidays()
    days = fresh.year(2025)
    fresh.save(cache)  # no stamp: nothing kept
    assert not cache.exists()

    first = PublicHolidays.load(cache)
    assert first.known == {}
    assert first.year(2025) == days and first.computed == {2025}
    first.save(cache)
    again = PublicHolidays.load(cache)
    assert again.known == {2025: days} and again.computed == set()
    assert again.year(2025) == days and again.computed == set()

    with sqlite3.connect(cache) as conn:
        conn.execute("UPDATE holidays SET stamp = 'holidays-0.1.dist-info 1 1'")
    assert PublicHolidays.load(cache).known == {}  # another package's years: computed anew


def test_a_tab_with_merged_cells_is_kept_as_read(province: Callable[..., Config]) -> None:
    # the checks fill a value merged down over data rows into each of them: into copies, so
    # the cache keeps the tab as the file has it, and the next run checks it the same way

    config = province(
        {
            "SNV": [
                task_row(task_id="NV-001", lead_unit="Sở Nội vụ"),
                task_row(task_id="NV-002", lead_unit=None),
            ]
        }
    )
    path = config.base_dir / "units" / "SNV.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["Nhiệm vụ"]
    lead = next(c.column_letter for c in ws[4] if c.value == "Đơn vị chủ trì")
    ws.merge_cells(f"{lead}5:{lead}6")
    wb.save(path)

    first, _ = _sync(config)
    second, backend = _sync(config)
    assert backend.read_cache().reused == [str(path)]
    assert second == first
    assert not any(f["code"] == "required-missing" for f in second["findings"])  # NV-002's lead filled in

    with sqlite3.connect(config.cache_path) as conn:
        (payload,) = conn.execute("SELECT payload FROM xlsx_reads").fetchone()
    _names, tabs = marshal.loads(payload)
    cached = _tab_from_blob(tabs["Nhiệm vụ"])
    book = pc.CalamineWorkbook.from_path(str(path))
    assert cached.rows == book.get_sheet_by_name("Nhiệm vụ").to_python(skip_empty_area=False)
    assert cached.rows[5][int(openpyxl.utils.column_index_from_string(lead)) - 1] == ""  # not filled in


def test_a_file_open_in_a_program_says_so_when_taken_from_the_cache(province: Callable[..., Config]) -> None:
    config = province({"SNV": [task_row()]})
    _sync(config)
    lock = config.base_dir / "units" / ".~lock.SNV.xlsx#"
    lock.write_bytes(b"owner")
    doc, backend = _sync(config)
    assert backend.read_cache().reused == [str(config.base_dir / "units" / "SNV.xlsx")]
    assert [f["value"] for f in doc["findings"] if f["code"] == "source-open"] == [lock.name]
    lock.unlink()
    doc, backend = _sync(config)
    assert backend.read_cache().reused and not [f for f in doc["findings"] if f["code"] == "source-open"]
