"""My tasks (the inbox): tasks awaiting me (overdue first) with the actions the engine allows, and votes awaiting me.

Which answers a task offers (approve, approve with changes, disagree, appoint, acknowledge ...) is the step's
own business:
the page shows records.task_view's actions, and the service refuses anything else — this view
does not keep a list of its own.
"""

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from quorum.core.errors import InvalidInput, QuorumError
from quorum.core.messages import message
from quorum.db import Matter
from quorum.services import inbox, matters, records
from webui.matters import render_page
from webui.runtime import actor, call, env, transaction

bp = Blueprint("tasks", __name__)
MATTER_PAGE = re.compile(r"^/matters/(\d+)$")
STALE = "task.refused_done"        # an approval card whose task was done meanwhile: 409 with the list again


@bp.route("/")
@login_required
def home():
    return redirect(url_for("tasks.inbox"))


@bp.route("/tasks", endpoint="inbox")
@login_required
def inbox_page():
    return _inbox()


def _inbox(status: int = 200, error: str | None = None, posted: dict | None = None):
    with transaction() as s:
        box = inbox.inbox(s, actor(s), env().now, page=_number("page", 1))
    return render_template("tasks/inbox.html", box=box, error=error, posted=posted or {}), status


def _number(name: str, default: int) -> int:
    """A positive page number from the query string; anything else is the default."""
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and 0 < len(value) <= 6 else default


def _answer(s, env_, me, task_id: int, action: str, comment: str, return_to: str | None) -> tuple[str, str, str | None]:
    """Act; say what was done, and — when the matter went back to an earlier step — which one."""
    task = matters.act(s, env_, me, task_id, action, comment, return_to_step=return_to)
    matter = s.get(Matter, task.matter_id)
    acted = next((st for st in matter.steps if st.id == task.step_id), None)
    now_at = next((st for st in matter.steps if st.step_key == matter.current_step), None)
    went_back = acted is not None and now_at is not None and now_at.seq < acted.seq
    return task.title, records.task_action_label(s, task, action), now_at.name if went_back else None


@bp.route("/tasks/<int:task_id>/act", methods=["POST"])
@login_required
def act(task_id: int):
    action, comment = request.form.get("action", ""), request.form.get("comment", "")
    back = _local(request.form.get("next"))
    if not action:
        flash(message("web.unknown_action"), "error")
        return redirect(back or url_for("tasks.inbox"))
    try:
        title, label, went_to = call(_answer, task_id, action, comment, request.form.get("return_to") or None)
    except InvalidInput as exc:           # e.g. 修改后同意 without the changes: the form again, comment kept
        return _again(back, task_id, str(exc), comment)
    except QuorumError as exc:
        if request.form.get("card") and (exc.http_status == 409 or exc.reason_key == STALE):
            # a stale approval card (done meanwhile: 或签 by another, a second click): the list as it is now
            return _again(back, task_id, str(exc), comment, 409)
        flash(str(exc), "error")
        return redirect(back or request.referrer or url_for("tasks.inbox"))
    if went_to:
        flash(message("inbox.returned_to", title=title, step=went_to), "success")
    else:
        flash(message("web.task_done", action=label, title=title), "success")
    return redirect(back or url_for("tasks.inbox"))


def _again(back: str | None, task_id: int, error: str, comment: str, status: int = 422):
    """Show the page the form was on again, with the refusal and what was typed (422; 409 for a stale card)."""
    posted = {"task": task_id, "comment": comment}
    found = MATTER_PAGE.match(back or "")
    if found:
        return render_page(int(found.group(1)), status, error, posted)
    return _inbox(status, error, posted)


def _local(target: str | None) -> str | None:
    """Only follow a `next` that stays on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None
