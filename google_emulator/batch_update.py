"""spreadsheets.batchUpdate: request types applied atomically (all or nothing)."""

from __future__ import annotations

import copy
import struct
from collections.abc import Callable
from typing import Any

from .errors import ApiError, bad_request_field, invalid_argument
from .spreadsheet import Sheet, Spreadsheet
from .values import Cell

Handler = Callable[[Spreadsheet, dict[str, Any], str], dict[str, Any] | None]


def f32(x: Any) -> Any:
    """Round-trip a number through float32 and print it shortest, as Google does for colours."""
    if not isinstance(x, (int, float)) or isinstance(x, bool):
        return x
    v = struct.unpack("f", struct.pack("f", float(x)))[0]
    for p in range(1, 10):
        s = float(f"{v:.{p}g}")
        if struct.unpack("f", struct.pack("f", s))[0] == v:
            return int(s) if s.is_integer() else s
    return v


def norm_color(c: Any) -> Any:
    if not isinstance(c, dict):
        return c
    out = {}
    for k, v in c.items():
        if isinstance(v, (int, float)) and k != "alpha":
            v = int(float(v) * 255 + 1e-6) / 255.0
        if v not in (0, 0.0, None):
            out[k] = f32(v)
    return out


def norm_color_style(cs: Any) -> Any:
    if not isinstance(cs, dict):
        return cs
    out = {}
    if cs.get("rgbColor") is not None:
        out["rgbColor"] = norm_color(cs["rgbColor"])
    if cs.get("themeColor"):
        out["themeColor"] = cs["themeColor"]
    return out


def norm_grid_range(r: dict[str, Any]) -> dict[str, Any]:
    out = {}
    if r.get("sheetId"):
        out["sheetId"] = r["sheetId"]
    for k in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex"):
        if r.get(k) is not None:
            out[k] = r[k]
    return out


def _paths(fields: str) -> list[list[str]]:
    out = []
    for part in fields.split(","):
        part = part.strip()
        if part:
            out.append(part.replace("/", ".").split("."))
    return out


def apply_mask(target: dict[str, Any], source: dict[str, Any], fields: str, where: str) -> None:
    if not fields:
        raise invalid_argument(f"Invalid {where}: At least one field must be specified.")
    for path in _paths(fields):
        if path == ["*"]:
            for k in list(target):
                if k not in source:
                    del target[k]
            for k, v in source.items():
                target[k] = copy.deepcopy(v)
            continue
        t = target
        s: Any = source
        for key in path[:-1]:
            t = t.setdefault(key, {})
            s = s.get(key) if isinstance(s, dict) else None
        last = path[-1]
        if isinstance(s, dict) and last in s and s[last] is not None:
            t[last] = copy.deepcopy(s[last])
        else:
            t.pop(last, None)


def _sheet(ss: Spreadsheet, sheet_id: Any, where: str) -> Sheet:
    sheet = ss.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise invalid_argument(f"Invalid {where}: No grid with id: {sheet_id or 0}")
    return sheet


def _bounds(sheet: Sheet, r: dict[str, Any], where: str) -> tuple[int, int, int, int]:
    sr = int(r.get("startRowIndex") or 0)
    er = int(r["endRowIndex"]) if r.get("endRowIndex") is not None else sheet.rows
    sc = int(r.get("startColumnIndex") or 0)
    ec = int(r["endColumnIndex"]) if r.get("endColumnIndex") is not None else sheet.cols
    if er > sheet.rows or ec > sheet.cols or sr < 0 or sc < 0:
        raise invalid_argument(
            f"Invalid {where}: Range ('{sheet.title}'!R{sr + 1}C{sc + 1}:R{er}C{ec}) exceeds grid limits. "
            f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
        )
    return sr, er, sc, ec


# ---------------------------------------------------------------- handlers


