"""大额资金使用 of a member unit, in the process's words (DOMAIN.md W3, §6.3 #15–19).

乌兰社区卫生服务中心: 张华 (副主任) files, 李春燕 (主任) approves small requests, the centre's 班子会
(李春燕, 特木尔, 张华) studies from 5万, 杨晓东 (财务管理中心) reviews, 刘志刚 / 乌云其其格 (副院长) approve
from 10万, 院长办公会 and 党委会 decide from 20万 (or 预算外), the 管委会 receives a 请示 from 100万.
"""

import dataclasses
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from quorum.core.errors import QuorumError
from quorum.core.values import Bounds
from quorum.db import Payment
from quorum.services import checks, expenditure, matters, timers
from tests.helpers import answer, current_step, hold, open_tasks, status

APPLICANT = "zhanghua"


def file(sc, title: str, amount: str, **extra: str) -> int:
    fields = {"unit": "wulan_chc", "purpose": extra.pop("purpose", "办公设备购置"), "amount": amount,
              "summary": f"{title}，拟通过询价方式采购。", **extra}
    return sc.do(APPLICANT, matters.submit, "expenditure", title, fields).id


def route(sc, matter_id: int) -> dict[str, bool]:
    with sc.sessions.begin() as s:
        return {st.step_key: st.applies for st in matters.get(s, matter_id).steps}


def fields(sc, matter_id: int) -> dict:
    with sc.sessions.begin() as s:
        return dict(matters.get(s, matter_id).fields)


def record_notice(sc, matter_id: int) -> None:
    task_id, user, _kind, _req = open_tasks(sc, matter_id)[0]
    sc.do(user, matters.act, task_id, "record", "同意。请按规定组织采购并支付。")


def execution_task(sc, matter_id: int) -> tuple[int, str]:
    task_id, user, kind, _ = open_tasks(sc, matter_id)[0]
    assert kind == "execution"
    return task_id, user


def test_below_fifty_thousand_the_member_head_approves_then_finance_then_payment(sc):
    m = file(sc, "乌兰社区中心购置打印机", "49999.99")
    assert route(sc, m) == {"application": True, "member_head_approval": True, "member_leadership": False,
                            "finance_review": True, "vice_president_approval": False, "president_office": False,
                            "party_committee": False, "management_committee": False, "approval_notice": True,
                            "execution": True}
    assert answer(sc, m) == "lichunyan"                # the centre's own head, not every member-unit head
    assert answer(sc, m) == "yangxiaodong"
    record_notice(sc, m)
    task_id, finance = execution_task(sc, m)
    sc.do(finance, expenditure.pay, task_id, "49999.99", note="支付货款")
    sc.do(finance, expenditure.complete, task_id, "已按合同支付。")
    assert status(sc, m) == "closed"


def test_fifty_thousand_is_already_the_collective_tier_and_the_centres_own_leadership_meets(sc):
    m = file(sc, "乌兰社区中心购置心电图机", "50000")          # 5万元（含）以上
    assert current_step(sc, m) == "member_leadership"
    meeting = hold(sc, "member_leadership", [m], unit="wulan_chc")
    with sc.sessions.begin() as s:
        from quorum.services import meetings
        held = meetings.get(s, meeting)
        assert {x.name for x in held.members} == {"李春燕", "特木尔", "张华"}
    assert current_step(sc, m) == "finance_review"
    assert route(sc, m)["vice_president_approval"] is False


def test_another_units_meeting_cannot_decide_the_request(sc):
    m = file(sc, "乌兰社区中心购置心电图机", "80000")
    from datetime import datetime, time

    from quorum.calendar import TZ
    from quorum.services import meetings
    day = sc.env.calendar.add_working_days(sc.env.now.date(), 3).due
    refusal = sc.refused("gaowenjing", meetings.schedule, "member_leadership", "", datetime.combine(day, time(9), tzinfo=TZ),
                         "东城社区中心会议室", [m], unit_key="dongcheng_chc")
    assert "不属于东城社区中心" in refusal
    assert "请选择召开单位" in sc.refused("gaowenjing", meetings.schedule, "member_leadership", "",
                                           datetime.combine(day, time(9), tzinfo=TZ), "会议室", [m])


