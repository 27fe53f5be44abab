"""quorum.core.routing on the real 三重一大 workflow (policies/workflows/major_matter.toml)."""

import pytest

from quorum.core.routing import assignee_role, is_personnel, plan_route, required_opinions, step_applies
from quorum.core.spec import coerce_fields

ULTRASOUND = {
    "category": "大额资金使用",
    "unit": "二连浩特市乌兰社区卫生服务中心",
    "amount": "150000",
    "budgeted": "是",
    "staff_interest": "否",
    "summary": "乌兰社区卫生服务中心购置便携式彩色多普勒超声诊断仪一台",
}
CT_ROOM = {
    "category": "大额资金使用",
    "unit": "二连浩特市总医院",
    "amount": "600000",
    "budgeted": "是",
    "staff_interest": "否",
    "summary": "总医院CT机房防护改造工程",
}
APPOINTMENT = {
    "category": "重要干部任免",
    "unit": "二连浩特市蒙医中医医院",
    "staff_interest": "否",
    "summary": "拟任命苏日娜为二连浩特市蒙医中医医院执行院长",
}


def route(spec, submission: dict) -> dict:
    return {step.key: step for step in plan_route(spec, coerce_fields(spec, submission))}


def test_route_lists_every_step_in_order(major_matter):
    steps = plan_route(major_matter, coerce_fields(major_matter, ULTRASOUND))
    assert [s.key for s in steps] == [
        "proposal", "pre_review", "leader_review", "principal_review", "president_office", "party_committee",
        "record", "supervision"]
    assert [s.name for s in steps][:2] == ["议题申报", "前置程序"]


def test_budgeted_funds_below_threshold_skip_party_committee(major_matter):
    steps = route(major_matter, ULTRASOUND)
    party = steps["party_committee"]
    assert party.applies is False
    assert "< 200,000 元" in party.why
    assert party.why == ("事项类别 大额资金使用 不属于 重大事项决策、重要干部任免、重大项目安排，"
                         "且金额 150,000 元 < 200,000 元，且是否预算内：是")
    assert party.sentence == "【党委会集体决定】不适用：" + party.why
    assert "须提交党委会集体决策" not in party.why


def test_budgeted_funds_below_threshold_still_go_to_president_office(major_matter):
    steps = route(major_matter, ULTRASOUND)
    office = steps["president_office"]
    assert office.applies is True
    assert office.why == "事项类别 大额资金使用 不为 重要干部任免，行政事项先由院长办公会研究，形成意见后提请党委会"
    assert [k for k, s in steps.items() if not s.applies] == ["party_committee"]


def test_steps_without_condition_always_apply(major_matter):
    steps = route(major_matter, ULTRASOUND)
    assert steps["proposal"].applies is True
    assert steps["proposal"].why == "所有事项均须经此环节"
    assert steps["record"].sentence == "【形成会议纪要（决定）及督办事项】适用：所有事项均须经此环节"


def test_funds_above_threshold_go_to_party_committee(major_matter):
    party = route(major_matter, CT_ROOM)["party_committee"]
    assert party.applies is True
    assert party.why == "金额 600,000 元 ≥ 200,000 元，须提交党委会集体决策"
    assert party.sentence == "【党委会集体决定】适用：金额 600,000 元 ≥ 200,000 元，须提交党委会集体决策"


@pytest.mark.parametrize(("amount", "applies", "why_start"), [
    ("200000", True, "金额 200,000 元 ≥ 200,000 元"),
    ("200000.00", True, "金额 200,000 元 ≥ 200,000 元"),
    ("199999.99", False, "事项类别 大额资金使用 不属于"),
])
def test_threshold_boundary_includes_200000(major_matter, amount, applies, why_start):
    party = route(major_matter, {**ULTRASOUND, "amount": amount})["party_committee"]
    assert party.applies is applies
    assert party.why.startswith(why_start)


def test_off_budget_small_spend_goes_to_party_committee(major_matter):
    party = route(major_matter, {**ULTRASOUND, "amount": "50000", "budgeted": "否"})["party_committee"]
    assert party.applies is True
    assert party.why == "是否预算内：否，须提交党委会集体决策"


