"""Ask policies/permissions.toml whether a person may act: the one check behind buttons, API, CLI and services.

A service works out the actor's Standing toward the object (roles anywhere, roles at the object's units, relations)
and asks `may` (for a button) or `require` (before acting). A refusal raised by `require` carries the action and the
object, so the entry point that records refusals for discipline inspection (quorum.services.refusals) can say what
was tried.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.errors import NotPermitted
from quorum.core.messages import message
from quorum.core.permissions import Grant, Standing, allows, holders_named
from quorum.db import Person, Unit
from quorum.services import org
from quorum.services.env import Env


def standing(s: Session, person_id: int, units: Iterable[int | None] = (),
             relations: Iterable[str] = ()) -> Standing:
    """The actor's standing toward an object concerning `units`, with the relations the caller established."""
    units = {u for u in units if u is not None}
    posts = org.posts_of(s, person_id)
    return Standing(roles=frozenset(role for role, _unit_id in posts),
                    unit_roles=frozenset(role for role, unit_id in posts if unit_id in units),
                    relations=frozenset(relations))


def grant(env: Env, action: str) -> Grant:
    return env.policies.permissions.grant(action)


def may(s: Session, env: Env, actor: Person, action: str, units: Iterable[int | None] = (),
        relations: Iterable[str] = ()) -> bool:
    """Whether the actor may take `action` on an object concerning `units` (for buttons and lists)."""
    return allows(grant(env, action), standing(s, actor.id, units, relations))


def require(s: Session, env: Env, actor: Person, action: str, units: Iterable[int | None] = (),
            relations: Iterable[str] = (), subject: str = "", subject_id: int | None = None) -> None:
    """Refuse (NotPermitted, naming who may) unless the actor may take `action`; the refusal names the object."""
    units = [u for u in units if u is not None]
    found = grant(env, action)
    if allows(found, standing(s, actor.id, units, relations)):
        return
    holders = holders_named(found, env.policies.policy_set.role_name)
    if found.unit_roles and units:
        names = message("value.list_separator").join(
            s.scalars(select(Unit.short_name).where(Unit.id.in_(units)).order_by(Unit.id)))
        error = NotPermitted.because("permission.refused_here", holders=holders, name=found.name, units=names)
    else:
        error = NotPermitted.because("permission.refused", holders=holders, name=found.name)
    raise refusal(error, action, subject, subject_id)


def refusal(error: NotPermitted, action: str, subject: str = "", subject_id: int | None = None) -> NotPermitted:
    """Mark a refusal with what was tried and on what, for the record discipline inspection reads."""
    error.action, error.subject, error.subject_id = action, subject, subject_id
    return error

