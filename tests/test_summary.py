from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from sync.backends.xlsx.summary import write_xlsx
from sync.config import Config
from sync.engine import run_sync
from sync.exceptions import OutputError
from sync.summary import build_tables
from tests.helpers import AS_OF, has_child_process, summary_file, task_row

Province = Callable[..., Config]

STATS_HEADERS = [
    "Mã đơn vị",
    "Đơn vị",
    "Tổng số",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang thực hiện trong hạn",
    "Đang thực hiện quá hạn",
    "Không thời hạn",
    "Chưa phân loại",
    "Tỷ lệ hoàn thành",
    "Tỷ lệ đúng hạn",
    "Tình trạng báo cáo",
]


@pytest.fixture
def summary(province: Province, tmp_path: Path) -> Path:
    cfg = province(
        {
            "SNV": [
                task_row(
                    task_id="A",
                    summary='=HYPERLINK("http://x","bấm")',
                    status="Xong",
                    completed_on="01/02/2024",
                ),
                task_row(task_id="B", deadline="01/03/2024", obstacles="Thiếu kinh phí"),
                task_row(task_id="C", deadline="08/03/2024", progress="+84 phần trăm"),
                task_row(task_id="D", deadline="Thường xuyên"),
            ],
            "STC": None,
        }
    )
    return write_xlsx(build_tables(run_sync(cfg, AS_OF)), summary_file(cfg))


def test_tabs_and_headers(summary: Path) -> None:
    wb = openpyxl.load_workbook(summary)
    assert wb.sheetnames == ["Thống kê", "Nhiệm vụ", "Quá hạn", "Đề nghị gia hạn", "Cảnh báo", "Thông tin"]
    stats = wb["Thống kê"]
    assert [c.value for c in stats[1]] == STATS_HEADERS
    assert [c.value for c in stats[2]][:12] == ["SNV", "Sở Nội vụ", 4, 1, 0, 1, 1, 1, 0, 0.5, 0.5, "Đúng hạn"]
    assert [c.value for c in stats[3]][:3] == ["STC", "Sở Tài chính", 0]
    assert stats[3][11].value == "Không đọc được"
    assert [c.value for c in stats[4]][:3] == [None, "Tổng cộng", 4]
    assert stats["J2"].number_format == "0.0%"
    assert stats.freeze_panes == "A2"


def test_text_stays_text(summary: Path) -> None:
    wb = openpyxl.load_workbook(summary)
    tasks = wb["Nhiệm vụ"]
    header = [c.value for c in tasks[1]]
    col = header.index("Nội dung nhiệm vụ")
    cell = tasks.cell(row=2, column=col + 1)
    assert cell.value == '=HYPERLINK("http://x","bấm")'
    assert cell.data_type == "s"
    progress = tasks.cell(row=4, column=header.index("Kết quả thực hiện") + 1)
    assert progress.value == "+84 phần trăm" and progress.data_type == "s"


def test_tasks_dates_categories_and_colours(summary: Path) -> None:
    wb = openpyxl.load_workbook(summary)
    ws = wb["Nhiệm vụ"]
    header = [c.value for c in ws[1]]
    deadline = ws.cell(row=3, column=header.index("Thời hạn") + 1)
    assert deadline.value == datetime(2024, 3, 1)
    assert deadline.number_format == "dd/mm/yyyy"
    cats = [ws.cell(row=r, column=header.index("Phân loại") + 1).value for r in range(2, 6)]
    assert cats == [
        "Hoàn thành đúng hạn",
        "Đang thực hiện quá hạn",
        "Đang thực hiện trong hạn",
        "Không thời hạn",
    ]
    assert ws.cell(row=3, column=1).fill.fgColor.rgb.endswith("F8CBAD")  # overdue: red
    assert ws.cell(row=4, column=1).fill.fgColor.rgb.endswith("FFE699")  # due soon: amber
    overdue = wb["Quá hạn"]
    assert [c.value for c in overdue[2]][:6] == [
        "SNV",
        "Sở Nội vụ",
        "B",
        task_row()["summary"],
        datetime(2024, 3, 1),
        4,
    ]
    assert overdue.cell(row=2, column=9).value == "Thiếu kinh phí"


def test_findings_and_info(summary: Path) -> None:
    wb = openpyxl.load_workbook(summary)
    rows = list(wb["Cảnh báo"].iter_rows(min_row=2, values_only=True))
    # errors first: the unreadable unit's finding leads the tab
    assert rows[0][:2] == ("STC", "Sở Tài chính") and rows[0][7] == "source-unreadable"
    assert any(r[3] == "I6" and r[7] == "overdue" for r in rows)
    info = {r[0]: r[1] for r in wb["Thông tin"].iter_rows(min_row=2, values_only=True)}
    assert info["Ngày báo cáo"] == datetime(2024, 3, 5)
    assert info["Kỳ báo cáo: đến ngày"] == datetime(2024, 2, 25)


