"""绩效分配方案, in the process's words (DOMAIN.md W5, §6.5 #36–37).

阿拉坦 drafts the 医共体's plan; the six member units' heads answer; an objection goes to the 理事会;
then 职代会, 院长办公会 and 党委会; then 钱伟 (卫健委), 恩和 (人社局) and 刘淑芬 (财政局) each approve.
"""

import pytest

from quorum.calendar import WorkCalendar
from quorum.core.spec import parse_policy_set
from quorum.policies import LoadedPolicies, digest_of, read_raw
from quorum.services import demo, matters
from quorum.services.env import Env
from tests.conftest import ROOT, START
from tests.helpers import answer, current_step, hold, open_tasks, status

BUREAUS = {"health_commission": "qianwei", "hrss_bureau": "enhe", "finance_bureau": "liushufen"}


def draft(sc) -> int:
    fields = {"year": "2026", "total_pot": "12800000",
              "summary": "以岗位价值、工作量和质量考核为基础分配，落实两个允许。", "grassroots_tilt": "基层岗位系数上浮20%。"}
    return sc.do("alatan", matters.submit, "performance_plan", "二连浩特市紧密型医共体2026年度绩效分配方案", fields).id


def members_answer(sc, m: int, answers: dict[str, tuple[str, str]] | None = None) -> None:
    answers = answers or {}
    for task_id, user, kind, unit in open_tasks(sc, m):
        assert kind == "countersign"
        action, text = answers.get(unit, ("agree", ""))
        sc.do(user, matters.act, task_id, action, text)


def through_meetings(sc, m: int) -> None:
    for body in ("staff_congress", "president_office", "party_committee"):
        assert current_step(sc, m) == body
        hold(sc, body, [m])


def test_member_units_agree_then_the_plan_is_approved_by_all_three_bureaus_and_filed(sc):
    m = draft(sc)
    units = {unit for _, _, _, unit in open_tasks(sc, m)}
    assert units == {"mongolian_tcm_hospital", "maternal_child_center", "wulan_chc", "dongcheng_chc", "xilin_chc",
                     "gerile_station"}
    members_answer(sc, m, {"wulan_chc": ("agree_with_changes", "建议家庭医生签约服务单列考核。")})
    assert current_step(sc, m) == "staff_congress"        # no objection: no 理事会 coordination
    through_meetings(sc, m)
    for unit, user in BUREAUS.items():
        assert current_step(sc, m) == "bureau_approval"
        assert answer(sc, m, "approve", "同意。", requirement=unit) == user
    task_id, user, kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "record", "已印发实施。")
    assert answer(sc, m, "acknowledge", "已备案。") == "xuqing"
    assert status(sc, m) == "closed"


def test_agree_with_changes_needs_the_changes_and_an_objection_goes_to_the_board(sc):
    m = draft(sc)
    task_id, user, _kind, _unit = open_tasks(sc, m)[0]
    assert "须填写理由或说明" in sc.refused(user, matters.act, task_id, "agree_with_changes", "")
    members_answer(sc, m, {"gerile_station": ("object", "服务站仅3名职工，分配系数偏低，不同意。")})
    assert current_step(sc, m) == "board_coordination"
    with sc.sessions.begin() as s:
        why = next(st.why for st in matters.get(s, m).steps if st.step_key == "board_coordination")
    assert why == "成员单位有反对意见：是，成员单位未达成一致意见，提交理事会协调"
    hold(sc, "board", [m])
    assert current_step(sc, m) == "staff_congress"


def test_one_bureau_rejecting_returns_the_plan_and_all_three_approve_again(sc):
    m = draft(sc)
    members_answer(sc, m)
    through_meetings(sc, m)
    answer(sc, m, "approve", "同意。", requirement="health_commission")
    answer(sc, m, "reject", "绩效工资总量超出核定额度，请调整。", requirement="hrss_bureau")
    assert current_step(sc, m) == "draft"
    assert [k for _, _, k, _ in open_tasks(sc, m)] == ["resubmit"]     # 财政局's pending task was cancelled
    task_id, user, _kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "resubmit", "已按人社局意见将总量调整为1200万元。", fields={"total_pot": "12000000"})
    members_answer(sc, m)
    through_meetings(sc, m)
    assert {unit for _, _, _, unit in open_tasks(sc, m)} == set(BUREAUS)    # restart = "all"


@pytest.fixture
def objecting_only(community, loaded_policies):
    raw = read_raw(ROOT / "policies")
    step = next(st for st in raw["workflows"]["performance_plan"]["steps"] if st["key"] == "bureau_approval")
    step["restart"] = "objecting"
    policies = LoadedPolicies(parse_policy_set(raw), raw, digest_of(raw))
    return demo.Scenario(community.sessions, Env(policies, WorkCalendar(), START))


def test_a_county_may_restart_only_the_objecting_bureau(objecting_only):
    sc = objecting_only
    m = draft(sc)
    members_answer(sc, m)
    through_meetings(sc, m)
    answer(sc, m, "approve", "同意。", requirement="health_commission")
    answer(sc, m, "approve", "同意。", requirement="finance_bureau")
    answer(sc, m, "reject", "请调整。", requirement="hrss_bureau")
    task_id, user, _kind, _ = open_tasks(sc, m)[0]
    sc.do(user, matters.act, task_id, "resubmit", "已调整。")
    members_answer(sc, m)
    through_meetings(sc, m)
    assert [unit for _, _, _, unit in open_tasks(sc, m)] == ["hrss_bureau"]
    answer(sc, m, "approve", "同意。", requirement="hrss_bureau")
    assert current_step(sc, m) == "implementation"


def test_a_member_units_own_plan_is_studied_by_its_leadership_and_approved_by_the_lead_hospital(sc):
    m = sc.do("lichunyan", matters.submit, "member_performance_plan", "乌兰社区卫生服务中心2026年度绩效考核与分配方案",
              {"unit": "wulan_chc", "year": "2026", "summary": "按家庭医生签约、公卫服务量考核分配。"}).id
    hold(sc, "member_leadership", [m], unit="wulan_chc")
    assert answer(sc, m, comment="符合医共体分配办法。") == "alatan"
    assert answer(sc, m, comment="审定同意。") == "eerdun"
    assert status(sc, m) == "closed"
