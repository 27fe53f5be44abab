"""Passwords an administrator sets follow the full [security] rules and must be replaced at the next sign-in."""

import pytest
from sqlalchemy import select

from quorum.core.errors import InvalidInput
from quorum.db import AuditEvent, Person
from quorum.services import admin, org
from tests.security.conftest import tune
from tests.webui.conftest import login, post, text

STRONG = "Erlian-2027-qz"
CHOSEN = "Xilin-Gol-2028"


def person_row(sc, username: str) -> Person:
    with sc.sessions.begin() as s:
        row = org.person(s, username)
        s.expunge(row)
        return row


@pytest.mark.parametrize(("password", "problem"), [
    ("Ab-12345", "密码至少 10 位"),
    ("erlianhaote2026", "密码须包含大写字母、小写字母、数字、其他符号中的至少 3 类"),
    ("{username}-2026", "密码不得包含用户名或姓名"),
])
def test_an_administrator_cannot_set_a_password_the_person_could_not_choose(sc, password, problem):
    zhou, administrator = person_row(sc, "zhouming"), sc.holder("administrator")
    with pytest.raises(InvalidInput) as info:
        sc.do(administrator, admin.set_password, zhou.id, password.format(username="Zhouming"))
    assert str(info.value).endswith(problem)
    with pytest.raises(InvalidInput) as info:
        sc.do(administrator, admin.create_person, "hanmeimei", "韩梅梅", password.format(username="HanMeimei"))
    assert str(info.value).endswith(problem)
    assert person_row(sc, "zhouming").password_hash == zhou.password_hash
    with sc.sessions.begin() as s:
        assert s.scalar(select(Person.id).where(Person.username == "hanmeimei")) is None


def test_the_rules_are_the_deployments_own(app, client, sc):
    tune(app, password_min_length=16)
    login(client, sc.holder("administrator"))
    zhou = person_row(sc, "zhouming")
    refused = post(client, f"/admin/people/{zhou.id}/password", {"password": STRONG}, page="/admin")
    assert refused.status_code == 422 and "密码至少 16 位" in text(refused)
    created = post(client, "/admin/people/new", {"username": "hanmeimei", "name": "韩梅梅", "password": STRONG},
                   page="/admin/people/new")
    assert created.status_code == 422 and "密码至少 16 位" in text(created)
    assert person_row(sc, "zhouming").password_hash == zhou.password_hash
    assert post(client, f"/admin/people/{zhou.id}/password", {"password": "Erlian-Haote-2027"},
                page="/admin").status_code == 302


def test_a_new_person_changes_the_initial_password_on_the_web_before_anything_else(app, client, sc):
    login(client, sc.holder("administrator"))
    created = post(client, "/admin/people/new", {"username": "hanmeimei", "name": "韩梅梅", "password": STRONG},
                   page="/admin/people/new")
    assert created.status_code == 302
    assert person_row(sc, "hanmeimei").must_change_password
    newcomer = app.test_client()
    login(newcomer, "hanmeimei", STRONG)
    for page in ("/tasks", "/matters", "/meetings"):
        response = newcomer.get(page)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    changed = post(newcomer, "/account/password", {"current_password": STRONG, "new_password": CHOSEN,
                                                   "confirm_password": CHOSEN}, page="/account/password")
    assert changed.status_code == 302
    assert newcomer.get("/tasks").status_code == 200
    assert not person_row(sc, "hanmeimei").must_change_password


def test_after_a_reset_the_api_serves_only_the_password_change(app, client, sc):
    username = sc.holder("legal_counsel")
    with sc.sessions.begin() as s:
        admin.set_password(s, sc.env, org.person(s, sc.holder("administrator")), org.person(s, username).id, STRONG)
    token = client.post("/api/v1/token", json={"username": username, "password": STRONG}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    refused = client.get("/api/v1/me/tasks", headers=auth)
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "password_change_required",
                                  "message": "管理员已重置您的密码，请先通过 POST /api/v1/me/password 设置新密码"}
    assert client.get("/api/v1/tokens", headers=auth).status_code == 200
    assert client.post("/api/v1/me/password", json={"current_password": STRONG, "new_password": CHOSEN},
                       headers=auth).status_code == 204
    fresh = client.post("/api/v1/token", json={"username": username, "password": CHOSEN}).get_json()["token"]
    assert client.get("/api/v1/me/tasks", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_an_administrator_setting_their_own_password_is_not_forced_to_change_it(client, sc):
    username = sc.holder("administrator")
    me = person_row(sc, username)
    sc.do(username, admin.set_password, me.id, STRONG)
    assert not person_row(sc, username).must_change_password
    login(client, username, STRONG)
    assert client.get("/tasks").status_code == 200
    with sc.sessions.begin() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.kind == "org.password_set")).one()
        assert STRONG not in str(event.payload) and event.payload["username"] == username
