from __future__ import annotations

import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.normalize import (
    MONTH_FIRST,
    NO_SUCH_DAY,
    NOT_A_DATE,
    OUT_OF_RANGE,
    cell_text,
    clean_text,
    fold,
    looks_legacy_encoded,
    parse_date,
)


@pytest.mark.parametrize(
    "value, expected",
    [
        ("15/03/2024", date(2024, 3, 15)),
        ("5/3/2024", date(2024, 3, 5)),
        ("15-03-2024", date(2024, 3, 15)),
        ("15.03.2024", date(2024, 3, 15)),
        ("2024-03-15", date(2024, 3, 15)),
        ("ngày 15 tháng 3 năm 2017", date(2017, 3, 15)),
        ("Ngày 05 tháng 03 năm 2024", date(2024, 3, 5)),
        ("ngay 5 thang 3 nam 2024", date(2024, 3, 5)),
        (" 15/03/2024 ", date(2024, 3, 15)),
        ("15/03/2024 00:00:00", date(2024, 3, 15)),
        (45366, date(2024, 3, 15)),
        (45366.75, date(2024, 3, 15)),
        ("45366", date(2024, 3, 15)),
        (date(2024, 3, 15), date(2024, 3, 15)),
        (datetime(2024, 3, 15, 8, 30), date(2024, 3, 15)),
        (None, None),
        ("", None),
        ("   ", None),
        ("03/15/2024", MONTH_FIRST),
        ("31/02/2024", NO_SUCH_DAY),
        ("29/02/2023", NO_SUCH_DAY),
        ("15/03/1999", OUT_OF_RANGE),
        ("15/03/2101", OUT_OF_RANGE),
        (12, OUT_OF_RANGE),
        ("Quý II/2024", NOT_A_DATE),
        ("15/3", NOT_A_DATE),
        (True, NOT_A_DATE),
        (float("nan"), NOT_A_DATE),
    ],
)
def test_parse_date(value: object, expected: object) -> None:
    assert parse_date(value) == expected


def test_day_first_always() -> None:
    assert parse_date("03/04/2024") == date(2024, 4, 3)


def test_clean_text_nfc_and_trim() -> None:
    nfd = unicodedata.normalize("NFD", "  Đang thực hiện ")
    assert nfd != "Đang thực hiện"
    assert clean_text(nfd) == "Đang thực hiện"


def test_fold_ignores_case_spacing_form_and_diacritics() -> None:
    assert (
        fold("Ngày cập nhật")
        == fold("NGAY  CAP NHAT")
        == fold(unicodedata.normalize("NFD", "ngày cập\nnhật"))
    )
    assert fold("Đã HT") == fold("da ht")


@pytest.mark.parametrize(
    "text, legacy",
    [
        ("Hoµn thµnh", True),
        ("§ang thùc hiÖn", True),
        ("Hoaøn thaønh", True),
        ("Hoàn thành", False),
        ("Đang thực hiện theo Kế hoạch 344/KH-UBND", False),
        ("Nhiệt độ 30°", False),
        ("plain ascii", False),
    ],
)
def test_legacy_encoding(text: str, legacy: bool) -> None:
    assert looks_legacy_encoded(text) is legacy


def test_cell_text() -> None:
    assert cell_text(12.0) == "12"
    assert cell_text(date(2024, 3, 5)) == "05/03/2024"
    assert cell_text(None) == ""
    assert cell_text(True) == "TRUE"


cell_values = st.one_of(
    st.none(),
    st.text(),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


@given(cell_values)
def test_parse_date_never_raises(value: object) -> None:
    result = parse_date(value)
    assert result is None or isinstance(result, (date, str))
    if isinstance(result, date):
        assert 2000 <= result.year <= 2100


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_every_text_form_round_trips(d: date) -> None:
    forms = [
        d.strftime("%d/%m/%Y"),
        f"{d.day}/{d.month}/{d.year}",
        d.strftime("%d-%m-%Y"),
        d.strftime("%d.%m.%Y"),
        d.isoformat(),
        f"ngày {d.day} tháng {d.month} năm {d.year}",
    ]
    for form in forms:
        assert parse_date(form) == d, form


@given(st.text())
def test_text_helpers_never_raise(text: str) -> None:
    fold(text)
    looks_legacy_encoded(text)
    assert clean_text(text) == clean_text(clean_text(text))
