"""/healthz, request ids and the access log, and the [web] proxies switch — on SQLite and PostgreSQL."""

import io
import logging
import re
import shutil
from dataclasses import replace
from datetime import timedelta

import pytest
from alembic import command

from quorum.database import Database, alembic_config, code_head
from quorum.db.session import make_engine, make_session_factory
from quorum.services import jobs
from quorum.settings import load_settings
from quorum.web_settings import WebSettings
from tests.conftest import ROOT
from tests.webui.conftest import PASSWORD, login
from webui import create_app
from webui.requestlog import configure_logging


def sweep(db, finished, status: str = "completed") -> None:
    """A sweep run of the scheduler that finished at `finished` (or failed then)."""
    with db.sessions.begin() as s:
        run = jobs.started(s, "sweep", finished - timedelta(seconds=20))
        jobs.finished(s, run, finished, {"reminders": 0}, error="SMTP 连接失败" if status == "failed" else None)


def health(client):
    response = client.get("/healthz")
    return response.status_code, response.get_json(), response


# --------------------------------------------------------------------------------------------
# /healthz


def test_a_fresh_sweep_is_healthy_without_signing_in_or_a_cookie(client, community, env):
    sweep(community, env.now - timedelta(minutes=20))
    status, body, response = health(client)
    assert status == 200 and body["status"] == "ok" and body["reasons"] == []
    assert body["database"] == {"reachable": True, "revision": code_head(), "head": code_head()}
    assert body["scheduler"] == {"last_sweep": (env.now - timedelta(minutes=20)).isoformat(),
                                 "stale_after_seconds": 1800}      # twice the */15 sweep
    assert "Set-Cookie" not in response.headers and response.headers["Cache-Control"] == "no-store"


def test_a_sweep_older_than_twice_the_interval_is_unhealthy(client, community, env):
    sweep(community, env.now - timedelta(minutes=31))
    sweep(community, env.now - timedelta(minutes=2), status="failed")     # a failed run does not count
    status, body, _ = health(client)
    assert status == 503 and body["status"] == "unhealthy"
    assert body["database"]["reachable"] is True
    assert body["reasons"] == ["调度器最近一次完成巡检在 " + (env.now - timedelta(minutes=31)).strftime("%Y-%m-%d %H:%M")
                               + "，已过 31 分钟（超过 30 分钟即视为停止）"]


def test_a_scheduler_that_never_swept_is_unhealthy(client, community):
    status, body, _ = health(client)
    assert status == 503 and body["scheduler"]["last_sweep"] is None
    assert body["reasons"] == ["调度器从未完成巡检：请启动定时任务（quorum run 或 python -m flows.serve）"]


def test_the_staleness_follows_the_configured_sweep(community, env, tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    hourly = replace(settings, delivery=replace(settings.delivery, scheduler=replace(
        settings.delivery.scheduler, sweep_cron="5 * * * *")))
    app = create_app(hourly, database=community, now=env.now, test_config={"TESTING": True})
    sweep(community, env.now - timedelta(minutes=90))
    status, body, _ = health(app.test_client())
    assert status == 200 and body["scheduler"]["stale_after_seconds"] == 7200


def web_app(database: Database, tmp_path, **web):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    return create_app(replace(settings, web=WebSettings(**web)), database=database, test_config={"TESTING": True})


def test_a_schema_behind_the_code_is_unhealthy(sqlite_template, tmp_path):
    path = tmp_path / "behind.sqlite3"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "-1")
    try:
        status, body, _ = health(web_app(Database(engine, make_session_factory(engine)), tmp_path).test_client())
    finally:
        engine.dispose()
    assert status == 503 and body["database"]["reachable"] is True
    assert body["database"]["revision"] != code_head() and body["database"]["head"] == code_head()
    assert len(body["reasons"]) == 1 and "请运行 quorum migrate" in body["reasons"][0]


def test_an_unreachable_database_is_unhealthy(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'quorum.sqlite3'}")
    status, body, _ = health(web_app(Database(engine, make_session_factory(engine)), tmp_path).test_client())
    assert status == 503 and body["database"] == {"reachable": False, "revision": None, "head": code_head()}
    assert body["reasons"] == ["数据库无法连接"]


# --------------------------------------------------------------------------------------------
# request ids and the access log


