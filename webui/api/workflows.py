"""GET /workflows: the workflows a matter may be filed under, with their fields and steps.

A unit field's choices are the registered units (its policy gives none): the values `unit` takes (issue 15, item 8).
"""

from typing import Any

from flask import Response

from quorum.core.errors import NotFound
from quorum.core.messages import message
from quorum.core.spec import PolicySet, WorkflowSpec
from quorum.services.visibility import unit_choices
from webui.api.blueprint import acting, api, reply
from webui.runtime import env


def workflow_view(policy_set: PolicySet, spec: WorkflowSpec,
                  units: list[tuple[str, str]] | tuple = ()) -> dict[str, Any]:
    return {
        "key": spec.key, "name": spec.name, "description": spec.description,
        "initiator_roles": [{"key": r, "name": policy_set.role_name(r)} for r in spec.initiator_roles],
        "fields": [{"key": f.key, "label": f.label, "type": f.type, "required": f.required,
                    "choices": [{"value": value, "label": label}
                                for value, label in (f.choices or (units if f.type == "unit" else ()))],
                    "help": f.help,
                    "input": f.input, "default": f.default}
                   for f in spec.fields],
        "steps": [{"key": st.key, "kind": st.kind, "name": st.name, "body": st.body, "reason": st.reason,
                   "deadline_working_days": st.deadline_working_days,
                   "options": [{"key": o.key, "label": o.label, "needs_comment": o.needs_comment} for o in st.options]}
                  for st in spec.steps],
    }


@api.get("/workflows")
def workflows() -> Response:
    policy_set = env().policies.policy_set
    with acting() as (s, _env, _me):
        units = unit_choices(s)
    return reply([workflow_view(policy_set, spec, units) for spec in policy_set.workflows.values()])


@api.get("/workflows/<key>")
def workflow(key: str) -> Response:
    policy_set = env().policies.policy_set
    if key not in policy_set.workflows:
        raise NotFound(what=message("visibility.what_workflow"), ref=key)
    with acting() as (s, _env, _me):
        units = unit_choices(s)
    return reply(workflow_view(policy_set, policy_set.workflows[key], units))
