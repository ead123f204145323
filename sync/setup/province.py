"""``ubnd-sync init`` as a library call: the books of a backend, then the config.

The config is written last, so a run stopped half way leaves no config pointing at files that
are not there yet; running again makes what is missing (each backend skips what it finds:
``Backend.create_books``) and then the config. A config already there is never replaced
(:func:`config_write.write_config`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sync.backends import NewProvince, open_backend
from sync.backends.base import Progress
from sync.config import Config, GSheetsSettings, SyncSettings
from sync.schema import unit_sheet_schema
from sync.setup.config_write import ConfigOutcome, config_data, config_text, write_config
from sync.shapes.books import InitReport, UnitSpec, relative


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
    backend: str | None = None,
    cutoff_day: int = 25,
    gsheets: GSheetsSettings | None = None,
    office_emails: Sequence[str] = (),
    progress: Progress | None = None,
    settings_dir: Path | None = None,
) -> InitOutcome:
    """Create what a province needs on ``backend`` (default: the config's default) and its config.

    ``gsheets``: the Google settings the command was given (credentials, endpoint, protection),
    paths in them relative to ``settings_dir`` (default: the folder the command runs in).
    ``office_emails``: the Office staff who may edit the register and the summary.
    """
    directory = Path(directory)
    config_path = Path(config_path)
    backend = backend or SyncSettings().backend
    # the config init is about to write, as far as its backend needs to know it
    config = Config(
        path=config_path,
        base_dir=Path(settings_dir) if settings_dir is not None else Path.cwd(),
        sync=SyncSettings(backend=backend, cutoff_day=cutoff_day),
        units=(),
        gsheets=gsheets or GSheetsSettings(),
    )
    new = NewProvince(
        units=units,
        directory=directory,
        config_dir=config_path.parent,
        cutoff_day=cutoff_day,
        office_emails=tuple(office_emails),
        progress=progress,
    )
    with open_backend(config) as books:
        created = books.create_books(new)
    data = config_data(
        units,
        backend=backend,
        sources=created.sources,
        register=created.register,
        summary=created.summary,
        cutoff_day=cutoff_day,
        task_tab=unit_sheet_schema().tab,
        settings=created.settings,
    )
    outcome = write_config(config_path, config_text(data, units_csv=units_csv))
    shown = relative(config_path, directory)
    report = created.report
    (report.created if outcome.created else report.found).append(f"Tệp cấu hình: {shown}")
    return InitOutcome(report=report, config_path=config_path, config=outcome, sources=created.sources)
