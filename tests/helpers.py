"""Helpers for the tests: a task row, a unit workbook, a config, a tree's hashes (fixtures are in conftest)."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import os
import shutil
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from google_emulator import Emulator
from google_emulator.demo import SERVICE_ACCOUNT, load_demo_into_emulator
from sync.config import Config, load_config
from sync.demo import DEMO_AS_OF, DemoProvince, make_demo
from sync.schema import unit_sheet_schema

AS_OF = date(2024, 3, 5)  # period (25/01/2024, 25/02/2024]


def task_row(**overrides: Any) -> dict[str, Any]:
    """A correct, fresh, in-progress-on-time task as of AS_OF; override by field id."""
    base: dict[str, Any] = {
        "stt": 1,
        "task_id": "NV-001",
        "doc_ref": "344/UBND-TH",
        "doc_date": "10/01/2024",
        "summary": "Rà soát, đề xuất tháo gỡ khó khăn cho dự án khu đô thị Phú Cường",
        "assigner": "Chủ tịch UBND tỉnh",
        "lead_unit": "Sở Nội vụ",
        "co_units": None,
        "deadline": "30/04/2024",
        "extended_deadline": None,
        "status": "Đang thực hiện",
        "progress": "Đã tổ chức họp các ngành",
        "completed_on": None,
        "result_doc": None,
        "obstacles": None,
        "extension_request": None,
        "updated_on": "20/02/2024",
    }
    base.update(overrides)
    return base


def write_workbook(
    path: Path,
    tasks: Sequence[dict[str, Any]],
    *,
    headers: Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
    tab: str = "Nhiệm vụ",
    title_rows: Sequence[Sequence[Any]] = (("UBND TỈNH KIÊN GIANG",), ("BẢNG THEO DÕI NHIỆM VỤ",), ()),
    before_tabs: Sequence[str] = (),
    string_cells: bool = True,
) -> Path:
    """A unit workbook: title rows, a header row, then one row per task (cells as given)."""
    schema = unit_sheet_schema()
    fields = list(fields or schema.names)
    headers = list(headers or [schema[f].title for f in fields])
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    for i, name in enumerate(before_tabs):
        ws = first if i == 0 else wb.create_sheet(name)
        ws.title = name
        ws["A1"] = "Hướng dẫn: điền mỗi nhiệm vụ một dòng."
    ws = first if not before_tabs else wb.create_sheet(tab)
    ws.title = tab
    for row in title_rows:
        ws.append(list(row))
    ws.append(headers)
    for task in tasks:
        ws.append([task.get(f) for f in fields])
    if string_cells:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_config(
    directory: Path, units: Sequence[tuple[str, ...]], extra: str = "", kinds: Mapping[str, str] | None = None
) -> Path:
    """A config with [sync] defaults and the given (code, name, source[, alias]) units (``kinds`` by code)."""
    lines = ["[sync]", 'summary = "out/tong-hop.xlsx"', "cutoff_day = 25", extra, ""]
    for code, name, source, *alias in units:
        lines += ["[[units]]", f'code = "{code}"', f'name = "{name}"', f'source = "{source}"']
        if alias:
            lines.append(f'aliases = ["{alias[0]}"]')
        if kinds and code in kinds:
            lines.append(f'kind = "{kinds[code]}"')
        lines.append("")
    path = directory / "ubnd-sync.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def google_copy(directory: Path, xlsx_config: Path, emu: Emulator) -> Path:
    """The .xlsx province of ``xlsx_config`` uploaded to ``emu`` (its ``[register]`` too); the gsheets config."""
    return load_demo_into_emulator(directory, xlsx_config, emu)


def google_writable(directory: Path, xlsx_config: Path, emu: Emulator) -> Config:
    """``google_copy`` loaded, with the service account allowed to write the units' sheets (``distribute``)."""
    config = load_config(google_copy(directory, xlsx_config, emu))
    for u in config.units:
        emu.share(u.source, SERVICE_ACCOUNT, "writer")
    return config


def tree_hash(directory: Path) -> dict[str, str]:
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


class DemoMonths:
    """The demo province (seed 2024) by meeting date, each rendered at most once per session."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self._factory = tmp_path_factory
        self._rendered: dict[date, DemoProvince] = {}

    def pristine(self, as_of: date = DEMO_AS_OF) -> DemoProvince:
        """The session's rendering of ``as_of``: read it, never write into its folder."""
        if as_of not in self._rendered:
            self._rendered[as_of] = make_demo(self._factory.mktemp(f"demo-{as_of.isoformat()}"), as_of=as_of)
        return self._rendered[as_of]

    def render(self, directory: Path | str, *, as_of: date = DEMO_AS_OF) -> DemoProvince:
        """What ``make_demo(directory, as_of=as_of)`` writes, copied from the session's rendering."""
        pristine = self.pristine(as_of)
        directory = Path(directory)
        units = directory / "units"
        if units.is_dir():  # like make_demo: a unit without a workbook this month has none
            keep = {p.name for p in (pristine.directory / "units").iterdir()}
            for old in units.glob("*.xlsx"):
                if old.name not in keep:
                    old.unlink()
        shutil.copytree(pristine.directory, directory, dirs_exist_ok=True)
        return dataclasses.replace(
            copy.deepcopy(pristine), directory=directory, config_path=directory / pristine.config_path.name
        )


def as_nobody(run: Callable[[], str]) -> str:
    """``run()`` in a forked child that gives up root first (root reads and writes every folder).

    The parent should have imported what ``run`` needs: the child reads only the files the
    test made world-readable. Returns ``run()``'s answer, or ``"crash"``.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        answer = "crash"
        try:
            if os.geteuid() == 0:
                os.setgroups([])
                os.setgid(65534)
                os.setuid(65534)
            answer = run()
        finally:
            os.write(write_end, answer.encode("utf-8"))
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as fh:
        answer = fh.read().decode("utf-8")
    os.waitpid(pid, 0)
    return answer


def has_child_process() -> bool:
    """Whether this process has a child (running, or exited and not yet waited for); reaps nothing."""
    try:
        os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return True


def summary_file(config: Any) -> str:
    """The .xlsx summary an xlsx config's sync writes (the backend's own path)."""
    from sync.backends.xlsx import XlsxBackend

    return str(XlsxBackend(config).summary_file)


def resolved(config: Any, ref: str) -> str:
    """A reference of an xlsx config as the backend opens it (a path made absolute)."""
    from sync.backends.xlsx import XlsxBackend

    return XlsxBackend(config).resolve(ref)


def xlsx_at(folder: Path) -> Any:
    """The xlsx backend of a province in ``folder`` with no unit configured (to open files by path)."""
    from sync.backends.xlsx import XlsxBackend
    from sync.config import Config, SyncSettings

    return XlsxBackend(Config(path=folder / "ubnd-sync.toml", base_dir=folder, sync=SyncSettings(), units=()))
