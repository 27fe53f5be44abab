"""Notifications: a person's notifications (read / unread), their calendar feed, the secretariat's delivery failures.

Read receipts: the sender of an urge sees on this page whether the urged person has read it; the secretariat
sees on a meeting's page who has read its notice of the meeting (templates/web/notifications/_meeting_reads.html,
through the template global `meeting_notice_reads`).

The iCalendar feed at /calendar/<token>.ics is read by calendar apps without signing in: the secret
token in the address is the credential (quorum.services.calendar_feed).
"""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.services import calendar_feed, outbox, permissions
from webui.runtime import actor, call, env, runtime, transaction

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def unread():
    if not current_user.is_authenticated:
        return {"unread_notifications": 0}
    with transaction() as s:
        return {"unread_notifications": outbox.unread_count(s, current_user.person_id)}


@bp.route("/notifications")
@login_required
def index():
    only_unread = request.args.get("show") == "unread"
    with transaction() as s:
        rows = outbox.notifications_of(s, current_user.person_id, unread_only=only_unread)
        has_feed = calendar_feed.has_feed(s, current_user.person_id)
        urges = outbox.urges_sent(s, current_user.person_id)
    return render_template("notifications/index.html", rows=rows, only_unread=only_unread, has_feed=has_feed,
                           staff=current_user.has(*env().policies.permissions.roles_for("outbox.retry")),
                           urges=urges)


@bp.app_template_global()
def meeting_notice_reads(meeting_id: int) -> list[outbox.Receipt] | None:
    """Who has read a meeting's notice — for the secretariat (outbox.retry holders) on the meeting page; else None."""
    if not current_user.is_authenticated or not current_user.has(*env().policies.permissions.roles_for("outbox.retry")):
        return None
    with transaction() as s:
        return outbox.notice_reads(s, f"meeting:{meeting_id}:called")


def _mark(ids, read: bool) -> None:
    call(outbox.mark_read, ids, read)


@bp.route("/notifications/<int:notification_id>/<any(read, unread):state>", methods=["POST"])
@login_required
def mark(notification_id: int, state: str):
    _mark([notification_id], state == "read")
    return redirect(request.form.get("next") if (request.form.get("next") or "").startswith("/notifications")
                    else url_for("notifications.index"))


@bp.route("/notifications/read-all", methods=["POST"])
@login_required
def read_all():
    _mark(None, True)
    flash(message("web.notifications_read"), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/open/<int:notification_id>")
@login_required
def open_link(notification_id: int):
    """Mark a notification read and follow its link (only links within this site)."""
    with transaction() as s:
        row = next((n for n in outbox.notifications_of(s, current_user.person_id) if n.id == notification_id), None)
        if row is None:
            abort(404)
        outbox.mark_read(s, env(), actor(s), [row.id])
        link = row.link or url_for("notifications.index")
    return redirect(link if link.startswith("/") and not link.startswith("//") else url_for("notifications.index"))


@bp.route("/notifications/calendar", methods=["POST"])
@login_required
def issue_feed():
    token = call(calendar_feed.issue)
    address = url_for("notifications.feed", token=token, _external=True)
    flash(message("web.calendar_feed_issued", address=address), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/calendar/<token>.ics")
def feed(token: str):
    with transaction() as s:
        person = calendar_feed.person_for(s, token)
        if person is None:
            abort(404)
        body = calendar_feed.build(s, env(), person, runtime().settings.organisation)
    return Response(body, mimetype="text/calendar", headers={"Cache-Control": "private, max-age=300"})


@bp.route("/notifications/outbox")
@login_required
def failures():
    with transaction() as s:
        permissions.require(s, env(), actor(s), "outbox.retry", subject="outbox")
        rows = outbox.problems(s)
    return render_template("notifications/outbox.html", rows=rows)


@bp.route("/notifications/outbox/<int:message_id>/retry", methods=["POST"])
@login_required
def retry(message_id: int):
    try:
        row = call(outbox.retry, message_id)
    except QuorumError as exc:
        flash(str(exc), "error")
    else:
        flash(message("web.outbox_retry", title=row.title), "success")
    return redirect(url_for("notifications.failures"))
