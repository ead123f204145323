"""HTTP server emulating the subset of Sheets v4, Drive v3 and the OAuth2 token endpoint.

Start with :class:`Emulator` (``with Emulator() as emu: ...``) or ``scripts/emulator``.
Control endpoints (no auth): ``GET /_emulator/stats``, ``POST /_emulator/stats/reset``,
``POST /_emulator/reset``, ``GET|POST|DELETE /_emulator/faults``, ``POST /_emulator/quota`` (numbers),
``GET|POST /_emulator/quotas`` (``{"enabled": true}``: Google's published quotas per account and
project, ``google_emulator.quota``; ``false``: none), ``POST /_emulator/export`` (``{"limit": bytes}``),
``POST /_emulator/accounts`` (``{"email": ...}`` -> service-account key JSON).
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import auth, drive_api, routes, sheets_api
from .batch_update import batch_update
from .errors import (
    ApiError,
    drive_rate_limited,
    insufficient_scopes,
    invalid_argument,
    quota_exceeded,
    unauthenticated,
)
from .export import EXPORT_LIMIT
from .faults import Fault, Faults
from .quota import Quota
from .routes import Call, Handler, Response
from .state import FOLDER_MIME, SPREADSHEET_MIME, Account, DriveFile, Permission, State, perm_id

JSON_CT = "application/json; charset=UTF-8"


class _Drop(Exception):
    pass


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

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def reset(self, keep_accounts: bool = True) -> None:
        """Forget files, tokens (unless keep_accounts), faults, quota windows and stats."""
        self.state.reset(keep_accounts=keep_accounts)
        if not keep_accounts:
            self.tokens.tokens.clear()
        self.faults.clear()
        self.quota.reset()
        self.state.export_limit = EXPORT_LIMIT
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
            f.permissions.append(Permission(perm_id(email), "user", role, email))

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

    def spreadsheet_json(self, file_id: str, *, include_grid: bool = False) -> dict[str, Any]:
        with self.state.lock:
            f = self._file(file_id)
            assert f.spreadsheet is not None
            return f.spreadsheet.to_json(include_grid=include_grid)

    def file_info(self, file_id: str) -> dict[str, Any]:
        with self.state.lock:
            return drive_api.file_json(self._file(file_id), None)

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
        route, params = routes.route(method, path)
        self.record(f"{method} {route}")
        answer_lost = False
        for fault in self.faults.match(method, raw_path):
            if fault.kind == "drop-after":  # done, then the answer is lost
                answer_lost = True
                continue
            resp = self._fire(fault)
            if resp is not None:
                return resp
        response = self._serve(method, path, route, params, query, headers, body)
        if answer_lost:
            raise _Drop()
        return response

    def _serve(
        self,
        method: str,
        path: str,
        route: str,
        params: dict[str, str],
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
    ) -> Response:
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
            self._check_quota(tok.email, service, write)
            payload = _json_body(body) if body else None
            with self.state.lock:
                return _dispatch(Call(self.state, params, query, payload, tok.email), route)
        except ApiError as e:
            return Response(e.code, e.body(), e.headers)

    def _check_quota(self, email: str, service: str, write: bool) -> None:
        """Raise Google's answer when the caller's account or project is over a quota."""
        acct = self.state.accounts.get(email)
        project = acct.project_id if acct else "0"
        kind = "query" if service == "drive" else ("write" if write else "read")
        refused = self.quota.take(email, project, service, kind)
        if refused is None:
            return
        if service == "drive":
            raise drive_rate_limited(project, refused.scope)
        raise quota_exceeded(kind, "sheets.googleapis.com", project, refused.scope, refused.limit)

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
        if path == "/_emulator/quotas":
            return self._quotas(method, payload)
        if path == "/_emulator/export" and method == "POST":
            self.state.export_limit = int(payload.get("limit", self.state.export_limit))
            return Response(200, {"limit": self.state.export_limit})
        if path == "/_emulator/accounts" and method == "POST":
            return Response(200, self.create_service_account(payload["email"]))
        if path == "/_emulator/tokens" and method == "POST":
            self.tokens.lifetime = float(payload.get("lifetime", self.tokens.lifetime))
            return Response(200, {})
        return Response(
            404, {"error": {"code": 404, "message": "unknown control endpoint", "status": "NOT_FOUND"}}
        )

    def _quotas(self, method: str, payload: Any) -> Response:
        """``GET``: the quotas in force; ``POST {"enabled": true|false}``: Google's quotas on or off."""
        if method == "POST":
            enabled = payload.get("enabled") if isinstance(payload, dict) else None
            if not isinstance(enabled, bool):
                return Response(
                    400,
                    {
                        "error": {
                            "code": 400,
                            "message": 'expected {"enabled": true|false}',
                            "status": "INVALID_ARGUMENT",
                        }
                    },
                )
            self.quota.configure(preset="google" if enabled else "off")
        return Response(200, self.quota.to_json())


# ---------------------------------------------------------------- dispatch

HANDLERS: dict[str, Handler] = {**sheets_api.HANDLERS, **drive_api.HANDLERS}


def _json_body(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_argument("Invalid JSON payload received.") from None


def _dispatch(call: Call, route: str) -> Response:
    handler = HANDLERS.get(route)
    if handler is not None:
        return handler(call)
    if route.startswith("sheets.values."):
        return sheets_api.values_unsupported(call, route)
    if route.startswith("drive."):
        return drive_api.unsupported(call, route)
    raise invalid_argument(f"Unsupported: {route}")


# ---------------------------------------------------------------- HTTP glue


class _Handler(BaseHTTPRequestHandler):
    emulator: Emulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall per response
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
        if resp.raw is not None:
            data = resp.raw
        elif resp.body is None:
            data = b""
        else:
            data = (json.dumps(resp.body, ensure_ascii=False, indent=2) + "\n").encode()
        try:
            self.send_response(resp.status)
            if resp.body is not None and resp.raw is None:
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
