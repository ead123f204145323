"""The demo's data: public types (units, expectations, the province) and the world's types."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path

from sync.model import CATEGORIES

CUTOFF_DAY = 25
DUE_SOON_DAYS = 7
SUMMARY = "out/tong-hop.xlsx"
CONFIG_NAME = "ubnd-sync.toml"

#: The calendar the world is drawn in: categories are chosen relative to this meeting, and
#: each province's world is then moved by whole years to its own meeting (``ProvinceProfile.as_of``)
#: so that every relation between dates stays as drawn. Other as_of values follow the timelines.
REFERENCE = date(2024, 11, 5)

# Seeded behaviour, by role (the others are in styles.PLAIN_STYLES). A role is named by the
# code of the Kiên Giang 2024 unit that first played it; each province gives it to one unit.
INCOMPLETE_UNIT = "AM"
DUPLICATE_UNITS = ("SCT", "SXD")
DUPLICATE_NUMBER = 100  # the seeded duplicate is NV-<year>-0100, assigned the year before REFERENCE's


def shift_years(d: date, years: int) -> date:
    """``d`` moved ``years`` later (earlier if negative); 29/02 becomes 28/02 in a year without it."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29/02 of a leap year
        return d.replace(year=d.year + years, day=28)


@dataclass(frozen=True, slots=True)
class ProvinceProfile:
    """A demo province: its units (a CSV in ``sync/data``), its name, and who plays each role."""

    key: str
    csv: str
    name: str  # “An Giang”
    #: the meeting its demo is made for: the world drawn for REFERENCE, moved by whole years
    as_of: date
    #: role -> unit code; a role not listed is played by the unit of that code, if any
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def heading(self) -> str:
        """The body above a unit's sheet title and the report's issuer: “UBND TỈNH AN GIANG”."""
        return f"UBND TỈNH {self.name.upper()}"

    @property
    def years(self) -> int:
        """How many years the world is moved from REFERENCE's calendar to this province's."""
        return self.as_of.year - REFERENCE.year

    def __post_init__(self) -> None:
        if shift_years(REFERENCE, self.years) != self.as_of:
            raise ValueError(f"{self.key}: as_of {self.as_of} is not {REFERENCE} moved by whole years")


#: Since 01/07/2025 (NQ 202/2025/QH15, NQ 1654/NQ-UBTVQH15): 16 provincial agencies and
#: 102 commune-level committees. Roles of merged agencies and former districts go to the
#: agency they merged into or to the commune named after the former district.
AN_GIANG_2025 = ProvinceProfile(
    "an-giang-2025",
    "an-giang-2025-units.csv",
    "An Giang",
    date(2026, 11, 5),  # the meeting of November 2026: the province as it is since 2025
    {
        "SKHDT": "P-LONGXUYEN",
        "SNNPTNT": "SNNMT",
        "SGTVT": "P-CHAUDOC",
        "STNMT": "X-ANPHU",
        "STTTT": "P-TANCHAU",
        "SLDTBXH": "X-CHOMOI",
        "SNGV": "DK-THOCHAU",
        "BDT": "SDTTG",
        "TH": "X-TANHIEP",
        "GT": "X-GIANGTHANH",
        "KH": "DK-KIENHAI",
        "UMT": "X-UMINHTHUONG",
        "RG": "P-RACHGIA",
        "KL": "X-KIENLUONG",
        "CT": "X-CHAUTHANH",
        "AM": "X-ANMINH",
        "VT": "X-VINHTHUAN",
        "GR": "X-GIONGRIENG",
        "PQ": "DK-PHUQUOC",
        "HT": "P-HATIEN",
    },
)
#: Before 01/07/2025: 22 agencies and 15 district committees (kind ``huyen``).
#: Its calendar is REFERENCE's: the meeting of 05/11/2024.
KIEN_GIANG_2024 = ProvinceProfile("kien-giang-2024", "kien-giang-units.csv", "Kiên Giang", REFERENCE)
PROVINCES: dict[str, ProvinceProfile] = {p.key: p for p in (AN_GIANG_2025, KIEN_GIANG_2024)}
DEFAULT_PROVINCE = AN_GIANG_2025.key
#: The meeting the default demo (An Giang since 2025) is made for: 05/11/2026.
DEMO_AS_OF = AN_GIANG_2025.as_of


def demo_as_of(province: str = DEFAULT_PROVINCE) -> date:
    """The meeting the demo of ``province`` (a key of ``PROVINCES``) is made for."""
    return PROVINCES[province].as_of


# ---------------------------------------------------------------- public types


