"""我的待办 and acting on a task: the actions listed are exactly those the engine will accept."""

from flask import Response

from quorum.core.actions import ACTION_NAMES
from quorum.services import inbox, matters, records
from webui.api.blueprint import ID, acting, api, reply
from webui.api.inputs import KEY_LENGTH, Body

TASK_ACTIONS = ("approve", "reject", "return", "resubmit", "withdraw", "record")


@api.get("/me/tasks")
def my_tasks() -> Response:
    """Open tasks (each with its available actions, overdue first) and the votes awaiting me."""
    with acting() as (s, env, me):
        box = inbox.inbox(s, me, env.now)
    return reply(box)


@api.post(f"/tasks/<{ID}:task_id>/actions")
def act(task_id: int) -> Response:
    body = Body.read()
    action = body.choice("action", TASK_ACTIONS)
    comment = body.text("comment")
    return_to = body.optional_text("return_to", limit=KEY_LENGTH)
    fields = body.fields("fields")
    record = body.decision_record("record")
    with acting() as (s, env, me):
        task = matters.act(s, env, me, task_id, action, comment, return_to_step=return_to, fields=fields,
                           record=record)
        view = records.task_view(s, task, me, env.now)
        matter = matters.get(s, task.matter_id)
        result = {"task": view, "action_name": ACTION_NAMES[action],
                  "matter": {"id": matter.id, "status": matter.status, "current_step": matter.current_step}}
    return reply(result)
