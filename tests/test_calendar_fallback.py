"""Next year's calendar without a database: the statutory fallback, arrangement files, complete_years.

chinesecalendar 1.11.0 stops at 2026. For 2027 the law alone fixes 元旦, 春节 (除夕 2027-02-05 to
初三 02-08), 清明 (04-05), 劳动节 (05-01/02), 端午 (06-09), 中秋 (09-15) and 国庆 (10-01..03); the
调休 days wait for the State Council's notice, so every 2027 day stays 暂定 until it is loaded.
"""

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from quorum.calendar import Deadline, WorkCalendar, statutory_holidays
from quorum.calendar_arrangement import parse_arrangement, read_arrangement
from quorum.core.errors import InvalidInput
from quorum.services.calendar_years import year_report
from quorum.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_2026 = ROOT / "docs" / "calendar" / "2026.toml"
EXAMPLE_2027 = ROOT / "tests" / "fixtures" / "calendar" / "2027_example.toml"
CAL = WorkCalendar()


def year_days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


# --- the statutory fallback -------------------------------------------------------------------------------


def test_national_day_2027_is_three_provisional_days_off():
    for d in (date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)):
        assert not CAL.is_workday(d) and CAL.is_provisional(d)
    assert CAL.is_workday(date(2027, 10, 4)) and CAL.is_provisional(date(2027, 10, 4))   # no guessed 调休


def test_spring_festival_2027_follows_the_lunar_calendar():
    # 除夕 is Friday 2027-02-05, 正月初一 Saturday 02-06; the law gives 除夕 to 初三.
    assert [d for d, name in statutory_holidays(2027).items() if name == "春节"] == [
        date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8)]
    assert not CAL.is_workday(date(2027, 2, 5)) and not CAL.is_workday(date(2027, 2, 8))
    assert CAL.is_workday(date(2027, 2, 9))


def test_every_statutory_festival_of_2027_and_2028():
    assert dict(statutory_holidays(2027)) == {
        date(2027, 1, 1): "元旦", date(2027, 2, 5): "春节", date(2027, 2, 6): "春节", date(2027, 2, 7): "春节",
        date(2027, 2, 8): "春节", date(2027, 4, 5): "清明节", date(2027, 5, 1): "劳动节", date(2027, 5, 2): "劳动节",
        date(2027, 6, 9): "端午节", date(2027, 9, 15): "中秋节", date(2027, 10, 1): "国庆节",
        date(2027, 10, 2): "国庆节", date(2027, 10, 3): "国庆节"}
    days_2028 = statutory_holidays(2028)
    assert [d for d, n in days_2028.items() if n == "春节"][0] == date(2028, 1, 25)       # 除夕 2028
    assert days_2028[date(2028, 10, 3)] == "中秋节、国庆节"                                 # they coincide


def test_the_fallback_never_guesses_makeup_working_weekends():
    assert not [d for d in year_days(2027) if d.weekday() >= 5 and CAL.is_workday(d)]
    assert all(CAL.is_provisional(d) for d in year_days(2027))


def test_a_deadline_counted_across_national_day_2027_skips_it_and_stays_provisional():
    # From Tuesday 09-28: 09-29, 09-30, (10-01..03 off), 10-04 … 10-13 is the 10th working day.
    assert CAL.add_working_days(date(2027, 9, 28), 10) == Deadline(date(2027, 10, 13), provisional=True)
    assert CAL.add_working_days(date(2027, 9, 30), 1) == Deadline(date(2027, 10, 4), provisional=True)


def test_official_years_are_untouched_by_the_fallback():
    assert all(CAL.is_workday(d) == chinese_calendar.is_workday(d) for d in year_days(2026))


# --- a loaded arrangement ---------------------------------------------------------------------------------


def test_the_shipped_2026_example_matches_chinesecalendar_day_by_day():
    arrangement = read_arrangement(EXAMPLE_2026)
    cal = WorkCalendar().with_arrangements([arrangement])
    assert arrangement.year == 2026 and arrangement.label == "国务院办公厅关于2026年部分节假日安排的通知"
    assert all(cal.is_workday(d) == chinese_calendar.is_workday(d) for d in year_days(2026))


def test_a_loaded_2027_arrangement_is_exact_and_counts_its_makeup_saturday():
    cal = WorkCalendar().with_arrangements([read_arrangement(EXAMPLE_2027)])
    assert not any(cal.is_provisional(d) for d in year_days(2027))
    assert cal.is_workday(date(2027, 10, 9))                      # 调休 Saturday
    assert not cal.is_workday(date(2027, 10, 7))                  # bridging day off
    assert cal.add_working_days(date(2027, 9, 28), 10) == Deadline(date(2027, 10, 18), provisional=False)
    assert cal.is_provisional(date(2028, 1, 3))                   # the next year is still a guess