@dataclass(frozen=True, slots=True)
class DemoUnit:
    code: str
    name: str
    kind: str  # "so-nganh", "xa", "phuong", "dac-khu"; "huyen" before 2025
    aliases: tuple[str, ...]
    role: str | None = None  # the seeded behaviour it plays (``ProvinceProfile.roles``)

    @property
    def commune(self) -> bool:
        """A commune-level committee (xã, phường, đặc khu): fewer, shorter tasks."""
        return self.kind in ("xa", "phuong", "dac-khu")


@dataclass(slots=True)
class ExpectedUnit:
    """What a correct run finds for one unit.

    ``counts`` has ``total`` and the six categories; all zero for ``invalid`` and
    ``unreadable`` units (their rows are not classified). ``error_codes`` are the
    finding codes seeded on purpose for this unit (a subset of what a run reports;
    ``overdue`` and ``due-soon`` are not listed). ``categories`` maps each task id
    of the unit to its category.
    """

    report_status: str
    counts: dict[str, int]
    error_codes: set[str] = field(default_factory=set)
    categories: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class DemoProvince:
    directory: Path
    config_path: Path
    as_of: date
    units: list[DemoUnit]
    expected: dict[str, ExpectedUnit]
    seed: int = 2024
    previous_cutoff: date = date(2026, 9, 25)
    cutoff: date = date(2026, 10, 25)
    province: str = DEFAULT_PROVINCE

    def totals(self) -> dict[str, int]:
        """The province's counts: the sum over units."""
        out = zero_counts()
        for unit in self.expected.values():
            for key, value in unit.counts.items():
                out[key] += value
        return out


def load_units(province: str = DEFAULT_PROVINCE) -> list[DemoUnit]:
    """The units of ``province`` (``sync/data/<csv>``), in file order, each with its role."""
    profile = PROVINCES[province]
    text = resources.files("sync.data").joinpath(profile.csv).read_text(encoding="utf-8")
    role_of = {code: role for role, code in profile.roles.items()}
    units = []
    for row in csv.DictReader(io.StringIO(text)):
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
        code = row["code"]
        units.append(DemoUnit(code, row["name"], row["kind"], aliases, role_of.get(code, code)))
    return units


def reporting_period(as_of: date, cutoff_day: int = CUTOFF_DAY) -> tuple[date, date]:
    """(P, C) of contract §3: C the latest day-K on or before as_of, P the one a month before."""
    if as_of.day >= cutoff_day:
        cutoff = as_of.replace(day=cutoff_day)
    else:
        y, m = shift_month(as_of.year, as_of.month, -1)
        cutoff = date(y, m, cutoff_day)
    y, m = shift_month(cutoff.year, cutoff.month, -1)
    return date(y, m, cutoff_day), cutoff


# ---------------------------------------------------------------- the world


@dataclass(slots=True)
class Style:
    """How a unit keeps its sheet."""

    date_style: str = "cell"  # cell | serial | text:<form>
    header_style: str = "title"  # title | alias | ascii-upper
    shuffled: bool = False
    extra_columns: tuple[str, ...] = ()
    omit: tuple[str, ...] = ()
    tab_name: str | None = None  # None: the schema's tab name
    instructions: bool = False
    header_row: int = 5
    merged_title: bool = True
    hidden_row: bool = False
    blank_rows: bool = False
    status_style: str = "plain"  # plain | variants | nfd
    lead_spelling: str = "name"  # name | code | alias | nfd
    file_state: str = "ok"  # ok | absent | corrupt
    updates: str = "regular"  # regular | late | stopped


@dataclass(slots=True)
class Task:
    key: int  # order of creation, for ids
    doc_date: date
    doc_ref: str
    summary: str
    assigner: str
    lead: str
    co_units: str
    deadline: date | None  # None: no-deadline kind (``deadline_kind``) or a typed mistake
    deadline_kind: str | None = None  # a spelling of the no-deadline kind
    deadline_text: str | None = None  # an invalid deadline as typed (seeded mistake)
    started: date | None = None
    completed: date | None = None
    ext_request_on: date | None = None
    ext_requested: date | None = None
    ext_granted_on: date | None = None
    ext_deadline: date | None = None
    result_doc: str | None = None
    progress: tuple[str, str, str] = ("", "", "")  # not started, in progress, completed
    obstacles: str | None = None
    frozen: bool = False  # the unit stopped updating this row after its first update
    frozen_on: date | None = None  # that first update
    mistakes: frozenset[str] = frozenset()
    task_id: str = ""


@dataclass(slots=True)
class WorldUnit:
    unit: DemoUnit
    style: Style
    tasks: list[Task]
    updates: list[date]  # sorted


def zero_counts() -> dict[str, int]:
    return {"total": 0, **dict.fromkeys(CATEGORIES, 0)}


def shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1
