"""Reminder rules (policies/reminders.toml): parse them, and decide what a deadline calls for today.

Pure: the caller passes `today` and a working-day calendar (anything with `is_workday(d)`,
`subtract_working_days(d, n).due` and `working_days_between(a, b)`, such as quorum.calendar.WorkCalendar).
A deadline on a non-working day keeps its date, but its reminders go out on working days only, so
the on-the-day reminder for a Sunday deadline goes out on the Friday before (DOMAIN.md §6.6 #41).
A reminder whose day passed without a sweep (the scheduler was down) is caught up by the next one
(`due_reminder`): only the newest missed, worded for the day it is sent, never once the deadline passed.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any, Protocol

from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message

KINDS = ("task", "supervision", "duty")
BEFORE, DUE_TODAY, OVERDUE = "before", "due_today", "overdue"
_KEYS = {
    "task": {"before_working_days", "on_the_day", "overdue", "escalate_after_misses", "escalate_to", "copy_to"},
    "supervision": {"before_working_days", "on_the_day", "overdue", "escalate_after_misses", "escalate_to",
                    "recipients", "copy_to"},
    "duty": {"on_the_day", "escalate_to", "recipients", "copy_to"},
}
_TOP = {"timing", "deadlines", "digest"}


class Days(Protocol):
    def is_workday(self, d: date) -> bool: ...
    def subtract_working_days(self, d: date, n: int) -> Any: ...
    def working_days_between(self, a: date, b: date) -> int: ...


@dataclass(frozen=True)
class DeadlineRule:
    kind: str
    before_working_days: tuple[int, ...] = ()
    on_the_day: bool = True
    overdue: bool = False
    escalate_after_misses: int = 0          # 0: never escalate
    escalate_to: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    copy_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReminderRules:
    send_from: time
    deadlines: Mapping[str, DeadlineRule]
    digest_horizon_working_days: int
    source: str = "policies/reminders.toml"

    def rule(self, kind: str) -> DeadlineRule:
        return self.deadlines[kind]

    def roles(self) -> set[str]:
        """Every role the rules name, so a loader can check them against roles.toml."""
        return {r for rule in self.deadlines.values() for r in (*rule.escalate_to, *rule.recipients, *rule.copy_to)}


@dataclass(frozen=True)
class Reminder:
    kind: str               # before | due_today | overdue
    working_days: int       # before: days left; overdue: days missed; due_today: 0
    on: date | None = None  # the day it fell due (due_reminder): today, or a day the sweep missed


# --------------------------------------------------------------------------------------------
# parsing


def _fail(source: str, key: str, reason: str) -> InvalidPolicy:
    return InvalidPolicy(source=f"{source} [{key}]" if key else source, reason=reason)


def _bool(raw: Mapping[str, Any], name: str, default: bool, source: str, key: str) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise _fail(source, key, message("reminder.not_bool", name=name, value=value))
    return value


def _int(value: Any, name: str, source: str, key: str, maximum: int = 250) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise _fail(source, key, message("reminder.int_out_of_range", name=name, maximum=maximum, value=value))
    return value


def _roles(raw: Mapping[str, Any], name: str, source: str, key: str) -> tuple[str, ...]:
    value = raw.get(name, [])
    if not isinstance(value, list) or not all(isinstance(r, str) and r.strip() for r in value):
        raise _fail(source, key, message("reminder.not_roles", name=name, value=value))
    return tuple(r.strip() for r in value)


def parse_rule(kind: str, raw: Any, source: str) -> DeadlineRule:
    key = f"deadlines.{kind}"
    if not isinstance(raw, Mapping):
        raise _fail(source, key, message("reminder.not_a_table"))
    unknown = sorted(set(raw) - _KEYS[kind])
    if unknown:
        raise _fail(source, key, message("reminder.unknown_keys", keys=message("value.list_separator").join(unknown),
                                          known=message("value.list_separator").join(sorted(_KEYS[kind]))))
    before = raw.get("before_working_days", [])
    if not isinstance(before, list):
        raise _fail(source, key, message("reminder.before_not_list", value=before))
    days = tuple(sorted({_int(n, message("reminder.before_days_name"), source, key) for n in before}, reverse=True))
    if 0 in days:
        raise _fail(source, key, message("reminder.before_has_zero"))
    escalate_after = _int(raw.get("escalate_after_misses", 0), "escalate_after_misses", source, key)
    escalate_to = _roles(raw, "escalate_to", source, key)
    if kind == "duty":
        escalate_after = 1
    if escalate_after and not escalate_to:
        raise _fail(source, key, message("reminder.escalate_to_missing"))
    recipients = _roles(raw, "recipients", source, key)
    if kind in ("supervision", "duty") and not recipients:
        raise _fail(source, key, message("reminder.recipients_missing"))
    return DeadlineRule(kind=kind, before_working_days=days, on_the_day=_bool(raw, "on_the_day", True, source, key),
                        overdue=_bool(raw, "overdue", False, source, key), escalate_after_misses=escalate_after,
                        escalate_to=escalate_to, recipients=recipients, copy_to=_roles(raw, "copy_to", source, key))


def _send_from(raw: Any, source: str) -> time:
    value = (raw or {}).get("send_from", "08:00") if isinstance(raw, Mapping) else raw
    try:
        if not isinstance(value, str) or len(value) != 5:
            raise ValueError
        return time.fromisoformat(value)
    except ValueError:
        raise _fail(source, "timing", message("reminder.send_from_format", value=value)) from None


def parse_rules(raw: Any, source: str = "policies/reminders.toml",
                known_roles: Iterable[str] | None = None) -> ReminderRules:
    """Validate the file's data; raise InvalidPolicy naming the file and the table at fault."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("deadlines"), Mapping):
        raise _fail(source, "", message("reminder.no_deadlines"))
    unknown = sorted(set(raw) - _TOP)
    if unknown:
        raise _fail(source, "", message("reminder.unknown_tables", tables=message("value.list_separator").join(unknown)))
    missing = [k for k in KINDS if k not in raw["deadlines"]]
    extra = sorted(set(raw["deadlines"]) - set(KINDS))
    if missing or extra:
        sep = message("value.list_separator")
        raise _fail(source, "deadlines", message("reminder.kinds_expected", kinds=sep.join(KINDS))
                    + (message("reminder.kinds_missing", kinds=sep.join(missing)) if missing else "")
                    + (message("reminder.kinds_unknown", kinds=sep.join(extra)) if extra else ""))
    rules = {kind: parse_rule(kind, raw["deadlines"][kind], source) for kind in KINDS}
    digest = raw.get("digest", {})
    if not isinstance(digest, Mapping) or set(digest) - {"horizon_working_days"}:
        raise _fail(source, "digest", message("reminder.digest_keys"))
    horizon = _int(digest.get("horizon_working_days", 5), "horizon_working_days", source, "digest", 60)
    result = ReminderRules(_send_from(raw.get("timing"), source), rules, horizon, source)
    if known_roles is not None:
        unknown_roles = sorted(result.roles() - set(known_roles))
        if unknown_roles:
            raise _fail(source, "deadlines", message("reminder.roles_unknown", roles=message("value.list_separator").join(unknown_roles)))
    return result


