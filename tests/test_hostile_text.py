"""Every parser of text a unit typed is linear in its length (issue 8, class 2).

Timed: each parser on an adversarial text of n and of 10n characters (up to 500,000; one date test uses 1 MB);
linear work takes about 10 times as long, quadratic 100 times. The bound (50 times, plus
10 ms for timer and cache noise) fails on any super-linear parser. Property tests:
no text, number or object in a cell raises.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sync.backends.base import TabData
from sync.config import UnitConfig
from sync.normalize import (
    PLAIN_TYPES,
    cell_text,
    clean_text,
    fold,
    looks_legacy_encoded,
    parse_date,
    safe_value,
)
from sync.schema import unit_sheet_schema
from sync.validate import UnitResolver, read_tab, split_units
from tests.helpers import AS_OF
from tests.test_normalize import cell_values as spreadsheet_values

RESOLVER = UnitResolver(
    [
        UnitConfig("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "a.xlsx"),
        UnitConfig("SNV", "Sở Nội vụ", "b.xlsx", ("Sở NV",)),
    ]
)
STATUS = unit_sheet_schema()["status"].value_lookup()


def _timed(fn: Callable[[str], object], text: str) -> float:
    start = time.perf_counter()
    fn(text)
    return time.perf_counter() - start


def _assert_linear(fn: Callable[[str], object], unit: str, n: int = 50_000) -> None:
    """Best of 5 alternating timings; up to 3 tries, so that a busy machine does not fail a
    linear parser, while a quadratic one (100x) fails every try."""
    small = unit * max(1, n // len(unit))
    large = unit * max(10, 10 * n // len(unit))
    for _ in range(3):
        t1 = t10 = math.inf
        for _ in range(5):
            t1 = min(t1, _timed(fn, small))
            t10 = min(t10, _timed(fn, large))
        if t10 < 50 * t1 + 0.01:
            return
    raise AssertionError(f"{t1:.4f}s for {len(small)} chars, {t10:.4f}s for {len(large)}")


def _status(text: str) -> object:
    return STATUS.get(fold(clean_text(text)))


PARSERS: dict[str, Callable[[str], object]] = {
    "date": parse_date,
    "unit list": lambda text: split_units(clean_text(text), RESOLVER),
    "status": _status,
    "legacy encoding": looks_legacy_encoded,
    "clean_text": clean_text,
    "cell_text": cell_text,
}

ADVERSARIAL = [
    " ",
    "1 ",
    "1/",
    "ngày 1 tháng ",
    "0",
    "Sở Văn hóa, ",
    ",",
    ";\n",
    "Sở NV, ",
    "Hoµn thµnh ",
    "\u200b",
    "e\u0301",
    "Đang thực hiện ",
    "a\t\u00a0",
]


@pytest.mark.parametrize("unit", ADVERSARIAL, ids=repr)
@pytest.mark.parametrize("parser", list(PARSERS), ids=str)
def test_parsers_are_linear(parser: str, unit: str) -> None:
    _assert_linear(PARSERS[parser], unit)


def test_a_megabyte_date_of_spaces_is_instant() -> None:
    text = "1" + " " * 1_000_000 + "/1/2024 10:30"
    start = time.perf_counter()
    assert parse_date(text) == "not-a-date"
    assert time.perf_counter() - start < 0.5


def test_thousands_of_unit_names_are_quick() -> None:
    text = ", ".join(["Sở Văn hóa", "Thể thao và Du lịch"] * 20_000)
    start = time.perf_counter()
    parts = split_units(text, RESOLVER)
    assert time.perf_counter() - start < 2
    assert parts[0] == ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL") and len(parts) == 20_000


# ------------------------------------------------------------------ properties

#: what a cell may hold (tests.test_normalize) and what an API may hand over besides
cell_values = st.one_of(
    spreadsheet_values,
    st.times(),
    st.timedeltas(),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.binary(max_size=8),
)


@given(cell_values)
@settings(max_examples=300)
def test_any_cell_value_is_safe(value: Any) -> None:
    safe = safe_value(value)
    assert safe is None or type(safe) in PLAIN_TYPES
    if isinstance(safe, float):
        assert math.isfinite(safe)
    cell_text(safe)
    parse_date(safe)


@given(st.text())
@settings(max_examples=300)
def test_any_text_parses_without_raising(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, (date, str))
    split_units(text, RESOLVER)
    looks_legacy_encoded(text)
    fold(text)


@given(st.lists(cell_values, min_size=17, max_size=17))
@settings(max_examples=100, deadline=None)
def test_any_row_is_read_without_raising(row: list[Any]) -> None:
    schema = unit_sheet_schema()
    header = [f.title for f in schema.fields]
    read = read_tab(TabData("Nhiệm vụ", [header, row]), schema, unit="U", resolver=RESOLVER, as_of=AS_OF)
    for task in read.tasks:
        for value in [*task.values.values(), *task.raw.values()]:
            assert not (isinstance(value, float) and not math.isfinite(value))
    for finding in read.findings:
        assert finding.value is None or type(finding.value) in PLAIN_TYPES


def test_odd_types_become_text() -> None:
    assert safe_value(float("nan")) == "NaN"
    assert safe_value(float("-inf")) == "-Infinity"
    assert safe_value({"a": 1}) == "{'a': 1}"
    assert safe_value(datetime(2024, 1, 1)) == datetime(2024, 1, 1)
    assert safe_value(clock(1, 2)) == clock(1, 2) and safe_value(timedelta(1)) == timedelta(1)
