"""Executing an approved expenditure: payments, completion, amount changes (quorum.services.expenditure)."""

from flask import Response

from quorum.services import expenditure, matters, records
from webui.api import visibility
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import TEXT, Body


def execution_view(s, matter_id: int) -> dict:
    matter = matters.get(s, matter_id)
    return records.execution_record(s, matters.workflow_of(s, matter), matter) or {}


@api.post(f"/tasks/<{ID}:task_id>/payments")
def pay(task_id: int) -> Response:
    """Record a payment; one beyond the approved amount plus the tolerance is refused (422) and not saved."""
    body = Body.read()
    amount, paid_on, note = body.amount("amount"), body.day("paid_on"), body.text("note", limit=TEXT)
    with acting() as (s, env, me):
        payment = expenditure.pay(s, env, me, task_id, amount, paid_on, note)
        view = execution_view(s, payment.matter_id)
    return reply(view, 201)


@api.post(f"/tasks/<{ID}:task_id>/complete")
def complete(task_id: int) -> Response:
    """Complete: close the execution step once money has been paid."""
    comment = Body.read().text("comment")
    with acting() as (s, env, me):
        task = expenditure.complete(s, env, me, task_id, comment)
        matter = matters.get(s, task.matter_id)
        result = {"matter": {"id": matter.id, "status": matter.status, "current_step": matter.current_step},
                  "execution": execution_view(s, matter.id)}
    return reply(result)


@api.post(f"/matters/<{ID}:matter_id>/amount")
def change_amount(matter_id: int) -> Response:
    """Change the approved amount (amount or contract_total); beyond the tolerance the matter is approved again."""
    body = Body.read()
    field = body.choice("field", ("amount", "contract_total"))
    amount, reason = body.amount("amount"), body.text("reason", required=True, limit=TEXT)
    with acting() as (s, env, me):
        visibility.require_matter(s, me, matter_id)
        matter = expenditure.change_amount(s, env, me, matter_id, field, amount, reason)
        result = {"matter": {"id": matter.id, "status": matter.status, "current_step": matter.current_step},
                  "execution": execution_view(s, matter.id)}
    return reply(result)