def test_appointment_skips_president_office(major_matter):
    steps = route(major_matter, APPOINTMENT)
    office = steps["president_office"]
    assert office.applies is False
    assert office.why == "事项类别 重要干部任免 为 重要干部任免"
    assert office.sentence == "【院长办公会研究】不适用：事项类别 重要干部任免 为 重要干部任免"
    party = steps["party_committee"]
    assert party.applies is True
    assert party.why.startswith("事项类别 重要干部任免 属于 重大事项决策、重要干部任免、重大项目安排")
    assert party.why.endswith("，须提交党委会集体决策")


def test_appointment_is_personnel_and_funds_are_not(major_matter):
    assert is_personnel(major_matter, coerce_fields(major_matter, APPOINTMENT)) is True
    assert is_personnel(major_matter, coerce_fields(major_matter, CT_ROOM)) is False


def test_principal_review_assignee(major_matter):
    step = major_matter.step("principal_review")
    assert assignee_role(step, coerce_fields(major_matter, APPOINTMENT), major_matter) == "party_secretary"
    assert assignee_role(step, coerce_fields(major_matter, CT_ROOM), major_matter) == "president"


def test_leader_review_assignee_is_vice_president(major_matter):
    step = major_matter.step("leader_review")
    assert assignee_role(step, coerce_fields(major_matter, APPOINTMENT), major_matter) == "vice_president"


def test_meeting_step_has_no_assignee(major_matter):
    step = major_matter.step("party_committee")
    assert assignee_role(step, coerce_fields(major_matter, CT_ROOM), major_matter) is None


def needed(spec, submission: dict) -> dict[str, tuple[bool, str]]:
    gate = spec.step("pre_review")
    return {req.key: (need, why) for req, need, why in required_opinions(gate, coerce_fields(spec, submission), spec)}


def test_staff_interest_requires_staff_congress_opinion(major_matter):
    opinions = needed(major_matter, {**CT_ROOM, "staff_interest": "是"})
    assert opinions["staff_congress"] == (True, "涉及职工切身利益：是")


def test_no_staff_interest_needs_no_staff_congress_opinion(major_matter):
    opinions = needed(major_matter, {**CT_ROOM, "staff_interest": "否"})
    assert opinions["staff_congress"] == (False, "涉及职工切身利益：否")


def test_staff_congress_requirement_names_the_opinion(major_matter):
    gate = major_matter.step("pre_review")
    values = coerce_fields(major_matter, {**CT_ROOM, "staff_interest": "是"})
    req = next(r for r, need, _ in required_opinions(gate, values, major_matter) if r.key == "staff_congress")
    assert req.name == "职代会审议意见"
    assert req.role == "union_chair"


def test_opinions_for_large_funds(major_matter):
    opinions = needed(major_matter, CT_ROOM)
    assert {k for k, (need, _) in opinions.items() if need} == {"legality", "risk", "consultation", "finance"}
    assert opinions["legality"] == (True, "所有事项均须经此环节")
    assert opinions["risk"] == (True, "金额 600,000 元 ≥ 200,000 元")
    assert opinions["finance"] == (True, "事项类别 大额资金使用 属于 重大项目安排、大额资金使用")
    assert opinions["discipline"] == (False, "事项类别 大额资金使用 不为 重要干部任免")


def test_opinions_for_small_budgeted_funds_need_no_risk_assessment(major_matter):
    opinions = needed(major_matter, ULTRASOUND)
    assert opinions["risk"][0] is False
    assert "金额 150,000 元 < 200,000 元" in opinions["risk"][1]


def test_opinions_for_appointment(major_matter):
    opinions = needed(major_matter, APPOINTMENT)
    assert {k for k, (need, _) in opinions.items() if need} == {"legality", "consultation", "discipline"}
    assert opinions["discipline"] == (True, "事项类别 重要干部任免 为 重要干部任免")


def test_step_applies_single_step(major_matter):
    values = coerce_fields(major_matter, CT_ROOM)
    office = step_applies(major_matter.step("president_office"), values, major_matter)
    assert (office.key, office.name, office.applies) == ("president_office", "院长办公会研究", True)
