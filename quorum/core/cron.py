"""How far apart a five-field cron schedule fires at most — what /healthz calls a stale sweep.

Pure: the schedule is read over a fixed reference period (2027–2028, a leap year included), never
against the clock. Fields are those config.toml accepts: numbers, `*`, ranges, steps and lists.
Asia/Shanghai has no daylight saving, so a day is always 1440 minutes.
"""

from datetime import date, timedelta
from functools import lru_cache

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))      # minute, hour, day of month, month, day of week
_FIRST_DAY, _DAYS = date(2027, 1, 1), 731


def _field(text: str, low: int, high: int) -> frozenset[int]:
    """The values one cron field names: `*`, `5`, `1-5`, `*/15`, `8-18/2`, `0,30`."""
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base == "*":
            start, end = low, high
        elif "-" in base:
            start, end = (int(v) for v in base.split("-", 1))
        else:
            start = int(base)
            end = high if step_text else start
        if step < 1 or not low <= start <= end <= high:
            raise ValueError(f"cron field {text!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _day_matches(day: date, doms: frozenset[int], months: frozenset[int], dows: frozenset[int],
                 dom_any: bool, dow_any: bool) -> bool:
    if day.month not in months:
        return False
    dom_ok, dow_ok = day.day in doms, (day.weekday() + 1) % 7 in dows
    if dom_any or dow_any:            # cron: when both are restricted, either one suffices
        return dom_ok and dow_ok
    return dom_ok or dow_ok


@lru_cache(maxsize=32)
def longest_gap_seconds(expression: str) -> int:
    """The longest wait between two consecutive fire times of `expression`, in seconds.

    `*/15 * * * *` → 900; `* * * * *` → 60; `30 7 * * 1-5` → 3 days (Friday to Monday).
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression {expression!r} needs five fields")
    minutes, hours, doms, months, dows = (_field(f, lo, hi) for f, (lo, hi) in zip(fields, _RANGES, strict=True))
    if 7 in dows:
        dows = dows | {0}
    times = sorted(h * 60 + m for h in hours for m in minutes)
    within = max((b - a for a, b in zip(times, times[1:], strict=False)), default=0)
    fire_days = [n for n in range(_DAYS) if _day_matches(_FIRST_DAY + timedelta(days=n), doms, months, dows,
                                                            fields[2] == "*", fields[4] == "*")]
    if not fire_days:
        raise ValueError(f"cron expression {expression!r} never fires")
    across = max(((b - a) * 1440 + times[0] - times[-1] for a, b in zip(fire_days, fire_days[1:], strict=False)),
                 default=0)
    return (max(within, across) or _DAYS * 1440) * 60      # once in two years: at least that long
