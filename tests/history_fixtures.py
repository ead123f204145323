"""Three months of a small province, written and recorded: shared by the history tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from sync.config import Config, load_config
from sync.engine import run_sync
from sync.history import History
from sync.model import RunResult
from tests.helpers import task_row, write_config, write_workbook

NAMES = {"SNV": "Sở Nội vụ", "STC": "Sở Tài chính"}

# Three months of a small province. Each month: (as_of, {unit: [rows]}).
M1 = date(2024, 3, 5)  # period (25/01, 25/02]
M2 = date(2024, 4, 5)  # period (25/02, 25/03]
M3 = date(2024, 5, 5)  # period (25/03, 25/04]


def _nv002_done() -> dict[str, Any]:
    """SNV's NV-002, completed late on 20/03/2024 (months 2 and 3)."""
    return task_row(
        stt=2,
        task_id="NV-002",
        deadline="01/03/2024",
        status="Đã hoàn thành",
        completed_on="20/03/2024",
        updated_on="20/03/2024",
    )


def _nv003_done() -> dict[str, Any]:
    """SNV's NV-003, completed on time on 10/02/2024 (every month)."""
    return task_row(
        stt=3,
        task_id="NV-003",
        deadline="28/02/2024",
        status="Đã hoàn thành",
        completed_on="10/02/2024",
        updated_on="10/02/2024",
    )


def _month_rows(as_of: date) -> dict[str, list[dict[str, Any]]]:
    if as_of == M1:
        return {
            "SNV": [
                task_row(task_id="NV-001", deadline="30/04/2024", updated_on="20/02/2024"),
                task_row(stt=2, task_id="NV-002", deadline="01/03/2024", updated_on="20/02/2024"),
                _nv003_done(),
            ],
            "STC": [task_row(task_id="NV-010", deadline="15/03/2024", updated_on="20/02/2024")],
        }
    if as_of == M2:
        return {
            "SNV": [
                task_row(task_id="NV-001", deadline="30/04/2024", updated_on="20/03/2024"),
                _nv002_done(),
                _nv003_done(),
            ],
            "STC": [
                task_row(
                    task_id="NV-010",
                    deadline="15/03/2024",
                    extended_deadline="30/04/2024",
                    updated_on="20/03/2024",
                ),
                task_row(
                    stt=2,
                    task_id="NV-011",
                    doc_date="01/03/2024",
                    deadline="01/04/2024",
                    updated_on="20/03/2024",
                    obstacles="Chờ ý kiến của Bộ",
                    extension_request="30/05/2024",
                ),
            ],
        }
    assert as_of == M3
    return {
        "SNV": [
            task_row(task_id="NV-001", deadline="30/04/2024", updated_on="20/03/2024"),  # not updated
            _nv002_done(),
            _nv003_done(),
        ],
        "STC": [  # NV-010 deleted from the sheet
            task_row(
                stt=2,
                task_id="NV-011",
                doc_date="01/03/2024",
                deadline="01/04/2024",
                status="Hoàn thành",
                completed_on="28/04/2024",
                updated_on="28/04/2024",
            ),
        ],
    }


def render_month(directory: Path, as_of: date, *, corrected: bool = False) -> Config:
    """The units' sheets of the month; ``corrected``: as if units fixed their sheets after a first sync."""
    for code, rows in _month_rows(as_of).items():
        if corrected:
            rows[-1] = {**rows[-1], "obstacles": "Đã bổ sung sau lần tổng hợp đầu"}
        write_workbook(directory / "units" / f"{code}.xlsx", rows)
    return load_config(write_config(directory, [(c, n, f"units/{c}.xlsx") for c, n in NAMES.items()]))


def record_month(directory: Path, as_of: date, *, corrected: bool = False) -> tuple[Config, RunResult, int]:
    config = render_month(directory, as_of, corrected=corrected)
    result = run_sync(config, as_of)
    with History(config.history_path) as h:
        run_id = h.record(result, config_path=str(config.path)).run_id
    return config, result, run_id


def ids(changes: list[Any]) -> list[str]:
    return [c.task_id for c in changes]
