"""Local Google Sheets v4 / Drive v3 / OAuth2 emulator (see server.py, client.py)."""

from .client import connect_session, gspread_client
from .server import Emulator

__all__ = ["Emulator", "connect_session", "gspread_client"]
