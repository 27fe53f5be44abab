"""The chains over the JSON API: any step option as a task action, a payment beyond the tolerance
refused with the amounts and nothing saved, objections without the complainant for most readers."""

from sqlalchemy import func, select

from quorum.db import AuditEvent, Payment
from quorum.services import publicity
from tests.webui import chains
from tests.webui.test_api import as_user, set_clock


def counts(sc) -> tuple[int, int]:
    with sc.sessions.begin() as s:
        return tuple(s.execute(select(func.count()).select_from(m)).scalar_one() for m in (Payment, AuditEvent))


def test_a_member_unit_answers_with_a_step_option_over_the_api(client, sc):
    plan = chains.performance_plan(sc)
    head = as_user(client, chains.HEAD)
    task = next(t for t in head.get("/me/tasks").get_json()["tasks"] if t["matter_id"] == plan)
    assert task["actions"] == ["agree", "agree_with_changes", "object", "return"]
    assert task["labels"]["agree_with_changes"] == "修改后同意" and "agree_with_changes" in task["needs_comment"]
    refused = head.post(f"/tasks/{task['id']}/actions", json={"action": "agree_with_changes"})
    assert refused.status_code == 422 and "须填写理由或说明" in refused.get_json()["message"]
    done = head.post(f"/tasks/{task['id']}/actions", json={"action": "agree_with_changes", "comment": "建议单列签约服务费。"})
    assert done.status_code == 200 and done.get_json()["action_name"] == "修改后同意"
    wrong = head.post(f"/tasks/{task['id']}/actions", json={"action": "appoint"})
    assert wrong.status_code == 403


def test_a_payment_beyond_the_tolerance_is_refused_with_the_amounts(app, client, sc):
    mid = chains.expenditure_at_execution(sc)
    set_clock(app, sc, sc.env.now)
    finance = as_user(client, chains.FINANCE)
    task_id = sc.task_of(chains.FINANCE, mid)
    paid = finance.post(f"/tasks/{task_id}/payments", json={"amount": "20000", "note": "首期款"})
    assert paid.status_code == 201 and paid.get_json()["paid"] == "20000.00"
    before = counts(sc)
    over = finance.post(f"/tasks/{task_id}/payments", json={"amount": "14000"})
    body = over.get_json()
    assert over.status_code == 422 and body["error"] == "exceeds_tolerance"
    assert "超过批准金额 30,000 元 的 10%" in body["message"] and counts(sc) == before
    record = finance.get(f"/matters/{mid}").get_json()
    assert record["execution"]["paid"] == "20000.00" and len(record["execution"]["payments"]) == 1


def test_objections_name_the_complainant_only_to_recorders_and_investigators(app, client, sc):
    mid = chains.appointment_at_publicity(sc)
    set_clock(app, sc, sc.env.now)
    lodged = as_user(client, chains.HR).post(f"/matters/{mid}/objections", json={
        "text": "反映该同志考勤不实。", "complainant": "王某某", "contact": "13904790000"})
    assert lodged.status_code == 201 and lodged.get_json()["complainant"] == "王某某"
    seen = as_user(client, chains.SECRETARY_OF_PARTY).get(f"/matters/{mid}/objections").get_json()
    assert [o["text"] for o in seen] == ["反映该同志考勤不实。"] and "complainant" not in seen[0]
    record = as_user(client, chains.SECRETARY_OF_PARTY).get(f"/matters/{mid}").get_json()
    assert "王某某" not in str(record) and "13904790000" not in str(record)
    with sc.sessions.begin() as s:
        assert publicity.of_matter(s, mid)[0].contact == "13904790000"
