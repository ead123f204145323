"""The Google Sheets backend: units' spreadsheets read through gspread + google-auth.

Reading (``GSheetsSource``) costs, for a full sync, one Drive ``files.list`` (all
spreadsheets in ``[gsheets] folder``, or every spreadsheet shared with the service
account when no folder is set; 1 000 per page) plus one request per changed unit:

- ``[gsheets] read = "export"`` (the default): Drive ``files.export`` of the whole
  spreadsheet as .xlsx, read by the xlsx backend's own reader (``sync.backends.xlsx.read``):
  every tab, whatever the task tab is called, merges and dates as the .xlsx backend
  sees them. It counts against Drive's quota (12 000 a minute per user), not Sheets'
  60 reads a minute, so units are read ``READ_AHEAD`` at a time. A spreadsheet over
  Drive's export limit (10 MB: 403 ``exportSizeLimitExceeded``) is read as below.
- ``read = "values"`` (the path before issue 10): one ``values:batchGet`` of the tab
  named ``'Nhiệm vụ'``; only when Google answers "Unable to parse range" is the tab list
  fetched (``spreadsheets.get`` with ``fields=sheets.properties(...)``) and the tabs
  searched as the xlsx backend does (3 requests). Values come ``UNFORMATTED_VALUE`` +
  ``SERIAL_NUMBER`` (the core turns serials into dates where a date is expected); merges
  are not read.

Incremental sync: each spreadsheet's Drive ``version`` is compared with the one kept in
the state file (``config.state_path``) of the last successful sync; an unchanged
spreadsheet is replayed from the local cache (``<config stem>.cache.sqlite``, one
zlib-compressed JSON row per spreadsheet) without any request. ``commit()`` writes
both, only when the caller says the sync succeeded (after the summary is written).

The summary spreadsheet is written by ``sync.backends.gsheets.summary``.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import re
import sqlite3
import threading
import zlib
from datetime import datetime
from pathlib import Path
from typing import Any

from gspread.urls import DRIVE_FILES_API_V3_URL, SPREADSHEET_DRIVE_URL
from gspread.utils import ExportFormat

from sync.atomic import atomic_write_bytes, private_file
from sync.backends.base import Workbook
from sync.backends.gsheets.client import GoogleClient
from sync.backends.xlsx.read import XlsxWorkbook
from sync.exceptions import GoogleApiError, GoogleNetworkError, SourceUnreadable
from sync.limits import Limits, limit_breach, number
from sync.shapes.grid import TabData, from_serial
from sync.shapes.task_tab import find_header, tab_key

log = logging.getLogger(__name__)

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
READ_PARAMS = {
    "valueRenderOption": "UNFORMATTED_VALUE",
    "dateTimeRenderOption": "SERIAL_NUMBER",
    "majorDimension": "ROWS",
}
META_FIELDS = "sheets.properties(title,sheetId,index,sheetType)"
CACHE_FORMAT = 2
#: units read at once on the export path (Drive's quota allows far more; Google's latency does not)
READ_AHEAD = 6
#: Drive's reason for a spreadsheet over the export size limit
TOO_LARGE = "exportSizeLimitExceeded"

_ID_IN_URL = re.compile(r"/spreadsheets/d/([A-Za-z0-9_-]+)")
_ID_PARAM = re.compile(r"[?&]id=([A-Za-z0-9_-]+)")


def spreadsheet_id(ref: str) -> str:
    """A spreadsheet id from an id or any Google Sheets/Drive URL."""
    ref = ref.strip()
    m = _ID_IN_URL.search(ref) or _ID_PARAM.search(ref)
    return m.group(1) if m else ref


def spreadsheet_url(sid: str) -> str:
    return SPREADSHEET_DRIVE_URL % sid


def quote_title(title: str) -> str:
    """A tab title as an A1 sheet reference: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def _split_range(a1: str) -> tuple[str, str]:
    """(title, cells) of a range Google returned, e.g. ``'Nhiệm vụ'!A1:Z1000``."""
    if a1.startswith("'"):
        i, out = 1, []
        while i < len(a1):
            ch = a1[i]
            if ch == "'":
                if a1[i + 1 : i + 2] == "'":
                    out.append("'")
                    i += 2
                    continue
                break
            out.append(ch)
            i += 1
        rest = a1[i + 1 :]
        return "".join(out), rest[1:] if rest.startswith("!") else rest
    title, _, cells = a1.rpartition("!")
    return (title, cells) if title else (a1, "")