def test_the_text_format_reads_like_the_toml_one(tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text("# 2027\n放假,2027-10-01,2027-10-07\n上班，2027-10-09\n放假,2027-01-01\n", encoding="utf-8")
    arrangement = read_arrangement(path)
    assert arrangement.year == 2027 and len(arrangement.holidays) == 8
    assert arrangement.workdays == {date(2027, 10, 9)} and arrangement.label == "2027.txt"


def test_a_notice_may_fix_a_day_of_the_december_before():
    # The 2019 notice: "2018年12月29日（星期六）上班" for 元旦.
    arrangement = parse_arrangement({"year": 2027, "holidays": ["2027-01-01"], "workdays": ["2026-12-26"]}, "x")
    cal = WorkCalendar().with_arrangements([arrangement])
    assert cal.is_workday(date(2026, 12, 26)) and not cal.is_provisional(date(2026, 12, 26))


@pytest.mark.parametrize(("raw", "expected"), [
    ({"holidays": ["2027-01-01"]}, "year 应为"),
    ({"year": 2027, "holidays": []}, "holidays 中没有任何放假日期"),
    ({"year": 2027, "holidays": ["2027-13-01"]}, "invalid date '2027-13-01'"),
    ({"year": 2027, "holidays": ["2027-10-07..2027-10-01"]}, "应写作 开始日期..结束日期"),
    ({"year": 2027, "holidays": ["2028-01-01"]}, "2028-01-01 不在 2027 年"),
    ({"year": 2027, "holidays": ["2027-10-01..2027-10-07"], "workdays": ["2027-10-02"]}, "同时列为放假日和上班日"),
    ({"year": 2027, "holidays": ["2027-10-01"], "workdays": ["2027-10-11"]}, "2027-10-11（周一） 本来就是工作日"),
])
def test_mistakes_in_an_arrangement_are_one_chinese_line(raw, expected):
    with pytest.raises(InvalidInput) as caught:
        parse_arrangement(raw, "2027.toml")
    assert expected in str(caught.value) and "2027.toml" in str(caught.value)


def test_a_bad_line_in_the_text_format_names_its_line(tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text("放假,2027-10-01\n休假 2027-10-02\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="2027.csv 第2行「休假 2027-10-02」"):
        read_arrangement(path)


# --- config.toml complete_years -----------------------------------------------------------------------------


def config(tmp_path: Path, calendar: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[paths]\ndata_dir = \"data\"\n\n[calendar]\n{calendar}\n", encoding="utf-8")
    return path


def test_complete_years_make_the_listed_days_the_whole_arrangement(tmp_path):
    national_day = ", ".join(f'"2027-10-0{i}"' for i in range(1, 8))
    path = config(tmp_path, f'holidays = [{national_day}]\nworkdays = ["2027-10-09"]\ncomplete_years = [2027]')
    cal = load_settings(path, env={}).calendar()
    assert not cal.is_provisional(date(2027, 3, 1)) and cal.source_of(date(2027, 3, 1)) == "config"
    assert cal.add_working_days(date(2027, 9, 28), 10) == Deadline(date(2027, 10, 18), provisional=False)
    assert cal.is_workday(date(2027, 5, 3))      # not listed: the statutory guess no longer applies


def test_a_complete_year_without_holidays_is_refused_naming_the_key(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        load_settings(config(tmp_path, 'holidays = ["2027-01-01"]\ncomplete_years = [2028]'), env={})
    assert "[calendar] complete_years：2028 年在 holidays 中没有任何放假日期" in str(caught.value)
    with pytest.raises(InvalidInput, match="complete_years：应为年份列表"):
        load_settings(config(tmp_path, 'complete_years = "2027"'), env={})


# --- what `quorum calendar show` reads --------------------------------------------------------------------


def test_the_year_report_names_each_day_and_its_source():
    report = year_report(CAL, 2027)
    assert (report["source"], report["exact"]) == ("statutory", False)
    assert [(d["date"], d["name"]) for d in report["days"]][:2] == [(date(2027, 1, 1), "元旦"), (date(2027, 2, 5), "春节")]
    assert all(d["provisional"] and d["source_name"] == "法定节日推算（暂定，未含调休）" for d in report["days"])
    official = year_report(CAL, 2026)
    assert official["exact"] and {"2026-10-10（周六）", "2026-10-07（周三）"} <= {d["text"] for d in official["days"]}
    loaded = year_report(CAL.with_arrangements([read_arrangement(EXAMPLE_2027)]), 2027)
    assert loaded["exact"] and loaded["label"].startswith("2027年节假日安排")
    assert ("2027-10-09（周六）", "调休上班") in {(d["text"], d["name"]) for d in loaded["days"]}
    assert ("2027-10-07（周四）", "国庆节") in {(d["text"], d["name"]) for d in loaded["days"]}
