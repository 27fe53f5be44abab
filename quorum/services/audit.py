"""Append hash-chained audit events in the caller's transaction, and verify the chain.

Events are keyed with HMAC-SHA256 (quorum.core.audit KEYED). The key is process-wide: every runtime
sets it with `use_settings` (its config.toml's [audit] key_file, whose keyring holds the keys of
earlier rotations); unset, it is read on first use from the default configuration (generated there
when missing).
"""

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import insert, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from quorum.audit_settings import load_keyring
from quorum.core import audit as chain
from quorum.core.audit import Anchor
from quorum.core.messages import message
from quorum.db import AuditEvent, AuditHead
from quorum.services.audit_rederive import mismatches
from quorum.services.env import Env
from quorum.settings import load_settings


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


class _Keys:
    """This process's audit keyring (oldest first, the current key last) and the key file it came from.

    A key file is looked at again before every use: after `quorum audit rotate-key` (which replaces the
    file while it holds the chain's head) every running web worker and flow signs with the new key.
    """

    keys: tuple[bytes, ...] = ()
    file: Path | None = None
    stamp: tuple[int, int] | None = None


def use_key(key: bytes | None) -> None:
    """Set (None: forget) the audit key of this process, a single key not read from a file."""
    _Keys.keys, _Keys.file, _Keys.stamp = ((key,) if key else ()), None, None


def use_key_file(key_file: Path) -> None:
    """Sign with the current key of this key file, and verify with its whole keyring."""
    keys = load_keyring(key_file)            # generates the key on first use, so it can be stamped after
    _Keys.keys, _Keys.file, _Keys.stamp = keys, key_file, _stamp(key_file)


def use_settings(settings) -> None:
    """Sign with the key file of this deployment's config.toml ([audit] key_file): every runtime calls it."""
    use_key_file(settings.audit.key_file)


def _stamp(key_file: Path) -> tuple[int, int] | None:
    try:
        found = os.stat(key_file)
    except OSError:
        return None
    return found.st_ino, found.st_mtime_ns


def keyring() -> tuple[bytes, ...]:
    """Every audit key of this process, oldest first (loaded from the default configuration on first use)."""
    if not _Keys.keys:
        use_key_file(load_settings().audit.key_file)
    elif _Keys.file is not None and _stamp(_Keys.file) not in (_Keys.stamp, None):    # a file gone: keep the key
        use_key_file(_Keys.file)
    return _Keys.keys


def key() -> bytes:
    """The current audit key of this process: new events are signed with it."""
    return keyring()[-1]


_PENDING, _HEAD, _MARKS = "quorum.audit.pending", "quorum.audit.head", "quorum.audit.savepoints"


def chain_pending(s: Session) -> None:
    """Give this transaction's new events their sequence numbers and hashes, and move the head once."""
    pending = s.info.get(_PENDING)
    if not pending:
        return
    s.info[_PENDING] = []
    head = _locked_head(s)
    seq, digest, secret = head.seq, head.hash, key()
    rows = []
    for event in pending:
        seq += 1
        body = _event_body(seq, event.at.isoformat(), event.actor_id, event.kind, event.subject, event.subject_id,
                           event.matter_id, event.payload)
        event.seq, event.prev_hash, event.scheme = seq, digest, chain.KEYED
        event.hash = digest = chain.chain_hash(digest, body, secret)
        rows.append({c: getattr(event, c) for c in _COLUMNS})
    s.execute(insert(AuditEvent.__table__), rows)     # one executemany: the events are never read back here
    head.seq, head.hash = seq, digest


_COLUMNS = ("seq", "at", "actor_id", "kind", "subject", "subject_id", "matter_id", "payload", "prev_hash", "hash",
            "scheme")


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
    mismatches: tuple[str, ...] = ()     # business rows that disagree with the events
    anchors: int = 0                     # anchors checked


def verify(s: Session, anchor_lines: list[str] | None = None) -> Verification:
    """Recompute the whole chain, compare its end with the head row and with the anchors, re-derive ballots."""
    chain_pending(s)
    s.flush()
    keys = keyring()
    anchors, bad_anchor = chain.parse_anchors(anchor_lines or [], keys)
    if bad_anchor:
        return Verification(False, 0, None, bad_anchor.reason)
    anchored = {a.seq for a in anchors}
    hashes: dict[int, str] = {}
    last = (0, chain.GENESIS)

    def events():
        nonlocal last
        for e in s.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars():
            body = _event_body(e.seq, e.at.replace(microsecond=0).isoformat(), e.actor_id, e.kind, e.subject,
                               e.subject_id, e.matter_id, e.payload)
            yield e.seq, e.prev_hash, e.hash, body, e.scheme
            last = (e.seq, e.hash)
            if e.seq in anchored:
                hashes[e.seq] = e.hash

    by_fingerprint = {chain.fingerprint(k): k for k in keys}
    broken = chain.verify(events(), keys[0], by_fingerprint) or chain.check_anchors(anchors, hashes, last[0])
    if broken:
        return Verification(False, last[0], broken.seq, broken.reason, anchors=len(anchors))
    head = s.get(AuditHead, 1)
    if head is not None and (head.seq, head.hash) != last:
        return Verification(False, last[0], last[0] + 1, message("audit.verify_head_mismatch"))
    found = tuple(mismatches(s))
    reason = message("audit_mismatch", detail=message("value.clause_separator").join(found[:3])) if found else ""
    return Verification(not found, last[0], None, reason, found, len(anchors))


def head_anchor(s: Session, at: str) -> Anchor:
    """The chain's current head as an anchor taken at `at`."""
    chain_pending(s)
    head = s.get(AuditHead, 1)
    return Anchor(head.seq, head.hash, at) if head is not None else Anchor(0, chain.GENESIS, at)
