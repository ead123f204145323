"""A spreadsheet in memory: its sheets, cells, values API (get, write, append, clear) and JSON."""

from __future__ import annotations

import copy
import datetime as dt
import json
import random
from collections.abc import Callable
from typing import Any

from . import a1
from .errors import ApiError, bad_request_field, invalid_argument
from .values import Cell, evaluate_formula, raw_input_value, render, user_entered_value

MAX_CELLS = 10_000_000

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def _rgb(r: float, g: float, b: float) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (("red", r), ("green", g), ("blue", b)):
        if v:
            out[k] = v
    return out


DEFAULT_THEME: dict[str, Any] = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": t, "color": {"rgbColor": _rgb(*c)}}
        for t, c in [
            ("TEXT", (0, 0, 0)),
            ("BACKGROUND", (1, 1, 1)),
            ("ACCENT1", (0.25882354, 0.52156866, 0.95686275)),
            ("ACCENT2", (0.91764706, 0.2627451, 0.20784314)),
            ("ACCENT3", (0.9843137, 0.7372549, 0.015686275)),
            ("ACCENT4", (0.20392157, 0.65882355, 0.3254902)),
            ("ACCENT5", (1, 0.42745098, 0.003921569)),
            ("ACCENT6", (0.27450982, 0.7411765, 0.7764706)),
            ("LINK", (0.06666667, 0.33333334, 0.8)),
        ]
    ],
}


class Sheet:
    def __init__(self, sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26) -> None:
        self.props: dict[str, Any] = {
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": cols},
        }
        self.cells: dict[tuple[int, int], Cell] = {}
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}
        self.merges: list[dict[str, Any]] = []
        self.basic_filter: dict[str, Any] | None = None
        self.conditional_formats: list[dict[str, Any]] = []
        self.protected_ranges: list[dict[str, Any]] = []
        self.row_groups: list[dict[str, Any]] = []
        self.col_groups: list[dict[str, Any]] = []
        self.data_validation: dict[tuple[int, int], dict[str, Any]] = {}

    @property
    def sheet_id(self) -> int:
        return int(self.props["sheetId"])

    @property
    def title(self) -> str:
        return str(self.props["title"])

    @property
    def rows(self) -> int:
        return int(self.props["gridProperties"]["rowCount"])

    @property
    def cols(self) -> int:
        return int(self.props["gridProperties"].get("columnCount", 0))

    def set_grid(self, rows: int | None = None, cols: int | None = None) -> None:
        gp = self.props["gridProperties"]
        if rows is not None:
            gp["rowCount"] = rows
            self.cells = {k: v for k, v in self.cells.items() if k[0] < rows}
        if cols is not None:
            gp["columnCount"] = cols
            self.cells = {k: v for k, v in self.cells.items() if k[1] < cols}

    def cell(self, r: int, c: int) -> Cell | None:
        return self.cells.get((r, c))

    def put(self, r: int, c: int, uev: dict[str, Any] | None, number_format: dict[str, Any] | None) -> None:
        cell = self.cells.get((r, c))
        if cell is None:
            if uev is None:
                return
            cell = self.cells[(r, c)] = Cell()
        cell.uev = uev
        if number_format is not None:
            cell.fmt["numberFormat"] = number_format
        if cell.uev is None and not cell.fmt and cell.note is None:
            del self.cells[(r, c)]

    def clear_values(self, sr: int, er: int, sc: int, ec: int) -> None:
        for key in [k for k in self.cells if sr <= k[0] < er and sc <= k[1] < ec]:
            cell = self.cells[key]
            cell.uev = None
            if not cell.fmt and cell.note is None:
                del self.cells[key]


