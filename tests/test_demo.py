"""The demo province: deterministic files, realistic mistakes, and a ground truth that holds.

``test_expected_matches_what_the_sheets_say`` reads the written workbooks back
with a small reader of its own (contract §1–§3) and checks the generator's
``expected`` against it, month after month. The project's sync is tested end to
end elsewhere.
"""

from __future__ import annotations

import hashlib
import os
import re
import statistics
import subprocess
import sys
import tomllib
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sync.config import load_config
from sync.demo import (
    DEMO_AS_OF,
    PROVINCES,
    DemoProvince,
    ExpectedUnit,
    demo_as_of,
    load_units,
    make_demo,
    reporting_period,
)
from sync.demo.model import ProvinceProfile, WorldUnit, shift_years
from sync.demo.province import build_world
from sync.demo.render import render_task
from sync.demo.truth import expect_unit
from sync.engine import run_sync
from sync.model import CATEGORIES, REPORT_STATUSES
from sync.normalize import fold, parse_date
from sync.schema import unit_sheet_schema
from tests.helpers import DemoMonths

SCHEMA = unit_sheet_schema()
#: The demo's year: An Giang's demo is made for the meeting of 05/11/2026.
YEAR = DEMO_AS_OF.year
MONTHS = [date(YEAR, 7, 5), date(YEAR, 9, 5), date(YEAR, 10, 5), DEMO_AS_OF, date(YEAR, 12, 5)]
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
ROOT = Path(__file__).resolve().parents[1]
UNIT_CSVS = ("an-giang-2025-units.csv", "kien-giang-units.csv")
COMMUNE_KINDS = ("xa", "phuong", "dac-khu")
#: Rows of a readable unit on every meeting date from June 2026 to March 2027, by kind:
#: agencies 20–60, commune-level committees (fewer tasks) 6–26.
ROWS = {False: (20, 60), True: (6, 26)}
COMMUNE = {u.code: u.kind in COMMUNE_KINDS for u in load_units()}


def _rows_ok(code: str, n: int) -> bool:
    lo, hi = ROWS[COMMUNE[code]]
    return lo <= n <= hi


@pytest.fixture(scope="module")
def province(demo_province: DemoProvince) -> DemoProvince:
    return demo_province


@pytest.fixture(scope="module")
def months(demo_months: DemoMonths) -> dict[date, DemoProvince]:
    return {d: demo_months.pristine(d) for d in MONTHS}


def _hashes(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def _readable(province: DemoProvince) -> list[str]:
    return [c for c, e in province.expected.items() if e.report_status != "unreadable"]


def _cells(province: DemoProvince, code: str) -> list[Any]:
    wb = openpyxl.load_workbook(province.directory / "units" / f"{code}.xlsx")
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row]


# ---------------------------------------------------------------- files


def test_same_seed_gives_identical_files(tmp_path: Path) -> None:
    make_demo(tmp_path / "a", seed=7)
    make_demo(tmp_path / "b", seed=7)
    a, b = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert len(a) == 118  # 117 workbooks (one unit has none) and the config
    assert a == b


def test_files_do_not_depend_on_the_process(tmp_path: Path) -> None:
    script = "import sys; from sync.demo import make_demo; make_demo(sys.argv[1], seed=7)"
    for name, hash_seed in (("a", "1"), ("b", "2")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], env=env, check=True, cwd=ROOT)
    assert _hashes(tmp_path / "a") == _hashes(tmp_path / "b")


def test_another_seed_gives_other_files(tmp_path: Path) -> None:
    make_demo(tmp_path / "a", seed=7)
    make_demo(tmp_path / "b", seed=8)
    a, b = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert a.keys() == b.keys()
    assert a["units/SNV.xlsx"] != b["units/SNV.xlsx"]
    assert a["ubnd-sync.toml"] == b["ubnd-sync.toml"]


