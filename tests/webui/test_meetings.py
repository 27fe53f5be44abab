"""会议 in the browser: the agenda builder, the meeting room, ballots and who may do what.

The clock starts on Monday 2026-11-02 09:00; a 院长办公会 on Thursday 11-05 gives the two working
days' notice its 议事规则 require. The 院长办公会 of the 二连浩特市总医院 has five seats in this
order: 总院长 额尔敦 (chair, speaks last), 副院长 刘志刚 and 乌云其其格, 总会计师 张丽萍 and
党委副书记 王建华. Everyone acts through their own login, one request at a time, and every
assertion about what was stored reads the database afresh.
"""

import re
from datetime import datetime

from sqlalchemy import func, select

from quorum.calendar import TZ
from quorum.db import (
    AgendaItem,
    Attendance,
    Ballot,
    BallotReceipt,
    Meeting,
    Recusal,
    SecretTally,
    WrittenOpinion,
)
from quorum.services import attachments, matters, meetings, org, records
from tests.helpers import pass_gate_and_reviews, schedule, start, submit
from tests.webui.conftest import as_user, business_events, flashes, post, text
from tests.webui.test_api import as_user as api_client

THURSDAY = "2026-11-05T09:00"
SECRETARY = "gaowenjing"          # 党政办主任
PRESIDENT = "eerdun"              # 总院长: chair and principal of the 院长办公会
LIU, WU, ZHANG, WANG = "liuzhigang", "wuyunqiqige", "zhangliping", "wangjianhua"
STAFF_REP = "wuhaiyan"            # 职工代表: no seat, no organiser role


# --------------------------------------------------------------------------------------------
# helpers


def project(sc, title: str, amount: str = "860000") -> int:
    """A 重大项目安排 through 前置程序 and both reviews, now waiting for the 院长办公会."""
    mid = submit(sc, title, category="project", amount=amount)
    pass_gate_and_reviews(sc, mid)
    return mid


def appointment(sc, title: str) -> int:
    """A 重要干部任免 through 前置程序 and the 书记's 审定, waiting for the 党委会."""
    mid = submit(sc, title, category="appointment", amount=None)
    pass_gate_and_reviews(sc, mid)
    return mid





def snapshot(community) -> dict:
    """Row counts of everything a meeting request could write, plus every meeting and item status."""
    with community.sessions.begin() as s:
        counts = {m.__name__: s.execute(select(func.count()).select_from(m)).scalar_one()
                  for m in (Meeting, AgendaItem, Attendance, Recusal, WrittenOpinion, Ballot, BallotReceipt)}
        counts["AuditEvent"] = business_events(s)
        counts["meetings"] = sorted(s.execute(select(Meeting.id, Meeting.status)).all())
        counts["items"] = sorted(s.execute(select(AgendaItem.id, AgendaItem.status)).all())
        counts["tallies"] = sorted(s.execute(select(SecretTally.item_id, SecretTally.choice, SecretTally.count))
                                   .all())
    return counts


def meeting_record(community, meeting_id: int) -> dict:
    with community.sessions.begin() as s:
        return records.meeting_record(s, meeting_id)


def matter_record(community, matter_id: int) -> dict:
    with community.sessions.begin() as s:
        return records.matter_record(s, matter_id)


def meeting_time(community, meeting_id: int) -> datetime:
    with community.sessions.begin() as s:
        return meetings.get(s, meeting_id).scheduled_at


def room_url(meeting_id: int) -> str:
    return f"/meetings/{meeting_id}"


def act(client, meeting_id: int, action: str, data: dict | None = None):
    """POST one room form as the signed-in person; the answer is always a redirect back to the room."""
    response = post(client, f"/meetings/{meeting_id}/{action}", data or {}, page=room_url(meeting_id))
    assert response.status_code == 302, text(response)[:300]
    assert response.headers["Location"].startswith(room_url(meeting_id))
    return response


