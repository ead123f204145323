"""The report's text as the Chairman reads it: official wording only, counts of the units counted,
titles that do not break inside “tháng 10”, and a plain line in place of an empty chart.

A small province is synced once with a unit whose file is missing, a unit whose source
is a Google-style id (not found) and a unit whose sheet lacks a required column; the
document is read back from the .docx (paragraphs, tables, headers and footers).
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from sync import findings as F
from sync.config import Config, load_config
from sync.engine import run_sync
from sync.history import History
from sync.report import write_report
from sync.report.docx import ReportHeading
from sync.report.facts import build_facts
from sync.report.months import NBSP, unbreakable
from sync.report.sections import build_document
from sync.schema import unit_sheet_schema
from tests.helpers import task_row, write_config, write_workbook

AS_OF = date(2024, 3, 5)  # period ending 25/02/2024: month 2024-02
SHEET_ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"
UNITS = [
    ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),  # three tasks
    ("RG", "UBND thành phố Rạch Giá", "units/RG.xlsx"),  # a readable sheet without tasks: no_tasks
    ("SNGV", "Sở Ngoại vụ", "units/SNGV.xlsx"),  # file not sent
    ("SGD", "Sở Giáo dục và Đào tạo", SHEET_ID),  # a Google-style id: not found
    ("STC", "Sở Tài chính", "units/STC.xlsx"),  # no “Tình trạng” column
]


def document_text(doc: Any) -> str:
    """Every paragraph of the body (tables included), the headers and footers, and the properties."""
    parts: list[Any] = [doc.element.body]
    for section in doc.sections:
        for part in (
            section.header,
            section.footer,
            section.first_page_header,
            section.first_page_footer,
            section.even_page_header,
            section.even_page_footer,
        ):
            parts.append(part._element)
    lines = [
        "".join(t.text or "" for t in p.iter(qn("w:t"))) for element in parts for p in element.iter(qn("w:p"))
    ]
    props = doc.core_properties
    lines += [props.title, props.subject, props.keywords, props.author, props.comments]
    return "\n".join(line for line in lines if line)


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Config:
    directory = tmp_path_factory.mktemp("units-folder")
    write_workbook(
        directory / "units" / "SNV.xlsx",
        [
            task_row(task_id="NV-001"),
            task_row(stt=2, task_id="NV-002", deadline="15/02/2024", obstacles="Chờ ý kiến của Bộ"),
            task_row(stt=3, task_id="NV-003", status="Đã hoàn thành", completed_on="10/02/2024"),
        ],
    )
    write_workbook(directory / "units" / "RG.xlsx", [])
    schema = unit_sheet_schema()
    write_workbook(
        directory / "units" / "STC.xlsx",
        [task_row(task_id="NV-101", lead_unit="Sở Tài chính")],
        fields=[f for f in schema.names if f != "status"],
    )
    config = load_config(write_config(directory, UNITS))
    result = run_sync(config, AS_OF)
    with History(config.history_path) as h:
        h.record(result, config_path=str(config.path))
    return config


def forbidden(config: Config) -> list[str]:
    """What must never reach the Chairman: paths, file names, ids, finding codes, notes to the Office."""
    return [
        str(config.base_dir),
        config.base_dir.name,
        "units/",
        "SNGV.xlsx",
        ".xlsx",
        SHEET_ID,
        "Văn phòng kiểm tra",
        "cấu hình",
        "Không đọc được bảng tính",
        *F.CATALOGUE,
    ]


@pytest.fixture(scope="module")
def report_text(province: Config, tmp_path_factory: pytest.TempPathFactory) -> str:
    files = write_report(province, province.history_path, None, tmp_path_factory.mktemp("bao-cao"), pdf=False)
    return document_text(Document(str(files.docx)))


def test_the_sync_did_record_the_internal_text(province: Config) -> None:
    """The premise: the history holds findings naming the folder, the file and the id."""
    with History(province.history_path) as h:
        run = h.load(h.latest_run().id)  # type: ignore[union-attr,arg-type]
    messages = " ".join(f.message for f in run.findings)
    assert str(province.base_dir) in messages and "SNGV.xlsx" in messages and SHEET_ID in messages
    assert "Văn phòng kiểm tra đường dẫn trong cấu hình" in messages
    assert {u.code: u.report_status for u in run.units} == {
        "SNV": "on_time",
        "RG": "no_tasks",
        "SNGV": "unreadable",
        "SGD": "unreadable",
        "STC": "invalid",
    }


def test_no_path_id_file_or_finding_code_reaches_the_report(province: Config, report_text: str) -> None:
    for text in forbidden(province):
        assert text not in report_text, text
    # the units left out are described in official words
    assert "Bảng theo dõi không đọc được; số liệu của đơn vị chưa được tính" in report_text
    assert "Bảng theo dõi sai mẫu (thiếu cột bắt buộc); số liệu của đơn vị chưa được tính" in report_text


@pytest.mark.parametrize("code", sorted(F.CATALOGUE))
def test_no_finding_of_any_code_reaches_the_report(province: Config, code: str) -> None:
    """Whatever finding the run holds, for any unit, its message, cell and code stay out of the report."""
    with History(province.history_path) as h:
        run = h.load(h.latest_run().id)  # type: ignore[union-attr,arg-type]
    path = str(province.base_dir / "units" / "SNGV.xlsx")
    kind = F.CATALOGUE[code]
    # every name its template needs (a name left out is a mistake in the code: make() raises)
    details = dict.fromkeys(kind.placeholders - {"cell", "row", "sheet", "value", "title", "text"}, SHEET_ID)
    details.update(
        detail=f"không tìm thấy tệp {path}",
        hint="Văn phòng kiểm tra đường dẫn trong cấu hình.",
        other=SHEET_ID,
        other_cell="Z99",
        others=SHEET_ID,
    )
    for unit in ("SNV", "SNGV", "SGD", "STC"):
        run.findings.append(
            F.make(kind, unit=unit, sheet="Nhiệm vụ", cell="Q7", row=7, field="status", value=path, **details)
        )
    doc = build_document(build_facts("2024-02", run), ReportHeading(), 25, {})
    text = document_text(doc)
    for item in forbidden(province):
        assert item not in text, item
    assert "Q7" not in text and "Z99" not in text


def test_counts_only_the_units_counted(report_text: str) -> None:
    # hand-checked: SNV's 3 tasks; RG (readable, no task) did not report: it had nothing to report
    # (contract §3); SNGV and SGD unreadable, STC invalid
    assert (
        "Tổng số nhiệm vụ đang theo dõi: 3 nhiệm vụ của 1/5 đơn vị đã báo cáo (1 đơn vị chưa có nhiệm vụ; "
        "3 đơn vị chưa tính: 2 đơn vị chưa gửi báo cáo hoặc bảng theo dõi không đọc được, 1 đơn vị bảng "
        "theo dõi sai mẫu), trong đó:"
    ) in report_text
    assert (
        "Kỳ này có 1/4 đơn vị cập nhật đầy đủ, đúng hạn (không tính 1 đơn vị chưa có nhiệm vụ); "
        in report_text
    )


def test_counts_every_unit_when_all_are_counted(province: Config) -> None:
    with History(province.history_path) as h:
        run = h.load(h.latest_run().id)  # type: ignore[union-attr,arg-type]
    units = run.units
    run.units = [u for u in units if u.code == "SNV"]
    text = document_text(build_document(build_facts("2024-02", run), ReportHeading(), 25, {}))
    assert "Tổng số nhiệm vụ đang theo dõi: 3 nhiệm vụ của 1 đơn vị, trong đó:" in text
    # a unit with no task is not among those that reported (contract §3)
    run.units = [u for u in units if u.code in ("SNV", "RG")]
    text = document_text(build_document(build_facts("2024-02", run), ReportHeading(), 25, {}))
    assert (
        "Tổng số nhiệm vụ đang theo dõi: 3 nhiệm vụ của 1/2 đơn vị đã báo cáo (1 đơn vị chưa có nhiệm vụ), "
        "trong đó:"
    ) in text


def test_titles_do_not_break_inside_month_and_year(report_text: str) -> None:
    assert f"giao tháng{NBSP}2 năm{NBSP}2024" in report_text
    assert f"CỦA CÁC ĐƠN VỊ THÁNG{NBSP}2 NĂM{NBSP}2024" in report_text
    assert unbreakable("ngày 5 tháng 10 năm 2024") == f"ngày{NBSP}5 tháng{NBSP}10 năm{NBSP}2024"
    assert unbreakable("tháng trước") == "tháng trước"


def test_a_chart_without_data_is_a_line_of_text(report_text: str, province: Config, tmp_path: Path) -> None:
    # a first month: no trend to draw; Biểu đồ 2 has SNV's bars
    assert "(Biểu đồ 1 không được lập: lịch sử chưa có số liệu" in report_text
    assert "Biểu đồ 2. Tình hình thực hiện nhiệm vụ của từng đơn vị" in report_text
    files = write_report(province, province.history_path, "2024-02", tmp_path, pdf=False)
    assert [p.name for p in files.charts] == ["bieu-do-don-vi-2024-02.png"]
    assert len(Document(str(files.docx)).inline_shapes) == 1


def test_no_matplotlib_warning_when_no_chart_has_data(tmp_path: Path) -> None:
    """Every unit unreadable, first month: both charts empty; the command writes nothing on stderr."""
    config = load_config(write_config(tmp_path, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")]))
    with History(config.history_path) as h:
        h.record(run_sync(config, AS_OF), config_path=str(config.path))
    out = tmp_path / "bao-cao"
    done = subprocess.run(
        [sys.executable, "-m", "sync", "report", "-c", str(config.path), "--out", str(out), "--no-pdf"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "Biểu đồ:" not in done.stdout  # no chart written
    text = document_text(Document(str(out / "bao-cao-thang-2024-02.docx")))
    assert "(Biểu đồ 1 không được lập" in text and "(Biểu đồ 2 không được lập" in text
    assert "Tổng số nhiệm vụ đang theo dõi: 0 nhiệm vụ của 0/1 đơn vị đã báo cáo" in text


def test_appendix_groups_units_with_a_subtotal_row_each(tmp_path: Path) -> None:
    write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row()])  # in progress, on time
    write_workbook(
        tmp_path / "units" / "X.xlsx", [task_row(task_id="NV-2", deadline="01/03/2024")]
    )  # overdue
    done = task_row(task_id="NV-3", status="Hoàn thành", completed_on="15/02/2024")  # completed on time
    write_workbook(tmp_path / "units" / "P.xlsx", [done])
    units = [
        ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),
        ("X", "UBND xã Mỹ Hòa Hưng", "units/X.xlsx"),
        ("P", "UBND phường Bình Đức", "units/P.xlsx"),
    ]
    config = load_config(write_config(tmp_path, units, kinds={"X": "xa", "P": "phuong"}))
    with History(config.history_path) as h:
        h.record(run_sync(config, AS_OF), config_path=str(config.path))
    files = write_report(config, config.history_path, None, tmp_path / "bao-cao", pdf=False)
    table = next(
        t for t in Document(str(files.docx)).tables if t.rows[0].cells[-1].text == "Tình trạng báo cáo"
    )
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    # TT, unit, total, the six categories, completion rate, on-time rate, status
    assert rows == [
        ["I", "Sở, ban, ngành (1 đơn vị)", "1", "0", "0", "1", "0", "0", "0", "—", "—", ""],
        ["1", "Sở Nội vụ", "1", "0", "0", "1", "0", "0", "0", "—", "—", "Đúng hạn"],
        ["II", "UBND cấp xã (2 đơn vị)", "2", "1", "0", "0", "1", "0", "0", "50,0%", "50,0%", ""],
        ["1", "UBND xã Mỹ Hòa Hưng", "1", "0", "0", "0", "1", "0", "0", "0,0%", "0,0%", "Đúng hạn"],
        ["2", "UBND phường Bình Đức", "1", "1", "0", "0", "0", "0", "0", "100,0%", "100,0%", "Đúng hạn"],
        ["", "Tổng cộng", "3", "1", "0", "1", "1", "0", "0", "50,0%", "50,0%", ""],
    ]


def test_table_2_groups_lagging_units_and_numbers_them_within_their_group(tmp_path: Path) -> None:
    write_workbook(tmp_path / "units" / "STC.xlsx", [task_row(task_id="NV-1", updated_on="02/01/2024")])
    write_workbook(tmp_path / "units" / "SNV.xlsx", [task_row(task_id="NV-2")])  # on time: not in Bảng 2
    write_workbook(tmp_path / "units" / "X.xlsx", [task_row(task_id="NV-3", updated_on="02/01/2024")])
    units = [
        ("STC", "Sở Tài chính", "units/STC.xlsx"),
        ("SNV", "Sở Nội vụ", "units/SNV.xlsx"),
        ("X", "UBND xã Mỹ Hòa Hưng", "units/X.xlsx"),
        ("P", "UBND phường Bình Đức", "units/P.xlsx"),  # file not sent
    ]
    config = load_config(write_config(tmp_path, units, kinds={"X": "xa", "P": "phuong"}))
    with History(config.history_path) as h:
        h.record(run_sync(config, AS_OF), config_path=str(config.path))
    files = write_report(config, config.history_path, None, tmp_path / "bao-cao", pdf=False)
    table = next(t for t in Document(str(files.docx)).tables if t.rows[0].cells[-1].text == "Tháng trước")
    rows = [[c.text for c in r.cells][:3] for r in table.rows[1:]]
    assert rows == [
        ["I", "Sở, ban, ngành (1/2 đơn vị)", ""],
        ["1", "Sở Tài chính", "Không cập nhật"],
        ["II", "UBND cấp xã (2/2 đơn vị)", ""],
        ["1", "UBND xã Mỹ Hòa Hưng", "Không cập nhật"],
        ["2", "UBND phường Bình Đức", "Không đọc được"],
    ]