def test_crash_leaves_previous_summary_whole(
    province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = province({"SNV": [task_row()]})
    tables = build_tables(run_sync(cfg, AS_OF))
    target = write_xlsx(tables, summary_file(cfg))
    before = target.read_bytes()

    def boom(*args: object) -> None:
        Path(args[1]).write_bytes(b"half a file")  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr("sync.backends.xlsx.summary._render_xlsx", boom)
    with pytest.raises(KeyboardInterrupt):
        write_xlsx(tables, target)
    assert target.read_bytes() == before
    assert [p.name for p in target.parent.iterdir()] == [target.name]


def test_unwritable_target_is_output_error(province: Province, tmp_path: Path) -> None:
    cfg = province({"SNV": [task_row()]})
    blocker = tmp_path / "blocked"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="Không tạo được tệp tổng hợp"):
        write_xlsx(build_tables(run_sync(cfg, AS_OF)), blocker / "tong-hop.xlsx")


def test_background_writer_gives_the_same_workbook(province: Province, tmp_path: Path) -> None:
    from sync.backends.xlsx.summary import start_xlsx

    cfg = province({"SNV": [task_row(), task_row(task_id="B", deadline="01/03/2024")]})
    tables = build_tables(run_sync(cfg, AS_OF))
    fg = write_xlsx(tables, tmp_path / "fg.xlsx")
    assert not has_child_process()
    pending = start_xlsx(tables, tmp_path / "bg.xlsx", background=True)
    assert has_child_process()  # really in a child process
    bg = pending.finish()

    def values(path: Path) -> dict[str, list[tuple[object, ...]]]:
        wb = openpyxl.load_workbook(path)
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}

    assert values(bg) == values(fg)
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == []


