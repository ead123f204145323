"""A realistic demo province: 37 units' task workbooks, a config, and the ground truth.

``make_demo(directory)`` writes ``ubnd-sync.toml`` and ``units/<CODE>.xlsx`` for
the units of Kiên Giang (``sync/data/kien-giang-units.csv``) and returns a
``DemoProvince`` whose ``expected`` says, per unit, what a correct run must find:
the report status, the category counts and the finding codes seeded on purpose.

The demo is a deterministic *world* drawn from ``seed``: every task has a
timeline (assigned, deadline, an extension requested and granted, completed)
and every unit updates its sheet on certain days of each month. ``make_demo``
renders that world as the sheets look on the meeting date ``as_of``: tasks not
yet assigned are absent; what the unit owns (status, progress, completion date,
``updated_on`` …) is as of the unit's last update on or before ``as_of``; what
the Office owns (rows, deadlines, approved extensions) is as of ``as_of``.
Rendering the same seed for successive months shows the province evolving;
every unit has 20–60 tasks for meeting dates from June 2024 to March 2025.

The ground truth is reasoned from the world and the contract (§2, §3), never
from the project's own classifier. Same seed and ``as_of`` give byte-identical
files.

Units that behave in a particular way (every month):

- ``GT`` updates a few days after the cutoff (``late``); ``KH`` skipped its
  September and October 2024 updates (``missing`` on 2024-10-05 and 2024-11-05);
  ``AM`` leaves a few rows untouched and types a wrong year in one ``updated_on``
  (``incomplete``);
- ``BDT`` has no “updated on” column (``invalid``); ``SNGV`` has no workbook and
  ``UMT``'s workbook is a truncated file (``unreadable``);
- ``SCT`` and ``SXD`` both list task ``NV-2023-0100`` (a duplicate id).
"""

from __future__ import annotations

import bisect
import csv
import dataclasses
import functools
import io
import random
import unicodedata
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from sync.model import CATEGORIES
from sync.normalize import SERIAL_EPOCH, fold_words
from sync.schema import Schema, unit_sheet_schema

__all__ = [
    "CUTOFF_DAY",
    "DEMO_AS_OF",
    "DUE_SOON_DAYS",
    "DemoProvince",
    "DemoUnit",
    "ExpectedUnit",
    "load_units",
    "make_demo",
    "reporting_period",
]

#: The meeting the demo is made for (early November 2024).
DEMO_AS_OF = date(2024, 11, 5)
CUTOFF_DAY = 25
DUE_SOON_DAYS = 7
SUMMARY = "out/tong-hop.xlsx"
CONFIG_NAME = "ubnd-sync.toml"
UNITS_CSV = "kien-giang-units.csv"

#: Categories are chosen relative to this date; other as_of values follow the timelines.
_REFERENCE = DEMO_AS_OF
_FIRST_UPDATE_MONTH = (2022, 12)
_LAST_UPDATE_MONTH = (2026, 6)

# Seeded behaviour, by unit code.
_LATE_UNIT = "GT"
_STOPPED_UNIT = "KH"
_STOPPED_AFTER = (2024, 8)  # last cutoff month KH updated for
_INCOMPLETE_UNIT = "AM"
_INVALID_UNIT = "BDT"
_ABSENT_UNIT = "SNGV"
_CORRUPT_UNIT = "UMT"
_DUPLICATE_UNITS = ("SCT", "SXD")
_DUPLICATE_ID = "NV-2023-0100"


# ---------------------------------------------------------------- public types


@dataclass(frozen=True, slots=True)
class DemoUnit:
    code: str
    name: str
    kind: str  # "so-nganh" or "huyen"
    aliases: tuple[str, ...]


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
    previous_cutoff: date = date(2024, 9, 25)
    cutoff: date = date(2024, 10, 25)

    def totals(self) -> dict[str, int]:
        """The province's counts: the sum over units."""
        out = _zero_counts()
        for unit in self.expected.values():
            for key, value in unit.counts.items():
                out[key] += value
        return out


def load_units() -> list[DemoUnit]:
    """The 37 units of ``sync/data/kien-giang-units.csv``, in file order."""
    text = resources.files("sync.data").joinpath(UNITS_CSV).read_text(encoding="utf-8")
    units = []
    for row in csv.DictReader(io.StringIO(text)):
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split(";") if a.strip())
        units.append(DemoUnit(row["code"], row["name"], row["kind"], aliases))
    return units


def reporting_period(as_of: date, cutoff_day: int = CUTOFF_DAY) -> tuple[date, date]:
    """(P, C) of contract §3: C the latest day-K on or before as_of, P the one a month before."""
    if as_of.day >= cutoff_day:
        cutoff = as_of.replace(day=cutoff_day)
    else:
        y, m = _shift_month(as_of.year, as_of.month, -1)
        cutoff = date(y, m, cutoff_day)
    y, m = _shift_month(cutoff.year, cutoff.month, -1)
    return date(y, m, cutoff_day), cutoff


