"""管理 as the 党政办主任 高文静 (the 二连浩特 platform administrator) does it, and who may not.

People are created, edited, deactivated and given passwords; posts make them seat holders and task
assignees; delegations are cancelled; the rules are read, never edited. Every change is checked in
the database and in the audit log; every route is checked against anonymous visitors and members
who are not administrators, with the database compared before and after.
"""

import hashlib
import re

import pytest
from sqlalchemy import func, select

from quorum.core.errors import InvalidInput, NotPermitted
from quorum.db import AuditEvent, Delegation, Person, Post, Task
from quorum.explain import body_rules
from quorum.services import admin, audit, delegations, org
from tests.helpers import person, submit
from tests.webui.conftest import PASSWORD, csrf_token, login, post

NEW_PASSWORD = "Erlian-2026-hm"


# --------------------------------------------------------------------------------------------
# helpers


def state(sc) -> tuple:
    """A fingerprint of everything the admin area can change: people, posts, delegations, audit log."""
    with sc.sessions.begin() as s:
        people = s.execute(select(Person.id, Person.username, Person.name, Person.email, Person.phone, Person.active,
                                  Person.password_hash).order_by(Person.id)).all()
        posts = s.execute(select(Post.id, Post.person_id, Post.role, Post.unit_id, Post.title, Post.active)
                          .order_by(Post.id)).all()
        delegs = s.execute(select(Delegation.id, Delegation.active).order_by(Delegation.id)).all()
        events = s.execute(select(func.count(AuditEvent.id))).scalar_one()
    digest = hashlib.sha256(repr((people, posts, delegs)).encode()).hexdigest()
    return len(people), len(posts), len(delegs), events, digest


def events(sc, kind: str) -> list[AuditEvent]:
    with sc.sessions.begin() as s:
        rows = list(s.execute(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq)).scalars())
        assert audit.verify(s).ok
        return rows


def person_id(sc, username: str) -> int:
    return person(sc, username).id


def post_id(sc, username: str, role: str) -> int:
    with sc.sessions.begin() as s:
        return s.execute(select(Post.id).join(Person, Person.id == Post.person_id)
                         .where(Person.username == username, Post.role == role)).scalar_one()


def text(response) -> str:
    return response.get_data(as_text=True)


def can_sign_in(app, username: str, password: str) -> bool:
    fresh = app.test_client()
    response = fresh.post("/login", data={"username": username, "password": password,
                                          "csrf_token": csrf_token(fresh)})
    return response.status_code == 302


@pytest.fixture
def administrator(client, sc) -> str:
    username = sc.holder("administrator")
    assert username == "gaowenjing"
    login(client, username)
    return username


def new_person(client, **overrides) -> object:
    data = {"username": "hanmeimei", "name": "韩梅梅", "password": NEW_PASSWORD, "email": "hanmeimei@example.org",
            "phone": "0479-7512230", **overrides}
    return post(client, "/admin/people/new", data)


# --------------------------------------------------------------------------------------------
# people


def test_administrator_creates_a_person_who_can_then_sign_in(app, client, sc, administrator):
    assert not can_sign_in(app, "hanmeimei", NEW_PASSWORD)
    response = new_person(client)
    assert response.status_code == 302
    pid = person_id(sc, "hanmeimei")
    assert response.headers["Location"].endswith(f"/admin/people/{pid}")
    assert can_sign_in(app, "hanmeimei", NEW_PASSWORD)

    [event] = events(sc, "org.person_created")
    assert event.actor_id == person_id(sc, administrator) and event.subject_id == pid
    assert event.payload == {"username": "hanmeimei", "name": "韩梅梅", "email": "hanmeimei@example.org",
                             "phone": "0479-7512230"}
    listing = text(client.get("/admin?q=韩梅"))
    assert 'data-testid="person-hanmeimei"' in listing and 'data-testid="person-bater"' not in listing
    assert 'data-testid="person-bater"' in text(client.get("/admin?q=党委书记"))     # a post title matches too


