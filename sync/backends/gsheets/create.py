"""``init`` on Google: the register, the summary and one spreadsheet per unit, each made by ONE request.

Each unit's spreadsheet is one ``spreadsheets.create`` whose body carries all of it (the API
takes ``sheets[].data``, ``protectedRanges``, ``merges``, ``conditionalFormats`` at create):

- properties: the title (:func:`unit_title`), locale ``vi_VN``, time zone ``Asia/Ho_Chi_Minh``;
- tab ``Nhiệm vụ`` (sheetId 0): the header row (bold, wrapped; the Office's columns grey) frozen,
  :data:`~sync.shapes.layout.PREPARED_ROWS` prepared rows below it, column widths in pixels
  from :mod:`sync.shapes.layout`; on the prepared cells: the status dropdown (``ONE_OF_LIST``,
  strict, with the dropdown arrow), a ``DATE_IS_VALID`` rule and the ``dd/mm/yyyy`` date format
  on date columns (for ``date_or_kind`` columns — a deadline may be a word — the rule only
  warns), the Office's columns grey;
- protected ranges: the header row, each run of the Office's columns and the whole guide tab,
  editable only by the Office's service account; with ``protection="warn"`` they are
  ``warningOnly`` (Google then refuses editors on them: none are sent);
- tab ``Hướng dẫn`` (sheetId 1): :func:`sync.shapes.guide.guide_rows`.

The register is one create too: tab ``Danh mục nhiệm vụ`` (register schema, same layout,
no protection: the Office fills it) and a hidden tab ``Danh sách đơn vị`` holding the unit
names, which the lead-unit column's dropdown points at (``ONE_OF_RANGE``: one list kept in
one place, instead of a 118-word list copied into every cell's rule). The summary is an empty
spreadsheet (the sync writes its tabs). Then each unit's addresses are given ``writer`` on
its spreadsheet (Drive ``permissions.create``, one request per address, with Google's
notification e-mail and a Vietnamese message: a unit learns of its sheet from it).

Resumable and idempotent. The ids go to ``<config_dir>/.ubnd-sync-init.json`` (atomic, 0600)
as soon as each create answers, and each address once shared. Every run starts with one Drive
``files.list`` (paginated) of the service account's own spreadsheets: a recorded id still
there is kept; one missing from the listing is checked with ``files.get`` (the search may lag)
and made again only when deleted or in the trash; a file whose title is expected but whose id
is not recorded (a run that died between the create and the state write) is adopted. A create
whose answer is lost is never sent again blindly (``GoogleClient.request(idempotent=False)``): the
listing is asked first, twice :data:`LIST_LAG_SECONDS` apart. A file found is never changed
(no values, protection or rules are touched); an address already on it is not added again
(``permissions.list`` once per found file with addresses not yet recorded).

Scopes: ``spreadsheets`` + ``drive.file`` (:data:`sync.backends.gsheets.client.INIT_SCOPES`): the app
sees and shares only the files it created.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sync.atomic import atomic_write_bytes
from sync.backends.gsheets.client import GoogleClient
from sync.exceptions import ConfigError, GoogleApiError, GoogleNetworkError
from sync.schema import Schema, register_schema, unit_sheet_schema
from sync.shapes.books import InitReport, UnitSpec
from sync.shapes.guide import GUIDE_TAB, guide_rows
from sync.shapes.layout import DATE_FORMAT, PREPARED_ROWS, Column, columns

SHEETS_URL = "https://sheets.googleapis.com/v4/spreadsheets"
DRIVE_FILES_URL = "https://www.googleapis.com/drive/v3/files"
SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
STATE_NAME = ".ubnd-sync-init.json"
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}
LOCALE = "vi_VN"
TIME_ZONE = "Asia/Ho_Chi_Minh"
PROTECTIONS = ("enforce", "warn")
REGISTER_TITLE = "Danh mục nhiệm vụ — Văn phòng UBND tỉnh"
SUMMARY_TITLE = "Tổng hợp tình hình thực hiện nhiệm vụ"
UNITS_TAB = "Danh sách đơn vị"
#: the Office's columns (header and cells), light grey
OFFICE_GREY = {"red": 0.85, "green": 0.85, "blue": 0.85}
#: a create whose answer was lost is looked for, then sent again, at most this many times
CREATE_TRIES = 3
#: Drive's search can lag a moment behind a create: a lost create is looked for twice, this far apart
LIST_LAG_SECONDS = 3.0

#: ``progress(code, done, total)`` after each spreadsheet (like the sync's progress line)
Progress = Callable[[str, int, int], None]


def unit_title(unit: UnitSpec) -> str:
    """The unit's spreadsheet title, e.g. ``Theo dõi nhiệm vụ — Sở Nội vụ (SNV)`` (unique by code)."""
    return _nfc(f"Theo dõi nhiệm vụ — {unit.name} ({unit.code})")


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# ---------------------------------------------------------------- bodies


