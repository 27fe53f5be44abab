"""GET /audit/verify: recompute the audit chain and re-derive ballots (纪检监察室 and the administrator only)."""

from flask import Response

from quorum.services import audit
from webui.api import visibility
from webui.api.blueprint import acting, api, reply


@api.get("/audit/verify")
def verify() -> Response:
    with acting() as (s, _env, me):
        visibility.require_auditor(s, me)
        result = audit.verify(s)
    return reply({"ok": result.ok, "events": result.count, "first_bad_seq": result.first_bad_seq,
                  "reason": result.reason})
