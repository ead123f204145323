"""In-memory store: accounts, Drive files (incl. folders) and their permissions; a file may hold a spreadsheet."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .spreadsheet import Spreadsheet

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
FOLDER_MIME = "application/vnd.google-apps.folder"


def new_id(length: int = 44) -> str:
    alphabet = string.ascii_letters + string.digits + "-_"
    return "1" + "".join(secrets.choice(alphabet) for _ in range(length - 1))


def rfc3339(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


@dataclass
class Account:
    email: str
    public_key_pem: bytes
    key_id: str
    project_id: str = "emulator-project"


@dataclass
class Permission:
    id: str
    type: str  # user | anyone | domain | group
    role: str  # owner | writer | commenter | reader
    email: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "drive#permission",
            "id": self.id,
            "type": self.type,
            "role": self.role,
        }
        if self.email:
            out["emailAddress"] = self.email
        return out


@dataclass
class DriveFile:
    id: str
    name: str
    mime_type: str
    owner: str
    created: dt.datetime
    modified: dt.datetime
    version: int = 1
    parents: list[str] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    trashed: bool = False
    description: str | None = None
    spreadsheet: Spreadsheet | None = None

    def role_of(self, email: str) -> str | None:
        best = None
        order = {"owner": 4, "organizer": 4, "fileOrganizer": 3, "writer": 3, "commenter": 2, "reader": 1}
        for p in self.permissions:
            mine = p.type == "anyone" or (p.email and p.email.lower() == email.lower())
            if mine and (best is None or order.get(p.role, 0) > order.get(best, 0)):
                best = p.role
        return best


class State:
    """Everything the emulator knows. Guard all access with ``lock``."""

    def __init__(self, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.accounts: dict[str, Account] = {}
        self.files: dict[str, DriveFile] = {}
        #: Drive's export size limit in bytes (``files.export`` answers 403 above it)
        self.export_limit = 10 * 1024 * 1024
        self._last_time = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

    def reset(self, keep_accounts: bool = True) -> None:
        with self.lock:
            self.files.clear()
            if not keep_accounts:
                self.accounts.clear()

    def now(self) -> dt.datetime:
        """Strictly increasing timestamps (ms resolution) so modifiedTime changes on every write."""
        t = self.clock()
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.UTC)
        t = t.replace(microsecond=(t.microsecond // 1000) * 1000)
        if t <= self._last_time:
            t = self._last_time + dt.timedelta(milliseconds=1)
        self._last_time = t
        return t

    def create_file(
        self,
        owner: str,
        name: str,
        mime_type: str,
        parents: list[str] | None = None,
        file_id: str | None = None,
        locale: str = "en_US",
        time_zone: str = "Etc/GMT",
    ) -> DriveFile:
        now = self.now()
        fid = file_id or new_id(44 if mime_type == SPREADSHEET_MIME else 33)
        f = DriveFile(
            id=fid,
            name=name,
            mime_type=mime_type,
            owner=owner,
            created=now,
            modified=now,
            parents=list(parents or []),
            permissions=[Permission(perm_id(owner), "user", "owner", owner)],
        )
        if mime_type == SPREADSHEET_MIME:
            f.spreadsheet = Spreadsheet(fid, name, locale, time_zone)
            f.spreadsheet.now = self.clock
        self.files[fid] = f
        return f

    def touch(self, f: DriveFile) -> None:
        f.modified = self.now()
        f.version += 1


def perm_id(email: str) -> str:
    """Drive's permission id for an email address (stable)."""
    return str(int(hashlib.sha256(email.lower().encode()).hexdigest()[:15], 16))
