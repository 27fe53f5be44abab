"""我的待办: tasks awaiting me (overdue first) with the actions the engine allows, and votes awaiting me."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from quorum.core.actions import ACTION_NAMES
from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.services import inbox, matters
from webui.runtime import actor, call, env, transaction

bp = Blueprint("tasks", __name__)


@bp.route("/")
@login_required
def home():
    return redirect(url_for("tasks.inbox"))


@bp.route("/tasks", endpoint="inbox")
@login_required
def inbox_page():
    with transaction() as s:
        box = inbox.inbox(s, actor(s), env().now)
    return render_template("tasks/inbox.html", box=box, action_names=ACTION_NAMES)


@bp.route("/tasks/<int:task_id>/act", methods=["POST"])
@login_required
def act(task_id: int):
    action = request.form.get("action", "")
    if action not in ACTION_NAMES:
        flash(message("web.unknown_action"), "error")
        return redirect(request.referrer or url_for("tasks.inbox"))
    try:
        task = call(matters.act, task_id, action, request.form.get("comment", ""),
                    return_to_step=request.form.get("return_to") or None)
    except QuorumError as exc:
        flash(str(exc), "error")
        return redirect(request.referrer or url_for("tasks.inbox"))
    flash(message("web.task_done", action=ACTION_NAMES[action], title=task.title), "success")
    return redirect(_local(request.form.get("next")) or url_for("tasks.inbox"))


def _local(target: str | None) -> str | None:
    """Only follow a `next` that stays on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
