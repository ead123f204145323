"""Reading a task tab against the schema: header, cells, and the findings they raise.

``sync.shapes.task_tab.find_header`` locates the header row; ``read_tab`` turns each data row into a
``Task`` with parsed values and reports every bad cell as a finding. Nothing a
cell holds may raise: every value goes through ``sync.normalize``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sync import findings as F
from sync.config import UnitConfig
from sync.exceptions import SourceUnreadable
from sync.limits import Limits, limit_breach, number
from sync.model import Finding, Task
from sync.normalize import (
    NOT_A_DATE,
    PLAIN_TYPES,
    cell_text,
    clean_text,
    fold,
    format_date,
    is_blank,
    looks_legacy_encoded,
    parse_date,
    safe_value,
)
from sync.schema import Field, Schema
from sync.shapes.grid import TabData, cell_name
from sync.shapes.task_tab import Header, find_header


class UnitResolver:
    """Unit names, codes and aliases (folded) -> unit code."""

    def __init__(self, units: Sequence[UnitConfig]):
        self._lookup: dict[str, str] = {}
        #: the most comma-separated pieces in any spelling: no longer run of pieces can name a unit
        self.max_pieces = 1
        for u in units:
            for spelling in (u.code, u.name, *u.aliases):
                self._lookup.setdefault(fold(spelling), u.code)
                self.max_pieces = max(self.max_pieces, spelling.count(",") + 1)

    def resolve(self, text: str) -> str | None:
        return self._lookup.get(fold(text))


def fill_merged(tab: TabData, header_row: int) -> list[list[Any]]:
    """The tab's rows where a value merged down over data rows applies to each of them (first
    column only); merges in the title rows and the header block are left alone. The tab itself
    is never changed (the rows filled are copies): what a backend read stays as it read it."""
    rows = list(tab.rows)
    copied: set[int] = set()
    for (r0, c0), (r1, _c1) in tab.merged:
        if r0 <= header_row or r1 <= r0 or r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        value = rows[r0][c0]
        for r in range(r0 + 1, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            if c0 < len(row) and is_blank(row[c0]):
                if r not in copied:
                    row = rows[r] = list(row)
                    copied.add(r)
                row[c0] = value
    return rows


_COLUMN_NUMBER = re.compile(r"^\(?\d{1,2}\)?$")


def split_units(text: str, resolver: UnitResolver) -> list[tuple[str, str | None]]:
    """Unit names separated by ``;``, ``,`` or new lines, as (text, code or None).

    A comma may also sit inside a unit's name ("Sở Văn hóa, Thể thao và Du lịch"): the
    longest run of comma-separated pieces that names a configured unit wins. Runs are never
    longer than the configured name with the most commas, so the work is linear in the text.
    """
    out: list[tuple[str, str | None]] = []
    for part in _SPLIT_UNITS.split(text):
        part = part.strip()
        if not part:
            continue
        code = resolver.resolve(part)
        if code is not None or "," not in part:
            out.append((part, code))
            continue
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        i = 0
        while i < len(pieces):
            for j in range(min(len(pieces), i + resolver.max_pieces), i, -1):
                candidate = ", ".join(pieces[i:j])
                code = resolver.resolve(candidate)
                if code is not None or j == i + 1:
                    out.append((candidate, code))
                    i = j
                    break
    return out


def _first_data_row(tab: TabData, header: Header) -> int:
    """The row after the header block: a header merged over two rows (a common template) and a
    row numbering the columns — (1) (2) (3) … — under it are not tasks."""
    first = header.row + 1
    for (r0, _c0), (r1, _c1) in tab.merged:
        if r0 <= header.row <= r1:
            first = max(first, r1 + 1)
    if first < len(tab.rows):
        cells = [v for v in tab.rows[first] if not is_blank(v)]
        numbers = [
            v
            for v in cells
            if isinstance(v, (int, float))
            and not isinstance(v, bool)
            or isinstance(v, str)
            and _COLUMN_NUMBER.match(v.strip())
        ]
        if len(cells) >= 3 and len(numbers) == len(cells):
            first += 1
    return first


_SPLIT_UNITS = re.compile(r"[;\n]+")


_LOWEST, _HIGHEST = float("-inf"), float("inf")
#: How much of an over-long text a finding shows.
_SHOWN_TEXT = 200


def _time_breach(sheet: str, limits: Limits) -> SourceUnreadable:
    return limit_breach(
        f"trang “{sheet}”",
        f"kiểm tra quá {number(limits.max_seconds)} giây",
        "max_seconds",
        limits.max_seconds,
        "giây",
    )


@dataclass(slots=True)
class TabRead:
    tasks: list[Task]
    findings: list[Finding]
    header: Header | None
    missing: list[str]  # required field ids absent from the header


class _RowContext:
    __slots__ = ("unit", "sheet", "header", "row", "findings")

    def __init__(self, unit: str, sheet: str, header: Header, findings: list[Finding]):
        self.unit = unit
        self.sheet = sheet
        self.header = header
        self.row = 0
        self.findings = findings

    def add(self, kind: F.FindingKind, field_id: str | None, value: Any, **details: Any) -> None:
        cell = self.header.cell(field_id, self.row) if field_id else None
        if field_id:
            details.setdefault("title", self.header.titles.get(field_id, field_id))
        if "text" not in details:
            details["text"] = cell_text(value)
        self.findings.append(
            F.make(
                kind,
                unit=self.unit,
                sheet=self.sheet,
                cell=cell,
                row=self.row,
                field=field_id,
                value=value,
                **details,
            )
        )


def _allowed_hint(f: Field) -> str:
    first = [spellings[0] for spellings in f.values.values() if spellings]
    return "Chọn một trong: " + " / ".join(f"“{s}”" for s in first) + "."


def read_tab(
    tab: TabData,
    schema: Schema,
    *,
    unit: str,
    resolver: UnitResolver,
    as_of: date,
    limits: Limits | None = None,
    deadline: float | None = None,
) -> TabRead:
    """Read every data row of a task tab into tasks and findings.

    A text longer than ``limits.max_text_chars`` is cut to it (finding ``text-too-long``);
    past ``deadline`` (a ``time.monotonic()`` value) the unit is given up (``SourceUnreadable``).
    """
    limits = limits or Limits()
    found: list[Finding] = []
    header = find_header(tab.rows, schema)
    if header is None:  # select_task_tab guarantees one; keep total anyway
        return TabRead([], found, None, [f.name for f in schema.required_fields()])
    header_row = header.row + 1
    for field_id, col in header.duplicates:
        first_col = header.columns[field_id]
        found.append(
            F.make(
                F.DUPLICATE_COLUMN,
                unit=unit,
                sheet=tab.name,
                cell=cell_name(col, header_row),
                row=header_row,
                field=field_id,
                value=cell_text(tab.rows[header.row][col]),
                other=header.titles[field_id],
                other_cell=cell_name(first_col, header_row),
                title=schema[field_id].title,
            )
        )
    missing = [f.name for f in schema.required_fields() if f.name not in header.columns]
    for field_id in missing:
        found.append(
            F.make(
                F.MISSING_COLUMN,
                unit=unit,
                sheet=tab.name,
                row=header_row,
                field=field_id,
                value=None,
                title=schema[field_id].title,
            )
        )
    if missing:
        return TabRead([], found, header, missing)
    if tab.merged:
        tab = TabData(tab.name, fill_merged(tab, header.row), tab.merged)

    ctx = _RowContext(unit, tab.name, header, found)
    fields = [(schema[f], c) for f, c in header.columns.items()]
    status_lookup = schema["status"].value_lookup() if "status" in header.columns else {}
    kind_lookup = schema["deadline"].value_lookup() if "deadline" in header.columns else {}
    tasks: list[Task] = []
    plan = [(f.name, c, f.name != "stt") for f, c in fields]
    rows = tab.rows
    max_text = limits.max_text_chars
    for r in range(_first_data_row(tab, header), len(rows)):
        if deadline is not None and not r & 1023 and time.monotonic() > deadline:
            raise _time_breach(tab.name, limits)
        row = rows[r]
        width = len(row)
        cells: dict[str, Any] = {}
        filled = False
        too_long: list[tuple[str, int]] = []
        for name, c, counts in plan:
            if c >= width:
                continue
            value = row[c]
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is not str and (
                kind is float and not _LOWEST < value < _HIGHEST or kind not in PLAIN_TYPES
            ):
                value = safe_value(value)  # NaN, infinity, a value of a type no sheet holds: text
            if type(value) is str:
                value = value.strip() if value.isascii() else clean_text(value)
                if not value:
                    continue
                if len(value) > max_text:
                    too_long.append((name, len(value)))
                    value = value[:max_text]
            cells[name] = value
            filled = filled or counts
        if not filled:
            continue
        ctx.row = r + 1
        for name, length in too_long:
            ctx.add(
                F.TEXT_TOO_LONG,
                name,
                cells[name][:_SHOWN_TEXT] + "…",
                length=number(length),
                limit=number(max_text),
            )
        values = _parse_row(cells, fields, ctx, resolver, status_lookup, kind_lookup)
        _check_row(values, cells, ctx, as_of)
        tasks.append(Task(unit=unit, sheet=tab.name, row=r + 1, values=values, raw=cells))
    return TabRead(tasks, found, header, [])


def _parse_row(
    cells: dict[str, Any],
    fields: list[tuple[Field, int]],
    ctx: _RowContext,
    resolver: UnitResolver,
    status_lookup: dict[str, str],
    kind_lookup: dict[str, str],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for f, _c in fields:
        name = f.name
        value = cells.get(name)
        if value is None:
            values[name] = None
            if f.required_cell:
                ctx.add(F.REQUIRED_MISSING, name, None)
            continue
        is_text = isinstance(value, str)
        if is_text and not value.isascii() and looks_legacy_encoded(value):
            ctx.add(F.LEGACY_ENCODING, name, value)
        ftype = f.type
        if ftype == "text":
            values[name] = value if is_text else cell_text(value)
        elif ftype == "integer":
            values[name] = value
        elif ftype == "date":
            values[name] = _parse_date_cell(value, name, ctx)
        elif ftype == "date_or_kind":
            kind = kind_lookup.get(fold(value)) if is_text else None
            if kind is not None:
                values[name] = kind
            else:
                parsed = parse_date(value)
                if isinstance(parsed, date):
                    values[name] = parsed
                else:
                    values[name] = None
                    text = cell_text(value)
                    if parsed == NOT_A_DATE and not any(ch.isdigit() for ch in text):
                        ctx.add(
                            F.INVALID_VALUE,
                            name,
                            value,
                            hint=_allowed_hint(f) + " Hoặc ghi một ngày dd/mm/yyyy.",
                        )
                    else:
                        reason = F.DATE_REASONS.get(str(parsed), F.DATE_REASONS[NOT_A_DATE])
                        ctx.add(F.INVALID_DATE, name, value, reason=reason)
        elif ftype == "enum":
            key = fold(value if is_text else cell_text(value))
            meaning = status_lookup.get(key) if name == "status" else f.value_lookup().get(key)
            values[name] = meaning
            if meaning is None:
                ctx.add(F.INVALID_VALUE, name, value, hint=_allowed_hint(f))
        elif ftype == "unit":
            text = value if is_text else cell_text(value)
            code = resolver.resolve(text)
            values[name] = code if code is not None else text
            if code is None:
                ctx.add(F.UNKNOWN_UNIT, name, value)
        elif ftype == "unit_list":
            resolved: list[str] = []
            for part, code in split_units(cell_text(value), resolver):
                resolved.append(code if code is not None else part)
                if code is None:
                    ctx.add(F.UNKNOWN_UNIT, name, value, text=part)
            values[name] = resolved
        else:  # pragma: no cover - the schema loader admits no other type
            values[name] = value
    return values


def _parse_date_cell(value: Any, name: str, ctx: _RowContext) -> date | None:
    parsed = parse_date(value)
    if isinstance(parsed, date) or parsed is None:
        return parsed
    ctx.add(F.INVALID_DATE, name, value, reason=F.DATE_REASONS.get(parsed, F.DATE_REASONS[NOT_A_DATE]))
    return None


def _check_row(values: dict[str, Any], cells: dict[str, Any], ctx: _RowContext, as_of: date) -> None:
    """Findings that involve several cells of a row."""
    status = values.get("status")
    completed_on = values.get("completed_on")
    doc_date = values.get("doc_date")
    for name in ("completed_on", "updated_on"):
        d = values.get(name)
        if isinstance(d, date) and d > as_of:
            ctx.add(F.FUTURE_DATE, name, cells.get(name), text=format_date(d), as_of=format_date(as_of))
    if status == "completed" and not isinstance(completed_on, date):
        ctx.add(F.COMPLETION_DATE_MISSING, "completed_on", cells.get("completed_on"))
    if cells.get("completed_on") is not None and status in ("in_progress", "not_started"):
        status_cell = ctx.header.cell("status", ctx.row)
        ctx.add(
            F.STATUS_CONFLICT,
            "completed_on",
            cells.get("completed_on"),
            status_cell=status_cell,
            status=cell_text(cells.get("status")),
        )
    if isinstance(doc_date, date):
        for name in ("completed_on", "deadline"):
            d = values.get(name)
            if isinstance(d, date) and d < doc_date:
                ctx.add(
                    F.DATE_ORDER, name, cells.get(name), text=format_date(d), doc_date=format_date(doc_date)
                )
