"""Requests to the emulated APIs: a route name for a method and path, and what a handler gets and returns.

``route(method, path)`` names a request the way Google's discovery documents do
(``sheets.values.get``, ``drive.permissions.create`` …); the handlers of each API
(``sheets_api.HANDLERS``, ``drive_api.HANDLERS``) are tables keyed by that name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from .state import State


class Response:
    """JSON ``body``, or ``raw`` bytes (an export) with their Content-Type in ``headers``."""

    def __init__(
        self, status: int, body: Any = None, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.raw = raw


@dataclass
class Call:
    """One authenticated API call: path parameters, query, JSON body, the caller's email."""

    state: State
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    email: str

    def q(self, name: str, default: str = "") -> str:
        """The first value of a query parameter."""
        v = self.query.get(name)
        return v[0] if v else default


Handler = Callable[[Call], Response]


def route(method: str, path: str) -> tuple[str, dict[str, str]]:
    """(route name, path parameters); ``"unknown"`` when the emulator has no such endpoint."""
    if path in ("/token", "/oauth2/v4/token"):
        return "oauth2.token", {}
    if path.startswith("/v4/spreadsheets"):
        return _sheets_route(method, path[len("/v4/spreadsheets") :])
    for prefix in ("/drive/v3/files", "/upload/drive/v3/files"):
        if path.startswith(prefix):
            return _drive_route(
                method, path[len(prefix) :].strip("/"), "upload." if prefix.startswith("/upload") else ""
            )
    return "unknown", {}


def _sheets_route(method: str, rest: str) -> tuple[str, dict[str, str]]:
    if rest in ("", "/"):
        return ("sheets.spreadsheets.create" if method == "POST" else "unknown"), {}
    rest = rest.lstrip("/")
    if "/values" in rest:
        sid, _, tail = rest.partition("/values")
        if tail.startswith(":"):
            return f"sheets.values.{tail[1:]}", {"id": sid}
        rng = unquote(tail.lstrip("/"))
        for op in ("append", "clear"):
            if rng.endswith(":" + op):
                return f"sheets.values.{op}", {"id": sid, "range": rng[: -len(op) - 1]}
        return ("sheets.values.get" if method == "GET" else "sheets.values.update"), {"id": sid, "range": rng}
    if rest.endswith(":batchUpdate"):
        return "sheets.spreadsheets.batchUpdate", {"id": rest[: -len(":batchUpdate")]}
    if "/" not in rest and method == "GET":
        return "sheets.spreadsheets.get", {"id": rest}
    return "unknown", {}


def _drive_route(method: str, rest: str, up: str) -> tuple[str, dict[str, str]]:
    if not rest:
        return {"GET": "drive.files.list", "POST": f"drive.{up}files.create"}.get(method, "unknown"), {}
    segs = rest.split("/")
    fid = segs[0]
    if len(segs) == 1:
        name = {"GET": "get", "PATCH": "update", "DELETE": "delete"}.get(method)
        return (f"drive.{up}files.{name}" if name else "unknown"), {"id": fid}
    if segs[1] == "export" and len(segs) == 2 and method == "GET":
        return "drive.files.export", {"id": fid}
    if segs[1] == "copy" and method == "POST":
        return "drive.files.copy", {"id": fid}
    if segs[1] == "permissions":
        if len(segs) == 2:
            name = {"GET": "list", "POST": "create"}.get(method)
            return (f"drive.permissions.{name}" if name else "unknown"), {"id": fid}
        name = {"GET": "get", "DELETE": "delete", "PATCH": "update"}.get(method)
        return (f"drive.permissions.{name}" if name else "unknown"), {"id": fid, "pid": segs[2]}
    return "unknown", {}
