"""Local Google Sheets v4 / Drive v3 / OAuth2 emulator (see server.py, client.py).

A test and demo double, not the product: it stands above ``sync`` (it uses ``sync.google.client``'s
host rewriting, ``sync.atomic``, and the demo's config and readers in ``demo.py``) and nothing in
``sync`` imports it. ``ubnd-sync demo --backend gsheets`` reaches it through the entry point
``gsheets`` of the group ``ubnd_sync.demo_hosts`` (``demo.host``, see ``sync.demo.host``).
``python -m google_emulator`` (``scripts/emulator``) serves one on its own. It needs the
``emulator`` extra (``cryptography``, to verify the JWTs that clients sign).
"""

from .client import connect_session, gspread_client
from .server import Emulator

__all__ = ["Emulator", "connect_session", "gspread_client"]
