"""统计 after real steps of the 三重一大 process: matters filed, a deadline missed, items decided, meetings held.

Each test drives the engine as the people who would act (one transaction per step), then builds the
web app at a later moment — `create_app(..., now=...)` — and reads the numbers both from the service
and from the inline SVG charts a member would see on a phone.
"""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from quorum.calendar import TZ
from quorum.db import Task
from quorum.services import dashboard, matters, meetings
from quorum.settings import load_settings
from tests.conftest import ROOT
from tests.helpers import schedule, start, submit
from tests.services.test_meeting_rules import appointment, everyone_agrees, project, vote
from tests.webui.conftest import business_events, login
from webui import create_app


def app_at(community, env, tmp_path, now: datetime):
    """The web app as it will look at `now` (same database and rules as the scenario)."""
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    app = create_app(settings, database=community, now=now, test_config={"TESTING": True})
    app.extensions["quorum"].policies = env.policies
    return app


def page(client, path: str = "/dashboard") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def svg(html: str, testid: str) -> str:
    match = re.search(rf'<svg [^>]*data-testid="{testid}".*?</svg>', html, re.S)
    assert match, f"no chart {testid}"
    assert 'role="img"' in match.group(0) and "<title" in match.group(0) and "<desc" in match.group(0)
    return match.group(0)


def bars(chart: str, key: str = "label") -> dict[str, dict[str, int]]:
    """{row label or month: {series: value}} as drawn, plus the total printed at the end of each row."""
    out = {}
    for label, total, body in re.findall(rf'<g class="(?:row|column)" data-{key}="([^"]+)" data-total="(\d+)">(.*?)</g>',
                                         chart, re.S):
        values = {series: int(v) for series, v in re.findall(r'data-series="(\w+)" data-value="(\d+)"', body)}
        out[label] = {**values, "total": int(total)}
    return out


def overview(sc, today: date, year: int | None = None) -> dict:
    with sc.sessions.begin() as s:
        return dashboard.overview(s, sc.env.policies.policy_set, today, year)


def audit_count(sc) -> int:
    with sc.sessions.begin() as s:
        return business_events(s)


# --------------------------------------------------------------------------------------------
# open matters by category and stage


def test_open_matters_by_category_and_stage(client, sc):
    project(sc, "关于购置64排CT的议题", amount="8600000")              # through 前置程序 and 审核: 上会
    submit(sc, "关于任命总医院医务科科长的议题", category="appointment", amount=None)   # in 前置程序
    submit(sc, "关于支付2026年度信息系统运维费的议题", category="funds", amount="150000")
    lawyer, secretary = sc.holder("legal_counsel"), sc.holder("secretariat")
    lift = submit(sc, "关于改造门诊楼电梯的议题", category="project", amount="420000")
    canteen = submit(sc, "关于新建职工食堂的议题", category="project", amount="2300000")
    for mid in (lift, canteen):             # 合法性审查 sends both back to 议题申报
        sc.do(lawyer, matters.act, sc.task_of(lawyer, mid, "legality"), "reject", "合同文本缺少质保条款，请补充后重新申报。")
    sc.do(secretary, matters.act, sc.task_of(secretary, canteen), "withdraw")     # no longer open

    data = overview(sc, sc.env.now.date())["open_matters"]
    by_label = {c["label"]: (c["total"], {k: v for k, v in c["by_stage"].items() if v}) for c in data["categories"]}
    assert by_label == {"重大项目安排": (2, {"submit": 1, "meeting": 1}), "重要干部任免": (1, {"gate": 1}),
                        "大额资金使用": (1, {"gate": 1})}
    assert data["total"] == 4

    login(client, sc.holder("legal_counsel"))                       # any signed-in member may look
    html = page(client)
    drawn = bars(svg(html, "svg-open-matters"))
    assert drawn == {"重大项目安排": {"submit": 1, "meeting": 1, "total": 2}, "重要干部任免": {"gate": 1, "total": 1},
                     "大额资金使用": {"gate": 1, "total": 1}}
    assert re.search(r'data-testid="n-open"><strong>4</strong>', html)
    assert "前置程序" in html and "上会表决" in html            # legend and data table name the stages


# --------------------------------------------------------------------------------------------
# overdue by unit


