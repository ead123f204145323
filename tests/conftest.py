"""Shared fixtures: real .xlsx workbooks written with openpyxl, real config files, the emulator,
and the demo province built once per session (helpers to build things are in ``tests/helpers.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from google_emulator import Emulator
from sync.config import Config, load_config
from sync.demo import DemoProvince
from tests.emulator_fixtures import emulator, emulator_server, gspread_client, service_account
from tests.helpers import DemoMonths, write_config, write_workbook

__all__ = ["emulator", "emulator_server", "gspread_client", "service_account"]


@pytest.fixture
def province(tmp_path: Path) -> Callable[..., Config]:
    """Build a small province: ``province({"SNV": [task_row(...), ...], ...})`` -> Config."""

    names = {
        "SNV": "Sở Nội vụ",
        "STC": "Sở Tài chính",
        "STP": "Sở Tư pháp",
        "RG": "UBND thành phố Rạch Giá",
        "X-MHH": "UBND xã Mỹ Hòa Hưng",
        "P-BD": "UBND phường Bình Đức",
        "DK-PQ": "UBND đặc khu Phú Quốc",
    }
    aliases = {"STC": "Sở TC"}
    kinds = {"RG": "huyen", "X-MHH": "xa", "P-BD": "phuong", "DK-PQ": "dac-khu"}

    def build(units: dict[str, Sequence[dict[str, Any]] | None], **kwargs: Any) -> Config:
        entries = []
        for code, tasks in units.items():
            if tasks is not None:
                write_workbook(tmp_path / "units" / f"{code}.xlsx", tasks, **kwargs)
            entry = (code, names.get(code, code), f"units/{code}.xlsx")
            entries.append((*entry, aliases[code]) if code in aliases else entry)
        return load_config(write_config(tmp_path, entries, kinds=kinds))

    return build


@pytest.fixture
def emu() -> Iterator[Emulator]:
    """A fresh emulator of its own for one test (the ``emulator`` fixture shares one per session)."""
    with Emulator() as e:
        yield e


# ----------------------------------------------------------------- the demo province, built once


@pytest.fixture(scope="session")
def demo_months(tmp_path_factory: pytest.TempPathFactory) -> DemoMonths:
    return DemoMonths(tmp_path_factory)


@pytest.fixture(scope="session")
def demo_province(demo_months: DemoMonths) -> DemoProvince:
    """The demo province on DEMO_AS_OF, shared by the whole session: read it, never write into it."""
    return demo_months.pristine()
