"""Who may see which matter, and the list of matters a person may see.

Personnel matters (cadre appointments and removals and the like) are restricted: only the initiator, the
people who had a task on the matter (or acted on one as a delegate), the delegates acting right now for someone
with an open task on it, the people it was copied to (MatterCopy), the members seated on a meeting that
deliberates it (they decide it, so they read its materials — unless recused from that item), and the roles that
oversee the whole record (administrator, secretariat, discipline inspection) may read them. The rule is one SQL
condition, `_visible`, so the list and every matter URL agree.
"""

from typing import Any

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session

from quorum.core.errors import NotFound, NotPermitted
from quorum.core.messages import message
from quorum.core.spec import WorkflowSpec
from quorum.core.states import TaskStatus
from quorum.db import (
    AgendaItem,
    Matter,
    MatterCopy,
    MatterFlag,
    MeetingMember,
    Opinion,
    Person,
    PublicityObjection,
    Recusal,
    Task,
    Unit,
)
from quorum.services import delegations, org, permissions
from quorum.services.env import Env
from quorum.services.policies import policy_set_for

RESTRICTED = "visibility.personnel_restricted"      # the message key of the refusal


def _visible(s: Session, env: Env, person: Person) -> ColumnElement[bool] | None:
    """The condition on Matter a person's view is limited by; None when they see everything (matter.view_all)."""
    if permissions.may(s, env, person, "matter.view_all"):
        return None
    principals = delegations.principals_of(s, person.id, env.now)
    had_task = exists().where(Task.matter_id == Matter.id, or_(
        Task.assignee_id == person.id,
        Task.assignee_id.in_(principals) & (Task.status == TaskStatus.OPEN)))
    acted = exists().where(Opinion.matter_id == Matter.id, Opinion.author_id == person.id)
    copied = exists().where(MatterCopy.matter_id == Matter.id, MatterCopy.person_id == person.id)
    seated = Matter.id.in_(                        # uncorrelated: one pass over the person's seats, not one per matter
        select(AgendaItem.matter_id).join(MeetingMember, MeetingMember.meeting_id == AgendaItem.meeting_id)
        .where(MeetingMember.person_id == person.id,
               ~exists().where(Recusal.item_id == AgendaItem.id, Recusal.person_id == person.id)))
    return or_(Matter.personnel.is_(False), Matter.initiator_id == person.id, had_task, acted, copied, seated)


def can_view(s: Session, env: Env, person: Person, matter: Matter) -> bool:
    """Return whether the person may read this matter (their principals' open tasks count, for delegates)."""
    if not matter.personnel:
        return True
    condition = _visible(s, env, person)
    if condition is None:
        return True
    return s.execute(select(Matter.id).where(Matter.id == matter.id, condition)).first() is not None


def require_view(s: Session, env: Env, person: Person, matter_id: int) -> Matter:
    """Load a matter the person may read, or refuse."""
    matter = s.get(Matter, matter_id)
    if matter is None:
        raise NotFound(what=message("state.what_matter"), ref=matter_id)
    if not can_view(s, env, person, matter):
        raise permissions.refusal(NotPermitted.because(RESTRICTED), "matter.view_all", "matter", matter.id)
    return matter


def require_task(s: Session, env: Env, person: Person, matter_id: int, task_id: int) -> Task:
    """Load a task of this matter, the matter being one the person may read."""
    require_view(s, env, person, matter_id)
    task = s.get(Task, task_id)
    if task is None or task.matter_id != matter_id:
        raise NotFound(what=message("state.what_task"), ref=task_id)
    return task


def require_objection(s: Session, env: Env, person: Person, matter_id: int,
                      objection_id: int) -> PublicityObjection:
    """Load a publicity objection of this matter, the matter being one the person may read."""
    require_view(s, env, person, matter_id)
    row = s.get(PublicityObjection, objection_id)
    if row is None or row.matter_id != matter_id:
        raise NotFound(what=message("publicity.what_objection"), ref=objection_id)
    return row