#: a start row or column longer than this is absurd (no sheet has 10^12 rows): counted as that
_MAX_DIGITS, _MAX_LETTERS = 12, 8


def _start_of(cells: str) -> tuple[int, int]:
    """0-based (row, col) of the first cell of ``A1:Z9`` / ``B3`` / ``A:Z`` / ``3:9``."""
    m = re.match(r"^\$?([A-Za-z]*)\$?(\d*)", cells.split(":", 1)[0])
    if not m:
        return 0, 0
    letters, digits = m.group(1).upper()[:_MAX_LETTERS], m.group(2)[:_MAX_DIGITS]
    col = 0
    for ch in letters:
        col = col * 26 + (ord(ch) - 64)
    return (int(digits) - 1 if digits else 0), (col - 1 if letters else 0)


def grid_from_value_range(
    value_range: Any, max_cells: int = Limits().max_cells
) -> tuple[str | None, list[list[Any]]]:
    """(tab title, rectangular grid anchored at A1) from one batchGet ``ValueRange``.

    The answer is checked before anything is built from it: ``values`` must be a list of
    rows (lists), and the grid anchored at A1 (its start row and column, e.g. a range
    starting at row two billion, times its widest row) at most ``max_cells`` cells;
    otherwise ``SourceUnreadable`` (the unit is unreadable, the run goes on).
    """
    if not isinstance(value_range, dict):
        raise _odd_answer("", f"một {type(value_range).__name__} thay cho một vùng ô")
    title, cells = _split_range(str(value_range.get("range") or ""))
    r0, c0 = _start_of(cells)
    values = value_range.get("values") or []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise _odd_answer(title, "các dòng không phải danh sách ô")
    width = c0 + max(map(len, values), default=0)
    if values and (r0 + len(values)) * width > max_cells:
        cells_count = (r0 + len(values)) * width
        raise limit_breach(f"trang “{title}”", f"có {number(cells_count)} ô", "max_cells", max_cells, "ô")
    rows: list[list[Any]] = [[] for _ in range(r0)] if values else []
    for row in values:
        rows.append([""] * c0 + [("" if v is None else v) for v in row])
    for row in rows:
        if len(row) < width:
            row.extend([""] * (width - len(row)))
    while rows and not any(v != "" for v in rows[-1]):
        rows.pop()
    return (title or None), rows


def _odd_answer(title: str, what: str) -> SourceUnreadable:
    where = f"trang “{title}”" if title else "bảng tính"
    return SourceUnreadable(
        f"Google trả về dữ liệu không đúng dạng cho {where} ({what}); chạy lại sau, nếu vẫn lỗi "
        "báo nhóm phát triển",
        detail="odd-answer",
    )


_MAX_SERIAL = 2958465  # 9999-12-31
_DATE_TYPES = ("date", "date_or_kind")


@functools.lru_cache(maxsize=1)
def _schema() -> Any:
    from sync.schema import unit_sheet_schema

    return unit_sheet_schema()


def dates_in_date_columns(tab: TabData) -> TabData:
    """Serial numbers under a date column's header become dates, as the xlsx reader gives them.

    Google's UNFORMATTED_VALUE has no cell formats, so a date cell is a serial number;
    in a date column (by the header, with the core's own header finder) it is shown to
    people as the date a person sees, e.g. “24/02/2024” in a finding, not “45346”.
    """
    schema = _schema()
    header = find_header(tab.rows, schema)
    if header is None:
        return tab
    cols = {c for f, c in header.columns.items() if schema[f].type in _DATE_TYPES}
    cols |= {c for f, c in header.duplicates if schema[f].type in _DATE_TYPES}
    if not cols:
        return tab
    for row in tab.rows[header.row + 1 :]:
        for c in cols:
            if c < len(row):
                v = row[c]
                if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= _MAX_SERIAL:
                    row[c] = from_serial(v)
    return tab


