"""The demo's other chains: one matter of each, walked through the public services like a real month.

Runs before the 三重一大 demo matter, from about seven weeks before `now`:
- 大额资金: 乌兰社区中心 buys a 心电监护仪 (合同 18万元): 班子会 → 财务管理中心 → 分管副院长 → 批复 → part paid;
  东城社区中心 files two 3万元 requests to the same vendor: the second is flagged 拆分规避 and routed to its 班子会;
- 干部任免: 特木尔 proposed as 乌兰社区中心主任, recused at the 党委会, 任前公示 with an objection investigated,
  任用, now in his 试用期;
- 执行院长委派: 朝鲁门 to the 格日勒敖都苏木卫生服务站, filed with and acknowledged by the 管委会办公室;
- 绩效分配方案: six member units answer (one 修改后同意), 职代会, 院长办公会, 党委会, two bureaus approved,
  the 人社局 still to answer;
- 临机处置: the 供暖管道 emergency, put on the next 党委会 automatically and ratified.
"""

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select

from quorum.calendar import TZ
from quorum.core import voting
from quorum.db import Person, Task
from quorum.services import documents, expenditure, matters, meetings, publicity
from quorum.services.env import Env

SECRETARY = "gaowenjing"
# 机关代字 of the member units: each issues its own documents (班子会 notices and minutes, 请示) under it
UNIT_CODES = {"mongolian_tcm_hospital": "二蒙中医发", "maternal_child_center": "二妇幼发", "wulan_chc": "乌社卫发",
              "dongcheng_chc": "东社卫发", "xilin_chc": "锡社卫发", "gerile_station": "格卫站发"}


class Walk:
    """Move the demo clock and run each use case as the named person."""

    def __init__(self, sc) -> None:
        self.sc = sc

    def at(self, day: date, hour: int) -> None:
        self.sc.at(day, hour)

    def task(self, matter_id: int, kind: str | None = None, requirement: str | None = None) -> tuple[int, str]:
        with self.sc.sessions.begin() as s:
            query = (select(Task.id, Person.username).join(Person, Person.id == Task.assignee_id)
                     .where(Task.matter_id == matter_id, Task.status == "open"))
            if kind:
                query = query.where(Task.kind == kind)
            if requirement:
                query = query.where(Task.requirement == requirement)
            return tuple(s.execute(query.order_by(Task.id)).first())

    def answer(self, matter_id: int, action: str = "approve", text: str = "同意。", **where: str) -> None:
        task_id, user = self.task(matter_id, **where)
        self.sc.do(user, matters.act, task_id, action, text)

    def record(self, matter_id: int, text: str) -> None:
        task_id, user = self.task(matter_id, kind="record")
        self.sc.do(user, matters.act, task_id, "record", text)

    def meeting(self, body: str, day: date, place: str, matter_ids: list[int], unit: str | None = None,
                organiser: str = SECRETARY) -> int:
        """Hold a meeting on `day` (notice given now): all present, all agree, the presiding member last."""
        at = datetime.combine(day, time(9), tzinfo=TZ)
        meeting_id = self.sc.do(organiser, meetings.schedule, body, "", at, place, matter_ids, unit_key=unit).id
        self.sc.do(organiser, documents.sign_meeting_notice, meeting_id)     # the 会议通知 goes out before it
        self.sc.at(day, 9)
        self.sc.do(organiser, meetings.open_session, meeting_id)
        with self.sc.sessions.begin() as s:
            held = meetings.get(s, meeting_id)
            members = [s.get(Person, m.person_id) for m in held.members]
            for p in members:
                s.expunge(p)
        for person in members:
            self.sc.do(organiser, meetings.attend, meeting_id, person, "present")
        with self.sc.sessions.begin() as s:
            held = meetings.get(s, meeting_id)
            body_spec = meetings.body_of(s, held)
            plan = []
            for item in held.items:
                roll = meetings.roll(s, held, item)
                presiding = voting.presiding(body_spec, roll)
                voters = [p for p in sorted(roll.voters) if p != presiding] + [presiding]
                plan.append((item.seq, [s.get(Person, p).username for p in voters]))
        for seq, voters in plan:
            for user in voters:
                self.sc.do(user, meetings.vote, meeting_id, seq, "agree", "")
            self.sc.do(organiser, meetings.close_item, meeting_id, seq)
        self.sc.do(organiser, meetings.close, meeting_id)
        return meeting_id


