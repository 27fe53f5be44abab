"""Working-day arithmetic on the mainland China (Asia/Shanghai) official calendar.

Statutory holidays and 调休 make-up working days come from ``chinese_calendar``.
Its data only covers the years published so far, so beyond that range weekdays are
assumed to be working days and the resulting deadlines are flagged as provisional
until the State Council notice is out or an administrator enters overrides.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

TZ = ZoneInfo("Asia/Shanghai")

_ONE_DAY = timedelta(days=1)


def now() -> datetime:
    """Return the current time as an aware Asia/Shanghai datetime."""
    return datetime.now(TZ)


def to_local(dt: datetime) -> datetime:
    """Return dt expressed in Asia/Shanghai.

    Naive datetimes are taken to be Asia/Shanghai wall-clock time already, because
    that is what users type into forms; aware ones are converted.
    """
    if dt.tzinfo is None or dt.utcoffset() is None:
        return dt.replace(tzinfo=TZ)
    return dt.astimezone(TZ)


def month_end(year: int, month: int) -> date:
    """Return the last calendar day of the month (for deadlines such as "4月底")."""
    date(year, month, 1)  # validate month before doing arithmetic on it
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return next_first - _ONE_DAY


@functools.cache
def add_months(d: date, months: int) -> date:
    """Return the same day n months later, or that month's last day ("试用期一年", "有效期6个月")."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return min(d.replace(year=year, month=month, day=1) + (d.day - 1) * _ONE_DAY, month_end(year, month))


def covered_years() -> frozenset[int]:
    """Return the years for which chinese_calendar has official holiday data."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return frozenset(range(min(years), max(years) + 1))


@dataclass(frozen=True)
class Deadline:
    """A computed due date; provisional when it relies on guessed (Mon–Fri) days."""

    due: date
    provisional: bool


class WorkCalendar:
    """Answer working-day questions, letting explicit overrides beat chinese_calendar."""

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
        self._overrides: Mapping[date, bool] = MappingProxyType(dict(overrides or {}))

    @property
    def overrides(self) -> Mapping[date, bool]:
        """Return the read-only override map (True = working day, False = holiday)."""
        return self._overrides

    @property
    def covered_years(self) -> frozenset[int]:
        """Return the years chinese_calendar has data for."""
        return covered_years()

    def with_overrides(self, more: Mapping[date, bool]) -> WorkCalendar:
        """Return a new calendar with more overrides layered on top of these."""
        return WorkCalendar({**self._overrides, **more})

    def is_workday(self, d: date) -> bool:
        """Tell whether d is an official working day."""
        if d in self._overrides:
            return self._overrides[d]
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            return d.weekday() < 5

    def is_provisional(self, d: date) -> bool:
        """Tell whether d's status is a Mon–Fri guess rather than official or overridden."""
        return d not in self._overrides and d.year not in covered_years()

    def next_workday(self, d: date, include_self: bool = True) -> date:
        """Return the first working day on or after d (strictly after unless include_self)."""
        return next(day for day in self._walk(d, 1, include_self) if self.is_workday(day))

    def previous_workday(self, d: date, include_self: bool = False) -> date:
        """Return the last working day before d (or on d when include_self)."""
        return next(day for day in self._walk(d, -1, include_self) if self.is_workday(day))

    def add_working_days(self, start: date, n: int) -> Deadline:
        """Return the n-th working day after start ("自…之日起 N 个工作日").

        Counting starts the day after start; n=0 means start itself if it is a
        working day, else the next one.
        """
        return self._count(start, n, 1)

    def subtract_working_days(self, d: date, n: int) -> Deadline:
        """Return the n-th working day before d (e.g. notice 2 working days before a meeting).

        n=0 means d itself if it is a working day, else the previous one.
        """
        return self._count(d, n, -1)

    def working_days_between(self, a: date, b: date) -> int:
        """Count working days in the half-open interval (a, b]; 0 if b <= a."""
        return sum(1 for i in range(1, (b - a).days + 1) if self.is_workday(a + i * _ONE_DAY))

    def _count(self, origin: date, n: int, step: int) -> Deadline:
        """Walk from origin in direction step until n working days are counted."""
        if n < 0:
            raise ValueError(f"number of working days must be >= 0, got {n}")
        remaining, provisional = n, False
        for day in self._walk(origin, step, include_self=n == 0):
            provisional = provisional or self.is_provisional(day)
            if self.is_workday(day):
                if remaining <= 1:
                    return Deadline(due=day, provisional=provisional)
                remaining -= 1
        raise AssertionError("unreachable: _walk is infinite")

    @staticmethod
    def _walk(origin: date, step: int, include_self: bool) -> Iterator[date]:
        """Yield days from origin onwards in direction step (±1)."""
        day = origin if include_self else origin + step * _ONE_DAY
        while True:
            yield day
            day += step * _ONE_DAY


def parse_overrides(holidays: Iterable[str | date], workdays: Iterable[str | date]) -> dict[date, bool]:
    """Build an override map from ISO date strings (holidays -> False, workdays -> True).

    Raise ValueError naming the offending value, so callers can show it to the user.
    """
    result: dict[date, bool] = {}
    for values, is_work in ((holidays, False), (workdays, True)):
        for value in values:
            day = _parse_date(value)
            if result.get(day, is_work) != is_work:
                raise ValueError(f"date {value!r} is listed both as a holiday and as a workday")
            result[day] = is_work
    return result


def _parse_date(value: str | date) -> date:
    """Parse one ISO date; accept date objects because YAML loaders produce them."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"invalid date {value!r}: expected YYYY-MM-DD, e.g. 2027-01-01") from None
