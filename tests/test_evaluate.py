"""Year-end evaluation over a simulated year: 12 monthly syncs of real workbooks, one void, one back-dated.

The expected figures are worked out by hand below from the rows each unit keeps
(contract §2 for the categories, §3 for the monthly report statuses).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from sync.cli import cli
from sync.config import load_config
from sync.history import History
from sync.pipeline import sync_and_record
from tests.helpers import task_row, write_config, write_workbook
from tests.test_libreoffice import convert

YEAR = 2025
UNITS = [
    ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),
    ("STC", "Sở Tài chính", "units/STC.xlsx"),
    ("XA1", "UBND xã Mỹ Hòa Hưng", "units/XA1.xlsx"),
]


@dataclass(frozen=True)
class T:
    task_id: str
    deadline: date
    completed_on: date | None = None


TASKS = {
    # SNV: on time, late, overdue at year end, and one due in 2026 (not counted)
    "SNV": [
        T("A1", date(2025, 3, 31), date(2025, 3, 15)),
        T("A2", date(2025, 6, 30), date(2025, 7, 10)),
        T("A3", date(2025, 9, 30)),
        T("A4", date(2026, 3, 31)),
    ],
    # STC: both on time
    "STC": [T("B1", date(2025, 5, 31), date(2025, 5, 20)), T("B2", date(2025, 8, 31), date(2025, 8, 25))],
    # XA1: three on time, one late
    "XA1": [
        T("C1", date(2025, 10, 31), date(2025, 10, 15)),
        T("C2", date(2025, 11, 15), date(2025, 11, 20)),
        T("C3", date(2025, 12, 20), date(2025, 12, 18)),
        T("C4", date(2025, 7, 30), date(2025, 7, 30)),
    ],
}


def as_of(month: int, day: int = 27) -> date:
    return date(YEAR, month, day)  # cutoff day 25: the run reports on ``month``


def rows(unit: str, d: date, *, update: str = "fresh", stale: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """The unit's sheet as of ``d``: tasks completed by then say so; rows updated as ``update``."""
    cutoff = date(d.year, d.month, 25)
    updated = {"fresh": cutoff - timedelta(days=5), "late": cutoff + timedelta(days=1)}[update]
    out = []
    for t in TASKS[unit]:
        done = t.completed_on is not None and t.completed_on <= d
        on = date(2024, 11, 1) if t.task_id in stale else updated
        out.append(
            task_row(
                task_id=t.task_id,
                doc_date="01/01/2025",
                lead_unit=dict((c, n) for c, n, _ in UNITS)[unit],
                deadline=t.deadline.strftime("%d/%m/%Y"),
                status="Đã hoàn thành" if done else "Đang thực hiện",
                completed_on=t.completed_on.strftime("%d/%m/%Y") if done and t.completed_on else None,
                updated_on=on.strftime("%d/%m/%Y"),
            )
        )
    return out


def write_month(directory: Path, d: date, *, absent: tuple[str, ...] = (), **special: dict[str, Any]) -> None:
    for code, _name, source in UNITS:
        path = directory / source
        if code in absent:
            path.unlink(missing_ok=True)
        else:
            write_workbook(path, rows(code, d, **special.get(code, {})))


