"""Load a demo province (.xlsx workbooks + ubnd-sync.toml) into the Sheets emulator.

``load_demo_into_emulator(province_dir, config_path, emulator)`` copies every readable
unit workbook into a spreadsheet in the emulator, cell for cell (text written as
``stringValue`` — RAW, so ``=…`` stays text; numbers as numbers; dates as serial numbers
with a date format; booleans as booleans), keeps the tab names and order and merged
ranges, shares it with a new service account (reader), creates and shares the summary
spreadsheet (writer), and writes ``ubnd-sync.gsheets.toml`` + ``service-account.json``
next to the xlsx config. A missing workbook becomes an id that does not exist (404); a
corrupt one a spreadsheet that is not shared with the service account (403), so both are
unreadable the same way as with the xlsx backend.

The spreadsheets are written over HTTP through ``sync.backends.gsheets.client`` (as their owner, the
Office's account) so the emulator's request stats include them: reset the stats after.

``host(province_dir, config_path)`` is how ``ubnd-sync demo --backend gsheets`` runs the
province (``sync.demo.host``): an in-process emulator with the province loaded, found through
the entry point ``gsheets`` of the group ``ubnd_sync.demo_hosts`` (pyproject.toml), so that
nothing in ``sync`` names this package.

The emulator needs the ``emulator`` extra (``cryptography``, to verify the JWT signatures of
service accounts); without it, importing this module raises ``ModuleNotFoundError`` for
``cryptography``, which ``sync.demo.host`` turns into a message that says how to install it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from google.oauth2 import service_account

from sync.atomic import atomic_write_bytes
from sync.backends.gsheets.client import SCOPES, GoogleClient
from sync.backends.xlsx import XlsxBackend
from sync.config import Config, load_config
from sync.demo.host import HostedDemo
from sync.exceptions import SourceUnreadable
from sync.shapes.grid import TabData, to_serial

from .server import Emulator

OWNER = "van-phong@ubnd-demo.gov.vn"
SERVICE_ACCOUNT = "ubnd-sync@ubnd-demo.iam.gserviceaccount.com"
CONFIG_NAME = "ubnd-sync.gsheets.toml"
KEY_NAME = "service-account.json"


def _cell(value: Any) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, bool):
        return {"userEnteredValue": {"boolValue": value}}
    if isinstance(value, (int, float)):
        return {"userEnteredValue": {"numberValue": value}}
    if isinstance(value, datetime):
        serial = to_serial(value)
        fmt = "dd/mm/yyyy" if value.time() == time(0) else "dd/mm/yyyy hh:mm:ss"
        kind = "DATE" if value.time() == time(0) else "DATE_TIME"
        return {
            "userEnteredValue": {"numberValue": serial},
            "userEnteredFormat": {"numberFormat": {"type": kind, "pattern": fmt}},
        }
    if isinstance(value, date):
        return {
            "userEnteredValue": {"numberValue": to_serial(value)},
            "userEnteredFormat": {"numberFormat": {"type": "DATE", "pattern": "dd/mm/yyyy"}},
        }
    if isinstance(value, time):
        return {
            "userEnteredValue": {
                "numberValue": (value.hour * 3600 + value.minute * 60 + value.second) / 86400
            },
            "userEnteredFormat": {"numberFormat": {"type": "TIME", "pattern": "hh:mm:ss"}},
        }
    return {"userEnteredValue": {"stringValue": str(value)}}


def tab_requests(sheet_id: int, tab: TabData) -> list[dict[str, Any]]:
    """Requests that size a tab and write its cells (values + date formats) and merges."""
    rows = tab.rows
    width = max((len(r) for r in rows), default=0)
    reqs: list[dict[str, Any]] = [
        {
            "updateSheetProperties": {
                "properties": {
                    "sheetId": sheet_id,
                    "gridProperties": {"rowCount": max(len(rows), 1) + 10, "columnCount": max(width, 1) + 2},
                },
                "fields": "gridProperties(rowCount,columnCount)",
            }
        }
    ]
    if rows:
        reqs.append(
            {
                "updateCells": {
                    "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                    "rows": [{"values": [_cell(v) for v in row]} for row in rows],
                    "fields": "userEnteredValue,userEnteredFormat.numberFormat",
                }
            }
        )
    for (r0, c0), (r1, c1) in tab.merged:
        if (r1, c1) == (r0, c0):
            continue
        reqs.append(
            {
                "mergeCells": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": r0,
                        "endRowIndex": r1 + 1,
                        "startColumnIndex": c0,
                        "endColumnIndex": c1 + 1,
                    },
                    "mergeType": "MERGE_ALL",
                }
            }
        )
    return reqs


def upload_workbook(client: GoogleClient, title: str, tabs: list[TabData]) -> str:
    """Create a spreadsheet with ``tabs`` (as its owner); returns its id."""
    body = {
        "properties": {"title": title, "locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
        "sheets": [{"properties": {"title": t.name, "index": i}} for i, t in enumerate(tabs)],
    }
    created = client.request("post", "https://sheets.googleapis.com/v4/spreadsheets", json=body).json()
    sid = str(created["spreadsheetId"])
    ids = {s["properties"]["title"]: int(s["properties"]["sheetId"]) for s in created.get("sheets") or []}
    reqs: list[dict[str, Any]] = []
    for t in tabs:
        reqs += tab_requests(ids[t.name], t)
    if reqs:
        client.http.batch_update(sid, {"requests": reqs})
    return sid


def _read_all(province: XlsxBackend, ref: str) -> list[TabData] | None:
    try:
        wb = province.open(ref)
    except SourceUnreadable:
        return None
    try:
        return [wb.read_tab(name) for name in wb.tab_names()]
    except SourceUnreadable:
        return None
    finally:
        wb.close()


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def config_text(
    config: Config,
    sources: dict[str, str],
    summary: str,
    endpoint: str,
    key: str,
    register: str | None = None,
) -> str:
    s = config.sync
    lines = [
        "# Tỉnh mẫu trên trình giả lập Google Sheets (tạo bởi google_emulator.demo)",
        "[sync]",
        'backend = "gsheets"',
        f"summary = {_toml(summary)}",
        f"sheet = {_toml(s.sheet)}",
        f"cutoff_day = {s.cutoff_day}",
        f"due_soon_days = {s.due_soon_days}",
        "",
        "[gsheets]",
        f"credentials = {_toml(key)}",
        f"endpoint = {_toml(endpoint)}",
        f"requests_per_minute = {config.gsheets.requests_per_minute}",
        "",
    ]
    for u in config.units:
        lines += [
            "[[units]]",
            f"code = {_toml(u.code)}",
            f"name = {_toml(u.name)}",
            f"source = {_toml(sources[u.code])}",
        ]
        if u.aliases:
            lines.append("aliases = [" + ", ".join(_toml(a) for a in u.aliases) + "]")
        lines += [f"kind = {_toml(u.kind)}", ""]
    if register is not None:
        lines += ["[register]", f"source = {_toml(register)}", ""]
    heading = {k: getattr(config.report, k) for k in ("parent", "place") if getattr(config.report, k)}
    if heading:  # the province's report heading, as the .xlsx demo's config has it
        lines += ["[report]", *(f"{k} = {_toml(v)}" for k, v in heading.items()), ""]
    return "\n".join(lines)


def load_demo_into_emulator(province_dir: Path | str, config_path: Path | str, emulator: Emulator) -> Path:
    """Upload the province's readable workbooks (and its ``[register]``) to ``emulator``; returns the
    gsheets config path."""
    province_dir = Path(province_dir)
    config = load_config(config_path)
    owner_key = emulator.create_service_account(OWNER)
    sa_key = emulator.create_service_account(SERVICE_ACCOUNT)
    key_path = province_dir / KEY_NAME
    atomic_write_bytes(key_path, json.dumps(sa_key, ensure_ascii=False, indent=1).encode("utf-8"), mode=0o600)
    owner_creds = service_account.Credentials.from_service_account_info(owner_key, scopes=list(SCOPES))
    sources: dict[str, str] = {}
    was_enabled = emulator.quota.enabled
    emulator.quota.configure(enabled=False)  # loading is setup, not the run under test: no quota
    try:
        _upload_all(emulator, config, owner_creds, sources)
    finally:
        emulator.quota.configure(enabled=was_enabled)
    summary = sources.pop("\0summary")
    register = sources.pop("\0register", None)
    out = province_dir / CONFIG_NAME
    out.write_text(config_text(config, sources, summary, emulator.url, KEY_NAME, register), encoding="utf-8")
    return out


def _upload_all(
    emulator: Emulator, config: Config, owner_creds: service_account.Credentials, sources: dict[str, str]
) -> None:
    province = XlsxBackend(config)  # the .xlsx demo province, read as a sync reads it
    with GoogleClient(owner_creds, endpoint=emulator.url, requests_per_minute=100000) as client:
        for unit in config.units:
            tabs = _read_all(province, unit.source)
            if tabs is None:
                path = Path(province.resolve(unit.source))
                if not path.exists():
                    sources[unit.code] = "1missing" + secrets.token_hex(10)  # no such spreadsheet: 404
                    continue
                # a damaged workbook: a spreadsheet the service account cannot open (403)
                sources[unit.code] = upload_workbook(client, f"{unit.code} (hỏng)", [TabData("Sheet1", [])])
                continue
            sid = upload_workbook(client, f"{unit.code} — {unit.name}", tabs)
            emulator.share(sid, SERVICE_ACCOUNT, "reader")
            sources[unit.code] = sid
        if config.register.source:  # the Office's register, readable by the service account
            tabs = _read_all(province, config.register.source)
            if tabs is not None:
                sources["\0register"] = upload_workbook(client, "Danh mục nhiệm vụ", tabs)
                emulator.share(sources["\0register"], SERVICE_ACCOUNT, "reader")
        summary = upload_workbook(client, "Tổng hợp tình hình thực hiện nhiệm vụ", [TabData("Sheet1", [])])
        emulator.share(summary, SERVICE_ACCOUNT, "writer")
        sources["\0summary"] = summary


@contextmanager
def host(province_dir: Path, config_path: Path) -> Iterator[HostedDemo]:
    """The demo province served by an in-process emulator, stopped on leaving (the demo host
    ``gsheets``, see ``sync.demo.host``); its request count starts after the loading."""
    with Emulator() as emulator:
        gs_config = load_demo_into_emulator(province_dir, config_path, emulator)
        emulator.reset_stats()
        yield HostedDemo(gs_config, emulator.url, lambda: int(emulator.stats_json()["total"]))