def add_sheet(ss: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    props = copy.deepcopy(req.get("properties") or {})
    title = props.get("title")
    if not title:
        n = len(ss.sheets) + 1
        while ss.sheet_by_title(f"Sheet{n}"):
            n += 1
        title = f"Sheet{n}"
    if ss.sheet_by_title(title):
        raise invalid_argument(
            f'Invalid {where}: A sheet with the name "{title}" already exists. Please enter another name.'
        )
    sid = props.get("sheetId")
    if sid is None:
        sid = ss.new_sheet_id()
    elif ss.sheet_by_id(int(sid)):
        raise invalid_argument(f"Invalid {where}: Sheet with id {sid} already exists.")
    gp = props.get("gridProperties") or {}
    sheet = Sheet(
        int(sid), title, len(ss.sheets), int(gp.get("rowCount", 1000)), int(gp.get("columnCount", 26))
    )
    for k in ("frozenRowCount", "frozenColumnCount", "hideGridlines"):
        if k in gp:
            sheet.props["gridProperties"][k] = gp[k]
    for k in ("hidden", "rightToLeft"):
        if k in props:
            sheet.props[k] = props[k]
    _set_tab_color(sheet.props, props)
    index = props.get("index")
    if index is not None:
        for s in ss.sheets:
            if s.props["index"] >= index:
                s.props["index"] += 1
        sheet.props["index"] = index
    ss.sheets.append(sheet)
    ss.reindex()
    from .spreadsheet import sheet_props_json

    return {"addSheet": {"properties": sheet_props_json(sheet.props)}}


def _set_tab_color(target: dict[str, Any], props: dict[str, Any]) -> None:
    if props.get("tabColorStyle") is not None:
        style = norm_color_style(props["tabColorStyle"])
        if style:
            target["tabColorStyle"] = style
            if "rgbColor" in style:
                target["tabColor"] = copy.deepcopy(style["rgbColor"])
    elif props.get("tabColor") is not None:
        target["tabColor"] = norm_color(props["tabColor"])
        target["tabColorStyle"] = {"rgbColor": copy.deepcopy(target["tabColor"])}


def delete_sheet(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet = _sheet(ss, req.get("sheetId"), where)
    if len(ss.sheets) == 1:
        raise invalid_argument(f"Invalid {where}: You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.reindex()
    return None


def update_sheet_properties(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    props = req.get("properties") or {}
    sheet = _sheet(ss, props.get("sheetId"), where)
    fields = req.get("fields", "")
    old_index = sheet.props["index"]
    old_rows, old_cols = sheet.rows, sheet.cols
    new = copy.deepcopy(sheet.props)
    if "title" in props and props.get("title") is not None:
        other = ss.sheet_by_title(props["title"])
        if other is not None and other is not sheet and "title" in fields:
            raise invalid_argument(
                f'Invalid {where}: A sheet with the name "{props["title"]}" already exists. '
                "Please enter another name."
            )
    src = copy.deepcopy(props)
    if "tabColorStyle" in src or "tabColor" in src:
        tmp: dict[str, Any] = {}
        _set_tab_color(tmp, src)
        src.pop("tabColor", None)
        src.pop("tabColorStyle", None)
        src.update(tmp)
    apply_mask(new, src, fields, where)
    paths = [".".join(p) for p in _paths(fields)]
    if "tabColorStyle" in paths and "tabColorStyle" not in new:
        new.pop("tabColor", None)
    if "tabColor" in paths and "tabColor" not in new:
        new.pop("tabColorStyle", None)
    if "tabColorStyle" in paths and "tabColorStyle" in new and "rgbColor" in new["tabColorStyle"]:
        new["tabColor"] = copy.deepcopy(new["tabColorStyle"]["rgbColor"])
    new["sheetId"] = sheet.sheet_id
    new.setdefault("sheetType", "GRID")
    gp = new.setdefault("gridProperties", {})
    gp.setdefault("rowCount", old_rows)
    gp.setdefault("columnCount", old_cols)
    if new.get("index") is None:
        new["index"] = old_index
    if not new.get("title"):
        new["title"] = sheet.title
    if new.get("hidden") and all(s.props.get("hidden") or s is sheet for s in ss.sheets):
        raise invalid_argument(f"Invalid {where}: You can't hide all the sheets in a document.")
    if int(gp.get("rowCount", 0)) < 1 or int(gp.get("columnCount", 0)) < 1:
        raise invalid_argument(f"Invalid {where}: Sheet must have at least one row and one column.")
    if int(gp["rowCount"]) * int(gp["columnCount"]) > 10_000_000:
        raise invalid_argument(
            f"Invalid {where}: This action would increase the number of cells in the workbook "
            "above the limit of 10000000 cells."
        )
    rows, cols = int(gp["rowCount"]), int(gp["columnCount"])
    if gp.get("frozenRowCount", 0) >= rows and gp.get("frozenRowCount"):
        raise invalid_argument(f"Invalid {where}: You can't freeze all visible rows on the sheet.")
    new_index = new["index"]
    sheet.props = new
    sheet.set_grid(rows, cols)
    if new_index != old_index:
        others = [s for s in sorted(ss.sheets, key=lambda s: s.props["index"]) if s is not sheet]
        pos = new_index if new_index <= old_index else new_index - 1
        pos = max(0, min(pos, len(others)))
        others.insert(pos, sheet)
        for i, s in enumerate(others):
            s.props["index"] = i
        ss.reindex()
    return None


def update_spreadsheet_properties(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    apply_mask(ss.props, req.get("properties") or {}, req.get("fields", ""), where)
    return None


def _cell_mask(cell: Cell, data: dict[str, Any], fields: str, where: str) -> None:
    cur: dict[str, Any] = {}
    if cell.uev is not None:
        cur["userEnteredValue"] = cell.uev
    if cell.fmt:
        cur["userEnteredFormat"] = cell.fmt
    if cell.note is not None:
        cur["note"] = cell.note
    src = copy.deepcopy(data)
    apply_mask(cur, src, fields, where)
    uev = cur.get("userEnteredValue")
    if isinstance(uev, dict):
        uev = {k: v for k, v in uev.items() if v is not None}
        if "numberValue" in uev:
            uev["numberValue"] = float(uev["numberValue"])
        if not uev:
            uev = None
    cell.uev = uev or None
    fmt = cur.get("userEnteredFormat") or {}
    cell.fmt = _clean(fmt) if isinstance(fmt, dict) else {}
    note = cur.get("note")
    cell.note = note if note else None


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            v = _clean(v)
            if not v and k not in ("foregroundColor",):
                continue
        if v is None:
            continue
        out[k] = v
    return out


def _apply_cell(sheet: Sheet, r: int, c: int, data: dict[str, Any], fields: str, where: str) -> None:
    cell = sheet.cells.get((r, c)) or Cell()
    _cell_mask(cell, data, fields, where)
    if cell.uev is None and not cell.fmt and cell.note is None:
        sheet.cells.pop((r, c), None)
    else:
        sheet.cells[(r, c)] = cell


def update_cells(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    fields = req.get("fields", "")
    rows = req.get("rows") or []
    if "range" in req:
        rng = req["range"]
        sheet = _sheet(ss, rng.get("sheetId"), where)
        sr, er, sc, ec = _bounds(sheet, rng, where)
        for r in range(sr, er):
            rd = rows[r - sr] if r - sr < len(rows) else {}
            vals = rd.get("values") or []
            for c in range(sc, ec):
                data = vals[c - sc] if c - sc < len(vals) else {}
                _apply_cell(sheet, r, c, data or {}, fields, where)
    elif "start" in req:
        st = req["start"]
        sheet = _sheet(ss, st.get("sheetId"), where)
        sr, sc = int(st.get("rowIndex") or 0), int(st.get("columnIndex") or 0)
        if (
            sr + len(rows) > sheet.rows
            or sc + max((len(r.get("values") or []) for r in rows), default=0) > sheet.cols
        ):
            raise invalid_argument(
                f"Invalid {where}: Range exceeds grid limits. Max rows: {sheet.rows}, max columns: {sheet.cols}"
            )
        for i, rd in enumerate(rows):
            for j, data in enumerate(rd.get("values") or []):
                _apply_cell(sheet, sr + i, sc + j, data or {}, fields, where)
    else:
        raise invalid_argument(f"Invalid {where}: No range or start specified.")
    return None


def repeat_cell(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rng = req.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"), where)
    sr, er, sc, ec = _bounds(sheet, rng, where)
    data = req.get("cell") or {}
    fields = req.get("fields", "")
    for r in range(sr, er):
        for c in range(sc, ec):
            _apply_cell(sheet, r, c, data, fields, where)
    return None


def _dim_range(ss: Spreadsheet, rng: dict[str, Any], where: str) -> tuple[Sheet, str, int, int]:
    sheet = _sheet(ss, rng.get("sheetId"), where)
    dim = rng.get("dimension")
    if dim not in ("ROWS", "COLUMNS"):
        raise invalid_argument(f"Invalid {where}: dimension must be ROWS or COLUMNS")
    limit = sheet.rows if dim == "ROWS" else sheet.cols
    start = int(rng.get("startIndex") or 0)
    end = int(rng["endIndex"]) if rng.get("endIndex") is not None else limit
    if start < 0 or end < start:
        raise invalid_argument(f"Invalid {where}: Invalid dimension range")
    return sheet, dim, start, end


def update_dimension_properties(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dim_range(ss, req.get("range") or {}, where)
    limit = sheet.rows if dim == "ROWS" else sheet.cols
    if end > limit:
        raise invalid_argument(f"Invalid {where}: Range exceeds grid limits.")
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    for i in range(start, end):
        m = meta.setdefault(i, {})
        apply_mask(m, req.get("properties") or {}, req.get("fields", ""), where)
        if not m:
            del meta[i]
    return None


def auto_resize(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    dims = req.get("dimensions") or {}
    sheet, dim, start, end = _dim_range(ss, dims, where)
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    ev = ss.evaluator(sheet)
    from .values import render

    for i in range(start, end):
        width = 0
        for (r, c), cell in sheet.cells.items():
            if (c if dim == "COLUMNS" else r) == i:
                text = str(render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER", ss.locale, ev))
                width = max(width, len(text))
        meta.setdefault(i, {})["pixelSize"] = (
            max(21 if dim == "ROWS" else 100, 7 * width + 10) if dim == "COLUMNS" else 21
        )
    return None


def append_dimension(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet = _sheet(ss, req.get("sheetId"), where)
    n = int(req.get("length") or 0)
    if n <= 0:
        raise invalid_argument(f"Invalid {where}: length must be positive")
    if req.get("dimension") == "ROWS":
        sheet.set_grid(rows=sheet.rows + n)
    else:
        sheet.set_grid(cols=sheet.cols + n)
    return None


def _shift(sheet: Sheet, dim: str, at: int, n: int) -> None:
    """Shift cells/metadata at or after ``at`` by n (n<0 deletes [at, at-n))."""

    def move(i: int) -> int | None:
        if i < at:
            return i
        if n < 0 and i < at - n:
            return None
        return i + n

    cells: dict[tuple[int, int], Cell] = {}
    for (r, c), cell in sheet.cells.items():
        if dim == "ROWS":
            nr = move(r)
            if nr is not None:
                cells[(nr, c)] = cell
        else:
            nc = move(c)
            if nc is not None:
                cells[(r, nc)] = cell
    sheet.cells = cells
    meta = sheet.row_meta if dim == "ROWS" else sheet.col_meta
    new_meta = {}
    for i, m in meta.items():
        ni = move(i)
        if ni is not None:
            new_meta[ni] = m
    meta.clear()
    meta.update(new_meta)


def insert_dimension(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dim_range(ss, req.get("range") or {}, where)
    limit = sheet.rows if dim == "ROWS" else sheet.cols
    if start > limit:
        raise invalid_argument(f"Invalid {where}: Range exceeds grid limits.")
    n = end - start
    _shift(sheet, dim, start, n)
    gp = sheet.props["gridProperties"]
    gp["rowCount" if dim == "ROWS" else "columnCount"] = limit + n
    return None


def delete_dimension(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet, dim, start, end = _dim_range(ss, req.get("range") or {}, where)
    limit = sheet.rows if dim == "ROWS" else sheet.cols
    end = min(end, limit)
    if start == 0 and end >= limit:
        what = "rows" if dim == "ROWS" else "columns"
        raise invalid_argument(f"Invalid {where}: You can't delete all the {what} on the sheet.")
    _shift(sheet, dim, start, -(end - start))
    gp = sheet.props["gridProperties"]
    gp["rowCount" if dim == "ROWS" else "columnCount"] = limit - (end - start)
    return None


def set_data_validation(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rng = req.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"), where)
    sr, er, sc, ec = _bounds(sheet, rng, where)
    rule = req.get("rule")
    for r in range(sr, er):
        for c in range(sc, ec):
            if rule:
                sheet.data_validation[(r, c)] = copy.deepcopy(rule)
            else:
                sheet.data_validation.pop((r, c), None)
    return None


def add_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rule = copy.deepcopy(req.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise invalid_argument(f"Invalid {where}: At least one range must be specified.")
    sheet = _sheet(ss, ranges[0].get("sheetId"), where)
    rule["ranges"] = [norm_grid_range(r) for r in ranges]
    idx = int(req.get("index") or 0)
    sheet.conditional_formats.insert(min(idx, len(sheet.conditional_formats)), rule)
    return None


def delete_conditional_format_rule(ss: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    sheet = _sheet(ss, req.get("sheetId"), where)
    idx = int(req.get("index") or 0)
    if idx >= len(sheet.conditional_formats):
        raise invalid_argument(
            f"Invalid {where}: No conditional format on sheet {sheet.sheet_id} at index {idx}"
        )
    rule = sheet.conditional_formats.pop(idx)
    return {"deleteConditionalFormatRule": {"rule": rule}}


def set_basic_filter(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    flt = copy.deepcopy(req.get("filter") or {})
    rng = flt.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"), where)
    sr, er, sc, ec = _bounds(sheet, rng, where)
    flt["range"] = norm_grid_range(
        {
            "sheetId": sheet.sheet_id,
            "startRowIndex": sr,
            "endRowIndex": er,
            "startColumnIndex": sc,
            "endColumnIndex": ec,
        }
    )
    sheet.basic_filter = flt
    return None


def clear_basic_filter(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    sheet = _sheet(ss, req.get("sheetId"), where)
    sheet.basic_filter = None
    return None


def add_protected_range(ss: Spreadsheet, req: dict[str, Any], where: str) -> dict[str, Any]:
    pr = copy.deepcopy(req.get("protectedRange") or {})
    rng = pr.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"), where)
    pid = pr.get("protectedRangeId") or ss.rng.randint(1, 2**31 - 1)
    out: dict[str, Any] = {"protectedRangeId": pid, "range": norm_grid_range(rng)}
    if pr.get("description"):
        out["description"] = pr["description"]
    editors = {k: v for k, v in (pr.get("editors") or {}).items() if v}
    if pr.get("warningOnly"):
        if editors:
            raise invalid_argument(
                f"Invalid {where}: ProtectedRange is warningOnly. Editors cannot be set on it."
            )
        out["warningOnly"] = True
    out["requestingUserCanEdit"] = True
    out["editors"] = editors
    if pr.get("unprotectedRanges"):
        out["unprotectedRanges"] = [norm_grid_range(r) for r in pr["unprotectedRanges"]]
    reply = copy.deepcopy(out)
    if ss.acting_user and not out.get("warningOnly"):
        users = out["editors"].setdefault("users", [])
        if ss.acting_user not in users:
            users.insert(0, ss.acting_user)
    sheet.protected_ranges.append(out)
    return {"addProtectedRange": {"protectedRange": reply}}


def delete_protected_range(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    pid = req.get("protectedRangeId")
    for s in ss.sheets:
        for pr in s.protected_ranges:
            if pr["protectedRangeId"] == pid:
                s.protected_ranges.remove(pr)
                return None
    raise invalid_argument(f"Invalid {where}: No protected range with id: {pid}")


def merge_cells(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rng = req.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"), where)
    sr, er, sc, ec = _bounds(sheet, rng, where)
    mtype = req.get("mergeType", "MERGE_ALL")
    blocks = []
    if mtype == "MERGE_ROWS":
        blocks = [(r, r + 1, sc, ec) for r in range(sr, er)]
    elif mtype == "MERGE_COLUMNS":
        blocks = [(sr, er, c, c + 1) for c in range(sc, ec)]
    else:
        blocks = [(sr, er, sc, ec)]
    sheet.merges = [
        m
        for m in sheet.merges
        if not (
            m.get("startRowIndex", 0) >= sr
            and m.get("endRowIndex", 0) <= er
            and m.get("startColumnIndex", 0) >= sc
            and m.get("endColumnIndex", 0) <= ec
        )
    ]
    for b in blocks:
        m = {
            "sheetId": sheet.sheet_id,
            "startRowIndex": b[0],
            "endRowIndex": b[1],
            "startColumnIndex": b[2],
            "endColumnIndex": b[3],
        }
        sheet.merges.append(norm_grid_range(m))
    return None


def unmerge_cells(ss: Spreadsheet, req: dict[str, Any], where: str) -> None:
    rng = req.get("range") or {}
    sheet = _sheet(ss, rng.get("sheetId"), where)
    sr, er, sc, ec = _bounds(sheet, rng, where)

    def inside(m: dict[str, Any]) -> bool:
        return (
            m.get("startRowIndex", 0) >= sr
            and m.get("endRowIndex", 0) <= er
            and m.get("startColumnIndex", 0) >= sc
            and m.get("endColumnIndex", 0) <= ec
        )

    sheet.merges = [m for m in sheet.merges if not inside(m)]
    return None


HANDLERS: dict[str, Handler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "updateDimensionProperties": update_dimension_properties,
    "autoResizeDimensions": auto_resize,
    "appendDimension": append_dimension,
    "insertDimension": insert_dimension,
    "deleteDimension": delete_dimension,
    "setDataValidation": set_data_validation,
    "addConditionalFormatRule": add_conditional_format_rule,
    "deleteConditionalFormatRule": delete_conditional_format_rule,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "mergeCells": merge_cells,
    "unmergeCells": unmerge_cells,
}

# Known to the real API but not implemented here: answered with 400 so callers notice.
KNOWN_UNSUPPORTED = {
    "addNamedRange",
    "deleteNamedRange",
    "updateNamedRange",
    "sortRange",
    "copyPaste",
    "cutPaste",
    "addDimensionGroup",
    "deleteDimensionGroup",
    "updateDimensionGroup",
    "findReplace",
    "duplicateSheet",
    "addChart",
    "updateBorders",
    "addBanding",
    "pasteData",
    "textToColumns",
}


def batch_update(ss: Spreadsheet, body: Any) -> tuple[Spreadsheet, dict[str, Any]]:
    """Apply the requests to a copy; return (new spreadsheet, response). Raises ApiError."""
    if not isinstance(body, dict):
        raise invalid_argument("Invalid JSON payload received.")
    requests = body.get("requests")
    if not requests:
        raise invalid_argument("Must specify at least one request.")
    work = copy.deepcopy(ss)
    replies: list[dict[str, Any]] = []
    for i, req in enumerate(requests):
        if not isinstance(req, dict) or len(req) != 1:
            raise invalid_argument(f"Invalid requests[{i}]: Exactly one kind of request must be set.")
        ((kind, payload),) = req.items()
        handler = HANDLERS.get(kind)
        if handler is None:
            if kind in KNOWN_UNSUPPORTED:
                raise invalid_argument(f"Invalid requests[{i}].{kind}: not supported by the emulator.")
            msg = f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': Cannot find field."
            raise bad_request_field(f"requests[{i}]", msg)
        reply = handler(work, payload or {}, f"requests[{i}].{kind}")
        replies.append(reply or {})
    resp: dict[str, Any] = {"spreadsheetId": ss.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        resp["updatedSpreadsheet"] = work.to_json()
    return work, resp


__all__ = ["ApiError", "batch_update", "HANDLERS", "f32"]