def test_the_contract_total_decides_not_the_single_payment(sc):
    m = file(sc, "乌兰社区中心屋面防水维修首期款", "30000", contract_total="240000", purpose="房屋修缮",
             project="乌兰社区中心屋面防水工程")
    assert fields(sc, m)["routing_amount"] == "240000"
    r = route(sc, m)
    assert r["member_leadership"] and r["vice_president_approval"] and r["president_office"] and r["party_committee"]
    assert not r["management_committee"]
    with sc.sessions.begin() as s:
        why = next(st.why for st in matters.get(s, m).steps if st.step_key == "party_committee")
    assert "审批依据金额 240,000 元 ≥ 200,000 元" in why
    with pytest.raises(QuorumError, match="「合同（项目）总额」不能小于「本次申请金额」"):
        sc.do(APPLICANT, matters.submit, "expenditure", "错误的合同总额",
              {"unit": "wulan_chc", "purpose": "x", "amount": "50000", "contract_total": "40000", "summary": "s"})


def test_off_budget_spending_is_a_three_important_item_even_when_small(sc):
    m = file(sc, "乌兰社区中心预算外购置消毒设备", "30000", budgeted="false")
    r = route(sc, m)
    assert r["member_leadership"] and r["president_office"] and r["party_committee"] and r["management_committee"]
    assert not r["member_head_approval"]


def test_one_million_goes_on_to_the_management_committee(sc):
    m = file(sc, "乌兰社区中心DR设备购置", "1000000", purpose="设备购置")
    r = route(sc, m)
    assert all(r[k] for k in ("member_leadership", "finance_review", "vice_president_approval", "president_office",
                              "party_committee", "management_committee"))


def test_split_requests_to_the_same_vendor_are_flagged_on_every_request_and_routed_by_the_sum(sc):
    vendor = "锡林郭勒盟康源医疗器械有限公司"
    first = file(sc, "采购输液泵（一）", "40000", vendor=vendor, purpose="输液泵采购（一批）")
    assert current_step(sc, first) == "member_head_approval"
    second = file(sc, "采购输液泵（二）", "40000", vendor=vendor + " ", purpose="输液泵采购（二批）")
    assert fields(sc, second)["routing_amount"] == "80000" and fields(sc, second)["split_suspected"] is True
    assert current_step(sc, second) == "member_leadership"     # the sum crosses 5万: collective study
    third = file(sc, "采购输液泵（三）", "40000", vendor=vendor, purpose="输液泵采购（三批）")
    assert fields(sc, third)["routing_amount"] == "120000"
    assert route(sc, third)["vice_president_approval"] is True  # 12万 crosses the 分管副院长 tier
    with sc.sessions.begin() as s:
        flags = {m: [f.text for f in checks.flags_of(s, m)] for m in (first, second, third)}
        note = matters.get(s, third).route[0]
    assert len(flags[first]) == 2 and len(flags[second]) == 2 and len(flags[third]) == 1
    assert "累计 120,000 元（本次 40,000 元）" in flags[third][0] and "第1号「采购输液泵（一）」40,000 元" in flags[third][0]
    assert note.startswith("拆分规避提示") and "供应商（承包方）" in note


def test_requests_for_other_vendors_or_other_units_are_not_summed(sc):
    file(sc, "采购输液泵", "40000", vendor="甲公司", purpose="输液泵采购")
    other_vendor = file(sc, "采购电脑", "40000", vendor="乙公司", purpose="电脑采购")
    assert fields(sc, other_vendor)["split_suspected"] is None
    other_unit = sc.do("sunhongmei", matters.submit, "expenditure", "东城社区中心采购输液泵",
                       {"unit": "dongcheng_chc", "purpose": "输液泵采购", "vendor": "甲公司", "amount": "40000",
                        "summary": "采购。"}).id
    assert fields(sc, other_unit)["routing_amount"] == "40000"
    assert current_step(sc, other_unit) == "member_head_approval"


def _approved_small(sc, amount: str = "45000") -> int:
    m = file(sc, "乌兰社区中心购置诊疗床", amount, purpose="诊疗床购置")
    answer(sc, m)
    answer(sc, m)
    record_notice(sc, m)
    return m