@pytest.fixture(scope="module")
def year_history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve months of 2025; August synced late as a back-dated run; a wrong July run voided."""
    directory = tmp_path_factory.mktemp("evaluate")
    config_path = write_config(directory, UNITS)
    text = config_path.read_text(encoding="utf-8")
    config_path.write_text(
        text.replace('source = "units/XA1.xlsx"', 'source = "units/XA1.xlsx"\nkind = "xa"'), encoding="utf-8"
    )
    config = load_config(config_path)
    for month in range(1, 13):
        if month == 8:
            continue  # August's meeting was missed: synced back-dated after September's
        d = as_of(month)
        write_month(
            directory,
            d,
            absent=("STC",) if month in (3, 4) else (),
            STC={"update": "late"} if month == 6 else {},
            XA1={"stale": ("C1",)} if month == 9 else {},
        )
        sync_and_record(config, d)
        if month == 7:  # a second July sync, a day later, with SNV's file missing: voided
            write_month(directory, as_of(7, 28), absent=("SNV",))
            wrong = sync_and_record(config, as_of(7, 28))
            assert wrong.recorded is not None
            with History(config.history_path) as h:
                h.void(wrong.recorded.run_id, "Tổng hợp khi thư mục Sở Nội vụ chưa được chép đủ")
        if month == 9:
            write_month(directory, as_of(8), absent=("STC",))
            late = sync_and_record(config, as_of(8), back_dated=True)
            assert late.recorded is not None and late.recorded.backdated
    return config_path


def run_json(config_path: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["evaluate", "-c", str(config_path), "--year", str(YEAR), "--json", *args]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def by_code(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["code"]: u for g in doc["groups"] for u in g["units"]}


def test_year_figures_and_scores_by_hand(year_history: Path) -> None:
    doc = run_json(year_history)
    assert [m["month"] for m in doc["months"]] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    units = by_code(doc)
    snv, stc, xa1 = units["SNV"], units["STC"], units["XA1"]
    # SNV: A1 on time, A2 late, A3 overdue; A4 is due in 2026. Rate 1/3 < 70 % -> 60, minus 1 overdue.
    assert snv["tasks"] == {
        "due": 3,
        "completed_on_time": 1,
        "completed_late": 1,
        "in_progress_overdue": 1,
        "in_progress_on_time": 0,
    }
    assert (snv["on_time_rate"], snv["completion_rate"]) == (0.3333, 0.6667)
    # the voided second July run (SNV unreadable) is not counted: 12 months on time
    assert snv["periods"] == {"on_time": 12, "late": 0, "incomplete": 0, "not_reported": 0}
    assert snv["terms"] == {
        "band_points": 60.0,
        "overdue_deduction": 1.0,
        "missed_report_deduction": 0.0,
        "late_report_deduction": 0.0,
    }
    assert snv["score"] == 59.0
    # STC: both on time -> 100; unreadable in March, April and the back-dated August (3 × 5), late in June (2)
    assert stc["periods"] == {"on_time": 8, "late": 1, "incomplete": 0, "not_reported": 3}
    assert stc["score"] == 100 - 15 - 2
    # XA1: 3 of 4 on time = 75 % -> 80; September incomplete (C1 stale) -> 2
    assert xa1["on_time_rate"] == 0.75 and xa1["periods"]["incomplete"] == 1
    assert xa1["score"] == 78.0
    # ranked within each group: the commune is not compared with the agencies
    assert [(g["label"], [u["code"] for u in g["units"]]) for g in doc["groups"]] == [
        ("Sở, ban, ngành", ["STC", "SNV"]),
        ("UBND cấp xã", ["XA1"]),
    ]
    assert {u["code"]: u["rank"] for u in units.values()} == {"STC": 1, "SNV": 2, "XA1": 1}


def test_formula_from_config_changes_every_term(year_history: Path, tmp_path: Path) -> None:
    text = year_history.read_text(encoding="utf-8")
    custom = year_history.parent / "custom.toml"
    custom.write_text(
        text.replace(
            "[sync]",
            "[evaluation]\nband_high = 0.7\npoints_high = 10\npoints_low = 4\nper_overdue_task = 0.5\n"
            "per_missed_report = 1\nper_late_report = 0\n\n[sync]",
        ),
        encoding="utf-8",
    )
    shutil.copy(year_history.with_suffix(".history.sqlite"), custom.with_suffix(".history.sqlite"))
    units = by_code(run_json(custom))
    assert units["XA1"]["terms"]["band_points"] == 10.0  # 75 % ≥ 70 %
    assert units["SNV"]["score"] == 4 - 0.5
    assert units["STC"]["score"] == 10 - 3
    assert run_json(custom)["formula"]["per_missed_report"] == 1.0


def test_workbook_for_the_department_of_home_affairs(year_history: Path, tmp_path: Path) -> None:
    out = tmp_path / "danh-gia.xlsx"
    result = CliRunner().invoke(
        cli, ["evaluate", "-c", str(year_history), "--year", str(YEAR), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Đã ghi tệp đánh giá" in result.output and "STC" in result.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Xếp loại", "Theo tháng", "Cách tính"]
    ws = wb["Xếp loại"]
    header = [c.value for c in ws[3]]
    assert header[0] == "Hạng trong nhóm" and header[-1] == "Điểm"
    assert ws["A4"].value == "Sở, ban, ngành"
    body = [list(row) for row in ws.iter_rows(min_row=5, values_only=True)]
    assert [r[1] for r in body] == ["STC", "SNV", None, "XA1"]  # the commune under its own group row
    assert body[2][0] == "UBND cấp xã"
    assert (body[0][0], body[0][-1]) == (1, 83) and (body[1][0], body[1][-1]) == (2, 59) and body[3][0] == 1
    months = wb["Theo tháng"]
    stc = next(r for r in months.iter_rows(values_only=True) if r[0] == "STC")
    assert stc[2 + 2] == "Không đọc được" and stc[2 + 5] == "Cập nhật muộn"
    formula = {r[0]: r[1] for r in wb["Cách tính"].iter_rows(values_only=True)}
    assert formula["Trừ mỗi kỳ không báo cáo"].startswith("5 điểm")


def test_a_year_without_runs_says_which_years_exist(year_history: Path) -> None:
    result = CliRunner().invoke(cli, ["evaluate", "-c", str(year_history), "--year", "2023"])
    assert result.exit_code == 1
    assert "năm 2023" in result.output and "2025" in result.output


def test_bad_formula_key_names_its_line(year_history: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[evaluation]\nband_high = 1.5\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", "-c", str(bad), "--year", str(YEAR)])
    assert result.exit_code == 2
    assert "dòng 2" in result.output and "band_high" in result.output


def test_libreoffice_opens_the_evaluation(year_history: Path, tmp_path: Path) -> None:
    out = tmp_path / "danh-gia.xlsx"
    assert (
        CliRunner()
        .invoke(cli, ["evaluate", "-c", str(year_history), "--year", str(YEAR), "--out", str(out)])
        .exit_code
        == 0
    )
    lo = tmp_path / "lo"
    convert(out, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1", lo, tmp_path)
    csv = lo / "danh-gia-Xếp loại.csv"  # LibreOffice names the first tab's file after it
    text = csv.read_text(encoding="utf-8")
    assert f"KẾT QUẢ THỰC HIỆN NHIỆM VỤ ĐƯỢC GIAO NĂM {YEAR}" in text
    stc = next(line for line in text.splitlines() if ",STC," in line)
    assert stc.split(",")[-1] == "83"
