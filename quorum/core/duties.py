"""Recurring duties (DOMAIN.md §5.1): parse policies/duties.toml and judge a year against evidence.

Pure: the caller reads the file, gathers evidence dates from the record and passes `today` in.
A duty recurs in periods of a year (Y, H1/H2, Q1–Q4); each period has a due date and needs `required`
pieces of evidence inside it. A duty with `per_year` also gets a yearly rollup, escalated when the year's
count is still short on its `escalate_on` date (e.g. the promotion mechanism: 2 a year, checked on 1 November).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message

DONE, DUE, MISSING, UPCOMING = "done", "due", "missing", "upcoming"

# label -> (first month, last month); the Chinese name is message duty.period_<label>
PERIODS: dict[str, tuple[int, int]] = {
    "Y": (1, 12),
    "H1": (1, 6), "H2": (7, 12),
    "Q1": (1, 3), "Q2": (4, 6), "Q3": (7, 9), "Q4": (10, 12),
}
TOTAL = "total"          # the label of the yearly rollup


def period_name(label: str) -> str:
    return message(f"duty.period_{label}")


EVIDENCE_KINDS = ("meetings_of", "supervision_title_contains")
_KEYS = {"name", "owner", "source", "periods", "due", "required", "per_year", "escalate_on",
         "remind_working_days_before", "evidence"}
_LEAP = 2000  # a leap year, so "02-29" parses


@dataclass(frozen=True)
class Evidence:
    kind: str          # "meetings_of", "supervision_title_contains" or "manual"
    value: str = ""

    @property
    def manual(self) -> bool:
        return self.kind == "manual"


@dataclass(frozen=True)
class Duty:
    key: str
    name: str
    owner: str
    source: str
    periods: tuple[str, ...]
    due: Mapping[str, tuple[int, int]]      # period label -> (month, day)
    required: int
    per_year: int | None
    escalate_on: tuple[int, int] | None
    remind_working_days_before: int
    evidence: Evidence


@dataclass(frozen=True)
class Period:
    label: str
    start: date
    end: date
    due: date

    @property
    def name(self) -> str:
        return period_name(self.label)


@dataclass(frozen=True)
class PeriodStatus:
    label: str
    due: date
    status: str
    count: int | None        # None: manual duty, nothing in the record to count
    required: int
    start: date | None = None
    end: date | None = None
    remind_from: date | None = None
    escalated: bool = False

    @property
    def status_name(self) -> str:
        return message(f"state.duty_{self.status}")


# --------------------------------------------------------------------------------------------
# parsing


def _fail(source: str, key: str, reason: str) -> InvalidPolicy:
    return InvalidPolicy(source=f"{source} [duties.{key}]" if key else source, reason=reason)


def _month_day(text: Any, source: str, key: str, what: str) -> tuple[int, int]:
    if not isinstance(text, str) or len(text) != 5 or text[2] != "-":
        raise _fail(source, key, message("duty.month_day_format", what=what, text=text))
    try:
        d = date(_LEAP, int(text[:2]), int(text[3:]))
    except ValueError:
        raise _fail(source, key, message("duty.month_day_invalid", what=what, text=text)) from None
    return d.month, d.day


def _positive_int(value: Any, source: str, key: str, what: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise _fail(source, key, message("duty.int_too_small", what=what, minimum=minimum, value=value))
    return value


def _text(value: Any, source: str, key: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(source, key, message("duty.missing", what=what))
    return value.strip()


def _evidence(raw: Any, source: str, key: str) -> Evidence:
    if raw == "manual":
        return Evidence("manual")
    if isinstance(raw, Mapping) and len(raw) == 1:
        kind, value = next(iter(raw.items()))
        if kind in EVIDENCE_KINDS:
            return Evidence(kind, _text(value, source, key, message("duty.evidence_value", kind=kind)))
    raise _fail(source, key, message("duty.evidence_invalid"))


def _due_of(raw: Any, periods: tuple[str, ...], source: str, key: str) -> dict[str, tuple[int, int]]:
    if raw is None:
        per = {}
    elif isinstance(raw, str):
        per = {label: raw for label in periods}
    elif isinstance(raw, Mapping):
        unknown = sorted(set(raw) - set(periods))
        if unknown:
            raise _fail(source, key, message("duty.due_unknown_periods", periods=message("value.list_separator").join(unknown)))
        per = dict(raw)
    else:
        raise _fail(source, key, message("duty.due_invalid"))
    out = {}
    for label in periods:
        first, last = PERIODS[label]
        name = period_name(label)
        if label not in per:
            end = _period_end(_LEAP - 1, last)      # a non-leap year: the period's last day
            out[label] = (end.month, end.day)
            continue
        month, day = _month_day(per[label], source, key, message("duty.period_due", period=name))
        if not first <= month <= last:
            raise _fail(source, key, message("duty.due_outside_period", period=name, due=per[label]))
        out[label] = (month, day)
    return out


def parse_duty(key: str, raw: Any, source: str = "policies/duties.toml",
               known_bodies: Iterable[str] | None = None) -> Duty:
    if not isinstance(raw, Mapping):
        raise _fail(source, key, message("duty.not_a_table"))
    unknown = sorted(set(raw) - _KEYS)
    if unknown:
        raise _fail(source, key, message("duty.unknown_keys", keys=message("value.list_separator").join(unknown)))
    periods_raw = raw.get("periods", ["Y"])
    if (not isinstance(periods_raw, list) or not periods_raw
            or not all(isinstance(p, str) and p in PERIODS for p in periods_raw)):
        raise _fail(source, key, message("duty.periods_invalid", periods=periods_raw, labels=message("value.list_separator").join(PERIODS)))
    periods = tuple(periods_raw)
    if len(set(periods)) != len(periods):
        raise _fail(source, key, message("duty.periods_repeated"))
    spans = sorted((PERIODS[p][0], PERIODS[p][1]) for p in periods)
    if any(a[1] >= b[0] for a, b in zip(spans, spans[1:], strict=False)):
        raise _fail(source, key, message("duty.periods_overlap"))
    per_year = raw.get("per_year")
    if per_year is not None:
        per_year = _positive_int(per_year, source, key, "per_year")
    escalate_on = None
    if raw.get("escalate_on") is not None:
        if per_year is None:
            raise _fail(source, key, message("duty.escalate_without_per_year"))
        escalate_on = _month_day(raw["escalate_on"], source, key, "escalate_on")
    evidence = _evidence(raw.get("evidence"), source, key)
    if known_bodies is not None and evidence.kind == "meetings_of" and evidence.value not in set(known_bodies):
        raise _fail(source, key, message("duty.evidence_body_unknown", body=evidence.value))
    return Duty(
        key=key,
        name=_text(raw.get("name"), source, key, message("duty.key_name")),
        owner=_text(raw.get("owner"), source, key, message("duty.key_owner")),
        source=_text(raw.get("source"), source, key, message("duty.key_source")),
        periods=periods,
        due=_due_of(raw.get("due"), periods, source, key),
        required=_positive_int(raw.get("required", 1), source, key, "required"),
        per_year=per_year,
        escalate_on=escalate_on,
        remind_working_days_before=_positive_int(raw.get("remind_working_days_before", 0), source, key,
                                                 "remind_working_days_before", minimum=0),
        evidence=evidence,
    )


def parse_duties(raw: Any, source: str = "policies/duties.toml",
                 known_bodies: Iterable[str] | None = None) -> dict[str, Duty]:
    """Validate the whole file's data; raise InvalidPolicy naming the file and the duty at fault."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("duties"), Mapping) or not raw["duties"]:
        raise _fail(source, "", message("duty.no_duties"))
    bodies = None if known_bodies is None else tuple(known_bodies)
    return {key: parse_duty(key, value, source, bodies) for key, value in raw["duties"].items()}