def test_background_writer_failure_keeps_previous(
    province: Province, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.backends.xlsx.summary import start_xlsx

    cfg = province({"SNV": [task_row()]})
    tables = build_tables(run_sync(cfg, AS_OF))
    target = write_xlsx(tables, tmp_path / "tong-hop.xlsx")
    before = target.read_bytes()

    def boom(tables: object, path: Path) -> None:
        path.write_bytes(b"half")
        raise RuntimeError("đĩa đầy")

    monkeypatch.setattr("sync.backends.xlsx.summary._render_xlsx", boom)
    pending = start_xlsx(tables, target, background=True)
    with pytest.raises(OutputError, match="đĩa đầy"):
        pending.finish()
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_abort_stops_the_writer(province: Province, tmp_path: Path) -> None:
    from sync.backends.xlsx.summary import start_xlsx

    cfg = province({"SNV": [task_row()]})
    pending = start_xlsx(build_tables(run_sync(cfg, AS_OF)), tmp_path / "t.xlsx", background=True)
    pending.abort()
    assert not (tmp_path / "t.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_units_to_chase_are_coloured(summary: Path) -> None:
    stats = openpyxl.load_workbook(summary)["Thống kê"]
    assert stats["A3"].value == "STC"  # unreadable
    assert stats["A3"].fill.fgColor.rgb.endswith("F8CBAD")
    assert stats["A2"].fill.fgColor.rgb in ("00000000", None)  # on time: plain


def test_summary_is_readable_by_colleagues_and_keeps_its_mode(province: Province, tmp_path: Path) -> None:
    import os
    import stat

    cfg = province({"SNV": [task_row()]})
    tables = build_tables(run_sync(cfg, AS_OF))
    target = write_xlsx(tables, tmp_path / "t.xlsx")
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    os.chmod(target, 0o640)
    write_xlsx(tables, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_stale_temporaries_of_killed_runs_are_removed(province: Province, tmp_path: Path) -> None:
    import os
    import time

    cfg = province({"SNV": [task_row()]})
    old = tmp_path / ".t.xlsx.abc123.tmp"
    old.write_bytes(b"left by a killed run")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    recent = tmp_path / ".t.xlsx.def456.tmp"
    recent.write_bytes(b"another run, still writing")
    write_xlsx(build_tables(run_sync(cfg, AS_OF)), tmp_path / "t.xlsx")
    assert not old.exists() and recent.exists()


def test_percent_cells_hold_the_rate_rounded_as_shown_elsewhere(province: Province) -> None:
    from sync.summary.tables import stats_table

    result = run_sync(province({"SNV": [task_row()]}), AS_OF)
    result.units[0].completion_rate, result.units[0].on_time_rate = 0.8125, 0.00049
    result.totals["completion_rate"] = 0.66665
    row, total = stats_table(result).rows
    assert row[9:11] == [0.813, 0.0]  # 81,3% and 0,0%, as the report and the terminal show them
    assert total[9] == 0.667  # 66,665% shows 66,7%


def _two_tier_province(province: Province) -> Config:
    """Two departments, a pre-2025 district committee and two commune-level committees."""
    done = {"status": "Hoàn thành", "completed_on": "15/02/2024"}
    return province(
        {
            "SNV": [task_row()],  # in progress, on time
            "STC": [task_row(task_id="NV-002", **done)],  # completed on time
            "RG": [task_row(task_id="NV-003", deadline="01/03/2024")],  # overdue
            "X-MHH": [
                task_row(task_id="NV-004", deadline="01/03/2024", status="Xong", completed_on="04/03/2024")
            ],
            "P-BD": [task_row(task_id="NV-005", **done)],  # completed on time
        }
    )


def test_stats_groups_units_with_a_subtotal_row_each(province: Province) -> None:
    summary = write_xlsx(
        build_tables(run_sync(cfg := _two_tier_province(province), AS_OF)), summary_file(cfg)
    )
    stats = openpyxl.load_workbook(summary)["Thống kê"]
    rows = [[c.value for c in r][:11] for r in stats.iter_rows(min_row=2)]
    # counts: total, on time, late, in progress on time, overdue, no deadline, unclassified; rates
    assert [r[:2] for r in rows] == [
        ["I", "Sở, ban, ngành (2 đơn vị)"],
        ["SNV", "Sở Nội vụ"],
        ["STC", "Sở Tài chính"],
        ["II", "UBND cấp huyện (1 đơn vị)"],
        ["RG", "UBND thành phố Rạch Giá"],
        ["III", "UBND cấp xã (2 đơn vị)"],
        ["X-MHH", "UBND xã Mỹ Hòa Hưng"],
        ["P-BD", "UBND phường Bình Đức"],
        [None, "Tổng cộng"],
    ]
    assert rows[0][2:] == [2, 1, 0, 1, 0, 0, 0, 1.0, 1.0]  # 1 completed of 1 rated
    assert rows[3][2:] == [1, 0, 0, 0, 1, 0, 0, 0.0, 0.0]  # 0 of 1
    assert rows[5][2:] == [2, 1, 1, 0, 0, 0, 0, 1.0, 0.5]  # 2 of 2, 1 on time
    assert rows[8][2:] == [5, 2, 1, 1, 1, 0, 0, 0.75, 0.5]  # 3 of 4, 2 on time
    assert stats["A2"].font.bold and not stats["A3"].font.bold


def test_stats_of_one_group_has_no_group_rows(province: Province) -> None:
    from sync.summary.tables import stats_table

    rows = stats_table(
        run_sync(province({"SNV": [task_row()], "STC": [task_row(task_id="NV-2")]}), AS_OF)
    ).rows
    assert [r[0] for r in rows] == ["SNV", "STC", ""]


def test_code_column_fits_the_longest_code(province: Province) -> None:
    from sync.summary.tables import build_tables

    long = "X-VINHTHANHTRUNG"
    tables = build_tables(run_sync(province({"SNV": [task_row()], long: None}), AS_OF))
    assert {t.name: t.columns[0].width for t in tables if t.columns[0].title == "Mã đơn vị"} == {
        "Thống kê": len(long) + 2,
        "Nhiệm vụ": len(long) + 2,
        "Quá hạn": len(long) + 2,
        "Đề nghị gia hạn": len(long) + 2,
        "Cảnh báo": len(long) + 2,
    }


def test_a_short_text_of_several_lines_gets_the_height_of_its_lines(tmp_path: Path) -> None:
    """Row heights are written (LibreOffice does not compute them): lines typed with Alt+Enter count."""
    from sync.backends.xlsx.summary import write_xlsx
    from sync.summary.tables import Column, Table

    t = Table("Thử", [Column("Mã", 8), Column("Ghi chú", 40, wrap=True)])
    t.add(["A", "dòng 1\ndòng 2\ndòng 3"])
    t.add(["B", "một dòng"])
    t.add(["C", "x" * 100])  # 100 characters in a 40-wide column: three lines
    ws = openpyxl.load_workbook(write_xlsx([t], tmp_path / "thu.xlsx"))["Thử"]
    assert [ws.row_dimensions[r].height for r in (2, 3, 4)] == [48, None, 48]
