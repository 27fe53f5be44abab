"""Executing an approved expenditure: payments, completion and amount changes — quorum.services.expenditure.

A payment beyond the approved amount plus the tolerance is refused by the service with the amounts
in its message; the page is shown again with what was typed, and nothing is saved.
"""

from datetime import date

from flask import request
from flask_login import login_required

from quorum.core.errors import InvalidInput
from quorum.services import expenditure, visibility
from webui.matters import bp, on_task, say, submit_form


def _day(raw: str) -> date | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(reason=say("bad_paid_on", value=raw)) from None


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/payments", methods=["POST"])
@login_required
def pay(matter_id: int, task_id: int):
    form = request.form

    def run(s, env_, me, task_id_):
        return expenditure.pay(s, env_, me, task_id_, form.get("amount", ""), _day(form.get("paid_on", "")),
                               form.get("note", ""))
    return submit_form(matter_id, say("paid", amount=form.get("amount", "").strip()), on_task(matter_id, task_id, run),
                       posted={"task": task_id, "form": form})


@bp.route("/matters/<int:matter_id>/tasks/<int:task_id>/complete", methods=["POST"])
@login_required
def complete(matter_id: int, task_id: int):
    return submit_form(matter_id, say("completed"), on_task(matter_id, task_id, expenditure.complete),
                       request.form.get("comment", ""), posted={"task": task_id, "form": request.form})


@bp.route("/matters/<int:matter_id>/amount", methods=["POST"])
@login_required
def change_amount(matter_id: int):
    form = request.form

    def run(s, env_, me):
        visibility.require_view(s, env_, me, matter_id)
        return expenditure.change_amount(s, env_, me, matter_id, form.get("field", ""), form.get("amount", ""),
                                         form.get("reason", ""))
    return submit_form(matter_id, say("amount_changed"), run, posted={"amount_form": form})