# ---------------------------------------------------------------- error messages


def _unreadable(e: Exception, sid: str, account: str, what: str = "") -> SourceUnreadable:
    target = f"bảng tính {sid}" + (f" ({what})" if what else "")
    if isinstance(e, GoogleNetworkError):
        return SourceUnreadable(
            f"không kết nối được tới Google để đọc {target} sau {e.attempts} lần thử; "
            "kiểm tra mạng rồi chạy lại",
            detail="network",
        )
    assert isinstance(e, GoogleApiError)
    if e.status == 404:
        return SourceUnreadable(
            f"không tìm thấy {target}: bảng tính đã bị xóa hoặc mã/đường dẫn trong cấu hình bị sai",
            detail="not-found",
        )
    if e.status == 403:
        who = f" cho tài khoản {account}" if account else " cho tài khoản dịch vụ"
        return SourceUnreadable(
            f"chưa chia sẻ {target}{who} (cần quyền Người xem); đơn vị mở bảng tính › Chia sẻ",
            detail="forbidden",
        )
    if e.status == 429 or e.status >= 500 or e.status == 408:
        return SourceUnreadable(
            f"Google không trả lời được khi đọc {target} (lỗi {e.status}) sau {e.attempts} lần thử; "
            "chạy lại sau ít phút",
            detail=f"http-{e.status}",
        )
    return SourceUnreadable(
        f"không đọc được {target}: Google trả lời lỗi {e.status} ({e.message or e.google_status})",
        detail=f"http-{e.status}",
    )


def _is_unparsable_range(e: GoogleApiError) -> bool:
    return e.status == 400 and "Unable to parse range" in e.message


# ---------------------------------------------------------------- workbooks


class _Record:
    """What was read from one spreadsheet, serialised at once (the core mutates grids later)."""

    def __init__(self) -> None:
        self.named: dict[str, str | None] = {}  # requested name -> json(TabData) | None
        self.tab_names: list[str] | None = None
        self.tabs: dict[str, str] = {}  # tab title -> json(TabData)
        self.xlsx: bytes | None = None  # the export, on the export path

    def to_json(self) -> dict[str, Any]:
        xlsx = None if self.xlsx is None else base64.b64encode(self.xlsx).decode("ascii")
        return {"named": self.named, "tab_names": self.tab_names, "tabs": self.tabs, "xlsx": xlsx}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Record:
        r = cls()
        r.named = dict(data.get("named") or {})
        r.tab_names = data.get("tab_names")
        r.tabs = dict(data.get("tabs") or {})
        if isinstance(data.get("xlsx"), str):
            r.xlsx = base64.b64decode(data["xlsx"])
        return r


def _tab_json(tab: TabData) -> str:
    return json.dumps({"name": tab.name, "rows": tab.rows, "merged": tab.merged}, ensure_ascii=False)


def _tab_from_json(text: str) -> TabData:
    d = json.loads(text)
    merged = [((a[0][0], a[0][1]), (a[1][0], a[1][1])) for a in d.get("merged") or []]
    return TabData(name=d["name"], rows=d["rows"], merged=merged)


def _drive_time(info: dict[str, str] | None) -> datetime | None:
    """Drive's ``modifiedTime`` (RFC 3339, UTC) as an aware datetime; None if absent or odd."""
    try:
        return datetime.fromisoformat(info["modifiedTime"]) if info and info.get("modifiedTime") else None
    except ValueError:
        return None


