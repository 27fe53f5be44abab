"""The audit chain: each event's hash covers the previous hash and the event's canonical JSON.

Events written before the chain was keyed carry scheme "sha256" (plain SHA-256); later events carry
"hmac-sha256": HMAC-SHA256 with a key kept outside the database, so a writer of the database alone
cannot extend the chain. Once a keyed event appears, an unkeyed one after it is a forgery.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from quorum.core.messages import message

GENESIS = "0" * 64
PLAIN, KEYED = "sha256", "hmac-sha256"
ROTATED = "audit.key_rotated"       # signed with the old key, names the new key's fingerprint


def fingerprint(key: bytes) -> str:
    """A key's public name: the first 16 hex digits of its SHA-256 (the key cannot be derived from it)."""
    return hashlib.sha256(key).hexdigest()[:16]


def _default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    raise TypeError(f"not serialisable: {type(value).__name__}")


def json_safe(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return data with dates, Decimals and sets turned into JSON values, as they will be stored."""
    return json.loads(canonical_json(data))


def canonical_json(data: Mapping[str, Any]) -> str:
    """Serialise with sorted keys and no whitespace, so the same event always hashes the same."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default)


def chain_hash(prev_hash: str, event: Mapping[str, Any], key: bytes | None = None) -> str:
    """SHA-256 of prev_hash + the event without a key (old events); HMAC-SHA256 with one."""
    data = (prev_hash + canonical_json(event)).encode("utf-8")
    if key is None:
        return hashlib.sha256(data).hexdigest()
    return hmac.new(key, data, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(events: Iterable[tuple], key: bytes | None = None, keyring: Mapping[str, bytes] | None = None
           ) -> Break | None:
    """Recompute the chain over (seq, prev_hash, hash, event[, scheme]) rows in seq order; return the first break.

    A row without a scheme is an unkeyed ("sha256") event. `key` signed the first keyed event; after a
    verified ROTATED event the chain goes on with the keyring's key of the fingerprint that event names,
    so whoever holds only a later key can neither rewrite nor re-sign what came before it.
    """
    expected_prev = GENESIS
    expected_seq = 1
    keyed, rotated_to = False, ""
    for seq, prev_hash, stored_hash, event, *rest in events:
        scheme = rest[0] if rest else PLAIN
        if rotated_to and key is None:
            return Break(seq, message("security.audit_key_missing", seq=seq - 1, fingerprint=rotated_to))
        if seq != expected_seq:
            return Break(expected_seq, message("audit.event_missing", expected=expected_seq, seq=seq))
        if prev_hash != expected_prev:
            return Break(seq, message("audit.prev_hash_mismatch"))
        if scheme not in (PLAIN, KEYED) or (keyed and scheme == PLAIN):
            return Break(seq, message("audit.event_unsigned"))
        keyed = scheme == KEYED
        if keyed and key is None:
            return Break(seq, message("audit.key_missing"))
        if not hmac.compare_digest(chain_hash(prev_hash, event, key if keyed else None), stored_hash):
            return Break(seq, message("audit.event_tampered"))
        if keyed and event.get("kind") == ROTATED:
            rotated_to = str((event.get("payload") or {}).get("fingerprint"))
            key = (keyring or {}).get(rotated_to)
        expected_prev = stored_hash
        expected_seq += 1
    return None


@dataclass(frozen=True)
class Anchor:
    """The chain's head at a moment, written outside the database: seq, hash, time."""

    seq: int
    hash: str
    at: str


def anchor_line(anchor: Anchor, key: bytes) -> str:
    """One JSON line: the anchor and an HMAC of it, so a changed anchor file is noticed too."""
    body = {"seq": anchor.seq, "hash": anchor.hash, "at": anchor.at}
    mac = hmac.new(key, canonical_json(body).encode("utf-8"), hashlib.sha256).hexdigest()
    return canonical_json({**body, "mac": mac})


def parse_anchors(lines: Iterable[str], key: bytes | Iterable[bytes]) -> tuple[list[Anchor], Break | None]:
    """Read anchor lines; a line not signed by the key (or a key of the keyring) is a break naming its line."""
    keys = [key] if isinstance(key, bytes) else list(key)
    anchors: list[Anchor] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            anchor = Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]))
            good = any(hmac.compare_digest(anchor_line(anchor, k), canonical_json(data)) for k in keys)
        except (ValueError, KeyError, TypeError):
            good = False
        if not good:
            return anchors, Break(0, message("audit.anchor_line_bad", number=number))
        anchors.append(anchor)
    return anchors, None


def check_anchors(anchors: Iterable[Anchor], hashes: Mapping[int, str], last_seq: int) -> Break | None:
    """Compare the chain (hashes at the anchored seqs, its last seq) with every anchor."""
    for anchor in anchors:
        if anchor.seq > last_seq:
            return Break(last_seq + 1, message("audit.chain_truncated", last_seq=last_seq, seq=anchor.seq, at=anchor.at))
        if anchor.seq and hashes.get(anchor.seq) != anchor.hash:
            return Break(anchor.seq, message("audit.anchor_mismatch", at=anchor.at))
    return None
