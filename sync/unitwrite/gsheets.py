"""Office-owned tabs in a unit's Google Sheet (``Phối hợp``, ``Nhắc việc``): the requests of one
``batchUpdate`` that replaces the tab whole and protects it for the Office's account only."""

from __future__ import annotations

from typing import Any

from sync.unitwrite import OFFICE_TAB_LEAD

_BOLD = {"textFormat": {"bold": True}}
_TITLE = {"textFormat": {"bold": True, "fontSize": 13}}
_COLUMN_TITLES = {"textFormat": {"bold": True}, "backgroundColor": {"red": 0.85, "green": 0.85, "blue": 0.85}}
_ROWS = {"wrapStrategy": "WRAP", "verticalAlignment": "TOP"}


def _cell(value: str, r: int) -> dict[str, Any]:
    fmt = (
        _TITLE
        if r == 0
        else _COLUMN_TITLES
        if r == OFFICE_TAB_LEAD
        else _ROWS
        if r > OFFICE_TAB_LEAD
        else None
    )
    cell: dict[str, Any] = {"userEnteredValue": {"stringValue": value}} if value else {}
    if fmt is not None:
        cell["userEnteredFormat"] = fmt
    return cell


def office_tab_requests(
    sheet_ids: dict[str, int], name: str, grid: list[list[str]], editor: str, widths: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    """Delete ``name`` if present, add it again with ``grid`` (all text, RAW), and a protected range
    over the whole tab that only ``editor`` (the Office's service account) may edit.

    Laid out as the .xlsx tab is: the title and the column titles (the 4th row) bold, frozen below
    the column titles, rows wrapped in columns ``widths`` characters wide (Google's pixels: 7 a
    character and a margin).
    """
    out: list[dict[str, Any]] = []
    if name in sheet_ids:
        out.append({"deleteSheet": {"sheetId": sheet_ids[name]}})
    new_id = max(sheet_ids.values(), default=0) + 1
    width = max((len(r) for r in grid), default=1)
    out += [
        {
            "addSheet": {
                "properties": {
                    "sheetId": new_id,
                    "title": name,
                    "gridProperties": {
                        "rowCount": len(grid) + 5,
                        "columnCount": width,
                        "frozenRowCount": min(OFFICE_TAB_LEAD + 1, len(grid)),
                    },
                }
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": new_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [{"values": [_cell(v, r) for v in row]} for r, row in enumerate(grid)],
                "fields": "userEnteredValue,userEnteredFormat",
            }
        },
        *(
            {
                "updateDimensionProperties": {
                    "range": {"sheetId": new_id, "dimension": "COLUMNS", "startIndex": c, "endIndex": c + 1},
                    "properties": {"pixelSize": w * 7 + 10},
                    "fields": "pixelSize",
                }
            }
            for c, w in enumerate(widths[:width])
        ),
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": new_id},
                    "description": "Văn phòng UBND tỉnh cập nhật; đơn vị không sửa",
                    "warningOnly": False,
                    "editors": {"users": [editor]},
                }
            }
        },
    ]
    return out
