"""The terminal's table (sync/render.py): grouped like Thống kê, columns aligned whatever the codes."""

from __future__ import annotations

from collections.abc import Callable

from sync.config import Config
from sync.engine import run_sync
from sync.render import units_table
from tests.helpers import AS_OF, task_row

Province = Callable[..., Config]


def test_units_table_opens_each_group_with_its_subtotal(province: Province) -> None:
    config = province(
        {
            "SNV": [task_row(id="SNV-1"), task_row(id="SNV-2")],
            "X-MHH": [task_row(id="X-1")],
            "P-BD": [task_row(id="P-1")],
        }
    )
    lines = units_table(run_sync(config, AS_OF)).splitlines()
    body = [line.split()[0] for line in lines[4:] if line and not line.startswith("-")]
    assert body == ["I", "SNV", "II", "X-MHH", "P-BD", "Tổng"]
    first = next(line for line in lines if line.startswith("I "))
    second = next(line for line in lines if line.startswith("II "))
    assert "Sở, ban, ngành (1)" in first and first.split()[-9] == "2"  # the group's Tổng
    assert "UBND cấp xã (2)" in second and second.split()[-9] == "2"


def test_units_table_of_one_group_has_no_group_rows(province: Province) -> None:
    lines = units_table(run_sync(province({"SNV": [task_row()], "STC": [task_row(id="STC-1")]}), AS_OF))
    assert not any(line.startswith(("I ", "II ")) for line in lines.splitlines())


def test_units_table_columns_line_up_with_long_commune_codes(province: Province) -> None:
    config = province({"SNV": [task_row()], "P-LONGXUYEN-2": [task_row(id="X-1")]})
    lines = units_table(run_sync(config, AS_OF)).splitlines()[2:]
    name_col = lines[0].index("Đơn vị")
    rows = [line for line in lines[1:] if line and line[0] != "-"]
    assert len(rows) == 3
    assert all(line[name_col - 1] == " " and line[name_col] != " " for line in rows)
