"""Working-day arithmetic on the mainland China (Asia/Shanghai) official calendar.

Where a day's status comes from, strongest first:

1. explicit overrides (config.toml ``[calendar] holidays/workdays``) — exact for that day;
2. a year's complete arrangement — loaded with ``quorum calendar load`` (stored in the database)
   or declared complete in config.toml (``complete_years``) — exact for every day of that year;
3. ``chinese_calendar``'s official data (2004–2026 in version 1.11.0) — exact;
4. otherwise the statutory fallback: the festival days of the national Regulations on Public Holidays
   (STATUTORY_FESTIVALS below; the lunar ones through the ``holidays`` package) are rest days,
   other weekdays are working days — and every such day is *provisional*.

The fallback never guesses the swapped days (tiaoxiu): the make-up working weekends and the bridging
days off are decided each year by the State Council's notice, so until it is loaded a year's weekends
are rest days and its deadlines stay provisional.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

import chinese_calendar

from quorum.core.messages import message

TZ = ZoneInfo("Asia/Shanghai")

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------------------------
# data: the statutory festivals (national law, not a county rule, hence here and not in policies/)


@dataclass(frozen=True)
class Festival:
    """A festival on which all citizens have days off: `days` rest days starting `offset` days from its anchor.

    The anchor is a Gregorian "MM-DD" or one of the lunar/solar-term anchors in _ANCHORS.
    """

    name: str
    anchor: str
    offset: int
    days: int


# 《全国年节及纪念日放假办法》第二条, as amended by the State Council in November 2024 (in force 2025-01-01):
# 元旦 1 day; 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (农历清明当日); 劳动节 2 days
# (5月1日、2日); 端午节 1 day (农历端午当日); 中秋节 1 day (农历中秋当日); 国庆节 3 days (10月1日至3日).
STATUTORY_FESTIVALS: tuple[Festival, ...] = (
    Festival(message("calendar.festival_new_year"), "01-01", 0, 1),
    Festival(message("calendar.festival_spring"), "lunar_new_year", -1, 4),
    Festival(message("calendar.festival_qingming"), "qingming", 0, 1),
    Festival(message("calendar.festival_labour_day"), "05-01", 0, 2),
    Festival(message("calendar.festival_dragon_boat"), "dragon_boat", 0, 1),
    Festival(message("calendar.festival_mid_autumn"), "mid_autumn", 0, 1),
    Festival(message("calendar.festival_national_day"), "10-01", 0, 3),
)
STATUTORY_FROM_YEAR = 2025      # the year the festival table above took effect

_ANCHORS = {"lunar_new_year": "lunar_new_year_date", "qingming": "qingming_date",
            "dragon_boat": "dragon_boat_date", "mid_autumn": "mid_autumn_date"}


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
    """Return the last calendar day of the month (for deadlines such as "by the end of April")."""
    date(year, month, 1)  # validate month before doing arithmetic on it
    next_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return next_first - _ONE_DAY


@functools.cache
def add_months(d: date, months: int) -> date:
    """Return the same day n months later, or that month's last day ("a year's probation", "valid 6 months")."""
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return min(d.replace(year=year, month=month, day=1) + (d.day - 1) * _ONE_DAY, month_end(year, month))


def covered_years() -> frozenset[int]:
    """Return the years for which chinese_calendar has official holiday data."""
    years = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
    return frozenset(range(min(years), max(years) + 1))


def _anchor(anchor: str, year: int) -> date | None:
    """The anchor's Gregorian date in year; None where the lunar tables end (after 2100)."""
    if anchor not in _ANCHORS:
        month, day = (int(part) for part in anchor.split("-"))
        return date(year, month, day)
    # The `holidays` package keeps the Chinese lunisolar tables (1901–2100) used for its CN calendar.
    from holidays.calendars.chinese import _ChineseLunisolar
    found, _estimated = getattr(_ChineseLunisolar(), _ANCHORS[anchor])(year)
    return found


