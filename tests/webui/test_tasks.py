"""我的待办 and the task-action route: who may act, and nothing changes when someone may not."""

from sqlalchemy import func, select

from quorum.db import Opinion, Task
from tests.helpers import give_gate_opinions, submit
from tests.webui.conftest import as_user, business_events, flashes, login, post, text


def counts(community) -> tuple[int, int, int]:
    with community.sessions.begin() as s:
        return (business_events(s),
                s.execute(select(func.count()).select_from(Opinion)).scalar_one(),
                s.execute(select(func.count()).where(Task.status == "open")).scalar_one())


def legal_task(sc, matter_id: int) -> int:
    return sc.task_of(sc.holder("legal_counsel"), matter_id, "legality")


def test_anonymous_visitors_are_sent_to_login(client, sc, community):
    task_id = legal_task(sc, submit(sc, "关于建设医共体远程会诊中心的议题"))
    before = counts(community)
    for path in ("/", "/tasks"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.post(f"/tasks/{task_id}/act", data={"action": "approve"})
    assert response.status_code in (302, 400)                   # no session: login redirect or CSRF refusal
    assert counts(community) == before


def test_only_the_assignee_may_act_and_a_refusal_changes_nothing(app, sc, community):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    task_id = legal_task(sc, mid)
    intruder = as_user(app, sc.holder("staff_representative"))
    assert "合法性审查意见" not in text(intruder.get("/tasks"))
    before = counts(community)
    post(intruder, f"/tasks/{task_id}/act", {"action": "approve", "comment": "同意"})
    assert "该待办不是分派给您的" in flashes(intruder)
    assert counts(community) == before

    counsel = as_user(app, sc.holder("legal_counsel"))
    refused = post(counsel, f"/tasks/{task_id}/act", {"action": "reject"})    # a rejection needs a reason
    assert refused.status_code == 422 and "须填写理由" in text(refused)
    assert counts(community) == before
    post(counsel, f"/tasks/{task_id}/act", {"action": "approve", "comment": "合法合规。", "next": "//evil.example"})
    assert counts(community)[1] == before[1] + 1


def test_the_initiator_sees_no_approve_button_on_a_review_of_their_own_matter(app, sc):
    vp = sc.holder("vice_president", 0)
    mid = submit(sc, "关于调整总医院夜班费标准的议题", category="decision", amount=None, initiator=vp)
    give_gate_opinions(sc, mid)
    own = as_user(app, vp)
    assert "分管领导审核签字" not in text(own.get("/tasks"))           # the initiator gets no review task
    other = as_user(app, sc.holder("vice_president", 1))
    page = text(other.get("/tasks"))
    assert "分管领导审核签字" in page and 'value="approve"' in page


def test_logout_needs_a_post_with_the_token(client, sc):
    login(client, sc.holder("legal_counsel"))
    assert client.get("/logout").status_code == 405
    response = post(client, "/logout")
    assert response.status_code == 302
    assert client.get("/tasks").status_code == 302
