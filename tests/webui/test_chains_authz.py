"""Every page route added for the chains refuses the wrong person — and a refusal changes nothing.

The world: a member unit's expenditure at its payment step, a nomination under 任前公示 with one
named objection, a 绩效分配方案 at the member units' countersign, and a nomination the 卫健委
disagreed with on a 党委会 now in session. Each case posts the form a browser would post.
"""

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from quorum.db import AgendaItem, MatterCopy, Opinion, Payment, PublicityObjection, Task
from quorum.services import publicity
from tests.webui import chains
from tests.webui.conftest import business_events, csrf_token, flashes
from tests.webui.test_api import set_clock
from tests.webui.test_matters import user

CHAIN_ENDPOINTS = {"matters.comment", "matters.add_signer", "matters.copy", "matters.pay", "matters.complete",
                   "matters.change_amount", "matters.lodge", "matters.resolve", "meetings.acknowledge"}


@dataclass(frozen=True)
class Case:
    endpoint: str
    path: str
    data: dict
    wrong: tuple[str, ...]
    flashed: bool = False            # the meeting room flashes a refusal and goes back to the room


def build_world(app, sc) -> dict:
    spending = chains.expenditure_at_execution(sc)
    plan = chains.performance_plan(sc)
    under_publicity = chains.appointment_at_publicity(sc)
    objection = sc.do(chains.HR, publicity.lodge, under_publicity, "反映其在原岗位考勤不实。", complainant="王某",
                      contact="13800000000").id
    disputed = chains.appointment_at_party_committee(sc, disagree=True)
    meeting, _roll = chains.meeting_in_session(sc, "party_committee", [disputed])
    set_clock(app, sc, sc.env.now)
    return {"spending": spending, "pay_task": sc.task_of(chains.FINANCE, spending), "plan": plan,
            "plan_task": sc.task_of(chains.HEAD, plan), "publicity": under_publicity, "objection": objection,
            "meeting": meeting}


def cases(w) -> list[Case]:
    plan, task = f"/matters/{w['plan']}", f"/matters/{w['plan']}/tasks/{w['plan_task']}"
    pay = f"/matters/{w['spending']}/tasks/{w['pay_task']}"
    under = f"/matters/{w['publicity']}"
    return [
        Case("matters.comment", f"{task}/comment", {"text": "请提供测算表。"}, ("wangxiuying", "tuya")),
        Case("matters.add_signer", f"{task}/signers", {"signer": "naren", "reason": "一并审核"}, ("wangxiuying", "tuya")),
        Case("matters.copy", f"{plan}/copies", {"to": "tuya", "note": "知悉"}, ("tuya", "zhangliping")),
        Case("matters.pay", f"{pay}/payments", {"amount": "10000"}, (chains.DEPUTY, "tuya")),
        Case("matters.complete", f"{pay}/complete", {"comment": "已付清"}, (chains.DEPUTY, "tuya")),
        Case("matters.change_amount", f"/matters/{w['spending']}/amount",
             {"field": "amount", "amount": "32000", "reason": "增购"}, (chains.HEAD, "tuya")),
        Case("matters.lodge", f"{under}/objections", {"text": "反映其作风问题。", "complainant": "李某"},
             (chains.SECRETARY_OF_PARTY, "tuya")),
        Case("matters.resolve", f"{under}/objections/{w['objection']}/resolve",
             {"result": "unfounded", "finding": "反映不实。", "feedback": "已反馈。"},
             (chains.SECRETARY, chains.SECRETARY_OF_PARTY)),
        Case("meetings.acknowledge", f"/meetings/{w['meeting']}/items/1/acknowledge", {"text": "已知悉。"},
             ("wangjianhua", "tuya"), flashed=True),
    ]


def fingerprint(sc) -> tuple:
    with sc.sessions.begin() as s:
        counts = [business_events(s), *(s.execute(select(func.count()).select_from(m)).scalar_one()
                                        for m in (Payment, PublicityObjection, MatterCopy, Opinion, Task))]
        return (*counts, tuple(s.execute(select(PublicityObjection.status)).scalars()),
                tuple(s.execute(select(AgendaItem.acknowledged_at)).scalars()))


def test_every_chain_route_is_in_the_matrix(app):
    covered = {c.endpoint for c in cases({k: 1 for k in ("spending", "pay_task", "plan", "plan_task", "publicity",
                                                          "objection", "meeting")})}
    served = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert CHAIN_ENDPOINTS <= served and covered == CHAIN_ENDPOINTS


@pytest.mark.slow
def test_the_wrong_person_is_refused_and_nothing_changes(app, sc):
    world = build_world(app, sc)
    before = fingerprint(sc)
    failures = []
    for case in cases(world):
        for username in case.wrong:
            client = user(app, username)
            response = client.post(case.path, data={**case.data, "csrf_token": csrf_token(client, "/tasks")})
            if case.flashed:
                refused = response.status_code == 302 and "只有本议题主持人或党政办" in flashes(client)
            else:
                refused = response.status_code in (403, 404) and "无权" in response.get_data(as_text=True)
            if not refused:
                failures.append(f"{case.path} as {username}: {response.status_code}")
            if fingerprint(sc) != before:
                failures.append(f"{case.path} as {username}: changed the record")
                before = fingerprint(sc)
    assert failures == []


def test_a_unit_head_may_not_call_another_units_leadership_meeting(app, sc):
    head = user(app, chains.HEAD)
    before = fingerprint(sc)
    response = head.post("/meetings/new", data={"body": "member_leadership", "unit": "dongcheng_chc",
                                                "at": "2026-11-05T15:00", "place": "东城社区中心会议室",
                                                "csrf_token": csrf_token(head, "/tasks")})
    assert response.status_code == 403 and fingerprint(sc) == before
