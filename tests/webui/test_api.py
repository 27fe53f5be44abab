"""JSON API: tokens, reading workflows and matters, personnel-matter visibility.

The helpers at the top are shared by the other test_api_*.py files.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select

from quorum.db import ApiToken, AuditEvent, Person
from quorum.services import access, matters, meetings, visibility
from tests import helpers
from tests.webui.conftest import PASSWORD

API = "/api/v1"


class ApiClient:
    """The Flask test client speaking JSON with one person's bearer token."""

    def __init__(self, client, token: str | None) -> None:
        self.client, self.token = client, token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, path: str, **kw):
        return self.client.get(API + path, headers=self._headers(), **kw)

    def post(self, path: str, json=None, **kw):
        if json is not None:
            kw["json"] = json
        return self.client.post(API + path, headers=self._headers(), **kw)


def issue_token(client, username: str, password: str = PASSWORD) -> str:
    response = client.post(f"{API}/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def as_user(client, username: str) -> ApiClient:
    return ApiClient(client, issue_token(client, username))


def audit_count(sc) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(func.count()).select_from(AuditEvent)).scalar_one()


def set_clock(app, sc, moment: datetime) -> None:
    """Move the web app's clock and the scenario's together (the meeting starts, a day passes)."""
    app.extensions["quorum"].fixed_now = moment
    sc.env = sc.env.at(moment)


def submit_appointment(sc, title: str = "关于提名乌兰社区卫生服务中心副主任人选的议题") -> int:
    """A 干部任免 matter (personnel), filed by the 人力资源管理中心 and waiting at its 前置程序."""
    return helpers.submit(sc, title, category="appointment", amount=None, initiator=sc.holder("hr_head"))


# --------------------------------------------------------------------------------------------
# tokens


def test_token_is_issued_for_correct_credentials_and_opens_the_api(client, sc):
    response = client.post(f"{API}/token", json={"username": "zhouming", "password": PASSWORD})
    assert response.status_code == 200
    body = response.get_json()
    assert body["person"] == {"username": "zhouming", "name": "周明", "roles": ["legal_counsel"]}
    assert datetime.fromisoformat(body["expires_at"]) == sc.env.now + timedelta(days=access.TOKEN_DAYS)
    with sc.sessions.begin() as s:
        stored = s.execute(select(ApiToken.token_hash)).scalars().all()
    assert len(stored) == 1 and body["token"] not in stored       # only the hash is kept
    me = ApiClient(client, body["token"])
    assert me.get("/me/tasks").status_code == 200


def test_token_may_be_requested_with_a_form(client, sc):
    response = client.post(f"{API}/token", data={"username": "gaowenjing", "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.get_json()["person"]["roles"]) == {"secretariat", "administrator"}


def test_wrong_credentials_are_a_json_401(client, sc):
    for credentials in ({"username": "zhouming", "password": "wrong"}, {"username": "nobody", "password": PASSWORD}):
        response = client.post(f"{API}/token", json=credentials)
        assert response.status_code == 401
        assert response.get_json() == {"error": "invalid_credentials", "message": "用户名或密码错误"}
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count()).select_from(ApiToken)).scalar_one() == 0


