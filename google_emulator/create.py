"""``spreadsheets.create`` with a whole body, as Google takes it: tabs, cells, widths, rules, protection.

Google's ``Spreadsheet`` resource, when sent to ``create``, may carry per sheet ``properties``,
``data`` (``GridData``: ``rowData`` of ``CellData`` — values, formats, notes, ``dataValidation`` —
and ``rowMetadata``/``columnMetadata``), ``merges``, ``conditionalFormats``, ``basicFilter`` and
``protectedRanges``. The emulator turns that body into the ``batchUpdate`` requests that make
the same spreadsheet and applies them with :mod:`google_emulator.batch_update`'s handlers, so a
created spreadsheet and one built request by request are the same thing.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .errors import invalid_argument

_CELL_FIELDS = "userEnteredValue,userEnteredFormat,note"


def body_requests(sheets: list[dict[str, Any]], ids: list[int]) -> list[dict[str, Any]]:
    """The batchUpdate requests that put ``sheets[i]``'s content on the sheet with id ``ids[i]``."""
    reqs: list[dict[str, Any]] = []
    for sheet, sid in zip(sheets, ids, strict=True):
        for grid in sheet.get("data") or []:
            reqs += _grid_requests(grid, sid)
        for m in sheet.get("merges") or []:
            reqs.append({"mergeCells": {"range": {**m, "sheetId": sid}, "mergeType": "MERGE_ALL"}})
        for i, rule in enumerate(sheet.get("conditionalFormats") or []):
            rule = copy.deepcopy(rule)
            rule["ranges"] = [{**r, "sheetId": sid} for r in rule.get("ranges") or []]
            reqs.append({"addConditionalFormatRule": {"rule": rule, "index": i}})
        if sheet.get("basicFilter"):
            flt = copy.deepcopy(sheet["basicFilter"])
            flt["range"] = {**(flt.get("range") or {}), "sheetId": sid}
            reqs.append({"setBasicFilter": {"filter": flt}})
        for pr in sheet.get("protectedRanges") or []:
            pr = copy.deepcopy(pr)
            pr["range"] = {**(pr.get("range") or {}), "sheetId": sid}
            reqs.append({"addProtectedRange": {"protectedRange": pr}})
    return reqs


def _grid_requests(grid: dict[str, Any], sid: int) -> list[dict[str, Any]]:
    r0, c0 = int(grid.get("startRow") or 0), int(grid.get("startColumn") or 0)
    reqs: list[dict[str, Any]] = []
    rows = grid.get("rowData") or []
    if rows:
        reqs.append(
            {
                "updateCells": {
                    "start": {"sheetId": sid, "rowIndex": r0, "columnIndex": c0},
                    "rows": rows,
                    "fields": _CELL_FIELDS,
                }
            }
        )
    reqs += _validation_requests(rows, sid, r0, c0)
    for dim, key, start in (("ROWS", "rowMetadata", r0), ("COLUMNS", "columnMetadata", c0)):
        for i, meta in enumerate(grid.get(key) or []):
            props = {k: v for k, v in (meta or {}).items() if k in ("pixelSize", "hiddenByUser")}
            if props:
                rng = {"sheetId": sid, "dimension": dim, "startIndex": start + i, "endIndex": start + i + 1}
                reqs.append(
                    {
                        "updateDimensionProperties": {
                            "range": rng,
                            "properties": props,
                            "fields": ",".join(props),
                        }
                    }
                )
    return reqs


def _validation_requests(rows: list[dict[str, Any]], sid: int, r0: int, c0: int) -> list[dict[str, Any]]:
    """One ``setDataValidation`` per run of rows of a column that carry the same rule."""
    by_column: dict[int, list[tuple[int, str, dict[str, Any]]]] = {}
    for i, row in enumerate(rows):
        for j, cell in enumerate((row or {}).get("values") or []):
            rule = (cell or {}).get("dataValidation")
            if rule:
                if not isinstance(rule, dict) or not isinstance(rule.get("condition"), dict):
                    raise invalid_argument(
                        f"Invalid value at 'spreadsheet.sheets[0].data[0].row_data[{i}].values[{j}]"
                        ".data_validation': the rule needs a condition"
                    )
                key = json.dumps(rule, sort_keys=True)
                by_column.setdefault(c0 + j, []).append((r0 + i, key, rule))
    reqs: list[dict[str, Any]] = []
    for col, cells in sorted(by_column.items()):
        start = 0
        for k in range(1, len(cells) + 1):
            if k == len(cells) or cells[k][1] != cells[start][1] or cells[k][0] != cells[k - 1][0] + 1:
                rng = {
                    "sheetId": sid,
                    "startRowIndex": cells[start][0],
                    "endRowIndex": cells[k - 1][0] + 1,
                    "startColumnIndex": col,
                    "endColumnIndex": col + 1,
                }
                reqs.append({"setDataValidation": {"range": rng, "rule": cells[start][2]}})
                start = k
    return reqs