def may_file(s: Session, person: Person, spec: WorkflowSpec) -> bool:
    """Return whether the person holds one of the workflow's initiator roles (as matters.submit checks)."""
    return not spec.initiator_roles or org.holds_any(s, person.id, spec.initiator_roles)


def visible_ids(s: Session, env: Env, person: Person, ids: set[int]) -> set[int]:
    """Return those of the matter ids the person may read."""
    if not ids:
        return set()
    query = select(Matter.id).where(Matter.id.in_(ids))
    condition = _visible(s, env, person)
    return set(s.execute(query if condition is None else query.where(condition)).scalars())


def visible_matters(s: Session, env: Env, person: Person, *, workflow: str | None = None,
                    status: str | None = None, category: str | None = None, limit: int = 200,
                    offset: int = 0) -> list[dict[str, Any]]:
    """The matters the person may see, newest first, as plain rows for a list page."""
    query = select(Matter).order_by(Matter.created_at.desc(), Matter.id.desc()).limit(limit).offset(offset)
    condition = _visible(s, env, person)
    if condition is not None:
        query = query.where(condition)
    for column, value in ((Matter.workflow_key, workflow), (Matter.status, status), (Matter.category, category)):
        if value:
            query = query.where(column == value)
    units = dict(s.execute(select(Unit.id, Unit.name)).all())
    names = dict(s.execute(select(Person.id, Person.name)).all())
    workflows: dict[tuple[int, str], WorkflowSpec] = {}
    rows = []
    found = list(s.execute(query).scalars())
    flags = _flag_kinds(s, [m.id for m in found])
    for matter in found:
        ref = (matter.policy_version_id, matter.workflow_key)
        if ref not in workflows:
            workflows[ref] = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
        step = next((st for st in matter.steps if st.step_key == matter.current_step), None)
        category_name = _category_name(workflows[ref], matter.category)
        rows.append({"id": matter.id, "title": matter.title, "workflow": matter.workflow_key,
                     "workflow_name": workflows[ref].name, "status": matter.status,
                     "status_name": message(f"status.{matter.status}"), "current_step": matter.current_step,
                     "current_step_name": step.name if step else None,
                     "unit": units.get(matter.unit_id), "category": matter.category, "category_name": category_name,
                     "initiator": names.get(matter.initiator_id),
                     "personnel": matter.personnel, "urgent": matter.urgent, "created_at": matter.created_at,
                     "updated_at": matter.updated_at, "flags": flags.get(matter.id, []),
                     "flag_names": [flag_name(workflows[ref], k) for k in flags.get(matter.id, [])]})
    return rows


def _flag_kinds(s: Session, ids: list[int]) -> dict[int, list[str]]:
    """The kinds of warning flags (MatterFlag) raised on each matter, oldest first, each once."""
    out: dict[int, list[str]] = {}
    if ids:
        rows = s.execute(select(MatterFlag.matter_id, MatterFlag.kind).where(MatterFlag.matter_id.in_(ids))
                         .order_by(MatterFlag.id))
        for matter_id, kind in rows:
            kinds = out.setdefault(matter_id, [])
            if kind not in kinds:
                kinds.append(kind)
    return out


def flag_name(spec: WorkflowSpec, kind: str) -> str:
    """A flag's short name: the label of the flag field it set, or the message table's `flag.<kind>`."""
    field = next((f for f in spec.fields if f.key == kind), None)
    return field.label if field else message(f"flag.{kind}")


def _category_name(spec: WorkflowSpec, category: str | None) -> str | None:
    if category is None:
        return None
    field = next((f for f in spec.fields if f.key == "category"), None)
    return field.choice_label(category) if field else category


def unit_choices(s: Session) -> list[tuple[str, str]]:
    """Every registered unit as (key, name), for the unit selects of the forms."""
    return [(key, name) for key, name in s.execute(select(Unit.key, Unit.name).order_by(Unit.id))]