def test_missing_bad_or_expired_tokens_are_refused(app, client, sc):
    token = issue_token(client, "zhouming")
    refused = {"error": "unauthorized", "message": "请提供有效的访问令牌"}
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": f"Basic {token}"},
                    {"Authorization": "Bearer "}):
        response = client.get(f"{API}/me/tasks", headers=headers)
        assert response.status_code == 401, headers
        assert response.get_json() == refused
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get(f"{API}/me/tasks", headers={"Authorization": f"bearer {token}"}).status_code == 200
    set_clock(app, sc, sc.env.now + timedelta(days=access.TOKEN_DAYS, seconds=1))
    response = client.get(f"{API}/me/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401 and response.get_json() == refused


def test_session_cookie_alone_does_not_open_the_api(client, sc):
    from tests.webui.conftest import login
    login(client, "zhouming")
    assert client.get(f"{API}/me/tasks").status_code == 401


# --------------------------------------------------------------------------------------------
# workflows


def test_workflows_list_their_fields_and_steps(client, sc):
    me = as_user(client, "gaowenjing")
    listed = me.get("/workflows").get_json()
    major = next(w for w in listed if w["key"] == "major_matter")
    assert major["name"] == "三重一大事项集体决策"
    category = next(f for f in major["fields"] if f["key"] == "category")
    assert category["type"] == "choice" and category["required"] is True
    assert {"value": "funds", "label": "大额资金使用"} in category["choices"]
    amount = next(f for f in major["fields"] if f["key"] == "amount")
    assert amount["type"] == "money" and "不按单笔支付拆分" in amount["help"]
    assert [(s["kind"], s["name"]) for s in major["steps"]][:3] == [
        ("submit", "议题申报"), ("gate", "前置程序"), ("review", "分管领导审核签字")]
    assert me.get("/workflows/major_matter").get_json() == major
    missing = me.get("/workflows/no_such_flow")
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


# --------------------------------------------------------------------------------------------
# matters


def test_matter_is_filed_and_read_with_route_tasks_timeline_and_documents(client, sc):
    secretary = as_user(client, "gaowenjing")
    response = secretary.post("/matters", json={
        "workflow": "major_matter", "title": "关于购置总医院64排CT的议题",
        "fields": {"category": "funds", "unit": "general_hospital", "amount": "1860000.50", "budgeted": True,
                   "staff_interest": False, "summary": "购置64排CT一台，预算内资金。"}})
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/matters/{created['id']}")
    assert created["current_step"] == "pre_review" and created["documents"] == []
    assert next(f for f in created["fields"] if f["key"] == "amount")["value"] == "1860000.50"
    assert any("党委会" in line for line in created["route"])
    read = secretary.get(f"/matters/{created['id']}").get_json()
    assert {t["assignee"] for t in read["tasks"]} >= {"周明", "图雅", "杨晓东"}
    assert read["timeline"][0]["kind"] == "matter.submitted"
    datetime.fromisoformat(read["created_at"])
    datetime.fromisoformat(read["timeline"][0]["at"])
    listed = secretary.get("/matters?status=active&workflow=major_matter").get_json()
    assert [m["id"] for m in listed] == [created["id"]]
    assert secretary.get("/matters?status=closed").get_json() == []
    assert secretary.get("/matters/999999").status_code == 404


def test_matter_refused_by_the_engine_keeps_its_message(client, sc):
    counsel = as_user(client, "zhouming")            # 法律顾问 may not file 三重一大 matters
    response = counsel.post("/matters", json={"workflow": "major_matter", "title": "关于调整科室设置的议题",
                                              "fields": {"category": "decision", "unit": "general_hospital",
                                                         "summary": "调整方案。"}})
    assert response.status_code == 403
    assert response.get_json()["error"] == "not_permitted" and "只有" in response.get_json()["message"]
    bad = as_user(client, "gaowenjing").post("/matters", json={
        "workflow": "major_matter", "title": "关于购置设备的议题",
        "fields": {"category": "funds", "unit": "general_hospital", "amount": "八十万", "summary": "方案"}})
    assert bad.status_code == 422 and "金额" in bad.get_json()["message"]


def test_personnel_matter_is_visible_only_to_those_involved(client, sc):
    matter_id = submit_appointment(sc)
    ordinary_id = helpers.submit(sc, "关于建设医共体远程会诊中心的议题")
    allowed = ("alatan",        # initiator (人力资源管理中心)
               "zhouming",      # had a task: 合法性审查
               "sunlixin",      # 纪检监察室 (also had a task)
               "sarengaowa")    # 党政办
    for username in allowed:
        who = as_user(client, username)
        assert who.get(f"/matters/{matter_id}").status_code == 200, username
        assert matter_id in [m["id"] for m in who.get("/matters").get_json()], username
    outsider = as_user(client, "tuya")            # 风险管理科: no task on a personnel matter
    refused = outsider.get(f"/matters/{matter_id}")
    assert refused.status_code == 403 and refused.get_json()["error"] == "not_permitted"
    assert [m["id"] for m in outsider.get("/matters").get_json()] == [ordinary_id]
    assert outsider.get(f"/matters/{ordinary_id}").status_code == 200


def test_the_members_seated_to_decide_a_personnel_matter_read_it_unless_recused(client, sc):
    """A 党委会 member with no task on a 干部任免 still decides it, so its materials are open to him once it is on
    his meeting's agenda; a member recused from the item is not; a 列席 or an outsider never."""
    matter_id = submit_appointment(sc)
    helpers.pass_gate_and_reviews(sc, matter_id)
    with sc.sessions.begin() as s:
        readers = {username for username, in s.execute(select(Person.username)) if visibility.can_view(
            s, sc.env, s.execute(select(Person).where(Person.username == username)).scalar_one(),
            matters.get(s, matter_id))}
    meeting_id = helpers.schedule(sc, "party_committee", [matter_id])
    with sc.sessions.begin() as s:
        seated = [s.get(Person, m.person_id).username for m in meetings.get(s, meeting_id).members]
    newcomers = [u for u in seated if u not in readers]
    assert len(newcomers) >= 2                      # members who had no part in the matter before the meeting
    reader, recused = newcomers[0], newcomers[1]
    secretary = sc.holder("secretariat", 0)
    sc.do(secretary, meetings.recuse, meeting_id, 1, helpers.person(sc, recused), "与被提名人系亲属关系")
    assert as_user(client, reader).get(f"/matters/{matter_id}").status_code == 200
    assert matter_id in [m["id"] for m in as_user(client, reader).get("/matters").get_json()]
    assert as_user(client, recused).get(f"/matters/{matter_id}").status_code == 403
    assert as_user(client, "tuya").get(f"/matters/{matter_id}").status_code == 403


def test_a_task_done_long_ago_still_counts_as_involvement(client, sc):
    matter_id = submit_appointment(sc)
    sc.do("zhouming", matters.act, sc.task_of("zhouming", matter_id, "legality"), "approve", "任职资格符合规定。")
    assert as_user(client, "zhouming").get(f"/matters/{matter_id}").status_code == 200
    assert as_user(client, "liuzhigang").get(f"/matters/{matter_id}").status_code == 403


def test_supervision_and_meetings_of_a_personnel_matter_are_shown_only_to_those_involved(app, client, sc):
    """A 干部任免 decided by the 党委会: its 督办 item and the meeting stay out of an outsider's lists."""
    matter_id = submit_appointment(sc)
    helpers.pass_gate_and_reviews(sc, matter_id)
    meeting_id = helpers.schedule(sc, "party_committee", [matter_id])
    roll = helpers.start(sc, meeting_id)
    for username in [u for u in roll["members"] if u != roll["chair"]] + [roll["chair"]]:
        sc.do(username, meetings.vote, meeting_id, 1, "agree")
    secretary = sc.holder("secretariat", 0)
    sc.do(secretary, meetings.close_item, meeting_id, 1)
    sc.do(secretary, matters.act, sc.task_of(secretary, matter_id), "record", "会议同意提名。", record={"items": [
        {"title": "完成任前公示并办理任职手续", "lead_unit": "wulan_chc", "due_working_days": 10}]})
    set_clock(app, sc, sc.env.now)
    titles = ["完成任前公示并办理任职手续"]
    for username in ("alatan", "sarengaowa", "sunlixin"):
        assert [i["title"] for i in as_user(client, username).get("/supervision").get_json()] == titles, username
    outsider = as_user(client, "tuya")
    assert outsider.get("/supervision").get_json() == []
    assert outsider.get("/meetings").get_json() == []
    assert [m["id"] for m in as_user(client, "menghe").get("/meetings").get_json()] == [meeting_id]
    assert as_user(client, "sunlixin").get("/supervision?status=done").get_json() == []
