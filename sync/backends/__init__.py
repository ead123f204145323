"""Where sheets live, behind one interface (``base.Backend``), chosen once from the config.

- ``xlsx``: .xlsx workbooks in a shared folder (the embedded default);
- ``gsheets``: Google Sheets, through gspread's HTTP client and google-auth.

``open_backend(config)`` is the one place a backend is chosen; features take the object it
returns and never ask which one it is. A third backend (a WebDAV or SharePoint folder of
.xlsx, say) is one new package with a ``Backend`` subclass, made known with
``register_backend`` (the tests register an in-memory one that runs the whole cycle).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from sync.backends.base import Backend, CreatedBooks, NewProvince, PendingSummary, UnitBook, Workbook
from sync.config import BACKENDS

if TYPE_CHECKING:
    from sync.config import Config

__all__ = [
    "Backend",
    "CreatedBooks",
    "NewProvince",
    "PendingSummary",
    "UnitBook",
    "Workbook",
    "open_backend",
    "register_backend",
]

Factory = Callable[["Config"], Backend]

#: the shipped backends, imported only when chosen (each pulls in its own libraries)
_SHIPPED = {"xlsx": "sync.backends.xlsx:XlsxBackend", "gsheets": "sync.backends.gsheets:GSheetsBackend"}
_REGISTERED: dict[str, Factory] = {}


def register_backend(name: str, factory: Factory) -> None:
    """Make ``[sync] backend = name`` open ``factory(config)``."""
    _REGISTERED[name] = factory
    BACKENDS[name] = factory.__doc__ or name


def open_backend(config: Config) -> Backend:
    """The backend ``[sync] backend`` names, for one run (close it, or use it in ``with``)."""
    name = config.sync.backend
    factory = _REGISTERED.get(name)
    if factory is not None:
        return factory(config)
    module, _, cls = _SHIPPED[name].partition(":")
    backend: type[Backend] = getattr(importlib.import_module(module), cls)
    return backend(config)