#: SHA-256 of the published lists in ``../shared/data`` (checked against the files themselves
#: where that folder is present; CI has only the repository, so the digest stands in for them).
PUBLISHED = {
    "an-giang-2025-units.csv": "e8337e3de437bf7e3d72912306a6005826c5f7cc39eb9d74f806b705dfb9d1c9",
    "kien-giang-units.csv": "07c20a00add727a126134d900002e4e2a2b934053e33e8c9bdf8812e7f6bf9df",
}


@pytest.mark.parametrize("name", UNIT_CSVS)
def test_package_keeps_an_identical_copy_of_the_units_csv(name: str) -> None:
    ours = (ROOT / "sync" / "data" / name).read_bytes()
    assert hashlib.sha256(ours).hexdigest() == PUBLISHED[name]
    if (SHARED_DATA / name).exists():
        assert ours == (SHARED_DATA / name).read_bytes()


def test_units_come_from_the_csv(province: DemoProvince) -> None:
    units = load_units()
    assert len(units) == 118
    kinds = [u.kind for u in units]
    assert (kinds.count("so-nganh"), kinds.count("xa"), kinds.count("phuong"), kinds.count("dac-khu")) == (
        16,
        85,
        14,
        3,
    )
    snv = next(u for u in units if u.code == "SNV")
    assert (snv.name, snv.aliases) == ("Sở Nội vụ", ("Sở NV", "SNV", "Sở Nội vụ tỉnh An Giang"))
    before = load_units("kien-giang-2024")
    assert len(before) == 37 and sum(u.kind == "huyen" for u in before) == 15
    assert [u.code for u in province.units] == [u.code for u in units]
    assert set(province.expected) == {u.code for u in units}


def test_config_parses_and_lists_every_unit(province: DemoProvince) -> None:
    config = tomllib.loads(province.config_path.read_text(encoding="utf-8"))
    assert config["sync"] == {
        "backend": "xlsx",
        "summary": "out/tong-hop.xlsx",
        "sheet": SCHEMA.tab,
        "cutoff_day": 25,
        "due_soon_days": 7,
    }
    assert set(config) == {"sync", "units"}
    by_code = {u["code"]: u for u in config["units"]}
    assert len(by_code) == len(config["units"]) == 118
    for unit in load_units():
        entry = by_code[unit.code]
        assert entry == {
            "code": unit.code,
            "name": unit.name,
            "source": f"units/{unit.code}.xlsx",
            "aliases": list(unit.aliases),
            "kind": unit.kind,
        }
    assert by_code["X-MYHOAHUNG"]["kind"] == "xa" and by_code["DK-PHUQUOC"]["kind"] == "dac-khu"
    assert by_code["X-MYHOAHUNG"]["aliases"][:3] == ["Xã Mỹ Hòa Hưng", "xã Mỹ Hòa Hưng", "Mỹ Hòa Hưng"]


def test_other_backends_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="gsheets"):
        make_demo(tmp_path, backend="gsheets")


def test_readable_workbooks_open_with_calamine_and_openpyxl(province: DemoProvince) -> None:
    for code in _readable(province):
        path = province.directory / "units" / f"{code}.xlsx"
        wb = CalamineWorkbook.from_path(str(path))
        assert wb.get_sheet_by_name(wb.sheet_names[-1]).to_python()
        assert openpyxl.load_workbook(path).sheetnames == wb.sheet_names


def test_unreadable_units(province: DemoProvince) -> None:
    unreadable = {c for c, e in province.expected.items() if e.report_status == "unreadable"}
    assert unreadable == {"DK-THOCHAU", "X-UMINHTHUONG"}
    assert not (province.directory / "units" / "DK-THOCHAU.xlsx").exists()
    corrupt = province.directory / "units" / "X-UMINHTHUONG.xlsx"
    assert corrupt.read_bytes()[:2] == b"PK"  # looks like a workbook …
    with pytest.raises(Exception):  # noqa: B017 - … but is not one
        openpyxl.load_workbook(corrupt)
    with pytest.raises(Exception):  # noqa: B017
        CalamineWorkbook.from_path(str(corrupt))


