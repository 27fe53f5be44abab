"""干部任免, in the process's words (DOMAIN.md W4, §6.4 #20–30).

阿拉坦 (人力资源管理中心主任) proposes 特木尔 (乌兰社区中心党支部书记, a 医共体党委委员) as 乌兰社区中心主任:
巴特尔 (书记) approves the 动议, the 民主推荐 is recorded, the 考察对象 fixed, 考察 with 孙立新's 党风廉政意见,
李岩 (市卫健委组织人事科) is consulted, the 党委会 decides with 特木尔 recused, 任前公示 for 5 working days,
任职, 试用期 one year from the decision, 试用期满考核, 备案 with 王芳 (市委组织部).
"""

from datetime import date, datetime, time

from quorum.calendar import TZ
from quorum.services import matters, meetings, publicity, timers
from tests.helpers import answer, current_step, hold, open_tasks, schedule, start, status

PROPOSER = "alatan"


def propose(sc, candidate: str = "temuer", **extra: str) -> int:
    fields = {"post": "乌兰社区卫生服务中心主任", "unit": "wulan_chc", "candidate": candidate,
              "current_post": "乌兰社区卫生服务中心党支部书记",
              "summary": "现任主任李春燕同志调任，乌兰社区卫生服务中心主任岗位空缺，经分析研判拟选拔配备。", **extra}
    return sc.do(PROPOSER, matters.submit, "appointment", f"关于{candidate}同志任职的动议", fields).id


def record(sc, matter_id: int, text: str) -> None:
    task_id, user, kind, _ = open_tasks(sc, matter_id)[0]
    assert kind == "record"
    sc.do(user, matters.act, task_id, "record", text)


def to_consultation(sc, matter_id: int) -> None:
    assert answer(sc, matter_id, comment="同意启动选拔程序。") == "bater"
    record(sc, matter_id, "经会议推荐和谈话调研推荐，特木尔同志得票第一。")
    answer(sc, matter_id, comment="确定特木尔同志为考察对象。")
    answer(sc, matter_id, requirement="inspection_report", comment="考察材料齐全，个人有关事项报告核查无异常。")
    assert answer(sc, matter_id, requirement="integrity", comment="未发现违纪违法问题。") == "sunlixin"


def to_publicity(sc, matter_id: int, consult: str = "agree") -> None:
    to_consultation(sc, matter_id)
    assert current_step(sc, matter_id) == "consultation"
    answer(sc, matter_id, consult, "同意。" if consult == "agree" else "该同志基层管理经历较短，建议慎重。")
    hold(sc, "party_committee", [matter_id])
    assert current_step(sc, matter_id) == "publicity"


def publicity_task(sc, matter_id: int) -> tuple[int, str]:
    task_id, user, kind, _ = open_tasks(sc, matter_id)[0]
    assert kind in ("publicity", "publicity_decision")
    return task_id, user


def after_window(sc, matter_id: int) -> None:
    with sc.sessions.begin() as s:
        end = matters.current(matters.get(s, matter_id)).due_date
    sc.env = sc.env.at(datetime.combine(sc.env.calendar.next_workday(end, include_self=False), time(9), tzinfo=TZ))


def test_the_whole_chain_from_motion_to_filing(sc):
    m = propose(sc)
    to_publicity(sc, m)
    with sc.sessions.begin() as s:
        matter = matters.get(s, m)
        decided = datetime.fromisoformat(matter.decision["last"]["decided_at"]).date()
        window_end = matters.current(matter).due_date
    assert window_end == sc.env.calendar.add_working_days(sc.env.now.date(), 5).due
    task_id, secretary = publicity_task(sc, m)
    assert "公示期满后方可作出任用决定" in sc.refused(secretary, matters.act, task_id, "appoint", "")
    after_window(sc, m)
    with sc.sessions.begin() as s:
        assert [d["kind"] for d in timers.fire_due(s, sc.env)] == ["publicity_ended"]
    sc.do(secretary, matters.act, task_id, "appoint", "公示期间未收到反映。")
    record(sc, m, "已印发任免通知，任职时间自党委会决定之日起计算；已进行任职谈话。")
    assert current_step(sc, m) == "probation"
    with sc.sessions.begin() as s:
        assert matters.current(matters.get(s, m)).due_date == decided.replace(year=decided.year + 1)
    sc.env = sc.env.at(datetime.combine(decided.replace(year=decided.year + 1), time(8), tzinfo=TZ))
    with sc.sessions.begin() as s:
        assert [d["kind"] for d in timers.fire_due(s, sc.env)] == ["timer_elapsed"]
    assert answer(sc, m, "confirm", "试用期满考核称职。") == "bater"
    assert answer(sc, m, "acknowledge", "已备案。") == "wangfang"
    assert status(sc, m) == "closed"


