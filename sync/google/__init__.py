"""Talking to Google: the HTTP policy every Sheets and Drive call goes through (``client``).

The Google backend (``sync.sources.gsheets``) and the Google summary writer
(``sync.summary.gsheets``) use one ``GoogleClient`` per run; its failures are
``sync.exceptions.GoogleApiError`` / ``GoogleNetworkError`` / ``GoogleUnreachable`` /
``AuthError``. ``reach`` decides when Google is not reachable at all (the run stops).
"""

from __future__ import annotations

from sync.google.client import SCOPES, GoogleClient

__all__ = ["SCOPES", "GoogleClient"]