# --------------------------------------------------------------------------------------------
# periods and assessment


def _period_end(year: int, month: int) -> date:
    return (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(days=1)


def _day(year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    if (month, day) == (2, 29):
        return _period_end(year, 2)          # 02-29 in a common year: the month's last day
    return date(year, month, day)


def periods_of(duty: Duty, year: int) -> list[Period]:
    out = []
    for label in duty.periods:
        first, last = PERIODS[label]
        out.append(Period(label, date(year, first, 1), _period_end(year, last), _day(year, duty.due[label])))
    return out


def weekdays_before(d: date, n: int) -> date:
    """The n-th Monday–Friday before d (n=0: d, or the Friday before a weekend)."""
    while d.weekday() >= 5:
        d -= timedelta(days=1)
    while n > 0:
        d -= timedelta(days=1)
        if d.weekday() < 5:
            n -= 1
    return d


def _status(count: int | None, required: int, due: date, remind_from: date, today: date) -> str:
    if count is not None and count >= required:
        return DONE
    if today > due:
        return DUE if count is None else MISSING      # a manual duty is never declared missing by the system
    return DUE if today >= remind_from else UPCOMING


def assess(duty: Duty, year: int, evidence_dates: Iterable[date] | None, today: date,
           working_days_before: Callable[[date, int], date] = weekdays_before) -> list[PeriodStatus]:
    """Judge each period of the year, then (for per_year duties) the yearly rollup, labelled "total".

    evidence_dates: the dates on which the duty was evidenced (None for a manual duty); dates after
    `today` are not counted, so a report can be made as of any day.
    """
    dates = None if evidence_dates is None else sorted(d for d in evidence_dates if d <= today)
    out = []
    for p in periods_of(duty, year):
        count = None if dates is None else sum(1 for d in dates if p.start <= d <= p.end)
        remind_from = max(p.start, working_days_before(p.due, duty.remind_working_days_before))
        out.append(PeriodStatus(p.label, p.due, _status(count, duty.required, p.due, remind_from, today),
                                count, duty.required, p.start, p.end, remind_from))
    if duty.per_year is not None:
        out.append(rollup(duty, year, dates, today, working_days_before))
    return out


def escalation_date(duty: Duty, year: int) -> date | None:
    return _day(year, duty.escalate_on) if duty.escalate_on else None


def rollup(duty: Duty, year: int, evidence_dates: Iterable[date] | None, today: date,
           working_days_before: Callable[[date, int], date] = weekdays_before) -> PeriodStatus:
    """The year as a whole for a per_year duty: due on the last period's due date, escalated when short late."""
    required = duty.per_year or duty.required * len(duty.periods)
    start, end = date(year, 1, 1), date(year, 12, 31)
    due = max(p.due for p in periods_of(duty, year))
    count = None if evidence_dates is None else sum(1 for d in evidence_dates if start <= d <= min(end, today))
    escalate = escalation_date(duty, year)
    remind_from = working_days_before(due, duty.remind_working_days_before)
    if escalate is not None:
        remind_from = min(remind_from, escalate)
    status = _status(count, required, due, remind_from, today)
    escalated = escalate is not None and today >= escalate and status != DONE
    return PeriodStatus(TOTAL, due, status, count, required, start, end, remind_from, escalated)
