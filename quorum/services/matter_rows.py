"""Reading and locking a matter's rows — what every module of the engine needs before it decides.

Below the engine (quorum.services.matters) in the import graph: the step kinds, the reminders and
the validity rules read a matter through here without importing the engine that drives them.
"""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from quorum.core.errors import NotFound
from quorum.core.messages import message
from quorum.core.spec import StepSpec, WorkflowSpec
from quorum.core.states import TaskStatus
from quorum.db import Matter, MatterStep, Person, Task
from quorum.services import delegations
from quorum.services.policies import policy_set_for


def locked(s: Session, model: type, ident: int, what: str) -> Any:
    """Load a row for update (a row lock on PostgreSQL; SQLite writers are already serialised)."""
    row = s.execute(select(model).where(model.id == ident).with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound(what=what, ref=ident)
    return row


def locked_task(s: Session, task_id: int) -> tuple[Task, Matter, list[Task]]:
    """Lock a task, its matter and the other open tasks of its step's round — one statement.

    The others decide what an answer closes (its any_of group) and whether the step is complete.
    """
    this = aliased(Task)
    step_id = select(this.step_id).where(this.id == task_id).scalar_subquery()
    round_ = select(this.round).where(this.id == task_id).scalar_subquery()
    rows = s.execute(select(Task, Matter).join(Matter, Matter.id == Task.matter_id)
                     .where(or_(Task.id == task_id, and_(Task.step_id == step_id, Task.round == round_,
                                                         Task.status == TaskStatus.OPEN)))
                     .order_by(Task.id).with_for_update()).all()
    task = next((t for t, _m in rows if t.id == task_id), None)
    if task is None:
        raise NotFound(what=message("state.what_task"), ref=task_id)
    return task, rows[0][1], [t for t, _m in rows if t.id != task_id]


def workflow_of(s: Session, matter: Matter) -> WorkflowSpec:
    return policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)


def values_of(spec: WorkflowSpec, matter: Matter) -> dict[str, Any]:
    """Return the matter's stored field values in their typed form (money back to Decimal)."""
    values = dict(matter.fields)
    for field in spec.fields:
        raw = values.get(field.key)
        if raw is None:
            continue
        if field.type == "money":
            values[field.key] = Decimal(raw)
        elif field.type == "date":
            values[field.key] = date.fromisoformat(raw)
    return values


def get(s: Session, matter_id: int) -> Matter:
    matter = s.get(Matter, matter_id)
    if matter is None:
        raise NotFound(what=message("state.what_matter"), ref=matter_id)
    return matter


def open_tasks(s: Session, person: Person, now=None) -> list[Task]:
    """Open tasks of the person and, with `now`, of everyone they are delegate for; due first."""
    people = {person.id, *(delegations.principals_of(s, person.id, now) if now is not None else ())}
    query = (select(Task).where(Task.assignee_id.in_(people), Task.status == TaskStatus.OPEN)
             .order_by(Task.due_date.is_(None), Task.due_date, Task.id))
    return list(s.execute(query).scalars())


def current(matter: Matter) -> MatterStep | None:
    return next((st for st in matter.steps if st.step_key == matter.current_step), None)


def step_spec(s: Session, matter: Matter, key: str) -> StepSpec:
    return workflow_of(s, matter).step(key)
