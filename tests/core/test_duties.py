"""Recurring duties as data: periods, due dates, done/due/missing/upcoming, the 推进机制 rollup."""

import copy
import tomllib
from datetime import date
from pathlib import Path

import pytest

from quorum.core import duties
from quorum.core.errors import InvalidPolicy

DUTIES_FILE = Path(__file__).resolve().parents[2] / "policies" / "duties.toml"
SOURCE = "policies/duties.toml"


@pytest.fixture(scope="module")
def raw() -> dict:
    return tomllib.loads(DUTIES_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def parsed(raw) -> dict[str, duties.Duty]:
    return duties.parse_duties(raw, SOURCE, ["party_committee", "management_committee", "board"])


def one(**fields) -> duties.Duty:
    base = {"name": "测试职责", "owner": "general_hospital", "source": "test", "evidence": "manual"}
    return duties.parse_duty("probe", {**base, **fields}, SOURCE)


def test_the_file_holds_the_issue_duties(parsed):
    assert {"promotion_mechanism", "management_committee_consultation", "financial_analysis",
            "semiannual_monitoring", "annual_evaluation", "community_leader_assessment",
            "board_year_end_assessment", "performance_pay_total_form", "president_annual_report"} <= set(parsed)
    pm = parsed["promotion_mechanism"]
    assert pm.per_year == 2 and pm.escalate_on == (11, 1)
    assert pm.evidence == duties.Evidence("meetings_of", "management_committee")
    assert parsed["financial_analysis"].evidence == duties.Evidence("supervision_title_contains", "财务分析")
    assert parsed["president_annual_report"].evidence.manual
    assert parsed["performance_pay_total_form"].due == {"Y": (10, 31)}


def test_periods_half_years(parsed):
    h1, h2 = duties.periods_of(parsed["financial_analysis"], 2026)
    assert (h1.label, h1.start, h1.end, h1.due) == ("H1", date(2026, 1, 1), date(2026, 6, 30), date(2026, 6, 30))
    assert (h2.label, h2.start, h2.end, h2.due) == ("H2", date(2026, 7, 1), date(2026, 12, 31), date(2026, 12, 31))
    assert h1.name == "上半年"


def test_periods_year_with_an_early_due_date(parsed):
    [y] = duties.periods_of(parsed["performance_pay_total_form"], 2026)
    assert (y.label, y.start, y.end, y.due) == ("Y", date(2026, 1, 1), date(2026, 12, 31), date(2026, 10, 31))


def test_periods_quarters_default_to_the_last_day(parsed):
    quarters = duties.periods_of(parsed["management_committee_consultation"], 2028)
    assert [(p.label, p.start, p.due) for p in quarters] == [
        ("Q1", date(2028, 1, 1), date(2028, 3, 31)), ("Q2", date(2028, 4, 1), date(2028, 6, 30)),
        ("Q3", date(2028, 7, 1), date(2028, 9, 30)), ("Q4", date(2028, 10, 1), date(2028, 12, 31))]


def test_february_29_in_a_common_year_is_the_month_end():
    duty = one(periods=["Q1"], due="02-29")
    assert duties.periods_of(duty, 2027)[0].due == date(2027, 2, 28)
    assert duties.periods_of(duty, 2028)[0].due == date(2028, 2, 29)


def statuses(duty, dates, today, year=2026):
    return {st.label: (st.status, st.count) for st in duties.assess(duty, year, dates, today)}


def test_assess_done_due_missing_upcoming(parsed):
    fa = parsed["financial_analysis"]            # remind 10 working days before 06-30 / 12-31
    assert statuses(fa, [], date(2026, 3, 1)) == {"H1": ("upcoming", 0), "H2": ("upcoming", 0)}
    assert statuses(fa, [], date(2026, 6, 20)) == {"H1": ("due", 0), "H2": ("upcoming", 0)}
    assert statuses(fa, [], date(2026, 7, 1)) == {"H1": ("missing", 0), "H2": ("upcoming", 0)}
    assert statuses(fa, [date(2026, 6, 25)], date(2026, 7, 1)) == {"H1": ("done", 1), "H2": ("upcoming", 0)}
    assert statuses(fa, [date(2026, 6, 25)], date(2026, 12, 28)) == {"H1": ("done", 1), "H2": ("due", 0)}
    assert statuses(fa, [date(2026, 6, 25)], date(2027, 1, 4)) == {"H1": ("done", 1), "H2": ("missing", 0)}


def test_the_reminder_window_counts_working_days(parsed):
    fa = parsed["financial_analysis"]
    [h1, _] = duties.assess(fa, 2026, [], date(2026, 6, 1))
    assert h1.remind_from == date(2026, 6, 16)           # 10 Monday–Friday days before Tue 30 June
    [h1, _] = duties.assess(fa, 2026, [], date(2026, 6, 1), working_days_before=lambda d, n: date(2026, 6, 1))
    assert h1.status == "due"                            # a caller's calendar (holidays) is honoured


def test_evidence_after_today_or_outside_the_period_does_not_count(parsed):
    fa = parsed["financial_analysis"]
    assert statuses(fa, [date(2026, 6, 25)], date(2026, 6, 20))["H1"] == ("due", 0)
    assert statuses(fa, [date(2025, 12, 30)], date(2026, 7, 1))["H1"] == ("missing", 0)


def test_manual_duties_are_never_declared_done_or_missing(parsed):
    pr = parsed["president_annual_report"]
    [y] = duties.assess(pr, 2026, None, date(2026, 3, 1))
    assert (y.status, y.count) == ("upcoming", None)
    [y] = duties.assess(pr, 2027, None, date(2028, 1, 10))
    assert y.status == "due" and y.status_name == "待办"


def test_promotion_mechanism_one_of_two_by_1_november_is_flagged(parsed):
    pm = parsed["promotion_mechanism"]
    rows = {st.label: st for st in duties.assess(pm, 2026, [date(2026, 3, 10)], date(2026, 11, 2))}
    assert (rows["H1"].status, rows["H2"].status) == ("done", "upcoming")
    total = rows[duties.TOTAL]
    assert (total.count, total.required, total.status, total.escalated) == (1, 2, "due", True)
    assert duties.period_name(duties.TOTAL) == "全年累计"

    before = duties.rollup(pm, 2026, [date(2026, 3, 10)], date(2026, 10, 31))
    assert (before.status, before.escalated) == ("upcoming", False)
    done = duties.rollup(pm, 2026, [date(2026, 3, 10), date(2026, 9, 8)], date(2026, 11, 2))
    assert (done.status, done.count, done.escalated) == ("done", 2, False)
    late = duties.rollup(pm, 2026, [date(2026, 3, 10)], date(2027, 1, 5))
    assert (late.status, late.escalated) == ("missing", True)


def test_duties_without_per_year_have_no_rollup(parsed):
    labels = [st.label for st in duties.assess(parsed["financial_analysis"], 2026, [], date(2026, 1, 1))]
    assert labels == ["H1", "H2"]


@pytest.mark.parametrize(("change", "words"), [
    ({"periods": ["H3"]}, "periods"),
    ({"periods": ["Y", "H1"]}, "重叠"),
    ({"due": {"H1": "07-31", "H2": "12-31"}}, "不在该期间内"),
    ({"due": {"Q1": "03-31"}}, "不在 periods 中"),
    ({"due": {"H1": "6/30"}}, "MM-DD"),
    ({"due": {"H1": "06-31"}}, "不是有效日期"),
    ({"evidence": {"meetings_of": "nobody"}}, "不是 bodies.toml"),
    ({"evidence": {"emails": "x"}}, "evidence"),
    ({"evidence": "auto"}, "evidence"),
    ({"per_year": 0}, "per_year"),
    ({"per_year": None, "escalate_on": "11-01"}, "escalate_on"),
    ({"remind_working_days_before": -1}, "remind_working_days_before"),
    ({"owner": ""}, "owner"),
    ({"frequency": "often"}, "未知的字段"),
])
def test_invalid_duties_are_refused_naming_file_and_key(raw, change, words):
    broken = copy.deepcopy(raw)
    duty = broken["duties"]["financial_analysis"]
    duty["evidence"] = {"meetings_of": "management_committee"}
    for field, value in change.items():
        if value is None:
            duty.pop(field, None)
        else:
            duty[field] = value
    with pytest.raises(InvalidPolicy) as caught:
        duties.parse_duties(broken, SOURCE, ["management_committee"])
    text = str(caught.value)
    assert SOURCE in text and "financial_analysis" in text and words in text, text


def test_a_file_without_duties_is_refused():
    with pytest.raises(InvalidPolicy, match="duties"):
        duties.parse_duties({}, SOURCE)