@pytest.mark.parametrize(("overrides", "message"), [
    ({"username": "bater"}, "输入有误：用户名「bater」已存在"),
    ({"username": "Bater"}, "输入有误：用户名「Bater」已存在"),
    ({"name": "  "}, "输入有误：姓名不能为空"),
    ({"password": "erlian7"}, "输入有误：密码至少 10 位"),
    ({"username": "韩梅梅"}, "用户名须为2–64位字母、数字"),
    ({"email": "hanmeimei.example.org"}, "电子邮箱「hanmeimei.example.org」格式不正确"),
], ids=["duplicate", "duplicate-case", "empty-name", "weak-password", "chinese-username", "bad-email"])
def test_invalid_person_is_refused_in_chinese_with_the_values_kept(client, sc, administrator, overrides, message):
    before = state(sc)
    response = new_person(client, **overrides)
    assert response.status_code == 422
    html = text(response)
    assert message in html
    form = re.search(r'<form [^>]*data-testid="new-person".*?</form>', html, re.S).group(0)
    kept = {"username": "hanmeimei", "name": "韩梅梅", "email": "hanmeimei@example.org", "phone": "0479-7512230",
            **overrides}
    for field in ("username", "name", "email", "phone"):
        assert re.search(rf'name="{field}"[^>]* value="{re.escape(kept[field].strip())}"', form), field
    assert NEW_PASSWORD not in html and "erlian7" not in html      # a password is never sent back
    assert state(sc) == before


def test_edit_and_deactivate_a_person(app, client, sc, administrator):
    pid = person_id(sc, "zhouming")
    response = post(client, f"/admin/people/{pid}", {"name": "周明", "email": "zhouming@ehl-hospital.example.org",
                                                     "phone": "0479-7512299", "active": "1"})
    assert response.status_code == 302
    [changed] = events(sc, "org.person_updated")
    assert changed.payload["changes"] == {"email": ["zhouming@example.org", "zhouming@ehl-hospital.example.org"],
                                          "phone": ["0479-7512215", "0479-7512299"]}
    assert can_sign_in(app, "zhouming", PASSWORD)

    post(client, f"/admin/people/{pid}", {"name": "周明", "email": "", "phone": ""})        # 停用, no 'active'
    assert not can_sign_in(app, "zhouming", PASSWORD)
    with sc.sessions.begin() as s:
        assert org.holders(s, "legal_counsel") == []                   # no longer given 合法性审查 tasks
    assert events(sc, "org.person_updated")[-1].payload["changes"]["active"] == [True, False]

    before = state(sc)
    response = post(client, f"/admin/people/{pid}", {"name": "", "email": "zhou@example.org", "phone": "0479"})
    assert response.status_code == 422
    assert "姓名不能为空" in text(response) and 'value="zhou@example.org"' in text(response)
    own = post(client, f"/admin/people/{person_id(sc, administrator)}", {"name": "高文静"})
    assert own.status_code == 422 and "不能停用本人的账号" in text(own)
    assert state(sc) == before


def test_reset_a_forgotten_password(app, client, sc, administrator):
    pid = person_id(sc, "zhouming")
    weak = post(client, f"/admin/people/{pid}/password", {"password": "1234567"})
    assert weak.status_code == 422 and "密码至少 10 位" in text(weak)
    assert can_sign_in(app, "zhouming", PASSWORD)

    assert post(client, f"/admin/people/{pid}/password", {"password": "Erlian-Haote-2026"}).status_code == 302
    assert not can_sign_in(app, "zhouming", PASSWORD)
    assert can_sign_in(app, "zhouming", "Erlian-Haote-2026")
    [event] = events(sc, "org.password_set")
    assert event.payload == {"username": "zhouming", "tokens_revoked": 0}
    assert event.actor_id == person_id(sc, administrator)
    assert "Erlian-Haote-2026" not in str(event.payload) and "scrypt" not in str(event.payload)


# --------------------------------------------------------------------------------------------
# posts: seats and task assignees


