"""Ask policies/permissions.toml whether a person may act: the one check behind buttons, API, CLI and services.

A service works out the actor's Standing toward the object (roles anywhere, roles at the object's units, relations)
and asks `may` (for a button) or `require` (before acting). A refusal raised by `require` carries the action and the
object, so the entry point that records refusals for 纪检监察 (quorum.services.refusals) can say what was tried.
"""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from quorum.core.errors import NotPermitted
from quorum.core.messages import message
from quorum.core.permissions import Grant, Standing, allows, holders_named
from quorum.db import Person, Post, Unit
from quorum.services import org
from quorum.services.env import Env

POSTS_KEY = "quorum.permissions.posts"


def posts_of(s: Session, person_id: int) -> frozenset[tuple[str, int]]:
    """(role, unit id) of a person's active posts, asked once per person and transaction."""
    known = s.info.setdefault(POSTS_KEY, {})
    if person_id not in known:
        rows = s.execute(select(Post.role, Post.unit_id).where(Post.person_id == person_id, Post.active.is_(True)))
        known[person_id] = frozenset((role, unit_id) for role, unit_id in rows)
    return known[person_id]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget_posts(s: Session, *_args: Any) -> None:
    """Posts may have changed: they are asked again."""
    s.info.pop(POSTS_KEY, None)


def standing(s: Session, person_id: int, units: Iterable[int | None] = (),
             relations: Iterable[str] = ()) -> Standing:
    """The actor's standing toward an object concerning `units`, with the relations the caller established."""
    units = {u for u in units if u is not None}
    posts = posts_of(s, person_id)
    return Standing(roles=frozenset(org.roles_of(s, person_id)),
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
    """Mark a refusal with what was tried and on what, for the record 纪检监察 reads."""
    error.action, error.subject, error.subject_id = action, subject, subject_id
    return error


def holders(s: Session, env: Env, action: str, unit_id: int | None = None) -> list[Person]:
    """The active people whom the action's roles grant it (at `unit_id` for unit roles), e.g. to notify them."""
    found = grant(env, action)
    people = [p for role in sorted(found.roles) for p in org.holders(s, role)]
    if unit_id is not None:
        people += [p for role in sorted(found.unit_roles) for p in org.holders(s, role, unit_id)]
    return list(dict.fromkeys(people))
