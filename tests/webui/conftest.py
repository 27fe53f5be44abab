"""Web fixtures: the Flask app over the parametrised test database (SQLite and PostgreSQL)."""

import re
import secrets

import pytest

from quorum.settings import load_settings
from tests.conftest import ROOT
from webui import create_app

PASSWORD = "quorum-demo"


def business_events(s) -> int:
    """Audit events other than sign-ins and sign-outs (auth.*, which every signed-in test client writes) and the
    records of refused attempts (access.refused, tested in tests/security/test_authorization.py): what a refused
    action must leave unchanged."""
    from sqlalchemy import func, select

    from quorum.db import AuditEvent
    return s.execute(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind.notlike("auth.%"),
                                                                        AuditEvent.kind.notlike("access.%"))
                     ).scalar_one()


@pytest.fixture
def app(community, env, tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data"),
                                                        "QUORUM_SECRET_KEY": secrets.token_urlsafe(32)})
    app = create_app(settings, database=community, now=env.now, test_config={"TESTING": True})
    app.extensions["quorum"].policies = env.policies
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def login(client, username: str, password: str = PASSWORD):
    response = client.post("/login", data={"username": username, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def post(client, path: str, data: dict | None = None, page: str = "/tasks", **kw):
    """POST a form the way a browser does: with the CSRF token of a page the user has open."""
    return client.post(path, data={"csrf_token": csrf_token(client, page), **(data or {})}, **kw)


def as_user(app, username: str):
    """A fresh browser-like client signed in as username."""
    client = app.test_client()
    login(client, username)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def flashes(client) -> str:
    """The flashed messages, as the next page shows them."""
    return " ".join(re.findall(r'<div class="flash [a-z]+"[^>]*>([^<]*)</div>', text(client.get("/tasks"))))