class Spreadsheet:
    def __init__(self, sid: str, title: str, locale: str = "en_US", time_zone: str = "Etc/GMT") -> None:
        self.id = sid
        self.props: dict[str, Any] = {
            "title": title,
            "locale": locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": time_zone,
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
            "spreadsheetTheme": copy.deepcopy(DEFAULT_THEME),
        }
        self.sheets: list[Sheet] = [Sheet(0, "Sheet1", 0)]
        self.named_ranges: list[dict[str, Any]] = []
        self.rng = random.Random(sid)
        self.acting_user: str | None = None
        self.now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)

    @property
    def locale(self) -> str:
        return str(self.props.get("locale", "en_US"))

    def new_sheet_id(self) -> int:
        used = {s.sheet_id for s in self.sheets}
        while True:
            n = self.rng.randint(1, 2**31 - 1)
            if n not in used:
                return n

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        for s in self.sheets:
            if s.sheet_id == sheet_id:
                return s
        return None

    def sheet_by_title(self, title: str) -> Sheet | None:
        for s in self.sheets:
            if s.title == title:
                return s
        low = title.lower()
        for s in self.sheets:
            if s.title.lower() == low:
                return s
        return None

    def reindex(self) -> None:
        self.sheets.sort(key=lambda s: s.props["index"])
        for i, s in enumerate(self.sheets):
            s.props["index"] = i

    # ------------------------------------------------------------ ranges

    def resolve(self, text: str, for_write: bool = False) -> tuple[Sheet, int, int, int, int, a1.A1Range]:
        """Resolve an A1 range to (sheet, sr, er, sc, ec) clamped to the grid (reads) or not."""
        try:
            rng = a1.parse_a1(text)
        except a1.A1Error:
            raise invalid_argument(f"Unable to parse range: {text}") from None
        if rng.sheet is None:
            sheet = self.sheets[0]
            if rng.whole_sheet:
                s2 = self.sheet_by_title(text.strip())
                if s2 is None:
                    raise invalid_argument(f"Unable to parse range: {text}")
                sheet = s2
        else:
            found = self.sheet_by_title(rng.sheet)
            if found is None:
                raise invalid_argument(f"Unable to parse range: {text}")
            sheet = found
        sr = rng.start_row if rng.start_row is not None else 0
        sc = rng.start_col if rng.start_col is not None else 0
        er = rng.end_row if rng.end_row is not None else max(sheet.rows, sr + 1)
        ec = rng.end_col if rng.end_col is not None else max(sheet.cols, sc + 1)
        if not for_write and (sr >= sheet.rows or sc >= sheet.cols or er > sheet.rows or ec > sheet.cols):
            if (rng.end_row is not None or rng.end_col is not None) and (
                (rng.end_row is not None and rng.end_row > sheet.rows)
                or (rng.end_col is not None and rng.end_col > sheet.cols)
                or sr >= sheet.rows
                or sc >= sheet.cols
            ):
                raise invalid_argument(
                    f"Range ({a1.quote_title(sheet.title)}!{text.split('!')[-1]}) exceeds grid limits. "
                    f"Max rows: {sheet.rows}, max columns: {sheet.cols}"
                )
            er = min(er, sheet.rows)
            ec = min(ec, sheet.cols)
        return sheet, sr, er, sc, ec, rng

    # ------------------------------------------------------------ values

    def evaluator(self, sheet: Sheet, depth: int = 0) -> Callable[[str], Any]:
        def lookup(r: int, c: int) -> Any:
            cell = sheet.cell(r, c)
            if cell is None or cell.uev is None:
                return ""
            u = cell.uev
            if "formulaValue" in u:
                if depth > 50:
                    raise RecursionError
                return self.evaluator(sheet, depth + 1)(u["formulaValue"])
            if "numberValue" in u:
                return float(u["numberValue"])
            if "boolValue" in u:
                return bool(u["boolValue"])
            return u.get("stringValue", "")

        return lambda formula: evaluate_formula(formula, lookup, self.now)

    def get_values(
        self,
        text: str,
        major: str = "ROWS",
        value_render: str = "FORMATTED_VALUE",
        datetime_render: str = "SERIAL_NUMBER",
    ) -> dict[str, Any]:
        sheet, sr, er, sc, ec, _ = self.resolve(text)
        ev = self.evaluator(sheet)
        grid: list[list[Any]] = []
        present = [
            (r, c)
            for (r, c), cell in sheet.cells.items()
            if cell.uev is not None and sr <= r < er and sc <= c < ec
        ]
        max_r = max((r for r, _ in present), default=sr - 1)
        max_c = max((c for _, c in present), default=sc - 1)
        for r in range(sr, max_r + 1):
            row = []
            for c in range(sc, max_c + 1):
                row.append(render(sheet.cell(r, c), value_render, datetime_render, self.locale, ev))
            grid.append(row)
        if major == "COLUMNS":
            grid = [list(col) for col in zip(*grid, strict=False)] if grid else []
        trimmed = []
        for row in grid:
            while row and row[-1] == "":
                row.pop()
            trimmed.append(row)
        while trimmed and not trimmed[-1]:
            trimmed.pop()
        out: dict[str, Any] = {"range": a1.format_range(sheet.title, sr, er, sc, ec), "majorDimension": major}
        if trimmed:
            out["values"] = trimmed
        return out

    def write_values(
        self,
        text: str,
        values: Any,
        input_option: str,
        major: str = "ROWS",
        start: tuple[Sheet, int, int] | None = None,
        field_name: str = "data.values",
    ) -> dict[str, Any]:
        _check_input(values, input_option, field_name)
        if start is not None:
            sheet, sr, sc = start
            end_r = end_c = None
        else:
            sheet, sr, _er, sc, _ec, rng = self.resolve(text, for_write=True)
            end_r = rng.end_row if not rng.single_cell else None
            end_c = rng.end_col if not rng.single_cell else None
        rows = values if major != "COLUMNS" else _transpose(values)
        nrows = len(rows)
        ncols = max((len(r) for r in rows), default=0)
        if end_r is not None and sr + nrows > end_r:
            raise invalid_argument(
                f"Requested writing within range [{text}], but tried writing to row [{end_r + 1}]"
            )
        if end_c is not None and sc + ncols > end_c:
            raise invalid_argument(
                f"Requested writing within range [{text}], but tried writing to column [{a1.index_to_col(end_c)}]"
            )
        if nrows == 0 or ncols == 0:
            return {
                "spreadsheetId": self.id,
                "updatedRange": a1.format_range(sheet.title, sr, sr + 1, sc, sc + 1),
            }
        _grow(sheet, sr + nrows, sc + ncols)
        cells = 0
        touched_r: set[int] = set()
        touched_c: set[int] = set()
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, (dict, list)):
                    raise bad_request_field(
                        field_name,
                        f"Invalid value at '{field_name}[{i}].values[{j}]' "
                        "(type.googleapis.com/google.protobuf.ListValue), " + _json_text(v),
                    )
                touched_r.add(i)
                touched_c.add(j)
                if input_option == "RAW":
                    uev, nf = raw_input_value(v), None
                else:
                    uev, nf = user_entered_value(v, self.locale)
                sheet.put(sr + i, sc + j, None if v == "" else uev, nf)
                cells += 1
        return {
            "spreadsheetId": self.id,
            "updatedRange": a1.format_range(sheet.title, sr, sr + nrows, sc, sc + ncols),
            "updatedRows": len(touched_r),
            "updatedColumns": len(touched_c),
            "updatedCells": cells,
        }

    def clear(self, text: str) -> dict[str, Any]:
        sheet, sr, er, sc, ec, _ = self.resolve(text)
        sheet.clear_values(sr, er, sc, ec)
        return {"spreadsheetId": self.id, "clearedRange": a1.format_range(sheet.title, sr, er, sc, ec)}

    def append(
        self, text: str, values: Any, input_option: str, major: str, insert_rows: bool
    ) -> dict[str, Any]:
        sheet, sr, er, sc, ec, rng = self.resolve(text, for_write=True)
        if rng.single_cell or rng.whole_sheet:
            er, ec = sheet.rows, sheet.cols
        er, ec = min(er, sheet.rows), min(ec, sheet.cols)
        occupied = {
            k
            for k, cell in sheet.cells.items()
            if cell.uev is not None and sr <= k[0] < er and sc <= k[1] < ec
        }
        table = _table_at(occupied, sr, sc) if rng.single_cell else _last_table(occupied)
        out: dict[str, Any] = {"spreadsheetId": self.id}
        if table is None:
            start_r, start_c = sr, sc
        else:
            tr0, tr1, tc0, tc1 = table
            out["tableRange"] = a1.format_range(sheet.title, tr0, tr1 + 1, tc0, tc1 + 1)
            start_r, start_c = tr1 + 1, tc0
        rows = values if major != "COLUMNS" else _transpose(values if isinstance(values, list) else [])
        if insert_rows and isinstance(rows, list) and rows:
            _shift_rows(sheet, start_r, len(rows))
        upd = self.write_values(
            text, values, input_option, major, start=(sheet, start_r, start_c), field_name="values"
        )
        out["updates"] = upd
        return out

    # ------------------------------------------------------------ json

    def to_json(self, include_grid: bool = False, ranges: list[str] | None = None) -> dict[str, Any]:
        sheets = []
        for s in self.sheets:
            sj: dict[str, Any] = {"properties": sheet_props_json(s.props)}
            if s.merges:
                sj["merges"] = copy.deepcopy(s.merges)
            if s.conditional_formats:
                sj["conditionalFormats"] = copy.deepcopy(s.conditional_formats)
            if s.protected_ranges:
                sj["protectedRanges"] = copy.deepcopy(s.protected_ranges)
            if s.basic_filter is not None:
                sj["basicFilter"] = copy.deepcopy(s.basic_filter)
            if s.row_groups:
                sj["rowGroups"] = copy.deepcopy(s.row_groups)
            if s.col_groups:
                sj["columnGroups"] = copy.deepcopy(s.col_groups)
            if include_grid:
                sj["data"] = [self.grid_data(s, ranges)]
            sheets.append(sj)
        out: dict[str, Any] = {
            "spreadsheetId": self.id,
            "properties": copy.deepcopy(self.props),
            "sheets": sheets,
        }
        if self.named_ranges:
            out["namedRanges"] = copy.deepcopy(self.named_ranges)
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.id}/edit"
        return out

    def grid_data(self, s: Sheet, ranges: list[str] | None) -> dict[str, Any]:
        sr, er, sc, ec = 0, s.rows, 0, s.cols
        for text in ranges or []:
            try:
                sh, r0, r1, c0, c1, _ = self.resolve(text)
            except ApiError:
                continue
            if sh is s:
                sr, er, sc, ec = r0, r1, c0, c1
        ev = self.evaluator(s)
        row_data: list[dict[str, Any]] = []
        present = [k for k in (*s.cells, *s.data_validation) if sr <= k[0] < er and sc <= k[1] < ec]
        max_r = max((r for r, _ in present), default=sr - 1)
        for r in range(sr, max_r + 1):
            vals = []
            for c in range(sc, ec):
                cell = s.cell(r, c)
                cj = cell_json(cell, ev, self.locale) if cell else {}
                if (r, c) in s.data_validation:
                    cj["dataValidation"] = copy.deepcopy(s.data_validation[(r, c)])
                vals.append(cj)
            while vals and not vals[-1]:
                vals.pop()
            row_data.append({"values": vals} if vals else {})
        out: dict[str, Any] = {}
        if sr:
            out["startRow"] = sr
        if sc:
            out["startColumn"] = sc
        if row_data:
            out["rowData"] = row_data
        out["rowMetadata"] = [{"pixelSize": 21, **s.row_meta.get(r, {})} for r in range(sr, er)]
        out["columnMetadata"] = [{"pixelSize": 100, **s.col_meta.get(c, {})} for c in range(sc, ec)]
        return out


