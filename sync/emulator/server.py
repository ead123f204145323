"""HTTP server emulating the subset of Sheets v4, Drive v3 and the OAuth2 token endpoint.

Start with :class:`Emulator` (``with Emulator() as emu: ...``) or ``scripts/emulator``.
Control endpoints (no auth): ``GET /_emulator/stats``, ``POST /_emulator/stats/reset``,
``POST /_emulator/reset``, ``GET|POST|DELETE /_emulator/faults``, ``POST /_emulator/quota``,
``POST /_emulator/accounts`` (``{"email": ...}`` -> service-account key JSON).
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from . import auth
from .batch_update import batch_update
from .drive_query import QueryError, parse_query
from .errors import (
    ApiError,
    drive_error,
    drive_insufficient_permissions,
    drive_not_found,
    insufficient_scopes,
    invalid_argument,
    quota_exceeded,
    sheets_not_found,
    sheets_permission_denied,
    unauthenticated,
)
from .faults import Fault, Faults
from .fields import apply_fields, parse_fields
from .quota import Quota
from .state import FOLDER_MIME, SPREADSHEET_MIME, Account, DriveFile, Permission, State, _perm_id, rfc3339

JSON_CT = "application/json; charset=UTF-8"


class _Drop(Exception):
    pass


class Response:
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}


class Emulator:
    """A running (after :meth:`start`) emulator with a Python API for tests."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        token_lifetime: float = 3600.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.state = State()
        self.tokens = auth.TokenStore(lifetime=token_lifetime, clock=clock or time.time)
        self.quota = Quota(clock=clock or time.monotonic)
        self.faults = Faults()
        self.stats: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self._stats_lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def token_uri(self) -> str:
        return self.url + "/token"

    def start(self) -> Emulator:
        emu = self

        class Handler(_Handler):
            emulator = emu

        self._httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="sheets-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Emulator:
        return self.start() if self._httpd is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self, keep_accounts: bool = True) -> None:
        """Forget files, tokens (unless keep_accounts), faults, quota windows and stats."""
        self.state.reset(keep_accounts=keep_accounts)
        if not keep_accounts:
            self.tokens.tokens.clear()
        self.faults.clear()
        self.quota.reset()
        self.reset_stats()

    def reset_stats(self) -> None:
        with self._stats_lock:
            self.stats.clear()
            self.statuses.clear()

    def stats_json(self) -> dict[str, Any]:
        with self._stats_lock:
            by = dict(sorted(self.stats.items()))
        by_method: Counter[str] = Counter()
        for k, v in by.items():
            by_method[k.split(" ", 1)[0]] += v
        with self._stats_lock:
            statuses = {str(k): v for k, v in sorted(self.statuses.items())}
        return {
            "total": sum(by.values()),
            "by_endpoint": by,
            "by_method": dict(by_method),
            "by_status": statuses,
        }

    # ------------------------------------------------------------ Python API for tests

    def create_service_account(self, email: str, project_id: str = "emulator-project") -> dict[str, Any]:
        """Register a service account; returns its JSON key (token_uri = this emulator)."""
        priv, pub = auth.generate_key_pair()
        key_id = auth.secrets.token_hex(20)
        with self.state.lock:
            self.state.accounts[email] = Account(email, pub, key_id, project_id)
        return auth.make_key_json(email, priv, key_id, self.token_uri, project_id)

    def issue_token(self, email: str, scopes: list[str] | None = None) -> str:
        scopes = scopes or [
            "https://www.googleapis.com/auth/spreadsheets",
            "https://www.googleapis.com/auth/drive",
        ]
        return self.tokens.issue(email, frozenset(scopes)).value

    def create_spreadsheet(
        self,
        owner: str,
        title: str = "Untitled spreadsheet",
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
        parents: list[str] | None = None,
        sheets: list[str] | None = None,
        file_id: str | None = None,
    ) -> str:
        with self.state.lock:
            f = self.state.create_file(owner, title, SPREADSHEET_MIME, parents, file_id, locale, time_zone)
            ss = f.spreadsheet
            assert ss is not None
            if sheets:
                ss.sheets[0].props["title"] = sheets[0]
                for name in sheets[1:]:
                    ss, _ = batch_update(ss, {"requests": [{"addSheet": {"properties": {"title": name}}}]})
                f.spreadsheet = ss
            return f.id

    def create_folder(self, owner: str, name: str, parents: list[str] | None = None) -> str:
        with self.state.lock:
            return self.state.create_file(owner, name, FOLDER_MIME, parents).id

    def share(self, file_id: str, email: str, role: str = "writer") -> None:
        with self.state.lock:
            f = self._file(file_id)
            f.permissions = [
                p for p in f.permissions if (p.email or "").lower() != email.lower() or p.role == "owner"
            ]
            f.permissions.append(Permission(_perm_id(email), "user", role, email))

    def unshare(self, file_id: str, email: str) -> None:
        with self.state.lock:
            f = self._file(file_id)
            f.permissions = [
                p for p in f.permissions if (p.email or "").lower() != email.lower() or p.role == "owner"
            ]

    def delete_file(self, file_id: str) -> None:
        with self.state.lock:
            self.state.files.pop(file_id, None)

    def set_values(
        self, file_id: str, range_: str, values: list[list[Any]], input_option: str = "USER_ENTERED"
    ) -> None:
        with self.state.lock:
            f = self._file(file_id)
            assert f.spreadsheet is not None
            f.spreadsheet.write_values(range_, values, input_option)
            self.state.touch(f)

    def get_values(
        self,
        file_id: str,
        range_: str,
        render: str = "FORMATTED_VALUE",
        datetime_render: str = "SERIAL_NUMBER",
    ) -> list[list[Any]]:
        with self.state.lock:
            f = self._file(file_id)
            assert f.spreadsheet is not None
            return list(f.spreadsheet.get_values(range_, "ROWS", render, datetime_render).get("values", []))

    def spreadsheet_json(self, file_id: str) -> dict[str, Any]:
        with self.state.lock:
            f = self._file(file_id)
            assert f.spreadsheet is not None
            return f.spreadsheet.to_json()

    def file_info(self, file_id: str) -> dict[str, Any]:
        with self.state.lock:
            return _file_json(self._file(file_id), None)

    def _file(self, file_id: str) -> DriveFile:
        f = self.state.files.get(file_id)
        if f is None:
            raise KeyError(file_id)
        return f

    # ------------------------------------------------------------ request pipeline

    def record(self, key: str) -> None:
        with self._stats_lock:
            self.stats[key] += 1

    def handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        response = self._handle(method, raw_path, headers, body)
        if not raw_path.startswith("/_emulator/"):
            with self._stats_lock:
                self.statuses[response.status] += 1
        return response

    def _handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> Response:
        parts = urlsplit(raw_path)
        path = parts.path
        query = parse_qs(parts.query, keep_blank_values=True)
        if path.startswith("/_emulator/"):
            return self._control(method, path, query, body)
        route, params = _route(method, path)
        self.record(f"{method} {route}")
        for fault in self.faults.match(method, raw_path):
            resp = self._fire(fault)
            if resp is not None:
                return resp
        try:
            if route == "oauth2.token":
                return self._token(body)
            if route == "unknown":
                return Response(
                    404,
                    {"error": {"code": 404, "message": f"Not Found: {method} {path}", "status": "NOT_FOUND"}},
                )
            tok = self._authenticate(headers, route)
            service = "sheets" if route.startswith("sheets.") else "drive"
            write = method not in ("GET", "HEAD")
            if not auth.scope_allows(tok.scopes, service, write):
                raise insufficient_scopes(f"{service}.googleapis.com", route)
            if service == "sheets" and not self.quota.check(tok.email, "write" if write else "read"):
                acct = self.state.accounts.get(tok.email)
                raise quota_exceeded(
                    "write" if write else "read", "sheets.googleapis.com", acct.project_id if acct else "0"
                )
            payload = _json_body(body) if body else None
            with self.state.lock:
                return _dispatch(self, route, params, query, payload, tok.email)
        except ApiError as e:
            return Response(e.code, e.body(), e.headers)

    def _fire(self, fault: Fault) -> Response | None:
        if fault.kind == "429":
            hdr = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            e = quota_exceeded("read", "sheets.googleapis.com", "emulator-project")
            return Response(429, e.body(), hdr)
        if fault.kind == "500":
            return Response(
                500, {"error": {"code": 500, "message": "Internal error encountered.", "status": "INTERNAL"}}
            )
        if fault.kind == "503":
            return Response(
                503,
                {
                    "error": {
                        "code": 503,
                        "message": "The service is currently unavailable.",
                        "status": "UNAVAILABLE",
                    }
                },
            )
        if fault.kind == "slow":
            time.sleep(fault.delay)
            return None
        if fault.kind == "drop":
            raise _Drop()
        if fault.kind == "delete" and fault.file_id:
            self.delete_file(fault.file_id)
        if fault.kind == "unshare" and fault.file_id and fault.email:
            self.unshare(fault.file_id, fault.email)
        return None

    def _token(self, body: bytes) -> Response:
        form = parse_qs(body.decode("utf-8", "replace"))
        grant = (form.get("grant_type") or [""])[0]
        if grant != auth.JWT_GRANT:
            raise ApiError(
                400,
                "",
                body={"error": "unsupported_grant_type", "error_description": "Invalid grant_type: " + grant},
            )
        assertion = (form.get("assertion") or [""])[0]

        def key_for(email: str) -> bytes | None:
            acct = self.state.accounts.get(email)
            return acct.public_key_pem if acct else None

        email, scopes = auth.verify_assertion(assertion, key_for, self.token_uri, self.tokens.clock())
        tok = self.tokens.issue(email, scopes)
        return Response(
            200, {"access_token": tok.value, "expires_in": int(self.tokens.lifetime), "token_type": "Bearer"}
        )

    def _authenticate(self, headers: dict[str, str], route: str) -> auth.Token:
        service = "sheets.googleapis.com" if route.startswith("sheets.") else "drive.googleapis.com"
        value = headers.get("authorization", "")
        if not value.lower().startswith("bearer "):
            raise unauthenticated(True, service)
        tok, expired = self.tokens.lookup(value[7:].strip())
        if tok is None or expired or tok.email not in self.state.accounts:
            raise unauthenticated(False, service)
        return tok

    def _control(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Response:
        payload = _json_body(body) if body else {}
        if path == "/_emulator/stats" and method == "GET":
            return Response(200, self.stats_json())
        if path == "/_emulator/stats/reset" and method == "POST":
            self.reset_stats()
            return Response(200, {})
        if path == "/_emulator/reset" and method == "POST":
            self.reset(keep_accounts=not payload.get("accounts", False))
            return Response(200, {})
        if path == "/_emulator/faults":
            if method == "GET":
                return Response(200, {"faults": [f.to_json() for f in self.faults.all()]})
            if method == "DELETE":
                self.faults.clear()
                return Response(200, {})
            if method == "POST":
                try:
                    f = self.faults.add(**payload)
                except (TypeError, ValueError) as e:
                    return Response(
                        400, {"error": {"code": 400, "message": str(e), "status": "INVALID_ARGUMENT"}}
                    )
                return Response(200, f.to_json())
        if path == "/_emulator/quota" and method == "POST":
            self.quota.configure(**payload)
            return Response(200, {})
        if path == "/_emulator/accounts" and method == "POST":
            return Response(200, self.create_service_account(payload["email"]))
        if path == "/_emulator/tokens" and method == "POST":
            self.tokens.lifetime = float(payload.get("lifetime", self.tokens.lifetime))
            return Response(200, {})
        return Response(
            404, {"error": {"code": 404, "message": "unknown control endpoint", "status": "NOT_FOUND"}}
        )


# ---------------------------------------------------------------- routing


def _route(method: str, path: str) -> tuple[str, dict[str, str]]:
    if path in ("/token", "/oauth2/v4/token"):
        return "oauth2.token", {}
    if path.startswith("/v4/spreadsheets"):
        rest = path[len("/v4/spreadsheets") :]
        if rest in ("", "/"):
            return ("sheets.spreadsheets.create" if method == "POST" else "unknown"), {}
        rest = rest.lstrip("/")
        if "/values" in rest:
            sid, _, tail = rest.partition("/values")
            if tail.startswith(":"):
                op = tail[1:]
                return f"sheets.values.{op}", {"id": sid}
            rng = unquote(tail.lstrip("/"))
            for op in ("append", "clear"):
                if rng.endswith(":" + op):
                    return f"sheets.values.{op}", {"id": sid, "range": rng[: -len(op) - 1]}
            return ("sheets.values.get" if method == "GET" else "sheets.values.update"), {
                "id": sid,
                "range": rng,
            }
        if rest.endswith(":batchUpdate"):
            return "sheets.spreadsheets.batchUpdate", {"id": rest[: -len(":batchUpdate")]}
        if "/" not in rest and method == "GET":
            return "sheets.spreadsheets.get", {"id": rest}
        return "unknown", {}
    for prefix in ("/drive/v3/files", "/upload/drive/v3/files"):
        if path.startswith(prefix):
            rest = path[len(prefix) :].strip("/")
            up = "upload." if prefix.startswith("/upload") else ""
            if not rest:
                return {"GET": "drive.files.list", "POST": f"drive.{up}files.create"}.get(
                    method, "unknown"
                ), {}
            segs = rest.split("/")
            fid = segs[0]
            if len(segs) == 1:
                name = {"GET": "get", "PATCH": "update", "DELETE": "delete"}.get(method)
                return (f"drive.{up}files.{name}" if name else "unknown"), {"id": fid}
            if segs[1] == "copy" and method == "POST":
                return "drive.files.copy", {"id": fid}
            if segs[1] == "permissions":
                if len(segs) == 2:
                    return {"GET": "drive.permissions.list", "POST": "drive.permissions.create"}.get(
                        method, "unknown"
                    ), {"id": fid}
                name = {"GET": "get", "DELETE": "delete", "PATCH": "update"}.get(method)
                return (f"drive.permissions.{name}" if name else "unknown"), {"id": fid, "pid": segs[2]}
            return "unknown", {}
    return "unknown", {}


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_argument("Invalid JSON payload received.") from None


def _q1(query: dict[str, list[str]], name: str, default: str = "") -> str:
    v = query.get(name)
    return v[0] if v else default


def _sheet_file(emu: Emulator, sid: str, email: str, write: bool) -> DriveFile:
    f = emu.state.files.get(sid)
    if f is None or f.spreadsheet is None or f.trashed:
        raise sheets_not_found()
    role = f.role_of(email)
    if role is None or (write and role in ("reader", "commenter")):
        raise sheets_permission_denied()
    return f


def _drive_file(emu: Emulator, fid: str, email: str) -> DriveFile:
    f = emu.state.files.get(fid)
    if f is None or f.role_of(email) is None:
        raise drive_not_found(fid)
    return f


def _file_json(f: DriveFile, email: str | None) -> dict[str, Any]:
    owner = {
        "kind": "drive#user",
        "displayName": f.owner,
        "emailAddress": f.owner,
        "me": f.owner == email,
        "permissionId": _perm_id(f.owner),
    }
    role = f.role_of(email) if email else "owner"
    return {
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "parents": list(f.parents),
        "trashed": f.trashed,
        "version": str(f.version),
        "createdTime": rfc3339(f.created),
        "modifiedTime": rfc3339(f.modified),
        "owners": [owner],
        "ownedByMe": f.owner == email,
        "shared": len(f.permissions) > 1,
        "webViewLink": (
            f"https://docs.google.com/spreadsheets/d/{f.id}/edit?usp=drivesdk"
            if f.spreadsheet
            else f"https://drive.google.com/drive/folders/{f.id}"
        ),
        "capabilities": {"canEdit": role in ("owner", "writer"), "canDelete": role == "owner"},
        "description": f.description,
    }


DEFAULT_FILE_FIELDS = "kind,id,name,mimeType"


def _file_out(f: DriveFile, email: str, fields: str) -> dict[str, Any]:
    data = _file_json(f, email)
    out = apply_fields(data, parse_fields(fields or DEFAULT_FILE_FIELDS))
    return {k: v for k, v in out.items() if v is not None}


def _dispatch(
    emu: Emulator, route: str, p: dict[str, str], q: dict[str, list[str]], body: Any, email: str
) -> Response:
    st = emu.state
    if route == "sheets.spreadsheets.get":
        f = _sheet_file(emu, p["id"], email, False)
        ss = f.spreadsheet
        assert ss is not None
        include = _q1(q, "includeGridData", "false").lower() == "true"
        fields = _q1(q, "fields")
        ranges = q.get("ranges") or []
        if ranges or (fields and "data" in fields):
            include = include or "data" in fields
        data = ss.to_json(include_grid=include, ranges=ranges or None)
        if include and ranges:
            wanted = {ss.resolve(r)[0].sheet_id for r in ranges}
            for sj in data["sheets"]:
                if sj["properties"]["sheetId"] not in wanted:
                    sj.pop("data", None)
        if fields:
            data = apply_fields(data, parse_fields(fields))
        return Response(200, data)
    if route == "sheets.spreadsheets.create":
        body = body or {}
        props = body.get("properties") or {}
        f = st.create_file(
            email,
            props.get("title") or "Untitled spreadsheet",
            SPREADSHEET_MIME,
            locale=props.get("locale") or "en_US",
            time_zone=props.get("timeZone") or "Etc/GMT",
        )
        ss = f.spreadsheet
        assert ss is not None
        reqs = []
        sheets = body.get("sheets") or []
        if sheets:
            first = copy.deepcopy(sheets[0].get("properties") or {})
            first["sheetId"] = 0
            fields = ",".join(k for k in first if k != "sheetId") or "title"
            reqs.append({"updateSheetProperties": {"properties": first, "fields": fields}})
            reqs += [{"addSheet": {"properties": s.get("properties") or {}}} for s in sheets[1:]]
        if reqs:
            ss, _ = batch_update(ss, {"requests": reqs})
            f.spreadsheet = ss
        return Response(200, ss.to_json())
    if route == "sheets.spreadsheets.batchUpdate":
        f = _sheet_file(emu, p["id"], email, True)
        assert f.spreadsheet is not None
        f.spreadsheet.acting_user = email
        new, resp = batch_update(f.spreadsheet, body)
        f.spreadsheet = new
        if "title" in new.props:
            f.name = new.props["title"]
        st.touch(f)
        return Response(200, resp)
    if route.startswith("sheets.values."):
        return _values(emu, route, p, q, body, email)
    if route.startswith("drive."):
        return _drive(emu, route, p, q, body, email)
    raise invalid_argument(f"Unsupported: {route}")


def _values(
    emu: Emulator, route: str, p: dict[str, str], q: dict[str, list[str]], body: Any, email: str
) -> Response:
    op = route.rsplit(".", 1)[1]
    write = op not in ("get", "batchGet")
    f = _sheet_file(emu, p["id"], email, write)
    ss = f.spreadsheet
    assert ss is not None
    render = _q1(q, "valueRenderOption", "FORMATTED_VALUE")
    dtr = _q1(q, "dateTimeRenderOption", "SERIAL_NUMBER")
    major = _q1(q, "majorDimension", "ROWS") or "ROWS"
    body = body or {}
    if op == "get":
        return Response(200, ss.get_values(p["range"], major, render, dtr))
    if op == "batchGet":
        ranges = q.get("ranges") or []
        return Response(
            200,
            {"spreadsheetId": ss.id, "valueRanges": [ss.get_values(r, major, render, dtr) for r in ranges]},
        )
    work = copy.deepcopy(ss)
    include = _q1(q, "includeValuesInResponse", "false").lower() == "true"
    if op == "update":
        rng = body.get("range") or p["range"]
        resp = work.write_values(
            p["range"], body.get("values"), _q1(q, "valueInputOption"), body.get("majorDimension") or "ROWS"
        )
        if rng != p["range"]:
            pass
        if include:
            resp["updatedData"] = work.get_values(
                resp["updatedRange"], "ROWS", _q1(q, "responseValueRenderOption", "FORMATTED_VALUE")
            )
    elif op == "append":
        insert = _q1(q, "insertDataOption", "OVERWRITE") == "INSERT_ROWS"
        resp = work.append(
            p["range"],
            body.get("values"),
            _q1(q, "valueInputOption"),
            body.get("majorDimension") or "ROWS",
            insert,
        )
        if include:
            resp["updates"]["updatedData"] = work.get_values(resp["updates"]["updatedRange"])
    elif op == "clear":
        resp = work.clear(p["range"])
    elif op == "batchUpdate":
        opt = body.get("valueInputOption", "")
        responses = []
        for i, vr in enumerate(body.get("data") or []):
            r = work.write_values(
                vr.get("range", ""),
                vr.get("values"),
                opt,
                vr.get("majorDimension") or "ROWS",
                field_name=f"data[{i}].values",
            )
            responses.append(r)
        resp = {"spreadsheetId": ss.id}
        if responses:
            resp.update(
                {
                    "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
                    "totalUpdatedColumns": sum(r.get("updatedColumns", 0) for r in responses),
                    "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
                    "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
                    "responses": responses,
                }
            )
    elif op == "batchClear":
        cleared = [work.clear(r)["clearedRange"] for r in body.get("ranges") or []]
        resp = {"spreadsheetId": ss.id, "clearedRanges": cleared}
    else:
        raise invalid_argument(f"Unsupported values operation: {op}")
    f.spreadsheet = work
    emu.state.touch(f)
    return Response(200, resp)


def _drive(
    emu: Emulator, route: str, p: dict[str, str], q: dict[str, list[str]], body: Any, email: str
) -> Response:
    st = emu.state
    fields = _q1(q, "fields")
    body = body or {}
    if route == "drive.files.create":
        mime = body.get("mimeType") or "application/octet-stream"
        parents = body.get("parents") or []
        for pid in parents:
            parent = st.files.get(pid)
            if parent is None or parent.role_of(email) is None:
                raise drive_not_found(pid)
            if parent.role_of(email) not in ("owner", "writer"):
                raise drive_insufficient_permissions()
        f = st.create_file(email, body.get("name") or "Untitled", mime, parents)
        if f.spreadsheet is not None:
            f.spreadsheet.props["title"] = f.name
        if body.get("description"):
            f.description = body["description"]
        return Response(200, _file_out(f, email, fields))
    if route == "drive.files.list":
        qtext = _q1(q, "q")
        try:
            pred = parse_query(qtext) if qtext else (lambda d: True)
        except QueryError:
            raise drive_error(400, "invalid", "Invalid Value") from None
        trashed_default = "trashed" not in qtext
        items = []
        for f in sorted(st.files.values(), key=lambda x: x.modified, reverse=True):
            if f.role_of(email) is None:
                continue
            if trashed_default and f.trashed:
                continue
            if pred(_file_json(f, email)):
                items.append(f)
        page_size = int(_q1(q, "pageSize", "100") or 100)
        start = int(_q1(q, "pageToken", "0") or 0)
        page = items[start : start + page_size]
        out: dict[str, Any] = {"kind": "drive#fileList"}
        if start + page_size < len(items):
            out["nextPageToken"] = str(start + page_size)
        out["incompleteSearch"] = False
        file_fields = "kind,id,name,mimeType"
        mask = parse_fields(fields) if fields else None
        if mask is not None and isinstance(mask.get("files"), dict):
            out["files"] = [apply_fields(_file_json(f, email), mask["files"]) for f in page]
            out = apply_fields(out, {k: True for k in mask})
        else:
            out["files"] = [_file_out(f, email, file_fields) for f in page]
            if mask is not None:
                out = apply_fields(out, mask)
        return Response(200, out)
    f = _drive_file(emu, p["id"], email)
    role = f.role_of(email)
    if route == "drive.files.get":
        if _q1(q, "alt") == "media":
            raise drive_error(
                403,
                "fileNotDownloadable",
                "Only files with binary content can be downloaded. Use Export with Docs Editors files.",
            )
        return Response(200, _file_out(f, email, fields))
    if route == "drive.files.delete":
        if role != "owner":
            raise drive_insufficient_permissions()
        del st.files[f.id]
        return Response(204, None)
    if route == "drive.files.update":
        if role not in ("owner", "writer"):
            raise drive_insufficient_permissions()
        if "name" in body:
            f.name = body["name"]
            if f.spreadsheet is not None:
                f.spreadsheet.props["title"] = f.name
        if "trashed" in body:
            f.trashed = bool(body["trashed"])
        if "description" in body:
            f.description = body["description"]
        for pid in _q1(q, "addParents").split(","):
            if pid and pid not in f.parents:
                f.parents.append(pid)
        for pid in _q1(q, "removeParents").split(","):
            if pid in f.parents:
                f.parents.remove(pid)
        st.touch(f)
        return Response(200, _file_out(f, email, fields))
    if route == "drive.files.copy":
        new = st.create_file(
            email, body.get("name") or f"Copy of {f.name}", f.mime_type, body.get("parents") or f.parents
        )
        if f.spreadsheet is not None:
            ss = copy.deepcopy(f.spreadsheet)
            ss.id = new.id
            ss.props["title"] = new.name
            new.spreadsheet = ss
        return Response(200, _file_out(new, email, fields))
    if route == "drive.permissions.list":
        return Response(
            200, {"kind": "drive#permissionList", "permissions": [x.to_json() for x in f.permissions]}
        )
    if route == "drive.permissions.create":
        if role not in ("owner", "writer"):
            raise drive_insufficient_permissions()
        ptype = body.get("type")
        prole = body.get("role")
        if ptype not in ("user", "group", "domain", "anyone") or prole not in (
            "reader",
            "commenter",
            "writer",
            "owner",
            "fileOrganizer",
            "organizer",
        ):
            raise drive_error(400, "invalid", "Invalid permission type or role.")
        addr = body.get("emailAddress")
        if ptype in ("user", "group") and not addr:
            raise drive_error(400, "required", "The permission type field is required.")
        if ptype == "anyone":
            perm = Permission("anyoneWithLink", "anyone", prole)
        else:
            perm = Permission(_perm_id(addr or body.get("domain", "")), ptype, prole, addr)
        f.permissions = [x for x in f.permissions if x.id != perm.id or x.role == "owner"]
        f.permissions.append(perm)
        st.touch(f)
        out = perm.to_json()
        out.pop("emailAddress", None)
        return Response(200, apply_fields(out, parse_fields(fields)) if fields else out)
    if route == "drive.permissions.get":
        for x in f.permissions:
            if x.id == p["pid"]:
                return Response(200, x.to_json())
        raise drive_error(404, "notFound", f"Permission not found: {p['pid']}.")
    if route == "drive.permissions.delete":
        if role not in ("owner", "writer"):
            raise drive_insufficient_permissions()
        for x in f.permissions:
            if x.id == p["pid"] and x.role != "owner":
                f.permissions.remove(x)
                st.touch(f)
                return Response(204, None)
        raise drive_error(404, "notFound", f"Permission not found: {p['pid']}.")
    raise drive_error(400, "badRequest", f"Unsupported: {route}")


# ---------------------------------------------------------------- HTTP glue


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    protocol_version = "HTTP/1.1"
    server_version = "ESF"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        return

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            resp = self.emulator.handle(self.command, self.path, headers, body)
        except _Drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        except Exception as e:  # pragma: no cover - internal bug surfaced as 500
            resp = Response(
                500,
                {
                    "error": {
                        "code": 500,
                        "message": f"Internal error encountered. ({type(e).__name__}: {e})",
                        "status": "INTERNAL",
                    }
                },
            )
        data = (
            b""
            if resp.body is None
            else (json.dumps(resp.body, ensure_ascii=False, indent=2) + "\n").encode()
        )
        try:
            self.send_response(resp.status)
            if resp.body is not None:
                self.send_header("Content-Type", JSON_CT)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Date", self.date_time_string())
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if data and self.command != "HEAD":
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
