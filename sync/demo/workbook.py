"""Writing the demo: a unit's workbook as its staff keep it (byte-identical for a seed) and the config."""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from sync.normalize import SERIAL_EPOCH, fold_words
from sync.schema import Schema

from .model import (
    CUTOFF_DAY,
    DEFAULT_PROVINCE,
    DUE_SOON_DAYS,
    REFERENCE,
    SUMMARY,
    DemoUnit,
    ProvinceProfile,
    Style,
    WorldUnit,
)
from .render import Row


def _date_text(d: date, form: str) -> str:
    if form == "dmy":
        return d.strftime("%d/%m/%Y")
    if form == "d/m":
        return f"{d.day}/{d.month}/{d.year}"
    if form == "dash":
        return d.strftime("%d-%m-%Y")
    if form == "dot":
        return d.strftime("%d.%m.%Y")
    if form == "iso":
        return d.isoformat()
    if form == "words":
        return f"ngày {d.day} tháng {d.month} năm {d.year}"
    raise ValueError(form)


def _date_value(d: date | None, style: Style, index: int) -> Any:
    if d is None:
        return None
    if style.date_style == "serial":
        return (d - SERIAL_EPOCH).days
    if style.date_style.startswith("text:") and index % 2 == 0:
        return _date_text(d, style.date_style.removeprefix("text:"))
    return d


def _status_text(meaning: str, style: Style, schema: Schema, seen: dict[str, int]) -> str:
    spellings = schema["status"].values[meaning]
    if style.status_style == "variants":
        # every spelling in turn, short forms first ("Đã HT", "Đang TH"); some in lower case
        k = seen[meaning] = seen.get(meaning, -1) + 1
        text = spellings[(k + (2 if meaning == "completed" else 1)) % len(spellings)]
        return text.lower() if k % 3 == 2 else text
    text = spellings[0]
    if style.status_style == "nfd":
        return unicodedata.normalize("NFD", text)
    return text


def _header_text(name: str, style: Style, schema: Schema) -> str:
    f = schema[name]
    if style.header_style == "alias" and f.aliases:
        # the old template's words: "Mã NV", "Trạng thái", "Hạn xử lý" …
        return f.aliases[-1] if f.type == "date_or_kind" else f.aliases[0]
    if style.header_style == "ascii-upper":
        return fold_words(f.title).upper()
    return f.title


def _row_values(row: Row, style: Style, schema: Schema, i: int, seen: dict[str, int]) -> dict[str, Any]:
    t = row.task
    if t.deadline_text is not None:
        deadline: Any = t.deadline_text
    elif t.deadline_kind is not None:
        deadline = t.deadline_kind
    else:
        deadline = _date_value(t.deadline, style, i)
    return {
        "task_id": t.task_id,
        "doc_ref": t.doc_ref,
        "doc_date": _date_value(t.doc_date, style, i + 1),
        "summary": t.summary,
        "assigner": t.assigner,
        "lead_unit": t.lead,
        "co_units": t.co_units,
        "deadline": deadline,
        "extended_deadline": _date_value(row.extended, style, i),
        "status": _status_text(row.status, style, schema, seen),
        "progress": row.progress or None,
        "completed_on": _date_value(row.completed_on, style, i + 1),
        "result_doc": row.result_doc or None,
        "obstacles": row.obstacles or None,
        "extension_request": _date_value(row.ext_request, style, i),
        "updated_on": _date_value(row.updated_on, style, i),
    }


def _put(ws: Worksheet, r: int, c: int, value: Any) -> None:
    cell = ws.cell(row=r, column=c)
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"


_WIDTHS = {"summary": 60, "progress": 40, "obstacles": 36, "co_units": 28, "lead_unit": 26}


def _instructions(ws: Worksheet, schema: Schema, unit: DemoUnit, example: date) -> None:
    lines = [
        "HƯỚNG DẪN CẬP NHẬT BẢNG THEO DÕI NHIỆM VỤ",
        f"Đơn vị: {unit.name}",
        "",
        f"1. Các cột {schema['task_id'].title}, {schema['doc_ref'].title}, "
        f"{schema['summary'].title}, {schema['deadline'].title} do Văn phòng UBND tỉnh ghi; "
        "đơn vị không sửa.",
        f"2. Đơn vị cập nhật cột {schema['status'].title}, {schema['progress'].title}, "
        f"{schema['completed_on'].title} và {schema['updated_on'].title} "
        f"trước ngày {CUTOFF_DAY} hằng tháng.",
        f"3. Ngày ghi theo dạng ngày/tháng/năm, ví dụ {example.strftime('%d/%m/%Y')}.",
        f"4. {schema['status'].title} ghi một trong: "
        + " / ".join(v[0] for v in schema["status"].values.values())
        + ".",
    ]
    for i, line in enumerate(lines, start=1):
        _put(ws, i, 1, line or None)
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 110