def test_overdue_tasks_by_the_matters_unit_once_the_deadline_has_passed(client, community, env, sc, tmp_path):
    lawyer = sc.holder("legal_counsel")
    ct = submit(sc, "关于购置64排CT的议题", category="project", amount="8600000")
    sc.do(lawyer, matters.act, sc.task_of(lawyer, ct, "legality"), "approve", "采购程序合法。")   # done in time
    submit(sc, "关于任命蒙医中医医院副院长的议题", category="appointment", amount=None, unit="mongolian_tcm_hospital")
    with sc.sessions.begin() as s:
        due = {t.due_date for t in s.execute(select(Task).where(Task.status == "open")).scalars()}
    assert due == {date(2026, 11, 16)}                    # 前置程序: 10 working days from Mon 2 November
    sc.at(date(2026, 11, 19), 9)                          # filed later: due in December, not overdue on the 20th
    submit(sc, "关于购置救护车的议题", category="funds", amount="380000")

    login(client, lawyer)
    assert "没有逾期的待办或督办事项" in page(client)       # on 2 November nothing is late yet

    later = app_at(community, env, tmp_path, datetime(2026, 11, 20, 10, tzinfo=TZ)).test_client()
    login(later, lawyer)
    html = page(later)
    # 总医院's CT: 风险评估, 征求意见 (two 党政办 holders, 或签: one piece of work), 财务审核 → 3;
    # 蒙医中医医院's appointment: 合法性审查, 征求意见, 纪检监察意见 → 3.
    assert bars(svg(html, "svg-overdue")) == {"总医院": {"tasks": 3, "total": 3},
                                              "蒙医中医医院": {"tasks": 3, "total": 3}}
    assert re.search(r'data-testid="n-overdue-tasks"><strong>6</strong>', html)
    data = overview(sc, date(2026, 11, 20))["overdue"]
    assert (data["tasks"], data["supervision"]) == (6, 0)
    assert overview(sc, date(2026, 11, 16))["overdue"]["tasks"] == 0      # due today is not yet late


# --------------------------------------------------------------------------------------------
# the whole demo: two meetings, two decisions, 督办 items past due


def test_demo_fortnight_meetings_decisions_and_overdue_supervision(client, community, env, sc, tmp_path, decided_demo):
    result = decided_demo(env)
    assert len(result["meetings"]) == 2
    later = app_at(community, env, tmp_path, datetime(2026, 12, 10, 10, tzinfo=TZ)).test_client()
    login(later, sc.holder("member_unit_party_leader"))
    html = page(later)

    # both 督办 items (lead unit 总医院) were due by the end of November and are still open; the demo's
    # chains left a countersign of 东城社区中心 and a task of no unit overdue
    assert bars(svg(html, "svg-overdue")) == {"总医院": {"supervision": 2, "total": 2},
                                               "东城社区中心": {"tasks": 1, "total": 1}, "未指定单位": {"tasks": 1, "total": 1}}
    assert re.search(r'data-testid="n-overdue-supervision"><strong>2</strong>', html)

    # the 院长办公会 and the 党委会 each decided the 远程会诊中心 item in October: 2 passed; the chains'
    # meetings in September decided 7 items
    columns = bars(svg(html, "svg-decisions"), key="month")
    assert list(columns)[0] == "2026-01" and list(columns)[-1] == "2026-12"
    assert columns["2026-10"] == {"passed": 2, "total": 2} and columns["2026-09"] == {"passed": 7, "total": 7}
    assert sum(c["total"] for c in columns.values()) == 9

    # meetings held in 2026 against the 议事规则: far behind 48 and 12 a year
    chart = svg(html, "svg-meetings")
    rows = re.findall(r'data-body="(\w+)" data-held="(\d+)" data-required="(\d+)"', chart)
    held = {body: (int(n), int(required)) for body, n, required in rows}
    assert held == {"party_committee": (2, 12), "president_office": (2, 48), "management_committee": (0, 4),
                    "board": (0, 4), "staff_congress": (1, 1), "member_leadership": (1, 12)}
    assert 'class="row behind" data-body="party_committee"' in chart
    assert 'class="row" data-body="staff_congress"' in chart      # once a year: not behind before December ends
    assert "已开 2 / 应开 12（滞后）" in chart



# --------------------------------------------------------------------------------------------
# decisions per month, split by result; meetings per year


