"""Next year's calendar: load the State Council's arrangement, and build the calendar every Env uses.

A loaded arrangement is a CalendarYear row; the newest row for a year is in force and makes every
day of that year exact (no longer provisional). Loading recounts the provisional deadlines in the same
transaction and tells the assignees of each deadline that moved, once (the notices are keyed by
task and new date, so loading the same file again tells nobody).

Processes pick a new load up without a restart: `current_calendar` runs one small query (the ids and
digests of the loaded rows) each time an Env is built and rebuilds the calendar only when that
version changed; the parsed arrangements are cached per process by version.
"""

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from quorum.calendar import WorkCalendar, YearArrangement
from quorum.calendar_arrangement import describe, digest, missing_festivals
from quorum.core.messages import message
from quorum.db import CalendarYear, Person
from quorum.services import audit, permissions
from quorum.services.env import Env
from quorum.services.outbox import Outlets
from quorum.services.reminders import recompute_provisional

_CACHE: dict[tuple[tuple[int, str], ...], dict[int, YearArrangement]] = {}
_CACHE_SIZE = 8


def version(s: Session) -> tuple[tuple[int, str], ...]:
    """The loaded rows' (id, digest): changes whenever anything is loaded; cheap to read."""
    return tuple((i, d) for i, d in s.execute(select(CalendarYear.id, CalendarYear.digest).order_by(CalendarYear.id)))


def arrangements(s: Session) -> dict[int, YearArrangement]:
    """The arrangement in force for each loaded year (the newest load of the year)."""
    return _cached(version(s), lambda: [(r.year, r.holidays, r.workdays, r.label) for r in
                                        s.execute(select(CalendarYear).order_by(CalendarYear.id)).scalars()])


def work_calendar(s: Session, settings: Any) -> WorkCalendar:
    """The calendar of config.toml with every loaded arrangement on top (inside a transaction)."""
    return settings.calendar().with_arrangements(arrangements(s).values())


def current_calendar(engine: Engine, settings: Any) -> WorkCalendar:
    """work_calendar for building an Env: one small read outside any transaction of the caller's.

    It runs on a raw connection in autocommit because on SQLite every SQLAlchemy transaction starts
    with BEGIN IMMEDIATE, and an Env is often built while the request's own transaction is open.
    """
    found = _cached(tuple((i, d) for i, d in _select(engine, "id, digest")),
                    lambda: _select(engine, "year, holidays, workdays, label"))
    return settings.calendar().with_arrangements(found.values())


def _select(engine: Engine, columns: str) -> list[tuple[Any, ...]]:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f"SELECT {columns} FROM calendar_year ORDER BY id")
        rows = [tuple(row) for row in cursor.fetchall()]
        cursor.close()
        return rows
    finally:
        raw.close()


def _cached(key: tuple[tuple[int, str], ...], read: Callable[[], list[tuple[Any, ...]]]) -> dict[int, YearArrangement]:
    """The arrangements of this version, parsed once per process; the newest row of a year wins."""
    found = _CACHE.get(key)
    if found is None:
        found = {year: _arrangement(year, holidays, workdays, label) for year, holidays, workdays, label in read()}
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = found
    return found


def _arrangement(year: int, holidays: Any, workdays: Any, label: str) -> YearArrangement:
    """One stored row (JSON lists of ISO dates; a raw SQLite read returns them as text)."""
    holidays, workdays = (json.loads(v) if isinstance(v, str) else v for v in (holidays, workdays))
    return YearArrangement(year, frozenset(map(date.fromisoformat, holidays)),
                           frozenset(map(date.fromisoformat, workdays)), "loaded", label)


def load_year(s: Session, env: Env, actor: Person, arrangement: YearArrangement,
              outlets: Outlets) -> dict[str, Any]:
    """Put a year's arrangement in force, recount the provisional deadlines and tell who is affected.

    Only an administrator or the secretariat may load. The same arrangement loaded again changes nothing.
    """
    permissions.require(s, env, actor, "calendar.load", subject="calendar_year", subject_id=arrangement.year)
    fingerprint = digest(arrangement)
    current = s.execute(select(CalendarYear).where(CalendarYear.year == arrangement.year)
                        .order_by(CalendarYear.id.desc()).limit(1)).scalar_one_or_none()
    result = {"year": arrangement.year, "label": arrangement.label, "holidays": len(arrangement.holidays),
              "workdays": len(arrangement.workdays), "warnings": missing_festivals(arrangement),
              "unchanged": current is not None and current.digest == fingerprint, "moved": []}
    if result["unchanged"]:
        return result
    row = CalendarYear(year=arrangement.year, holidays=sorted(d.isoformat() for d in arrangement.holidays),
                       workdays=sorted(d.isoformat() for d in arrangement.workdays), label=arrangement.label,
                       digest=fingerprint, loaded_at=env.now, loaded_by_id=actor.id)
    s.add(row)
    s.flush()
    audit.append(s, env, actor.id, "calendar.year_loaded", "calendar_year", row.id,
                 {"year": arrangement.year, "label": arrangement.label, "holidays": row.holidays,
                  "workdays": row.workdays, "replaces": current.id if current else None})
    fresh = replace(env, calendar=env.calendar.with_arrangements([arrangement]))
    result["moved"] = recompute_provisional(s, fresh, outlets)
    return result


def year_report(cal: WorkCalendar, year: int) -> dict[str, Any]:
    """A year's days off and make-up working days with where each comes from, for `quorum calendar show`."""
    days = [{"date": n.day, "text": describe(n.day), "working": n.working, "name": n.name, "source": n.source,
             "source_name": message(f"calendar.source.{n.source}"), "provisional": n.provisional}
            for n in cal.notable_days(year)]
    arrangement = cal.arrangements.get(year)
    source = arrangement.source if arrangement else "official" if year in cal.covered_years else "statutory"
    return {"year": year, "exact": year in cal.exact_years(), "label": arrangement.label if arrangement else "",
            "source": source, "source_name": message(f"calendar.source.{source}"), "days": days}