def run(sc, env: Env) -> dict[str, Any]:
    """Walk one matter of each chain; return their ids."""
    w, cal = Walk(sc), env.calendar
    day0 = cal.subtract_working_days(env.now.date(), 35).due
    w.at(day0, 9)
    for unit, code in UNIT_CODES.items():              # as `quorum unit set-code UNIT CODE` does
        sc.do(SECRETARY, documents.set_unit_code, unit, code)
    ids = {
        "expenditure": _expenditure_filed(sc),
        "appointment": _appointment_filed(sc),
        "executive_president": sc.do("alatan", matters.submit, "executive_president",
                                     "关于委派朝鲁门同志任格日勒敖都苏木卫生服务站执行院长的议题",
                                     {"unit": "gerile_station", "candidate": "chaolumen", "term": "三年",
                                      "summary": "格日勒敖都苏木卫生服务站站长长期空缺，拟从总医院普外科选派骨干任执行院长。"}).id,
        "performance_plan": sc.do("alatan", matters.submit, "performance_plan", "二连浩特市紧密型医共体2026年度绩效分配方案",
                                  {"year": str(day0.year), "total_pot": "12800000",
                                   "summary": "以岗位价值、工作量、服务质量和群众满意度为主要依据，落实“两个允许”，"
                                              "医疗服务收入扣除成本并按规定提取各项基金后主要用于人员奖励。",
                                   "grassroots_tilt": "成员单位基层岗位绩效系数上浮20%，副高以上驻点人员另行补助。"}).id,
        "emergency": sc.do("bater", matters.submit, "emergency", "关于总医院供暖主管道抢修的临机处置报告",
                           {"body": "party_committee", "unit": "general_hospital", "occurred_on": day0.isoformat(),
                            "situation": "夜间暴雪降温，总医院住院部供暖主管道破裂，病区室温骤降至10℃以下。",
                            "why_urgent": "须连夜抢修保障住院患者安全，来不及召开党委会。",
                            "decision_taken": "书记、总院长商定委托原施工单位连夜抢修，转移危重患者，抢修费用约7.6万元。",
                            "co_deciders": "巴特尔、额尔敦", "amount": "76000"}).id,
    }
    w.at(day0, 10)
    _appointment_to_committee(w, ids["appointment"])
    for unit, (action, text) in {"wulan_chc": ("agree_with_changes", "建议家庭医生签约服务绩效单列考核。")}.items():
        w.answer(ids["performance_plan"], action, text, requirement=unit)
    for _ in range(5):
        w.answer(ids["performance_plan"], "agree", "同意。", kind="countersign")
    # 乌兰社区中心班子会 studies the purchase (notice 1 working day).
    w.meeting("member_leadership", cal.add_working_days(day0, 2).due, "乌兰社区卫生服务中心会议室",
              [ids["expenditure"]], unit="wulan_chc", organiser="lichunyan")
    w.answer(ids["expenditure"], text="预算额度充足，资金来源为2026年基本公共卫生服务补助，采购方式为询价，未发现拆分。")
    w.answer(ids["expenditure"], text="同意采购。")
    w.record(ids["expenditure"], "同意乌兰社区卫生服务中心购置心电监护仪，合同总额18万元，按合同分期支付。")
    w.at(cal.add_working_days(day0, 2).due, 15)
    w.meeting("staff_congress", cal.add_working_days(day0, 5).due, "总医院职工活动中心", [ids["performance_plan"]])
    w.meeting("president_office", cal.add_working_days(day0, 8).due, "总医院行政楼三楼会议室", [ids["performance_plan"]])
    w.at(cal.add_working_days(day0, 8).due, 15)
    split = _split_requests(sc, w, cal.add_working_days(day0, 6).due)
    # 党委会: the appointment (特木尔 recused), the 委派, the plan; the emergency goes on by itself.
    committee_day = cal.add_working_days(day0, 9).due
    w.at(cal.add_working_days(day0, 6).due, 16)
    w.meeting("party_committee", committee_day, "总医院党委会议室",
              [ids["appointment"], ids["executive_president"], ids["performance_plan"]])
    _after_committee(sc, w, cal, committee_day, ids)
    return {**ids, "split": split}


