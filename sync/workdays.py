"""Working days of Vietnamese public offices: Monday to Friday, less the public holidays, less the
days off the Government adds each year, plus the Saturdays worked to make up for them.

The public holidays come from the ``holidays`` package (``holidays.country_holidays("VN")``:
Tết by the lunar calendar, the Hùng Kings' day, 30/4, 1/5, 2/9 and the days next to them,
maintained there year by year, including the Saturdays it knows are worked in exchange).
A year's own decisions (e.g. Tết 2025 for civil servants from 25/01 to 02/02) are declared in
the config, ``[calendar] days_off`` and ``working_saturdays`` (``sync.config.CalendarSettings``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


class WorkCalendar:
    """Which days are working days: ``working_days`` counts them between two dates."""

    def __init__(self, days_off: Iterable[date] = (), working_saturdays: Iterable[date] = ()) -> None:
        self._extra_off = frozenset(days_off)
        self._extra_on = frozenset(working_saturdays)
        self._years: dict[int, tuple[frozenset[date], frozenset[date]]] = {}

    def _year(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        """(days off, weekend days worked) of one year: the package's, then the config's."""
        known = self._years.get(year)
        if known is None:
            import holidays  # 40 ms: only when a request is judged

            vn = holidays.country_holidays("VN", years=year)
            worked = {d for d in vn.weekend_workdays if d.year == year} | {
                d for d in self._extra_on if d.year == year
            }
            off = {d for d in vn if d.year == year} | {d for d in self._extra_off if d.year == year}
            known = self._years[year] = (frozenset(off - worked), frozenset(worked))
        return known

    def working_days(self, start: date, end: date) -> int:
        """The working days after ``start`` up to and including ``end`` (0 when ``end`` ≤ ``start``).

        From a request made on Monday 03/03/2025 to a deadline on Friday 07/03/2025: 4 (Tuesday
        to Friday): the day the request is made does not count, the deadline does.
        """
        if end <= start:
            return 0
        first = start + timedelta(days=1)
        days = (end - first).days + 1
        weeks, rest = divmod(days, 7)
        count = weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)
        for year in range(first.year, end.year + 1):
            off, worked = self._year(year)
            count -= sum(1 for d in off if first <= d <= end and d.weekday() < 5)
            count += sum(1 for d in worked if first <= d <= end and d.weekday() >= 5)
        return count


__all__ = ["WorkCalendar"]