def test_files_are_dated_by_the_meeting(province: DemoProvince) -> None:
    wb = openpyxl.load_workbook(province.directory / "units" / "SNV.xlsx")
    assert wb.properties.modified == datetime(YEAR, 11, 5, 7, 30)
    assert wb.properties.created == datetime(YEAR - 1, 1, 3, 8, 0)


def test_rendering_again_into_the_same_folder_overwrites(tmp_path: Path) -> None:
    make_demo(tmp_path, as_of=date(YEAR, 9, 5))
    (tmp_path / "units" / "DK-THOCHAU.xlsx").write_bytes(b"left over")
    again = make_demo(tmp_path)
    fresh = make_demo(tmp_path / "fresh")
    assert not (tmp_path / "units" / "DK-THOCHAU.xlsx").exists()
    assert _hashes(again.directory / "units") == _hashes(fresh.directory / "units")


# ---------------------------------------------------------------- ground truth


def test_task_counts_per_unit_are_realistic(months: dict[date, DemoProvince]) -> None:
    for d, province in months.items():
        for code, e in province.expected.items():
            if e.report_status in ("unreadable", "invalid"):
                assert e.counts == {"total": 0, **dict.fromkeys(CATEGORIES, 0)}, code
            else:
                assert _rows_ok(code, e.counts["total"]), (d, code)
                assert e.counts["total"] == sum(e.counts[c] for c in CATEGORIES)
        for code in _readable(province):
            assert _rows_ok(code, len(_read_sheet(province, code)[1])), (d, code)
        # communes receive fewer tasks than agencies, with shorter deadlines
        rows = {c: _read_sheet(province, c)[1] for c in _readable(province)}
        mean = {
            k: sum(len(rows[c]) for c in rows if COMMUNE[c] == k) / sum(COMMUNE[c] == k for c in rows)
            for k in ROWS
        }
        assert mean[True] < mean[False] / 2, (d, mean)


#: Every unit has tasks at the demo's meetings; units with none are those of a meeting before the
#: tasks were handed out (``test_units_without_tasks_before_the_tasks_are_handed_out``).
SEEDED_STATUSES = set(REPORT_STATUSES) - {"no_tasks"}


def test_every_status_and_category_occurs(province: DemoProvince) -> None:
    statuses = {e.report_status for e in province.expected.values()}
    assert statuses == SEEDED_STATUSES
    assert sum(e.report_status == "on_time" for e in province.expected.values()) >= 100
    totals = province.totals()
    assert all(totals[c] > 0 for c in CATEGORIES), totals
    assert totals["total"] == sum(totals[c] for c in CATEGORIES)


def test_statuses_at_the_demo_meeting(province: DemoProvince) -> None:
    status = {c: e.report_status for c, e in province.expected.items()}
    assert (status["X-GIANGTHANH"], status["DK-KIENHAI"], status["X-ANMINH"], status["SDTTG"]) == (
        "late",
        "missing",
        "incomplete",
        "invalid",
    )
    assert (province.as_of, province.previous_cutoff, province.cutoff) == (
        date(2026, 11, 5),
        date(2026, 9, 25),
        date(2026, 10, 25),
    )


def test_seeded_error_codes(province: DemoProvince) -> None:
    codes = {c: e.error_codes for c, e in province.expected.items()}
    assert codes["DK-THOCHAU"] == codes["X-UMINHTHUONG"] == {"source-unreadable"}
    assert codes["SDTTG"] == {"missing-column"}
    assert codes["SCT"] == codes["SXD"] == {"duplicate-task-id"}
    assert codes["P-RACHGIA"] == {"completion-date-missing"}
    assert codes["X-KIENLUONG"] == codes["X-CHAUTHANH"] == {"invalid-date"}
    assert codes["X-ANMINH"] == {"future-date", "stale-update"}
    assert codes["DK-KIENHAI"] == {"stale-update"}
    assert codes["X-GIANGTHANH"] == {"late-update"}
    assert codes["X-VINHTHUAN"] == {"legacy-encoding"}
    assert codes["X-GIONGRIENG"] == {"unknown-unit"}
    assert not codes["SNV"]


