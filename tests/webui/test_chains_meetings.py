"""Meetings for the chains: a member unit's own 班子会 (unit picker, only that unit's matters), 临机处置
items put on for 追认 automatically, and a 党委会 item that may not be voted on until the meeting has
acknowledged the 卫健委's dissenting opinion — with the nominee recused automatically.
"""

from datetime import datetime, time

from sqlalchemy import select

from quorum.db import AgendaItem, Ballot, Meeting
from quorum.services import matters
from tests.webui import chains
from tests.webui.test_api import set_clock
from tests.webui.test_matters import forms, page, press, user

DONGCHENG_HEAD = "wangxiuying"


def in_days(sc, days: int = 3) -> str:
    day = sc.env.calendar.add_working_days(sc.env.now.date(), days).due
    return datetime.combine(day, time(15)).strftime("%Y-%m-%dT%H:%M")


def member_plan(sc, username: str, unit: str, title: str) -> int:
    return sc.do(username, matters.submit, "member_performance_plan", title,
                 {"unit": unit, "year": "2027", "summary": "向公共卫生和家庭医生签约服务倾斜。"}).id


def test_a_member_unit_schedules_its_own_leadership_meeting_with_only_its_matters(app, sc):
    wulan = member_plan(sc, chains.HEAD, "wulan_chc", "乌兰社区中心2027年度绩效考核与分配方案")
    dongcheng = member_plan(sc, DONGCHENG_HEAD, "dongcheng_chc", "东城社区中心2027年度绩效考核与分配方案")
    head = user(app, chains.HEAD)
    html = page(head, "/meetings/new?body=member_leadership")
    assert "乌兰社区中心2027年度" in html and "东城社区中心2027年度" not in html
    assert "unit-switch" not in forms(html)                      # she runs one unit's meetings only
    assert forms(html)["schedule-form"].fields["unit"] == ["wulan_chc"]
    assert user(app, chains.HEAD).get("/meetings/new?body=member_leadership&unit=dongcheng_chc").status_code == 403

    secretary = page(user(app, chains.SECRETARY), "/meetings/new?body=member_leadership&unit=dongcheng_chc")
    assert "unit-switch" in forms(secretary) and "东城社区中心2027年度" in secretary and "乌兰社区中心2027年度" not in secretary

    response = press(head, "/meetings/new?body=member_leadership", "schedule-form", at=in_days(sc, 2),
                     place="乌兰社区中心会议室", matter=str(wulan))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    with sc.sessions.begin() as s:
        meeting = s.execute(select(Meeting)).scalar_one()
        assert meeting.body_key == "member_leadership" and meeting.title.startswith("乌兰社区中心")
        assert [(i.matter_id, i.seq) for i in meeting.items] == [(wulan, 1)]
        assert {m.name for m in meeting.members} >= {"李春燕", "特木尔", "张华"}
    assert dongcheng not in [i.matter_id for i in _items(sc)]


def _items(sc) -> list[AgendaItem]:
    with sc.sessions.begin() as s:
        rows = list(s.execute(select(AgendaItem)).scalars())
        for r in rows:
            s.expunge(r)
        return rows


def test_an_emergency_decision_is_put_on_the_next_meeting_for_ratification(app, sc):
    emergency = sc.do(chains.SECRETARY_OF_PARTY, matters.submit, "emergency", "关于暴雪天气紧急转运危重患者的临机处置", {
        "body": "party_committee", "unit": "general_hospital", "occurred_on": "2026-10-30",
        "situation": "暴雪封路，两名危重患者须立即转运。", "why_urgent": "夜间突发，来不及开会。",
        "decision_taken": "调派两台负压救护车。"}).id
    secretary = user(app, chains.SECRETARY)
    html = page(secretary, "/meetings/new?body=party_committee")
    assert f'data-testid="mandatory-{emergency}">必须追认' in html and "安排会议时自动列入议程" in html
    assert "matter" not in forms(html)["schedule-form"].fields          # nothing to choose: it goes on by itself
    response = press(secretary, "/meetings/new?body=party_committee", "schedule-form", at=in_days(sc),
                     place="总医院党委会议室")
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert [i.matter_id for i in _items(sc)] == [emergency]
    room = page(secretary, response.headers["Location"])
    assert 'data-testid="mandatory-1">必须追认' in room


def test_a_dissenting_consultation_must_be_acknowledged_before_the_vote_and_the_nominee_is_recused(app, sc):
    mid = chains.appointment_at_party_committee(sc, disagree=True)
    meeting, roll = chains.meeting_in_session(sc, "party_committee", [mid])
    set_clock(app, sc, sc.env.now)
    room_url = f"/meetings/{meeting}"

    member = user(app, "wangjianhua")
    html = page(member, room_url)
    assert "该同志任现职时间较短，建议再培养一段时间。" in html and "须由本议题主持人或党政办确认" in html
    assert "vote-1" not in forms(html)
    assert "那仁（本人为该事项的被提名人或其亲属，依规回避）" in html     # recused when the item was added
    refused = member.post(f"{room_url}/items/1/vote", data={"choice": "agree", "csrf_token": _token(html)})
    assert refused.status_code == 302
    assert "征求意见中有不同意见" in page(member, room_url)
    with sc.sessions.begin() as s:
        assert s.execute(select(Ballot)).first() is None

    secretary = user(app, chains.SECRETARY)
    assert "acknowledge-1" in page(secretary, room_url)
    assert "acknowledge-form-1" not in forms(page(member, room_url))
    press(secretary, room_url, "acknowledge-form-1", text="已向会议通报县卫健委的不同意见，与会成员均已知悉。")
    html = page(member, room_url)
    assert "vote-1" in forms(html) and "已于" in html and "与会成员均已知悉" in html
    with sc.sessions.begin() as s:
        assert s.execute(select(AgendaItem.acknowledged_at)).scalar_one() is not None


def _token(html: str) -> str:
    import re
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