def make_demo(
    directory: Path | str,
    *,
    seed: int = 2024,
    as_of: date = DEMO_AS_OF,
    backend: str = "xlsx",
) -> DemoProvince:
    """Write the demo province as it looks on ``as_of`` into ``directory``.

    Writes ``ubnd-sync.toml`` and ``units/<CODE>.xlsx``; existing demo files are
    overwritten, so successive months can be rendered into one folder.
    """
    if backend != "xlsx":
        raise ValueError(f"backend {backend!r}: the demo writes .xlsx files only")
    directory = Path(directory)
    schema = unit_sheet_schema()
    units = load_units()
    world = _build_world(seed)
    units_dir = directory / "units"
    units_dir.mkdir(parents=True, exist_ok=True)
    config_path = directory / CONFIG_NAME
    config_path.write_text(_config_text(units, schema), encoding="utf-8")

    period = reporting_period(as_of)
    expected: dict[str, ExpectedUnit] = {}
    for unit in units:
        wunit = world[unit.code]
        rows = [_render_task(wunit, t, as_of) for t in wunit.tasks if t.doc_date <= as_of]
        path = units_dir / f"{unit.code}.xlsx"
        if wunit.style.file_state == "absent":
            path.unlink(missing_ok=True)
        else:
            data = _workbook_bytes(unit, wunit, rows, schema, as_of)
            if wunit.style.file_state == "corrupt":
                data = data[: len(data) // 2]
            path.write_bytes(data)
        expected[unit.code] = _expect_unit(wunit, rows, as_of, period)
    return DemoProvince(
        directory=directory,
        config_path=config_path,
        as_of=as_of,
        units=units,
        expected=expected,
        seed=seed,
        previous_cutoff=period[0],
        cutoff=period[1],
    )


# ---------------------------------------------------------------- the world


@dataclass(slots=True)
class _Style:
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
class _Task:
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
class _Unit:
    unit: DemoUnit
    style: _Style
    tasks: list[_Task]
    updates: list[date]  # sorted


_PLAIN_STYLES: dict[str, _Style] = {
    "SNV": _Style(date_style="text:dmy"),
    "STP": _Style(date_style="text:d/m"),
    "SKHDT": _Style(date_style="text:dash", lead_spelling="alias"),
    "STC": _Style(date_style="text:dot"),
    "SCT": _Style(date_style="text:iso"),
    "SNNPTNT": _Style(date_style="text:words", lead_spelling="alias"),
    "SGTVT": _Style(date_style="serial"),
    "SXD": _Style(status_style="nfd"),
    "STNMT": _Style(lead_spelling="nfd"),
    "STTTT": _Style(header_style="alias"),
    "SLDTBXH": _Style(header_style="ascii-upper", lead_spelling="alias"),
    "SVHTT": _Style(instructions=True, tab_name="Theo dõi NV"),
    "SDL": _Style(instructions=True),
    "SKHCN": _Style(shuffled=True, merged_title=False),
    "SGDDT": _Style(extra_columns=("Ghi chú",)),
    "SYT": _Style(hidden_row=True),
    "SNGV": _Style(file_state="absent"),
    "TTT": _Style(blank_rows=True, lead_spelling="code"),
    "BDT": _Style(omit=("updated_on",)),
    "BQLKKT": _Style(omit=("extension_request", "result_doc"), lead_spelling="alias"),
    "TH": _Style(status_style="variants"),
    "GT": _Style(updates="late"),
    "KH": _Style(updates="stopped"),
    "UMT": _Style(file_state="corrupt"),
}


def _style_for(unit: DemoUnit) -> _Style:
    style = _PLAIN_STYLES.get(unit.code, _Style())
    if unit.kind == "huyen":
        # district sheets carry a "cập nhật đến" line above the header
        style = dataclasses.replace(style, header_row=6)
    return style


@functools.lru_cache(maxsize=8)
def _build_world(seed: int) -> dict[str, _Unit]:
    units = load_units()
    schema = unit_sheet_schema()
    world: dict[str, _Unit] = {}
    for unit in units:
        style = _style_for(unit)
        updates = _update_dates(seed, unit.code, style.updates)
        rng = random.Random(f"{seed}/{unit.code}/tasks")
        tasks = _random_tasks(rng, unit, units, schema)
        tasks += _seeded_tasks(rng, unit, units, schema)
        tasks.sort(key=lambda t: (t.doc_date, t.key))
        for task in tasks:
            if task.frozen:
                # the row was updated once, then left alone
                i = bisect.bisect_left(updates, task.doc_date)
                task.started = task.doc_date + timedelta(days=1)
                task.frozen_on = updates[i] if i < len(updates) else None
        world[unit.code] = _Unit(unit, style, tasks, updates)
    _assign_ids(world)
    return world


def _assign_ids(world: dict[str, _Unit]) -> None:
    """Ids the Office gives: NV-<year>-<number>, numbered by assignment date."""
    everything = [(t.doc_date, code, t.key, t) for code, u in world.items() for t in u.tasks]
    everything.sort(key=lambda x: (x[0], x[1], x[2]))
    counters: dict[int, int] = {}
    for doc_date, _code, _key, task in everything:
        if "duplicate" in task.mistakes:
            task.task_id = _DUPLICATE_ID
            continue
        n = counters.get(doc_date.year, 0) + 1
        if doc_date.year == 2023 and n == 100:
            n += 1  # NV-2023-0100 is the seeded duplicate
        counters[doc_date.year] = n
        task.task_id = f"NV-{doc_date.year}-{n:04d}"


def _update_dates(seed: int, code: str, pattern: str) -> list[date]:
    rng = random.Random(f"{seed}/{code}/updates")
    out = []
    y, m = _FIRST_UPDATE_MONTH
    while (y, m) <= _LAST_UPDATE_MONTH:
        cutoff = date(y, m, CUTOFF_DAY)
        if pattern == "late":
            out.append(cutoff + timedelta(days=rng.randint(3, 8)))
        elif pattern == "stopped" and _STOPPED_AFTER < (y, m) <= (2024, 10):
            rng.random()
        else:
            out.append(cutoff - timedelta(days=rng.randint(0, 9)))
        y, m = _shift_month(y, m, 1)
    return out


# --- words of a province


_PLACES_COMMON = [
    "xã Hòn Tre",
    "đảo Hòn Sơn",
    "xã Thổ Châu",
    "phường Vĩnh Thanh Vân",
    "thị trấn Kiên Lương",
    "xã Bình An",
    "khu vực Tứ giác Long Xuyên",
    "vùng U Minh Thượng",
]
_PROJECTS = [
    "đầu tư xây dựng tuyến đường ven biển Rạch Giá - Hòn Đất",
    "nâng cấp Quốc lộ 80 đoạn qua {place}",
    "Khu đô thị lấn biển Tây Bắc",
    "kè chống sạt lở bờ biển tại {place}",
    "xây dựng khu tái định cư tại {place}",
    "hạ tầng Khu công nghiệp Thạnh Lộc",
    "nhà máy chế biến thủy sản tại {place}",
    "cảng cá và khu neo đậu tránh trú bão tại {place}",
    "hồ chứa nước ngọt tại {place}",
    "trường THPT tại {place}",
    "nâng cấp đê biển An Biên - An Minh",
    "điện gió ven biển tại {place}",
]
_PLANS = [
    "phòng, chống thiên tai và tìm kiếm cứu nạn",
    "chuyển đổi số",
    "phát triển du lịch bền vững",
    "cải cách hành chính",
    "phát triển kinh tế biển",
    "bảo vệ môi trường",
    "xây dựng nông thôn mới nâng cao",
    "giảm nghèo bền vững",
    "phòng, chống hạn hán, xâm nhập mặn mùa khô",
    "chống khai thác hải sản bất hợp pháp, không báo cáo và không theo quy định (IUU)",
    "thu hút đầu tư",
    "phát triển nhà ở xã hội",
]
_COMPLAINTS = [
    "tình trạng lấn chiếm hành lang kênh rạch",
    "ô nhiễm môi trường từ cơ sở chế biến thủy sản",
    "sạt lở bờ sông",
    "xây dựng trái phép trên đất nông nghiệp",
    "chậm chi trả tiền bồi thường, hỗ trợ tái định cư",
    "khai thác cát trái phép",
    "thiếu nước sinh hoạt mùa khô",
    "ngập úng khu dân cư",
    "cấp giấy chứng nhận quyền sử dụng đất chậm",
    "hư hỏng tuyến đường giao thông nông thôn",
]
_PROGRAMS = [
    "Chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "Chương trình mỗi xã một sản phẩm (OCOP)",
    "Đề án 06 về phát triển ứng dụng dữ liệu dân cư",
    "Chương trình mục tiêu quốc gia giảm nghèo bền vững",
    "Chương trình mục tiêu quốc gia phát triển kinh tế - xã hội vùng đồng bào dân tộc thiểu số",
    "Nghị quyết của HĐND tỉnh về hỗ trợ phát triển giao thông nông thôn",
    "Kế hoạch phát triển bền vững một triệu héc-ta lúa chất lượng cao",
]
_PERIODS = ["6 tháng đầu năm", "9 tháng", "quý III", "quý IV", "tháng 10", "năm"]
_TOPICS = [
    "tiến độ giải phóng mặt bằng các dự án trọng điểm",
    "công tác phòng, chống dịch bệnh trên cây lúa",
    "chuẩn bị Tết Nguyên đán",
    "tình hình thu ngân sách nhà nước",
    "công tác quản lý đất đai, xây dựng",
    "chống khai thác IUU",
    "giải quyết khiếu nại, tố cáo tồn đọng",
]
_SUMMARY_TEMPLATES: list[Callable[[random.Random, str, int], str]] = [
    lambda r, p, y: (
        "Rà soát, đề xuất tháo gỡ khó khăn, vướng mắc cho dự án " + r.choice(_PROJECTS).format(place=p)
    ),
    lambda r, p, y: f"Tham mưu UBND tỉnh ban hành Kế hoạch {r.choice(_PLANS)} năm {y + 1}",
    lambda r, p, y: f"Báo cáo tình hình giải ngân vốn đầu tư công {r.choice(_PERIODS)} {y}",
    lambda r, p, y: f"Kiểm tra, xử lý phản ánh của người dân về {r.choice(_COMPLAINTS)} tại {p}",
    lambda r, p, y: f"Xây dựng Đề án {r.choice(_PLANS)} trên địa bàn {p}",
    lambda r, p, y: f"Tổ chức triển khai thực hiện {r.choice(_PROGRAMS)} tại {p}",
    lambda r, p, y: f"Tham mưu trả lời kiến nghị của cử tri về {r.choice(_COMPLAINTS)}",
    lambda r, p, y: f"Đẩy nhanh tiến độ dự án {r.choice(_PROJECTS).format(place=p)}",
    lambda r, p, y: f"Sơ kết, đánh giá kết quả thực hiện {r.choice(_PROGRAMS)} {r.choice(_PERIODS)}",
    lambda r, p, y: "Thực hiện ý kiến kết luận của Chủ tịch UBND tỉnh tại cuộc họp về " + r.choice(_TOPICS),
    lambda r, p, y: f"Rà soát, cập nhật quy hoạch sử dụng đất tại {p}",
    lambda r, p, y: f"Kiểm tra, báo cáo đề xuất xử lý vụ việc {r.choice(_COMPLAINTS)} tại {p}",
]
_ASSIGNERS = [
    "Chủ tịch UBND tỉnh",
    "Phó Chủ tịch UBND tỉnh (phụ trách kinh tế)",
    "Phó Chủ tịch UBND tỉnh (phụ trách văn hóa - xã hội)",
    "Phó Chủ tịch UBND tỉnh (phụ trách nội chính)",
    "UBND tỉnh",
]
_DOC_KINDS = ["UBND-TH", "UBND-KT", "UBND-VX", "UBND-NC", "TB-VP", "QĐ-UBND", "KH-UBND"]
_PROGRESS_STARTED = [
    "Đã giao phòng chuyên môn xây dựng dự thảo; dự kiến trình trong tháng {m}/{y}.",
    "Đang phối hợp các đơn vị liên quan khảo sát hiện trạng, tổng hợp số liệu.",
    "Đã tổ chức họp với các ngành liên quan; đang hoàn chỉnh báo cáo.",
    "Đang lấy ý kiến góp ý của các sở, ngành và địa phương.",
    "Đã hoàn thành dự thảo, đang trình lãnh đạo xem xét.",
    "Đang kiểm tra thực tế, làm việc với hộ dân và chủ đầu tư.",
]
_PROGRESS_NEW = [
    "Đang nghiên cứu, phân công thực hiện.",
    "Chưa triển khai do chờ hướng dẫn của bộ, ngành Trung ương.",
    "",
]
_PROGRESS_DONE = [
    "Đã hoàn thành, báo cáo kết quả về UBND tỉnh.",
    "Đã tham mưu UBND tỉnh ban hành văn bản.",
    "Đã kiểm tra, xử lý dứt điểm và thông tin cho người dân.",
    "Đã hoàn thành, gửi Văn phòng UBND tỉnh tổng hợp.",
]
_OBSTACLES = [
    "Vướng mắc trong công tác bồi thường, giải phóng mặt bằng; đề nghị UBND tỉnh gia hạn.",
    "Chưa có hướng dẫn của bộ, ngành Trung ương; đề nghị UBND tỉnh kiến nghị Bộ.",
    "Thiếu kinh phí thực hiện; đề nghị Sở Tài chính bố trí vốn.",
    "Hồ sơ đất đai phức tạp, cần thêm thời gian xác minh nguồn gốc đất.",
    "Chờ ý kiến thống nhất của các sở, ngành phối hợp.",
]


def _place_for(rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit]) -> str:
    if unit.kind == "huyen":
        return unit.name.removeprefix("UBND ")
    districts = [u.name.removeprefix("UBND ") for u in units if u.kind == "huyen"]
    return rng.choice(districts + _PLACES_COMMON)


