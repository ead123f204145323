"""Working days of Vietnamese public offices: Monday to Friday, less the public holidays, less the
days off the Government adds each year, plus the Saturdays worked to make up for them.

The public holidays come from the ``holidays`` package (``holidays.country_holidays("VN")``:
Tết by the lunar calendar, the Hùng Kings' day, 30/4, 1/5, 2/9 and the days next to them,
maintained there year by year, including the Saturdays it knows are worked in exchange).
A year's own decisions (e.g. Tết 2025 for civil servants from 25/01 to 02/02) are declared in
the config, ``[calendar] days_off`` and ``working_saturdays`` (``sync.config.CalendarSettings``).

The package takes some 0.1 s to import and compute a year, more than the rest of checking a
province's requests; ``PublicHolidays`` keeps the years it computed in the province's local
cache (``Config.cache_path``, table ``holidays``), for the same installed package only
(``package_stamp``: its distribution's name and version and its Vietnam module's file).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

#: (days off, weekend days worked) of one year
YearDays = tuple[frozenset[date], frozenset[date]]


def package_stamp() -> str | None:
    """The installed ``holidays`` package, without importing it: its distribution (name and
    version) and its Vietnam module's size and time; None when it cannot be told for sure."""
    try:
        spec = importlib.util.find_spec("holidays")
        if spec is None or not spec.submodule_search_locations:
            return None
        package = Path(next(iter(spec.submodule_search_locations)))
        dists = [e.name for e in os.scandir(package.parent) if e.name.startswith("holidays-")]
        dists = [d for d in dists if d.endswith(".dist-info")]
        if len(dists) != 1:
            return None
        st = (package / "countries" / "vietnam.py").stat()
    except (OSError, ValueError, ImportError):
        return None
    return f"{dists[0]} {st.st_size} {st.st_mtime_ns}"


class PublicHolidays:
    """Vietnam's public holidays year by year, from the ``holidays`` package; ``known``: years
    computed before by the same package (``load``), ``computed``: the years this object added."""

    def __init__(self, known: dict[int, YearDays] | None = None, stamp: str | None = None) -> None:
        self.known = dict(known or {})
        self.stamp = stamp
        self.computed: set[int] = set()

    def year(self, year: int) -> YearDays:
        days = self.known.get(year)
        if days is None:
            import holidays  # 0.1 s: only when a request is judged, and not remembered

            vn = holidays.country_holidays("VN", years=year)
            days = (
                frozenset(d for d in vn if d.year == year),
                frozenset(d for d in vn.weekend_workdays if d.year == year),
            )
            self.known[year] = days
            self.computed.add(year)
        return days

    @classmethod
    def load(cls, cache: Path) -> PublicHolidays:
        """The years kept in ``cache`` for the installed package (none when in any doubt)."""
        stamp = package_stamp()
        known: dict[int, YearDays] = {}
        if stamp is not None and cache.exists():
            try:
                conn = sqlite3.connect(f"{cache.resolve().as_uri()}?mode=ro", uri=True)
                try:
                    rows = conn.execute(
                        "SELECT year, days FROM holidays WHERE stamp = ?", (stamp,)
                    ).fetchall()
                finally:
                    conn.close()
                for year, text in rows:
                    off, worked = json.loads(text)
                    known[int(year)] = (
                        frozenset(map(date.fromisoformat, off)),
                        frozenset(map(date.fromisoformat, worked)),
                    )
            except (sqlite3.Error, OSError, ValueError, TypeError):
                known = {}
        return cls(known, stamp)

    def save(self, cache: Path) -> None:
        """Keep the years computed here in ``cache`` (raises ``OSError``; nothing when unsure of
        the package or nothing new)."""
        if self.stamp is None or not self.computed:
            return
        rows = [
            (
                self.stamp,
                y,
                json.dumps([sorted(map(str, self.known[y][0])), sorted(map(str, self.known[y][1]))]),
            )
            for y in sorted(self.computed)
        ]
        from sync.atomic import private_file

        private_file(cache)
        try:
            conn = sqlite3.connect(cache)
            try:
                with conn:
                    conn.execute(
                        "CREATE TABLE IF NOT EXISTS holidays (stamp TEXT, year INTEGER, days TEXT, "
                        "PRIMARY KEY (stamp, year))"
                    )
                    conn.execute("DELETE FROM holidays WHERE stamp != ?", (self.stamp,))
                    conn.executemany("INSERT OR REPLACE INTO holidays VALUES (?, ?, ?)", rows)
            finally:
                conn.close()
        except sqlite3.Error as e:
            raise OSError(str(e)) from e
        self.computed.clear()


class WorkCalendar:
    """Which days are working days: ``working_days`` counts them between two dates."""

    def __init__(
        self,
        days_off: Iterable[date] = (),
        working_saturdays: Iterable[date] = (),
        public: PublicHolidays | None = None,
    ) -> None:
        self._extra_off = frozenset(days_off)
        self._extra_on = frozenset(working_saturdays)
        self._public = public or PublicHolidays()
        self._years: dict[int, YearDays] = {}

    def _year(self, year: int) -> YearDays:
        """(days off, weekend days worked) of one year: the package's, then the config's."""
        known = self._years.get(year)
        if known is None:
            public_off, public_worked = self._public.year(year)
            worked = set(public_worked) | {d for d in self._extra_on if d.year == year}
            off = set(public_off) | {d for d in self._extra_off if d.year == year}
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


__all__ = ["PublicHolidays", "WorkCalendar", "package_stamp"]
