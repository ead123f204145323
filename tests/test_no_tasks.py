"""Units with nothing to do (contract §3, ``no_tasks``): neither on time nor late, rates null, not
among the units that reported — in the JSON, the terminal, Thống kê, the report's text and charts,
the history (diff, old runs), the reminders and the year-end evaluation.

Each province is a handful of real .xlsx workbooks synced through the library and the CLI;
the figures expected are worked out by hand in the comments.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from sync.cli import cli
from sync.config import Config, load_config
from sync.demo import make_demo
from sync.engine import run_sync
from sync.evaluate import evaluate_year
from sync.evaluate.render import render_evaluation
from sync.evaluate.workbook import write_evaluation
from sync.history import SCHEMA_VERSION, History
from sync.pipeline import sync_and_record
from sync.remind import remind
from sync.report import write_charts, write_report
from sync.report.facts import build_facts, load_facts
from sync.schema import register_schema
from tests.helpers import AS_OF, summary_file, task_row, write_config, write_workbook
from tests.test_report_sections import document_text

IDLE = "Chưa có nhiệm vụ"
UNITS = [
    ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),  # two tasks, updated in the period: on time
    ("STC", "Sở Tài chính", "units/STC.xlsx"),  # one task updated after the cutoff: late
    ("SDL", "Sở Du lịch", "units/SDL.xlsx"),  # an empty sheet: no task
    ("X", "UBND xã Mỹ Hòa Hưng", "units/X.xlsx"),  # an empty sheet: no task
    ("P", "UBND phường Bình Đức", "units/P.xlsx"),  # one overdue task, updated: on time
]
KINDS = {"X": "xa", "P": "phuong"}


def _mail(config: Path, codes: tuple[str, ...]) -> None:
    """Give ``codes`` an e-mail address each (a unit without one still gets its notice built)."""
    text = config.read_text(encoding="utf-8")
    for code in codes:
        source = f'source = "units/{code}.xlsx"'
        text = text.replace(source, f'{source}\nemails = ["vanthu@{code.lower()}.vn"]')
    config.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """The five units above, synced and recorded as of 05/03/2024 (period 26/01 – 25/02/2024)."""
    d = tmp_path_factory.mktemp("idle")
    write_workbook(
        d / "units" / "SNV.xlsx",
        [
            task_row(task_id="NV-1", status="Đã hoàn thành", completed_on="10/02/2024"),
            task_row(task_id="NV-2"),
        ],
    )
    write_workbook(
        d / "units" / "STC.xlsx",
        [task_row(task_id="NV-3", lead_unit="Sở Tài chính", updated_on="28/02/2024")],
    )
    write_workbook(d / "units" / "SDL.xlsx", [])
    write_workbook(d / "units" / "X.xlsx", [])
    write_workbook(
        d / "units" / "P.xlsx",
        [task_row(task_id="NV-4", lead_unit="UBND phường Bình Đức", deadline="15/02/2024")],
    )
    path = write_config(d, UNITS, kinds=KINDS)
    _mail(path, ("SNV", "STC", "SDL", "X", "P"))
    config = load_config(path)
    sync_and_record(config, AS_OF)
    return config


def test_json_gives_idle_units_no_tasks_and_null_rates(province: Config) -> None:
    result = CliRunner().invoke(
        cli, ["sync", "-c", str(province.path), "--as-of", "05/03/2024", "--dry-run", "--json"]
    )
    assert result.exit_code == 0, result.output
    units = {u["code"]: u for u in json.loads(result.stdout)["units"]}
    assert {c: u["report_status"] for c, u in units.items()} == {
        "SNV": "on_time",
        "STC": "late",
        "SDL": "no_tasks",
        "X": "no_tasks",
        "P": "on_time",
    }
    for code in ("SDL", "X"):
        assert units[code]["counts"]["total"] == 0
        assert (units[code]["completion_rate"], units[code]["on_time_rate"]) == (None, None)


def test_terminal_counts_idle_units_apart(province: Config) -> None:
    result = CliRunner().invoke(cli, ["sync", "-c", str(province.path), "--as-of", "05/03/2024", "--dry-run"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert next(line for line in lines if line.startswith("SDL ")).endswith(IDLE)
    assert "Cập nhật muộn: STC" in lines
    assert f"{IDLE}: 2/5 đơn vị (không tính là đúng hạn hay chậm)" in lines


def test_thong_ke_says_no_task_and_does_not_colour_it(province: Config) -> None:
    ws = openpyxl.load_workbook(summary_file(province))["Thống kê"]
    header = [c.value for c in ws[1]]
    status = header.index("Tình trạng báo cáo")
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value in ("SNV", "STC", "SDL", "X")}
    assert [rows[c][status].value for c in ("SNV", "STC", "SDL", "X")] == [
        "Đúng hạn",
        "Cập nhật muộn",
        IDLE,
        IDLE,
    ]
    assert rows["SDL"][2].value == 0  # Tổng số
    assert rows["SDL"][header.index("Tỷ lệ đúng hạn")].value is None  # nothing to rate

    def fill(code: str) -> Any:
        return rows[code][status].fill.fgColor.rgb

    assert fill("SDL") == fill("X") == fill("SNV") != fill("STC")  # nothing to chase: no colour


def _report(province: Config, out: Path) -> str:
    files = write_report(province, province.history_path, None, out, pdf=False)
    return document_text(Document(str(files.docx)))


def test_report_counts_only_units_with_tasks(province: Config, tmp_path: Path) -> None:
    text = _report(province, tmp_path)
    # 4 tasks of SNV (2), STC (1) and P (1); SDL and X had nothing to report
    assert (
        "Tổng số nhiệm vụ đang theo dõi: 4 nhiệm vụ của 3/5 đơn vị đã báo cáo (2 đơn vị chưa có nhiệm vụ), "
        "trong đó:"
    ) in text
    assert (
        "Kỳ này có 2/3 đơn vị cập nhật đầy đủ, đúng hạn (không tính 2 đơn vị chưa có nhiệm vụ); "
        "1 đơn vị cập nhật chậm (chi tiết tại Bảng 2)."
    ) in text
    # the proposals name the late unit only
    assert "Nhắc nhở các đơn vị chưa cập nhật đầy đủ, đúng hạn (Sở Tài chính) cập nhật" in text
    assert (
        "(số nhiệm vụ theo phân loại; 3/5 đơn vị: không thể hiện 2 đơn vị chưa có nhiệm vụ, "
        "đủ các đơn vị tại Phụ lục I)"
    ) in text


def test_table_2_leaves_idle_units_out_and_appendix_lists_them(province: Config, tmp_path: Path) -> None:
    files = write_report(province, province.history_path, None, tmp_path, pdf=False)
    tables = Document(str(files.docx)).tables
    table2 = next(t for t in tables if [c.text for c in t.rows[0].cells][2:4] == ["Tình trạng", "Ghi chú"])
    # one lagging agency out of the two that had tasks; no commune lags
    assert [[c.text for c in r.cells][:3] for r in table2.rows[1:]] == [
        ["I", "Sở, ban, ngành (1/2 đơn vị)", ""],
        ["1", "Sở Tài chính", "Cập nhật muộn"],
    ]
    appendix = next(t for t in tables if t.rows[0].cells[-1].text == "Tình trạng báo cáo")
    status = {r.cells[1].text: r.cells[-1].text for r in appendix.rows[1:]}
    assert status["Sở Du lịch"] == status["UBND xã Mỹ Hòa Hưng"] == IDLE


def test_units_chart_has_no_bar_for_a_unit_without_tasks(province: Config, tmp_path: Path) -> None:
    with History(province.history_path) as h:
        facts = load_facts(h, None)
        run = h.load(facts.run_id)
    assert [u.code for u in facts.chart_units] == ["SNV", "STC", "P"]
    drawn = write_charts(facts, tmp_path / "with")["units"].read_bytes()
    # the same run without its idle units draws the very same picture (same data, same bytes)
    run.units = [u for u in run.units if u.report_status != "no_tasks"]
    without = write_charts(build_facts(facts.month, run), tmp_path / "without")["units"].read_bytes()
    assert drawn == without
    run.units = run.units[:1]  # the comparison can tell charts apart
    assert write_charts(build_facts(facts.month, run), tmp_path / "one")["units"].read_bytes() != drawn


def test_reminders_skip_units_with_nothing_to_do(province: Config) -> None:
    notices = remind(province, dry_run=True).notices
    # STC updated late (info), P has an overdue task; SNV has nothing due soon; SDL and X nothing at all
    assert sorted(n.unit for n in notices) == ["P", "STC"]
    out = CliRunner().invoke(cli, ["remind", "-c", str(province.path), "--dry-run"])
    assert out.exit_code == 0, out.output
    assert "=== SDL" not in out.output and "=== X " not in out.output


# ----------------------------------------------------------------- the register


def _register_row(task_id: str, lead: str, doc_date: str) -> dict[str, Any]:
    names = register_schema().names
    row = task_row(task_id=task_id, lead_unit=lead, doc_date=doc_date)
    return {k: v for k, v in row.items() if k in names}


def _register_province(d: Path, register: str = "danh-muc.xlsx") -> Config:
    """SNV owes NV-1 (assigned 10/01, before P) but its sheet is empty; STC's NV-2 was assigned
    after P (01/02); SDL's sheet holds SNV's NV-1 only; X has nothing; SGD has NV-3 but lacks NV-4."""
    fields, titles = list(register_schema().names), [f.title for f in register_schema().fields]
    write_workbook(
        d / "danh-muc.xlsx",
        [
            _register_row("NV-1", "Sở Nội vụ", "10/01/2024"),
            _register_row("NV-2", "Sở Tài chính", "01/02/2024"),
            _register_row("NV-3", "Sở Giáo dục và Đào tạo", "10/01/2024"),
            _register_row("NV-4", "Sở Giáo dục và Đào tạo", "12/01/2024"),
        ],
        fields=fields,
        headers=titles,
        tab="Danh mục nhiệm vụ",
    )
    for code in ("SNV", "STC", "X"):
        write_workbook(d / "units" / f"{code}.xlsx", [])
    write_workbook(d / "units" / "SDL.xlsx", [task_row(task_id="NV-1")])
    write_workbook(d / "units" / "SGD.xlsx", [task_row(task_id="NV-3", lead_unit="Sở Giáo dục và Đào tạo")])
    units = [
        ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),
        ("STC", "Sở Tài chính", "units/STC.xlsx"),
        ("SDL", "Sở Du lịch", "units/SDL.xlsx"),
        ("X", "UBND xã Mỹ Hòa Hưng", "units/X.xlsx"),
        ("SGD", "Sở Giáo dục và Đào tạo", "units/SGD.xlsx"),
    ]
    return load_config(write_config(d, units, extra=f'\n[register]\nsource = "{register}"\n', kinds=KINDS))


def test_a_unit_the_register_gives_tasks_is_not_idle(tmp_path: Path) -> None:
    result = run_sync(_register_province(tmp_path), AS_OF)
    assert {u.code: u.report_status for u in result.units} == {
        "SNV": "missing",  # owes NV-1 and has no row: it reported nothing on it
        "STC": "on_time",  # NV-2 came after P: nothing owed yet, but it has a task
        "SDL": "no_tasks",  # its only row is SNV's task (wrong-unit), counted for SNV only
        "X": "no_tasks",
        "SGD": "incomplete",  # NV-3 updated, NV-4 missing from its sheet
    }
    snv = next(u for u in result.units if u.code == "SNV")
    assert snv.counts["total"] == 0 and snv.on_time_rate is None  # no row: nothing classified


def test_without_a_readable_register_an_empty_sheet_is_idle(tmp_path: Path) -> None:
    result = run_sync(_register_province(tmp_path, register="khong-co.xlsx"), AS_OF)
    status = {u.code: u.report_status for u in result.units}
    assert status["SNV"] == status["STC"] == "no_tasks"  # the register could not say otherwise
    assert [f.code for f in result.findings if f.unit == "register"] == ["source-unreadable"]


def test_register_gaps_reach_the_report_and_the_reminders(tmp_path: Path) -> None:
    config = _register_province(tmp_path)
    sync_and_record(config, AS_OF)
    files = write_report(config, config.history_path, None, tmp_path / "bao-cao", pdf=False)
    table2 = next(
        t
        for t in Document(str(files.docx)).tables
        if [c.text for c in t.rows[0].cells][2:4] == ["Tình trạng", "Ghi chú"]
    )
    notes = {r.cells[1].text: r.cells[3].text for r in table2.rows[1:] if r.cells[0].text not in ("I", "II")}
    assert notes == {
        "Sở Nội vụ": "Không cập nhật trong kỳ (1 nhiệm vụ được giao chưa có trong bảng theo dõi)",
        "Sở Giáo dục và Đào tạo": "1 nhiệm vụ được giao chưa có trong bảng theo dõi",
    }
    notices = {n.unit: n for n in remind(config, dry_run=True).notices}
    register = "Đối chiếu với danh mục nhiệm vụ của Văn phòng"
    # SNV and SGD must add their rows, STC too (not owed yet, but its); SDL holds SNV's row; X: nothing
    assert sorted(notices) == ["SDL", "SGD", "SNV", "STC"]
    assert notices["SNV"].sections == {register: 1} and "“NV-1”" in notices["SNV"].text
    assert register in notices["SDL"].sections


# ----------------------------------------------------------------- the history


def _month(d: Path, as_of: date, *, sdl: bool) -> None:
    """SNV updated in the period of ``as_of``; SDL gets a task in March 2024; X never has one."""
    updated = (date(as_of.year, as_of.month, 25) - timedelta(days=40)).strftime("%d/%m/%Y")
    write_workbook(d / "units" / "SNV.xlsx", [task_row(task_id="NV-1", updated_on=updated)])
    sdl_rows = [task_row(task_id="NV-2", lead_unit="Sở Du lịch", doc_date="01/03/2024")] if sdl else []
    write_workbook(d / "units" / "SDL.xlsx", sdl_rows)
    write_workbook(d / "units" / "X.xlsx", [])


def _as_version_4(path: Path) -> None:
    """The history as ubnd-sync wrote it before ``no_tasks``: idle units recorded ``on_time``."""
    conn = sqlite3.connect(path)
    conn.execute("UPDATE unit_results SET report_status = 'on_time' WHERE report_status = 'no_tasks'")
    conn.execute("ALTER TABLE deliveries DROP COLUMN address")  # version 6's, as version 4 had none
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()


def _three_units(d: Path) -> Config:
    units = [(c, n, s) for c, n, s in UNITS if c in ("SNV", "SDL", "X")]
    return load_config(write_config(d, units, kinds=KINDS))


def test_old_runs_read_idle_units_as_no_tasks(tmp_path: Path) -> None:
    config = _three_units(tmp_path)
    _month(tmp_path, AS_OF, sdl=False)
    outcome = sync_and_record(config, AS_OF)
    assert outcome.recorded is not None
    run_id = outcome.recorded.run_id
    _as_version_4(config.history_path)
    conn = sqlite3.connect(config.history_path)  # a run of X that the register said had tasks
    conn.execute(
        "INSERT INTO findings (run_id, position, unit, code, severity, message) "
        "VALUES (?, 99, 'X', 'task-missing', 'warning', 'Nhiệm vụ “NV-7” …')",
        (run_id,),
    )
    conn.commit()
    conn.close()
    with History(config.history_path) as h:
        assert h.schema_version == SCHEMA_VERSION == 6
        old = h.load(run_id)
    assert {u.code: u.report_status for u in old.units} == {
        "SNV": "on_time",
        "SDL": "no_tasks",
        "X": "on_time",
    }
    assert config.history_path.with_name(f"{config.history_path.name}.v4.bak").exists()


def test_diff_and_so_sanh_across_the_upgrade(tmp_path: Path) -> None:
    config = _three_units(tmp_path)
    _month(tmp_path, AS_OF, sdl=False)
    sync_and_record(config, AS_OF)
    _as_version_4(config.history_path)  # recorded by the earlier version
    april = date(2024, 4, 5)
    _month(tmp_path, april, sdl=True)
    sync_and_record(config, april)
    result = CliRunner().invoke(cli, ["diff", "-c", str(config.path), "--json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.stdout)["report_status_changes"]
    # SDL got its first task; X, idle in both runs, did not change status with the upgrade
    assert [(c["code"], c["old_report_status"], c["new_report_status"]) for c in changes] == [
        ("SDL", "no_tasks", "on_time")
    ]
    text = CliRunner().invoke(cli, ["diff", "-c", str(config.path)]).output
    assert f"Sở Du lịch (SDL): {IDLE} → Đúng hạn" in text
    ws = openpyxl.load_workbook(summary_file(config))["So sánh"]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["X"][-2:] == (IDLE, IDLE)  # this period, the previous one
    assert rows["SDL"][-2:] == ("Đúng hạn", IDLE)


# ----------------------------------------------------------------- the evaluation

YEAR = 2025
EVAL_UNITS = [
    ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),  # both tasks completed on time
    ("STC", "Sở Tài chính", "units/STC.xlsx"),  # its one task completed late
    ("SDL", "Sở Du lịch", "units/SDL.xlsx"),  # never a task
    ("SNGV", "Sở Ngoại vụ", "units/SNGV.xlsx"),  # never sent its workbook
    ("STP", "Sở Tư pháp", "units/STP.xlsx"),  # one task due in December, in progress in March
    ("X", "UBND xã Mỹ Hòa Hưng", "units/X.xlsx"),  # one task, completed on time
    ("P", "UBND phường Bình Đức", "units/P.xlsx"),  # never a task
]
#: unit -> (task id, deadline, completed on)
EVAL_TASKS = {
    "SNV": [("A1", date(2025, 1, 31), date(2025, 1, 20)), ("A2", date(2025, 2, 28), date(2025, 2, 25))],
    "STC": [("B1", date(2025, 1, 31), date(2025, 2, 10))],
    "X": [("C1", date(2025, 2, 15), date(2025, 2, 10))],
    "STP": [("D1", date(2025, 12, 20), date(2025, 12, 15))],
}


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Config:
    """January to March 2025, every sheet updated in its period."""
    d = tmp_path_factory.mktemp("year")
    names = {c: n for c, n, _ in EVAL_UNITS}
    config = load_config(write_config(d, EVAL_UNITS, kinds=KINDS))
    for month in (1, 2, 3):
        as_of = date(YEAR, month, 27)  # cutoff day 25: the run reports on ``month``
        updated = date(YEAR, month, 20).strftime("%d/%m/%Y")
        for code in ("SNV", "STC", "SDL", "STP", "X", "P"):
            rows = []
            for task_id, deadline, done in EVAL_TASKS.get(code, []):
                finished = done <= as_of
                rows.append(
                    task_row(
                        task_id=task_id,
                        lead_unit=names[code],
                        doc_date="02/01/2025",
                        deadline=deadline.strftime("%d/%m/%Y"),
                        status="Đã hoàn thành" if finished else "Đang thực hiện",
                        completed_on=done.strftime("%d/%m/%Y") if finished else None,
                        updated_on=updated,
                    )
                )
            write_workbook(d / "units" / f"{code}.xlsx", rows)
        sync_and_record(config, as_of)
    return config


def test_idle_units_are_listed_but_neither_scored_nor_ranked(year: Config) -> None:
    result = CliRunner().invoke(cli, ["evaluate", "-c", str(year.path), "--year", str(YEAR), "--json"])
    assert result.exit_code == 0, result.output
    groups = {g["group"]: g["units"] for g in json.loads(result.stdout)["groups"]}
    ranked = {g: [(u["code"], u["rank"], u["score"]) for u in units] for g, units in groups.items()}
    # SNV 2/2 on time -> 100, alone at the top; STC 0/1 on time -> 60; the units with no task due in
    # the year come after, without a rank or a score (before: SDL tied first with 100)
    assert ranked == {
        "so-nganh": [
            ("SNV", 1, 100.0),
            ("STC", 2, 60.0),
            ("SDL", None, None),
            ("SNGV", None, None),
            ("STP", None, None),
        ],
        # a single task decides the band like any other count: X's 1/1 on time -> 100
        "cap-xa": [("X", 1, 100.0), ("P", None, None)],
    }
    units = {u["code"]: u for us in groups.values() for u in us}
    sdl, sngv = units["SDL"], units["SNGV"]
    assert sdl["terms"] is None and sdl["not_scored"] == "no_task_due"
    assert sdl["not_scored_reason"] == "không có nhiệm vụ đến hạn trong năm"
    # months without a task count for nothing: neither reported on time nor late
    assert sdl["periods"] == {"on_time": 0, "late": 0, "incomplete": 0, "not_reported": 0}
    assert units["SNV"]["periods"]["on_time"] == 3 and units["SNV"]["not_scored"] is None
    # never readable: no task could be seen; its three months not reported stay on record
    assert sngv["not_scored"] == "no_readable_task" and sngv["periods"]["not_reported"] == 3
    # a task due in the year but not yet due at the year's last run (March): nothing rated yet
    stp = units["STP"]
    assert (
        stp["tasks"]["due"] == stp["tasks"]["in_progress_on_time"] == 1 and stp["not_scored"] == "none_rated"
    )
    assert stp["periods"]["on_time"] == 3  # it had a task to report on every month


def test_terminal_and_workbook_say_why_a_unit_is_not_ranked(year: Config, tmp_path: Path) -> None:
    ev = evaluate_year(year, YEAR)
    lines = render_evaluation(ev).splitlines()
    sdl = next(line for line in lines if "SDL" in line)
    assert sdl.split()[0] == "—" and "(không xếp hạng: không có nhiệm vụ đến hạn trong năm)" in sdl
    assert next(line for line in lines if "SNV" in line).split()[:3] == ["1", "SNV", "2"]  # rank, code, tasks
    out = write_evaluation(ev, tmp_path / "danh-gia.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Xếp loại"]
    header = [c.value for c in ws[3]]
    rows = {r[1]: r for r in ws.iter_rows(min_row=4, values_only=True)}
    assert (rows["SNV"][0], rows["SNV"][-1], rows["SNV"][header.index("Ghi chú")]) == (1, 100, None)
    assert (rows["SDL"][0], rows["SDL"][-1]) == (None, None)
    assert rows["SDL"][header.index("Ghi chú")] == "Không xếp hạng: không có nhiệm vụ đến hạn trong năm"
    months = {r[0]: r for r in wb["Theo tháng"].iter_rows(values_only=True)}
    assert months["SDL"][2:5] == (IDLE, IDLE, IDLE)


# ----------------------------------------------------------------- the demo


def test_demo_before_the_tasks_are_handed_out(tmp_path: Path) -> None:
    """15/01/2025: ten units have tasks; the other 105 readable ones have none (issue 18)."""
    demo = make_demo(tmp_path, as_of=date(2025, 1, 15))
    expected = Counter(e.report_status for e in demo.expected.values())
    assert expected == {"no_tasks": 105, "on_time": 10, "unreadable": 2, "invalid": 1}
    result = run_sync(load_config(demo.config_path), date(2025, 1, 15))
    assert {u.code: u.report_status for u in result.units} == {
        c: e.report_status for c, e in demo.expected.items()
    }