def test_payments_beyond_the_ten_percent_tolerance_are_refused_and_nothing_is_recorded(sc):
    m = _approved_small(sc)
    task_id, finance = execution_task(sc, m)
    sc.do(finance, expenditure.pay, task_id, "30000")
    refusal = sc.refused(finance, expenditure.pay, task_id, "19500.01")       # 49,500.01 > 45,000 × 1.1
    assert "超过批准金额 45,000 元 的 10%" in refusal
    with sc.sessions.begin() as s:
        assert expenditure.paid_total(s, m) == Decimal("30000")
    sc.do(finance, expenditure.pay, task_id, "19500")                         # exactly 110 % is allowed
    assert sc.refused(APPLICANT, expenditure.pay, task_id, "1")               # only the 财务管理中心 pays


def test_a_larger_contract_goes_back_for_approval_at_the_new_tier(sc):
    m = _approved_small(sc)
    sc.do(APPLICANT, expenditure.change_amount, m, "amount", "48000", "供应商调价")  # within 10 %: recorded
    assert current_step(sc, m) == "execution"
    sc.do(APPLICANT, expenditure.change_amount, m, "amount", "60000", "增加采购数量")
    assert current_step(sc, m) == "application"
    task_id, user, kind, _ = open_tasks(sc, m)[0]
    assert (user, kind) == (APPLICANT, "resubmit")
    sc.do(user, matters.act, task_id, "resubmit", "按新数量重新申报。")
    assert fields(sc, m)["routing_amount"] == "60000"
    assert current_step(sc, m) == "member_leadership"


def test_an_approval_not_used_within_six_months_lapses(sc):
    m = _approved_small(sc)
    with sc.sessions.begin() as s:
        due = matters.current(matters.get(s, m)).due_date
    assert due == sc.env.now.date().replace(year=2027, month=5)     # 2026-11-02 + 6 months
    sc.env = sc.env.later(days=(due - sc.env.now.date()).days)
    with sc.sessions.begin() as s:
        assert timers.fire_due(s, sc.env) == []                        # the last valid day
    sc.env = sc.env.later(days=1)
    with sc.sessions.begin() as s:
        done = timers.fire_due(s, sc.env)
    assert [d["kind"] for d in done] == ["lapsed"] and "批准已于2027-05-02失效" in done[0]["text"]
    assert status(sc, m) == "lapsed"
    with sc.sessions.begin() as s:
        assert timers.fire_due(s, sc.env) == []                        # once


def test_a_request_paid_in_part_does_not_lapse(sc):
    m = _approved_small(sc)
    task_id, finance = execution_task(sc, m)
    sc.do(finance, expenditure.pay, task_id, "10000")
    sc.env = sc.env.later(days=200)
    with sc.sessions.begin() as s:
        assert timers.fire_due(s, sc.env) == []
    assert status(sc, m) == "active"


def test_only_member_unit_deputies_file_and_the_filer_never_approves(sc):
    assert "只有成员单位副职" in sc.refused("lichunyan", matters.submit, "expenditure", "x",
                                             {"unit": "wulan_chc", "purpose": "p", "amount": "1000", "summary": "s"})
    m = file(sc, "乌兰社区中心购置办公桌椅", "8000", purpose="办公桌椅")
    assert APPLICANT not in [u for _, u, _, _ in open_tasks(sc, m)]


def test_a_payment_and_an_amount_change_keep_to_the_deployments_money_ceiling(sc):
    """A county whose [limits] money_max is lower refuses a payment or a changed amount above it (web and API alike)."""
    m = _approved_small(sc)
    task_id, finance = execution_task(sc, m)
    sc.env = dataclasses.replace(sc.env, bounds=Bounds(money_max=Decimal("20000")))
    assert "超出上限 20,000 元" in sc.refused(finance, expenditure.pay, task_id, "30000")
    assert "超出上限 20,000 元" in sc.refused(APPLICANT, expenditure.change_amount, m, "amount", "48000", "增购一张")
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(Payment)).scalar_one() == 0
    sc.do(finance, expenditure.pay, task_id, "15000")
