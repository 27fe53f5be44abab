"""Audit: discipline inspection's page — the chain's check, the log's events, refused attempts, a matter's dossier.

For discipline inspection and the administrator only (permissions.toml audit.inspect); everyone else gets the 403 page
and the refused attempt is recorded. The chain check runs in a thread of this process (it takes seconds on
a large log) and is recorded as a job run the page reads.
"""

import threading
from datetime import date
from io import BytesIO

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required

from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.services import audit_anchor, audit_view
from quorum.services import refusals as refused
from webui.runtime import actor, env, runtime, transaction

bp = Blueprint("audit", __name__)


@bp.route("/audit")
@login_required
def index():
    filters = _filters()
    with transaction() as s:
        me = actor(s)
        check = audit_view.last_check(s, env(), me)
        found = audit_view.timeline(s, env(), me, filters)
    lines = _anchor_lines()                      # read only for those the services let through
    anchors, anchors_bad = audit_view.anchors(lines)
    return render_template("audit/index.html", check=check, timeline=found, filters=filters, anchors=anchors[:10],
                           anchor_count=len(anchors), anchors_bad=anchors_bad, anchored=lines is not None,
                           query=_query(filters))


@bp.route("/audit/verify", methods=["POST"])
@login_required
def verify():
    with transaction() as s:
        start = audit_view.may_start_check(s, env(), actor(s))
    if start:
        sessions, lines = runtime().db.sessions, _anchor_lines()
        threading.Thread(target=audit_view.run_check, args=(sessions, lines), name="audit-verify", daemon=True).start()
        flash(message("audit_page.check_started"), "success")
    else:
        flash(message("audit_page.check_running"), "info")
    return redirect(url_for("audit.index"))


@bp.route("/audit/dossier")
@login_required
def dossier_form():
    """The form's matter number → that matter's dossier."""
    matter_id = _number("matter")
    if matter_id is None:
        raise InvalidInput("audit_page.matter_number_bad")
    return redirect(url_for("audit.dossier", matter_id=matter_id))


@bp.route("/audit/dossier/<int:matter_id>/download")
@login_required
def dossier(matter_id: int):
    with transaction() as s:
        data, name = audit_view.matter_dossier(s, env(), actor(s), matter_id)
    return send_file(BytesIO(data), mimetype="application/zip", as_attachment=True, download_name=name)


@bp.route("/audit/refusals")
@login_required
def refusals():
    with transaction() as s:
        found = refused.listing(s, env(), actor(s))
    return render_template("audit/refusals.html", refusals=found)


def _anchor_lines() -> list[str] | None:
    """The lines of the deployment's anchor file (None: nothing anchored yet, or it cannot be read)."""
    try:
        return audit_anchor.read_anchor_lines(runtime().settings.audit.anchor_file)
    except OSError:
        return None


def _filters() -> audit_view.Filters:
    return audit_view.Filters(person_id=_number("person"), kind=request.args.get("kind", "")[:64],
                              since=_day("from"), until=_day("to"), matter_id=_number("matter"),
                              page=_number("page") or 1)


def _number(name: str) -> int | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 9):
        raise InvalidInput("audit_page.number_bad", value=value[:20])
    return int(value)


def _day(name: str) -> date | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput("audit_page.day_bad", value=value[:20]) from None


def _query(filters: audit_view.Filters) -> dict[str, str]:
    """The filters as query arguments, for the pager's links."""
    found = {"person": filters.person_id, "kind": filters.kind, "from": filters.since, "to": filters.until,
             "matter": filters.matter_id}
    return {k: str(v) for k, v in found.items() if v not in (None, "")}
