"""Who gets a task when a step opens.

- review / record / filing / publicity / execution: every holder of the step's role is given the
  task in one any_of group (the first to act closes the group); `role_scope = "matter_unit"` narrows
  the holders to the matter's own unit (the member unit's head approves its own request);
- countersign: one any_of group per unit (`units`, or every unit of `unit_kind`); the step is done
  when every group — or `required` of them — has answered;
- nobody is given a decision on a matter they filed, and the nominee and relatives named in the
  matter's `recuse` fields get no task on it at all.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.actions import DECISION_KINDS
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.core.spec import StepSpec, WorkflowSpec
from quorum.core.states import TaskStatus
from quorum.db import Matter, MatterStep, Person, Task, Unit
from quorum.services import arrivals, audit, org
from quorum.services.env import Env

DECIDING = DECISION_KINDS


def excluded_people(s: Session, spec: WorkflowSpec, matter: Matter) -> frozenset[int]:
    """The people a matter is about (nominee, relatives): they recuse and hold no task on it."""
    names: list[str] = []
    for field in spec.recused_fields:
        value = matter.fields.get(field.key)
        names.extend(value if isinstance(value, list) else [value] if value else [])
    if not names:
        return frozenset()
    return frozenset(s.execute(select(Person.id).where(Person.username.in_(names))).scalars())


def holders_for(s: Session, env: Env, spec: WorkflowSpec, matter: Matter, step_spec: StepSpec, role: str,
                unit_id: int | None = None, kind: str = "review") -> list[Person]:
    """The people who get this step's task, with the separation-of-duty rules applied.

    When every holder of the role must recuse (he filed the matter, or it is about him), the role's
    `substitute` in roles.toml decides instead — at the same unit — and the matter's record says so.
    """
    if unit_id is None and step_spec.role_scope == "matter_unit":
        unit_id = matter.unit_id
    excluded = excluded_people(s, spec, matter)

    def eligible(holders: list[Person]) -> list[Person]:
        return [p for p in holders if p.id not in excluded and (kind not in DECIDING or p.id != matter.initiator_id)]

    everyone = org.holders(s, role, unit_id)
    people = eligible(everyone)
    if people or not everyone:
        if not people:
            raise InvalidInput("no_holder", role=_role_at(s, env, role, unit_id))
        return people
    for substitute in env.policies.policy_set.substitutes_of(role):
        people = eligible(org.holders(s, substitute, unit_id))
        if people:
            reason = message("assign.substituted", role=_role_at(s, env, role, unit_id),
                             substitute=_role_at(s, env, substitute, unit_id))
            audit.append(s, env, None, "task.substituted", "matter", matter.id,
                         {"role": role, "substitute": substitute, "unit_id": unit_id, "reason": reason,
                          "people": [p.username for p in people]}, matter_id=matter.id)
            return people
    raise InvalidInput("no_other_holder", role=_role_at(s, env, role, unit_id))


def _role_at(s: Session, env: Env, role: str, unit_id: int | None) -> str:
    where = s.get(Unit, unit_id).short_name if unit_id is not None else ""
    return where + env.policies.policy_set.role_name(role)


def open_task(s: Session, env: Env, matter: Matter, step: MatterStep, kind: str, role: str, person: Person,
              title: str, requirement: str | None, group: str, due: date | None = None) -> Task:
    due_date = due or step.due_date
    task = Task(matter_id=matter.id, step_id=step.id, round=step.round, kind=kind, requirement=requirement,
                title=title, role=role, assignee_id=person.id, group_key=group, status=TaskStatus.OPEN,
                due_date=due_date, due_provisional=step.due_provisional and due_date == step.due_date,
                created_at=env.now)
    s.add(task)
    s.flush()
    audit.append(s, env, None, "task.opened", "task", task.id,
                 {"assignee": person.username, "kind": kind, "step": step.step_key, "requirement": requirement,
                  "due": due_date}, matter_id=matter.id)
    arrivals.task_assigned(s, env, task, matter, step)      # the assignee is told at once
    return task


def open_group(s: Session, env: Env, matter: Matter, step: MatterStep, kind: str, role: str, people: list[Person],
               title: str, requirement: str | None, due: date | None = None) -> str:
    """Give the same task to several people as one any_of group; return the group key."""
    group = f"{step.id}:{step.round}:{requirement or kind}"
    for person in people:
        open_task(s, env, matter, step, kind, role, person, title, requirement, group, due)
    return group


def countersign_units(s: Session, step_spec: StepSpec) -> list[Unit]:
    """The units whose answer a countersign step needs, in the order the policy names them."""
    if step_spec.unit_kind:
        return list(s.execute(select(Unit).where(Unit.kind == step_spec.unit_kind).order_by(Unit.id)).scalars())
    rows = {u.key: u for u in s.execute(select(Unit).where(Unit.key.in_(step_spec.units))).scalars()}
    missing = [k for k in step_spec.units if k not in rows]
    if missing:
        raise InvalidInput.because("value.units_missing", units=message("value.list_separator").join(missing))
    return [rows[k] for k in step_spec.units]