def _text(value: str, fmt: dict[str, Any] | None = None) -> dict[str, Any]:
    # stringValue: a title or guide line starting with "=" stays text, never a formula
    cell: dict[str, Any] = {"userEnteredValue": {"stringValue": _nfc(value)}}
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def _header_cell(col: Column, grey: bool) -> dict[str, Any]:
    fmt: dict[str, Any] = {
        "textFormat": {"bold": True},
        "wrapStrategy": "WRAP",
        "verticalAlignment": "MIDDLE",
        "horizontalAlignment": "CENTER",
    }
    if grey and col.office:
        fmt["backgroundColor"] = OFFICE_GREY
    return _text(col.field.title, fmt)


def _rule(col: Column, units_range: str | None) -> dict[str, Any] | None:
    """The column's validation rule, or None."""
    if col.choices and col.field.type == "enum":
        values = [{"userEnteredValue": _nfc(w)} for w in col.choices]
        return {
            "condition": {"type": "ONE_OF_LIST", "values": values},
            "inputMessage": "Chọn trong danh sách",
            "strict": True,
            "showCustomUi": True,
        }
    if col.field.type == "unit" and units_range:
        return {
            "condition": {"type": "ONE_OF_RANGE", "values": [{"userEnteredValue": units_range}]},
            "inputMessage": "Chọn đơn vị trong danh sách",
            "strict": True,
            "showCustomUi": True,
        }
    if col.is_date:
        return {
            "condition": {"type": "DATE_IS_VALID"},
            "inputMessage": f"Ghi ngày theo dạng {DATE_FORMAT}, ví dụ 05/03/2025",
            # a deadline may be a word ("Hằng tháng"): the rule only warns there
            "strict": col.field.type == "date",
        }
    return None


def _prepared_cell(col: Column, grey: bool, units_range: str | None) -> dict[str, Any]:
    cell: dict[str, Any] = {}
    fmt: dict[str, Any] = {}
    if col.is_date:
        fmt["numberFormat"] = {"type": "DATE", "pattern": DATE_FORMAT}
    if col.wraps:
        fmt["wrapStrategy"] = "WRAP"
    if grey and col.office:
        fmt["backgroundColor"] = OFFICE_GREY
    if fmt:
        cell["userEnteredFormat"] = fmt
    rule = _rule(col, units_range)
    if rule:
        cell["dataValidation"] = rule
    return cell


def _task_sheet(
    schema: Schema, *, sheet_id: int, grey: bool, units_range: str | None = None
) -> dict[str, Any]:
    cols = columns(schema)
    prepared = {"values": [_prepared_cell(c, grey, units_range) for c in cols]}
    return {
        "properties": {
            "sheetId": sheet_id,
            "title": schema.tab,
            "index": 0,
            "gridProperties": {
                "rowCount": PREPARED_ROWS + 1,
                "columnCount": len(cols),
                "frozenRowCount": 1,
            },
        },
        "data": [
            {
                "startRow": 0,
                "startColumn": 0,
                "rowData": [{"values": [_header_cell(c, grey) for c in cols]}] + [prepared] * PREPARED_ROWS,
                "columnMetadata": [{"pixelSize": c.pixels} for c in cols],
            }
        ],
    }


def _office_runs(cols: Sequence[Column]) -> list[tuple[int, int]]:
    """(start, end) column indexes of each run of the Office's columns."""
    runs: list[tuple[int, int]] = []
    for c in cols:
        if c.office:
            if runs and runs[-1][1] == c.index:
                runs[-1] = (runs[-1][0], c.index + 1)
            else:
                runs.append((c.index, c.index + 1))
    return runs


def _protected(rng: dict[str, Any], description: str, office: str, protection: str) -> dict[str, Any]:
    pr: dict[str, Any] = {"range": rng, "description": description}
    if protection == "warn":
        pr["warningOnly"] = True  # Google refuses editors on a warning-only range
    else:
        pr["editors"] = {"users": [office]}
    return pr


