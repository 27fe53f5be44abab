"""Getting onto an agenda: no 临时动议, the 前置程序 first, 紧急议题 only by a principal leader; notice.

The clock starts on Monday 2026-11-02 09:00 (Asia/Shanghai); the 院长办公会 needs 2 working days'
notice, so a meeting on Tuesday 11-03 is too late to call today and one on Wednesday 11-04 is not.
"""

from datetime import date, datetime, time

from sqlalchemy import func, select

from quorum.calendar import TZ
from quorum.core.errors import InvalidInput, InvalidTransition, NotPermitted
from quorum.db import Meeting
from quorum.services import matters, meetings, records
from tests.helpers import schedule, start, submit
from tests.services.test_meeting_rules import (
    cast,
    everyone_agrees,
    item,
    matter,
    open_tasks,
    project,
    refused,
    step_statuses,
)


def meeting_count(sc) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(func.count(Meeting.id))).scalar_one()


def meeting_record(sc, meeting_id: int) -> dict:
    with sc.sessions.begin() as s:
        return records.meeting_record(s, meeting_id)


def at(day: str, hour: int = 9) -> datetime:
    return datetime.combine(datetime.fromisoformat(day).date(), time(hour), tzinfo=TZ)


# --------------------------------------------------------------------------------------------
# 6. 临时动议


def test_no_ad_hoc_motions_unless_a_principal_leader_marks_the_matter_urgent(sc):
    p = cast(sc)
    ready = project(sc, "关于购置全自动生化分析仪的议题")
    also_ready = project(sc, "关于总医院停车场改造的议题", amount="450000")
    early = submit(sc, "关于建设医共体消毒供应中心的议题", amount="2300000")
    legal = sc.holder("legal_counsel")
    sc.do(legal, matters.act, sc.task_of(legal, early, "legality"), "approve", "合法。")
    assert matter(sc, early)["current_step"] == "pre_review"

    # Calling a meeting with a matter whose 前置程序 is open is refused, and nothing is stored.
    exc = refused(InvalidInput, "gate_not_passed", sc, p.secretary, meetings.schedule, "president_office", "",
                  at("2026-11-05"), "会议室", [ready, early])
    assert exc.params["missing"] == "当前处于「前置程序」，尚缺：征求意见汇总、财务管理中心审核意见、风险评估报告"
    assert meeting_count(sc) == 0

    office = schedule(sc, "president_office", [ready])
    refused(InvalidInput, "gate_not_passed", sc, p.secretary, meetings.add_item, office, early)
    roster = start(sc, office)

    # In session, nothing more goes on — not even a matter that has finished its 前置程序.
    refused(InvalidInput, "ad_hoc_motion", sc, p.secretary, meetings.add_item, office, also_ready)
    refused(InvalidInput, "ad_hoc_motion", sc, p.secretary, meetings.add_item, office, early)
    refused(InvalidInput, "ad_hoc_motion", sc, p.president, meetings.add_item, office, early)

    # Only a principal leader may mark it 紧急议题.
    for outsider in (sc.holder("vice_president"), p.secretary, sc.holder("chief_accountant")):
        refused(NotPermitted, "not_permitted", sc, outsider, matters.mark_urgent, early, "突发院感风险")
    assert matter(sc, early)["urgent"] is False
    refused(InvalidInput, "invalid_input", sc, p.president, matters.mark_urgent, early, "  ")
    sc.do(p.president, matters.mark_urgent, early, "消毒供应能力不足，存在院感风险，须立即研究")

    added = sc.do(p.secretary, meetings.add_item, office, early)
    assert added.seq == 2
    rec = item(sc, office, 2)
    assert rec["urgent"] is True and rec["status"] == "pending"
    m = matter(sc, early)
    assert m["urgent"] and m["current_step"] == "president_office"
    statuses = step_statuses(m)
    assert [statuses[k] for k in ("proposal", "pre_review", "leader_review", "principal_review", "president_office")] \
        == ["done", "skipped", "skipped", "skipped", "active"]
    for step in m["steps"]:
        if step["key"] in ("pre_review", "leader_review", "principal_review"):
            assert step["outcome"] == "urgent"
            assert step["why"].endswith("；紧急议题，经主要负责人批准直接上会")
    assert open_tasks(sc, early) == []                  # the open 前置程序 tasks were cancelled
    assert any(e["kind"] == "matter.marked_urgent" and e["actor"] == "额尔敦" for e in m["timeline"])

    # The urgent item is decided like any other.
    everyone_agrees(sc, office, 1, roster)
    everyone_agrees(sc, office, 2, roster)
    for seq in (1, 2):
        sc.do(p.secretary, meetings.close_item, office, seq)
    assert [i["result"] for i in meeting_record(sc, office)["items"]] == ["passed", "passed"]
    assert matter(sc, early)["current_step"] == "party_committee"
    assert matter(sc, also_ready)["current_step"] == "president_office"   # still waits for a later meeting


