"""Bring the governance chains to the step a web test acts on, through the engine (as tests/helpers does).

Realistic data from the seeds: 乌兰社区卫生服务中心's 大额资金 requests, a 干部任免 nomination for its
副主任, the 医共体 绩效分配方案. Each builder returns the matter id.
"""

from datetime import datetime, time

from quorum.calendar import TZ
from quorum.services import matters, meetings
from quorum.services.demo import Scenario
from tests import helpers

DEPUTY, HEAD, FINANCE, SECRETARY = "zhanghua", "lichunyan", "yangxiaodong", "gaowenjing"
HR, SECRETARY_OF_PARTY, CONSULTEE, INSPECTOR = "alatan", "bater", "liyan", "sunlixin"
NOMINEE = "naren"

COMPUTERS = {"unit": "wulan_chc", "purpose": "办公设备购置", "project": "门诊信息化终端更新", "vendor": "二连浩特市恒信科技有限公司",
             "amount": "30000", "summary": "更新门诊诊室办公电脑10台，询价采购，列入2026年预算。"}


def expenditure(sc: Scenario, title: str = "乌兰社区中心购置门诊办公电脑", **fields: str) -> int:
    return sc.do(DEPUTY, matters.submit, "expenditure", title, {**COMPUTERS, **fields}).id


def expenditure_at_execution(sc: Scenario, amount: str = "30000") -> int:
    """A 3万元 in-budget request: 成员单位负责人 → 财务管理中心 → 批复 → 资金支付与执行."""
    mid = expenditure(sc, amount=amount)
    helpers.answer(sc, mid, "approve", "同意购置。", username=HEAD)
    helpers.answer(sc, mid, "approve", "预算额度充足，询价程序合规。", username=FINANCE)
    sc.do(SECRETARY, matters.act, sc.task_of(SECRETARY, mid), "record", "同意乌兰社区中心购置门诊办公电脑。")
    assert helpers.current_step(sc, mid) == "execution"
    return mid


def appointment(sc: Scenario, title: str = "关于提名那仁任乌兰社区卫生服务中心副主任的议题", **fields: str) -> int:
    values = {"variant": "member_head_y2024", "post": "副主任", "unit": "wulan_chc", "candidate": NOMINEE,
              "current_post": "乌兰社区卫生服务中心公共卫生科科长",
              "summary": "乌兰社区中心班子缺副主任一名，经分析研判，拟从中层干部中选拔。", **fields}
    return sc.do(HR, matters.submit, "appointment", title, values).id


def appointment_to_consultation(sc: Scenario, **fields: str) -> int:
    """动议 → 书记审批 → 民主推荐 → 确定考察对象 → 考察 (考察材料, 廉政意见) → at 征求县卫健委意见."""
    mid = appointment(sc, **fields)
    helpers.answer(sc, mid, "approve", "同意启动选拔。", username=SECRETARY_OF_PARTY)
    sc.do(HR, matters.act, sc.task_of(HR, mid), "record", "民主推荐：那仁得票率78%，位列第一。")
    helpers.answer(sc, mid, "approve", "同意确定那仁为考察对象。", username=SECRETARY_OF_PARTY)
    helpers.answer(sc, mid, "approve", "考察材料齐全，个人有关事项报告经核查无问题。", username=HR)
    helpers.answer(sc, mid, "approve", "未发现违反廉洁纪律问题。", username=INSPECTOR)
    assert helpers.current_step(sc, mid) == "consultation"
    return mid


def appointment_at_party_committee(sc: Scenario, disagree: bool = False) -> int:
    mid = appointment_to_consultation(sc)
    if disagree:
        helpers.answer(sc, mid, "disagree", "该同志任现职时间较短，建议再培养一段时间。", username=CONSULTEE)
    else:
        helpers.answer(sc, mid, "agree", "同意。", username=CONSULTEE)
    assert helpers.current_step(sc, mid) == "party_committee"
    return mid


def appointment_at_publicity(sc: Scenario) -> int:
    mid = appointment_at_party_committee(sc)
    helpers.hold(sc, "party_committee", [mid])
    assert helpers.current_step(sc, mid) == "publicity"
    return mid


def performance_plan(sc: Scenario) -> int:
    return sc.do(HR, matters.submit, "performance_plan", "关于2027年度医共体绩效工资分配方案的议题", {
        "year": "2027", "total_pot": "12800000",
        "summary": "按岗位、工作量、服务质量和群众满意度分配，落实“两个允许”，成员单位绩效总量单列。",
        "grassroots_tilt": "基层医务人员绩效工资水平不低于总医院同级人员的90%。"}).id


def meeting_in_session(sc: Scenario, body: str, matter_ids: list[int]) -> tuple[int, dict]:
    """Schedule a meeting of the body, open it with everyone present; return (meeting id, roll)."""
    day = sc.env.calendar.add_working_days(sc.env.now.date(), 3).due
    meeting = sc.do(SECRETARY, meetings.schedule, body, "", datetime.combine(day, time(9), tzinfo=TZ),
                    "总医院党委会议室", matter_ids).id
    return meeting, helpers.start(sc, meeting)
