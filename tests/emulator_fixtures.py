"""Pytest fixtures for the Google Sheets/Drive emulator.

- ``emulator_server``: one server per test session.
- ``emulator``: that server, reset (files, tokens kept, faults, quota windows, stats) before
  each test -> fresh state per test.
- ``service_account``: a registered service-account JSON key (dict).
- ``gspread_client``: a gspread Client authorised with that key against the emulator
  (session closed after the test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import gspread
import pytest

from google_emulator import Emulator
from google_emulator.client import gspread_client as _make_client

__all__ = ["emulator_server", "emulator", "service_account", "gspread_client"]


@pytest.fixture(scope="session")
def emulator_server() -> Iterator[Emulator]:
    emu = Emulator().start()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def emulator(emulator_server: Emulator) -> Iterator[Emulator]:
    emulator_server.reset()
    emulator_server.quota.configure(preset="off")
    emulator_server.quota.configure(read=60, write=60, window_seconds=60.0, enabled=True)
    emulator_server.tokens.lifetime = 3600.0
    yield emulator_server
    emulator_server.faults.clear()


@pytest.fixture
def service_account(emulator: Emulator) -> dict[str, Any]:
    return emulator.create_service_account("sync-bot@emulator-project.iam.gserviceaccount.com")


@pytest.fixture
def gspread_client(emulator: Emulator, service_account: dict[str, Any]) -> Iterator[gspread.Client]:
    client = _make_client(service_account, emulator.url)
    try:
        yield client
    finally:
        client.http_client.session.close()
