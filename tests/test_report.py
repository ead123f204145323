"""The meeting report: built from the history of a demo province evolving over months.

The .docx is re-opened with python-docx and must hold the figures of the JSON;
the PDF (LibreOffice) is read back with pdftotext. Without soffice/pdftotext the
PDF tests skip locally but FAIL in CI (env var ``CI`` set).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from docx import Document

from sync import report as R
from sync.cli.report import report_cmd
from sync.config import Config, load_config
from sync.demo import DEMO_AS_OF
from sync.display import format_count, format_percent
from sync.engine import run_sync
from sync.exceptions import UsageError
from sync.history import History, HistoryError
from sync.labels import REPORT_STATUS_LABELS
from sync.model import CATEGORIES
from sync.report import pdf as report_pdf
from sync.report import pending_extensions, place_date, write_report
from sync.report.facts import CHART_UNITS
from tests.helpers import DemoMonths

MONTHS = (date(2026, 9, 5), date(2026, 10, 5), DEMO_AS_OF)  # the demo is made for 05/11/2026


@pytest.fixture(scope="module")
def demo(
    demo_months: DemoMonths, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Config, list[dict[str, Any]]]:
    """A demo province recorded at three monthly meetings; the JSON of each run."""
    directory = tmp_path_factory.mktemp("demo-report")
    docs = []
    config: Config | None = None
    for as_of in MONTHS:
        province = demo_months.render(directory, as_of=as_of)
        config = load_config(province.config_path)
        result = run_sync(config, as_of)
        with History(config.history_path) as h:
            h.record(result, config_path=str(config.path))
        docs.append(result.to_dict())
    assert config is not None
    return config, docs


@pytest.fixture(scope="module")
def october(
    demo: tuple[Config, list[dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> R.ReportFiles:
    config, _ = demo
    with History(config.history_path) as h:
        return write_report(config, h, None, tmp_path_factory.mktemp("bao-cao"), pdf=False)


def all_text(doc: Any) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(c.text for c in row.cells)
    return "\n".join(parts)


def table_with_header(doc: Any, first: str, second: str) -> Any:
    for table in doc.tables:
        cells = [c.text for c in table.rows[0].cells]
        if cells[:2] == [first, second]:
            return table
    raise AssertionError(f"no table starting {first!r}, {second!r}")


def test_report_holds_the_figures_of_the_json(
    demo: tuple[Config, list[dict[str, Any]]], october: R.ReportFiles
) -> None:
    _, docs = demo
    now, before = docs[2], docs[1]
    assert october.month == "2026-10"  # the 05/11 run reports on the period ending 25/10
    assert october.docx.name == "bao-cao-thang-2026-10.docx"
    doc = Document(str(october.docx))
    text = all_text(doc)
    # heading block, title, place and date
    assert "UBND TỈNH AN GIANG" in text and "VĂN PHÒNG" in text and "Số:" in text and "/BC-VP" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "An Giang, ngày 05 tháng 11 năm 2026" in text
    assert "BÁO CÁO" in [p.text for p in doc.paragraphs]
    # the title never breaks inside “tháng 10” or “năm 2026”: no-break spaces (U+00A0) there
    assert (
        "Tình hình thực hiện nhiệm vụ do UBND tỉnh, Chủ tịch UBND tỉnh giao tháng\u00a010 năm\u00a02026"
        in [p.text for p in doc.paragraphs]
    )
    # overall figures, this month vs last month, with the official rates
    tc, pc = now["totals"]["counts"], before["totals"]["counts"]
    table1 = table_with_header(doc, "Chỉ tiêu", "Tháng 10/2026")
    rows = {r.cells[0].text: [c.text for c in r.cells[1:]] for r in table1.rows[1:]}
    assert rows["Tổng số nhiệm vụ"][:3] == [
        format_count(tc["total"]),
        format_count(pc["total"]),
        f"+{format_count(tc['total'] - pc['total'])}",
    ]
    assert rows["  - Quá hạn"][:2] == [
        format_count(tc["in_progress_overdue"]),
        format_count(pc["in_progress_overdue"]),
    ]
    assert rows["Đã hoàn thành"][0] == format_count(tc["completed_on_time"] + tc["completed_late"])
    assert rows["Tỷ lệ hoàn thành"][:2] == [
        format_percent(now["totals"]["completion_rate"]),
        format_percent(before["totals"]["completion_rate"]),
    ]
    assert rows["Tỷ lệ hoàn thành đúng hạn"][0] == format_percent(now["totals"]["on_time_rate"])
    assert rows["Tổng số nhiệm vụ"][3] == "—"  # same month last year: not in the history
    assert f"Đã hoàn thành: {format_count(tc['completed_on_time'] + tc['completed_late'])} nhiệm vụ" in text
    assert f"quá hạn {format_count(tc['in_progress_overdue'])})" in text
    # appendix I: per group (I, II) its row of figures, then one row per unit with its counts,
    # rates and report status; then the total
    appendix = table_with_header(doc, "TT", "Đơn vị")
    for table in doc.tables:
        if [c.text for c in table.rows[0].cells][:3] == ["TT", "Đơn vị", "Tổng số"]:
            appendix = table
    body = appendix.rows[1:]
    groups = [r for r in body if r.cells[0].text in ("I", "II")]
    assert len(groups) == len(now["groups"]) == 2
    assert len(body) == len(now["units"]) + len(groups) + 1
    for row, group in zip(groups, now["groups"], strict=True):
        cells = [c.text for c in row.cells]
        assert cells[1] == f"{group['name']} ({group['unit_count']} đơn vị)"
        assert cells[2:9] == [format_count(group["counts"][c]) for c in ("total", *CATEGORIES)]
        assert cells[9:11] == [
            format_percent(group["completion_rate"]),
            format_percent(group["on_time_rate"]),
        ]
    units = [r for r in body[:-1] if r not in groups]
    assert [c.text for c in body[0].cells][:2] == ["I", "Sở, ban, ngành (16 đơn vị)"]
    assert [c.text for c in body[17].cells][:2] == ["II", "UBND cấp xã (102 đơn vị)"]
    for row, unit in zip(units, now["units"], strict=True):
        cells = [c.text for c in row.cells]
        assert cells[1] == unit["name"]
        assert cells[2] == format_count(unit["counts"]["total"])
        assert cells[3:9] == [format_count(unit["counts"][c]) for c in CATEGORIES]
        assert cells[9:11] == [format_percent(unit["completion_rate"]), format_percent(unit["on_time_rate"])]
        assert cells[11] == REPORT_STATUS_LABELS[unit["report_status"]]
    total = [c.text for c in body[-1].cells]
    assert total[1] == "Tổng cộng" and total[2] == format_count(tc["total"])
    # units that did not report on time are named with their status
    for unit in now["units"]:
        if unit["report_status"] != "on_time":
            assert unit["name"] in text
    table2 = table_with_header(doc, "TT", "Đơn vị")
    assert [c.text for c in table2.rows[0].cells] == ["TT", "Đơn vị", "Tình trạng", "Ghi chú", "Tháng trước"]
    # group rows (I, II: the group and how many of its units lag) carry no status
    late = {r.cells[1].text: r.cells[2].text for r in table2.rows[1:] if r.cells[0].text not in ("I", "II")}
    groups = [r.cells[1].text for r in table2.rows[1:] if r.cells[0].text in ("I", "II")]
    assert groups == [
        f"Sở, ban, ngành ({sum(u['kind'] == 'so-nganh' for u in now['units'] if u['report_status'] != 'on_time')}/16 đơn vị)",
        f"UBND cấp xã ({sum(u['kind'] != 'so-nganh' for u in now['units'] if u['report_status'] != 'on_time')}/102 đơn vị)",
    ]
    expected_late = {
        u["name"]: REPORT_STATUS_LABELS[u["report_status"]]
        for u in now["units"]
        if u["report_status"] != "on_time"
    }
    assert late == expected_late
    # overdue tasks: all in appendix II, with days overdue and the obstacles reported
    overdue_codes = [f for f in now["findings"] if f["code"] == "overdue"]
    appendix2 = next(t for t in doc.tables if len(t.columns) > 2 and t.rows[0].cells[2].text == "Mã nhiệm vụ")
    assert len(appendix2.rows) - 1 == tc["in_progress_overdue"] == len(overdue_codes)
    days = sorted((f["value"] for f in overdue_codes), reverse=True)
    assert [r.cells[6].text for r in appendix2.rows[1:]] == [format_count(d) for d in days]
    # charts are embedded
    assert len(doc.inline_shapes) == 2
    assert all(p.exists() and p.stat().st_size > 20_000 for p in october.charts)


def test_report_layout_follows_nd30(october: R.ReportFiles) -> None:
    doc = Document(str(october.docx))
    first, appendix = doc.sections[0], doc.sections[-1]

    def mm(length: Any) -> float:
        return round(length.mm)

    assert (mm(first.page_width), mm(first.page_height)) == (210, 297)  # A4
    assert mm(first.top_margin) == 20 and mm(first.bottom_margin) == 20
    assert mm(first.left_margin) == 30 and mm(first.right_margin) == 15
    assert mm(appendix.page_width) == 297  # appendices on landscape pages
    assert first.different_first_page_header_footer  # page numbers from page 2
    assert "PAGE" in first.header._element.xml
    assert doc.styles["Normal"].font.name == "Times New Roman"
    sizes = {r.font.size.pt for p in doc.paragraphs for r in p.runs if r.font.size is not None}
    assert 14 in sizes and all(10 <= s <= 14 for s in sizes)
    fonts = {r.font.name for p in doc.paragraphs for r in p.runs if r.text}
    assert fonts == {"Times New Roman"}
    header = doc.tables[0]
    assert len(header.columns) == 2
    assert 'w:val="nil"' in header._tbl.xml  # borderless
    title = next(p for p in doc.paragraphs if p.text == "BÁO CÁO")
    assert all(r.bold for r in title.runs)


def test_pending_extension_requests_are_listed(
    demo: tuple[Config, list[dict[str, Any]]], october: R.ReportFiles
) -> None:
    config, _ = demo
    with History(config.history_path) as h:
        run = h.load(h.latest_run().id)  # type: ignore[union-attr,arg-type]
    pending = pending_extensions(run)
    assert pending, "the demo has extension requests waiting"
    for t in pending:
        assert t.values["extension_request"] is not None and not t.completed
        assert t.effective_deadline is not None and t.values["extension_request"] > t.effective_deadline
    text = all_text(Document(str(october.docx)))
    assert f"Có {format_count(len(pending))} nhiệm vụ đơn vị đề nghị gia hạn" in text
    assert pending[0].values["summary"] in text


def test_report_for_a_past_month_and_errors(
    demo: tuple[Config, list[dict[str, Any]]], tmp_path: Path
) -> None:
    config, docs = demo
    files = write_report(config, config.history_path, "2026-09", tmp_path, pdf=False)
    text = all_text(Document(str(files.docx)))
    assert "An Giang, ngày 05 tháng 10 năm 2026" in text
    assert (
        f"Tổng số nhiệm vụ đang theo dõi: {format_count(docs[1]['totals']['counts']['total'])} nhiệm vụ"
        in text
    )
    first = write_report(config, config.history_path, "2026-08", tmp_path, pdf=False)
    assert "chưa so sánh được" in all_text(Document(str(first.docx)))  # no July run in the history
    with pytest.raises(HistoryError, match="tháng 3 năm 2025"):
        write_report(config, config.history_path, "2025-03", tmp_path, pdf=False)
    with pytest.raises(UsageError, match="YYYY-MM"):
        write_report(config, config.history_path, "10/2026", tmp_path, pdf=False)


def test_no_libreoffice_skips_pdf_with_a_clear_message(
    demo: tuple[Config, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, _ = demo
    monkeypatch.setattr(report_pdf.shutil, "which", lambda _name: None)
    files = write_report(config, config.history_path, None, tmp_path)
    assert files.pdf is None
    assert files.pdf_note is not None and "LibreOffice" in files.pdf_note
    assert files.docx.exists()


def test_vietnamese_dates_and_numbers() -> None:
    assert place_date("Kiên Giang", date(2024, 11, 5)) == "Kiên Giang, ngày 05 tháng 11 năm 2024"
    assert place_date("Kiên Giang", date(2024, 2, 15)) == "Kiên Giang, ngày 15 tháng 02 năm 2024"
    assert place_date("Kiên Giang", date(2024, 3, 1)) == "Kiên Giang, ngày 01 tháng 3 năm 2024"
    assert format_count(1356) == "1.356" and format_percent(0.5778) == "57,8%" and format_percent(None) == "—"
    assert R.shift_month("2024-01", -1) == "2023-12" and R.shift_month("2024-10", -12) == "2023-10"


def test_report_command(demo: tuple[Config, list[dict[str, Any]]], tmp_path: Path) -> None:
    config, _ = demo
    out = CliRunner().invoke(
        report_cmd,
        ["-c", str(config.path), "--month", "2026-10", "--out", str(tmp_path), "--no-pdf", "--json"],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["month"] == "2026-10" and Path(doc["docx"]).exists() and doc["pdf"] is None
    out = CliRunner().invoke(
        report_cmd, ["-c", str(config.path), "--month", "2026-13", "--out", str(tmp_path)]
    )
    assert out.exit_code == 2 and "YYYY-MM" in out.output


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (install libreoffice-writer and poppler-utils)")
        pytest.skip(f"{tool} not installed (required in CI)")
    return path


def test_pdf_via_libreoffice_reads_back(demo: tuple[Config, list[dict[str, Any]]], tmp_path: Path) -> None:
    _need("soffice")
    pdftotext = _need("pdftotext")
    config, docs = demo
    files = write_report(config, config.history_path, "2026-10", tmp_path)
    assert files.pdf is not None, files.pdf_note
    assert files.pdf.read_bytes()[:5] == b"%PDF-"
    text = subprocess.run(
        [pdftotext, "-layout", str(files.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    tc = docs[2]["totals"]["counts"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "BÁO CÁO" in flat
    assert "tháng 10 năm 2026" in flat
    assert "Phụ lục I" in flat and "Phụ lục II" in flat
    assert f"Tổng số nhiệm vụ đang theo dõi: {format_count(tc['total'])} nhiệm vụ" in flat
    assert format_percent(docs[2]["totals"]["on_time_rate"]) in flat
    for unit in docs[2]["units"][:5]:
        assert unit["name"] in flat
    pages = subprocess.run(["pdfinfo", str(files.pdf)], capture_output=True, text=True, check=False).stdout
    if pages:
        assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 5


def test_units_chart_keeps_every_agency_and_the_most_overdue_communes(
    demo: tuple[Config, list[dict[str, Any]]], october: R.ReportFiles
) -> None:
    config, docs = demo
    now = docs[2]
    with History(config.history_path) as h:
        facts = R.load_facts(h, None)
    assert len(now["units"]) > CHART_UNITS  # 118 bars would not fit a page
    agencies = [u["code"] for u in now["units"] if u["kind"] == "so-nganh"]
    communes = [u for u in now["units"] if u["kind"] != "so-nganh" and u["counts"]["in_progress_overdue"]]
    shown = [u.code for u in facts.chart_units]
    assert shown[: len(agencies)] == agencies and len(shown) == CHART_UNITS
    overdue = {u["code"]: u["counts"]["in_progress_overdue"] for u in communes}
    chosen = shown[len(agencies) :]
    assert min(overdue[c] for c in chosen) >= max(overdue[c] for c in overdue if c not in chosen)
    text = all_text(Document(str(october.docx)))
    assert (
        f"{CHART_UNITS}/{len(now['units'])} đơn vị: các sở, ban, ngành và đơn vị có nhiều nhiệm vụ quá hạn nhất"
        in text
    )


def test_opening_names_who_reports(october: R.ReportFiles) -> None:
    text = all_text(Document(str(october.docx)))
    assert "trên cơ sở số liệu các sở, ban, ngành tỉnh và UBND các xã, phường, đặc khu cập nhật" in text
    assert "- UBND các xã, phường, đặc khu;" in text