# --------------------------------------------------------------------------------------------
# deciding


def reminder_for(rule: DeadlineRule, due: date, today: date, days: Days) -> Reminder | None:
    """The one reminder (if any) the deadline calls for today, the most pressing one winning (#44)."""
    if not days.is_workday(today):
        return None
    if today > due:
        missed = misses(due, today, days)
        return Reminder(OVERDUE, missed) if rule.overdue and missed > 0 else None
    if rule.on_the_day and today == days.subtract_working_days(due, 0).due:
        return Reminder(DUE_TODAY, 0)
    for n in sorted(rule.before_working_days):
        if today == days.subtract_working_days(due, n).due:
            return Reminder(BEFORE, n)
    return None


def due_reminder(rule: DeadlineRule, due: date, today: date, days: Days, since: date | None = None) -> Reminder | None:
    """The reminder to send today: today's own, else the newest "before" reminder missed since `since`.

    A sweep that did not run on a reminder's day (the scheduler was down) catches it up on the next
    working day, keyed by the day it fell due so it is still sent at most once. Older missed ones are
    superseded by the newest (one reminder per subject and day, #44), a missed on-the-day reminder by
    the overdue notice, and nothing from before `since` (the day the task or item was created).
    """
    today_s = reminder_for(rule, due, today, days)
    if today_s is not None:
        return replace(today_s, on=today)
    if not days.is_workday(today) or today > due:
        return None
    slots = [(days.subtract_working_days(due, n).due, n) for n in rule.before_working_days]
    missed = [(on, n) for on, n in slots if on < today and (since is None or on >= since)]
    if not missed:
        return None
    on, n = max(missed, key=lambda slot: (slot[0], -slot[1]))
    left = next(m for m in range(1, n + 1) if days.subtract_working_days(due, m).due <= today)
    return Reminder(BEFORE, left, on)


def due_window(rule: DeadlineRule, today: date, days: Days) -> tuple[date | None, date]:
    """The deadlines that may call for something today, as (earliest or None, latest): a filter for SQL.

    Latest: the last deadline whose furthest "before" reminder (or on-the-day one) falls on or before
    today — so missed reminders being caught up are inside. Earliest: today, unless passed deadlines
    still call for overdue notices or escalation (then there is no lower bound). `due_reminder` and
    `escalation_due` still decide for each deadline inside; the window only keeps the rest out.
    """
    lead = max(rule.before_working_days, default=0)
    latest = today
    while days.subtract_working_days(latest + timedelta(days=1), lead).due <= today:
        latest += timedelta(days=1)
    earliest = None if rule.overdue or rule.escalate_after_misses else today
    return earliest, latest


def misses(due: date, today: date, days: Days) -> int:
    """Working days missed: those after the deadline up to and including today."""
    return days.working_days_between(due, today) if today > due else 0


def escalation_due(rule: DeadlineRule, due: date, today: date, days: Days) -> bool:
    """Whether the missed deadline is now to be escalated to the responsible leader."""
    return rule.escalate_after_misses > 0 and misses(due, today, days) >= rule.escalate_after_misses


def pick_leader(escalate_to: Iterable[str], holders_at_unit: Mapping[str, list[int]],
                holders_anywhere: Mapping[str, list[int]], exclude: Iterable[int] = ()) -> int | None:
    """The leader to escalate to: the first role held at the unit, else the first held anywhere."""
    skip = set(exclude)
    for table in (holders_at_unit, holders_anywhere):
        for role in escalate_to:
            people = [p for p in table.get(role, []) if p not in skip]
            if people:
                return people[0]
    return None