def cell_json(cell: Cell, ev: Callable[[str], Any], locale: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if cell.uev is not None:
        out["userEnteredValue"] = copy.deepcopy(cell.uev)
        eff = render(cell, "UNFORMATTED_VALUE", "SERIAL_NUMBER", locale, ev)
        if isinstance(eff, bool):
            out["effectiveValue"] = {"boolValue": eff}
        elif isinstance(eff, (int, float)):
            out["effectiveValue"] = {"numberValue": eff}
        else:
            out["effectiveValue"] = {"stringValue": eff}
        out["formattedValue"] = render(cell, "FORMATTED_VALUE", "SERIAL_NUMBER", locale, ev)
    if cell.fmt:
        out["userEnteredFormat"] = copy.deepcopy(cell.fmt)
    if cell.note is not None and cell.note != "":
        out["note"] = cell.note
    return out


def sheet_props_json(props: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(props)
    gp = out.get("gridProperties", {})
    for k in ("frozenRowCount", "frozenColumnCount"):
        if not gp.get(k):
            gp.pop(k, None)
    for k in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
        if gp.get(k) is False:
            gp.pop(k, None)
    for k in ("hidden", "rightToLeft"):
        if out.get(k) is False:
            out.pop(k, None)
    return out


def _check_input(values: Any, input_option: str, field_name: str) -> None:
    if input_option not in ("RAW", "USER_ENTERED"):
        raise invalid_argument(
            "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"
            if not input_option
            else f"Invalid value at 'value_input_option' ({input_option})"
        )
    if not isinstance(values, list) or any(not isinstance(r, list) for r in values):
        raise bad_request_field(
            field_name,
            f"Invalid value at '{field_name}' (type.googleapis.com/google.protobuf.ListValue), "
            + _json_text(values),
        )


def _grow(sheet: Sheet, need_r: int, need_c: int) -> None:
    """Add rows and columns so the grid holds ``need_r`` x ``need_c`` (within Google's cell limit)."""
    if need_r <= sheet.rows and need_c <= sheet.cols:
        return
    if max(need_r, sheet.rows) * max(need_c, sheet.cols) > MAX_CELLS:
        raise invalid_argument(
            "This action would increase the number of cells in the workbook above the limit of 10000000 cells."
        )
    sheet.set_grid(max(need_r, sheet.rows), max(need_c, sheet.cols))


def _json_text(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else f'"{v}"'


def _transpose(values: list[Any]) -> list[list[Any]]:
    n = max((len(c) for c in values if isinstance(c, list)), default=0)
    return [[c[i] if i < len(c) else None for c in values] for i in range(n)]


def _shift_rows(sheet: Sheet, at: int, n: int) -> None:
    sheet.cells = {((r + n if r >= at else r), c): v for (r, c), v in sheet.cells.items()}
    sheet.props["gridProperties"]["rowCount"] = sheet.rows + n


def _table_at(occupied: set[tuple[int, int]], r: int, c: int) -> tuple[int, int, int, int] | None:
    if (r, c) not in occupied:
        return None
    comp = {k for k in occupied if k == (r, c)}
    return _last_table(_component(occupied, (r, c))) if comp else None


def _component(occupied: set[tuple[int, int]], start: tuple[int, int]) -> set[tuple[int, int]]:
    seen = {start}
    stack = [start]
    while stack:
        r, c = stack.pop()
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                nb = (r + dr, c + dc)
                if nb in occupied and nb not in seen:
                    seen.add(nb)
                    stack.append(nb)
    return seen


def _last_table(occupied: set[tuple[int, int]]) -> tuple[int, int, int, int] | None:
    """Connected components (8-adjacency) of occupied cells; return the last one's bounds."""
    if not occupied:
        return None
    seen: set[tuple[int, int]] = set()
    comps: list[tuple[int, int, int, int]] = []
    for start in sorted(occupied):
        if start in seen:
            continue
        comp = _component(occupied, start)
        seen |= comp
        rows, cols = [r for r, _ in comp], [c for _, c in comp]
        comps.append((min(rows), max(rows), min(cols), max(cols)))
    comps.sort(key=lambda t: (t[1], t[2]))
    return comps[-1]