def state(client, meeting_id: int, seq: int) -> str:
    response = client.get(f"/meetings/{meeting_id}/items/{seq}/state", headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200
    return re.sub(r"\s+", " ", text(response))


def ballot_section(page: str, seq: int) -> str:
    """The viewer's own ballot card for an item in vote, at the top of the room."""
    match = re.search(rf'<article class="card ballot" id="ballot-{seq}".*?</article>', page, re.S)
    assert match, f"no ballot for item {seq} on the page"
    return match.group(0)


def item_section(page: str, seq: int) -> str:
    match = re.search(rf'<article class="card item" id="item-{seq}".*?</article>', page, re.S)
    assert match, f"no item {seq} on the page"
    return match.group(0)


# --------------------------------------------------------------------------------------------
# scheduling


def test_schedule_a_presidents_office_meeting_from_the_form(app, sc, community):
    ready = project(sc, "关于购置全自动生化分析仪的议题")
    early = submit(sc, "关于建设医共体消毒供应中心的议题", amount="2300000")
    secretary = as_user(app, SECRETARY)

    page = text(secretary.get("/meetings/new?body=president_office"))
    eligible = re.search(r'data-testid="eligible">(.*?)</ul>', page, re.S).group(1)
    blocked = re.search(r'data-testid="blocked">(.*?)</ul>', page, re.S).group(1)
    assert "关于购置全自动生化分析仪的议题" in eligible and f'name="matter" value="{ready}"' in eligible
    assert "关于建设医共体消毒供应中心的议题" not in eligible and f'name="matter" value="{early}"' not in page
    assert "关于建设医共体消毒供应中心的议题" in blocked
    assert "当前处于「前置程序」，尚缺：合法性审查意见、征求意见汇总、财务管理中心审核意见、风险评估报告" in blocked
    assert 'name="urgent"' not in page                      # only the 院长 may call an urgent meeting

    response = post(secretary, "/meetings/new", {"body": "president_office", "title": "", "at": THURSDAY,
                                                 "place": "总医院行政楼三楼会议室", "matter": str(ready)},
                    page="/meetings/new")
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    rec = meeting_record(community, meeting_id)
    assert rec["title"] == "总医院院长办公会议（2026年11月5日）" and rec["status"] == "scheduled"
    assert rec["scheduled_at"] == datetime(2026, 11, 5, 9, tzinfo=TZ)
    assert rec["place"] == "总医院行政楼三楼会议室"
    assert [i["title"] for i in rec["items"]] == ["关于购置全自动生化分析仪的议题"]
    assert [m["name"] for m in rec["members"]] == ["额尔敦", "刘志刚", "乌云其其格", "张丽萍", "王建华"]

    room = text(secretary.get(room_url(meeting_id)))
    assert "已安排会议：总医院院长办公会议（2026年11月5日）" in room
    assert 'id="item-1"' in room and f'href="/matters/{ready}"' in room
    listing = text(secretary.get("/meetings"))
    upcoming = re.search(r'data-testid="upcoming">(.*?)</ul>', listing, re.S).group(1)
    assert "总医院院长办公会议（2026年11月5日）" in upcoming and "议题1项" in upcoming
    assert "安排会议" in listing

    # Now on an agenda, the matter is no longer offered and says where it is.
    again = text(secretary.get("/meetings/new?body=president_office"))
    blocked = re.search(r'data-testid="blocked">(.*?)</ul>', again, re.S).group(1)
    assert "已列入「总医院院长办公会议（2026年11月5日）」（2026-11-05 09:00）议程" in blocked


def test_the_principal_may_call_an_urgent_meeting(app, sc, community):
    ready = project(sc, "关于购置救护车的议题", amount="380000")
    president = as_user(app, PRESIDENT)
    page = text(president.get("/meetings/new?body=president_office"))
    assert 'name="urgent"' in page
    response = post(president, "/meetings/new", {"body": "president_office", "title": "紧急院长办公会",
                                                 "at": "2026-11-03T08:00", "place": "总医院会议室",
                                                 "urgent": "1", "matter": str(ready)}, page="/meetings/new")
    assert response.status_code == 302
    rec = meeting_record(community, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert rec["urgent"] is True and rec["title"] == "紧急院长办公会"


def test_notice_too_late_shows_the_rule_keeps_the_values_and_stores_nothing(app, sc, community):
    ready = project(sc, "关于购置彩色多普勒超声诊断仪的议题")
    secretary = as_user(app, SECRETARY)
    before = snapshot(community)
    response = post(secretary, "/meetings/new", {"body": "president_office", "title": "院长办公会（第45次）",
                                                 "at": "2026-11-03T09:00", "place": "总医院行政楼三楼会议室",
                                                 "matter": str(ready)}, page="/meetings/new")
    assert response.status_code == 422
    page = text(response)
    assert "会议通知须至少提前2个工作日发出（最迟2026-10-30），紧急会议除外" in page
    assert 'value="院长办公会（第45次）"' in page and 'value="2026-11-03T09:00"' in page
    assert 'value="总医院行政楼三楼会议室"' in page
    assert re.search(rf'name="matter" value="{ready}" checked', page)
    assert snapshot(community) == before


def test_a_matter_whose_gate_is_open_is_refused_with_what_is_missing(app, sc, community):
    ready = project(sc, "关于购置全自动生化分析仪的议题")
    early = submit(sc, "关于建设医共体消毒供应中心的议题", amount="2300000")
    secretary = as_user(app, SECRETARY)
    before = snapshot(community)
    response = post(secretary, "/meetings/new", {"body": "president_office", "at": THURSDAY, "place": "会议室",
                                                 "matter": [str(ready), str(early)]}, page="/meetings/new")
    assert response.status_code == 422
    assert "议题「关于建设医共体消毒供应中心的议题」前置程序未完成，不能列入议程" in text(response)
    assert snapshot(community) == before

    response = post(secretary, "/meetings/new", {"body": "president_office", "at": "", "place": "会议室"},
                    page="/meetings/new")
    assert response.status_code == 422 and "请填写有效的会议时间" in text(response)
    assert snapshot(community) == before


# --------------------------------------------------------------------------------------------
# the meeting room


def test_run_the_room_attendance_recusal_live_quorum_and_votes_with_the_chair_last(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    parking = project(sc, "关于总医院停车场改造的议题", amount="450000")
    meeting_id = schedule(sc, "president_office", [analyser, parking])
    app.extensions["quorum"].fixed_now = meeting_time(community, meeting_id)
    secretary = as_user(app, SECRETARY)

    room = text(secretary.get(room_url(meeting_id)))
    assert 'data-testid="open-meeting"' in room
    assert f'data-refresh-url="/meetings/{meeting_id}/items/1/state" data-refresh-every="4000"' in room
    act(secretary, meeting_id, "open")
    assert meeting_record(community, meeting_id)["status"] == "in_session"

    assert "未达到法定人数" in state(secretary, meeting_id, 1)
    assert "实到（未回避）0人" in state(secretary, meeting_id, 1)
    for member in (LIU, WU):
        act(secretary, meeting_id, "attendance", {"person": member, "status": "present"})
    assert "未达到法定人数" in state(secretary, meeting_id, 1)
    act(secretary, meeting_id, "attendance", {"person": PRESIDENT, "status": "present"})
    box = state(secretary, meeting_id, 1)
    assert "已达到法定人数" in box
    assert "应到会5人，回避0人，计算基数5人，实到（未回避）3人，法定人数须3人（超过1/2）" in box
    assert "本议题主持人：额尔敦" in box
    act(secretary, meeting_id, "attendance", {"person": WANG, "status": "absent", "reason": "参加市委党校培训"})
    act(secretary, meeting_id, "attendance", {"person": ZHANG, "status": "present"})
    act(secretary, meeting_id, "attendance", {"person": "sunlixin", "status": "observer"})     # 纪检 列席

    act(secretary, meeting_id, "items/1/recusals", {"person": ZHANG, "reason": "其配偶在拟投标的设备供应商任职"})
    assert "回避1人，计算基数4人，实到（未回避）3人，法定人数须3人" in state(secretary, meeting_id, 1)
    assert "实到（未回避）4人" in state(secretary, meeting_id, 2)                    # the recusal is per item

    # 刘志刚 steps out: item 1 loses its quorum, then has it again when he is back.
    act(secretary, meeting_id, "attendance", {"person": LIU, "status": "left"})
    box = state(secretary, meeting_id, 1)
    assert "未达到法定人数" in box and "实到（未回避）2人" in box
    act(secretary, meeting_id, "attendance", {"person": LIU, "status": "present"})
    assert "已达到法定人数" in state(secretary, meeting_id, 1)

    room = text(secretary.get(room_url(meeting_id)))
    attendance = re.search(r'data-testid="attendance".*?data-testid="observers">[^<]*</p>', room, re.S).group(0)
    assert "请假事由：参加市委党校培训" in attendance and 'data-testid="observers">孙立新' in attendance
    assert "回避：</strong>张丽萍（其配偶在拟投标的设备供应商任职）" in item_section(room, 1)

    # 末位表态: the chair may not go first.
    chair = as_user(app, PRESIDENT)
    assert 'data-testid="vote-1"' in ballot_section(text(chair.get(room_url(meeting_id))), 1)
    before = snapshot(community)
    act(chair, meeting_id, "items/1/vote", {"choice": "agree"})
    assert "末位表态：主持人须在其他到会且未回避的成员全部表态后表态，尚待表态：刘志刚、乌云其其格" in flashes(chair)
    assert snapshot(community) == before

    liu = as_user(app, LIU)
    page = text(liu.get(room_url(meeting_id)))
    assert 'data-testid="vote-1"' in ballot_section(page, 1)
    assert 'name="status"' not in page and 'data-testid="close-item-1"' not in page    # no organiser controls
    act(liu, meeting_id, "items/1/vote", {"choice": "agree"})
    act(as_user(app, WU), meeting_id, "items/1/vote", {"choice": "agree"})
    assert "尚未表态：额尔敦" in state(secretary, meeting_id, 1)
    mine = ballot_section(text(liu.get(room_url(meeting_id))), 1)
    assert 'data-testid="vote-1"' not in mine and "您已表决：<strong" in mine and ">同意</strong>" in mine  # voted once
    zhang = as_user(app, ZHANG)
    act(zhang, meeting_id, "items/1/vote", {"choice": "agree"})                    # recused: refused
    assert "张丽萍不是本议题的表决成员" in flashes(zhang)
    act(chair, meeting_id, "items/1/vote", {"choice": "agree"})
    assert "您的表决已记录" in flashes(chair)

    act(secretary, meeting_id, "items/1/close")
    box = state(secretary, meeting_id, 1)
    assert "表决结果：通过" in box and "同意3票，不同意0票，弃权0票" in box
    assert "同意3票，须超过应到会人数扣除回避后（4人）的1/2，即至少3票" in box
    decision = matter_record(community, analyser)["decision"]["last"]
    assert decision["result"] == "passed" and decision["counts"] == {"agree": 3, "disagree": 0, "abstain": 0}
    assert matter_record(community, analyser)["current_step"] == "party_committee"

    # Item 2: a dissent with its reason, the chair last; the named ballots are listed in order afterwards.
    act(liu, meeting_id, "items/2/vote", {"choice": "agree"})
    wu = as_user(app, WU)
    act(wu, meeting_id, "items/2/vote", {"choice": "disagree", "reason": "停车场改造应并入明年基建计划统筹。"})
    act(zhang, meeting_id, "items/2/vote", {"choice": "agree"})
    assert 'data-testid="ballots-2"' not in text(secretary.get(room_url(meeting_id)))      # not before the result
    act(chair, meeting_id, "items/2/vote", {"choice": "agree"})
    act(secretary, meeting_id, "items/2/close")
    page = text(secretary.get(room_url(meeting_id)))
    ballots = re.search(r'data-testid="ballots-2">.*?</ol>', page, re.S).group(0)
    names = re.findall(r"<li>(\S+?)：", ballots)
    assert names == ["刘志刚", "乌云其其格", "张丽萍", "额尔敦"]
    assert "不同意</span>（停车场改造应并入明年基建计划统筹。）" in ballots
    assert "表决结果：通过" in item_section(page, 2) and "同意3票，不同意1票，弃权0票" in item_section(page, 2)

    assert 'data-testid="close-meeting"' in page
    act(secretary, meeting_id, "close")
    assert meeting_record(community, meeting_id)["status"] == "closed"
    closed = re.search(r'data-testid="closed">(.*?)</ul>', text(secretary.get("/meetings")), re.S).group(1)
    assert "总医院院长办公会议（2026年11月5日）" in closed and "已散会" in closed and "议题2项" in closed


def test_a_dissent_without_a_reason_is_refused(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    meeting_id = schedule(sc, "president_office", [analyser])
    start(sc, meeting_id)
    wu = as_user(app, WU)
    before = snapshot(community)
    act(wu, meeting_id, "items/1/vote", {"choice": "disagree", "reason": " "})
    assert "投不同意或缓议票时须说明理由（记入会议记录）" in flashes(wu)
    assert snapshot(community) == before


def test_organiser_enters_a_show_of_hands_defers_and_records_a_written_opinion(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    meeting_id = schedule(sc, "president_office", [analyser])
    start(sc, meeting_id, absent={WANG: "外出学习"})
    secretary = as_user(app, SECRETARY)
    page = text(secretary.get(room_url(meeting_id)))
    assert 'data-testid="entry-1"' in page

    act(secretary, meeting_id, "items/1/written", {"person": WANG, "text": "同意购置，建议同步做好维保约定。"})
    act(secretary, meeting_id, "items/1/vote", {"voter": LIU, "choice": "agree"})
    assert "已登记刘志刚的表决：同意" in flashes(secretary)
    page = text(secretary.get(room_url(meeting_id)))
    assert "王建华：同意购置，建议同步做好维保约定。" in item_section(page, 1)
    assert "已表决 1 人" in state(secretary, meeting_id, 1)

    act(secretary, meeting_id, "items/1/defer", {"reason": "供应商资质材料待补充"})
    rec = meeting_record(community, meeting_id)["items"][0]
    assert rec["status"] == "deferred" and rec["note"] == "供应商资质材料待补充"
    page = text(secretary.get(room_url(meeting_id)))
    assert "暂缓表决" in item_section(page, 1) and "原因：供应商资质材料待补充" in item_section(page, 1)


def test_secret_ballot_item_shows_only_how_many_voted(app, sc, community):
    mid = appointment(sc, "关于任命格日勒敖都苏木卫生服务站站长的议题")
    secretary = as_user(app, SECRETARY)
    page = text(secretary.get("/meetings/new?body=party_committee"))
    assert f'name="secret" value="{mid}"' in page                      # personnel: 无记名投票 offered
    response = post(secretary, "/meetings/new", {"body": "party_committee", "at": THURSDAY, "place": "总医院党委会议室",
                                                 "matter": str(mid), "secret": str(mid)}, page="/meetings/new")
    assert response.status_code == 302
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    roster = start(sc, meeting_id)
    members = [u for u in roster["members"] if u != roster["chair"]]

    page = text(secretary.get(room_url(meeting_id)))
    assert "无记名投票" in item_section(page, 1) and 'data-testid="entry-1"' not in page
    before = snapshot(community)
    act(secretary, meeting_id, "items/1/vote", {"voter": members[0], "choice": "agree"})
    assert "无记名投票只能由本人投出" in flashes(secretary)
    assert snapshot(community) == before

    for username, choice in zip(members[:2], ("agree", "postpone"), strict=True):
        act(as_user(app, username), meeting_id, "items/1/vote", {"choice": choice})
    section = item_section(text(secretary.get(room_url(meeting_id))), 1)
    assert "已表决 2 人" in section
    assert "ballots-1" not in section and "缓议</span>" not in section
    for username in members[2:]:
        act(as_user(app, username), meeting_id, "items/1/vote", {"choice": "agree"})
    act(as_user(app, roster["chair"]), meeting_id, "items/1/vote", {"choice": "agree"})
    act(secretary, meeting_id, "items/1/close")

    section = item_section(text(secretary.get(room_url(meeting_id))), 1)
    assert "表决结果：通过" in section and "同意8票，不同意0票，缓议1票" in section
    assert "无记名投票，共9人投票，不公开个人选择" in section
    assert "ballots-1" not in section
    with community.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(Ballot)).scalar_one() == 0     # no named ballot stored


def test_only_an_urgent_matter_joins_the_agenda_in_session(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    parking = project(sc, "关于总医院停车场改造的议题", amount="450000")
    outbreak = submit(sc, "关于建设医共体消毒供应中心的议题", amount="2300000")
    meeting_id = schedule(sc, "president_office", [analyser])
    start(sc, meeting_id)
    sc.do(PRESIDENT, matters.mark_urgent, outbreak, "消毒供应能力不足，存在院感风险，须立即研究")
    secretary = as_user(app, SECRETARY)
    form = re.search(r'data-testid="add-item">.*?</form>', text(secretary.get(room_url(meeting_id))), re.S).group(0)
    assert "增加紧急议题" in text(secretary.get(room_url(meeting_id)))
    assert f'value="{outbreak}"' in form and f'value="{parking}"' not in form     # no 临时动议

    before = snapshot(community)
    act(secretary, meeting_id, "items", {"matter": str(parking)})
    assert "临时动议不予上会" in flashes(secretary)
    assert snapshot(community) == before

    act(secretary, meeting_id, "items", {"matter": str(outbreak)})
    page = text(secretary.get(room_url(meeting_id)))
    assert "关于建设医共体消毒供应中心的议题" in item_section(page, 2) and "紧急议题" in item_section(page, 2)
    assert matter_record(community, outbreak)["current_step"] == "president_office"


# --------------------------------------------------------------------------------------------
# who may do what


ROOM_POSTS = [("open", {}), ("close", {}), ("attendance", {"person": LIU, "status": "present"}),
              ("items", {"matter": "1"}), ("items/1/recusals", {"person": LIU, "reason": "亲属关系"}),
              ("items/1/written", {"person": WANG, "text": "同意。"}), ("items/1/vote", {"choice": "agree"}),
              ("items/1/close", {}), ("items/1/defer", {"reason": "不足法定人数"})]


def test_anonymous_visitors_are_sent_to_the_login_page(app, sc, community):
    client = app.test_client()
    for path in ("/meetings", "/meetings/new", "/meetings/new?body=president_office", "/meetings/1",
                 "/meetings/1/items/1/state"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    before = snapshot(community)
    for action, data in [("", {}), *ROOM_POSTS]:
        path = "/meetings/new" if not action else f"/meetings/1/{action}"
        response = post(client, path, data, page="/login")
        assert response.status_code == 302 and "/login" in response.headers["Location"], path
    assert snapshot(community) == before
    # The live box, fetched by script after the session expired, gets a 401 rather than the login page.
    assert client.get("/meetings/1/items/1/state", headers={"X-Requested-With": "fetch"}).status_code == 401


def test_a_staff_representative_may_not_schedule_a_meeting(app, sc, community):
    ready = project(sc, "关于购置全自动生化分析仪的议题")
    staff = as_user(app, STAFF_REP)
    listing = text(staff.get("/meetings"))
    assert 'data-testid="schedule-link"' not in listing
    assert staff.get("/meetings/new").status_code == 403
    assert staff.get("/meetings/new?body=president_office").status_code == 403
    before = snapshot(community)
    response = post(staff, "/meetings/new", {"body": "president_office", "at": THURSDAY, "place": "会议室",
                                             "matter": str(ready)})
    assert response.status_code == 403
    assert snapshot(community) == before


def test_people_outside_a_meeting_may_not_see_it_or_act_in_it(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    meeting_id = schedule(sc, "president_office", [analyser])
    staff = as_user(app, STAFF_REP)
    assert staff.get(room_url(meeting_id)).status_code == 403
    assert staff.get(f"/meetings/{meeting_id}/items/1/state").status_code == 403
    assert "总医院院长办公会议" not in text(staff.get("/meetings"))
    before = snapshot(community)
    act(staff, meeting_id, "open")
    assert "无权执行此操作" in flashes(staff)
    assert snapshot(community) == before

    start(sc, meeting_id)
    before = snapshot(community)
    for action, data in ROOM_POSTS:
        act(staff, meeting_id, action, {**data, "matter": str(analyser)} if action == "items" else data)
        assert flashes(staff), action                  # every refusal is shown
    assert snapshot(community) == before

    # A 列席 guest may read the meeting once registered.
    hr = as_user(app, "alatan")
    assert hr.get(room_url(meeting_id)).status_code == 403
    act(as_user(app, SECRETARY), meeting_id, "attendance", {"person": "alatan", "status": "observer"})
    assert hr.get(room_url(meeting_id)).status_code == 200
    assert "阿拉坦" in text(hr.get(room_url(meeting_id))) and 'data-testid="vote-1"' not in text(hr.get(room_url(meeting_id)))

    # 纪检 may read every meeting; a member who is not an organiser sees it without organiser controls.
    assert as_user(app, "sunlixin").get(room_url(meeting_id)).status_code == 200
    page = text(as_user(app, WANG).get(room_url(meeting_id)))
    assert 'name="status"' not in page and "会务登记" not in page and "宣布结果" not in page


def test_a_member_who_does_not_organise_may_not_run_the_meeting(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    meeting_id = schedule(sc, "president_office", [analyser])
    start(sc, meeting_id)
    liu = as_user(app, LIU)
    before = snapshot(community)
    for action, data in [("attendance", {"person": WANG, "status": "left"}),
                         ("items/1/recusals", {"person": WANG, "reason": "亲属关系"}),
                         ("items/1/vote", {"voter": WANG, "choice": "agree"}),
                         ("items/1/close", {}), ("items/1/defer", {"reason": "再议"}), ("close", {})]:
        act(liu, meeting_id, action, data)
        assert "无权执行此操作" in flashes(liu), action
    assert snapshot(community) == before


# --------------------------------------------------------------------------------------------
# the member's own part of the room (issue 14): 请假 and 书面意见 before the meeting, the papers one tap away


def test_an_absent_member_hands_in_his_leave_and_written_opinion_before_the_meeting(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    parking = project(sc, "关于总医院停车场改造的议题", amount="450000")
    meeting_id = schedule(sc, "president_office", [analyser, parking])
    wang = as_user(app, WANG)
    page = text(wang.get(room_url(meeting_id)))
    assert 'data-testid="hand-in"' in page and "不能到会？请假并提交书面意见" in page
    assert 'name="text-1"' in page and 'name="text-2"' in page

    before = snapshot(community)
    act(wang, meeting_id, "hand-in", {"reason": " ", "text-1": ""})
    assert "请填写请假原因或至少一项议题的书面意见" in flashes(wang)
    assert snapshot(community) == before

    act(wang, meeting_id, "hand-in", {"reason": "参加市委党校培训", "text-1": "同意购置，建议同步做好维保约定。",
                                      "text-2": ""})
    assert "已提交：请假、1项议题的书面意见" in flashes(wang)
    record = meeting_record(community, meeting_id)
    assert [(p["name"], p["attendance"], p["reason"]) for p in record["members"] if p["attendance"]] == [
        ("王建华", "absent", "参加市委党校培训")]
    assert record["items"][0]["written_opinions"] == [{"name": "王建华", "text": "同意购置，建议同步做好维保约定。"}]
    assert record["items"][1]["written_opinions"] == []
    page = text(wang.get(room_url(meeting_id)))
    assert "您已请假（参加市委党校培训），可就各议题提交书面意见" in page
    assert 'data-testid="my-written-1"' in page and 'name="text-1"' not in page and 'name="text-2"' in page
    act(wang, meeting_id, "hand-in", {"text-2": "停车场改造宜并入明年基建计划。"})
    assert "已提交：1项议题的书面意见" in flashes(wang)

    # The chair reads both in the room; the meeting opens and it is too late to file more.
    app.extensions["quorum"].fixed_now = meeting_time(community, meeting_id)
    secretary = as_user(app, SECRETARY)
    act(secretary, meeting_id, "open")
    chair_page = text(as_user(app, PRESIDENT).get(room_url(meeting_id)))
    assert "王建华：同意购置，建议同步做好维保约定。" in item_section(chair_page, 1)
    assert "王建华：停车场改造宜并入明年基建计划。" in item_section(chair_page, 2)
    assert 'data-testid="hand-in"' not in text(wang.get(room_url(meeting_id)))
    before = snapshot(community)
    liu = as_user(app, LIU)
    act(liu, meeting_id, "hand-in", {"reason": "临时有事", "text-1": "同意。"})
    assert "会议当前状态为「会议进行中」，只能在开会前自行请假或提交书面意见" in flashes(liu)
    assert snapshot(community) == before

    # Someone without a seat may not hand anything in.
    staff = as_user(app, STAFF_REP)
    response = post(staff, f"/meetings/{meeting_id}/hand-in", {"reason": "出差"}, page="/meetings")
    assert response.status_code == 403
    assert snapshot(community) == before


def test_the_ballot_comes_first_with_the_papers_one_tap_away_and_shows_the_choice_after_voting(app, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    rt = app.extensions["quorum"]
    with community.sessions.begin() as s:
        attachments.add(s, rt.env(), org.person(s, SECRETARY), analyser, "可行性论证报告.pdf", "application/pdf",
                        b"%PDF-1.4 feasibility")
    meeting_id = schedule(sc, "president_office", [analyser])
    app.extensions["quorum"].fixed_now = meeting_time(community, meeting_id)
    secretary = as_user(app, SECRETARY)
    act(secretary, meeting_id, "open")
    liu = as_user(app, LIU)
    page = text(liu.get(room_url(meeting_id)))
    assert 'data-testid="not-registered"' in page and 'data-testid="my-ballots"' not in page
    for member in (PRESIDENT, LIU, WU, ZHANG, WANG):
        act(secretary, meeting_id, "attendance", {"person": member, "status": "present"})
    page = text(liu.get(room_url(meeting_id)))
    assert 'data-testid="not-registered"' not in page
    ballot = ballot_section(page, 1)
    assert page.index('data-testid="my-ballots"') < page.index('data-testid="item-1"') < page.index(
        'data-testid="attendance"')
    assert 'data-testid="vote-1"' in ballot and 'data-testid="materials-1"' in ballot
    assert "可行性论证报告.pdf" in ballot and "合法性审查" in ballot         # the papers and the 前置程序 opinions
    link = re.search(r'href="(/matters/\d+/attachments/\d+)"', ballot).group(1)
    download = liu.get(link)
    assert download.status_code == 200 and download.data == b"%PDF-1.4 feasibility"
    assert 'data-testid="vote-1"' not in item_section(page, 1)                 # one ballot on the page

    act(liu, meeting_id, "items/1/vote", {"choice": "disagree", "reason": "建议先做市场调研。"})
    flashed = flashes(liu)
    assert "您的表决已记录" in flashed and "不同意" not in flashed                 # the flash never repeats it
    mine = ballot_section(text(liu.get(room_url(meeting_id))), 1)
    assert re.search(r'您已表决：<strong class="dissent">不同意</strong><span class="muted">（建议先做市场调研。）', mine)
    assert 'data-testid="vote-1"' not in mine
    act(liu, meeting_id, "items/1/vote", {"choice": "agree"})                   # twice: refused
    assert "刘志刚已对本议题表决，同一人对同一议题只能表决一次" in flashes(liu)
    assert [b["choice"] for b in meeting_record(community, meeting_id)["items"][0]["ballots"]] == ["disagree"]


def test_the_api_takes_a_members_own_leave_and_written_opinions_before_the_meeting(app, client, sc, community):
    analyser = project(sc, "关于购置全自动生化分析仪的议题")
    parking = project(sc, "关于总医院停车场改造的议题", amount="450000")
    meeting_id = schedule(sc, "president_office", [analyser, parking])
    me = api_client(client, WANG)
    before = snapshot(community)
    for bad in ({"opinions": ["同意。"]}, {"opinions": {"一": "同意。"}}, {"opinions": {"1": 3}}, {}):
        response = me.post(f"/meetings/{meeting_id}/absence", json=bad)
        assert response.status_code == 422 and response.get_json()["message"]
    assert snapshot(community) == before                                   # refused: nothing stored

    response = me.post(f"/meetings/{meeting_id}/absence",
                       json={"reason": "参加市委党校培训", "opinions": {"1": "同意购置，建议同步做好维保约定。"}})
    assert response.status_code == 201, response.get_json()
    record = meeting_record(community, meeting_id)
    assert [(p["name"], p["attendance"]) for p in record["members"] if p["attendance"]] == [("王建华", "absent")]
    assert record["items"][0]["written_opinions"] == [{"name": "王建华", "text": "同意购置，建议同步做好维保约定。"}]
    again = me.post(f"/meetings/{meeting_id}/absence", json={"opinions": {"1": "再补充一句。"}})
    assert again.status_code == 422 and "已" in again.get_json()["message"]       # once per item
    outsider = api_client(client, "zhouming")                        # 党政办: sees the meeting, holds no seat
    refused = outsider.post(f"/meetings/{meeting_id}/absence", json={"reason": "有事"})
    assert refused.status_code in (403, 404)
