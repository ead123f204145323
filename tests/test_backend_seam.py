"""The backend seam: a third backend (in memory, ``tests/memory_backend.py``) runs the whole cycle
through the same use cases as the command line — init, distribute, sync, remind, report — with
no feature knowing which backend it got."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sync.config import load_config
from sync.distribute import distribute
from sync.pipeline import sync_and_record
from sync.remind import remind
from sync.report import make_report
from sync.schema import register_schema, unit_sheet_schema
from sync.setup.province import init_province
from sync.shapes.books import UnitSpec
from sync.shapes.office_tabs import COOP_TAB, REMIND_TAB
from tests.memory_backend import STORES, MemoryStore, install

UNITS = [
    UnitSpec("SNV", "Sở Nội vụ"),
    UnitSpec("STC", "Sở Tài chính"),
    UnitSpec("XTT", "UBND xã Tri Tôn", kind="xa"),
]
AS_OF = date(2026, 11, 5)  # period (25/09/2026, 25/10/2026]


@pytest.fixture(autouse=True)
def memory_backend() -> None:
    install()


def _title(schema_name: str, field: str) -> str:
    schema = register_schema() if schema_name == "register" else unit_sheet_schema()
    return schema[field].title


def _put(grid: list[list[object]], row: int, values: dict[str, object], schema_name: str) -> None:
    """Type ``values`` (by field) into sheet row ``row`` (1-based) under ``grid``'s header."""
    head = grid[0]
    while len(grid) < row:
        grid.append([])
    cells = grid[row - 1]
    cells.extend([""] * (len(head) - len(cells)))
    for field, value in values.items():
        cells[head.index(_title(schema_name, field))] = value


def _province(tmp_path: Path) -> tuple[Path, MemoryStore]:
    STORES.pop(tmp_path, None)
    outcome = init_province(
        UNITS,
        directory=tmp_path,
        config_path=tmp_path / "ubnd-sync.toml",
        units_csv="don-vi.csv",
        backend="memory",
    )
    assert outcome.config.created and len(outcome.sources) == 3
    return outcome.config_path, STORES[tmp_path]


def test_the_whole_cycle_on_a_third_backend(tmp_path: Path) -> None:
    config_path, store = _province(tmp_path)
    config = load_config(config_path)
    assert config.sync.backend == "memory"

    # the Office types two tasks into the register
    register = store.books[config.register.source].grid(register_schema().tab)
    base = {"doc_ref": "344/UBND-TH", "doc_date": date(2026, 9, 1), "assigner": "Chủ tịch UBND tỉnh"}
    _put(
        register,
        2,
        {
            **base,
            "task_id": "NV-1",
            "summary": "Rà soát thủ tục",
            "lead_unit": "SNV",
            "co_units": "STC",
            "deadline": date(2026, 10, 15),
        },
        "register",
    )
    _put(
        register,
        3,
        {
            **base,
            "task_id": "NV-2",
            "summary": "Báo cáo quý",
            "lead_unit": "XTT",
            "deadline": date(2026, 12, 31),
        },
        "register",
    )

    # distribute: each lead unit gets its row, the co-unit its Phối hợp tab
    report = distribute(config, as_of=AS_OF)
    assert {u.code: u.status for u in report.units} == {"SNV": "added", "STC": "added", "XTT": "added"}
    assert [u.added for u in report.units] == [["NV-1"], [], ["NV-2"]]
    snv = store.books[config.unit("SNV").source]
    assert snv.grid("Nhiệm vụ")[1][snv.grid("Nhiệm vụ")[0].index("Mã nhiệm vụ")] == "NV-1"
    assert COOP_TAB in store.books[config.unit("STC").source].protected
    assert [u.status for u in distribute(config, as_of=AS_OF).units] == ["up_to_date"] * 3  # nothing twice

    # the units update their rows: SNV finished late, XTT is on track but did not update
    _put(
        snv.grid("Nhiệm vụ"),
        2,
        {"status": "Đã hoàn thành", "completed_on": date(2026, 10, 20), "updated_on": date(2026, 10, 20)},
        "unit",
    )
    snv.version += 1
    xtt = store.books[config.unit("XTT").source]
    _put(xtt.grid("Nhiệm vụ"), 2, {"status": "Đang thực hiện"}, "unit")
    xtt.version += 1

    # sync: the summary goes to the store, the run to the history on disk
    outcome = sync_and_record(config, AS_OF)
    assert store.summary_writes == 1 and store.summary is not None
    assert [t.name for t in store.summary][:2] == ["Thống kê", "Nhiệm vụ"]
    counts = {
        u.code: (u.counts["completed_late"], u.counts["in_progress_on_time"]) for u in outcome.result.units
    }
    assert counts["SNV"] == (1, 0) and counts["XTT"] == (0, 1)
    assert outcome.recorded is not None and config.history_path.exists()
    stale = [f for f in outcome.result.findings if f.code == "stale-update"]
    assert [f.unit for f in stale] == ["XTT"] and stale[0].cell

    # remind in the units' own sheets: XTT's Nhắc việc tab says what to update
    reminders = remind(config, channels=("sheet",))
    sent = {o.unit for o in reminders.outcomes if o.status == "sent"}
    assert "XTT" in sent
    tab = store.books[config.unit("XTT").source].grid(REMIND_TAB)
    assert any(stale[0].cell in " ".join(map(str, row)) for row in tab)

    # the meeting's report, from the history alone
    files = make_report(config, pdf=False)
    assert files.docx.is_file() and files.docx.stat().st_size > 10_000


def test_a_book_changed_since_it_was_read_is_refused_and_left_alone(tmp_path: Path) -> None:
    config_path, store = _province(tmp_path)
    config = load_config(config_path)
    register = store.books[config.register.source].grid(register_schema().tab)
    _put(
        register,
        2,
        {
            "task_id": "NV-1",
            "summary": "Rà soát",
            "lead_unit": "SNV",
            "doc_date": date(2026, 9, 1),
            "deadline": date(2026, 12, 1),
        },
        "register",
    )
    from sync.backends import open_backend

    with open_backend(config) as backend:
        book = backend.unit_book(config.unit("SNV"))
        before = [list(r) for r in store.books[config.unit("SNV").source].grid("Nhiệm vụ")]
        store.books[config.unit("SNV").source].version += 1  # the unit saved meanwhile
        book.put_office_tab(REMIND_TAB, [["x"]])
        with pytest.raises(Exception, match="đã được sửa"):
            book.save()
    assert store.books[config.unit("SNV").source].grid("Nhiệm vụ") == before
    assert REMIND_TAB not in store.books[config.unit("SNV").source].tabs
