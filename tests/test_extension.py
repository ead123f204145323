"""Extension requests (issue 11, part 4): listed while pending (finding, tab, JSON) on both
backends, granted through the register, dated by the history, flagged when made too late."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from google_emulator import Emulator
from sync.backends.gsheets.read import spreadsheet_id
from sync.cli import cli
from sync.config import load_config
from sync.engine import run_sync
from sync.extension import made_on
from sync.history import History
from sync.pipeline import sync_and_record
from sync.report import pending_extensions
from tests.helpers import AS_OF, google_copy, task_row, write_config, write_workbook
from tests.test_register_reconcile import REGISTER_FIELDS, REGISTER_TITLES, register_row

REASON = "Vướng giải phóng mặt bằng, đề nghị gia hạn"
TAB_HEAD = [
    "Mã đơn vị",
    "Đơn vị",
    "Mã nhiệm vụ",
    "Nội dung nhiệm vụ",
    "Thời hạn hiện tại",
    "Đề nghị gia hạn đến",
    "Ngày đề nghị",
    "Số ngày làm việc trước hạn",
    "Lý do (khó khăn, vướng mắc, đề xuất)",
    "Đề nghị muộn",
    "Vị trí",
]


def unit_rows() -> list[dict[str, Any]]:
    """As of 05/03/2024: one request in time, one made 3 working days before, one after the deadline."""
    return [
        # updated Tue 20/02; deadline Tue 30/04/2024: 47 working days between (18/04, 29/04, 30/04 off)
        task_row(task_id="NV-1", extension_request="31/05/2024", obstacles=REASON),
        # updated Tue 27/02, deadline Fri 01/03: 28/02, 29/02, 01/03 = 3 working days < 5
        task_row(
            task_id="NV-2", deadline="01/03/2024", extension_request="31/03/2024", updated_on="27/02/2024"
        ),
        # updated Mon 04/03, after the deadline Fri 01/03
        task_row(
            task_id="NV-3", deadline="01/03/2024", extension_request="31/03/2024", updated_on="04/03/2024"
        ),
        # asks for a date before its deadline: no request
        task_row(task_id="NV-4", extension_request="15/04/2024"),
        # completed: a request no longer matters
        task_row(
            task_id="NV-5", extension_request="31/05/2024", status="Đã hoàn thành", completed_on="01/03/2024"
        ),
    ]


def one_unit(directory: Path, rows: list[dict[str, Any]], extra: str = "") -> Path:
    write_workbook(directory / "units" / "SNV.xlsx", rows)
    return write_config(directory, [("SNV", "Sở Nội vụ", "units/SNV.xlsx")], extra=extra)


def requests_of(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["task_id"]: r for r in doc["extension_requests"]}


def check_listed(doc: dict[str, Any], tab: list[list[Any]]) -> None:
    """The three pending requests, in the JSON, the findings and the Đề nghị gia hạn tab."""
    got = requests_of(doc)
    assert list(got) == ["NV-2", "NV-3", "NV-1"]  # nearest deadline first
    assert got["NV-1"] == {
        "unit": "SNV",
        "sheet": "Nhiệm vụ",
        "row": 5,
        "cell": "P5",
        "task_id": "NV-1",
        "summary": task_row()["summary"],
        "deadline": "2024-04-30",
        "requested": "2024-05-31",
        "made_on": "2024-02-20",
        "working_days_before": 47,
        "late": False,
        "reason": REASON,
    }
    assert (got["NV-2"]["made_on"], got["NV-2"]["working_days_before"], got["NV-2"]["late"]) == (
        "2024-02-27",
        3,
        True,
    )
    assert (got["NV-3"]["made_on"], got["NV-3"]["working_days_before"], got["NV-3"]["late"]) == (
        "2024-03-04",
        0,
        True,
    )
    codes = {(f["code"], f["cell"]) for f in doc["findings"] if f["code"].startswith("extension-")}
    assert codes == {
        ("extension-requested", "P5"),
        ("extension-requested", "P6"),
        ("extension-requested", "P7"),
        ("extension-late", "P6"),
        ("extension-late", "P7"),
        ("extension-not-later", "P8"),
    }
    asked = next(f for f in doc["findings"] if f["code"] == "extension-requested" and f["cell"] == "P5")
    assert (asked["severity"], asked["value"]) == ("info", "2024-05-31")
    assert "(mã NV-1) từ thời hạn 30/04/2024 đến 31/05/2024" in asked["message"]
    assert "chờ Văn phòng UBND tỉnh" in asked["message"]
    late = {f["cell"]: f for f in doc["findings"] if f["code"] == "extension-late"}
    assert late["P6"]["severity"] == "warning" and late["P6"]["value"] == 3
    assert "chỉ 3 ngày làm việc trước thời hạn 01/03/2024" in late["P6"]["message"]
    assert "ít nhất 5 ngày làm việc" in late["P6"]["message"]
    assert "ghi nhận ngày 04/03/2024, sau thời hạn 01/03/2024" in late["P7"]["message"]
    assert tab[0] == TAB_HEAD
    by_id = {r[2]: r for r in tab[1:]}
    assert list(by_id) == ["NV-2", "NV-3", "NV-1"]
    assert by_id["NV-1"][:2] == ["SNV", "Sở Nội vụ"] and by_id["NV-1"][7:] == [
        47,
        REASON,
        None,
        "Nhiệm vụ, ô P5",
    ]
    assert by_id["NV-2"][7] == 3 and by_id["NV-2"][9] == "Muộn"


def xlsx_tab(path: Path, name: str = "Đề nghị gia hạn") -> list[list[Any]]:
    ws = openpyxl.load_workbook(path)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    dates = (4, 5, 6)
    return [[c.date() if i in dates and hasattr(c, "date") else c for i, c in enumerate(r)] for r in rows]


def test_pending_requests_listed_in_xlsx_summary_and_json(tmp_path: Path) -> None:
    config = one_unit(tmp_path, unit_rows())
    out = CliRunner().invoke(cli, ["sync", "-c", str(config), "--as-of", "2024-03-05", "--json", "--quiet"])
    assert out.exit_code == 0, out.output
    tab = xlsx_tab(tmp_path / "out" / "tong-hop.xlsx")
    check_listed(json.loads(out.stdout), tab)
    assert tab[1][4:7] == [date(2024, 3, 1), date(2024, 3, 31), date(2024, 2, 27)]
    validated = CliRunner().invoke(cli, ["validate", "-c", str(config), "--as-of", "2024-03-05", "--json"])
    assert requests_of(json.loads(validated.stdout)) == requests_of(json.loads(out.stdout))
    with History(load_config(config).history_path) as h:  # the meeting report lists the same requests
        run = h.load(h.latest_run().id)  # type: ignore[union-attr,arg-type]
    assert [t.task_id for t in pending_extensions(run)] == ["NV-2", "NV-3", "NV-1"]


def test_pending_requests_listed_on_google(tmp_path: Path, emu: Emulator) -> None:
    gpath = google_copy(tmp_path, one_unit(tmp_path, unit_rows()), emu)
    outcome = sync_and_record(load_config(gpath), AS_OF)
    sid = spreadsheet_id(outcome.summary or "")
    grid = emu.get_values(sid, "'Đề nghị gia hạn'", "FORMATTED_VALUE")
    tab = [[None if c == "" else c for c in row] + [None] * (len(TAB_HEAD) - len(row)) for row in grid]
    for row in tab[1:]:
        row[7] = int(row[7])
    check_listed(outcome.result.to_dict(), tab)
    assert tab[1][4:7] == ["01/03/2024", "31/03/2024", "27/02/2024"]  # dates shown day first


def test_min_working_days_and_calendar_are_configured(tmp_path: Path) -> None:
    # NV-2 was made 3 working days ahead: enough with min 3; with 28/02 and 29/02 declared off, 1 day only
    config = one_unit(tmp_path, unit_rows(), extra="\n[extension]\nmin_working_days = 3\n")
    got = requests_of(run_sync(load_config(config), AS_OF).to_dict())
    assert got["NV-2"]["late"] is False and got["NV-3"]["late"] is True
    config = one_unit(
        tmp_path,
        unit_rows(),
        extra='\n[extension]\nmin_working_days = 3\n[calendar]\ndays_off = ["28/02/2024", "29/02/2024"]\n',
    )
    got = requests_of(run_sync(load_config(config), AS_OF).to_dict())
    assert (got["NV-2"]["working_days_before"], got["NV-2"]["late"]) == (1, True)


def write_register(directory: Path, extension: dict[str, Any]) -> None:
    """The register of NV-1 and NV-2 (deadline 01/03/2024, with ``extension`` fields)."""
    write_workbook(
        directory / "danh-muc.xlsx",
        [
            register_row("NV-1", "Sở Nội vụ", "30/04/2024"),
            register_row("NV-2", "Sở Nội vụ", "01/03/2024", **extension),
        ],
        fields=REGISTER_FIELDS,
        headers=REGISTER_TITLES,
        tab="Danh mục nhiệm vụ",
    )


GRANTED = {"extended_deadline": "31/03/2024", "extension_doc": "120/UBND-TH"}


def check_granted(result: Any) -> None:
    """NV-2 classified by the approved 31/03/2024, its request no longer pending, nothing to fix."""
    task = next(t for t in result.tasks if t.task_id == "NV-2")
    assert (task.category, task.effective_deadline) == ("in_progress_on_time", date(2024, 3, 31))
    assert task.values["extension_doc"] == "120/UBND-TH"
    assert list(requests_of(result.to_dict())) == ["NV-1"]
    nv2 = [f.code for f in result.findings if f.row == 6]
    assert not [c for c in nv2 if c.startswith("extension-") or c in ("overdue", "office-field-changed")]


def test_approved_in_the_register_classifies_and_is_no_longer_pending(tmp_path: Path) -> None:
    """NV-2 overdue by its deadline 01/03/2024; the Office grants 31/03/2024 in the register."""
    config = one_unit(tmp_path, unit_rows()[:2], extra='\n[register]\nsource = "danh-muc.xlsx"\n')
    write_register(tmp_path, {})
    before = run_sync(load_config(config), AS_OF)
    task = next(t for t in before.tasks if t.task_id == "NV-2")
    assert (task.category, task.days_overdue) == ("in_progress_overdue", 4)
    assert "NV-2" in requests_of(before.to_dict())

    write_register(tmp_path, GRANTED)
    check_granted(run_sync(load_config(config), AS_OF))
    # an approved date without its document: classified all the same, the register is told
    write_register(tmp_path, {"extended_deadline": "31/03/2024"})
    result = run_sync(load_config(config), AS_OF)
    task = next(t for t in result.tasks if t.task_id == "NV-2")
    assert task.category == "in_progress_on_time"
    (missing,) = [f for f in result.findings if f.code == "extension-doc-missing"]
    column = get_column_letter(REGISTER_FIELDS.index("extension_doc") + 1)
    assert (missing.unit, missing.cell, missing.severity) == ("register", f"{column}6", "warning")
    assert "NV-2 có thời hạn điều chỉnh 31/03/2024" in missing.message
    assert "“Văn bản chấp thuận gia hạn”" in missing.message


def test_approved_in_a_google_register(tmp_path: Path, emu: Emulator) -> None:
    config = one_unit(tmp_path, unit_rows()[:2], extra='\n[register]\nsource = "danh-muc.xlsx"\n')
    write_register(tmp_path, GRANTED)
    check_granted(run_sync(load_config(google_copy(tmp_path, config, emu)), AS_OF))


def test_made_date_is_kept_from_the_first_run_that_saw_the_request(tmp_path: Path) -> None:
    """February's run saw NV-1's request (row updated 01/02); March's row was updated again on
    28/02: the request still dates from 01/02. NV-2's request appeared after February's run
    with an older updated_on (20/01): it dates from March's run."""
    rows = [
        task_row(task_id="NV-1", extension_request="31/05/2024", updated_on="01/02/2024"),
        task_row(task_id="NV-2", updated_on="20/01/2024"),
    ]
    config = load_config(one_unit(tmp_path, rows))
    sync_and_record(config, date(2024, 2, 5))
    rows[0]["updated_on"] = "28/02/2024"
    rows[1]["extension_request"] = "31/05/2024"
    one_unit(tmp_path, rows)
    with History(config.history_path) as history:
        dates = history.request_dates(AS_OF)
    assert dates.last_run == date(2024, 2, 5)
    assert dates.seen == {("SNV", "nv-1", date(2024, 5, 31)): date(2024, 2, 1)}
    got = requests_of(sync_and_record(config, AS_OF).result.to_dict())
    assert (got["NV-1"]["made_on"], got["NV-2"]["made_on"]) == ("2024-02-01", "2024-03-05")
    # the same again (a re-run of March): the dates do not move
    again = requests_of(sync_and_record(config, AS_OF).result.to_dict())
    assert again == got


def test_made_on_bounds() -> None:
    seen, before = date(2024, 3, 5), date(2024, 2, 5)
    assert made_on(date(2024, 2, 20), seen, before) == date(2024, 2, 20)
    assert made_on(date(2024, 2, 5), seen, before) == seen  # the run of 05/02 did not see it
    assert made_on(date(2024, 3, 6), seen, before) == seen  # typed later than the run
    assert made_on(None, seen, before) == seen
    assert made_on(date(2023, 1, 1), seen, None) == date(2023, 1, 1)
