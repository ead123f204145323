"""Validation through real workbooks: every finding code, with unit, tab, cell and message."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.backends.base import TabData
from sync.config import Config
from sync.engine import run_sync
from sync.model import Finding, RunResult
from sync.schema import unit_sheet_schema
from sync.shapes.task_tab import find_header
from sync.validate import UnitResolver, read_tab
from tests.helpers import AS_OF, task_row

Province = Callable[..., Config]


def run(province: Province, tasks: list[dict[str, Any]], **kwargs: Any) -> RunResult:
    return run_sync(province({"SNV": tasks, "STC": []}, **kwargs), AS_OF)


def codes(result: RunResult, unit: str = "SNV") -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in result.findings if f.unit == unit]


def only(result: RunResult, code: str) -> Finding:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, found
    return found[0]


def test_clean_row_has_no_findings(province: Province) -> None:
    result = run(province, [task_row()])
    assert codes(result) == []
    assert result.units[0].report_status == "on_time"


def test_header_after_title_rows_and_cells_named(province: Province) -> None:
    result = run(province, [task_row(deadline="31/02/2024")])
    f = only(result, "invalid-date")
    # three title rows, header on row 4, first task on row 5; deadline is column I
    assert (f.unit, f.sheet, f.cell, f.row, f.field, f.value) == (
        "SNV",
        "Nhiệm vụ",
        "I5",
        5,
        "deadline",
        "31/02/2024",
    )
    assert f.severity == "error"
    assert "I5" in f.message and "Thời hạn" in f.message


@pytest.mark.parametrize(
    "overrides, code, cell",
    [
        ({"task_id": None}, "required-missing", "B5"),
        ({"summary": "  "}, "required-missing", "E5"),
        ({"status": None}, "required-missing", "K5"),
        ({"deadline": None}, "required-missing", "I5"),
        ({"doc_date": "03/15/2024"}, "invalid-date", "D5"),
        ({"extended_deadline": "32/01/2024"}, "invalid-date", "J5"),
        ({"status": "Tạm dừng"}, "invalid-value", "K5"),
        ({"deadline": "Cuối năm"}, "invalid-value", "I5"),
        ({"updated_on": "10/03/2024"}, "future-date", "Q5"),
        ({"status": "Hoàn thành"}, "completion-date-missing", "M5"),
        ({"completed_on": "01/02/2024"}, "status-conflict", "M5"),
        ({"deadline": "01/01/2024"}, "date-order", "I5"),
        ({"lead_unit": "Sở Không Có"}, "unknown-unit", "G5"),
        ({"progress": "§ang thùc hiÖn"}, "legacy-encoding", "L5"),
        ({"updated_on": "01/01/2024"}, "stale-update", "Q5"),
        ({"updated_on": "01/03/2024"}, "late-update", "Q5"),
        ({"deadline": "01/03/2024"}, "overdue", "I5"),
        ({"deadline": "10/03/2024"}, "due-soon", "I5"),
    ],
)
def test_each_cell_finding(province: Province, overrides: dict[str, Any], code: str, cell: str) -> None:
    result = run(province, [task_row(**overrides)])
    assert (code, cell) in codes(result), codes(result)
    f = next(f for f in result.findings if f.code == code)
    assert f.message and f.row == 5 and f.sheet == "Nhiệm vụ"


def test_overdue_value_is_days(province: Province) -> None:
    f = only(run(province, [task_row(deadline="01/03/2024")]), "overdue")
    assert f.value == 4
    f = only(run(province, [task_row(deadline="01/03/2024", extended_deadline="02/03/2024")]), "overdue")
    assert (f.value, f.cell) == (3, "J5")


def test_invalid_extension_is_ignored(province: Province) -> None:
    result = run(province, [task_row(deadline="01/03/2024", extended_deadline="31/04/2024")])
    assert result.units[0].counts["in_progress_overdue"] == 1
    assert ("invalid-date", "J5") in codes(result)


def test_duplicate_task_id_across_units_reports_every_copy(province: Province) -> None:
    cfg = province(
        {"SNV": [task_row(task_id="NV-9"), task_row(task_id="NV-10")], "STC": [task_row(task_id="nv-9")]}
    )
    result = run_sync(cfg, AS_OF)
    dups = [(f.unit, f.cell) for f in result.findings if f.code == "duplicate-task-id"]
    assert dups == [("SNV", "B5"), ("STC", "B5")]
    assert "STC" in next(f.message for f in result.findings if f.code == "duplicate-task-id")


def test_missing_column_makes_unit_invalid(province: Province) -> None:
    fields = [f for f in unit_sheet_schema().names if f != "updated_on"]
    cfg = province({"SNV": [task_row()]}, fields=fields)
    result = run_sync(cfg, AS_OF)
    unit = result.units[0]
    assert unit.report_status == "invalid"
    assert unit.counts["total"] == 0
    f = only(result, "missing-column")
    assert (f.cell, f.field, f.row, f.severity) == (None, "updated_on", 4, "error")
    assert "Ngày cập nhật" in f.message


def test_duplicate_column_warns_and_reads_first(province: Province) -> None:
    names = list(unit_sheet_schema().names)
    fields = [*names, "x"]
    headers = [unit_sheet_schema()[n].title for n in names] + ["Trạng thái"]
    row = task_row(status="Đang thực hiện", x="Xong")
    result = run_sync(province({"SNV": [row]}, fields=fields, headers=headers), AS_OF)
    f = only(result, "duplicate-column")
    assert (f.cell, f.field, f.severity) == ("R4", "status", "warning")
    assert result.units[0].counts["in_progress_on_time"] == 1


def test_aliases_unaccented_headers_and_free_order(province: Province) -> None:
    schema = unit_sheet_schema()
    order = list(reversed(schema.names))
    headers = []
    for name in order:
        f = schema[name]
        headers.append(f.aliases[0] if f.aliases else unicodedata.normalize("NFD", f.title.upper()))
    headers[0] = "ngay cap nhat"
    result = run_sync(
        province(
            {"SNV": [task_row(status="Đã HT", completed_on="ngày 1 tháng 2 năm 2024")]},
            fields=order,
            headers=headers,
        ),
        AS_OF,
    )
    assert codes(result) == []
    assert result.units[0].counts["completed_on_time"] == 1


def test_status_synonyms_nfd_and_case(province: Province) -> None:
    rows = [
        task_row(
            task_id="A", status=unicodedata.normalize("NFD", "Đã hoàn thành"), completed_on="2024-02-01"
        ),
        task_row(task_id="B", status="XONG", completed_on="01.02.2024"),
        task_row(task_id="C", status="đang  th"),
        task_row(task_id="D", status="Chưa triển khai"),
        task_row(task_id="E", deadline="Thường xuyên"),
        task_row(task_id="F", deadline="không có thời hạn"),
    ]
    result = run(province, rows)
    assert codes(result) == []
    c = result.units[0].counts
    assert (c["completed_on_time"], c["in_progress_on_time"], c["no_deadline"]) == (2, 2, 2)


def test_blank_rows_and_stt_only_rows_are_skipped(province: Province) -> None:
    rows = [task_row(task_id="A"), {}, {"stt": 2}, task_row(task_id="B", stt=3)]
    result = run(province, rows)
    assert [t.row for t in result.units[0].tasks] == [5, 8]


def test_unknown_columns_are_ignored(province: Province) -> None:
    names = list(unit_sheet_schema().names)
    result = run_sync(
        province(
            {"SNV": [task_row(note="=1+1")]},
            fields=[*names, "note"],
            headers=[*(unit_sheet_schema()[n].title for n in names), "Ghi chú"],
        ),
        AS_OF,
    )
    assert codes(result) == []


def test_find_header_needs_three_matches_in_first_ten_rows() -> None:
    schema = unit_sheet_schema()
    rows: list[list[Any]] = [["Mã nhiệm vụ", "Tình trạng", "x"]] + [[""]] * 3
    assert find_header(rows, schema) is None
    rows = [[""]] * 9 + [["Mã NV", "Nội dung", "Hạn xử lý"]]
    header = find_header(rows, schema)
    assert header is not None and header.row == 9
    assert find_header([[""]] * 10 + [["Mã NV", "Nội dung", "Hạn xử lý"]], schema) is None


def test_merged_cells_fill_down() -> None:
    schema = unit_sheet_schema()
    titles = [
        schema[n].title
        for n in ("task_id", "summary", "deadline", "status", "completed_on", "updated_on", "lead_unit")
    ]
    rows: list[list[Any]] = [titles]
    rows.append(["A", "x", "01/04/2024", "Đang TH", None, "01/02/2024", "Sở Nội vụ"])
    rows.append(["B", "y", "01/04/2024", "Đang TH", None, "01/02/2024", ""])
    tab = TabData("Nhiệm vụ", rows, merged=[((1, 6), (2, 6))])
    from sync.config import UnitConfig

    read = read_tab(
        tab, schema, unit="SNV", resolver=UnitResolver([UnitConfig("SNV", "Sở Nội vụ", "x")]), as_of=AS_OF
    )
    assert [t.values["lead_unit"] for t in read.tasks] == ["SNV", "SNV"]


cells = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.integers(-(10**9), 10**9),
    st.floats(),
    st.booleans(),
    st.dates(min_value=date(1900, 1, 1)),
    st.sampled_from(["31/02/2024", "03/15/2024", "Xong", "=1+1", "Thường xuyên"]),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.lists(cells, min_size=17, max_size=19), min_size=1, max_size=6))
def test_any_cell_values_never_crash_and_bad_dates_are_reported(rows: list[list[Any]]) -> None:
    schema = unit_sheet_schema()
    grid: list[list[Any]] = [[f.title for f in schema.fields], *rows]
    from sync.config import UnitConfig

    read = read_tab(
        TabData("Nhiệm vụ", grid),
        schema,
        unit="SNV",
        resolver=UnitResolver([UnitConfig("SNV", "Sở Nội vụ", "x")]),
        as_of=AS_OF,
    )
    flagged = {(f.row, f.field) for f in read.findings if f.code in ("invalid-date", "invalid-value")}
    for t in read.tasks:
        for name in ("doc_date", "completed_on", "updated_on", "extended_deadline", "extension_request"):
            raw = t.raw.get(name)
            if raw is not None and t.values[name] is None:
                assert (t.row, name) in flagged, (name, raw)
            if t.values[name] is not None:
                assert isinstance(t.values[name], date)


def test_co_units_split_and_resolved(province: Province) -> None:
    result = run(province, [task_row(co_units="Sở TC;\nSNV, Sở Không Có")])
    t = result.units[0].tasks[0]
    assert t.values["co_units"] == ["STC", "SNV", "Sở Không Có"]
    f = only(result, "unknown-unit")
    assert (f.cell, f.value) == ("H5", "Sở TC;\nSNV, Sở Không Có")
