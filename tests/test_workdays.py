"""Working days of Vietnamese public offices (sync.workdays): counts checked by hand on a calendar."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.workdays import WorkCalendar


def works(cal: WorkCalendar, day: date) -> bool:
    """``day`` is a working day: one working day from the day before to it."""
    return cal.working_days(day - timedelta(days=1), day) == 1


def test_tet_2025_every_weekday_off() -> None:
    # civil servants were off from Sat 25/01 to Sun 02/02/2025: from Fri 24/01 to Mon 03/02 only Monday works
    cal = WorkCalendar()
    assert cal.working_days(date(2025, 1, 24), date(2025, 2, 3)) == 1
    assert not any(works(cal, date(2025, 1, d)) for d in range(27, 32))
    assert works(cal, date(2025, 2, 3))


def test_30_4_and_1_5_2025_with_the_make_up_saturday() -> None:
    # Sat 26/04 worked (in exchange for Fri 02/05); 30/04, 01/05 and 02/05 off:
    # after Fri 25/04 up to Mon 05/05: 26/04, 28/04, 29/04, 05/05
    cal = WorkCalendar()
    assert works(cal, date(2025, 4, 26))
    assert not works(cal, date(2025, 5, 2))
    assert cal.working_days(date(2025, 4, 25), date(2025, 5, 5)) == 4


def test_national_day_2025() -> None:
    # Mon 01/09 and Tue 02/09 off: after Fri 29/08 up to Fri 05/09: 03, 04 and 05/09
    assert WorkCalendar().working_days(date(2025, 8, 29), date(2025, 9, 5)) == 3


def test_configured_day_off_and_working_saturday() -> None:
    start, end = date(2025, 3, 7), date(2025, 3, 17)  # Fri to Mon: 10–14/03 and 17/03
    assert WorkCalendar().working_days(start, end) == 6
    off = WorkCalendar(days_off=[date(2025, 3, 10)])
    assert off.working_days(start, end) == 5 and not works(off, date(2025, 3, 10))
    both = WorkCalendar(days_off=[date(2025, 3, 10)], working_saturdays=[date(2025, 3, 15)])
    assert both.working_days(start, end) == 6 and works(both, date(2025, 3, 15))


def test_start_day_not_counted_end_day_counted_and_order() -> None:
    cal = WorkCalendar()
    assert cal.working_days(date(2025, 3, 3), date(2025, 3, 7)) == 4  # Mon -> Fri
    assert cal.working_days(date(2025, 3, 7), date(2025, 3, 7)) == 0
    assert cal.working_days(date(2025, 3, 7), date(2025, 3, 3)) == 0


def test_count_agrees_with_day_by_day_over_years() -> None:
    """The closed-form count equals counting each day, across 2024–2026 (two Tết, every holiday)."""
    cal = WorkCalendar(days_off=[date(2024, 12, 31)], working_saturdays=[date(2024, 12, 28)])
    start = date(2024, 1, 1)
    day, count = start, 0
    while day < date(2026, 12, 31):
        day = date.fromordinal(day.toordinal() + 1)
        count += works(cal, day)
        if day.day in (1, 15):
            assert cal.working_days(start, day) == count, day


CALENDAR = WorkCalendar(days_off=[date(2025, 3, 10)], working_saturdays=[date(2025, 3, 15)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dates(date(2023, 1, 1), date(2027, 12, 31)), min_size=3, max_size=3))
def test_counts_add_up_and_never_exceed_the_days(days: list[date]) -> None:
    a, b, c = sorted(days)
    cal = CALENDAR
    assert cal.working_days(a, c) == cal.working_days(a, b) + cal.working_days(b, c)
    assert 0 <= cal.working_days(a, c) <= (c - a).days