def test_reporting_period() -> None:
    assert reporting_period(date(2024, 3, 5)) == (date(2024, 1, 25), date(2024, 2, 25))
    assert reporting_period(date(2024, 3, 25)) == (date(2024, 2, 25), date(2024, 3, 25))
    assert reporting_period(date(2024, 1, 10)) == (date(2023, 11, 25), date(2023, 12, 25))


# A reader of its own, straight from the contract, to check ``expected`` against.


def _read_sheet(province: DemoProvince, code: str) -> tuple[set[str], list[dict[str, Any]]]:
    """(fields in the header, task rows as {field: cell value})."""
    wb = openpyxl.load_workbook(province.directory / "units" / f"{code}.xlsx")
    named = [ws for ws in wb.worksheets if fold(ws.title) == fold(SCHEMA.tab)]
    lookup = SCHEMA.header_lookup
    for ws in named or wb.worksheets:
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for i, row in enumerate(grid[: SCHEMA.header_search_rows]):
            cols = {
                j: lookup[fold(str(v))] for j, v in enumerate(row) if v is not None and fold(str(v)) in lookup
            }
            if len(cols) >= SCHEMA.header_min_matches:
                tasks = []
                for r in grid[i + 1 :]:
                    values = {f: r[j] for j, f in cols.items() if j < len(r)}
                    if any(v not in (None, "") for f, v in values.items() if f != "stt"):
                        tasks.append(values)
                return set(cols.values()), tasks
    raise AssertionError(f"{code}: no header row")


def _as_date(value: Any) -> date | None:
    parsed = parse_date(value)
    return parsed if isinstance(parsed, date) else None


def _classify(task: dict[str, Any], as_of: date) -> str:
    kinds = SCHEMA["deadline"].value_lookup()
    raw_deadline = task.get("deadline")
    if isinstance(raw_deadline, str) and fold(raw_deadline) in kinds:
        return "no_deadline"
    deadline = _as_date(raw_deadline)
    if deadline is None:
        return "unclassified"
    effective = _as_date(task.get("extended_deadline")) or deadline
    status = SCHEMA["status"].value_lookup().get(fold(str(task.get("status") or "")))
    completed_on = _as_date(task.get("completed_on"))
    if status == "completed" and completed_on is not None and completed_on <= as_of:
        return "completed_on_time" if completed_on <= effective else "completed_late"
    return "in_progress_on_time" if effective >= as_of else "in_progress_overdue"


def _update_state(task: dict[str, Any], as_of: date) -> str:
    previous, cutoff = reporting_period(as_of)
    status = SCHEMA["status"].value_lookup().get(fold(str(task.get("status") or "")))
    completed_on = _as_date(task.get("completed_on"))
    if status == "completed" and completed_on is not None and completed_on <= previous:
        return "not_needed"
    doc_date = _as_date(task.get("doc_date"))
    if doc_date is not None and doc_date > previous:
        return "not_needed"
    updated = _as_date(task.get("updated_on"))
    if updated is not None and previous < updated <= cutoff:
        return "fresh"
    if updated is not None and cutoff < updated <= as_of:
        return "late"
    return "stale"


def _report_status(states: list[str]) -> str:
    if not states:
        return "no_tasks"
    needed = [s for s in states if s != "not_needed"]
    stale = needed.count("stale")
    if all(s == "fresh" for s in needed):
        return "on_time"
    if stale == len(needed):
        return "missing"
    return "incomplete" if stale else "late"


def test_expected_matches_what_the_sheets_say(months: dict[date, DemoProvince]) -> None:
    required = {f.name for f in SCHEMA.required_fields()}
    for as_of, province in months.items():
        for code in _readable(province):
            e = province.expected[code]
            fields, tasks = _read_sheet(province, code)
            if not required <= fields:
                assert e.report_status == "invalid", (as_of, code)
                continue
            cats = [_classify(t, as_of) for t in tasks]
            counts = {"total": len(tasks), **{c: cats.count(c) for c in CATEGORIES}}
            assert e.counts == counts, (as_of, code)
            assert e.categories == {t["task_id"]: c for t, c in zip(tasks, cats, strict=True)}
            status = _report_status([_update_state(t, as_of) for t in tasks])
            assert e.report_status == status, (as_of, code)


