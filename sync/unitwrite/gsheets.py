"""Office-owned tabs in a unit's Google Sheet (``Phối hợp``, ``Nhắc việc``): the requests of one
``batchUpdate`` that replaces the tab whole and protects it for the Office's account only."""

from __future__ import annotations

from typing import Any


def office_tab_requests(
    sheet_ids: dict[str, int], name: str, grid: list[list[str]], editor: str
) -> list[dict[str, Any]]:
    """Delete ``name`` if present, add it again with ``grid`` (all text, RAW), and a protected range
    over the whole tab that only ``editor`` (the Office's service account) may edit."""
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
                    "gridProperties": {"rowCount": len(grid) + 5, "columnCount": width},
                }
            }
        },
        {
            "updateCells": {
                "start": {"sheetId": new_id, "rowIndex": 0, "columnIndex": 0},
                "rows": [
                    {"values": [{"userEnteredValue": {"stringValue": v}} if v else {} for v in r]}
                    for r in grid
                ],
                "fields": "userEnteredValue",
            }
        },
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
