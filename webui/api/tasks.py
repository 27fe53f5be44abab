"""My tasks and acting on a task: the actions listed are exactly those the engine will accept.

A task's answers are its step's options (agree, agree_with_changes, object, appoint, acknowledge ...): any action key is
passed to the engine, which refuses those the task does not offer (403).
"""

from flask import Response

from quorum.core.actions import ACTION_NAMES, SECONDARY
from quorum.services import inbox, matters, records
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import KEY_LENGTH, Body, query_int
from webui.runtime import env


def known_actions() -> list[str]:
    """Every action word: the message table's and every step option of the workflows in force."""
    words = dict.fromkeys(ACTION_NAMES)
    for spec in env().policies.policy_set.workflows.values():
        words.update(dict.fromkeys(o.key for st in spec.steps for o in st.options))
    return [w for w in words if w not in SECONDARY]


@api.get("/me/tasks")
def my_tasks() -> Response:
    """One page of my open tasks (each with its available actions, overdue first), totals, and my votes."""
    page = query_int("page", 1, 10**6) or 1
    per_page = query_int("per_page", 0, inbox.MAX_PER_PAGE) or None
    with acting() as (s, env, me):
        box = inbox.inbox(s, me, env.now, page=page, per_page=per_page)
    return reply(box)


@api.post(f"/tasks/<{ID}:task_id>/actions")
def act(task_id: int) -> Response:
    body = Body.read()
    action = body.choice("action", known_actions())      # a word of the vocabulary; the engine decides the rest
    comment = body.text("comment")
    return_to = body.optional_text("return_to", limit=KEY_LENGTH)
    fields = body.fields("fields")
    record = body.decision_record("record")
    with acting() as (s, env, me):
        task = matters.act(s, env, me, task_id, action, comment, return_to_step=return_to, fields=fields,
                           record=record)
        view = records.task_view(s, task, me, env.now)
        matter = matters.get(s, task.matter_id)
        result = {"task": view, "action_name": records.task_action_label(s, task, action),
                  "matter": {"id": matter.id, "status": matter.status, "current_step": matter.current_step}}
    return reply(result)
