"""Drive ``files.export`` of a spreadsheet: a real .xlsx (XlsxWriter) or the first sheet as CSV.

What Google's xlsx export holds is inferred (no xlsx export is recorded; the CSV one is,
``ClientTest.test_client_export_spreadsheet.json#4``): every grid sheet in index order;
each cell's effective value (a formula's result); numbers with their number format, dates
as date-formatted serials (so a reader sees dates); booleans; strings as strings (never
turned into formulas); merged ranges with the top-left value. Titles Excel refuses
(over 31 characters, ``[]:*?/\\``) are shortened or have the characters replaced (inferred).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import xlsxwriter

from .spreadsheet import Sheet, Spreadsheet
from .values import FormulaError, render

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
#: Drive: "Note that the exported content is limited to 10 MB."
EXPORT_LIMIT = 10 * 1024 * 1024
_DATE_TYPES = {"DATE": "dd/mm/yyyy", "DATE_TIME": "dd/mm/yyyy hh:mm:ss", "TIME": "hh:mm:ss"}
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def _grid_sheets(ss: Spreadsheet) -> list[Sheet]:
    return sorted(
        (s for s in ss.sheets if s.props.get("sheetType", "GRID") == "GRID"),
        key=lambda s: int(s.props.get("index", 0)),
    )


def _titles(sheets: list[Sheet]) -> list[str]:
    out: list[str] = []
    for s in sheets:
        title = _BAD_TITLE.sub("_", str(s.props.get("title", ""))).strip("'")[:31] or "Sheet"
        base, n = title, 1
        while title.lower() in {t.lower() for t in out}:
            n += 1
            title = f"{base[: 31 - len(str(n)) - 1]}_{n}"
        out.append(title)
    return out


def export_xlsx(ss: Spreadsheet) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False})
    formats: dict[str, Any] = {}

    def fmt(pattern: str | None) -> Any:
        if not pattern:
            return None
        if pattern not in formats:
            formats[pattern] = book.add_format({"num_format": pattern})
        return formats[pattern]

    for sheet, title in zip(_grid_sheets(ss), _titles(_grid_sheets(ss)), strict=True):
        ws = book.add_worksheet(title)
        covered: set[tuple[int, int]] = set()
        for m in sheet.merges:
            r0, r1 = int(m.get("startRowIndex", 0)), int(m.get("endRowIndex", 0))
            c0, c1 = int(m.get("startColumnIndex", 0)), int(m.get("endColumnIndex", 0))
            if (r1 - r0) * (c1 - c0) > 1:
                ws.merge_range(r0, c0, r1 - 1, c1 - 1, "")
                covered |= {(r, c) for r in range(r0, r1) for c in range(c0, c1)} - {(r0, c0)}
        ev = ss.evaluator(sheet)
        for (r, c), cell in sorted(sheet.cells.items()):
            if (r, c) in covered or cell.uev is None:
                continue
            value = render(cell, "UNFORMATTED_VALUE", "SERIAL_NUMBER", ss.locale, ev)
            nf = cell.fmt.get("numberFormat") or {}
            if isinstance(value, bool):
                ws.write_boolean(r, c, value)
            elif isinstance(value, (int, float)):
                kind = str(nf.get("type", ""))
                pattern = nf.get("pattern") or _DATE_TYPES.get(kind)
                ws.write_number(r, c, value, fmt(pattern))
            elif isinstance(value, FormulaError) or value != "":
                ws.write_string(r, c, str(value))
    book.close()
    return buf.getvalue()


def export_csv(ss: Spreadsheet) -> bytes:
    """The first sheet's formatted values (recorded: ``a1,B2`` for one row, no line end)."""
    sheets = _grid_sheets(ss)
    if not sheets:
        return b""
    sheet = sheets[0]
    ev = ss.evaluator(sheet)
    height = max((r for r, _ in sheet.cells), default=-1) + 1
    width = max((c for _, c in sheet.cells), default=-1) + 1
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for r in range(height):
        writer.writerow(
            [
                render(sheet.cell(r, c), "FORMATTED_VALUE", "SERIAL_NUMBER", ss.locale, ev)
                for c in range(width)
            ]
        )
    return out.getvalue().removesuffix("\r\n").encode("utf-8")