def test_a_post_makes_a_seat_holder_and_a_task_assignee_until_it_ends(client, sc, administrator):
    new_person(client)
    pid = person_id(sc, "hanmeimei")
    seat = post(client, "/admin/posts", {"person_id": str(pid), "role": "member_unit_party_leader",
                                         "unit": "wulan_chc", "title": "乌兰社区卫生服务中心党支部副书记",
                                         "origin": "bodies", "body": "party_committee"})
    assert seat.status_code == 302 and seat.headers["Location"].endswith("/admin/bodies#body-party_committee")
    bodies = text(client.get("/admin/bodies"))
    party = re.search(r'data-testid="seat-party_committee-member_unit_party_leader">.*?</tr>', bodies, re.S).group(0)
    assert 'data-testid="holder-hanmeimei"' in party and "乌兰社区卫生服务中心党支部副书记" in party
    assert re.search(r'data-testid="body-party_committee">\s*<h2>医共体党委会议（党委会） <span class="muted">现有席位 10 个',
                     bodies)

    lawyer = post(client, "/admin/posts", {"person_id": str(pid), "role": "legal_counsel", "unit": "general_hospital",
                                           "title": "二连浩特市总医院法务科副科长", "origin": "person"})
    assert lawyer.headers["Location"].endswith(f"/admin/people/{pid}")
    ct = submit(sc, "关于购置64排CT的议题")
    with sc.sessions.begin() as s:
        legality = s.execute(select(Person.username).join(Task, Task.assignee_id == Person.id)
                             .where(Task.matter_id == ct, Task.requirement == "legality")).scalars().all()
    assert sorted(legality) == ["hanmeimei", "zhouming"]               # 或签: either lawyer may give it

    for role in ("legal_counsel", "member_unit_party_leader"):
        ended = post(client, f"/admin/posts/{post_id(sc, 'hanmeimei', role)}/end", {})
        assert ended.status_code == 302
    canteen = submit(sc, "关于新建职工食堂的议题")
    with sc.sessions.begin() as s:
        assignees = s.execute(select(Person.username).join(Task, Task.assignee_id == Person.id)
                              .where(Task.matter_id == canteen)).scalars().all()
        ended_posts = s.execute(select(Post).where(Post.person_id == pid)).scalars().all()
        assert [p.active for p in ended_posts] == [False, False]       # ended, never deleted
    assert "hanmeimei" not in assignees
    assert 'data-testid="holder-hanmeimei"' not in text(client.get("/admin/bodies"))
    page = text(client.get(f"/admin/people/{pid}"))
    assert page.count("已结束") == 2

    added, ended = events(sc, "org.post_added"), events(sc, "org.post_ended")
    assert [(e.payload["role"], e.payload["unit"]) for e in added] == [("member_unit_party_leader", "wulan_chc"),
                                                                       ("legal_counsel", "general_hospital")]
    assert [e.payload["role"] for e in ended] == ["legal_counsel", "member_unit_party_leader"]

    again = post(client, "/admin/posts", {"person_id": str(pid), "role": "legal_counsel", "unit": "general_hospital",
                                          "title": "", "origin": "person"})
    assert again.status_code == 302                                   # the ended post is taken up again
    assert events(sc, "org.post_added")[-1].payload["resumed"] is True
    with sc.sessions.begin() as s:
        assert [p.username for p in org.holders(s, "legal_counsel")] == ["zhouming", "hanmeimei"]


@pytest.mark.parametrize(("form", "message"), [
    ({"role": "chief_of_staff"}, "未知的角色「chief_of_staff」"),
    ({"unit": "xilinhot_hospital"}, "未知的单位「xilinhot_hospital」"),
    ({"unit": "general_hospital", "role": "legal_counsel"}, "周明已在总医院担任「法律顾问」"),
])
def test_invalid_post_is_refused_in_chinese_with_the_values_kept(client, sc, administrator, form, message):
    pid = person_id(sc, "zhouming")
    before = state(sc)
    data = {"person_id": str(pid), "role": "risk_officer", "unit": "wulan_chc", "title": "乌兰社区中心内审员",
            "origin": "person", **form}
    response = post(client, "/admin/posts", data)
    assert response.status_code == 422
    html = text(response)
    assert message in html
    assert 'value="乌兰社区中心内审员"' in html
    if data["role"] == "risk_officer":
        assert '<option value="risk_officer" selected>' in html
    if data["unit"] == "wulan_chc":
        assert '<option value="wulan_chc" selected>' in html
    assert state(sc) == before


def test_invalid_seat_from_the_bodies_page_keeps_the_choice(client, sc, administrator):
    before = state(sc)
    response = post(client, "/admin/posts", {"person_id": "", "role": "board_member", "unit": "general_hospital",
                                             "title": "理事", "origin": "bodies", "body": "board"})
    assert response.status_code == 422
    html = text(response)
    assert "请选择人员" in html
    board = re.search(r'data-testid="body-board">.*?</section>', html, re.S).group(0)
    assert "<details open>" in board and 'value="理事"' in board
    assert state(sc) == before


