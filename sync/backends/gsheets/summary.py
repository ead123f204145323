"""The summary as a Google Sheet (contract §7, ``backend = "gsheets"``).

A memo next to the state file (``<config stem>.summary.json``, private) keeps what the last
write put there: a digest of the tables (without the “Thời điểm tạo” time) and the tabs'
sheet ids. The same tables again cost no request (nothing is rewritten); other tables cost
one ``batchUpdate`` against the remembered tabs, and only when Google refuses it (the tabs
were changed by hand) is the spreadsheet looked at again as below.

Writing (``write_summary_gsheets``) costs two requests: one ``spreadsheets.get``
(tab properties) and one ``spreadsheets.batchUpdate`` that adds/renames/resizes the tabs
and writes every cell and format at once, so readers never see a half-written summary.
Every text goes in as ``stringValue`` (RAW): nothing becomes a formula.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from gspread.http_client import ParamsType

from sync.atomic import atomic_write_bytes
from sync.backends.gsheets.client import GoogleClient
from sync.backends.gsheets.read import spreadsheet_id, spreadsheet_url
from sync.exceptions import GoogleApiError, GoogleNetworkError, GoogleUnreachable, OutputError
from sync.shapes.grid import to_serial
from sync.shapes.tables import Table, tables_digest


def _rgb(hex_color: str) -> dict[str, float]:
    h = hex_color.lstrip("#")
    return {k: round(int(h[i : i + 2], 16) / 255, 4) for k, i in (("red", 0), ("green", 2), ("blue", 4))}


_FONT = "Times New Roman"
_HEADER_FORMAT: dict[str, Any] = {
    "backgroundColor": _rgb("#1F4E78"),
    "horizontalAlignment": "CENTER",
    "verticalAlignment": "MIDDLE",
    "wrapStrategy": "WRAP",
    "textFormat": {"bold": True, "fontFamily": _FONT, "fontSize": 12, "foregroundColor": _rgb("#FFFFFF")},
}
_STYLES: dict[str | None, dict[str, Any]] = {
    None: {},
    "overdue": {"backgroundColor": _rgb("#F8CBAD"), "font": _rgb("#9C0006")},
    "due_soon": {"backgroundColor": _rgb("#FFE699")},
    "error": {"backgroundColor": _rgb("#FFC7CE"), "font": _rgb("#9C0006")},
    "total": {"backgroundColor": _rgb("#D9E1F2"), "bold": True},
}
_NUMBER_FORMATS: dict[str, dict[str, str] | None] = {
    "text": None,
    "int": {"type": "NUMBER", "pattern": "0"},
    "date": {"type": "DATE", "pattern": "dd/mm/yyyy"},
    "percent": {"type": "PERCENT", "pattern": "0.0%"},
    "datetime": {"type": "DATE_TIME", "pattern": "dd/mm/yyyy hh:mm"},
}


def _cell_format(kind: str, style: str | None, wrap: bool = False) -> dict[str, Any]:
    st = _STYLES[style]
    text: dict[str, Any] = {"fontFamily": _FONT, "fontSize": 12}
    if st.get("bold"):
        text["bold"] = True
    if "font" in st:
        text["foregroundColor"] = st["font"]
    fmt: dict[str, Any] = {"verticalAlignment": "TOP", "textFormat": text}
    if wrap:
        fmt["wrapStrategy"] = "WRAP"
    nf = _NUMBER_FORMATS[kind]
    if nf:
        fmt["numberFormat"] = nf
    if kind == "date":
        fmt["horizontalAlignment"] = "CENTER"
    if "backgroundColor" in st:
        fmt["backgroundColor"] = st["backgroundColor"]
    return fmt


def _cell_data(value: Any, kind: str, style: str | None, wrap: bool = False) -> dict[str, Any]:
    if isinstance(value, date):  # as the xlsx writer: a date value gets the date (and time) format
        kind = "datetime" if isinstance(value, datetime) else "date"
    cell: dict[str, Any] = {"userEnteredFormat": _cell_format(kind, style, wrap)}
    if value is None or value == "":
        return cell
    if isinstance(value, str):
        cell["userEnteredValue"] = {"stringValue": value}
    elif isinstance(value, bool):
        cell["userEnteredValue"] = {"boolValue": value}
    elif isinstance(value, (int, float)):
        cell["userEnteredValue"] = {"numberValue": value}
    elif isinstance(value, date):
        cell["userEnteredValue"] = {"numberValue": to_serial(value)}
    elif isinstance(value, time):
        secs = value.hour * 3600 + value.minute * 60 + value.second
        cell["userEnteredValue"] = {"numberValue": secs / 86400}
    else:
        cell["userEnteredValue"] = {"stringValue": str(value)}
    return cell


_DEFAULT_TAB = re.compile(r"^(Sheet|Trang tính|Trang tinh)\s*\d+$", re.IGNORECASE)


def summary_requests(tables: list[Table], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The one batchUpdate that makes the summary spreadsheet show ``tables``.

    ``existing`` is the spreadsheet's ``sheets[].properties``. Tabs are matched by title;
    missing ones are added with sheetIds chosen here (later requests in the same batch use
    them); Google's untouched default tabs (``Sheet1``/``Trang tính1``) are deleted; other
    tabs the Office added are left alone, after ours.
    """
    reqs, ids = _tab_requests(tables, existing)
    wanted = {t.name for t in tables}
    for p in existing:
        title = str(p.get("title"))
        if title not in wanted and _DEFAULT_TAB.match(title):
            reqs.append({"deleteSheet": {"sheetId": int(p.get("sheetId", 0))}})
    for sid, t in zip(ids, tables, strict=True):
        reqs.extend(_content_requests(sid, t))
    return reqs