def test_decisions_split_into_passed_not_passed_and_postponed(community, env, sc, tmp_path):
    ct = project(sc, "关于购置64排CT的议题", amount="8600000")
    parking = project(sc, "关于建设职工停车场的议题", amount="1200000")
    cadre = appointment(sc, "关于任命总医院医务科科长的议题")
    secretary = sc.holder("secretariat")

    office = schedule(sc, "president_office", [ct, parking])           # Thu 5 November
    roster = start(sc, office)
    everyone_agrees(sc, office, 1, roster)
    others = [m for m in roster["members"] if m != roster["chair"]]
    for member, choice in zip(others, ("disagree", "disagree", "disagree", "agree"), strict=True):
        vote(sc, office, 2, member, choice)
    vote(sc, office, 2, roster["chair"])                                # 2 of 5 agree: not passed
    for seq in (1, 2):
        sc.do(secretary, meetings.close_item, office, seq)
    sc.do(secretary, meetings.close, office)

    party = schedule(sc, "party_committee", [cadre])                    # Tue 10 November
    roster = start(sc, party)
    others = [m for m in roster["members"] if m != roster["chair"]]
    for member, choice in zip(others, ["postpone"] * 4 + ["agree"] * 3 + ["disagree"], strict=True):
        vote(sc, party, 1, member, choice)
    vote(sc, party, 1, roster["chair"])                                 # 4 of 9 agree, 缓议 4 > 不同意 1
    sc.do(secretary, meetings.close_item, party, 1)
    sc.do(secretary, meetings.close, party)

    data = overview(sc, date(2026, 11, 20))
    november = next(m for m in data["decisions"]["months"] if m["key"] == "2026-11")
    assert (november["passed"], november["not_passed"], november["postponed"]) == (1, 1, 1)
    assert data["decisions"]["totals"] == {"passed": 1, "not_passed": 1, "postponed": 1}
    assert [m["key"] for m in data["decisions"]["months"]][:1] == ["2025-12"]

    client = app_at(community, env, tmp_path, datetime(2026, 11, 20, 10, tzinfo=TZ)).test_client()
    login(client, sc.holder("vice_president"))
    html = page(client)
    columns = bars(svg(html, "svg-decisions"), key="month")
    assert columns["2026-11"] == {"passed": 1, "not_passed": 1, "postponed": 1, "total": 3}
    assert sum(c["total"] for c in columns.values()) == 3
    assert "通过" in html and "未通过" in html and "缓议" in html
    assert re.search(r'data-testid="n-decided"><strong>3</strong>', html)

    # one meeting each in 2026; none in 2025 — where the whole year's number is due
    assert re.search(r'data-body="president_office" data-held="1" data-required="48"', page(client))
    last_year = page(client, "/dashboard?year=2025")
    chart = svg(last_year, "svg-meetings")
    assert re.search(r'data-body="president_office" data-held="0" data-required="48"\s+data-expected="48"', chart)
    assert re.search(r'data-body="party_committee" data-held="0" data-required="12"\s+data-expected="12"', chart)
    assert '<option value="2025" selected>' in last_year
    assert "2025年会议召开情况" in last_year
    bogus = page(client, "/dashboard?year=abc")                          # falls back to this year
    assert "2026年会议召开情况" in bogus


def test_expected_meetings_grow_with_the_year():
    assert dashboard.elapsed_share(2026, date(2026, 1, 1)) == pytest.approx(1 / 365)
    assert dashboard.elapsed_share(2026, date(2026, 7, 2)) == pytest.approx(183 / 365)
    assert dashboard.elapsed_share(2026, date(2026, 12, 31)) == 1.0
    assert dashboard.elapsed_share(2025, date(2026, 3, 1)) == 1.0
    assert dashboard.elapsed_share(2027, date(2026, 3, 1)) == 0.0


def test_a_body_with_enough_meetings_for_the_date_is_not_behind(sc):
    with sc.sessions.begin() as s:
        early = dashboard.meetings_held(s, sc.env.policies.policy_set, 2026, date(2026, 1, 20))
        late = dashboard.meetings_held(s, sc.env.policies.policy_set, 2026, date(2026, 11, 2))
    early = {b["key"]: b for b in early["bodies"]}
    late = {b["key"]: b for b in late["bodies"]}
    # 20 January: 院长办公会 should have met 48 × 20/365 = 2.6 times — 2 whole meetings, none held: behind
    assert (early["president_office"]["expected_to_date"], early["president_office"]["behind"]) == (2.6, True)
    assert (early["party_committee"]["expected_to_date"], early["party_committee"]["behind"]) == (0.7, False)
    assert (late["party_committee"]["expected_to_date"], late["party_committee"]["behind"]) == (10.1, True)


# --------------------------------------------------------------------------------------------
# who may look


def test_anonymous_visitors_are_sent_to_sign_in(client, sc):
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_every_member_may_look_and_looking_changes_nothing(client, sc):
    submit(sc, "关于购置64排CT的议题")
    before = audit_count(sc)
    for username in (sc.holder("staff_representative"), sc.holder("administrator")):
        with client.session_transaction() as session:
            session.clear()
        login(client, username)
        html = page(client)
        for chart in ("svg-open-matters", "svg-decisions", "svg-meetings"):
            svg(html, chart)
    assert audit_count(sc) == before
