import re
from datetime import UTC, date, datetime, timedelta

import pytest

from quorum.calendar import (
    TZ,
    Deadline,
    WorkCalendar,
    covered_years,
    month_end,
    now,
    parse_overrides,
    to_local,
)

CAL = WorkCalendar()


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- official 2026 schedule (chinese_calendar 1.11.0) ---------------------------------------------------


def test_national_day_makeup_saturday_is_workday():
    assert date(2026, 10, 10).weekday() == 5
    assert CAL.is_workday(date(2026, 10, 10))


def test_national_day_2026_is_holiday_and_oct_8_is_back_to_work():
    # State Council schedule: 10-01..10-07 off, 09-20 (Sun) and 10-10 (Sat) worked.
    assert not any(CAL.is_workday(d) for d in days(date(2026, 10, 1), date(2026, 10, 7)))
    assert CAL.is_workday(date(2026, 10, 8))
    assert CAL.is_workday(date(2026, 9, 20))


def test_spring_festival_makeup_saturdays_are_workdays():
    assert CAL.is_workday(date(2026, 2, 14))
    assert CAL.is_workday(date(2026, 2, 28))


def test_ordinary_weekend_is_not_workday():
    assert not CAL.is_workday(date(2026, 10, 11))


def test_publicity_period_spanning_national_day():
    # 公示 5 个工作日, started 2026-09-29: 09-30, 10-08, 10-09, 10-10 (Sat, 调休), 10-12.
    assert CAL.add_working_days(date(2026, 9, 29), 5) == Deadline(due=date(2026, 10, 12), provisional=False)


def test_add_working_days_counts_from_the_next_day():
    assert CAL.add_working_days(date(2026, 3, 12), 1).due == date(2026, 3, 13)
    assert CAL.add_working_days(date(2026, 3, 13), 1).due == date(2026, 3, 16)


# --- years without official data --------------------------------------------------------------------------


def test_covered_years_match_chinese_calendar_data():
    years = covered_years()
    assert {2004, 2026} <= years
    assert 2027 not in years and 2003 not in years
    assert CAL.covered_years == years


def test_2027_falls_back_to_weekdays_and_is_provisional():
    # Beyond the data: Mon–Fri work except the statutory festivals (元旦 here); every day is 暂定.
    for d in days(date(2027, 1, 1), date(2027, 1, 31)):
        assert CAL.is_workday(d) == (d.weekday() < 5 and d != date(2027, 1, 1))
        assert CAL.is_provisional(d)
    deadline = CAL.add_working_days(date(2027, 3, 5), 1)  # Friday
    assert deadline == Deadline(due=date(2027, 3, 8), provisional=True)
    assert not CAL.is_provisional(date(2026, 12, 31))


def test_deadline_crossing_into_2027_is_provisional():
    # 2027-01-01 (Friday) is 元旦 even without the year's notice; the next working day is Monday.
    assert CAL.add_working_days(date(2026, 12, 31), 1) == Deadline(due=date(2027, 1, 4), provisional=True)


def test_override_changes_2027_deadline():
    cal = CAL.with_overrides({date(2027, 1, 4): False})  # a bridging day off the notice might add
    assert not cal.is_workday(date(2027, 1, 4))
    assert not cal.is_provisional(date(2027, 1, 4))
    assert cal.is_provisional(date(2027, 1, 5))
    assert cal.add_working_days(date(2026, 12, 31), 1) == Deadline(due=date(2027, 1, 5), provisional=True)
    # The original calendar is untouched.
    assert CAL.is_workday(date(2027, 1, 4))


def test_deadline_on_overridden_days_only_is_not_provisional():
    cal = WorkCalendar({date(2027, 1, 1): True})
    assert cal.add_working_days(date(2026, 12, 31), 1) == Deadline(due=date(2027, 1, 1), provisional=False)


def test_guessed_day_before_overridden_due_date_keeps_deadline_provisional():
    # 2027-01-01..04 are statutory/Mon–Fri guesses even though the due date itself is overridden.
    cal = WorkCalendar({date(2027, 1, 5): True})
    assert cal.add_working_days(date(2026, 12, 31), 2) == Deadline(due=date(2027, 1, 5), provisional=True)


def test_override_beats_chinese_calendar():
    cal = WorkCalendar({date(2026, 10, 10): False, date(2026, 10, 4): True})
    assert not cal.is_workday(date(2026, 10, 10))
    assert cal.is_workday(date(2026, 10, 4))


