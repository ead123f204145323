"""The summary as a Google Sheet: the one batchUpdate that writes it (no network here)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sync.backends.gsheets.summary import summary_requests
from sync.shapes.tables import Column, Table


def test_summary_rewritten_shrinks_and_keeps_office_tabs(tmp_path: Path) -> None:
    t1 = Table("A", [Column("x", 10, "date"), Column("y", 10, "percent")])
    t1.add([date(2024, 1, 2), 0.5], "overdue")
    t1.add(["=1+1", None], "total")
    existing = [{"sheetId": 0, "title": "Sheet1", "index": 0}, {"sheetId": 5, "title": "Biểu đồ", "index": 1}]
    reqs = summary_requests([t1], existing)
    kinds = [next(iter(r)) for r in reqs]
    assert kinds[0] == "addSheet" and reqs[0]["addSheet"]["properties"]["sheetId"] == 6
    assert {"deleteSheet": {"sheetId": 0}} in reqs and {"deleteSheet": {"sheetId": 5}} not in reqs
    cells = next(r for r in reqs if "updateCells" in r)["updateCells"]["rows"]
    assert cells[1]["values"][0]["userEnteredValue"] == {"numberValue": 45293.0}
    assert cells[1]["values"][0]["userEnteredFormat"]["numberFormat"]["type"] == "DATE"
    assert cells[1]["values"][1]["userEnteredFormat"]["numberFormat"]["type"] == "PERCENT"
    assert cells[2]["values"][0]["userEnteredValue"] == {"stringValue": "=1+1"}
    assert cells[2]["values"][0]["userEnteredFormat"]["textFormat"]["bold"] is True


def test_existing_tab_is_placed_and_resized_and_widths_grouped() -> None:
    t = Table("Thống kê", [Column("a", 10), Column("b", 10), Column("c", 20)])
    t.add(["x", "y", "z"])
    reqs = summary_requests([t], [{"sheetId": 3, "title": "Thống kê", "index": 2}])
    assert reqs[0] == {
        "updateSheetProperties": {
            "properties": {
                "sheetId": 3,
                "index": 0,
                "gridProperties": {"rowCount": 2, "columnCount": 3, "frozenRowCount": 1},
            },
            "fields": "index,gridProperties(rowCount,columnCount,frozenRowCount)",
        }
    }
    sizes = [
        (r["updateDimensionProperties"]["range"], r["updateDimensionProperties"]["properties"]["pixelSize"])
        for r in reqs
        if "updateDimensionProperties" in r
    ]
    assert sizes == [
        ({"sheetId": 3, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}, 42),
        ({"sheetId": 3, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}, 75),
        ({"sheetId": 3, "dimension": "COLUMNS", "startIndex": 2, "endIndex": 3}, 145),
    ]