def _lead_text(unit: DemoUnit, style: _Style) -> str:
    if style.lead_spelling == "code":
        return unit.code
    if style.lead_spelling == "alias" and unit.aliases:
        return unit.aliases[0]
    if style.lead_spelling == "nfd":
        return unicodedata.normalize("NFD", unit.name)
    return unit.name


def _co_units_text(rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit]) -> str:
    k = rng.choice([0, 0, 1, 1, 2, 3])
    others = rng.sample([u for u in units if u.code != unit.code], k)
    names = [rng.choice((u.name, u.name, *u.aliases)) for u in others]
    return rng.choice(["; ", ", ", "\n"]).join(names)


def _doc_ref(rng: random.Random, doc_date: date) -> str:
    kind = rng.choice(_DOC_KINDS)
    day = doc_date.timetuple().tm_yday
    if kind == "TB-VP":
        n = day + rng.randint(1, 40)
    elif kind in ("QĐ-UBND", "KH-UBND"):
        n = day * 3 + rng.randint(1, 20)
    else:
        n = day * 9 + rng.randint(1, 30)
    return f"{n}/{kind}"


def _base_task(
    rng: random.Random,
    key: int,
    unit: DemoUnit,
    units: Sequence[DemoUnit],
    doc_date: date,
    deadline: date | None,
) -> _Task:
    place = _place_for(rng, unit, units)
    summary = rng.choice(_SUMMARY_TEMPLATES)(rng, place, doc_date.year)
    m, y = doc_date.month % 12 + 1, doc_date.year + (doc_date.month == 12)
    suffix = unit.code if unit.kind == "so-nganh" else "UBND"
    return _Task(
        key=key,
        doc_date=doc_date,
        doc_ref=_doc_ref(rng, doc_date),
        summary=summary,
        assigner=rng.choice(_ASSIGNERS),
        lead=_lead_text(unit, _style_for(unit)),
        co_units=_co_units_text(rng, unit, units),
        deadline=deadline,
        started=doc_date + timedelta(days=rng.randint(1, 12)),
        result_doc=f"{rng.randint(20, 480)}/BC-{suffix}",
        progress=(
            rng.choice(_PROGRESS_NEW),
            rng.choice(_PROGRESS_STARTED).format(m=m, y=y),
            rng.choice(_PROGRESS_DONE),
        ),
        obstacles=rng.choice(_OBSTACLES) if rng.random() < 0.6 else None,
    )