def test_the_nominee_sits_on_the_committee_and_is_recused_automatically(sc):
    m = propose(sc)
    to_consultation(sc, m)
    answer(sc, m, "agree", "同意。")
    meeting = schedule(sc, "party_committee", [m])
    with sc.sessions.begin() as s:
        held = meetings.get(s, meeting)
        temuer = next(x.person_id for x in held.members if x.name == "特木尔")
        roll = meetings.roll(s, held, held.items[0])
    assert temuer in roll.recused
    start(sc, meeting)
    assert "不是本议题的表决成员" in sc.refused("temuer", meetings.vote, meeting, 1, "agree")


def test_a_nominator_is_never_the_nominee_and_the_nominee_gets_no_task(sc):
    refusal = sc.refused(PROPOSER, matters.submit, "appointment", "自荐",
                         {"post": "人力资源管理中心主任", "unit": "general_hospital", "candidate": PROPOSER,
                          "summary": "自荐。"})
    assert "提名人不得为被提名人" in refusal
    refusal = sc.refused(PROPOSER, matters.submit, "appointment", "x", {"post": "p", "unit": "wulan_chc",
                                                                         "candidate": "nobody", "summary": "s"})
    assert "人员不存在：nobody" in refusal
    m = propose(sc, candidate="liyan")           # the 卫健委 personnel officer nominated: he may not be consulted
    answer(sc, m, comment="同意。")
    record(sc, m, "推荐结果：李岩同志得票第一。")
    answer(sc, m, comment="确定考察对象。")
    answer(sc, m, requirement="inspection_report", comment="考察材料齐全。")
    task_id, user, _kind, _req = open_tasks(sc, m)[0]
    refusal = sc.refused(user, matters.act, task_id, "approve", "无问题。")
    assert "「市卫健委组织人事科」的担任人是本事项的申报人、被提名人或其亲属，须回避" in refusal
    assert current_step(sc, m) == "inspection" and len(open_tasks(sc, m)) == 1    # nothing was lost


def test_a_negative_consultation_opinion_is_advice_the_committee_must_acknowledge(sc):
    m = propose(sc)
    to_consultation(sc, m)
    answer(sc, m, "disagree", "该同志基层管理经历较短，建议慎重。")
    assert current_step(sc, m) == "party_committee"        # advice, not a veto
    meeting = schedule(sc, "party_committee", [m])
    people = start(sc, meeting)
    voter = next(u for u in people["members"] if u not in (people["chair"], "temuer"))
    refusal = sc.refused(voter, meetings.vote, meeting, 1, "agree")
    assert "李岩：该同志基层管理经历较短，建议慎重。" in refusal
    assert "只有本议题主持人或党政办" in sc.refused(voter, meetings.acknowledge, meeting, 1, "已知悉")
    sc.do("gaowenjing", meetings.acknowledge, meeting, 1, "会上已宣读县卫健委意见，委员已知悉。")
    sc.do(voter, meetings.vote, meeting, 1, "agree")


def test_no_reply_counts_as_consent_only_for_dual_managed_cadres(sc):
    single = propose(sc)
    dual = propose(sc, candidate="zhanghua", dual_managed="true")
    for m in (single, dual):
        to_consultation(sc, m)
    sc.env = sc.env.later(days=31)
    with sc.sessions.begin() as s:
        done = timers.fire_due(s, sc.env)
    assert [(d["matter_id"], d["kind"]) for d in done] == [(dual, "silence_consent")]
    assert current_step(sc, dual) == "party_committee" and current_step(sc, single) == "consultation"
    with sc.sessions.begin() as s:
        from sqlalchemy import select

        from quorum.db import Opinion
        opinion = s.execute(select(Opinion).where(Opinion.matter_id == dual, Opinion.step_key == "consultation")
                            ).scalar_one()
    assert (opinion.author_id, opinion.decision) == (None, "agree")
    assert opinion.text == "逾期30日未回复，依规视为同意（双重管理干部）"
    with sc.sessions.begin() as s:
        assert timers.fire_due(s, sc.env) == []


def test_an_exceptional_promotion_waits_for_the_organisation_departments_consent(sc):
    m = propose(sc, exceptional="true")
    answer(sc, m, comment="同意。")
    assert current_step(sc, m) == "exceptional_consent"
    assert [u for _, u, _, _ in open_tasks(sc, m)] == ["wangfang"]
    answer(sc, m, comment="同意破格提拔。")
    assert current_step(sc, m) == "recommendation"


def test_an_expired_recommendation_must_be_redone_before_the_decision(sc):
    m = propose(sc)
    to_consultation(sc, m)
    answer(sc, m, "agree", "同意。")
    sc.env = sc.env.later(days=366)
    day = sc.env.calendar.add_working_days(sc.env.now.date(), 3).due
    refusal = sc.refused("gaowenjing", meetings.schedule, "party_committee", "", datetime.combine(day, time(9), tzinfo=TZ),
                         "党委会议室", [m])
    assert "民主推荐结果已于2027-11-02过期（有效期12个月），须重新民主推荐后方可上会" in refusal
    with sc.sessions.begin() as s:
        done = timers.fire_due(s, sc.env)
    assert [d["kind"] for d in done] == ["result_expired"]
    assert current_step(sc, m) == "recommendation"