def test_the_province_evolves(months: dict[date, DemoProvince]) -> None:
    july, november = months[date(YEAR, 7, 5)], months[DEMO_AS_OF]
    assert july.totals()["total"] < november.totals()["total"]
    before = {t: c for e in july.expected.values() for t, c in e.categories.items()}
    after = {t: c for e in november.expected.values() for t, c in e.categories.items()}
    changed = {t for t in before if t in after and before[t] != after[t]}
    assert any(after[t].startswith("completed") for t in changed)
    assert any(after[t] == "in_progress_overdue" for t in changed)
    assert months[date(YEAR, 9, 5)].expected["DK-KIENHAI"].report_status == "on_time"
    assert months[date(YEAR, 10, 5)].expected["DK-KIENHAI"].report_status == "missing"
    for province in months.values():
        assert province.expected["X-GIANGTHANH"].report_status == "late"
        assert province.expected["X-ANMINH"].report_status == "incomplete"
        assert "duplicate-task-id" in province.expected["SXD"].error_codes


def test_extensions_are_granted_over_time(months: dict[date, DemoProvince]) -> None:
    def extended(province: DemoProvince) -> int:
        return sum(
            t.get("extended_deadline") is not None
            for code in _readable(province)
            for t in _read_sheet(province, code)[1]
        )

    assert 0 < extended(months[date(YEAR, 7, 5)]) < extended(months[DEMO_AS_OF])


# ---------------------------------------------------------------- seeded mistakes


def test_formula_looking_text_is_stored_as_text(province: DemoProvince) -> None:
    wb = openpyxl.load_workbook(province.directory / "units" / "DK-PHUQUOC.xlsx")
    hits = [c for row in wb[SCHEMA.tab].iter_rows() for c in row if c.value == _FORMULA_TEXT]
    assert hits and all(c.data_type == "s" for c in hits)
    calamine = CalamineWorkbook.from_path(str(province.directory / "units" / "DK-PHUQUOC.xlsx"))
    assert any(_FORMULA_TEXT in row for row in calamine.get_sheet_by_name(SCHEMA.tab).to_python())


_FORMULA_TEXT = '=HYPERLINK("http://example.com","xem")'


def test_text_dates_in_every_accepted_form(province: DemoProvince) -> None:
    forms = {
        "SNV": r"^\d{2}/\d{2}/\d{4}$",
        "STP": r"^\d{1,2}/\d{1,2}/\d{4}$",
        "P-LONGXUYEN": r"^\d{2}-\d{2}-\d{4}$",
        "STC": r"^\d{2}\.\d{2}\.\d{4}$",
        "SCT": r"^\d{4}-\d{2}-\d{2}$",
        "SNNMT": r"^ngày \d{1,2} tháng \d{1,2} năm \d{4}$",
    }
    for code, pattern in forms.items():
        texts = [v for v in _cells(province, code) if isinstance(v, str) and re.match(pattern, v)]
        assert len(texts) > 10, code
        assert all(isinstance(parse_date(t), date) for t in texts), code
    assert any(
        isinstance(v, str) and re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", v) and not v.startswith("0")
        for v in _cells(province, "STP")
    )


def test_serial_numbers_for_dates(province: DemoProvince) -> None:
    _, tasks = _read_sheet(province, "P-CHAUDOC")
    assert all(isinstance(t["doc_date"], int) for t in tasks)
    assert all(isinstance(parse_date(t["doc_date"]), date) for t in tasks)


def test_unicode_decomposed_text(province: DemoProvince) -> None:
    _, sxd = _read_sheet(province, "SXD")
    assert all(not unicodedata.is_normalized("NFC", t["status"]) for t in sxd)
    _, stnmt = _read_sheet(province, "X-ANPHU")
    assert all(unicodedata.normalize("NFC", t["lead_unit"]) == "UBND xã An Phú" for t in stnmt)
    assert all(not unicodedata.is_normalized("NFC", t["lead_unit"]) for t in stnmt)