class GSheetsWorkbook(Workbook):
    """One unit spreadsheet, read lazily (nothing is requested until a tab is asked for)."""

    def __init__(self, source: GSheetsSource, sid: str, version: str | None):
        self._source = source
        self.id = sid
        self.version = version
        self._meta: list[dict[str, Any]] | None = None
        self.record = _Record()
        self.failed = False
        self.error: SourceUnreadable | None = None
        self._prefetched: dict[str, TabData] = {}
        self._book: XlsxWorkbook | None = None
        self._too_large = False

    @property
    def _client(self) -> GoogleClient:
        return self._source.client

    def _fail(self, e: Exception, what: str = "") -> SourceUnreadable:
        self.failed = True
        self.error = _unreadable(e, self.id, self._client.account_email, what)
        return self.error

    def _exported(self) -> XlsxWorkbook | None:
        """The spreadsheet as .xlsx from one Drive ``files.export``; None on the values path
        (configured so, or the spreadsheet is over Drive's export size limit)."""
        if self._book is not None or self._source.read != "export" or self._too_large:
            return self._book
        try:
            blob = bytes(self._client.http.export(self.id, ExportFormat.EXCEL))
        except GoogleApiError as e:
            if TOO_LARGE not in e.reasons:
                raise self._fail(e) from None
            log.info("Bảng tính %s quá lớn để xuất .xlsx; đọc trang nhiệm vụ qua Sheets", self.id)
            self._too_large = True
            self._source.too_large.append(self.id)
            return None
        except GoogleNetworkError as e:
            raise self._fail(e) from None
        try:
            self._book = exported_workbook(blob, self.id, self._source.limits)
        except SourceUnreadable as e:
            self.failed, self.error = True, e
            raise
        self.record.xlsx = blob
        return self._book

    def _batch_get(self, ranges: list[str]) -> dict[str, Any]:
        return dict(self._client.http.values_batch_get(self.id, ranges, params=dict(READ_PARAMS)))

    def _grid(self, value_range: Any) -> tuple[str | None, list[list[Any]]]:
        """``grid_from_value_range`` within the source's ``max_cells``; a hostile answer fails this workbook."""
        try:
            return grid_from_value_range(value_range, self._source.limits.max_cells)
        except SourceUnreadable as e:
            self.failed, self.error = True, e
            raise

    def _load_meta(self) -> list[dict[str, Any]]:
        if self._meta is None:
            try:
                data = self._client.http.fetch_sheet_metadata(self.id, params={"fields": META_FIELDS})
            except (GoogleApiError, GoogleNetworkError) as e:
                raise self._fail(e) from None
            sheets = [s.get("properties") or {} for s in data.get("sheets") or []]
            sheets.sort(key=lambda p: p.get("index", 0))
            self._meta = [p for p in sheets if p.get("sheetType", "GRID") == "GRID"]
            self.record.tab_names = [str(p.get("title", "")) for p in self._meta]
        return self._meta

    def sheet_ids(self) -> dict[str, int]:
        """Tab title -> sheetId (one metadata request, shared with ``tab_names`` on the values path)."""
        return {str(p.get("title", "")): int(p.get("sheetId", 0)) for p in self._load_meta()}

    def tab_names(self) -> list[str]:
        book = self._exported()
        if book is not None:
            return book.tab_names()
        return [str(p.get("title", "")) for p in self._load_meta()]

    def _prefetch_all(self) -> None:
        """Every tab in one batchGet, for the search that follows (3 requests in all, not 2 + n)."""
        titles = self.tab_names()
        if not titles:
            return
        try:
            data = self._batch_get([quote_title(t) for t in titles])
        except (GoogleApiError, GoogleNetworkError) as e:
            raise self._fail(e) from None
        for title, vr in zip(titles, data.get("valueRanges") or [], strict=False):
            got, rows = self._grid(vr)
            self._prefetched[title] = TabData(name=got or title, rows=rows)

    def _read(self, name: str) -> TabData:
        if name in self._prefetched:
            t = self._prefetched.pop(name)
            return TabData(name=t.name, rows=t.rows)
        data = self._batch_get([quote_title(name)])
        ranges = data.get("valueRanges") or [{}]
        title, rows = self._grid(ranges[0])
        return TabData(name=title or name, rows=rows)

    def read_tab(self, name: str) -> TabData:
        book = self._exported()
        if book is not None:
            return book.read_tab(name)
        try:
            tab = self._read(name)
        except (GoogleApiError, GoogleNetworkError) as e:
            raise self._fail(e, f"trang “{name}”") from None
        self.record.tabs[name] = _tab_json(tab)
        return dates_in_date_columns(tab)

    def read_named_tab(self, name: str) -> TabData | None:
        if self._exported() is not None:
            return super().read_named_tab(name)  # the tab search, on the export
        tab: TabData | None = None
        if self._meta is None:
            try:
                tab = self._read(name)
            except GoogleApiError as e:
                if not _is_unparsable_range(e):
                    raise self._fail(e) from None
            except GoogleNetworkError as e:
                raise self._fail(e) from None
        if tab is None:
            # no tab by that exact name: search the tab list as the xlsx backend does
            self._prefetch_all()
            wanted = tab_key(name)
            for title in self.tab_names():
                if tab_key(title) == wanted:
                    tab = self._read_raw(title)
                    break
        self.record.named[name] = None if tab is None else _tab_json(tab)
        return None if tab is None else dates_in_date_columns(tab)

    def _read_raw(self, name: str) -> TabData:
        try:
            return self._read(name)
        except (GoogleApiError, GoogleNetworkError) as e:
            raise self._fail(e, f"trang “{name}”") from None