@functools.cache
def statutory_holidays(year: int) -> Mapping[date, str]:
    """Return the statutory festival rest days of year (day -> festival name), without any swapped days.

    These are the days off the law fixes by itself; the year's notice adds bridging days off and
    make-up working weekends, which cannot be derived and are not guessed here.
    """
    days: dict[date, str] = {}
    for festival in STATUTORY_FESTIVALS if year >= STATUTORY_FROM_YEAR else ():
        start = _anchor(festival.anchor, year)
        if start is None:
            continue
        for i in range(festival.days):
            day = start + (festival.offset + i) * _ONE_DAY
            days[day] = message("calendar.festival_names", names=days[day],
                                name=festival.name) if day in days else festival.name
    return MappingProxyType(days)


@dataclass(frozen=True)
class YearArrangement:
    """A year's complete official arrangement: its days off and its make-up working days.

    Every other day of the year follows the week (Mon–Fri work). `source` says where it came from:
    "loaded" (quorum calendar load) or "config" (config.toml complete_years).
    """

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: str = "loaded"
    label: str = ""          # e.g. the notice's title or the file loaded

    @classmethod
    def of_overrides(cls, year: int, overrides: Mapping[date, bool]) -> YearArrangement:
        """The year's listed days of config.toml, declared complete there (complete_years)."""
        days = {d: w for d, w in overrides.items() if d.year == year}
        return cls(year, frozenset(d for d, w in days.items() if not w), frozenset(d for d, w in days.items() if w),
                   "config", "config.toml")

    def is_workday(self, d: date) -> bool:
        return d in self.workdays or (d.weekday() < 5 and d not in self.holidays)

    def outside_days(self) -> dict[date, bool]:
        """The listed days that fall outside the year itself (True = working day)."""
        return {d: d in self.workdays for d in self.holidays | self.workdays if d.year != self.year}


@dataclass(frozen=True)
class DayNote:
    """One notable day of a year for `quorum calendar show`: a day off or a make-up working day."""

    day: date
    working: bool
    name: str
    source: str              # config | loaded | official | statutory
    provisional: bool


def festival_of(d: date, run: Iterable[date] = ()) -> str:
    """Name the statutory festival d belongs to: its own, else one in its run of days off."""
    for day in (d, *run):
        name = statutory_holidays(day.year).get(day)
        if name:
            return name
    return ""


@dataclass(frozen=True)
class Deadline:
    """A computed due date; provisional when it relies on guessed (Mon–Fri) days."""

    due: date
    provisional: bool