def test_header_variants(province: DemoProvince) -> None:
    def header(code: str) -> list[Any]:
        cells = _cells(province, code)
        return [v for v in cells if isinstance(v, str) and fold(v) in SCHEMA.header_lookup]

    assert {"Mã NV", "Trạng thái", "Hạn xử lý"} <= set(header("P-TANCHAU"))
    assert "NGAY CAP NHAT" in header("X-CHOMOI")
    assert "Ghi chú" in _cells(province, "SGDDT")
    fields, _ = _read_sheet(province, "SDTTG")
    assert "updated_on" not in fields
    wb = openpyxl.load_workbook(province.directory / "units" / "SVHTT.xlsx")
    assert wb.sheetnames == ["Hướng dẫn", "Theo dõi NV"]
    wb = openpyxl.load_workbook(province.directory / "units" / "SKHCN.xlsx")
    order = [
        SCHEMA.header_lookup[fold(v)]
        for v in next(wb[SCHEMA.tab].iter_rows(min_row=5, max_row=5, values_only=True))
    ]
    assert sorted(order) == sorted(SCHEMA.names) and order != list(SCHEMA.names)


def test_layout_variants(province: DemoProvince) -> None:
    wb = openpyxl.load_workbook(province.directory / "units" / "SYT.xlsx")
    ws = wb[SCHEMA.tab]
    hidden = [r for r, dim in ws.row_dimensions.items() if dim.hidden]
    assert len(hidden) == 1 and ws.cell(row=hidden[0], column=2).value
    assert ws.merged_cells.ranges
    wb = openpyxl.load_workbook(province.directory / "units" / "TTT.xlsx")
    rows = list(wb[SCHEMA.tab].iter_rows(min_row=6, values_only=True))
    assert any(all(v is None for v in r) for r in rows)  # blank rows between tasks
    stt_only = [r for r in rows if r[0] is not None and all(v is None for v in r[1:])]
    assert stt_only


def test_status_spellings(province: DemoProvince) -> None:
    _, tasks = _read_sheet(province, "X-TANHIEP")
    statuses = {t["status"] for t in tasks}
    assert {"Đã HT", "xong", "Đang TH"} <= statuses


def test_other_mistakes(province: DemoProvince) -> None:
    deadlines = {
        code: [t["deadline"] for t in _read_sheet(province, code)[1]]
        for code in ("X-KIENLUONG", "X-CHAUTHANH")
    }
    assert "03/15/2026" in deadlines["X-KIENLUONG"]
    assert "31/02/2026" in deadlines["X-CHAUTHANH"]
    kinds = SCHEMA["deadline"].values["no_deadline"]
    assert any(v in kinds for code in ("SNV", "P-HATIEN") for v in _cells(province, code))
    assert any(isinstance(v, str) and "Hoµn thµnh" in v for v in _cells(province, "X-VINHTHUAN"))
    _, rg = _read_sheet(province, "P-RACHGIA")
    done = SCHEMA["status"].values["completed"]
    assert any(t["status"] in done and t.get("completed_on") is None for t in rg)
    _, am = _read_sheet(province, "X-ANMINH")
    assert any((_as_date(t["updated_on"]) or DEMO_AS_OF) > DEMO_AS_OF for t in am)
    _, gr = _read_sheet(province, "X-GIONGRIENG")
    spellings = {fold(s) for u in load_units() for s in (u.code, u.name, *u.aliases)}
    assert any(fold(t["lead_unit"]) not in spellings for t in gr)
    ids = {code: {t["task_id"] for t in _read_sheet(province, code)[1]} for code in ("SCT", "SXD")}
    assert ids["SCT"] & ids["SXD"] == {"NV-2025-0100"}
    everywhere = [t["task_id"] for c in _readable(province) for t in _read_sheet(province, c)[1]]
    assert len(everywhere) == len(set(everywhere)) + 1