def _tab_requests(
    tables: list[Table], existing: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[int]]:
    """Add or place and resize a tab per table: (requests, each table's sheetId)."""
    by_title = {str(p.get("title")): p for p in existing}
    used_ids = {int(p.get("sheetId", 0)) for p in existing}
    next_id = max(used_ids, default=0) + 1
    reqs: list[dict[str, Any]] = []
    ids: list[int] = []
    for index, t in enumerate(tables):
        rows = max(len(t.rows) + 1 + (len(t.notes) + 1 if t.notes else 0), 2)
        cols = max(len(t.columns), max((len(r) for r in t.rows), default=0), 1)
        grid = {"rowCount": rows, "columnCount": cols, "frozenRowCount": 1}
        props = by_title.get(t.name)
        if props is None:
            while next_id in used_ids:
                next_id += 1
            sid = next_id
            used_ids.add(sid)
            properties = {"sheetId": sid, "title": t.name, "index": index, "gridProperties": grid}
            reqs.append({"addSheet": {"properties": properties}})
        else:
            sid = int(props.get("sheetId", 0))
            reqs.append(
                {
                    "updateSheetProperties": {
                        "properties": {"sheetId": sid, "index": index, "gridProperties": grid},
                        "fields": "index,gridProperties(rowCount,columnCount,frozenRowCount)",
                    }
                }
            )
        ids.append(sid)
    return reqs, ids


def _content_requests(sid: int, t: Table) -> list[dict[str, Any]]:
    """One tab's cells (values and formats, the whole grid), header height and column widths."""
    kinds = [c.kind for c in t.columns]
    wraps = [c.wrap for c in t.columns]
    header = [
        {"userEnteredValue": {"stringValue": c.title}, "userEnteredFormat": _HEADER_FORMAT} for c in t.columns
    ]
    data_rows = [{"values": header}]
    styles = list(t.styles) + [None] * (len(t.rows) - len(t.styles))
    for row, style in zip(t.rows, styles, strict=False):
        data_rows.append(
            {
                "values": [
                    _cell_data(v, kinds[c] if c < len(kinds) else "text", style, c < len(wraps) and wraps[c])
                    for c, v in enumerate(row)
                ]
            }
        )
    if t.notes:  # below the table after a blank row, as in the .xlsx summary
        data_rows.append({"values": []})
        data_rows.extend({"values": [_cell_data(note, "text", None)]} for note in t.notes)
    # the whole grid (just resized to fit): cells not given are cleared, values and formats
    reqs: list[dict[str, Any]] = [
        {
            "updateCells": {
                "range": {"sheetId": sid},
                "rows": data_rows,
                "fields": "userEnteredValue,userEnteredFormat",
            }
        },
        _dimension_request(sid, "ROWS", 0, 1, 42),
    ]
    for start, end, width in _width_runs([c.width for c in t.columns]):
        reqs.append(_dimension_request(sid, "COLUMNS", start, end, int(round(width * 7 + 5))))
    return reqs


def _dimension_request(sid: int, dimension: str, start: int, end: int, pixels: int) -> dict[str, Any]:
    return {
        "updateDimensionProperties": {
            "range": {"sheetId": sid, "dimension": dimension, "startIndex": start, "endIndex": end},
            "properties": {"pixelSize": pixels},
            "fields": "pixelSize",
        }
    }


def _width_runs(widths: Iterable[float]) -> list[tuple[int, int, float]]:
    runs: list[tuple[int, int, float]] = []
    for i, w in enumerate(widths):
        if runs and runs[-1][2] == w and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1, w)
        else:
            runs.append((i, i + 1, w))
    return runs


def memo_path(config: Any) -> Path:
    state = Path(config.state_path)
    stem = state.name.removesuffix(".state.json") if state.name.endswith(".state.json") else state.stem
    return state.with_name(stem + ".summary.json")


def _load_memo(path: Path, sid: str) -> dict[str, Any]:
    try:
        memo = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return memo if isinstance(memo, dict) and memo.get("spreadsheet") == sid else {}


