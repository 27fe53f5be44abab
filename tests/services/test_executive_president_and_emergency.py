"""执行院长委派 with its 备案, and 临机处置 with its 追认 (DOMAIN.md §1.2, §6.2 #10, §6.4 #28)."""

from datetime import datetime, time

from quorum.calendar import TZ
from quorum.services import checks, matters, meetings, timers
from tests.helpers import answer, current_step, hold, open_tasks, status


def dispatch(sc) -> int:
    m = sc.do("alatan", matters.submit, "executive_president", "关于委派朝鲁门同志任格日勒敖都苏木卫生服务站执行院长的议题",
              {"unit": "gerile_station", "candidate": "chaolumen", "summary": "选派总医院普外科骨干充实基层。"}).id
    hold(sc, "party_committee", [m])
    task_id, user, _kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "record", "党委会同意委派，印发委派决定。")
    return m


def test_the_dispatch_is_filed_with_the_management_committee_and_acknowledged(sc):
    m = dispatch(sc)
    assert current_step(sc, m) == "filing"
    with sc.sessions.begin() as s:
        step = matters.current(matters.get(s, m))
        assert (step.due_date - step.started_at.date()).days == 30
    assert answer(sc, m, "acknowledge", "已备案。") == "baiyumei"
    assert status(sc, m) == "closed"


def test_an_objection_at_filing_sends_the_dispatch_back_to_the_committee(sc):
    m = dispatch(sc)
    assert "须填写理由" in sc.refused("baiyumei", matters.act, open_tasks(sc, m)[0][0], "object", "")
    answer(sc, m, "object", "委派人选未按规定征求管委会成员单位意见。")
    assert current_step(sc, m) == "party_committee"
    hold(sc, "party_committee", [m])
    task_id, user, _kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "record", "复议后维持委派决定。")
    answer(sc, m, "acknowledge", "已备案。")
    assert status(sc, m) == "closed"


EMERGENCY = {"body": "party_committee", "unit": "general_hospital", "occurred_on": "2026-11-02",
             "situation": "暴雪导致总医院供暖主管道破裂，住院部室温骤降。", "why_urgent": "须当日抢修，来不及召开党委会。",
             "decision_taken": "由书记、总院长商定委托施工单位连夜抢修，费用约8万元。", "amount": "80000"}


def test_an_emergency_decision_goes_on_the_next_meeting_automatically_and_is_ratified(sc):
    m = sc.do("bater", matters.submit, "emergency", "关于总医院供暖管道抢修的临机处置报告", EMERGENCY).id
    with sc.sessions.begin() as s:
        step = matters.current(matters.get(s, m))
        assert (step.step_key, step.due_date) == ("ratification", sc.env.calendar.add_working_days(sc.env.now.date(), 10).due)
    meeting = hold(sc, "party_committee", [])              # nobody put it on: it is mandatory
    with sc.sessions.begin() as s:
        assert [i.matter_id for i in meetings.get(s, meeting).items] == [m]
    assert status(sc, m) == "closed"


def test_ratification_refused_flags_the_matter_and_opens_remediation(sc):
    m = sc.do("bater", matters.submit, "emergency", "关于总医院供暖管道抢修的临机处置报告", EMERGENCY).id
    no = {u: ("disagree", "抢修费用应先履行询价程序。") for u in ("menghe", "zhaoxiumei", "temuer", "naren", "chenguoqing")}
    hold(sc, "party_committee", [], choices=no)
    assert current_step(sc, m) == "remediation"
    with sc.sessions.begin() as s:
        assert [f.kind for f in checks.flags_of(s, m)] == ["ratification_refused"]
    task_id, user, _kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "record", "责令补办询价手续，对相关责任人诫勉谈话。",
          record={"items": [{"title": "补办抢修工程询价及结算审计手续", "lead_unit": "general_hospital", "due_working_days": 10}]})
    assert current_step(sc, m) == "supervision"


def test_a_late_ratification_and_repeated_use_are_flagged(sc):
    first = sc.do("bater", matters.submit, "emergency", "临机处置一", EMERGENCY).id
    sc.do("bater", matters.submit, "emergency", "临机处置二", EMERGENCY)
    third = sc.do("bater", matters.submit, "emergency", "临机处置三", EMERGENCY).id
    with sc.sessions.begin() as s:
        assert [f.kind for f in checks.flags_of(s, third)] == ["repeated_use"]
        assert "巴特尔在12个月内已第3次使用临机处置程序" in checks.flags_of(s, third)[0].text
        assert checks.flags_of(s, first) == []
    sc.env = sc.env.at(datetime.combine(sc.env.calendar.add_working_days(sc.env.now.date(), 11).due, time(9), tzinfo=TZ))
    with sc.sessions.begin() as s:
        done = timers.fire_due(s, sc.env)
    assert [d["kind"] for d in done] == ["ratification_overdue"] * 3
    with sc.sessions.begin() as s:
        assert timers.fire_due(s, sc.env) == []
    assert "只有" in sc.refused("alatan", matters.submit, "emergency", "x", EMERGENCY)