class CachedWorkbook(Workbook):
    """An unchanged spreadsheet replayed from the cache; reads live only on a cache miss."""

    def __init__(self, source: GSheetsSource, sid: str, version: str, record: _Record):
        self._source = source
        self.id = sid
        self.version = version
        self.record = record
        self._live: GSheetsWorkbook | None = None
        self._book = None if record.xlsx is None else exported_workbook(record.xlsx, sid, source.limits)

    def _fallback(self) -> GSheetsWorkbook:
        if self._live is None:
            self._live = GSheetsWorkbook(self._source, self.id, self.version)
            self._live.record = self.record
            self._source._live_reads[self.id] = self._live
        return self._live

    def read_named_tab(self, name: str) -> TabData | None:
        if self._book is not None:
            return super().read_named_tab(name)
        if name in self.record.named:
            text = self.record.named[name]
            return None if text is None else dates_in_date_columns(_tab_from_json(text))
        return self._fallback().read_named_tab(name)

    def tab_names(self) -> list[str]:
        if self._book is not None:
            return self._book.tab_names()
        if self.record.tab_names is not None:
            return list(self.record.tab_names)
        return self._fallback().tab_names()

    def read_tab(self, name: str) -> TabData:
        if self._book is not None:
            return self._book.read_tab(name)
        if name in self.record.tabs:
            return dates_in_date_columns(_tab_from_json(self.record.tabs[name]))
        return self._fallback().read_tab(name)


# ---------------------------------------------------------------- the source