def write_summary_gsheets(config: Any, tables: list[Table], *, client: GoogleClient | None = None) -> str:
    """Replace the summary spreadsheet's tabs with ``tables`` (0, 1 or 2 requests); returns its URL."""
    sid = spreadsheet_id(config.sync.summary)
    path = memo_path(config)
    memo = _load_memo(path, sid)
    digest = tables_digest(tables)
    if memo.get("digest") == digest:
        return spreadsheet_url(sid)  # the summary already shows these tables
    own = client is None
    client = client or GoogleClient.from_config(config)
    try:
        tabs = _write_summary(client, sid, tables, memo.get("tabs"))
    finally:
        if own:
            client.close()
    text = json.dumps({"spreadsheet": sid, "digest": digest, "tabs": tabs}, ensure_ascii=False)
    try:
        atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)
    except OSError:
        path.unlink(missing_ok=True)  # no memo: the next run looks at the spreadsheet again
    return spreadsheet_url(sid)


def _after(tables: list[Table], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tabs' properties once ``summary_requests(tables, existing)`` is applied."""
    _, ids = _tab_requests(tables, existing)
    ours = [
        {"sheetId": i, "title": t.name, "index": n} for n, (i, t) in enumerate(zip(ids, tables, strict=True))
    ]
    names = {t.name for t in tables}
    kept = [
        {"sheetId": p.get("sheetId", 0), "title": p.get("title"), "index": len(ours) + n}
        for n, p in enumerate(
            p
            for p in existing
            if str(p.get("title")) not in names and not _DEFAULT_TAB.match(str(p.get("title")))
        )
    ]
    return ours + kept


def _write_summary(
    client: GoogleClient, sid: str, tables: list[Table], known: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Write; the tabs' properties after. ``known``: the tabs as the last write left them."""
    fields: ParamsType = {"fields": "sheets.properties(sheetId,title,index)"}
    writing = False  # whether the batchUpdate (the write) was tried
    try:
        if isinstance(known, list) and known:
            try:
                writing = True
                client.http.batch_update(sid, {"requests": summary_requests(tables, known)})
                return _after(tables, known)
            except GoogleApiError as e:
                if e.status != 400:  # 400: the tabs are not as remembered; look at them below
                    raise
        meta = client.http.fetch_sheet_metadata(sid, params=fields)
        existing = [s.get("properties") or {} for s in meta.get("sheets") or []]
        try:
            writing = True
            client.http.batch_update(sid, {"requests": summary_requests(tables, existing)})
        except GoogleApiError as e:
            # A retried batchUpdate whose first try was applied but whose answer was lost
            # fails on its own addSheet ids; the batch is all-or-nothing, so look again and
            # write once more (the result is the same tables, never a duplicate).
            if not (e.status == 400 and e.attempts > 1):
                raise
            meta = client.http.fetch_sheet_metadata(sid, params=fields)
            existing = [s.get("properties") or {} for s in meta.get("sheets") or []]
            client.http.batch_update(sid, {"requests": summary_requests(tables, existing)})
        return _after(tables, existing)
    except GoogleApiError as e:
        raise _api_failure(e, sid, client.account_email, sent=writing) from None
    except (GoogleNetworkError, GoogleUnreachable) as e:
        if writing and e.maybe_delivered:
            raise OutputError(
                f"không chắc bảng tổng hợp {sid} đã được ghi: mất kết nối tới Google ({e}). "
                "Chạy lại lệnh: lần chạy sau ghi lại toàn bộ bảng tổng hợp"
            ) from None
        if isinstance(e, GoogleUnreachable):  # its message says that nothing was written
            raise OutputError(str(e)) from None
        raise OutputError(
            f"không ghi được bảng tổng hợp {sid}: {e}; bảng tổng hợp trước vẫn còn nguyên. "
            "Kiểm tra mạng rồi chạy lại"
        ) from None


def _api_failure(e: GoogleApiError, sid: str, account: str, *, sent: bool) -> OutputError:
    """Google's error answer while writing the summary, for a person: was anything written?"""
    if e.status == 404:
        return OutputError(
            f"không tìm thấy bảng tổng hợp {sid} trên Google Sheets; kiểm tra “summary” trong [sync]"
        )
    if e.status == 403:
        return OutputError(
            f"tài khoản {account or 'tài khoản dịch vụ'} chưa có quyền chỉnh sửa bảng tổng hợp {sid}; "
            "chia sẻ bảng tính với quyền Người chỉnh sửa"
        )
    if not sent or (400 <= e.status < 500 and e.status not in (408, 429)):
        # refused, or only the read before it failed: a batchUpdate is all or nothing
        return OutputError(
            f"không ghi được bảng tổng hợp {sid}: Google trả lời lỗi {e.status} ({e.message}); "
            "bảng tổng hợp trước vẫn còn nguyên"
        )
    return OutputError(
        f"không chắc bảng tổng hợp {sid} đã được ghi: Google trả lời lỗi {e.status} ({e.message}). "
        "Chạy lại lệnh: lần chạy sau ghi lại toàn bộ bảng tổng hợp"
    )