@pytest.mark.parametrize("seed", [3, 8])
def test_other_seeds_keep_the_shape(tmp_path: Path, seed: int) -> None:
    province = make_demo(tmp_path / "now", seed=seed)
    assert {e.report_status for e in province.expected.values()} == SEEDED_STATUSES
    assert all(province.totals()[c] > 0 for c in CATEGORIES)
    for as_of in (date(YEAR, 6, 1), date(YEAR + 1, 3, 31)):
        other = make_demo(tmp_path / as_of.isoformat(), seed=seed, as_of=as_of)
        for code in _readable(other):
            if other.expected[code].report_status != "invalid":
                assert _rows_ok(code, other.expected[code].counts["total"]), (as_of, code)


def test_communes_get_shorter_deadlines(province: DemoProvince) -> None:
    spans: dict[bool, list[int]] = {True: [], False: []}
    for code in _readable(province):
        for t in _read_sheet(province, code)[1]:
            doc, deadline = _as_date(t.get("doc_date")), _as_date(t.get("deadline"))
            if doc is not None and deadline is not None:
                spans[COMMUNE[code]].append((deadline - doc).days)
    assert statistics.median(spans[True]) < statistics.median(spans[False])


def test_kien_giang_2024_keeps_its_37_units_and_its_heading(tmp_path: Path) -> None:
    before = make_demo(tmp_path, province="kien-giang-2024")
    config = load_config(before.config_path)
    assert len(config.units) == 37 and [u.kind for u in config.units].count("huyen") == 15
    assert (config.report.parent, config.report.place) == ("UBND TỈNH KIÊN GIANG", "Kiên Giang")
    title = openpyxl.load_workbook(tmp_path / "units" / "RG.xlsx")[SCHEMA.tab]["A1"].value
    assert title == "UBND TỈNH KIÊN GIANG"
    status = {c: e.report_status for c, e in before.expected.items()}
    assert (status["GT"], status["KH"], status["AM"], status["BDT"]) == (
        "late",
        "missing",
        "incomplete",
        "invalid",
    )
    assert {c for c, s in status.items() if s == "unreadable"} == {"SNGV", "UMT"}
    assert all(_rows_ok_before(e.counts["total"]) for e in before.expected.values() if e.counts["total"])
    result = run_sync(config, before.as_of)
    assert {u.code: (u.report_status, u.counts) for u in result.units} == {
        c: (e.report_status, e.counts) for c, e in before.expected.items()
    }
    assert [(g["group"], g["unit_count"]) for g in result.to_dict()["groups"]] == [
        ("so-nganh", 22),
        ("cap-huyen", 15),
    ]


def test_kien_giang_2024_keeps_its_2024_calendar(tmp_path: Path) -> None:
    """Before the merger, the meeting of 05/11/2024: tasks of 2023 and 2024, 2024's mistakes."""
    before = make_demo(tmp_path, province="kien-giang-2024")
    assert demo_as_of("kien-giang-2024") == before.as_of == date(2024, 11, 5)
    assert (before.previous_cutoff, before.cutoff) == (date(2024, 9, 25), date(2024, 10, 25))
    wb = openpyxl.load_workbook(tmp_path / "units" / "SNV.xlsx")
    assert (wb.properties.created, wb.properties.modified) == (
        datetime(2023, 1, 3, 8),
        datetime(2024, 11, 5, 7, 30),
    )
    sheets = {c: _read_sheet(before, c)[1] for c in _readable(before)}
    assert "03/15/2024" in [t["deadline"] for t in sheets["KL"]]
    assert "31/02/2024" in [t["deadline"] for t in sheets["CT"]]
    ids = [t["task_id"] for tasks in sheets.values() for t in tasks]
    assert {t["task_id"] for t in sheets["SCT"]} & {t["task_id"] for t in sheets["SXD"]} == {"NV-2023-0100"}
    assert {i[:7] for i in ids} == {"NV-2023", "NV-2024"}
    docs = [_as_date(t["doc_date"]) for tasks in sheets.values() for t in tasks]
    assert min(d for d in docs if d) >= date(2023, 1, 1) and max(d for d in docs if d) <= before.as_of
    instructions = openpyxl.load_workbook(tmp_path / "units" / "SVHTT.xlsx")["Hướng dẫn"]
    assert "ví dụ 05/11/2024." in str(instructions["A6"].value)


