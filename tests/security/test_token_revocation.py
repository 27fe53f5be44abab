"""A new password revokes the person's API tokens: their own change (web and API) and an administrator's reset."""

from sqlalchemy import select

from quorum.db import ApiToken, AuditEvent
from quorum.services import access, admin, org
from tests.webui.conftest import PASSWORD, login, post

NEW = "Erlian-2027-qz"


def token(client, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/v1/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def works(client, bearer: str) -> bool:
    status = client.get("/api/v1/me/tasks", headers={"Authorization": f"Bearer {bearer}"}).status_code
    assert status in (200, 401, 403)
    return status == 200


def last_event(sc, kind: str) -> AuditEvent:
    with sc.sessions.begin() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.seq.desc())).first()
        s.expunge(event)
        return event


def test_changing_ones_password_on_the_web_revokes_every_token(app, client, sc):
    username, other = sc.holder("legal_counsel"), sc.holder("hr_head")
    phone, laptop, colleague = token(client, username), token(client, username), token(client, other)
    login(client, username)
    response = post(client, "/account/password", {"current_password": PASSWORD, "new_password": NEW,
                                                  "confirm_password": NEW}, page="/account/password")
    assert response.status_code == 302
    assert not works(client, phone) and not works(client, laptop)
    assert works(client, colleague)                          # nobody else's token is touched
    assert last_event(sc, "auth.password_changed").payload == {"tokens_revoked": 2}
    assert works(client, token(client, username, NEW))


def test_changing_it_through_the_api_revokes_the_token_used_too(client, sc):
    username = sc.holder("hr_head")
    used, spare = token(client, username), token(client, username)
    assert client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": NEW},
                       headers={"Authorization": f"Bearer {used}"}).status_code == 204
    assert not works(client, used) and not works(client, spare)
    assert last_event(sc, "auth.password_changed").payload == {"tokens_revoked": 2}


def test_an_administrators_reset_revokes_the_persons_tokens_and_counts_them(client, sc):
    username, administrator = sc.holder("legal_counsel"), sc.holder("administrator")
    stolen, own = token(client, username), token(client, administrator)
    with sc.sessions.begin() as s:
        person = org.person(s, username)
        access.revoke_token(s, sc.env, person, access.tokens(s, sc.env, person)[0].id)   # one already revoked
    fresh = token(client, username)
    with sc.sessions.begin() as s:
        admin.set_password(s, sc.env, org.person(s, administrator), org.person(s, username).id, NEW)
    assert not works(client, stolen) and not works(client, fresh)
    assert works(client, own)
    event = last_event(sc, "org.password_set")
    assert event.payload == {"username": username, "tokens_revoked": 1}
    with sc.sessions.begin() as s:
        person_id = org.person(s, username).id
        assert s.scalars(select(ApiToken.revoked).where(ApiToken.person_id == person_id)).all() == [True, True]


def test_a_password_change_with_no_tokens_revokes_none(sc):
    username = sc.holder("hr_head")
    with sc.sessions.begin() as s:
        access.change_password(s, sc.env, access.SecuritySettings(), org.person(s, username).id, PASSWORD, NEW)
    assert last_event(sc, "auth.password_changed").payload == {"tokens_revoked": 0}
