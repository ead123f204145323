"""``ubnd-sync init`` as a library call: the books of a backend, then the config.

The config is written last, so a run stopped half way leaves no config pointing at files that
are not there yet; running again makes what is missing (each backend skips what it finds) and
then the config. A config already there is never replaced (:func:`config_write.write_config`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sync.schema import unit_sheet_schema

from .config_write import SUMMARY_XLSX, ConfigOutcome, config_data, config_text, relative, write_config
from .plan import InitReport, UnitSpec

if TYPE_CHECKING:
    from sync.google.client import GoogleClient

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class GoogleTarget:
    """What ``init --backend gsheets`` needs beyond the unit list; ``credentials`` and
    ``endpoint`` go into ``[gsheets]`` as given."""

    client: GoogleClient
    credentials: str | None = None
    endpoint: str | None = None
    protection: str = "enforce"
    #: the Office staff who may edit the register and the summary (``init --office-email``)
    office_emails: tuple[str, ...] = ()


@dataclass
class InitOutcome:
    report: InitReport
    config_path: Path
    config: ConfigOutcome
    #: where each unit's book is (path for xlsx, spreadsheet id for gsheets), by code
    sources: dict[str, str] = field(default_factory=dict)


def init_province(
    units: Sequence[UnitSpec],
    *,
    directory: Path,
    config_path: Path,
    units_csv: str,
    cutoff_day: int = 25,
    google: GoogleTarget | None = None,
    progress: Progress | None = None,
) -> InitOutcome:
    """Create what a province needs (xlsx, or Google when ``google`` is given) and its config."""
    directory = Path(directory)
    config_path = Path(config_path)
    base = config_path.parent
    task_tab = unit_sheet_schema().tab
    gsheets: dict[str, Any] | None = None
    if google is None:
        from .xlsx_book import init_xlsx

        report, paths = init_xlsx(units, directory=directory, cutoff_day=cutoff_day, progress=progress)
        sources = {u.code: relative(paths[u.code], base) for u in units}
        register, summary = relative(paths["register"], base), relative(directory / SUMMARY_XLSX, base)
        backend = "xlsx"
    else:
        from .google_book import init_google  # type: ignore[import-not-found,unused-ignore]

        report, ids = init_google(
            units,
            config_dir=base,
            client=google.client,
            cutoff_day=cutoff_day,
            protection=google.protection,
            progress=progress,
            office_emails=google.office_emails,
        )
        sources = {code: str(sid) for code, sid in ids["units"].items()}
        register, summary = str(ids["register"]), str(ids["summary"])
        backend = "gsheets"
        pairs = (("credentials", google.credentials), ("endpoint", google.endpoint))
        gsheets = {k: v for k, v in pairs if v} | {"protection": google.protection}
    data = config_data(
        units,
        backend=backend,
        sources=sources,
        register=register,
        summary=summary,
        cutoff_day=cutoff_day,
        task_tab=task_tab,
        gsheets=gsheets,
    )
    outcome = write_config(config_path, config_text(data, units_csv=units_csv))
    shown = relative(config_path, directory)
    (report.created if outcome.created else report.found).append(f"Tệp cấu hình: {shown}")
    return InitOutcome(report=report, config_path=config_path, config=outcome, sources=sources)