def unit_body(unit: UnitSpec, *, office: str, protection: str, cutoff_day: int) -> dict[str, Any]:
    """The whole ``spreadsheets.create`` body of a unit's spreadsheet."""
    schema = unit_sheet_schema()
    task = _task_sheet(schema, sheet_id=0, grey=True)
    cols = columns(schema)
    task["protectedRanges"] = [
        _protected(
            {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
            "Dòng tiêu đề — Văn phòng UBND tỉnh quản lý",
            office,
            protection,
        )
    ] + [
        _protected(
            {"sheetId": 0, "startColumnIndex": a, "endColumnIndex": b},
            "Cột do Văn phòng UBND tỉnh điền — đơn vị không sửa",
            office,
            protection,
        )
        for a, b in _office_runs(cols)
    ]
    rows = guide_rows(schema, unit_name=unit.name, task_tab=schema.tab, cutoff_day=cutoff_day)
    guide = {
        "properties": {
            "sheetId": 1,
            "title": GUIDE_TAB,
            "index": 1,
            "gridProperties": {"rowCount": len(rows) + 1, "columnCount": 4},
        },
        "data": [
            {
                "rowData": [
                    {"values": [_text(v, {"textFormat": {"bold": True}} if i == 0 else None) for v in row]}
                    for i, row in enumerate(rows)
                ],
                "columnMetadata": [{"pixelSize": p} for p in (60, 220, 220, 600)],
            }
        ],
        "protectedRanges": [
            _protected({"sheetId": 1}, "Hướng dẫn — Văn phòng UBND tỉnh quản lý", office, protection)
        ],
    }
    return {
        "properties": {"title": unit_title(unit), "locale": LOCALE, "timeZone": TIME_ZONE},
        "sheets": [task, guide],
    }


def register_body(units: Sequence[UnitSpec]) -> dict[str, Any]:
    """The register: the task tab (lead-unit dropdown from the hidden unit list) and that list."""
    names = [u.name for u in units]
    units_range = f"='{UNITS_TAB}'!$A$1:$A${max(1, len(names))}"
    task = _task_sheet(register_schema(), sheet_id=0, grey=False, units_range=units_range)
    listing = {
        "properties": {
            "sheetId": 1,
            "title": UNITS_TAB,
            "index": 1,
            "hidden": True,
            "gridProperties": {"rowCount": max(1, len(names)), "columnCount": 2},
        },
        "data": [
            {"rowData": [{"values": [_text(n), _text(u.code)]} for n, u in zip(names, units, strict=True)]}
        ],
    }
    return {
        "properties": {"title": REGISTER_TITLE, "locale": LOCALE, "timeZone": TIME_ZONE},
        "sheets": [task, listing],
    }


def summary_body() -> dict[str, Any]:
    return {"properties": {"title": SUMMARY_TITLE, "locale": LOCALE, "timeZone": TIME_ZONE}}


# ---------------------------------------------------------------- state


class InitState:
    """``<config_dir>/.ubnd-sync-init.json``: ids made so far and addresses shared, written at once."""

    def __init__(self, path: Path):
        self.path = path
        self.ids: dict[str, str] = {}  # key ("register", "summary", "unit:CODE") -> spreadsheet id
        self.shared: dict[str, list[str]] = {}  # spreadsheet id -> addresses shared
        if path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                self.ids = {str(k): str(v) for k, v in (data.get("ids") or {}).items()}
                self.shared = {str(k): [str(e) for e in v] for k, v in (data.get("shared") or {}).items()}
            except (OSError, UnicodeDecodeError, ValueError, AttributeError, TypeError):
                raise ConfigError(
                    f"tệp trạng thái khởi tạo {path} bị hỏng; nếu chắc chắn, xóa tệp này rồi chạy lại "
                    "(các bảng đã tạo sẽ được tìm lại theo tên, không tạo trùng)"
                ) from None

    def save(self) -> None:
        text = json.dumps(
            {"version": 1, "ids": self.ids, "shared": self.shared}, ensure_ascii=False, indent=1
        )
        atomic_write_bytes(self.path, text.encode("utf-8"), mode=0o600)


# ---------------------------------------------------------------- the run


class _Run:
    def __init__(self, client: GoogleClient, state: InitState, report: InitReport):
        self.client = client
        self.state = state
        self.report = report
        self.listed: dict[str, str] | None = None  # title -> id of the account's own spreadsheets
        self.listed_ids: set[str] = set()

    def list_own(self) -> dict[str, str]:
        """Title -> id of the spreadsheets the service account owns (oldest first wins)."""
        params: dict[str, Any] = {
            "q": f"mimeType='{SPREADSHEET_MIME}' and trashed=false",
            "fields": "nextPageToken,files(id,name,ownedByMe,createdTime)",
            "pageSize": 1000,
            "orderBy": "createdTime",
        }
        found: list[tuple[str, str, str]] = []
        while True:
            data = self.client.request("GET", DRIVE_FILES_URL, params=dict(params)).json()
            for f in data.get("files") or []:
                if f.get("ownedByMe") and f.get("id"):
                    found.append(
                        (str(f.get("createdTime") or ""), _nfc(str(f.get("name") or "")), str(f["id"]))
                    )
            token = data.get("nextPageToken")
            if not token:
                break
            params["pageToken"] = token
        out: dict[str, str] = {}
        for _, name, fid in sorted(found):
            out.setdefault(name, fid)
        self.listed = out
        self.listed_ids = {fid for _, _, fid in found}
        return out

    def ensure(
        self, key: str, title: str, label: str, body: Callable[[], dict[str, Any]]
    ) -> tuple[str, bool]:
        """The spreadsheet's id, made if missing; (id, created by this run)."""
        listed = self.listed if self.listed is not None else self.list_own()
        known = self.state.ids.get(key)
        if known and (known in self.listed_ids or not self._gone(known)):
            self.report.found.append(f"{label}: đã có (mã {known}), giữ nguyên")
            return known, False
        if title in listed and listed[title] != known:
            sid = listed[title]
            self._record(key, sid)
            self.report.found.append(f"{label}: đã có trên Drive (“{title}”, mã {sid}), giữ nguyên")
            return sid, False
        gone = f" (bảng cũ mã {known} không còn trên Drive: đã xóa hoặc ở thùng rác)" if known else ""
        for _ in range(CREATE_TRIES):
            try:
                resp = self.client.request(
                    "POST", SHEETS_URL, data=_compact(body()), headers=dict(JSON_UTF8), idempotent=False
                )
            except (GoogleNetworkError, GoogleApiError) as e:
                if isinstance(e, GoogleApiError) and e.status < 500:
                    raise  # Google refused it: nothing was made
                found = self._look_again(title)  # the create may have happened: look before sending it again
                if found:
                    sid = found
                    break
                continue
            sid = str(resp.json()["spreadsheetId"])
            break
        else:
            raise GoogleNetworkError(
                f"không tạo được “{title}”: Google không trả lời sau {CREATE_TRIES} lần; chạy lại “init” "
                "để tiếp tục (các bảng đã tạo được giữ nguyên)",
                attempts=CREATE_TRIES,
            )
        self._record(key, sid)
        self.report.created.append(f"{label}: đã tạo “{title}” (mã {sid}){gone}")
        return sid, True

    def _look_again(self, title: str) -> str | None:
        """The id of ``title`` if a create whose answer was lost made it (Drive's search may lag)."""
        for wait in (0.0, LIST_LAG_SECONDS):
            self.client.sleep(wait)
            found = self.list_own().get(title)
            if found:
                return found
        return None

    def _gone(self, sid: str) -> bool:
        """Whether a file the state file names is deleted or in the trash (not just missing from a search)."""
        try:
            info = self.client.request(
                "GET", f"{DRIVE_FILES_URL}/{sid}", params={"fields": "id,trashed"}
            ).json()
        except GoogleApiError as e:
            if e.status == 404:
                return True
            raise
        return bool(info.get("trashed"))

    def _record(self, key: str, sid: str) -> None:
        self.state.ids[key] = sid
        self.state.save()

    def share(self, sid: str, emails: Sequence[str], label: str, created: bool, message: str) -> None:
        done = self.state.shared.setdefault(sid, [])
        todo = [
            e for e in dict.fromkeys(_nfc(e.strip()) for e in emails) if e and e.lower() not in _lower(done)
        ]
        if todo and not created:
            there = self._permission_emails(sid)
            for e in [e for e in todo if e.lower() in there]:
                done.append(e)
                self.report.found.append(f"{label}: {e} đã có quyền sửa, giữ nguyên")
            todo = [e for e in todo if e.lower() not in there]
            self.state.save()
        for e in todo:
            if not _EMAIL.fullmatch(e):
                self.report.problems.append(
                    f"{label}: địa chỉ e-mail “{e}” không hợp lệ, chưa chia sẻ; sửa danh sách đơn vị rồi chạy lại “init”"
                )
                continue
            try:
                self.client.request(
                    "POST",
                    f"{DRIVE_FILES_URL}/{sid}/permissions",
                    params={"sendNotificationEmail": "true", "emailMessage": message, "fields": "id"},
                    json={"type": "user", "role": "writer", "emailAddress": e},
                )
            except GoogleApiError as err:
                self.report.problems.append(
                    f"{label}: không chia sẻ được cho {e} (Google trả lời {err.status}: {err.message}); "
                    "kiểm tra địa chỉ rồi chạy lại “init”"
                )
                continue
            done.append(e)
            self.state.save()
            self.report.shared.append(f"{label}: đã chia sẻ quyền sửa cho {e}")

    def _permission_emails(self, sid: str) -> set[str]:
        data = self.client.request(
            "GET", f"{DRIVE_FILES_URL}/{sid}/permissions", params={"fields": "permissions(emailAddress)"}
        ).json()
        return {str(p.get("emailAddress") or "").lower() for p in data.get("permissions") or []}


def _compact(body: dict[str, Any]) -> bytes:
    """The body as compact UTF-8 JSON: a unit's create is about 1.26 MB so, 1.42 MB as ``json=``."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _lower(items: Sequence[str]) -> set[str]:
    return {i.lower() for i in items}


def init_google(
    units: Sequence[UnitSpec],
    *,
    config_dir: Path,
    client: GoogleClient,
    cutoff_day: int = 25,
    protection: str = "enforce",
    progress: Progress | None = None,
    office_emails: Sequence[str] = (),
) -> tuple[InitReport, dict[str, Any]]:
    """Make what is missing of the register, the summary and the units' spreadsheets; share them.

    Returns the report and ``{"register": id, "summary": id, "units": {code: id}}`` for the
    config. ``office_emails``: the Office staff's addresses, given ``writer`` on the register
    and the summary. Raises ``GoogleUnreachable``/``GoogleNetworkError``/``AuthError`` when
    Google stops answering, ``GoogleApiError`` when it refuses a create or a listing (all
    ``UbndSyncError``: one Vietnamese message from the CLI): what was made is in the state file
    and a new run goes on from there. A refused share is a problem line, and the run goes on.
    """
    if protection not in PROTECTIONS:
        raise ConfigError(f"“protection” phải là “enforce” hoặc “warn”, không phải “{protection}”")
    office = client.account_email
    report = InitReport()
    run = _Run(client, InitState(Path(config_dir) / STATE_NAME), report)
    start = client.stats.api_total()
    total = len(units) + 2
    try:
        register, made = run.ensure(
            "register", REGISTER_TITLE, "Danh mục nhiệm vụ", lambda: register_body(units)
        )
        run.share(
            register, office_emails, "Danh mục nhiệm vụ", made, "Danh mục nhiệm vụ của Văn phòng UBND tỉnh."
        )
        if progress:
            progress("", 1, total)
        summary, made = run.ensure("summary", SUMMARY_TITLE, "Bảng tổng hợp", summary_body)
        run.share(
            summary, office_emails, "Bảng tổng hợp", made, "Bảng tổng hợp tình hình thực hiện nhiệm vụ."
        )
        if progress:
            progress("", 2, total)
        ids: dict[str, str] = {}
        for i, unit in enumerate(units, start=3):
            label = f"Đơn vị {unit.code} ({unit.name})"
            sid, made = run.ensure(
                f"unit:{unit.code}",
                unit_title(unit),
                label,
                functools.partial(
                    unit_body, unit, office=office, protection=protection, cutoff_day=cutoff_day
                ),
            )
            ids[unit.code] = sid
            if unit.emails:
                message = (
                    f"Văn phòng UBND tỉnh chia sẻ bảng theo dõi nhiệm vụ của {unit.name}. "
                    f"Cách cập nhật: xem trang “{GUIDE_TAB}” trong bảng."
                )
                run.share(sid, unit.emails, label, made, message)
            else:
                report.without_email.append(f"{label}: chưa có địa chỉ e-mail, chưa chia sẻ cho ai")
            if progress:
                progress(unit.code, i, total)
    finally:
        report.requests = client.stats.api_total() - start
    if not office_emails:
        report.without_email.append(
            "Danh mục nhiệm vụ và bảng tổng hợp: chưa chia sẻ cho cán bộ Văn phòng (chưa có địa chỉ e-mail)"
        )
    return report, {"register": register, "summary": summary, "units": ids}
