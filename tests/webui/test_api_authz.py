"""The authorization matrix: every API endpoint refuses a request without a token (401) and, where a
role or a membership matters, a person without it (403) — and neither changes anything.

The world: a 大额资金 matter decided by the 院长办公会 with one open 督办 item; a project matter on
the agenda of a 院长办公会 now in session; a 干部任免 matter waiting for its 合法性审查; and from the
chains: a member unit's expenditure at its payment step, a nomination under 任前公示 with one
objection, and a nomination the 卫健委 disagreed with, on a 党委会 now in session.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time

import pytest
from sqlalchemy import func, select

from quorum.calendar import TZ
from quorum.db import (
    AgendaItem,
    AuditEvent,
    Ballot,
    Matter,
    MatterCopy,
    Meeting,
    Opinion,
    Payment,
    Person,
    ProgressReport,
    PublicityObjection,
    Task,
)
from quorum.services import matters, meetings, publicity, supervision
from tests import helpers
from tests.webui import chains
from tests.webui.conftest import business_events
from tests.webui.test_api import API, ApiClient, issue_token, set_clock, submit_appointment

PUBLIC = {("POST", "/api/v1/token"), ("GET", "/api/v1/openapi.json")}
# One's own tokens and password: no one else's to refuse (someone else's token is 404), covered with
# their 401s in tests/security/test_sessions.py and test_authentication.py.
SELF_SERVICE = {("GET", "/api/v1/tokens"), ("DELETE", "/api/v1/tokens/1"), ("POST", "/api/v1/me/password")}


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    body: dict | None = None
    wrong: tuple[str, ...] = ()        # people who must get 403


def cases(w) -> list[Case]:
    """One or more cases per endpoint; `w` holds the ids of the world built below."""
    meeting, item = f"/meetings/{w['meeting']}", f"/meetings/{w['meeting']}/items/1"
    at = w["future"]
    outsider, member = "tuya", "zhangliping"          # 风险管理科 (no seat); 总会计师 (a seat, not an organiser)
    return [
        Case("GET", "/workflows"),
        Case("GET", "/workflows/major_matter"),
        Case("GET", "/matters"),
        Case("GET", "/documents"),                     # issue 15 search: everyone lists what they may read
        Case("POST", "/matters", {"workflow": "major_matter", "title": "关于调整科室设置的议题",
                                  "fields": {"category": "decision", "unit": "general_hospital", "summary": "方案。"}},
             wrong=("zhouming",)),
        Case("GET", f"/matters/{w['personnel']}", wrong=(outsider, member)),
        Case("POST", f"/matters/{w['project']}/urgent", {"reason": "上级督查要求本周内研究"}, wrong=(member, outsider)),
        Case("GET", "/me/tasks"),
        Case("POST", f"/tasks/{w['legal_task']}/actions", {"action": "approve", "comment": "同意。"},
             wrong=(outsider, "sunlixin")),
        Case("POST", "/meetings", {"body": "president_office", "at": at, "place": "总医院会议室"},
             wrong=(member, outsider)),
        Case("GET", "/meetings"),
        Case("GET", meeting, wrong=(outsider,)),
        Case("POST", f"{meeting}/open", wrong=(member, outsider)),
        Case("POST", f"{meeting}/items", {"matter": w["project"]}, wrong=(member, outsider)),
        Case("POST", f"{meeting}/attendance", {"person": member, "status": "left"}, wrong=(member, outsider)),
        Case("POST", f"{item}/recusals", {"person": member, "reason": "近亲属在供应商任职"}, wrong=(member, outsider)),
        Case("POST", f"{item}/written-opinions", {"person": member, "text": "同意。"}, wrong=(member, outsider)),
        Case("POST", f"{meeting}/absence", {"reason": "赴市卫健委参加培训"}, wrong=(outsider,)),
        Case("POST", f"{item}/votes", {"choice": "agree"}, wrong=(outsider,)),
        Case("POST", f"{item}/votes", {"choice": "agree", "voter": "liuzhigang"}, wrong=(member,)),
        Case("POST", f"{item}/close", wrong=(member, outsider)),
        Case("POST", f"{item}/defer", {"reason": "法定人数不足"}, wrong=(member, outsider)),
        Case("POST", f"{meeting}/close", wrong=(member, outsider)),
        Case("GET", "/supervision"),
        Case("POST", f"/supervision/{w['supervision']}/reports", {"text": "已完成。", "done": True},
             wrong=("surina", "aoqier")),          # neither works at the lead unit
        Case("GET", "/audit/verify", wrong=("sarengaowa", "zhouming", member)),
        Case("GET", "/audit/refusals", wrong=("sarengaowa", "zhouming", member)),
        # the chains
        Case("POST", f"/tasks/{w['legal_task']}/comments", {"text": "请补充合同文本。"}, wrong=(outsider, "sunlixin")),
        Case("POST", f"/tasks/{w['legal_task']}/signers", {"signer": "tuya", "reason": "涉及风险评估"},
             wrong=(outsider, "sunlixin")),
        Case("POST", f"/matters/{w['project']}/copies", {"people": ["zhouming"]}, wrong=(outsider, member)),
        Case("POST", f"/tasks/{w['pay_task']}/payments", {"amount": "10000"}, wrong=("zhanghua", outsider)),
        Case("POST", f"/tasks/{w['pay_task']}/complete", {}, wrong=("zhanghua", outsider)),
        Case("POST", f"/matters/{w['expenditure']}/amount", {"field": "amount", "amount": "32000", "reason": "增购"},
             wrong=(outsider, "lichunyan")),
        Case("GET", f"/matters/{w['publicity']}/objections", wrong=(outsider, member)),
        Case("POST", f"/matters/{w['publicity']}/objections", {"text": "反映其考勤不实。", "complainant": "王某"},
             wrong=("bater", member)),
        Case("POST", f"/matters/{w['publicity']}/objections/{w['objection']}/resolution",
             {"result": "unfounded", "finding": "经核查考勤记录属实。", "feedback": "已当面反馈。"},
             wrong=("gaowenjing", "bater")),
        Case("POST", f"/meetings/{w['party_meeting']}/items/1/acknowledgement", {"text": "已向会议通报。"},
             wrong=("wangjianhua", outsider)),
    ]


def build_world(app, sc) -> dict:
    secretary = sc.holder("secretariat", 0)
    funds = helpers.submit(sc, "关于统一采购成员单位心电图机的议题", category="funds", amount="150000")
    helpers.pass_gate_and_reviews(sc, funds)
    decided = helpers.schedule(sc, "president_office", [funds])
    roll = helpers.start(sc, decided)
    for username in [u for u in roll["members"] if u != roll["chair"]] + [roll["chair"]]:
        sc.do(username, meetings.vote, decided, 1, "agree")
    sc.do(secretary, meetings.close_item, decided, 1)
    sc.do(secretary, meetings.close, decided)
    sc.do(secretary, matters.act, sc.task_of(secretary, funds), "record", "会议同意统一采购。", record={"items": [
        {"title": "完成心电图机采购", "lead_unit": "general_hospital", "due_working_days": 20}]})
    with sc.sessions.begin() as s:
        supervision_id = supervision.board(s)[0].id
    project = helpers.submit(sc, "关于建设医共体远程会诊中心的议题")
    helpers.pass_gate_and_reviews(sc, project)
    in_session = helpers.schedule(sc, "president_office", [project])
    helpers.start(sc, in_session)
    personnel = submit_appointment(sc)
    spending = chains.expenditure_at_execution(sc)
    under_publicity = chains.appointment_at_publicity(sc)
    objection = sc.do("alatan", publicity.lodge, under_publicity, "反映其在原岗位考勤不实。", complainant="王某",
                      contact="13800000000").id
    disputed = chains.appointment_at_party_committee(sc, disagree=True)
    party_meeting, _roll = chains.meeting_in_session(sc, "party_committee", [disputed])
    set_clock(app, sc, sc.env.now)
    future = datetime.combine(sc.env.calendar.add_working_days(sc.env.now.date(), 5).due, time(9), tzinfo=TZ)
    return {"meeting": in_session, "project": project, "personnel": personnel, "supervision": supervision_id,
            "legal_task": sc.task_of("zhouming", personnel, "legality"), "future": future.isoformat(),
            "expenditure": spending, "pay_task": sc.task_of("yangxiaodong", spending),
            "publicity": under_publicity, "objection": objection, "party_meeting": party_meeting}


def fingerprint(sc) -> tuple:
    """What a refused request must leave alone: the audit chain and the state it records."""
    with sc.sessions.begin() as s:
        def count(model):
            return s.execute(select(func.count()).select_from(model)).scalar_one()
        statuses = [tuple(s.execute(select(m.id, m.status).order_by(m.id)).all()) for m in (Matter, Meeting, Task)]
        counts = [business_events(s), *(count(m) for m in (Ballot, ProgressReport, Payment, PublicityObjection,
                                                            MatterCopy, Opinion, Task))]
        resolved = tuple(s.execute(select(PublicityObjection.id, PublicityObjection.status)).all())
        acknowledged = tuple(s.execute(select(AgendaItem.id, AgendaItem.acknowledged_at)).all())
        return *counts, *statuses, resolved, acknowledged


def last_refusal(sc) -> tuple:
    """Who was last refused, and on which request (the record 纪检监察 reads)."""
    with sc.sessions.begin() as s:
        row = s.execute(select(Person.username, AuditEvent.payload).join(Person, Person.id == AuditEvent.actor_id)
                        .where(AuditEvent.kind == "access.refused").order_by(AuditEvent.seq.desc()).limit(1)).first()
        return (row[0], row[1]["where"], row[1]["channel"]) if row else ()


def test_every_api_endpoint_is_in_the_matrix(app):
    adapter = app.url_map.bind("localhost")
    covered = {(c.method, adapter.match(API + c.path, c.method)[0]) for c in cases(defaultdict(lambda: 1))}
    covered |= {(method, adapter.match(path, method)[0]) for method, path in PUBLIC | SELF_SERVICE}
    routes = {(method, rule.endpoint) for rule in app.url_map.iter_rules() if rule.rule.startswith(API + "/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == covered


def test_public_endpoints_need_no_token(client, sc):
    assert client.get(f"{API}/openapi.json").status_code == 200
    assert client.post(f"{API}/token", json={"username": "zhouming", "password": "x"}).status_code == 401


@pytest.mark.slow
def test_no_token_is_401_and_the_wrong_person_is_403_and_nothing_changes(app, client, sc):
    world = build_world(app, sc)
    tokens = {u: issue_token(client, u) for c in cases(world) for u in c.wrong}
    before = fingerprint(sc)
    failures = []
    for case in cases(world):
        for username in (None, *case.wrong):
            api = ApiClient(client, tokens.get(username))
            response = api.get(case.path) if case.method == "GET" else api.post(case.path, json=case.body)
            expected = 401 if username is None else 403
            body = response.get_json(silent=True) or {}
            if response.status_code != expected or not body.get("message"):
                failures.append(f"{case.method} {case.path} as {username}: {response.status_code} {body}")
            elif fingerprint(sc) != before:
                failures.append(f"{case.method} {case.path} as {username}: changed the record")
                before = fingerprint(sc)
            elif username is not None and last_refusal(sc) != (username, f"{case.method} {API}{case.path}", "api"):
                failures.append(f"{case.method} {case.path} as {username}: refusal not recorded ({last_refusal(sc)})")
    assert failures == []


def test_the_right_people_pass_the_same_checks(app, client, sc):
    """The matrix is not satisfied by refusing everyone: the holders of the right get through."""
    world = build_world(app, sc)
    meeting, project = world["meeting"], world["project"]
    legal, pay_task = f"/tasks/{world['legal_task']}", f"/tasks/{world['pay_task']}"
    under_publicity = f"/matters/{world['publicity']}"
    allowed = [("alatan", "GET", f"/matters/{world['personnel']}", None),
               ("zhouming", "POST", f"{legal}/comments", {"text": "请补充合同文本。"}),
               ("zhouming", "POST", f"{legal}/signers", {"signer": "tuya", "reason": "涉及风险评估"}),
               ("zhouming", "POST", f"{legal}/actions", {"action": "approve", "comment": "同意。"}),
               ("gaowenjing", "POST", f"/matters/{project}/copies", {"people": ["zhouming"]}),
               ("zhanghua", "POST", f"/matters/{world['expenditure']}/amount",
                {"field": "amount", "amount": "32000", "reason": "增购一台"}),
               ("yangxiaodong", "POST", f"{pay_task}/payments", {"amount": "32000"}),
               ("yangxiaodong", "POST", f"{pay_task}/complete", {"comment": "已全部支付。"}),
               ("alatan", "GET", f"{under_publicity}/objections", None),
               ("gaowenjing", "POST", f"{under_publicity}/objections", {"text": "反映其考勤不实。", "complainant": "王某"}),
               ("sunlixin", "POST", f"{under_publicity}/objections/{world['objection']}/resolution",
                {"result": "unfounded", "finding": "经核查考勤记录无误。", "feedback": "已当面反馈。"}),
               ("gaowenjing", "POST", f"/meetings/{world['party_meeting']}/items/1/acknowledgement",
                {"text": "已向会议通报县卫健委的不同意见。"}),
               ("eerdun", "POST", f"/matters/{project}/urgent", {"reason": "上级督查要求本周内研究"}),
               ("zhangliping", "GET", f"/meetings/{meeting}", None),
               ("zhangliping", "POST", f"/meetings/{meeting}/items/1/votes", {"choice": "agree"}),
               ("sarengaowa", "POST", f"/meetings/{meeting}/attendance", {"person": "zhangliping", "status": "left"}),
               ("sarengaowa", "POST", f"/supervision/{world['supervision']}/reports", {"text": "已完成。", "done": True}),
               ("sunlixin", "GET", "/audit/verify", None),
               ("gaowenjing", "GET", "/audit/verify", None),
               ("sunlixin", "GET", "/audit/refusals", None)]
    for username, method, path, body in allowed:
        api = ApiClient(client, issue_token(client, username))
        response = api.get(path) if method == "GET" else api.post(path, json=body)
        assert response.status_code in (200, 201), (username, path, response.get_json())
