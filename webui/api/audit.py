"""The audit log for discipline inspection and the administrator: verify the chain, and read the refused attempts."""

from datetime import datetime, time

from flask import Response, request

from quorum.calendar import TZ
from quorum.services import audit, refusals
from webui.api import visibility
from webui.api.blueprint import acting, api, reply
from webui.api.inputs import Body, query_int


@api.get("/audit/verify")
def verify() -> Response:
    with acting() as (s, env, me):
        visibility.require_auditor(s, env, me)
        result = audit.verify(s)
    return reply({"ok": result.ok, "events": result.count, "first_bad_seq": result.first_bad_seq,
                  "reason": result.reason})


@api.get("/audit/refusals")
def refused_attempts() -> Response:
    """The newest refused attempts (who, what, why, where): `since` a day, at most `limit` (200, ≤ 1000)."""
    since = Body({"since": request.args.get("since", "")}).day("since")
    limit = query_int("limit", 200, 1000)
    with acting() as (s, env, me):
        found = refusals.listing(s, env, me, datetime.combine(since, time(), TZ) if since else None, limit)
    return reply({"refusals": [vars(r) for r in found]})
