"""Shared fixtures: real .xlsx workbooks written with openpyxl, real config files."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from sync.config import Config, load_config
from sync.emulator import Emulator
from sync.schema import unit_sheet_schema
from tests.emulator_fixtures import emulator, emulator_server, gspread_client, service_account

__all__ = ["emulator", "emulator_server", "gspread_client", "service_account"]

AS_OF = date(2024, 3, 5)  # period (25/01/2024, 25/02/2024]

#: The column order of the Office's template (schema order).
TEMPLATE = [f.title for f in unit_sheet_schema().fields]


def task_row(**overrides: Any) -> dict[str, Any]:
    """A correct, fresh, in-progress-on-time task as of AS_OF; override by field id."""
    base: dict[str, Any] = {
        "stt": 1,
        "task_id": "NV-001",
        "doc_ref": "344/UBND-TH",
        "doc_date": "10/01/2024",
        "summary": "Rà soát, đề xuất tháo gỡ khó khăn cho dự án khu đô thị Phú Cường",
        "assigner": "Chủ tịch UBND tỉnh",
        "lead_unit": "Sở Nội vụ",
        "co_units": None,
        "deadline": "30/04/2024",
        "extended_deadline": None,
        "status": "Đang thực hiện",
        "progress": "Đã tổ chức họp các ngành",
        "completed_on": None,
        "result_doc": None,
        "obstacles": None,
        "extension_request": None,
        "updated_on": "20/02/2024",
    }
    base.update(overrides)
    return base


def write_workbook(
    path: Path,
    tasks: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
    tab: str = "Nhiệm vụ",
    title_rows: Sequence[Sequence[Any]] = (("UBND TỈNH KIÊN GIANG",), ("BẢNG THEO DÕI NHIỆM VỤ",), ()),
    before_tabs: Sequence[str] = (),
    string_cells: bool = True,
) -> Path:
    """A unit workbook: title rows, a header row, then one row per task (cells as given)."""
    schema = unit_sheet_schema()
    fields = list(fields or schema.names)
    headers = list(headers or [schema[f].title for f in fields])
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    for i, name in enumerate(before_tabs):
        ws = first if i == 0 else wb.create_sheet(name)
        ws.title = name
        ws["A1"] = "Hướng dẫn: điền mỗi nhiệm vụ một dòng."
    ws = first if not before_tabs else wb.create_sheet(tab)
    ws.title = tab
    for row in title_rows:
        ws.append(list(row))
    ws.append(headers)
    for task in tasks:
        ws.append([task.get(f) for f in fields])
    if string_cells:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_config(directory: Path, units: Sequence[tuple[str, ...]], extra: str = "") -> Path:
    """A config with [sync] defaults and the given (code, name, source[, alias]) units."""
    lines = ["[sync]", 'summary = "out/tong-hop.xlsx"', "cutoff_day = 25", extra, ""]
    for code, name, source, *alias in units:
        lines += ["[[units]]", f'code = "{code}"', f'name = "{name}"', f'source = "{source}"']
        if alias:
            lines.append(f'aliases = ["{alias[0]}"]')
        lines.append("")
    path = directory / "ubnd-sync.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def tree_hash(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def province(tmp_path: Path) -> Callable[..., Config]:
    """Build a small province: ``province({"SNV": [task_row(...), ...], ...})`` -> Config."""

    names = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính", "STP": "Sở Tư pháp", "RG": "UBND thành phố Rạch Giá"}
    aliases = {"STC": "Sở TC"}

    def build(units: dict[str, Sequence[dict[str, Any]] | None], **kwargs: Any) -> Config:
        entries = []
        for code, tasks in units.items():
            if tasks is not None:
                write_workbook(tmp_path / "units" / f"{code}.xlsx", tasks, **kwargs)
            entry = (code, names.get(code, code), f"units/{code}.xlsx")
            entries.append((*entry, aliases[code]) if code in aliases else entry)
        return load_config(write_config(tmp_path, entries))

    return build


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh emulator of its own for one test (the ``emulator`` fixture shares one per session)."""
    with Emulator() as e:
        yield e
