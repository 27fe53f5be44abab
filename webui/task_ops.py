"""Beside the decision on a task: comments (with attachments), copies, add_signer — each a use case of task_ops.

The matter page offers these forms exactly when quorum.core.actions.secondary_actions (comment,
add_signer) or task_ops.may_copy (copy) allow them; the services check the same again.
"""

from flask import request
from flask_login import login_required

from quorum.core.errors import InvalidInput
from quorum.services import org, task_ops, visibility
from webui.matters import bp, on_task, say, submit_form, uploads


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/comment", methods=["POST"])
@login_required
def comment(matter_id: int, task_id: int):
    text, files = request.form.get("text", ""), uploads()
    posted = {"task": task_id, "secondary": "comment", "text": text}
    return submit_form(matter_id, say("commented", files=len(files)), on_task(matter_id, task_id, task_ops.comment),
                       text, files, posted=posted)


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/signers", methods=["POST"])
@login_required
def add_signer(matter_id: int, task_id: int):
    username, reason = request.form.get("signer", "").strip(), request.form.get("reason", "")

    def run(s, env_, me, task_id_):
        if not username:
            raise InvalidInput(reason=say("choose_signer"))
        return task_ops.add_signer(s, env_, me, task_id_, org.person(s, username), reason)
    posted = {"task": task_id, "secondary": "add_signer", "signer": username, "reason": reason}
    return submit_form(matter_id, say("signer_added"), on_task(matter_id, task_id, run), posted=posted)


@bp.route("/matters/<int:matter_id>/copies", methods=["POST"])
@login_required
def copy(matter_id: int):
    usernames = [u for u in request.form.getlist("to") if u]
    note = request.form.get("note", "")

    def run(s, env_, me):
        visibility.require_view(s, env_, me, matter_id)
        if not usernames:
            raise InvalidInput(reason=say("choose_copy"))
        return task_ops.copy_to(s, env_, me, matter_id, [org.person(s, u) for u in usernames], note)
    return submit_form(matter_id, say("copied", count=len(usernames)), run,
                       posted={"copy": {"to": usernames, "note": note}})