def test_objections_during_publicity_are_investigated_before_the_outcome(sc):
    m = propose(sc)
    to_publicity(sc, m)
    sc.do("alatan", publicity.lodge, m, "反映该同志在2025年药品采购中存在违规行为。", complainant="王某某", contact="13904790000")
    sc.do("sunlixin", publicity.lodge, m, "听说该同志作风不好。", anonymous=True, specific=False)
    assert "只有人力资源管理中心主任、党政办公室、纪检监察室主任可以登记" in sc.refused("menghe", publicity.lodge, m, "反映。", complainant="x")
    after_window(sc, m)
    task_id, secretary = publicity_task(sc, m)
    assert "尚有1件实名或内容具体的异议未核查完毕" in sc.refused(secretary, matters.act, task_id, "appoint", "")
    with sc.sessions.begin() as s:
        named, vague = publicity.of_matter(s, m)
        assert (named.status, vague.status, vague.complainant) == ("open", "logged", None)
    assert "「向反映人反馈情况」为必填项" in sc.refused("sunlixin", publicity.resolve, named.id, "unfounded", "经核查，采购程序合规。")
    sc.do("sunlixin", publicity.resolve, named.id, "unfounded", "经核查，采购程序合规。", "已当面向反映人反馈。")
    sc.do(secretary, matters.act, task_id, "appoint_reminded", "任用，并提醒其严格执行采购制度。")
    assert current_step(sc, m) == "appointment"


def test_postponement_is_at_most_three_months_then_the_decision_is_forced(sc):
    m = propose(sc)
    to_publicity(sc, m)
    sc.do("alatan", publicity.lodge, m, "反映其配偶经营的公司与中心有业务往来。", complainant="李某", contact="0479-1234")
    after_window(sc, m)
    task_id, secretary = publicity_task(sc, m)
    with sc.sessions.begin() as s:
        objection = publicity.of_matter(s, m)[0]
    sc.do("sunlixin", publicity.resolve, objection.id, "verified", "反映情况部分属实，尚需进一步核实。", "已反馈。")
    sc.do(secretary, matters.act, task_id, "defer_appointment", "有关情况尚需进一步核实，暂缓任用。")
    decision_task, _user = publicity_task(sc, m)
    with sc.sessions.begin() as s:
        due = matters.current(matters.get(s, m)).due_date
    assert (due - sc.env.now.date()).days in range(89, 93)
    assert "不支持「暂缓任用」" in sc.refused(secretary, matters.act, decision_task, "defer_appointment", "再缓")
    sc.env = sc.env.later(days=(due - sc.env.now.date()).days + 1)
    with sc.sessions.begin() as s:
        assert [d["kind"] for d in timers.fire_due(s, sc.env)] == ["postponement_expired"]
    sc.do(secretary, matters.act, decision_task, "not_appoint", "经核实存在利益冲突，不予任用。")
    assert status(sc, m) == "rejected"


def test_failing_probation_needs_a_new_committee_decision(sc):
    m = propose(sc)
    to_publicity(sc, m)
    after_window(sc, m)
    task_id, secretary = publicity_task(sc, m)
    sc.do(secretary, matters.act, task_id, "appoint", "")
    record(sc, m, "已印发任免通知。")
    sc.env = sc.env.later(days=370)
    with sc.sessions.begin() as s:
        timers.fire_due(s, sc.env)
    answer(sc, m, "fail", "试用期满考核不称职。")
    assert current_step(sc, m) == "probation_removal"
    hold(sc, "party_committee", [m])
    assert current_step(sc, m) == "filing"


def test_the_grassroots_variant_is_decided_by_the_health_commission_without_the_committee(sc):
    m = propose(sc, variant="grassroots_y2022")
    with sc.sessions.begin() as s:
        applies = {st.step_key: st.applies for st in matters.get(s, m).steps}
    assert not applies["consultation"] and not applies["party_committee"] and applies["bureau_decision"]
    to_consultation(sc, m)
    assert current_step(sc, m) == "bureau_decision"
    assert answer(sc, m, "approve", "同意任命。") == "liyan"
    assert current_step(sc, m) == "publicity"
    task_id, decider = publicity_task(sc, m)
    assert decider == "liyan"


def test_a_publicity_over_national_day_counts_the_make_up_saturday(sc):
    sc.env = sc.env.at(datetime(2026, 9, 24, 9, tzinfo=TZ))    # 9-25 is 中秋, 10-1..7 国庆, 10-10 a 调休 Saturday
    m = propose(sc)
    to_publicity(sc, m)
    with sc.sessions.begin() as s:
        step = matters.current(matters.get(s, m))
        assert step.started_at.date() == date(2026, 9, 30)
        assert step.due_date == date(2026, 10, 13)             # 10-8, 10-9, 10-10, 10-12, 10-13
