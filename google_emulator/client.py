"""Connect requests / google-auth / gspread to the emulator (the adapter is ``sync.backends.gsheets.client``'s).

    from google_emulator.client import gspread_client
    gc = gspread_client("key.json", "http://127.0.0.1:8765")

``connect_session(session, endpoint)`` mounts an adapter on any requests.Session
(e.g. google.auth.transport.requests.AuthorizedSession) that rewrites
https://sheets.googleapis.com, https://www.googleapis.com (Drive v3 + upload) and
https://oauth2.googleapis.com to ``endpoint``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import gspread
import requests
from google.auth.transport.requests import AuthorizedSession
from google.oauth2.service_account import Credentials

from sync.backends.gsheets.client import GOOGLE_HOSTS, HostRewriteAdapter, mount_endpoint

DEFAULT_SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive",
)


def connect_session(session: requests.Session, endpoint: str) -> requests.Session:
    """Mount the rewriting adapter for Google's hosts on ``session`` (returned for chaining)."""
    mount_endpoint(session, endpoint)
    return session


def credentials(key: str | Path | dict[str, Any], scopes: Sequence[str] = DEFAULT_SCOPES) -> Credentials:
    info = key if isinstance(key, dict) else json.loads(Path(key).read_text(encoding="utf-8"))
    return Credentials.from_service_account_info(info, scopes=list(scopes))


def gspread_client(
    key_file: str | Path | dict[str, Any], endpoint: str, scopes: Sequence[str] = DEFAULT_SCOPES
) -> gspread.Client:
    """A gspread Client authorised with a service-account key against the emulator.

    ``key_file`` is a path to the JSON key (or its parsed dict); its ``token_uri`` is used for
    tokens.  Close with ``client.http_client.session.close()``.
    """
    creds = credentials(key_file, scopes)
    session = AuthorizedSession(creds)
    connect_session(session, endpoint)
    return gspread.Client(auth=creds, session=session)


__all__ = [
    "DEFAULT_SCOPES",
    "GOOGLE_HOSTS",
    "HostRewriteAdapter",
    "connect_session",
    "credentials",
    "gspread_client",
]
