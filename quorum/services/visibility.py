"""Who may see which matter, and the list of matters a person may see.

Personnel matters (cadre appointments and removals and the like) are restricted: only the initiator, the
people who had a task on the matter (or acted on one as a delegate), the delegates acting right now for someone
with an open task on it, the people it was copied to (MatterCopy), the members seated on a meeting that
deliberates it (they decide it, so they read its materials — unless recused from that item), and the roles that
oversee the whole record (administrator, secretariat, discipline inspection) may read them. The rule is one SQL
condition, `visible_condition`, so every list, search and matter URL agree.
"""

import json

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    bindparam,
    false,
    func,
    literal_column,
    or_,
    select,
    union,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from quorum.core.errors import NotFound, NotPermitted
from quorum.core.messages import message
from quorum.core.spec import WorkflowSpec
from quorum.core.states import TaskStatus
from quorum.db import (
    AgendaItem,
    Matter,
    MatterCopy,
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

RESTRICTED = "visibility.personnel_restricted"      # the message key of the refusal


def visible_condition(s: Session, env: Env, person: Person) -> ColumnElement[bool] | None:
    """The condition on Matter a person's view is limited by; None when they see everything (matter.view_all).

    Written as one uncorrelated IN over the union of the person's own rows (what they filed, had a task on,
    gave an opinion on, were copied or seated for), read once per query through indexes that hold the ids
    (migrations 0016–0017): the correlated EXISTS form was evaluated per personnel matter and took seconds
    per search at 100k matters (bench.search).
    """
    if permissions.may(s, env, person, "matter.view_all"):
        return None
    return or_(_not_personnel(), Matter.id.in_(readable_ids(s, env, person)))


def visible_condition_read(s: Session, env: Env, person: Person) -> ColumnElement[bool] | None:
    """visible_condition for a caller that runs several statements with it (a list's total and its page).

    The ids the person is involved in are read here, once, and each statement looks them up as a list bound
    to it, instead of building the union again (a member's search at 100k matters: 25 ms per statement).
    """
    if permissions.may(s, env, person, "matter.view_all"):
        return None
    ids = list(s.execute(readable_ids(s, env, person)).scalars())
    return or_(_not_personnel(), _among(s, Matter.id, ids))


def _not_personnel() -> ColumnElement[bool]:
    """`personnel IS NOT true` (never null). Not `IS false` or `= 0`, which SQLite answers from ix_matter_personnel_id
    in an OR of two index lookups, fetching and sorting most of the table for a page instead of reading it newest
    first (a member's list at 100k matters: 0.14 s against 0 ms); a COUNT still reads that index alone."""
    return Matter.personnel.is_not(True)


def _among(s: Session, column: ColumnElement[int], ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids` with the ids bound as one value, read into a hashed set by the database.

    PostgreSQL: IN (SELECT unnest(array)) — hashed whatever plan the statement cache keeps (= ANY(array) is
    hashed only in a plan made for the array's value). SQLite: IN over json_each of the ids as JSON text.
    """
    if not ids:
        return false()
    if s.get_bind().dialect.name == "sqlite":
        return column.in_(select(literal_column("value")).select_from(func.json_each(json.dumps(ids))))
    return column.in_(select(func.unnest(bindparam(None, ids, type_=ARRAY(Integer)))))


def readable_ids(s: Session, env: Env, person: Person) -> CompoundSelect:
    """The ids of the matters the person is involved in (their personnel matters among them: the rule above)."""
    principals = delegations.principals_of(s, person.id, env.now)
    parts = [select(Matter.id).where(Matter.initiator_id == person.id),
             select(Task.matter_id).where(Task.assignee_id == person.id),
             select(Opinion.matter_id).where(Opinion.author_id == person.id),
             select(MatterCopy.matter_id).where(MatterCopy.person_id == person.id),
             select(AgendaItem.matter_id).where(
                 AgendaItem.meeting_id.in_(select(MeetingMember.meeting_id).where(MeetingMember.person_id == person.id)),
                 AgendaItem.id.not_in(select(Recusal.item_id).where(Recusal.person_id == person.id)))]
    if principals:
        parts.append(select(Task.matter_id).where(Task.assignee_id.in_(principals), Task.status == TaskStatus.OPEN))
    return union(*parts)


def can_view(s: Session, env: Env, person: Person, matter: Matter) -> bool:
    """Return whether the person may read this matter (their principals' open tasks count, for delegates)."""
    if not matter.personnel:
        return True
    condition = visible_condition(s, env, person)
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
    condition = visible_condition(s, env, person)
    return set(s.execute(query if condition is None else query.where(condition)).scalars())


def flag_name(spec: WorkflowSpec, kind: str) -> str:
    """A flag's short name: the label of the flag field it set, or the message table's `flag.<kind>`."""
    field = next((f for f in spec.fields if f.key == kind), None)
    return field.label if field else message(f"flag.{kind}")


def unit_choices(s: Session) -> list[tuple[str, str]]:
    """Every registered unit as (key, name), for the unit selects of the forms."""
    return [(key, name) for key, name in s.execute(select(Unit.key, Unit.name).order_by(Unit.id))]
