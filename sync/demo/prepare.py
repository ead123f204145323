"""``ubnd-sync demo`` as a library call: the demo province made on disk, its earlier meetings
synced into the history, then the meeting's sync (``run_demo``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sync.config import load_config
from sync.demo import DEFAULT_PROVINCE, DemoProvince, make_demo
from sync.demo.host import find_host
from sync.engine import Progress
from sync.exceptions import UsageError
from sync.pipeline import SyncOutcome, sync_and_record

DEMO_MARKER = ".ubnd-sync-demo"


def claim_demo_directory(directory: Path) -> None:
    """The demo writes only into an empty folder or one it made before (never over real data)."""
    if directory.exists() and any(directory.iterdir()) and not (directory / DEMO_MARKER).exists():
        raise UsageError(
            f"thư mục {directory} đã có dữ liệu không phải của tỉnh mẫu; chọn một thư mục trống "
            "(ví dụ: ubnd-sync demo ubnd-sync-demo)."
        )
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DEMO_MARKER).write_text("Thư mục tỉnh mẫu của ubnd-sync.\n", encoding="utf-8")
    history = directory / "ubnd-sync.history.sqlite"
    if history.exists():  # a demo starts its history afresh
        history.unlink()


def months_before(d: date, months: int) -> date:
    y, m = divmod(d.year * 12 + d.month - 1 - months, 12)
    return date(y, m + 1, min(d.day, 28))


def prepare_demo(
    directory: Path, *, seed: int, as_of: date, months: int = 1, province: str | None = None
) -> DemoProvince:
    """Make the demo province in ``directory`` as of ``as_of``.

    ``province``: a key of ``sync.demo.PROVINCES`` (default the new An Giang).
    With ``months`` > 1 the meetings of the months before are made and synced into the
    history first (earliest first), so ``diff`` and ``report`` have something to compare.
    """
    claim_demo_directory(directory)
    key = province or DEFAULT_PROVINCE
    for back in range(months - 1, 0, -1):
        earlier = make_demo(directory, seed=seed, as_of=months_before(as_of, back), province=key)
        sync_and_record(load_config(earlier.config_path), earlier.as_of)
    return make_demo(directory, seed=seed, as_of=as_of, province=key)


@dataclass
class DemoOutcome:
    """What ``ubnd-sync demo`` made and what its sync did."""

    made: DemoProvince
    sync: SyncOutcome
    #: the config the sync used (the Google one for ``backend="gsheets"``)
    config_path: Path
    #: Google only: how many API requests the sync made
    requests: int | None = None


def run_demo(
    directory: Path,
    *,
    seed: int,
    as_of: date | None = None,
    backend: str = "xlsx",
    months: int = 3,
    province: str | None = None,
    progress: Progress | None = None,
    announce: Callable[[str], None] | None = None,
) -> DemoOutcome:
    """Make the demo province and sync it (``ubnd-sync demo``).

    With ``backend="xlsx"`` the ``months`` meetings before are synced into the history first
    (for ``diff`` and ``report``); with another backend the province is served by that
    backend's demo host (``sync.demo.host``: for ``"gsheets"``, the local Google emulator) and
    synced through the backend's own path. ``announce`` gets a line for a person
    as each stage is reached.
    """
    from sync.demo import demo_as_of

    key = province or DEFAULT_PROVINCE
    # another backend serves the province from a host outside sync (the Google emulator): found
    # first, so that a missing one stops the demo before anything is made
    host = None if backend == "xlsx" else find_host(backend)
    history_months = months if host is None else 1
    made = prepare_demo(
        directory, seed=seed, as_of=as_of or demo_as_of(key), months=history_months, province=key
    )
    if announce:
        announce(f"Đã tạo tỉnh mẫu trong {made.directory} ({len(made.units)} đơn vị).")
    if host is None:
        outcome = sync_and_record(load_config(made.config_path), made.as_of, progress=progress)
        return DemoOutcome(made, outcome, made.config_path)
    with host(made.directory, made.config_path) as hosted:
        if announce:
            announce(f"Trình giả lập Google Sheets đang chạy tại {hosted.url}.")
        outcome = sync_and_record(load_config(hosted.config_path), made.as_of, progress=progress)
        return DemoOutcome(made, outcome, hosted.config_path, hosted.requests())
