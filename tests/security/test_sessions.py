"""Sessions end on the server: forged and replayed cookies, idle timeout; API tokens listed and revoked."""

from flask.sessions import SecureCookieSessionInterface

from quorum.services import org
from tests.security.conftest import tune
from tests.webui.conftest import PASSWORD, login, post


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_a_session_forged_with_the_shipped_key_is_refused(app, client, sc):
    with sc.sessions.begin() as s:
        admin_id = org.person(s, sc.holder("administrator")).id
    assert app.secret_key != "change-me-in-production"
    app.secret_key, real = "change-me-in-production", app.secret_key
    forged = SecureCookieSessionInterface().get_signing_serializer(app).dumps(
        {"_user_id": str(admin_id), "_fresh": True})
    app.secret_key = real
    client.set_cookie("session", forged)
    response = client.get("/admin")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    client.set_cookie("session", forged.replace(str(admin_id), f"{admin_id}:0", 1))
    assert client.get("/admin").status_code == 302


def test_logout_ends_the_session_on_the_server(app, client, sc):
    login(client, sc.holder("administrator"))
    saved = session_cookie(client)
    assert client.get("/admin").status_code == 200
    post(client, "/logout")
    replay = app.test_client()
    replay.set_cookie("session", saved)
    response = replay.get("/admin")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_idle_session_goes_to_the_login_page(app, client, sc, monkeypatch):
    import time

    from webui import auth
    tune(app, idle_minutes=30)
    login(client, sc.holder("legal_counsel"))
    assert client.get("/tasks").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr(auth.time, "time", lambda: later)
    response = client.get("/tasks")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_remember_me_is_off_unless_configured(client, sc):
    assert "记住我" not in client.get("/login").get_data(as_text=True)


def test_tokens_are_listed_and_revoked_by_their_owner_and_administrators(client, sc):
    def token(username):
        return client.post("/api/v1/token", json={"username": username, "password": PASSWORD}).get_json()["token"]

    def auth(t):
        return {"Authorization": f"Bearer {t}"}

    mine, other, admins = token(sc.holder("hr_head")), token(sc.holder("legal_counsel")), \
        token(sc.holder("administrator"))
    listed = client.get("/api/v1/tokens", headers=auth(mine)).get_json()
    assert len(listed) == 1 and "token" not in listed[0]
    other_id = client.get("/api/v1/tokens", headers=auth(other)).get_json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{other_id}", headers=auth(mine)).status_code == 404
    assert len(client.get("/api/v1/tokens", headers=auth(admins)).get_json()) == 3
    assert client.delete(f"/api/v1/tokens/{other_id}", headers=auth(admins)).status_code == 204
    assert client.get("/api/v1/me/tasks", headers=auth(other)).status_code == 401
    own_id = listed[0]["id"]
    assert client.delete(f"/api/v1/tokens/{own_id}", headers=auth(mine)).status_code == 204
    assert client.get("/api/v1/me/tasks", headers=auth(mine)).status_code == 401


def test_the_token_endpoints_need_a_token(client):
    assert client.get("/api/v1/tokens").status_code == 401
    assert client.delete("/api/v1/tokens/1").status_code == 401
    assert client.post("/api/v1/me/password", json={"current_password": "x", "new_password": "y"}).status_code == 401