def test_with_overrides_layers_on_existing_ones():
    base = WorkCalendar({date(2027, 1, 1): False, date(2027, 2, 6): True})
    cal = base.with_overrides({date(2027, 2, 6): False})
    assert not cal.is_workday(date(2027, 1, 1))
    assert not cal.is_workday(date(2027, 2, 6))
    assert base.is_workday(date(2027, 2, 6))


# --- counting helpers -------------------------------------------------------------------------------------


def test_subtract_working_days_across_weekend():
    # Meeting Monday 2026-03-16: notice at least 2 working days before -> Thursday 03-12.
    assert CAL.subtract_working_days(date(2026, 3, 16), 2) == Deadline(
        due=date(2026, 3, 12), provisional=False
    )


def test_subtract_working_days_across_national_day():
    assert CAL.subtract_working_days(date(2026, 10, 8), 1).due == date(2026, 9, 30)


def test_working_days_between_is_half_open():
    assert CAL.working_days_between(date(2026, 9, 29), date(2026, 10, 12)) == 5
    assert CAL.working_days_between(date(2026, 3, 13), date(2026, 3, 16)) == 1
    assert CAL.working_days_between(date(2026, 3, 16), date(2026, 3, 16)) == 0
    assert CAL.working_days_between(date(2026, 3, 16), date(2026, 3, 13)) == 0


def test_n_zero_returns_start_when_workday():
    assert CAL.add_working_days(date(2026, 10, 10), 0).due == date(2026, 10, 10)
    assert CAL.subtract_working_days(date(2026, 10, 10), 0).due == date(2026, 10, 10)


def test_n_zero_moves_off_a_holiday():
    assert CAL.add_working_days(date(2026, 10, 3), 0).due == date(2026, 10, 8)
    assert CAL.subtract_working_days(date(2026, 10, 3), 0).due == date(2026, 9, 30)


@pytest.mark.parametrize("method", ["add_working_days", "subtract_working_days"])
def test_negative_n_raises(method):
    with pytest.raises(ValueError, match="-1"):
        getattr(CAL, method)(date(2026, 3, 16), -1)


def test_next_and_previous_workday():
    assert CAL.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 9)) == date(2026, 10, 9)
    assert CAL.next_workday(date(2026, 10, 9), include_self=False) == date(2026, 10, 10)
    assert CAL.previous_workday(date(2026, 10, 8)) == date(2026, 9, 30)
    assert CAL.previous_workday(date(2026, 10, 8), include_self=True) == date(2026, 10, 8)


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        (2028, 2, date(2028, 2, 29)),
        (2026, 2, date(2026, 2, 28)),
        (2026, 12, date(2026, 12, 31)),
        (2026, 4, date(2026, 4, 30)),
    ],
)
def test_month_end(year, month, expected):
    assert month_end(year, month) == expected


@pytest.mark.parametrize("month", [0, 13])
def test_month_end_rejects_bad_month(month):
    with pytest.raises(ValueError):
        month_end(2026, month)


# --- overrides parsing ------------------------------------------------------------------------------------


def test_parse_overrides():
    assert parse_overrides(["2027-01-01", " 2027-02-11 "], ["2027-02-06"]) == {
        date(2027, 1, 1): False,
        date(2027, 2, 11): False,
        date(2027, 2, 6): True,
    }


def test_parse_overrides_accepts_yaml_dates():
    assert parse_overrides([date(2027, 1, 1)], []) == {date(2027, 1, 1): False}


@pytest.mark.parametrize("bad", ["2027-02-30", "27/01/01", ""])
def test_parse_overrides_error_names_bad_value(bad):
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        parse_overrides(["2027-01-01"], [bad])


def test_parse_overrides_rejects_date_in_both_lists():
    with pytest.raises(ValueError, match="2027-01-01"):
        parse_overrides(["2027-01-01"], ["2027-01-01"])


# --- time zone --------------------------------------------------------------------------------------------


def test_now_is_aware_shanghai():
    current = now()
    assert current.tzinfo is TZ
    assert current.utcoffset() == timedelta(hours=8)


def test_to_local_converts_aware_and_keeps_naive_wall_time():
    converted = to_local(datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    assert (converted.hour, converted.tzinfo) == (8, TZ)
    local = to_local(datetime(2026, 1, 1, 9, 30))
    assert (local.hour, local.tzinfo) == (9, TZ)
