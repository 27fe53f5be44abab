"""GET /healthz: is this process fit to serve — database reachable, schema at head, the scheduler sweeping.

For a load balancer or monitoring, without a login and without a session cookie. 200 when all three
hold, else 503 with the reasons in Chinese. The sweep counts as stale when its last completed run is
older than twice the longest gap of `[scheduler] sweep_cron`; a deployment whose sweep never completed
(no scheduler started, `start_with_run = false` and no worker) is unhealthy too: reminders and
expiries would silently stop.
"""

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Blueprint, Response, current_app
from sqlalchemy.exc import SQLAlchemyError

from quorum import calendar
from quorum.core.cron import longest_gap_seconds
from quorum.core.messages import message
from quorum.database import code_head, schema_revision
from quorum.services import jobs
from webui.runtime import runtime

bp = Blueprint("health", __name__)


@lru_cache(maxsize=1)
def _head() -> str:
    return code_head()       # the code in this process never changes: read the migration scripts once


def _database() -> tuple[dict[str, Any], list[str]]:
    """Reachability and revision of the database, with the reasons it is not fit."""
    try:
        revision = schema_revision(runtime().db.engine)
    except SQLAlchemyError:
        return {"reachable": False, "revision": None, "head": _head()}, [message("web.health_db_unreachable")]
    info = {"reachable": True, "revision": revision, "head": _head()}
    if revision != _head():
        shown = revision or message("web.health_no_revision")
        return info, [message("web.health_schema", revision=shown, head=_head())]
    return info, []


def _scheduler(now: datetime, database_ok: bool) -> tuple[dict[str, Any], list[str]]:
    """When the sweep last completed and whether that is too long ago."""
    cron = runtime().settings.delivery.scheduler.sweep_cron
    try:
        stale_after = 2 * longest_gap_seconds(cron)
    except ValueError:                    # e.g. "61 * * * *": the scheduler could not run it either
        return {"last_sweep": None, "stale_after_seconds": None}, [message("web.health_bad_cron", cron=cron)]
    info: dict[str, Any] = {"last_sweep": None, "stale_after_seconds": stale_after}
    if not database_ok:
        return info, []
    try:
        with runtime().db.sessions.begin() as s:
            last = jobs.last_completed(s, "sweep")
    except SQLAlchemyError:
        return info, [message("web.health_db_unreachable")]
    if last is None:
        return info, [message("web.health_never_swept")]
    info["last_sweep"] = last.isoformat()
    age = (now - last).total_seconds()
    if age > stale_after:
        return info, [message("web.health_sweep_stale", last=last.strftime("%Y-%m-%d %H:%M"),
                              minutes=int(age // 60), limit=stale_after // 60)]
    return info, []


@bp.get("/healthz")
def healthz() -> Response:
    database, reasons = _database()
    scheduler, late = _scheduler(runtime().fixed_now or calendar.now(), not reasons)
    reasons += late
    body = {"status": "unhealthy" if reasons else "ok", "database": database, "scheduler": scheduler,
            "reasons": reasons}
    return current_app.response_class(json.dumps(body, ensure_ascii=False), status=503 if reasons else 200,
                                      mimetype="application/json", headers={"Cache-Control": "no-store"})
