"""The web UI and JSON API: a Flask app factory, one blueprint per area, thin views.

Views parse input, call one quorum.services function inside one transaction, flash, redirect.
No rule lives here: what a person may do is asked of the engine (quorum.core.actions,
meetings.can_organise), so the buttons shown and the checks made cannot disagree.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

# Flask is imported when an app is built, not when the `quorum` command merely registers `serve`:
# that keeps every CLI call fast.
if TYPE_CHECKING:
    from flask import Flask

    from quorum.database import Database
    from quorum.settings import Settings


def create_app(settings: Settings | None = None, *, database: Database | None = None,
               now: datetime | None = None, test_config: dict | None = None) -> Flask:
    """Build the app; tests may pass an open database and a fixed clock."""
    from flask import Flask

    from quorum.settings import load_settings
    from webui.runtime import WebRuntime

    settings = settings or load_settings()
    app = Flask(__name__, template_folder=str(settings.templates_dir / "web"), static_folder="static")
    app.config.update(SECRET_KEY=settings.secret_key, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      MAX_CONTENT_LENGTH=50 * 1024 * 1024, WTF_CSRF_TIME_LIMIT=None)
    _behind_proxies(app, settings.web.proxies)
    app.config.update(test_config or {})
    app.extensions["quorum"] = WebRuntime.open(settings, database=database, now=now)

    from webui import auth, errors, layout, requestlog, runtime, security
    requestlog.init_app(app)        # first, so even a request refused by the CSRF check has its id
    runtime.init_app(app)
    security.init_app(app)          # before auth: its headers and Secure cookies apply to the remember cookie too
    auth.init_app(app)
    errors.init_app(app)
    layout.init_app(app)
    # delegations, objections, payments and task_ops hang their routes on the matters blueprint (代理, 评论/抄送/加签,
    # 支付执行, 公示异议): imported here, before it is registered, and never by webui.matters (they import it).
    from webui import (  # noqa: F401
        admin,
        dashboard,
        delegations,
        matters,
        meetings,
        notifications,
        objections,
        payments,
        supervision,
        task_ops,
        tasks,
    )
    from webui.api.routes import api
    for blueprint in (auth.bp, tasks.bp, matters.bp, meetings.bp, supervision.bp, dashboard.bp, admin.bp, api,
                      notifications.bp):
        app.register_blueprint(blueprint)
    from webui import account, audit, documents, registers
    app.register_blueprint(audit.bp)
    app.register_blueprint(registers.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(account.bp)
    from webui import health
    app.register_blueprint(health.bp)
    from webui import jobs  # background jobs (生成 PDF, exports): their status pages and job thread
    jobs.init_app(app)
    return app


def _behind_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` reverse proxies: trust their X-Forwarded-* headers, and the site is https."""
    if hops <= 0:
        return
    from werkzeug.middleware.proxy_fix import ProxyFix
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)
    app.config.update(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True, PREFERRED_URL_SCHEME="https")