def workbook_bytes(
    unit: DemoUnit, wunit: WorldUnit, rows: list[Row], schema: Schema, as_of: date, profile: ProvinceProfile
) -> bytes:
    style = wunit.style
    rng = random.Random(f"{unit.code}/layout")
    wb = Workbook()
    first = wb.active
    assert first is not None
    if style.instructions:
        first.title = "Hướng dẫn"
        _instructions(first, schema, unit, profile.as_of)
        ws = wb.create_sheet(style.tab_name or schema.tab)
    else:
        first.title = style.tab_name or schema.tab
        ws = first
    names, headers = _columns(style, schema, rng)
    _titles(ws, profile.heading, unit, style, as_of, len(headers))
    _header(ws, style.header_row, names, headers)
    _rows(ws, style, schema, names, rows, rng)
    stamp = datetime.combine(as_of, time(7, 30))
    wb.properties.creator = f"Văn phòng UBND tỉnh {profile.name}"
    wb.properties.lastModifiedBy = unit.name
    # the template was made early in the year before REFERENCE's (03/01/2023), in the province's calendar
    wb.properties.created = datetime(REFERENCE.year - 1 + profile.years, 1, 3, 8, 0)
    wb.properties.modified = stamp
    return _save(wb, stamp)


def _columns(style: Style, schema: Schema, rng: random.Random) -> tuple[list[str], list[str]]:
    """(field names or extra column titles, header texts) in the unit's column order."""
    names = [f.name for f in schema.fields if f.name not in style.omit]
    if style.shuffled:
        rest = names[1:]
        rng.shuffle(rest)
        names = names[:1] + rest
    headers: list[str] = [_header_text(n, style, schema) for n in names]
    if style.extra_columns:
        pos = len(headers) - 1
        for extra in style.extra_columns:
            names.insert(pos, extra)
            headers.insert(pos, extra)
    return names, headers


def _titles(ws: Worksheet, heading: str, unit: DemoUnit, style: Style, as_of: date, ncols: int) -> None:
    titles = [
        heading,
        unit.name.upper(),
        "BẢNG THEO DÕI NHIỆM VỤ DO UBND TỈNH, CHỦ TỊCH UBND TỈNH GIAO",
    ]
    if style.header_row >= 6:
        titles.append(f"(Cập nhật đến ngày {as_of.strftime('%d/%m/%Y')})")
    for i, text in enumerate(titles, start=1):
        _put(ws, i, 1, text)
        ws.cell(row=i, column=1).font = Font(bold=i <= 3, size=13 if i == 3 else 11)
        if style.merged_title:
            ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=ncols)
            ws.cell(row=i, column=1).alignment = Alignment(horizontal="center")


def _header(ws: Worksheet, hr: int, names: list[str], headers: list[str]) -> None:
    for c, text in enumerate(headers, start=1):
        _put(ws, hr, c, text)
        cell = ws.cell(row=hr, column=c)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        name = names[c - 1]
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 14)
    ws.freeze_panes = ws.cell(row=hr + 1, column=1)


def _rows(
    ws: Worksheet, style: Style, schema: Schema, names: list[str], rows: list[Row], rng: random.Random
) -> None:
    r = style.header_row + 1
    hidden_at = len(rows) // 2 if style.hidden_row else -1
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        values = _row_values(row, style, schema, i, seen)
        values["stt"] = i + 1
        if "Ghi chú" in names and i % 4 == 1:
            values["Ghi chú"] = rng.choice(
                ["Đã trình lãnh đạo Sở", "Theo dõi chung", "Chờ ý kiến Sở Tài chính"]
            )
        for c, name in enumerate(names, start=1):
            _put(ws, r, c, values.get(name))
        if i == hidden_at:
            ws.row_dimensions[r].hidden = True
        r += 1
        if style.blank_rows and i % 9 == 8:
            r += 1  # a blank row between groups of tasks
    if style.blank_rows:
        for k in range(3):  # rows numbered ahead of time, never filled
            _put(ws, r + k, names.index("stt") + 1, len(rows) + k + 1)


def _save(wb: Workbook, stamp: datetime) -> bytes:
    """The workbook as .xlsx bytes that depend on nothing but its content and ``stamp``."""
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- config


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def config_text(units: Sequence[DemoUnit], schema: Schema, profile: ProvinceProfile) -> str:
    lines = [
        f"# Tỉnh mẫu: bảng theo dõi nhiệm vụ của {len(units)} đơn vị tỉnh {profile.name} (dữ liệu giả lập).",
        "",
        "[sync]",
        'backend = "xlsx"',
        f"summary = {_toml_string(SUMMARY)}",
        f"sheet = {_toml_string(schema.tab)}",
        f"cutoff_day = {CUTOFF_DAY}",
        f"due_soon_days = {DUE_SOON_DAYS}",
    ]
    for unit in units:
        aliases = ", ".join(_toml_string(a) for a in unit.aliases)
        lines += [
            "",
            "[[units]]",
            f"code = {_toml_string(unit.code)}",
            f"name = {_toml_string(unit.name)}",
            f"source = {_toml_string(f'units/{unit.code}.xlsx')}",
            f"aliases = [{aliases}]",
            f"kind = {_toml_string(unit.kind)}",
        ]
    if profile.key != DEFAULT_PROVINCE:  # the report's defaults (sync.report.docx) are An Giang's
        lines += [
            "",
            "[report]",
            f"parent = {_toml_string(profile.heading)}",
            f"place = {_toml_string(profile.name)}",
        ]
    return "\n".join(lines) + "\n"
