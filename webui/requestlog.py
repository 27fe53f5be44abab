"""Request ids and logs: one access line per request, and every log line says which request and user.

Logs are plain text on stderr, which journald (or any supervisor) captures; the process id tells the
workers of one server apart. A request keeps an incoming `X-Request-ID` when it looks like one (a
proxy's or a client's), else gets a new one; the response echoes it, so a user's report can be found.
The acting user is whoever the request acted as — the signed-in person or an API token's holder —
read only when the view already loaded them, so logging never costs a query or touches the session.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import IO

from flask import Flask, Response, g, has_request_context, request

FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s [rid=%(request_id)s user=%(user)s] %(message)s"
HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")
_SECRET_PATH = re.compile(r"^/calendar/[^/]+\.ics$")      # the address itself is the calendar's secret
access_log = logging.getLogger("quorum.access")


def request_id_from(incoming: str | None) -> str:
    """The incoming id if it is safe to log and echo, else a new one."""
    if incoming and _SANE_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def logged_path(path: str) -> str:
    """The path as the access log shows it: without query string, secret addresses masked."""
    return "/calendar/***.ics" if _SECRET_PATH.match(path) else path


def acting_user() -> str:
    """The username this request acted as, or "-" (never loads anyone)."""
    if not has_request_context():
        return "-"
    api_user = g.get("api_username")
    if api_user:
        return api_user
    user = g.get("_login_user")           # set by Flask-Login once the view asked for current_user
    return getattr(user, "username", None) or "-"


class RequestContext(logging.Filter):
    """Give every record `request_id` and `user` ("-" outside a request), for the format above."""

    def filter(self, record: logging.LogRecord) -> bool:
        in_request = has_request_context()
        record.request_id = g.get("request_id", "-") if in_request else "-"
        record.user = acting_user()
        return True


def configure_logging(stream: IO[str] | None = None, level: int = logging.INFO) -> logging.Handler:
    """Send the root logger's records to stderr (or `stream`) in FORMAT; return the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestContext())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)     # every schema check would say "Context impl …"
    return handler


def init_app(app: Flask) -> None:
    """Stamp each request with an id; log one access line and echo the id when it is answered."""

    @app.before_request
    def start() -> None:
        g.request_id = request_id_from(request.headers.get(HEADER))
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = g.get("request_id") or request_id_from(None)
        response.headers[HEADER] = request_id
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        access_log.info("%s %s %s %.1fms client=%s", request.method, logged_path(request.path),
                        response.status_code, elapsed, request.remote_addr or "-")
        return response