def test_the_last_administrator_post_cannot_end(client, sc, administrator):
    before = state(sc)
    response = post(client, f"/admin/posts/{post_id(sc, administrator, 'administrator')}/end", {})
    assert response.status_code == 302
    assert "至少须保留一名系统管理员" in text(client.get(response.headers["Location"]))
    assert state(sc) == before


def test_body_seats_show_chair_and_acting_chairs(client, sc, administrator):
    html = text(client.get("/admin/bodies"))
    assert re.search(r'data-testid="chair-party_committee">医共体党委书记：巴特尔<', html)
    office = re.search(r'data-testid="body-president_office">.*?</section>', html, re.S).group(0)
    assert "代为主持" in office and "分管副院长：刘志刚、乌云其其格" in office
    staff = re.search(r'data-testid="body-staff_congress">.*?</section>', html, re.S).group(0)
    assert 'data-testid="holder-aodenggerile"' in staff


# --------------------------------------------------------------------------------------------
# delegations and policies


def test_administrator_cancels_a_delegation(client, sc, administrator):
    bater, wang = person(sc, "bater"), person(sc, "wangjianhua")
    row = sc.do("bater", delegations.create, bater, wang, sc.env.now, sc.env.later(days=5).now,
                "赴呼和浩特参加全区医共体建设培训")
    html = text(client.get("/admin/delegations"))
    listed = re.search(rf'data-testid="delegation-{row.id}">.*?</li>', html, re.S).group(0)
    assert "巴特尔" in listed and "王建华" in listed and "生效中" in listed and "取消代理" in listed

    response = post(client, f"/admin/delegations/{row.id}/cancel", {})
    assert response.status_code == 302
    with sc.sessions.begin() as s:
        assert s.get(Delegation, row.id).active is False
    [event] = events(sc, "delegation.cancelled")
    assert event.actor_id == person_id(sc, administrator) and event.subject_id == row.id
    after = text(client.get("/admin/delegations"))
    assert "已取消" in re.search(rf'data-testid="delegation-{row.id}">.*?</li>', after, re.S).group(0)

    before = state(sc)
    again = post(client, f"/admin/delegations/{row.id}/cancel", {})
    assert "该代理已取消" in text(client.get(again.headers["Location"]))
    assert state(sc) == before


def test_policies_are_shown_read_only_as_policy_explain_shows_them(client, sc, env, administrator):
    html = text(client.get("/admin/policies"))
    assert re.search(r'data-testid="policy-label">2026.1<', html)
    assert f'data-testid="policy-digest">{env.policies.digest}<' in html
    workflow = re.search(r'data-testid="workflow-major_matter">.*?</section>', html, re.S).group(0)
    assert "流程 major_matter：三重一大事项集体决策" in workflow
    assert "须有：合法性审查意见，由法律顾问出具（所有事项）" in workflow
    assert "时限：10个工作日" in workflow and "大额资金使用" in workflow and "200,000" in workflow
    policies = env.policies.policy_set
    for line in body_rules(policies, policies.body("party_committee")):
        assert line.strip() in html
    assert html.count('method="post"') == 1                         # only 退出: nothing here edits the rules
    before = state(sc)
    assert client.post("/admin/policies", data={"csrf_token": csrf_token(client, "/tasks")}).status_code == 405
    assert state(sc) == before


def test_a_post_without_the_csrf_token_is_refused(client, sc, administrator):
    before = state(sc)
    response = client.post("/admin/people/new", data={"username": "hanmeimei", "name": "韩梅梅",
                                                      "password": NEW_PASSWORD})
    assert response.status_code == 400 and "页面已过期" in text(response)
    assert state(sc) == before


# --------------------------------------------------------------------------------------------
# the services refuse anyone but an administrator