def test_an_giang_is_dated_2025_and_2026(province: DemoProvince) -> None:
    """The units exist since 01/07/2025: tasks assigned 2025–2026, ids and texts of those years."""
    sheets = {c: _read_sheet(province, c)[1] for c in _readable(province)}
    ids = [t["task_id"] for tasks in sheets.values() for t in tasks]
    assert {i[:7] for i in ids} == {"NV-2025", "NV-2026"}
    docs = [d for tasks in sheets.values() for t in tasks if (d := _as_date(t["doc_date"]))]
    assert min(docs) >= date(2025, 1, 1) and max(docs) <= DEMO_AS_OF
    summaries = " ".join(t["summary"] for tasks in sheets.values() for t in tasks)
    assert "2026" in summaries and not re.search(r"\b202[34]\b", summaries)
    instructions = openpyxl.load_workbook(province.directory / "units" / "SVHTT.xlsx")["Hướng dẫn"]
    assert "ví dụ 05/11/2026." in str(instructions["A6"].value)


def _truth(wunit: WorldUnit, as_of: date) -> ExpectedUnit:
    rows = [render_task(wunit, t, as_of) for t in wunit.tasks if t.doc_date <= as_of]
    return expect_unit(wunit, rows, as_of, reporting_period(as_of))


@pytest.mark.parametrize("seed", [2024, 7])
def test_an_giang_tells_the_story_drawn_two_years_earlier(seed: int) -> None:
    """Moved from 2024 to 2026, every task keeps its category and every unit its status."""
    drawn = build_world(seed, "an-giang-2025", years=0)
    moved = build_world(seed, "an-giang-2025")
    assert PROVINCES["an-giang-2025"].years == 2
    # 29/02/2024 has no day in 2026: those dates become 28/02
    assert any(
        t.doc_date == date(2024, 2, 29) or t.deadline == date(2024, 2, 29)
        for u in drawn.values()
        for t in u.tasks
    )
    assert shift_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    # and around the missing day (only a meeting on 28/02 itself would see two days of 2024 as one)
    around = [date(2024, 2, 27), date(2024, 3, 1)]
    meetings = [date(y, m, 5) for y in (2024, 2025) for m in range(1, 13)] + around
    for as_of in meetings:
        later = shift_years(as_of, 2)
        for code, wunit in drawn.items():
            a, b = _truth(wunit, as_of), _truth(moved[code], later)
            assert (b.report_status, b.counts, b.error_codes) == (a.report_status, a.counts, a.error_codes), (
                as_of,
                code,
            )
            assert b.categories == {_later_id(i): c for i, c in a.categories.items()}, (as_of, code)


def _later_id(task_id: str) -> str:
    """NV-2024-0007 two years later: NV-2026-0007."""
    prefix, year, number = task_id.split("-")
    return f"{prefix}-{int(year) + 2}-{number}"


def _rows_ok_before(n: int) -> bool:
    """Kiên Giang 2024: agencies and district committees alike, 20–60 rows."""
    return ROWS[False][0] <= n <= ROWS[False][1]


def test_demo_help_names_each_provinces_meeting() -> None:
    from click.testing import CliRunner

    from sync.cli import cli

    text = " ".join(CliRunner().invoke(cli, ["demo", "--help"]).output.split())
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text)  # click wraps lines after a hyphen
    for key, profile in PROVINCES.items():
        assert f"{profile.as_of:%d/%m/%Y} với {key}" in text, key


def test_a_province_meets_on_the_reference_meeting_of_its_year() -> None:
    """A calendar is REFERENCE's moved by whole years: any other meeting is refused."""
    assert ProvinceProfile("x", "x.csv", "X", date(2030, 11, 5)).years == 6
    with pytest.raises(ValueError, match="whole years"):
        ProvinceProfile("x", "x.csv", "X", date(2026, 11, 6))