def _random_tasks(
    rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit], schema: Schema
) -> list[_Task]:
    r = _REFERENCE
    kinds = schema["deadline"].values["no_deadline"]
    tasks: list[_Task] = []
    plan: list[tuple[date, str]] = []
    for _ in range(rng.randint(10, 14)):
        doc = date(2023, 1, 10) + timedelta(days=rng.randint(0, 340))
        cat = rng.choices(
            ["completed_on_time", "completed_late", "in_progress_overdue", "no_deadline"],
            [55, 25, 10, 10],
        )[0]
        plan.append((doc, cat))
    span = (r - timedelta(days=3) - date(2024, 1, 2)).days
    for _ in range(rng.randint(24, 32)):
        doc = date(2024, 1, 2) + timedelta(days=rng.randint(0, span))
        cat = rng.choices(
            [
                "completed_on_time",
                "completed_late",
                "in_progress_on_time",
                "in_progress_overdue",
                "no_deadline",
            ],
            [40, 13, 25, 13, 9],
        )[0]
        plan.append((doc, cat))
    for _ in range(rng.randint(6, 10)):
        doc = r + timedelta(days=rng.randint(1, 140))
        plan.append((doc, "future"))
    # 20–60 rows on every meeting date from June 2024 to March 2025 (seeded rows: up to 4 more)
    early = date(2024, 6, 1)
    while sum(doc <= early for doc, _ in plan) < 20:
        plan.append((date(2023, 1, 10) + timedelta(days=rng.randint(0, 340)), "completed_on_time"))
    plan.sort()
    while len(plan) > 56:
        plan.pop(next(i for i in range(len(plan) - 1, -1, -1) if plan[i][0] > early))
    for doc, cat in plan:
        task = _base_task(rng, len(tasks), unit, units, doc, None)
        _shape(rng, task, cat, kinds)
        tasks.append(task)
    return tasks


