"""Where ``ubnd-sync demo --backend gsheets`` serves the demo province: a host outside ``sync``.

The demo makes its province as .xlsx workbooks and a config (``sync.demo``). To sync it through
another backend, the province must be served from somewhere first: for ``gsheets``, the local
Google emulator. The emulator is a test and demo double, not the product, so it lives in its own
package with its own extra, and nothing in ``sync`` names it: it declares itself as an entry
point of the group ``ubnd_sync.demo_hosts`` under the backend's name (pyproject.toml), and
``find_host`` finds it there.

A host is a callable ``host(province_dir, config_path)`` that returns a context manager. On
entering, it starts its server and loads the province (the folder and the path of its .xlsx
config); it yields a ``HostedDemo``: the config of the province as served there, where it is
served, and how many API requests it has answered since the loading. On leaving, it stops::

    host = find_host("gsheets")  # before anything is made: a missing host stops the demo at once
    with host(made.directory, made.config_path) as hosted:
        run_sync(load_config(hosted.config_path), as_of)
        hosted.requests()

A host that is not installed, or whose code needs a package that is not (the emulator needs
``cryptography``, the ``emulator`` extra), is a ``UsageError`` that says how to install it.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path

from sync.exceptions import UsageError

GROUP = "ubnd_sync.demo_hosts"
INSTALL = 'pip install "ubnd-sync[emulator]"'


@dataclass(frozen=True)
class HostedDemo:
    """The demo province as a host serves it."""

    config_path: Path  # the config that reads the province from the host
    url: str  # where the host answers
    requests: Callable[[], int]  # API requests answered since the province was loaded


DemoHost = Callable[[Path, Path], AbstractContextManager[HostedDemo]]


def find_host(backend: str) -> DemoHost:
    """The installed host for ``backend`` (entry point ``backend`` of ``GROUP``), loaded."""
    found = tuple(entry_points(group=GROUP, name=backend))
    if not found:
        raise UsageError(_cannot(backend, "bản cài đặt này không có trình giả lập"))
    try:
        host: DemoHost = found[0].load()
    except ModuleNotFoundError as e:  # the host's own dependencies: the emulator extra
        raise UsageError(_cannot(backend, f"thiếu gói {e.name}")) from e
    return host


def _cannot(backend: str, why: str) -> str:
    return (
        f"Tỉnh mẫu với --backend {backend} cần trình giả lập Google Sheets chạy tại chỗ ({why}). "
        f"Cài thêm bằng: {INSTALL}"
    )