def test_services_refuse_a_member_who_is_not_an_administrator(sc):
    before = state(sc)
    lawyer, zhou = "zhouming", person_id(sc, "zhouming")
    calls = [(admin.create_person, "hanmeimei", "韩梅梅", NEW_PASSWORD),
             (admin.update_person, zhou, "周明", None, None, False),
             (admin.set_password, zhou, "Zhouming-2026"),
             (admin.add_post, zhou, "administrator", "general_hospital", "管理员"),
             (admin.end_post, post_id(sc, "gaowenjing", "administrator"))]
    for fn, *args in calls:
        with pytest.raises(NotPermitted) as info:
            sc.do(lawyer, fn, *args)
        assert "只有系统管理员可以维护人员、任职和账号" in str(info.value)
    assert state(sc) == before
    with pytest.raises(InvalidInput):
        sc.do("gaowenjing", admin.add_post, zhou, "president_of_everything", "general_hospital", "")


# --------------------------------------------------------------------------------------------
# every route: anonymous → sign in; a member who is not an administrator → 403, nothing changed

GETS = ["/admin", "/admin?q=巴特尔", "/admin/people/new", "/admin/people/{person}", "/admin/bodies",
        "/admin/delegations", "/admin/policies"]
POSTS = [
    ("/admin/people/new", {"username": "hanmeimei", "name": "韩梅梅", "password": NEW_PASSWORD}),
    ("/admin/people/{person}", {"name": "周明", "email": "", "phone": ""}),
    ("/admin/people/{person}/password", {"password": "Erlian-Haote-2026"}),
    ("/admin/posts", {"person_id": "{person}", "role": "administrator", "unit": "general_hospital", "title": "管理员"}),
    ("/admin/posts/{post}/end", {}),
    ("/admin/delegations/{delegation}/cancel", {}),
]


@pytest.fixture
def targets(sc) -> dict[str, int]:
    """Real rows each POST would change: 周明 (法律顾问), his post, and 巴特尔's delegation to 王建华."""
    bater, wang = person(sc, "bater"), person(sc, "wangjianhua")
    row = sc.do("bater", delegations.create, bater, wang, sc.env.now, sc.env.later(days=5).now, "下乡督导")
    return {"person": person_id(sc, "zhouming"), "post": post_id(sc, "zhouming", "legal_counsel"),
            "delegation": row.id}


def fill(template: str, targets: dict) -> str:
    return template.format(**targets)


@pytest.mark.parametrize("path", GETS)
def test_anonymous_get_is_sent_to_sign_in(client, targets, path):
    response = client.get(fill(path, targets))
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[p for p, _ in POSTS])
def test_anonymous_post_is_sent_to_sign_in_and_changes_nothing(client, sc, targets, path, data):
    before = state(sc)
    form = {k: fill(v, targets) for k, v in data.items()}
    response = post(client, fill(path, targets), form, page="/login")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert state(sc) == before


@pytest.mark.parametrize("path", GETS)
def test_non_administrator_get_is_forbidden(client, sc, targets, path):
    login(client, "zhouming")
    before = state(sc)
    response = client.get(fill(path, targets))
    assert response.status_code == 403
    assert "无权访问" in text(response)
    assert state(sc) == before


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[p for p, _ in POSTS])
def test_non_administrator_post_is_forbidden_and_changes_nothing(client, sc, targets, path, data):
    login(client, "bater")                  # 党委书记, and the principal of the delegation: still not an admin
    before = state(sc)
    form = {k: fill(v, targets) for k, v in data.items()}
    response = post(client, fill(path, targets), form)
    assert response.status_code == 403
    assert state(sc) == before


@pytest.mark.parametrize(("path", "data"), POSTS, ids=[p for p, _ in POSTS])
def test_the_same_posts_by_the_administrator_do_change_the_database(client, sc, targets, administrator, path, data):
    """The control for the two tests above: these requests are real changes when an administrator sends them."""
    before = state(sc)
    form = {k: fill(v, targets) for k, v in data.items()}
    response = post(client, fill(path, targets), form)
    assert response.status_code == 302, text(response)[:300]
    after = state(sc)
    assert after != before and after[3] > before[3]                # changed, and an audit event was appended


def test_only_administrators_see_the_admin_link(client, sc):
    login(client, "zhouming")
    assert 'href="/admin"' not in text(client.get("/dashboard"))
    client.post("/logout", data={"csrf_token": csrf_token(client, "/tasks")})
    login(client, "gaowenjing")
    assert 'href="/admin"' in text(client.get("/dashboard"))
