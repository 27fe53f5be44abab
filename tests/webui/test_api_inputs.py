"""Bad input is a 422 (or 404 for an unknown id) with a Chinese message — never a 500 — and changes nothing."""

import re

import pytest
from sqlalchemy.orm.exc import StaleDataError

from quorum.services import inbox
from tests import helpers
from tests.webui.test_api import API, as_user, audit_count, set_clock, submit_appointment

CJK = re.compile(r"[\u4e00-\u9fff]")
GOOD_MATTER = {"workflow": "major_matter", "title": "关于购置总医院64排CT的议题",
               "fields": {"category": "funds", "unit": "general_hospital", "amount": "1860000", "summary": "购置方案。"}}


def assert_refused(response, status: int, words: str = "") -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message"} and CJK.search(body["message"]), body
    assert words in body["message"], body
    return body


@pytest.fixture
def world(app, sc):
    """A project matter on the agenda of a 院长办公会 in session; a personnel matter at its 前置程序."""
    project = helpers.submit(sc, "关于建设医共体远程会诊中心的议题")
    helpers.pass_gate_and_reviews(sc, project)
    meeting = helpers.schedule(sc, "president_office", [project])
    helpers.start(sc, meeting)
    personnel = submit_appointment(sc)
    set_clock(app, sc, sc.env.now)
    return {"meeting": meeting, "project": project, "personnel": personnel,
            "legal_task": sc.task_of("zhouming", personnel, "legality")}


def test_malformed_or_wrongly_typed_bodies_are_422(client, sc, world):
    secretary = as_user(client, "gaowenjing")
    before = audit_count(sc)
    raw = {"data": "{not json", "content_type": "application/json"}
    assert_refused(secretary.post("/matters", **raw), 422, "JSON")
    assert_refused(secretary.post("/matters", data=b"\xff\xfe", content_type="application/json"), 422)
    assert_refused(secretary.post("/matters", json=["major_matter"]), 422, "JSON 对象")
    assert_refused(secretary.post("/matters", data="[" * 100_000, content_type="application/json"), 422)
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "title": None}), 422, "缺少必填项「title」")
    assert_refused(secretary.post("/matters", json={k: v for k, v in GOOD_MATTER.items() if k != "workflow"}), 422,
                   "workflow")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "title": 42}), 422, "应为字符串")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "title": "议" * 201}), 422, "200")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "title": "关于\x00的议题"}), 422, "空字符")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "fields": "category=funds"}), 422, "对象")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "fields": {**GOOD_MATTER["fields"],
                                                                              "amount": [1860000]}}), 422, "amount")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "fields": {"category": "funds"}}), 422, "必填")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "fields": {**GOOD_MATTER["fields"],
                                                                              "colour": "red"}}), 422, "colour")
    assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "workflow": "no_such_flow"}), 422, "未知的流程")
    assert audit_count(sc) == before


def test_meeting_input_is_checked_before_the_engine_sees_it(client, sc, world):
    secretary = as_user(client, "gaowenjing")
    before = audit_count(sc)
    good = {"body": "president_office", "at": "2026-12-01T09:00:00+08:00", "place": "总医院会议室"}
    assert_refused(secretary.post("/meetings", json={**good, "matters": ["x"]}), 422, "正整数编号")
    assert_refused(secretary.post("/meetings", json={**good, "matters": [True]}), 422, "正整数编号")
    assert_refused(secretary.post("/meetings", json={**good, "matters": 3}), 422, "编号列表")
    assert_refused(secretary.post("/meetings", json={**good, "matters": [2**40]}), 422, "超出范围")
    assert_refused(secretary.post("/meetings", json={**good, "at": "下周二上午"}), 422, "ISO 8601")
    assert_refused(secretary.post("/meetings", json={**good, "at": "0001-01-01T09:00:00"}), 422, "年份")
    assert_refused(secretary.post("/meetings", json={**good, "at": 20261201}), 422, "应为字符串")
    assert_refused(secretary.post("/meetings", json={**good, "urgent": "yes"}), 422, "true 或 false")
    assert_refused(secretary.post("/meetings", json={**good, "body": "board_of_nothing"}), 422, "未知的议事机构")
    assert_refused(secretary.post("/meetings", json={**good, "at": "2026-11-01T09:00:00"}), 422, "会议通知须至少提前")
    assert_refused(secretary.post("/meetings", json={**good, "matters": [999999]}), 404, "事项")
    meeting = f"/meetings/{world['meeting']}"
    assert_refused(secretary.post(f"{meeting}/attendance", json={"person": "zhangliping", "status": "asleep"}), 422,
                   "出席状态")
    assert_refused(secretary.post(f"{meeting}/attendance", json={"person": "nobody", "status": "present"}), 404,
                   "用户不存在")
    assert_refused(secretary.post(f"{meeting}/attendance", json={"person": ["zhangliping"]}), 422)
    assert_refused(secretary.post(f"{meeting}/items", json={"matter": "1"}), 422, "正整数编号")
    assert_refused(secretary.post(f"{meeting}/items/1/defer", json={}), 422, "reason")
    assert_refused(secretary.post(f"{meeting}/items/9/close"), 404, "议题")
    assert_refused(secretary.post("/meetings/999999/open"), 404, "会议")
    assert_refused(secretary.post(f"{meeting}/open", data="{", content_type="application/json"), 422)
    assert audit_count(sc) == before


