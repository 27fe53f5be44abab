"""等保 身份鉴别: lockout after five wrong passwords (web and token), throttling, password rules, forced change."""

import os
import subprocess
import sys

from sqlalchemy import select

from quorum.db import AuditEvent, Person
from quorum.services import admin, org
from tests.conftest import ROOT
from tests.security.conftest import tune
from tests.webui.conftest import PASSWORD, csrf_token, login, post, text

STRONG = "Erlian-2027-qz"


def wrong_login(client, username: str, password: str = "wrong-password"):
    return client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_token(client)})


def kinds(sc) -> list[str]:
    with sc.sessions.begin() as s:
        return list(s.scalars(select(AuditEvent.kind).where(AuditEvent.kind.like("auth.%")).order_by(AuditEvent.seq)))


def test_the_sixth_wrong_password_is_429_and_the_account_is_locked(client, sc):
    username = sc.holder("legal_counsel")
    for _ in range(5):
        assert wrong_login(client, username).status_code == 401
    sixth = wrong_login(client, username)
    assert sixth.status_code == 429 and int(sixth.headers["Retry-After"]) > 0
    assert "锁定" in text(sixth)
    assert wrong_login(client, username, PASSWORD).status_code == 429       # even the right password
    with sc.sessions.begin() as s:
        assert org.person(s, username).locked_until is not None
    assert kinds(sc).count("auth.login_failed") == 5 and "auth.locked" in kinds(sc)


def test_the_token_endpoint_locks_alike(client, sc):
    username = sc.holder("hr_head")
    for _ in range(5):
        assert client.post("/api/v1/token", json={"username": username, "password": "nope"}).status_code == 401
    sixth = client.post("/api/v1/token", json={"username": username, "password": PASSWORD})
    assert sixth.status_code == 429 and sixth.headers["Retry-After"]
    assert sixth.get_json()["error"] == "too_many_attempts"


def test_a_source_with_many_failures_is_throttled(app, client, sc):
    tune(app, source_max_failures=3)
    for name in ("nobody1", "nobody2", "nobody3"):
        assert wrong_login(client, name).status_code == 401
    assert wrong_login(client, sc.holder("legal_counsel"), PASSWORD).status_code == 429


def test_a_successful_login_resets_the_count_and_is_audited(client, sc):
    username = sc.holder("legal_counsel")
    for _ in range(4):
        wrong_login(client, username)
    login(client, username)
    with sc.sessions.begin() as s:
        assert org.person(s, username).failed_logins == 0
    assert "auth.login" in kinds(sc)


def test_an_old_hash_still_signs_in_and_is_upgraded(client, sc):
    import hashlib
    salt = "00" * 16
    legacy = f"scrypt${salt}${hashlib.scrypt(PASSWORD.encode(), salt=bytes(16), n=2**14, r=8, p=1).hex()}"
    username = sc.holder("legal_counsel")
    with sc.sessions.begin() as s:
        org.person(s, username).password_hash = legacy
    login(client, username)
    with sc.sessions.begin() as s:
        assert org.person(s, username).password_hash.startswith("scrypt:")


def test_weak_passwords_are_refused_with_the_rule_named(client, sc):
    username = sc.holder("legal_counsel")
    login(client, username)
    for weak, rule in (("aaaaaaaa", "至少 10 位"), ("12345678901", "至少 3 类"), ("passwordpassword", "至少 3 类"),
                       (f"{username}-2027X", "用户名")):
        response = post(client, "/account/password", {"current_password": PASSWORD, "new_password": weak,
                                                     "confirm_password": weak}, page="/account/password")
        assert response.status_code == 422 and rule in text(response), weak
    response = post(client, "/account/password", {"current_password": PASSWORD, "new_password": STRONG,
                                                 "confirm_password": STRONG}, page="/account/password")
    assert response.status_code == 302
    assert client.get("/tasks").status_code == 200                  # this session stays signed in
    assert "auth.password_changed" in kinds(sc)


def test_the_api_changes_ones_own_password(client, sc):
    username = sc.holder("hr_head")
    token = client.post("/api/v1/token", json={"username": username, "password": PASSWORD}).get_json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    weak = client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": "12345678"},
                       headers=auth)
    assert weak.status_code == 422 and "至少 10 位" in weak.get_json()["message"]
    wrong = client.post("/api/v1/me/password", json={"current_password": "x", "new_password": STRONG}, headers=auth)
    assert wrong.status_code == 403
    assert client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": STRONG},
                       headers=auth).status_code == 204
    assert client.post("/api/v1/token", json={"username": username, "password": STRONG}).status_code == 200


def test_after_an_administrators_reset_the_person_must_change_it(client, sc):
    username = sc.holder("legal_counsel")
    with sc.sessions.begin() as s:
        actor = org.person(s, sc.holder("administrator"))
        admin.set_password(s, sc.env, actor, org.person(s, username).id, "Temp-2027-pass")
    login(client, username, "Temp-2027-pass")
    response = client.get("/tasks")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    post(client, "/account/password", {"current_password": "Temp-2027-pass", "new_password": STRONG,
                                       "confirm_password": STRONG}, page="/account/password")
    assert client.get("/tasks").status_code == 200
    with sc.sessions.begin() as s:
        assert not s.scalar(select(Person.must_change_password).where(Person.username == username))


def test_serve_refuses_the_shipped_secret_key(tmp_path):
    env = {**os.environ, "QUORUM_DATA_DIR": str(tmp_path / "data")}
    for name in ("QUORUM_SECRET_KEY", "QUORUM_DATABASE_URL", "QUORUM_CONFIG"):
        env.pop(name, None)
    result = subprocess.run([sys.executable, "-m", "quorum.cli", "serve", "--port", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "QUORUM_SECRET_KEY" in result.stdout + result.stderr and "Traceback" not in result.stderr