class GSheetsSource:
    """Units' spreadsheets by id or URL. Call ``commit()`` after a successful sync."""

    def __init__(
        self,
        client: GoogleClient,
        *,
        folder: str | None = None,
        state_path: Path | None = None,
        cache_path: Path | None = None,
        read: str = "export",
        limits: Limits | None = None,
    ):
        self.client = client
        self.read = read
        self.limits = limits or Limits()
        #: units read at once: the export path's requests go to Drive, whose quota allows it
        self.read_ahead = READ_AHEAD if read == "export" else 0
        self.too_large: list[str] = []  # over Drive's export limit: read through Sheets
        self._lock = threading.Lock()
        self.folder = spreadsheet_id(folder) if folder else None
        self.state_path = state_path
        self.cache_path = cache_path
        self._versions: dict[str, dict[str, str]] | None = None
        self._listed = False
        self._state, self._failed = self._load_state()
        self._still_failed: dict[str, dict[str, str]] = {}
        self._live_reads: dict[str, GSheetsWorkbook] = {}
        self._reused: dict[str, str] = {}  # id -> version replayed from the cache
        self.reused_ids: list[str] = []
        self.read_ids: list[str] = []

    @classmethod
    def from_config(
        cls, config: Any, client: GoogleClient | None = None, **client_kwargs: Any
    ) -> GSheetsSource:
        client = client or GoogleClient.from_config(config, **client_kwargs)
        state_path = Path(config.state_path)
        return cls(
            client,
            folder=config.gsheets.folder,
            state_path=state_path,
            cache_path=cache_path_for(state_path),
            read=config.gsheets.read,
            limits=config.limits,
        )

    # -------------------------------------------------------------- versions

    def versions(self) -> dict[str, dict[str, str]]:
        """Drive ``version``/``modifiedTime``/``name`` by spreadsheet id (one files.list)."""
        with self._lock:  # units are opened from several threads: one listing for them all
            return self._list_versions()

    def _list_versions(self) -> dict[str, dict[str, str]]:
        if self._versions is not None:
            return self._versions
        q = f"mimeType='{SPREADSHEET_MIME}' and trashed=false"
        if self.folder:
            q = f"'{self.folder}' in parents and " + q
        params: dict[str, Any] = {
            "q": q,
            "fields": "nextPageToken,files(id,name,version,modifiedTime)",
            "pageSize": 1000,
            "supportsAllDrives": "true",
            "includeItemsFromAllDrives": "true",
        }
        found: dict[str, dict[str, str]] = {}
        try:
            while True:
                data = self.client.http.request("get", DRIVE_FILES_API_V3_URL, params=dict(params)).json()
                for f in data.get("files") or []:
                    if f.get("id"):
                        found[str(f["id"])] = {
                            "version": str(f.get("version") or ""),
                            "modifiedTime": str(f.get("modifiedTime") or ""),
                            "name": str(f.get("name") or ""),
                        }
                token = data.get("nextPageToken")
                if not token:
                    break
                params["pageToken"] = token
        except (GoogleApiError, GoogleNetworkError) as e:
            # without versions every spreadsheet is simply read again
            log.warning(
                "Không lấy được danh sách phiên bản bảng tính từ Google Drive (%s); đọc lại tất cả", e
            )
            found = {}
        else:
            self._listed = True
        self._versions = found
        return found

    def open(self, ref: str) -> Workbook:
        sid = spreadsheet_id(ref)
        if not sid:
            raise SourceUnreadable("chưa khai báo mã bảng tính của đơn vị", detail="empty")
        versions = self.versions()
        info = versions.get(sid)
        failed = self._failed.get(sid)
        if info is None and self._listed and failed and self.folder is None:
            # not among all the sheets the account can see now, unreadable last time: the same
            # answer, no request (sharing it again makes it visible, and it is read). With a folder
            # set, absence from the folder's listing proves nothing: such a unit is always tried.
            self._still_failed[sid] = failed
            raise SourceUnreadable(str(failed.get("message", "")), detail=str(failed.get("detail", "")))
        version = info["version"] if info and info.get("version") else None
        workbook: Workbook | None = None
        if version is not None and self._state.get(sid, {}).get("version") == version:
            record = self._cached(sid, version)
            if record is not None:
                self._reused[sid] = version
                self.reused_ids.append(sid)
                workbook = CachedWorkbook(self, sid, version, record)
        if workbook is None:
            workbook = self._live_reads[sid] = GSheetsWorkbook(self, sid, version)
            self.read_ids.append(sid)
        workbook.modified = _drive_time(info)
        return workbook

    # -------------------------------------------------------------- state and cache

    def _load_state(self) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
        if self.state_path is None:
            return {}, {}
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}, {}
        if not isinstance(data, dict):
            return {}, {}

        def part(key: str) -> dict[str, dict[str, str]]:
            d = data.get(key)
            return {str(k): v for k, v in d.items() if isinstance(v, dict)} if isinstance(d, dict) else {}

        return part("spreadsheets"), part("unreadable")

    def _connect(self) -> sqlite3.Connection | None:
        if self.cache_path is None:
            return None
        try:
            private_file(self.cache_path)  # it holds the units' data: the owner's only, like the state
            conn = sqlite3.connect(self.cache_path)
            conn.execute(
                "CREATE TABLE IF NOT EXISTS grids (id TEXT PRIMARY KEY, version TEXT NOT NULL, "
                "format INTEGER NOT NULL, payload BLOB NOT NULL)"
            )
            return conn
        except (sqlite3.Error, OSError) as e:
            log.warning("Không mở được bộ nhớ đệm %s (%s); đọc lại tất cả", self.cache_path, e)
            return None

    def _cached(self, sid: str, version: str) -> _Record | None:
        if self.cache_path is None or not self.cache_path.exists():
            return None
        conn = self._connect()
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT version, format, payload FROM grids WHERE id = ?", (sid,)).fetchone()
        except sqlite3.Error:
            row = None
        finally:
            conn.close()
        if row is None or row[0] != version or row[1] != CACHE_FORMAT:
            return None
        try:
            return _Record.from_json(json.loads(zlib.decompress(row[2]).decode("utf-8")))
        except (zlib.error, ValueError, UnicodeDecodeError):
            return None

    def commit(self) -> None:
        """Remember this run's versions and grids; call only after a successful sync."""
        if self.state_path is None:
            return
        keep: dict[str, dict[str, str]] = {}
        failed: dict[str, dict[str, str]] = dict(self._still_failed)
        rows: list[tuple[str, str, int, bytes]] = []
        for sid, version in self._reused.items():
            keep[sid] = {"version": version, "modifiedTime": self._modified(sid)}
        for sid, wb in self._live_reads.items():
            if wb.error is not None and wb.error.detail in ("not-found", "forbidden"):
                failed[sid] = {"message": str(wb.error), "detail": wb.error.detail}
            if wb.failed or not wb.version:
                continue
            payload = zlib.compress(json.dumps(wb.record.to_json(), ensure_ascii=False).encode("utf-8"), 6)
            rows.append((sid, wb.version, CACHE_FORMAT, payload))
            keep[sid] = {"version": wb.version, "modifiedTime": self._modified(sid)}
        conn = self._connect()
        if conn is not None:
            try:
                with conn:  # one transaction
                    conn.executemany("INSERT OR REPLACE INTO grids VALUES (?, ?, ?, ?)", rows)
                    if keep:
                        marks = ",".join("?" * len(keep))
                        conn.execute(f"DELETE FROM grids WHERE id NOT IN ({marks})", list(keep))
                    else:
                        conn.execute("DELETE FROM grids")
            except sqlite3.Error as e:
                log.warning("Không ghi được bộ nhớ đệm %s (%s)", self.cache_path, e)
                keep = {}
            finally:
                conn.close()
        _write_json(self.state_path, {"format": 1, "spreadsheets": keep, "unreadable": failed})

    def _modified(self, sid: str) -> str:
        return (self._versions or {}).get(sid, {}).get("modifiedTime", "")

    def close(self) -> None:
        self.client.close()

    def activity(self) -> tuple[int, float] | None:
        return self.client.stats.api_total(), self.client.stats.waited


def exported_workbook(blob: bytes, sid: str, limits: Limits) -> XlsxWorkbook:
    """A unit's export read as the xlsx backend reads a file (the same checks and reader)."""
    return XlsxWorkbook(Path(f"{sid}.xlsx"), limits, data=blob)


def cache_path_for(state_path: Path) -> Path:
    name = state_path.name
    stem = name[: -len(".state.json")] if name.endswith(".state.json") else state_path.stem
    return state_path.with_name(stem + ".cache.sqlite")


def _write_json(path: Path, data: Any) -> None:
    """The state file, atomically; private (0600) as it has always been."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)