def test_votes_follow_the_rules_with_clear_statuses(client, sc, world):
    item = f"/meetings/{world['meeting']}/items/1"
    member = as_user(client, "zhangliping")
    before = audit_count(sc)
    assert_refused(member.post(f"{item}/votes", json={"choice": "maybe"}), 409, "表决选项")
    assert_refused(member.post(f"{item}/votes", json={"choice": "disagree"}), 422, "理由")
    assert_refused(member.post(f"{item}/votes", json={}), 422, "choice")
    assert_refused(member.post(f"{item}/votes", json={"choice": "agree", "voter": "nobody"}), 404)
    assert audit_count(sc) == before
    assert member.post(f"{item}/votes", json={"choice": "agree"}).status_code == 201
    assert_refused(member.post(f"{item}/votes", json={"choice": "agree"}), 409, "只能表决一次")


def test_task_actions_reject_unknown_actions_steps_and_records(client, sc, world):
    counsel = as_user(client, "zhouming")
    task = f"/tasks/{world['legal_task']}/actions"
    before = audit_count(sc)
    assert_refused(counsel.post(task, json={"action": "sign"}), 422, "action")
    assert_refused(counsel.post(task, json={"action": "return", "comment": "材料不全", "return_to": "nowhere"}), 422,
                   "nowhere")
    assert_refused(counsel.post(task, json={"action": "reject"}), 422, "理由")
    assert_refused(counsel.post(task, json={"action": "approve", "record": {"items": "采购"}}), 422, "督办事项列表")
    assert_refused(counsel.post(task, json={"action": "approve", "record": {"items": [{"title": "采购"}]}}), 422,
                   "lead_unit")
    assert_refused(counsel.post(task, json={"action": "approve", "record": {"items": [
        {"title": "采购", "lead_unit": "general_hospital", "due_working_days": "二十"}]}}), 422, "due_working_days")
    assert_refused(counsel.post(task, json={"action": "approve", "record": {"items": [
        {"title": "采购", "lead_unit": {"key": "general_hospital"}}]}}), 422, "lead_unit")
    assert_refused(counsel.post(task, json={"action": "approve", "fields": {"amount": {"v": 1}}}), 422, "amount")
    assert_refused(counsel.post("/tasks/999999/actions", json={"action": "approve"}), 404, "待办")
    assert_refused(counsel.post("/tasks/999999/actions", json={"action": "return", "comment": "退回",
                                                               "return_to": "proposal"}), 404, "待办")
    assert audit_count(sc) == before


def test_unknown_or_impossible_ids_and_queries(client, sc, world):
    secretary = as_user(client, "gaowenjing")
    for path in ("/matters/999999", "/matters/99999999999999999999", "/matters/abc", "/meetings/999999",
                 "/meetings/-1", "/nothing/here"):
        assert_refused(secretary.get(path), 404)
    assert_refused(secretary.post("/supervision/999999/reports", json={"text": "进展"}), 404, "督办事项")
    assert_refused(secretary.post("/supervision/1/reports", json={"text": "进展", "done": "true"}), 422, "true 或 false")
    assert_refused(secretary.get("/matters?status=finished"), 422, "status")
    assert_refused(secretary.get("/matters?limit=lots"), 422, "limit")
    assert_refused(secretary.get("/matters?limit=²"), 422, "limit")
    assert_refused(secretary.get("/matters?limit=9999"), 422, "limit")
    assert_refused(secretary.get("/meetings?status=adjourned"), 422, "status")
    assert_refused(secretary.get("/supervision?status=late"), 422, "status")
    assert_refused(secretary.client.delete(f"{API}/matters/1"), 405)
    assert_refused(secretary.post(f"/matters/{world['project']}/urgent", json={"reason": 7}), 422, "reason")


def test_token_endpoint_checks_its_input(client, sc):
    assert_refused(client.post(f"{API}/token", json={"username": "zhouming"}), 422, "password")
    assert_refused(client.post(f"{API}/token", data="zhouming", content_type="application/json"), 422)
    assert_refused(client.post(f"{API}/token", json={"username": ["zhouming"], "password": "x"}), 422)


def test_a_concurrent_change_is_a_409_not_a_500(client, sc, monkeypatch):
    me = as_user(client, "zhouming")

    def lost_the_race(*_args, **_kw):
        raise StaleDataError("UPDATE statement on table 'task' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(inbox, "inbox", lost_the_race)
    assert_refused(me.get("/me/tasks"), 409, "请刷新后重试")


def test_input_refusals_read_in_full(client, sc, world):
    """The wording comes from the message table: examples with braces and the list of choices read whole."""
    secretary = as_user(client, "gaowenjing")
    body = assert_refused(secretary.post("/matters", json=["major_matter"]), 422)
    assert body["message"].endswith("请求体须为 JSON 对象，例如 {\"title\": \"…\"}")
    body = assert_refused(secretary.post("/matters", json={**GOOD_MATTER, "fields": "category=funds"}), 422)
    assert body["message"].endswith("「fields」应为对象，例如 {\"category\": \"funds\"}")
    body = assert_refused(secretary.get("/matters?status=asleep"), 422)
    assert "查询参数「status」的值「asleep」无效，可选：active、closed、rejected、withdrawn" in body["message"]
