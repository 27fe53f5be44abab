"""Security headers on every page, and Secure cookies whenever served over HTTPS."""

import re

from webui.security import CSP


def test_pages_carry_the_security_headers(client):
    for path in ("/login", "/api/v1/openapi.json", "/static/quorum.js"):
        response = client.get(path)
        response.close()                 # the static file's handle
        assert response.headers["Content-Security-Policy"] == CSP
        assert "'unsafe-inline'" not in CSP
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style():
    from tests.conftest import ROOT
    for page in (ROOT / "templates" / "web").rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), page
        assert not re.search(r"\son[a-z]+=|\sstyle=|<style", html), page


def test_cookies_are_secure_over_https(app):
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("Secure" in c for c in cookies)
    plain = app.test_client().get("/login")
    assert all("Secure" not in c for c in plain.headers.getlist("Set-Cookie"))
