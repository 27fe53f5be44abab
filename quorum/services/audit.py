"""Append hash-chained audit events in the caller's transaction, and verify the chain."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import insert, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

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
    """Append one event to this transaction's audit events; they join the chain when it commits.

    The head row is read (and locked) once per transaction, when the events are chained — just before
    the commit, or earlier when the transaction itself reads the audit log — so concurrent writers
    cannot fork the chain and an approval pays one head read and one head update however many
    events it appends. Events appended in a savepoint that rolls back are dropped with it.
    """
    at = env.now.replace(microsecond=0)
    event = AuditEvent(at=at, actor_id=actor_id, kind=kind, subject=subject, subject_id=subject_id,
                       matter_id=matter_id, payload=chain.json_safe(payload or {}))
    s.info.setdefault(_PENDING, []).append(event)
    return event


_PENDING, _HEAD, _MARKS = "quorum.audit.pending", "quorum.audit.head", "quorum.audit.savepoints"


def chain_pending(s: Session) -> None:
    """Give this transaction's new events their sequence numbers and hashes, and move the head once."""
    pending = s.info.get(_PENDING)
    if not pending:
        return
    s.info[_PENDING] = []
    head = _locked_head(s)
    seq, digest = head.seq, head.hash
    rows = []
    for event in pending:
        seq += 1
        body = _event_body(seq, event.at.isoformat(), event.actor_id, event.kind, event.subject, event.subject_id,
                           event.matter_id, event.payload)
        event.seq, event.prev_hash = seq, digest
        event.hash = digest = chain.chain_hash(digest, body)
        rows.append({c: getattr(event, c) for c in _COLUMNS})
    s.execute(insert(AuditEvent.__table__), rows)     # one executemany: the events are never read back here
    head.seq, head.hash = seq, digest


_COLUMNS = ("seq", "at", "actor_id", "kind", "subject", "subject_id", "matter_id", "payload", "prev_hash", "hash")


def _locked_head(s: Session) -> AuditHead:
    head = s.info.get(_HEAD)
    if head is not None and head in s:
        return head
    head = s.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=1, seq=0, hash=chain.GENESIS)
        s.add(head)
    s.info[_HEAD] = head
    return head


@orm_events.listens_for(Session, "before_commit")
def _chain_before_commit(s: Session) -> None:
    if not s.in_nested_transaction():
        chain_pending(s)


@orm_events.listens_for(Session, "do_orm_execute")
def _chain_before_reading_the_log(state: ORMExecuteState) -> None:
    """A transaction that reads the audit log sees its own events, as it did when each was flushed at once."""
    s = state.session
    if state.is_select and s.info.get(_PENDING) and not s.in_nested_transaction() \
            and any(m.class_ in (AuditEvent, AuditHead) for m in state.all_mappers):
        chain_pending(s)


@orm_events.listens_for(Session, "after_transaction_create")
def _mark_savepoint(s: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        s.info.setdefault(_MARKS, {})[transaction] = len(s.info.get(_PENDING, ()))


@orm_events.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(s: Session, transaction: SessionTransaction) -> None:
    mark = s.info.get(_MARKS, {}).pop(transaction, None)
    if transaction.nested and mark is not None:
        del s.info.get(_PENDING, [])[mark:]


@orm_events.listens_for(Session, "after_transaction_end")
def _forget(s: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:            # a savepoint's mark is dropped by its rollback or here
        for key in (_PENDING, _HEAD, _MARKS):
            s.info.pop(key, None)


@dataclass(frozen=True)
class Verification:
    ok: bool
    count: int
    first_bad_seq: int | None
    reason: str


def verify(s: Session) -> Verification:
    """Recompute the whole chain and compare its end with the head row."""
    chain_pending(s)
    s.flush()
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
