"""Append hash-chained audit events in the caller's transaction, and verify the chain."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import audit as chain
from quorum.core.errors import NotPermitted
from quorum.db import AuditEvent, AuditHead
from quorum.services.env import Env


def _event_body(seq: int, at: Any, actor_id: int | None, kind: str, subject: str, subject_id: int | None,
                matter_id: int | None, payload: dict[str, Any]) -> dict[str, Any]:
    return {"seq": seq, "at": at, "actor_id": actor_id, "kind": kind, "subject": subject,
            "subject_id": subject_id, "matter_id": matter_id, "payload": payload}


def append(s: Session, env: Env, actor_id: int | None, kind: str, subject: str, subject_id: int | None,
           payload: dict[str, Any] | None = None, matter_id: int | None = None) -> AuditEvent:
    """Append one event; the head row is locked so concurrent writers cannot fork the chain."""
    payload = chain.json_safe(payload or {})
    head = s.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=chain.GENESIS)
        s.add(head)
    seq = head.seq + 1
    at = env.now.replace(microsecond=0)
    body = _event_body(seq, at.isoformat(), actor_id, kind, subject, subject_id, matter_id, payload)
    digest = chain.chain_hash(head.hash, body)
    event = AuditEvent(seq=seq, at=at, actor_id=actor_id, kind=kind, subject=subject, subject_id=subject_id,
                       matter_id=matter_id, payload=payload, prev_hash=head.hash, hash=digest)
    s.add(event)
    head.seq, head.hash = seq, digest
    s.flush()
    return event


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    first_bad_seq: int | None
    reason: str


def verify(s: Session) -> Verification:
    """Recompute the whole chain and compare its end with the head row."""
    last = (0, chain.GENESIS)

    def events():
        nonlocal last
        for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
            body = _event_body(e.seq, e.at.replace(microsecond=0).isoformat(), e.actor_id, e.kind, e.subject,
                               e.subject_id, e.matter_id, e.payload)
            yield e.seq, e.prev_hash, e.hash, body
            last = (e.seq, e.hash)

    broken = chain.verify(events())
    if broken:
        return Verification(False, last[0], broken.seq, broken.reason)
    head = s.get(AuditHead, 1)
    if head is not None and (head.seq, head.hash) != last:
        return Verification(False, last[0], last[0] + 1, "末尾事件缺失或被改动（与链头记录不符）")
    return Verification(True, last[0], None, "")


AUDITORS = ("discipline_inspector", "administrator")


def require_auditor(s: Session, person) -> None:
    """Only 纪检监察 and administrators verify the chain on request (the scheduler does it nightly)."""
    from quorum.services import org
    if not org.holds_any(s, person.id, AUDITORS):
        raise NotPermitted(reason="只有纪检监察室或系统管理员可以核验审计链")
