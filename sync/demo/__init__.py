"""A realistic demo province: its units' task workbooks, a config, and the ground truth.

``make_demo(directory)`` writes ``ubnd-sync.toml`` and ``units/<CODE>.xlsx`` for
the 118 units of An Giang as it is since 01/07/2025 (``sync/data/an-giang-2025-units.csv``:
16 agencies, 85 xã, 14 phường, 3 đặc khu); ``province="kien-giang-2024"`` makes the 37
units of Kiên Giang before the merger instead (22 agencies, 15 district committees). It returns a
``DemoProvince`` whose ``expected`` says, per unit, what a correct run must find:
the report status, the category counts and the finding codes seeded on purpose.

Each province has its own calendar (``ProvinceProfile.as_of``, ``demo_as_of``): An Giang's
demo is made for the meeting of 05/11/2026 (period 26/09/2026 – 25/10/2026), its tasks
assigned from 2025; Kiên Giang 2024's for the meeting of 05/11/2024, its tasks assigned from
2023. The world is drawn once in Kiên Giang's calendar and moved by whole years, so the same
seed gives the same story in both: the dates below are An Giang's (two years earlier for
Kiên Giang).

The demo is a deterministic *world* drawn from ``seed``: every task has a
timeline (assigned, deadline, an extension requested and granted, completed)
and every unit updates its sheet on certain days of each month. ``make_demo``
renders that world as the sheets look on the meeting date ``as_of``: tasks not
yet assigned are absent; what the unit owns (status, progress, completion date,
``updated_on`` …) is as of the unit's last update on or before ``as_of``; what
the Office owns (rows, deadlines, approved extensions) is as of ``as_of``.
Rendering the same seed for successive months shows the province evolving;
agencies and district committees have 20–60 tasks for meeting dates from June 2026 to
March 2027, commune-level committees 6–26 with shorter deadlines.

The ground truth is reasoned from the world and the contract (§2, §3), never
from the project's own classifier. Same seed and ``as_of`` give byte-identical
files.

Units that behave in a particular way (every month), named by their Kiên Giang 2024 code
(the role; ``model.AN_GIANG_2025`` gives each role to an An Giang unit, e.g. ``GT`` to
``X-GIANGTHANH``):

- ``GT`` updates a few days after the cutoff (``late``); ``KH`` skipped its
  September and October 2026 updates (``missing`` on 2026-10-05 and 2026-11-05);
  ``AM`` leaves a few rows untouched and types a wrong year in one ``updated_on``
  (``incomplete``);
- ``BDT`` has no “updated on” column (``invalid``); ``SNGV`` has no workbook and
  ``UMT``'s workbook is a truncated file (``unreadable``);
- ``SCT`` and ``SXD`` both list task ``NV-2025-0100`` (a duplicate id).

Modules: ``model`` (public types, constants, the world's types), ``styles`` (how each
unit keeps its sheet), ``words`` (the province's vocabulary), ``tasks`` (ordinary tasks),
``mistakes`` (seeded mistakes), ``province`` (the world from a seed), ``render`` (the
world on a meeting date), ``truth`` (the ground truth), ``workbook`` (the .xlsx files and
the config), ``host`` (where ``--backend gsheets`` serves the province: a plugin found through
an entry point, the Google emulator of ``google_emulator/``, which loads it with
``google_emulator.demo``; it needs the ``emulator`` extra).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sync.schema import unit_sheet_schema

from .model import (
    CONFIG_NAME,
    CUTOFF_DAY,
    DEFAULT_PROVINCE,
    DEMO_AS_OF,
    DUE_SOON_DAYS,
    PROVINCES,
    DemoProvince,
    DemoUnit,
    ExpectedUnit,
    demo_as_of,
    load_units,
    reporting_period,
)
from .province import build_world
from .render import render_task
from .truth import expect_unit
from .workbook import config_text, workbook_bytes

__all__ = [
    "CUTOFF_DAY",
    "DEFAULT_PROVINCE",
    "PROVINCES",
    "DEMO_AS_OF",
    "DUE_SOON_DAYS",
    "DemoProvince",
    "DemoUnit",
    "ExpectedUnit",
    "demo_as_of",
    "load_units",
    "make_demo",
    "reporting_period",
]


def make_demo(
    directory: Path | str,
    *,
    seed: int = 2024,
    as_of: date | None = None,
    backend: str = "xlsx",
    province: str = DEFAULT_PROVINCE,
) -> DemoProvince:
    """Write the demo province (a key of ``PROVINCES``) as it looks on ``as_of`` into ``directory``.

    ``as_of`` defaults to the meeting the province's demo is made for (``demo_as_of``:
    05/11/2026 for An Giang 2025, 05/11/2024 for Kiên Giang 2024). Writes ``ubnd-sync.toml`` and ``units/<CODE>.xlsx``; existing demo files are
    overwritten, so successive months can be rendered into one folder.
    """
    if backend != "xlsx":
        raise ValueError(f"backend {backend!r}: the demo writes .xlsx files only")
    directory = Path(directory)
    schema = unit_sheet_schema()
    profile = PROVINCES[province]
    as_of = as_of or profile.as_of
    units = load_units(province)
    world = build_world(seed, province)
    units_dir = directory / "units"
    units_dir.mkdir(parents=True, exist_ok=True)
    config_path = directory / CONFIG_NAME
    config_path.write_text(config_text(units, schema, profile), encoding="utf-8")

    period = reporting_period(as_of)
    expected: dict[str, ExpectedUnit] = {}
    for unit in units:
        wunit = world[unit.code]
        rows = [render_task(wunit, t, as_of) for t in wunit.tasks if t.doc_date <= as_of]
        path = units_dir / f"{unit.code}.xlsx"
        if wunit.style.file_state == "absent":
            path.unlink(missing_ok=True)
        else:
            data = workbook_bytes(unit, wunit, rows, schema, as_of, profile)
            if wunit.style.file_state == "corrupt":
                data = data[: len(data) // 2]
            path.write_bytes(data)
        expected[unit.code] = expect_unit(wunit, rows, as_of, period)
    return DemoProvince(
        directory=directory,
        config_path=config_path,
        as_of=as_of,
        units=units,
        expected=expected,
        seed=seed,
        previous_cutoff=period[0],
        cutoff=period[1],
        province=province,
    )
