"""Refused actions, recorded for discipline inspection: who tried what, on what, through which entry point, and why not.

An entry point (web page, API, command line) records a refusal after the refused unit of work has rolled back,
in a transaction of its own, so the record survives the refusal. The record is an audit event
(`access.refused`) in the hash chain. It names no matter (so it never appears on a matter's timeline, which the
refused person may read) and is listed only to those granted `audit.inspect`.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quorum.core.errors import NotPermitted
from quorum.core.messages import message
from quorum.db import AuditEvent, Person
from quorum.services import audit, permissions
from quorum.services.env import Env

KIND = "access.refused"
CHANNELS = ("web", "api", "cli")
log = logging.getLogger(__name__)


def what_was_tried(error: NotPermitted) -> str:
    """The action key of a refusal: the permission asked, else the reason's message key, else the error's."""
    return error.action or error.reason_key or error.key


def record(sessions: sessionmaker | Callable[[], Session], env: Env, actor_id: int | None, error: NotPermitted,
           channel: str, where: str = "") -> None:
    """Append the refusal to the audit chain in its own transaction; never let a failure here hide the refusal."""
    payload = {"action": what_was_tried(error), "reason": str(error), "channel": channel, "where": where[:300]}
    try:
        with sessions() as s, s.begin():
            audit.append(s, env, actor_id, KIND, error.subject or "request", error.subject_id, payload)
    except Exception:                       # the refusal itself is what the user must see
        log.exception("could not record a refused action: %s", payload)


@dataclass(frozen=True)
class Refusal:
    """One refused attempt, as discipline inspection reads it."""

    seq: int
    at: datetime
    actor: str
    action: str          # what was tried, as people say it (never a key)
    reason: str
    channel: str
    where: str
    subject: str
    subject_id: int | None
    actor_username: str | None = None    # beside the name, for JSON output (never shown on a page)


def listing(s: Session, env: Env, actor: Person, since: datetime | None = None, limit: int = 200) -> list[Refusal]:
    """The newest refused attempts (most recent first), for those granted `audit.inspect`."""
    permissions.require(s, env, actor, "audit.inspect", subject="audit")
    query = (select(AuditEvent, Person.name, Person.username).outerjoin(Person, Person.id == AuditEvent.actor_id)
             .where(AuditEvent.kind == KIND).order_by(AuditEvent.seq.desc()).limit(max(1, min(limit, 1000))))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return [_refusal(env, event, name, username) for event, name, username in s.execute(query)]


def _refusal(env: Env, event: AuditEvent, name: str | None, username: str | None = None) -> Refusal:
    payload = event.payload or {}
    channel = payload.get("channel", "")
    grant = env.policies.permissions.grants.get(payload.get("action", ""))
    return Refusal(seq=event.seq, at=event.at, actor=name or message("system_author"),
                   action=grant.name if grant is not None else message("refusal.other_action"),
                   reason=payload.get("reason", ""),
                   channel=message(f"refusal.channel.{channel}") if channel in CHANNELS else channel,
                   where=payload.get("where", ""), subject=event.subject, subject_id=event.subject_id,
                   actor_username=username)