def _expenditure_filed(sc) -> int:
    return sc.do("zhanghua", matters.submit, "expenditure", "关于乌兰社区卫生服务中心购置心电监护仪的申请", {
        "unit": "wulan_chc", "purpose": "医疗设备购置", "project": "乌兰社区中心慢病管理能力提升项目",
        "vendor": "内蒙古康泰医疗器械有限公司", "amount": "60000", "contract_total": "180000",
        "budget_line": "专用设备购置", "budgeted": "true", "funding_source": "2026年基本公共卫生服务补助资金",
        "summary": "为开展高血压、糖尿病患者家庭医生签约随访，拟购置心电监护仪6台，合同总额18万元，分三期支付，本期6万元。"}).id


def _appointment_filed(sc) -> int:
    return sc.do("alatan", matters.submit, "appointment", "关于特木尔同志任乌兰社区卫生服务中心主任的动议", {
        "variant": "member_head_y2024", "post": "乌兰社区卫生服务中心主任", "unit": "wulan_chc", "candidate": "temuer",
        "current_post": "乌兰社区卫生服务中心党支部书记",
        "summary": "乌兰社区卫生服务中心主任李春燕同志拟调任，经对班子结构分析研判，拟从班子成员中选拔主任人选。"}).id


def _appointment_to_committee(w: Walk, m: int) -> None:
    w.answer(m, text="同意启动选拔程序，按程序开展民主推荐。")
    w.record(m, "召开中心全体职工会议进行会议推荐并个别谈话调研，特木尔同志得票最多。")
    w.answer(m, text="确定特木尔同志为考察对象。")
    w.answer(m, text="考察材料齐全，个人有关事项报告经核查无异常，档案审核无问题。", requirement="inspection_report")
    w.answer(m, text="经查，未发现该同志有违反党风廉政建设规定的问题。", requirement="integrity")
    w.answer(m, "agree", "同意特木尔同志任乌兰社区卫生服务中心主任。")


def _split_requests(sc, w: Walk, day: date) -> list[int]:
    w.at(day, 10)
    first = sc.do("sunhongmei", matters.submit, "expenditure", "东城社区中心采购中药饮片（一）", {
        "unit": "dongcheng_chc", "purpose": "中药饮片采购", "vendor": "二连浩特市济生堂药业有限公司",
        "amount": "30000", "summary": "采购第一季度中药饮片。"}).id
    w.at(day, 14)
    second = sc.do("sunhongmei", matters.submit, "expenditure", "东城社区中心采购中药饮片（二）", {
        "unit": "dongcheng_chc", "purpose": "中药饮片补充采购", "vendor": "二连浩特市济生堂药业有限公司",
        "amount": "30000", "summary": "补充采购中药饮片。"}).id
    return [first, second]


def _after_committee(sc, w: Walk, cal, committee_day: date, ids: dict[str, int]) -> None:
    day = cal.add_working_days(committee_day, 1).due
    w.at(day, 10)
    w.record(ids["executive_president"], "党委会研究同意委派朝鲁门同志任格日勒敖都苏木卫生服务站执行院长，印发委派决定。")
    sc.do("alatan", publicity.lodge, ids["appointment"], "反映特木尔同志在2025年药品采购验收中把关不严。",
          complainant="乌兰社区中心职工（实名）", contact="0479-7533399")
    w.answer(ids["performance_plan"], "approve", "同意。", requirement="health_commission")
    w.at(cal.add_working_days(committee_day, 3).due, 10)
    with sc.sessions.begin() as s:
        objection = publicity.of_matter(s, ids["appointment"])[0].id
    sc.do("sunlixin", publicity.resolve, objection, "unfounded",
          "经调阅2025年药品验收记录并约谈相关人员，验收程序符合规定，反映问题不属实。", "已当面向反映人反馈核查结果。")
    w.answer(ids["executive_president"], "acknowledge", "已备案。")
    w.answer(ids["performance_plan"], "approve", "同意。", requirement="finance_bureau")
    task_id, finance = w.task(ids["expenditure"], kind="execution")
    sc.do(finance, expenditure.pay, task_id, "60000", note="支付第一期设备款")
    with sc.sessions.begin() as s:
        end = matters.current(matters.get(s, ids["appointment"])).due_date
    w.at(cal.next_workday(end, include_self=False), 9)
    task_id, decider = w.task(ids["appointment"], kind="publicity")
    sc.do(decider, matters.act, task_id, "appoint", "公示期间收到的反映经核查不属实，同意任用。")
    w.record(ids["appointment"], "已印发任免通知并进行任职谈话，任职时间自党委会决定之日起计算，试用期一年。")
