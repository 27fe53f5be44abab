"""Beside the decision: comments, add_signer on a task and copies of a matter (quorum.services.task_ops)."""

from flask import Response

from quorum.services import org, records, task_ops
from webui.api import visibility
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import KEY_LENGTH, TEXT, Body


@api.post(f"/tasks/<{ID}:task_id>/comments")
def comment(task_id: int) -> Response:
    """A comment on an open task of mine; it closes nothing (attachments: use the web page)."""
    text = Body.read().text("text", required=True)
    with acting() as (s, env, me):
        opinion = task_ops.comment(s, env, me, task_id, text)
        result = {"id": opinion.id, "matter_id": opinion.matter_id, "step": opinion.step_key, "text": opinion.text,
                  "at": opinion.created_at}
    return reply(result, 201)


@api.post(f"/tasks/<{ID}:task_id>/signers")
def add_signer(task_id: int) -> Response:
    """Add a signer: one more person must act on this step before it completes."""
    body = Body.read()
    signer = body.text("signer", required=True, limit=KEY_LENGTH)
    reason = body.text("reason", required=True, limit=TEXT)
    with acting() as (s, env, me):
        added = task_ops.add_signer(s, env, me, task_id, org.person(s, signer.strip()), reason)
        view = records.task_view(s, added, me, env.now)
    return reply(view, 201)


@api.post(f"/matters/<{ID}:matter_id>/copies")
def copy(matter_id: int) -> Response:
    """Copy the matter to people, who may then read it but not act on it."""
    body = Body.read()
    usernames, note = body.usernames("people"), body.text("note", limit=TEXT)
    with acting() as (s, env, me):
        visibility.require_matter(s, me, matter_id)
        task_ops.copy_to(s, env, me, matter_id, [org.person(s, u) for u in usernames], note)
        copies = records.copy_records(s, matter_id)
    return reply(copies, 201)