class WorkCalendar:
    """Answer working-day questions: overrides, then complete years, then chinese_calendar, then the law.

    Immutable: `with_overrides` / `with_arrangements` return new calendars, so an Env built for
    one request or flow run keeps the calendar it started with.
    """

    def __init__(self, overrides: Mapping[date, bool] | None = None,
                 arrangements: Mapping[int, YearArrangement] | None = None) -> None:
        self._overrides: Mapping[date, bool] = MappingProxyType(dict(overrides or {}))
        self._arrangements: Mapping[int, YearArrangement] = MappingProxyType(dict(arrangements or {}))
        # A notice may fix days of the year before (e.g. "2018年12月29日上班" in the 2019 notice).
        self._spill: Mapping[date, bool] = MappingProxyType(
            {d: is_work for a in self._arrangements.values() for d, is_work in a.outside_days().items()})

    @property
    def overrides(self) -> Mapping[date, bool]:
        """Return the read-only override map (True = working day, False = holiday)."""
        return self._overrides

    @property
    def arrangements(self) -> Mapping[int, YearArrangement]:
        """Return the complete arrangements by year (loaded or declared complete in config.toml)."""
        return self._arrangements

    @property
    def covered_years(self) -> frozenset[int]:
        """Return the years chinese_calendar has data for."""
        return covered_years()

    def exact_years(self) -> frozenset[int]:
        """Return the years whose every day is known: official data or a complete arrangement."""
        return covered_years() | frozenset(self._arrangements)

    def with_overrides(self, more: Mapping[date, bool]) -> WorkCalendar:
        """Return a new calendar with more overrides layered on top of these."""
        return WorkCalendar({**self._overrides, **more}, self._arrangements)

    def with_arrangements(self, more: Iterable[YearArrangement]) -> WorkCalendar:
        """Return a new calendar where these years' arrangements replace any earlier ones."""
        return WorkCalendar(self._overrides, {**self._arrangements, **{a.year: a for a in more}})

    def is_workday(self, d: date) -> bool:
        """Tell whether d is an official working day (a statutory-fallback guess beyond the data)."""
        if d in self._overrides:
            return self._overrides[d]
        if d in self._spill:
            return self._spill[d]
        if d.year in self._arrangements:
            return self._arrangements[d.year].is_workday(d)
        try:
            return chinese_calendar.is_workday(d)
        except NotImplementedError:
            return d.weekday() < 5 and d not in statutory_holidays(d.year)

    def is_provisional(self, d: date) -> bool:
        """Tell whether d's status is a guess (statutory festivals, Mon–Fri) rather than official."""
        return (d not in self._overrides and d not in self._spill and d.year not in self._arrangements
                and d.year not in covered_years())

    def source_of(self, d: date) -> str:
        """Say where d's status comes from: config, loaded, official or statutory."""
        if d in self._overrides:
            return "config"
        if d in self._spill:
            return "loaded"
        if d.year in self._arrangements:
            return self._arrangements[d.year].source
        return "official" if d.year in covered_years() else "statutory"

    def notable_days(self, year: int) -> list[DayNote]:
        """Return year's days off beyond plain weekends and its make-up working weekends, by date."""
        notes = []
        day = date(year, 1, 1)
        while day.year == year:
            working = self.is_workday(day)
            name = self._name_of(day, working)
            if name is not None:
                notes.append(DayNote(day, working, name, self.source_of(day), self.is_provisional(day)))
            day += _ONE_DAY
        return notes

    def _name_of(self, d: date, working: bool) -> str | None:
        """Name a notable day (a make-up working day, a festival, a day off); None for an ordinary day or weekend."""
        if working:
            return message("calendar.day_swapped_workday") if d.weekday() >= 5 else None
        source = self.source_of(d)
        if source == "official":
            _is_holiday, english = chinese_calendar.get_holiday_detail(d)
            if english is None and d.weekday() >= 5:
                return None
            day_off = message("calendar.day_off")
            return next((h.chinese for h in chinese_calendar.Holiday if h.value == english), day_off)
        listed = d in self._overrides or d in self._spill or d in getattr(self._arrangements.get(d.year), "holidays", ())
        if source == "statutory" or not listed:
            return festival_of(d) or (None if d.weekday() >= 5 else message("calendar.day_off"))
        return festival_of(d, self._run_of(d)) or message("calendar.day_off")

    def _run_of(self, d: date) -> list[date]:
        """The run of consecutive days off around d (the Spring Festival week), for naming loaded holidays."""
        before, after = d, d
        while not self.is_workday(before - _ONE_DAY) and (d - before).days < 10:
            before -= _ONE_DAY
        while not self.is_workday(after + _ONE_DAY) and (after - d).days < 10:
            after += _ONE_DAY
        return [before + i * _ONE_DAY for i in range((after - before).days + 1)]

    def next_workday(self, d: date, include_self: bool = True) -> date:
        """Return the first working day on or after d (strictly after unless include_self)."""
        return next(day for day in self._walk(d, 1, include_self) if self.is_workday(day))

    def previous_workday(self, d: date, include_self: bool = False) -> date:
        """Return the last working day before d (or on d when include_self)."""
        return next(day for day in self._walk(d, -1, include_self) if self.is_workday(day))

    def add_working_days(self, start: date, n: int) -> Deadline:
        """Return the n-th working day after start ("within N working days from the day of ...").

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
