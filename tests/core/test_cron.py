"""The longest wait between two runs of a cron schedule: twice it is when /healthz calls the sweep stale."""

import pytest

from quorum.core.cron import longest_gap_seconds


@pytest.mark.parametrize(("expression", "seconds"), [
    ("*/15 * * * *", 15 * 60),                   # the default sweep
    ("* * * * *", 60),
    ("0,30 * * * *", 30 * 60),
    ("5 * * * *", 3600),
    ("30 2 * * *", 86400),                       # the nightly job
    ("0 8-18/2 * * *", 14 * 3600),               # 18:00 to 08:00 the next morning
    ("30 7 * * 1-5", 3 * 86400),                 # working days: Friday to Monday
    ("0 9 * * 0", 7 * 86400),                    # Sundays (0 and 7 both name Sunday)
    ("0 9 * * 7", 7 * 86400),
    ("0 0 1 * *", 31 * 86400),                   # monthly: the longest month
])
def test_longest_gap(expression, seconds):
    assert longest_gap_seconds(expression) == seconds


def test_day_of_month_or_day_of_week_when_both_are_given():
    # cron fires when either matches: the 1st of the month or any Monday — never more than a week apart
    assert longest_gap_seconds("0 0 1 * 1") == 7 * 86400


@pytest.mark.parametrize("expression", ["* * * *", "61 * * * *", "*/0 * * * *", "0 0 31 2 *"])
def test_malformed_or_impossible_schedules_are_refused(expression):
    with pytest.raises(ValueError):
        longest_gap_seconds(expression)