@pytest.fixture
def log_lines():
    """What the server's stderr would show; the process-wide logging is put back afterwards."""
    root, alembic = logging.getLogger(), logging.getLogger("alembic")
    levels = root.level, alembic.level
    stream = io.StringIO()
    handler = configure_logging(stream)
    yield lambda: stream.getvalue().splitlines()
    root.removeHandler(handler)
    root.setLevel(levels[0])
    alembic.setLevel(levels[1])


def test_each_request_has_an_id_and_one_access_line_with_the_acting_user(app, sc, log_lines):
    @app.get("/_probe")
    def probe():
        from flask_login import current_user
        logging.getLogger("webui.probe").warning("探针：%s", current_user.name)
        return "ok"

    client = app.test_client()
    kept = client.get("/login", headers={"X-Request-ID": "lb-7f3a9c21"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a9c21"
    fresh = client.get("/login", headers={"X-Request-ID": "bad id; rm -rf '/' <script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", fresh.headers["X-Request-ID"])
    login(client, "gaowenjing")
    client.get("/_probe", headers={"X-Request-ID": "probe-0001"})
    token = client.post("/api/v1/token", json={"username": "zhouming", "password": PASSWORD}).get_json()["token"]
    client.get("/api/v1/me/tasks", headers={"Authorization": f"Bearer {token}", "X-Request-ID": "api-00001"})
    lines = log_lines()
    access = [line for line in lines if " quorum.access " in line]
    assert len(access) == 7                          # one per request (signing in is two)
    assert re.search(r"INFO \[\d+\] quorum\.access \[rid=lb-7f3a9c21 user=-\] GET /login 200 \d+\.\dms "
                     r"client=127\.0\.0\.1$", access[0])
    assert "POST /login 302" in access[3] and "user=gaowenjing]" in access[3]
    assert "[rid=probe-0001 user=gaowenjing] GET /_probe 200" in access[4]
    assert "[rid=api-00001 user=zhouming] GET /api/v1/me/tasks 200" in access[6]
    probe_line = next(line for line in lines if "探针" in line)
    assert "WARNING" in probe_line and "webui.probe [rid=probe-0001 user=gaowenjing] 探针：高文静" in probe_line


def test_the_calendar_address_is_not_written_to_the_log(client, sc, log_lines):
    client.get("/calendar/s3cr3t-feed-token.ics")
    access = [line for line in log_lines() if " quorum.access " in line]
    assert access and "s3cr3t" not in access[-1] and "GET /calendar/***.ics" in access[-1]


# --------------------------------------------------------------------------------------------
# behind a reverse proxy


def probe_app(app):
    @app.get("/_where")
    def where():
        from flask import request, url_for
        return {"remote": request.remote_addr, "scheme": request.scheme, "url": url_for("auth.login", _external=True)}
    return app


FORWARDED = {"X-Forwarded-For": "10.8.0.7", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "yigongti.example.cn"}


def test_behind_a_proxy_forwarded_headers_are_trusted_and_cookies_are_secure(community, tmp_path, log_lines):
    client = probe_app(web_app(community, tmp_path, proxies=1)).test_client()
    seen = client.get("/_where", headers=FORWARDED).get_json()
    assert seen == {"remote": "10.8.0.7", "scheme": "https", "url": "https://yigongti.example.cn/login"}
    cookie = client.get("/login", headers=FORWARDED).headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie
    assert log_lines()[-1].endswith("client=10.8.0.7")        # the access log names the real client


def test_without_proxies_forwarded_headers_are_ignored(community, tmp_path):
    client = probe_app(web_app(community, tmp_path)).test_client()
    seen = client.get("/_where", headers=FORWARDED).get_json()
    assert seen == {"remote": "127.0.0.1", "scheme": "http", "url": "http://localhost/login"}
    assert "Secure" not in client.get("/login", headers=FORWARDED).headers["Set-Cookie"]


def test_a_sweep_schedule_that_cannot_fire_is_unhealthy(community, env, tmp_path):
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    broken = replace(settings, delivery=replace(settings.delivery, scheduler=replace(
        settings.delivery.scheduler, sweep_cron="61 * * * *")))
    sweep(community, env.now - timedelta(minutes=1))
    app = create_app(broken, database=community, now=env.now, test_config={"TESTING": True})
    status, body, _ = health(app.test_client())
    assert status == 503 and body["scheduler"]["stale_after_seconds"] is None
    assert body["reasons"] == ["[scheduler] sweep_cron「61 * * * *」不是有效的 cron 表达式，巡检无法按时运行"]
