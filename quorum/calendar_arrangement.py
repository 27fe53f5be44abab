"""Read a year's holiday arrangement (the State Council General Office's notice on that year's holidays) from a file.

Two formats, both UTF-8 (see docs/calendar/2026.toml for a complete example):

TOML (``.toml``)::

    year = 2027
    notice = "<the notice's title>"                        # optional, shown in the record
    holidays = ["2027-01-01", "2027-02-05..2027-02-11", …]   # days off, single days or ranges
    workdays = ["2027-02-20", …]                              # make-up working days

Text / CSV (``.txt``, ``.csv``), one line per entry, ``#`` starts a comment: the word for a day off
(fangjia) or for a working day (shangban), a comma, a date, and optionally a comma and the last date
of a range (tests/test_calendar_fallback.py has a file of them).

Every date must fall in the year, or in the December before it (a notice sometimes makes
29 December a working day for the coming New Year's Day). The arrangement is the *complete* list:
every day of the year not listed follows the week. Errors name the file and the value, in Chinese.
"""

import hashlib
import tomllib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from quorum.calendar import YearArrangement, _parse_date, statutory_holidays
from quorum.core.errors import InvalidInput
from quorum.core.messages import configuration, message

WEEKDAYS = message("calendar.weekday_names")
# The words an arrangement file may begin a line with: the file format's vocabulary (the notice's words are
# kept with the configuration area's wording), parsed, never shown.
_KINDS = {**configuration.ARRANGEMENT_KINDS, "holiday": "holidays", "holidays": "holidays",
          "workday": "workdays", "workdays": "workdays"}
MAX_RANGE_DAYS = 31


def read_arrangement(path: Path | str, *, source: str = "loaded") -> YearArrangement:
    """Read and validate one arrangement file; raise InvalidInput naming the file on any mistake."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInput.because("calendar.file_missing", path=path) from None
    except UnicodeDecodeError:
        raise InvalidInput.because("calendar.file_not_utf8", name=path.name) from None
    raw = _read_toml(text, path.name) if path.suffix.lower() == ".toml" else _read_lines(text, path.name)
    return parse_arrangement(raw, path.name, source=source)


def _read_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput.because("calendar.file_toml_malformed", name=name, exc=exc) from None


def _read_lines(text: str, name: str) -> dict[str, Any]:
    """The text format: day off (fangjia) or working day (shangban), from[, to] per line; the year is the dates'."""
    raw: dict[str, Any] = {"holidays": [], "workdays": []}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        typed = line.replace(configuration.ARRANGEMENT_FULL_WIDTH_COMMA, ",")    # a full-width comma typed in the file
        cells = [c.strip() for c in typed.split(",")]
        kind = _KINDS.get(cells[0])
        if kind is None or len(cells) not in (2, 3) or not all(cells[1:]):
            raise InvalidInput.because("calendar.file_line_malformed", name=name, number=number, line=line)
        raw[kind].append("..".join(cells[1:]))
    days = [_parse_date(v.split("..")[-1]) for v in raw["holidays"] + raw["workdays"] if _valid(v)]
    if days:
        raw["year"] = max(d.year for d in days)
    return raw


def _valid(value: str) -> bool:
    try:
        _parse_date(value.split("..")[-1])
    except ValueError:
        return False
    return True


def parse_arrangement(raw: dict[str, Any], name: str, *, source: str = "loaded") -> YearArrangement:
    """Validate raw {year, holidays, workdays, notice}; every mistake is one Chinese line naming name."""
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise InvalidInput.because("calendar.file_year_invalid", name=name)
    holidays = _days(raw.get("holidays", []), year, name, "holidays")
    workdays = _days(raw.get("workdays", []), year, name, "workdays")
    if not holidays:
        raise InvalidInput.because("calendar.file_no_holidays", name=name, year=year)
    both = sorted(holidays & workdays)
    if both:
        raise InvalidInput.because("calendar.file_day_both", name=name, both=both[0].isoformat())
    for day in sorted(workdays):
        if day.weekday() < 5:
            raise InvalidInput.because("calendar.file_workday_not_weekend", name=name, day=describe(day))
    label = str(raw.get("notice") or name).strip()[:200]
    return YearArrangement(year, frozenset(holidays), frozenset(workdays), source, label)


def _days(values: Any, year: int, name: str, key: str) -> set[date]:
    if not isinstance(values, list):
        raise InvalidInput.because("calendar.file_dates_not_list", name=name, field=key, year=year)
    out: set[date] = set()
    for value in values:
        out |= _range(value, year, name, key)
    return out


def _range(value: Any, year: int, name: str, key: str) -> set[date]:
    """One entry: a date or "from..to" (inclusive), inside the year or the December before it."""
    parts = str(value).split("..")
    try:
        first, last = _parse_date(parts[0]), _parse_date(parts[-1])
    except ValueError as exc:
        raise InvalidInput.because("calendar.file_range_invalid", name=name, field=key, exc=exc) from None
    if len(parts) > 2 or last < first or (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidInput.because("calendar.file_range_malformed", name=name, field=key, value=value,
                                   max_days=MAX_RANGE_DAYS)
    days = {first + timedelta(days=i) for i in range((last - first).days + 1)}
    for day in sorted(days):
        if day.year != year and not (day.year == year - 1 and day.month == 12):
            raise InvalidInput.because("calendar.file_day_outside_year", name=name, field=key, day=day.isoformat(),
                                       year=year)
    return days


def describe(day: date) -> str:
    """A day as people read it: the ISO date, then the weekday's name in full-width brackets."""
    return message("calendar.day_with_weekday", day=day.isoformat(), weekday=WEEKDAYS[day.weekday()])


def digest(arrangement: YearArrangement) -> str:
    """A fingerprint of the year and its dates, so loading the same arrangement again is recognised."""
    text = "|".join([str(arrangement.year), ",".join(sorted(d.isoformat() for d in arrangement.holidays)),
                     ",".join(sorted(d.isoformat() for d in arrangement.workdays))])
    return hashlib.sha256(text.encode()).hexdigest()


def missing_festivals(arrangement: YearArrangement) -> list[str]:
    """Warn of statutory festival weekdays the arrangement leaves as working days (a likely typo)."""
    return [message("calendar.festival_on_day", festival=festival,
                    day=describe(day)) for day, festival in sorted(statutory_holidays(arrangement.year).items())
            if arrangement.is_workday(day) and day not in arrangement.workdays]