def test_an_urgent_mark_from_another_bodys_principal_does_not_open_the_agenda(sc):
    """The 工会主席 is principal only of the 职代会; her 紧急 mark must not put a matter on the 院长办公会."""
    p = cast(sc)
    ready = project(sc, "关于购置救护车的议题", amount="380000")
    early = submit(sc, "关于调整总医院夜班费标准的议题", amount="300000")
    office = schedule(sc, "president_office", [ready])
    start(sc, office)
    union_chair = sc.holder("union_chair")
    try:
        sc.do(union_chair, matters.mark_urgent, early, "职工反映强烈")
    except NotPermitted:
        return                                          # refused at the mark: fine too
    refused(InvalidInput, "ad_hoc_motion", sc, p.secretary, meetings.add_item, office, early)
    assert matter(sc, early)["current_step"] == "pre_review"


# --------------------------------------------------------------------------------------------
# 7. notice


def test_notice_at_least_two_working_days_ahead_unless_the_principal_calls_it_urgent(sc):
    p = cast(sc)
    ready = project(sc, "关于购置彩色多普勒超声诊断仪的议题")
    assert sc.env.now == at("2026-11-02")                 # Monday

    exc = refused(InvalidInput, "notice_too_late", sc, p.secretary, meetings.schedule, "president_office", "",
                  at("2026-11-03"), "会议室", [ready])
    assert exc.params == {"days": 2, "latest": "2026-10-30"}
    assert str(exc) == "会议通知须至少提前2个工作日发出（最迟2026-10-30），紧急会议除外"
    refused(NotPermitted, "not_permitted", sc, p.secretary, meetings.schedule, "president_office", "",
            at("2026-11-03"), "会议室", [ready], urgent=True)
    # The 党委书记 is not the principal of the 院长办公会 either.
    refused(NotPermitted, "not_permitted", sc, p.chair, meetings.schedule, "president_office", "",
            at("2026-11-03"), "会议室", [ready], urgent=True)
    assert meeting_count(sc) == 0

    urgent = sc.do(p.president, meetings.schedule, "president_office", "紧急院长办公会", at("2026-11-03"),
                   "会议室", [ready], urgent=True).id
    rec = meeting_record(sc, urgent)
    assert rec["urgent"] is True and rec["status"] == "scheduled"
    assert rec["notice_at"].astimezone(TZ) == at("2026-11-02")
    assert [i["title"] for i in rec["items"]] == ["关于购置彩色多普勒超声诊断仪的议题"]

    # Exactly two working days' notice is enough for an ordinary meeting.
    regular = sc.do(p.secretary, meetings.schedule, "party_committee", "", at("2026-11-04"), "党委会议室").id
    assert meeting_record(sc, regular)["urgent"] is False
    refused(InvalidInput, "notice_too_late", sc, p.secretary, meetings.schedule, "party_committee", "",
            at("2026-11-03", 17), "党委会议室")


def test_a_meeting_opens_at_its_time_and_an_urgent_one_at_once(sc):
    """The notice rule means something only if the meeting is held when noticed (issue 14): a meeting scheduled for
    Thursday 09:00 cannot be opened on Monday, nor before 08:30 (the body's open_early_minutes, 30); the 总院长's
    urgent meeting opens at once."""
    p = cast(sc)
    ready = project(sc, "关于购置彩色多普勒超声诊断仪的议题")
    later = project(sc, "关于购置全自动生化分析仪的议题")
    meeting = sc.do(p.secretary, meetings.schedule, "president_office", "", at("2026-11-05"), "会议室", [ready]).id
    exc = refused(InvalidTransition, "meeting.too_early", sc, p.secretary, meetings.open_session, meeting)
    assert str(exc) == "会议尚未到召开时间，最早可于 2026-11-05 08:30 开会（紧急会议除外）"
    sc.at(date(2026, 11, 5), 8, 29)
    refused(InvalidTransition, "meeting.too_early", sc, p.secretary, meetings.open_session, meeting)
    assert meeting_record(sc, meeting)["status"] == "scheduled"
    sc.at(date(2026, 11, 5), 8, 30)
    sc.do(p.secretary, meetings.open_session, meeting)
    assert meeting_record(sc, meeting)["status"] == "in_session"

    urgent = sc.do(p.president, meetings.schedule, "president_office", "紧急院长办公会", at("2026-11-06", 15), "会议室",
                   [later], urgent=True).id
    sc.do(p.secretary, meetings.open_session, urgent)            # 08:30 the day before: urgent, so at once
    assert meeting_record(sc, urgent)["status"] == "in_session"