_DURATIONS = [10, 15, 20, 30, 30, 45, 60, 90]


def _shape(rng: random.Random, t: _Task, cat: str, kinds: Sequence[str]) -> None:
    """Give a task dates that make it fall in ``cat`` as of the reference date."""
    r, d = _REFERENCE, t.doc_date
    days_left = (r - d).days  # >= 3 for tasks assigned before r
    if cat == "completed_late" and days_left < 12:
        cat = "completed_on_time"
    if cat == "in_progress_overdue" and days_left < 8:
        cat = "in_progress_on_time"
    if cat == "no_deadline":
        t.deadline = None
        t.deadline_kind = rng.choice([kinds[0], kinds[0], kinds[-1]])
        t.obstacles = None
    elif cat == "completed_on_time":
        t.deadline = d + timedelta(days=rng.choice(_DURATIONS))
        last = min(t.deadline, r - timedelta(days=1))
        t.completed = d + timedelta(days=rng.randint(2, max(2, (last - d).days)))
        t.started = min(t.started or d, t.completed)
        gap = (t.completed - d).days
        if gap >= 20 and rng.random() < 0.2:  # done on time thanks to an extension
            t.ext_deadline = t.completed + timedelta(days=rng.randint(0, 15))
            t.deadline = d + timedelta(days=gap // 2)
            t.ext_granted_on = t.deadline - timedelta(days=rng.randint(0, 4))
            t.ext_request_on = max(d + timedelta(days=1), t.ext_granted_on - timedelta(days=5))
            t.ext_requested = t.ext_deadline
    elif cat == "completed_late":
        latest = (r - d).days - 2
        t.deadline = d + timedelta(days=min(rng.choice(_DURATIONS), max(5, latest // 2)))
        room = (r - timedelta(days=1) - t.deadline).days
        t.completed = t.deadline + timedelta(days=rng.randint(1, max(1, min(60, room))))
    elif cat == "in_progress_on_time":
        t.deadline = max(d + timedelta(days=rng.choice(_DURATIONS)), r + timedelta(days=0))
        if t.deadline == r:
            t.deadline = r + timedelta(days=rng.randint(0, 75))
        t.completed = _later_completion(rng, r)
        if days_left >= 40 and rng.random() < 0.3:  # extended before running late
            original = d + timedelta(days=rng.randint(15, days_left - 10))
            t.ext_deadline, t.deadline = t.deadline, original
            t.ext_granted_on = max(d + timedelta(days=2), original - timedelta(days=rng.randint(0, 6)))
            t.ext_request_on = max(d + timedelta(days=1), t.ext_granted_on - timedelta(days=7))
            t.ext_requested = t.ext_deadline
    elif cat == "in_progress_overdue":
        dur = min(rng.choice(_DURATIONS), days_left - 2)
        t.deadline = d + timedelta(days=max(5, dur))
        t.completed = _later_completion(rng, r + timedelta(days=10))
        if rng.random() < 0.35:  # asked for more time, not yet approved
            t.ext_request_on = min(r - timedelta(days=1), t.deadline + timedelta(days=rng.randint(-5, 10)))
            t.ext_request_on = max(t.ext_request_on, d + timedelta(days=1))
            t.ext_requested = r + timedelta(days=rng.randint(20, 90))
    else:  # assigned after the reference date: its own course
        if rng.random() < 0.1:
            t.deadline_kind = kinds[0]
            t.obstacles = None
            return
        t.deadline = d + timedelta(days=rng.choice(_DURATIONS))
        if rng.random() < 0.75:
            t.completed = d + timedelta(days=rng.randint(3, (t.deadline - d).days + 25))
    if t.completed is not None and t.started is not None:
        t.started = min(t.started, t.completed)


def _later_completion(rng: random.Random, after: date) -> date | None:
    if rng.random() < 0.3:
        return None
    return after + timedelta(days=rng.randint(1, 90))


def _seeded_tasks(
    rng: random.Random, unit: DemoUnit, units: Sequence[DemoUnit], schema: Schema
) -> list[_Task]:
    """Tasks carrying the mistakes real units make (present every month from June 2024)."""
    code = unit.code
    out: list[_Task] = []

    def add(doc: date, deadline: date | None, *mistakes: str) -> _Task:
        task = _base_task(rng, 1000 + len(out), unit, units, doc, deadline)
        task.mistakes = frozenset(mistakes)
        task.obstacles = None
        out.append(task)
        return task

    if code == "RG":  # completed, but the completion date was never typed
        t = add(date(2024, 3, 12), date(2024, 9, 30), "no-completion-date")
        t.completed = date(2024, 5, 20)
        t.started = date(2024, 3, 15)
    elif code == "KL":  # a month-first deadline
        add(date(2024, 2, 6), None, "deadline-text").deadline_text = "03/15/2024"
    elif code == "CT":  # a day that does not exist
        add(date(2024, 1, 18), None, "deadline-text").deadline_text = "31/02/2024"
    elif code == _INCOMPLETE_UNIT:
        for doc in (date(2024, 2, 2), date(2024, 3, 8), date(2024, 4, 16)):
            t = add(doc, doc + timedelta(days=45))
            t.frozen = True
            t.obstacles = rng.choice(_OBSTACLES)
        add(date(2024, 3, 20), date(2024, 12, 31), "future-update")
    elif code == "VT":  # TCVN3 text pasted from an old report
        t = add(date(2024, 4, 3), date(2024, 6, 30), "legacy-progress")
        t.completed = date(2024, 6, 14)
    elif code == "GR":  # a lead unit the province does not know
        t = add(date(2024, 5, 7), date(2024, 12, 15), "unknown-lead")
        t.lead = "Phòng Tài chính - Kế hoạch huyện Giồng Riềng"
    elif code == "PQ":  # text that looks like a formula
        t = add(date(2024, 2, 20), date(2024, 4, 30), "formula-text")
        t.completed = date(2024, 4, 22)
    elif code in _DUPLICATE_UNITS:  # the same id in two units' sheets
        t = add(date(2023, 4, 11), date(2023, 6, 30), "duplicate")
        t.summary = "Rà soát, đề xuất tháo gỡ khó khăn cho dự án Khu đô thị lấn biển Tây Bắc Rạch Giá"
        t.doc_ref = "1034/UBND-KT"
        by_code = {u.code: u for u in units}
        t.lead = by_code[_DUPLICATE_UNITS[0]].name
        t.co_units = by_code[_DUPLICATE_UNITS[1]].name
        t.completed = date(2023, 6, 26) if code == "SCT" else date(2023, 7, 14)
    return out


# ---------------------------------------------------------------- rendering


@dataclass(slots=True)
class _Row:
    """A task as the sheet shows it on as_of (intended values, before spelling)."""

    task: _Task
    status: str  # completed | in_progress | not_started
    completed_on: date | None
    extended: date | None
    ext_request: date | None
    updated_on: date | None
    progress: str
    obstacles: str
    result_doc: str


def _snapshot(wunit: _Unit, task: _Task, as_of: date) -> date | None:
    if task.frozen:
        frozen = task.frozen_on
        return frozen if frozen is not None and frozen <= as_of else None
    i = bisect.bisect_right(wunit.updates, as_of)
    return wunit.updates[i - 1] if i else None


def _render_task(wunit: _Unit, t: _Task, as_of: date) -> _Row:
    snap = _snapshot(wunit, t, as_of)
    extended = t.ext_deadline if t.ext_granted_on and t.ext_granted_on <= as_of else None
    if snap is None or snap < t.doc_date:
        # added by the Office after the unit's last update: untouched
        return _Row(t, "not_started", None, extended, None, None, "", "", "")
    done = t.completed is not None and t.completed <= snap
    started = t.started is not None and t.started <= snap
    status = "completed" if done else "in_progress" if started else "not_started"
    completed_on = t.completed if done and "no-completion-date" not in t.mistakes else None
    if done and completed_on is not None:
        # recorded at the first update after completion
        updated: date = wunit.updates[bisect.bisect_left(wunit.updates, completed_on)]
    else:
        updated = snap
    if "future-update" in t.mistakes:
        updated = updated + timedelta(days=365)  # the year typed wrong
    deadline = extended or t.deadline
    late_now = deadline is not None and snap > deadline - timedelta(days=10)
    obstacles = t.obstacles if (t.obstacles and not done and late_now) else ""
    progress = t.progress[2] if done else t.progress[1] if started else t.progress[0]
    if "legacy-progress" in t.mistakes and done:
        progress = "Hoµn thµnh b¸o c¸o, ®· göi UBND tØnh"
    result_doc = (t.result_doc or "") if done else ""
    if "formula-text" in t.mistakes and done:
        result_doc = '=HYPERLINK("http://example.com","xem")'
    ext_request = t.ext_requested if t.ext_request_on and t.ext_request_on <= snap else None
    return _Row(t, status, completed_on, extended, ext_request, updated, progress, obstacles, result_doc)


# ---------------------------------------------------------------- ground truth


def _zero_counts() -> dict[str, int]:
    return {"total": 0, **dict.fromkeys(CATEGORIES, 0)}


def _category(row: _Row, as_of: date) -> str:
    t = row.task
    if t.deadline_kind is not None:
        return "no_deadline"
    if t.deadline is None:  # empty or typed wrong
        return "unclassified"
    effective = row.extended or t.deadline
    completed = row.status == "completed" and row.completed_on is not None and row.completed_on <= as_of
    if completed:
        assert row.completed_on is not None
        return "completed_on_time" if row.completed_on <= effective else "completed_late"
    return "in_progress_on_time" if effective >= as_of else "in_progress_overdue"


def _update_state(row: _Row, as_of: date, period: tuple[date, date]) -> str:
    previous, cutoff = period
    completed = row.status == "completed" and row.completed_on is not None
    if completed and row.completed_on is not None and row.completed_on <= previous:
        return "not_needed"
    if row.task.doc_date > previous:
        return "not_needed"
    u = row.updated_on
    if u is not None and previous < u <= cutoff:
        return "fresh"
    if u is not None and cutoff < u <= as_of:
        return "late"
    return "stale"


def _expect_unit(wunit: _Unit, rows: list[_Row], as_of: date, period: tuple[date, date]) -> ExpectedUnit:
    style = wunit.style
    if style.file_state != "ok":
        return ExpectedUnit("unreadable", _zero_counts(), {"source-unreadable"})
    if style.omit and any(_unit_sheet_required(name) for name in style.omit):
        return ExpectedUnit("invalid", _zero_counts(), {"missing-column"})
    counts = _zero_counts()
    categories: dict[str, str] = {}
    codes: set[str] = set()
    states = []
    for row in rows:
        cat = _category(row, as_of)
        counts["total"] += 1
        counts[cat] += 1
        categories[row.task.task_id] = cat
        states.append(_update_state(row, as_of, period))
        m = row.task.mistakes
        if "deadline-text" in m:
            codes.add("invalid-date")
        if "no-completion-date" in m and row.status == "completed":
            codes.add("completion-date-missing")
        if "future-update" in m and row.updated_on and row.updated_on > as_of:
            codes.add("future-date")
        if "legacy-progress" in m and row.status == "completed":
            codes.add("legacy-encoding")
        if "unknown-lead" in m:
            codes.add("unknown-unit")
        if "duplicate" in m:
            codes.add("duplicate-task-id")
    needed = [s for s in states if s != "not_needed"]
    stale = needed.count("stale")
    if "stale" in needed:
        codes.add("stale-update")
    if "late" in needed:
        codes.add("late-update")
    if not needed or all(s == "fresh" for s in needed):
        status = "on_time"
    elif stale == len(needed):
        status = "missing"
    elif stale:
        status = "incomplete"
    else:
        status = "late"
    return ExpectedUnit(status, counts, codes, categories)


def _unit_sheet_required(name: str) -> bool:
    return unit_sheet_schema()[name].required


# ---------------------------------------------------------------- the workbook


def _date_text(d: date, form: str) -> str:
    if form == "dmy":
        return d.strftime("%d/%m/%Y")
    if form == "d/m":
        return f"{d.day}/{d.month}/{d.year}"
    if form == "dash":
        return d.strftime("%d-%m-%Y")
    if form == "dot":
        return d.strftime("%d.%m.%Y")
    if form == "iso":
        return d.isoformat()
    if form == "words":
        return f"ngày {d.day} tháng {d.month} năm {d.year}"
    raise ValueError(form)


def _date_value(d: date | None, style: _Style, index: int) -> Any:
    if d is None:
        return None
    if style.date_style == "serial":
        return (d - SERIAL_EPOCH).days
    if style.date_style.startswith("text:") and index % 2 == 0:
        return _date_text(d, style.date_style.removeprefix("text:"))
    return d


def _status_text(meaning: str, style: _Style, schema: Schema, seen: dict[str, int]) -> str:
    spellings = schema["status"].values[meaning]
    if style.status_style == "variants":
        # every spelling in turn, short forms first ("Đã HT", "Đang TH"); some in lower case
        k = seen[meaning] = seen.get(meaning, -1) + 1
        text = spellings[(k + (2 if meaning == "completed" else 1)) % len(spellings)]
        return text.lower() if k % 3 == 2 else text
    text = spellings[0]
    if style.status_style == "nfd":
        return unicodedata.normalize("NFD", text)
    return text


def _header_text(name: str, style: _Style, schema: Schema) -> str:
    f = schema[name]
    if style.header_style == "alias" and f.aliases:
        # the old template's words: "Mã NV", "Trạng thái", "Hạn xử lý" …
        return f.aliases[-1] if f.type == "date_or_kind" else f.aliases[0]
    if style.header_style == "ascii-upper":
        return fold_words(f.title).upper()
    return f.title


def _row_values(row: _Row, style: _Style, schema: Schema, i: int, seen: dict[str, int]) -> dict[str, Any]:
    t = row.task
    if t.deadline_text is not None:
        deadline: Any = t.deadline_text
    elif t.deadline_kind is not None:
        deadline = t.deadline_kind
    else:
        deadline = _date_value(t.deadline, style, i)
    return {
        "task_id": t.task_id,
        "doc_ref": t.doc_ref,
        "doc_date": _date_value(t.doc_date, style, i + 1),
        "summary": t.summary,
        "assigner": t.assigner,
        "lead_unit": t.lead,
        "co_units": t.co_units,
        "deadline": deadline,
        "extended_deadline": _date_value(row.extended, style, i),
        "status": _status_text(row.status, style, schema, seen),
        "progress": row.progress or None,
        "completed_on": _date_value(row.completed_on, style, i + 1),
        "result_doc": row.result_doc or None,
        "obstacles": row.obstacles or None,
        "extension_request": _date_value(row.ext_request, style, i),
        "updated_on": _date_value(row.updated_on, style, i),
    }


def _put(ws: Worksheet, r: int, c: int, value: Any) -> None:
    cell = ws.cell(row=r, column=c)
    if value is None:
        return
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, date):
        cell.number_format = "dd/mm/yyyy"


_WIDTHS = {"summary": 60, "progress": 40, "obstacles": 36, "co_units": 28, "lead_unit": 26}


def _instructions(ws: Worksheet, schema: Schema, unit: DemoUnit) -> None:
    lines = [
        "HƯỚNG DẪN CẬP NHẬT BẢNG THEO DÕI NHIỆM VỤ",
        f"Đơn vị: {unit.name}",
        "",
        f"1. Các cột {schema['task_id'].title}, {schema['doc_ref'].title}, "
        f"{schema['summary'].title}, {schema['deadline'].title} do Văn phòng UBND tỉnh ghi; "
        "đơn vị không sửa.",
        f"2. Đơn vị cập nhật cột {schema['status'].title}, {schema['progress'].title}, "
        f"{schema['completed_on'].title} và {schema['updated_on'].title} "
        f"trước ngày {CUTOFF_DAY} hằng tháng.",
        "3. Ngày ghi theo dạng ngày/tháng/năm, ví dụ 05/11/2024.",
        f"4. {schema['status'].title} ghi một trong: "
        + " / ".join(v[0] for v in schema["status"].values.values())
        + ".",
    ]
    for i, line in enumerate(lines, start=1):
        _put(ws, i, 1, line or None)
    ws["A1"].font = Font(bold=True)
    ws.column_dimensions["A"].width = 110


def _workbook_bytes(unit: DemoUnit, wunit: _Unit, rows: list[_Row], schema: Schema, as_of: date) -> bytes:
    style = wunit.style
    rng = random.Random(f"{unit.code}/layout")
    wb = Workbook()
    first = wb.active
    assert first is not None
    if style.instructions:
        first.title = "Hướng dẫn"
        _instructions(first, schema, unit)
        ws = wb.create_sheet(style.tab_name or schema.tab)
    else:
        first.title = style.tab_name or schema.tab
        ws = first

    names = [f.name for f in schema.fields if f.name not in style.omit]
    if style.shuffled:
        rest = names[1:]
        rng.shuffle(rest)
        names = names[:1] + rest
    headers: list[str] = [_header_text(n, style, schema) for n in names]
    if style.extra_columns:
        pos = len(headers) - 1
        for extra in style.extra_columns:
            names.insert(pos, extra)
            headers.insert(pos, extra)
    ncols = len(headers)

    titles = [
        "UBND TỈNH KIÊN GIANG",
        unit.name.upper(),
        "BẢNG THEO DÕI NHIỆM VỤ DO UBND TỈNH, CHỦ TỊCH UBND TỈNH GIAO",
    ]
    if style.header_row >= 6:
        titles.append(f"(Cập nhật đến ngày {as_of.strftime('%d/%m/%Y')})")
    for i, text in enumerate(titles, start=1):
        _put(ws, i, 1, text)
        ws.cell(row=i, column=1).font = Font(bold=i <= 3, size=13 if i == 3 else 11)
        if style.merged_title:
            ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=ncols)
            ws.cell(row=i, column=1).alignment = Alignment(horizontal="center")
    hr = style.header_row
    for c, text in enumerate(headers, start=1):
        _put(ws, hr, c, text)
        cell = ws.cell(row=hr, column=c)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        name = names[c - 1]
        ws.column_dimensions[get_column_letter(c)].width = _WIDTHS.get(name, 14)
    ws.freeze_panes = ws.cell(row=hr + 1, column=1)

    r = hr + 1
    hidden_at = len(rows) // 2 if style.hidden_row else -1
    seen: dict[str, int] = {}
    for i, row in enumerate(rows):
        values = _row_values(row, style, schema, i, seen)
        values["stt"] = i + 1
        if "Ghi chú" in names and i % 4 == 1:
            values["Ghi chú"] = rng.choice(
                ["Đã trình lãnh đạo Sở", "Theo dõi chung", "Chờ ý kiến Sở Tài chính"]
            )
        for c, name in enumerate(names, start=1):
            _put(ws, r, c, values.get(name))
        if i == hidden_at:
            ws.row_dimensions[r].hidden = True
        r += 1
        if style.blank_rows and i % 9 == 8:
            r += 1  # a blank row between groups of tasks
    if style.blank_rows:
        for k in range(3):  # rows numbered ahead of time, never filled
            _put(ws, r + k, names.index("stt") + 1, len(rows) + k + 1)

    stamp = datetime.combine(as_of, time(7, 30))
    wb.properties.creator = "Văn phòng UBND tỉnh Kiên Giang"
    wb.properties.lastModifiedBy = unit.name
    wb.properties.created = datetime(2023, 1, 3, 8, 0)
    wb.properties.modified = stamp
    return _save(wb, stamp)


def _save(wb: Workbook, stamp: datetime) -> bytes:
    """The workbook as .xlsx bytes that depend on nothing but its content and ``stamp``."""
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(wb, archive).save()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- config


def _toml_string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _config_text(units: Sequence[DemoUnit], schema: Schema) -> str:
    lines = [
        "# Tỉnh mẫu: bảng theo dõi nhiệm vụ của 37 đơn vị tỉnh Kiên Giang (dữ liệu giả lập).",
        "",
        "[sync]",
        'backend = "xlsx"',
        f"summary = {_toml_string(SUMMARY)}",
        f"sheet = {_toml_string(schema.tab)}",
        f"cutoff_day = {CUTOFF_DAY}",
        f"due_soon_days = {DUE_SOON_DAYS}",
    ]
    for unit in units:
        aliases = ", ".join(_toml_string(a) for a in unit.aliases)
        lines += [
            "",
            "[[units]]",
            f"code = {_toml_string(unit.code)}",
            f"name = {_toml_string(unit.name)}",
            f"source = {_toml_string(f'units/{unit.code}.xlsx')}",
            f"aliases = [{aliases}]",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- helpers


def _shift_month(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1
