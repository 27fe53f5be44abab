"""Delegation: a person away names a delegate who may act on their tasks for a period, "on behalf of X"."""

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.db import Delegation, Person
from quorum.services import audit, permissions

PRINCIPALS = "quorum.delegations.principals"     # Session.info key of principals_of's answers


def create(s: Session, env, actor: Person, principal: Person, delegate: Person, starts: datetime,
           ends: datetime, reason: str) -> Delegation:
    """Record a delegation; a person sets their own, an administrator anyone's."""
    permissions.require(s, env, actor, "delegation.manage", relations={"owner"} if actor.id == principal.id else (),
                        subject="person", subject_id=principal.id)
    if delegate.id == principal.id:
        raise InvalidInput.because("delegation.to_self")
    if ends <= starts:
        raise InvalidInput.because("delegation.ends_before_start")
    if not reason.strip():
        raise InvalidInput.because("delegation.reason_missing")
    row = Delegation(principal_id=principal.id, delegate_id=delegate.id, starts=starts, ends=ends,
                     reason=reason.strip(), active=True, created_by_id=actor.id, created_at=env.now)
    s.add(row)
    s.flush()
    s.info.pop(PRINCIPALS, None)
    audit.append(s, env, actor.id, "delegation.created", "delegation", row.id,
                 {"principal": principal.username, "delegate": delegate.username, "starts": starts, "ends": ends,
                  "reason": reason})
    return row


def cancel(s: Session, env, actor: Person, delegation_id: int) -> Delegation:
    row = s.execute(select(Delegation).where(Delegation.id == delegation_id).with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound(what=message("delegation.what"), ref=delegation_id)
    permissions.require(s, env, actor, "delegation.manage", relations={"owner"} if actor.id == row.principal_id else (),
                        subject="delegation", subject_id=row.id)
    if not row.active:
        raise InvalidInput.because("delegation.already_cancelled")
    if row.ends <= env.now:
        raise InvalidInput.because("delegation.already_ended")
    row.active = False
    s.info.pop(PRINCIPALS, None)
    audit.append(s, env, actor.id, "delegation.cancelled", "delegation", row.id, {})
    return row


def principals_of(s: Session, delegate_id: int, now: datetime) -> frozenset[int]:
    """Return the people whose tasks this person may act on right now.

    Remembered for the transaction, which may ask it for a page, each of its tasks and each document
    alike; create and cancel forget it.
    """
    transaction, known = s.info.get(PRINCIPALS, (None, {}))
    if transaction is not s.get_transaction():
        known = {}
        s.info[PRINCIPALS] = (s.get_transaction(), known)
    if (delegate_id, now) not in known:
        known[delegate_id, now] = frozenset(s.execute(principals_query(delegate_id, now)).scalars())
    return known[delegate_id, now]


def principals_query(delegate_id: int, now: datetime) -> Select:
    """principals_of as a query, to use as a subquery (the counts of "my tasks" in one statement)."""
    return select(Delegation.principal_id).where(
        Delegation.delegate_id == delegate_id, Delegation.active.is_(True),
        Delegation.starts <= now, Delegation.ends > now)


def listing(s: Session, person_id: int | None = None) -> list[Delegation]:
    query = select(Delegation).order_by(Delegation.starts.desc())
    if person_id is not None:
        query = query.where((Delegation.principal_id == person_id) | (Delegation.delegate_id == person_id))
    return list(s.execute(query).scalars())


def rows_for(s: Session, person: Person, now: datetime) -> list[dict]:
    """The person's delegations either way round, with names and whether each is in force now."""
    out = []
    for d in listing(s, person.id):
        principal, delegate = s.get(Person, d.principal_id), s.get(Person, d.delegate_id)
        out.append({"id": d.id, "principal": principal.name, "delegate": delegate.name, "starts": d.starts,
                    "ends": d.ends, "reason": d.reason, "active": d.active, "mine": d.principal_id == person.id,
                    "in_force": d.active and d.starts <= now < d.ends, "expired": d.ends <= now})
    return out
