"""The audit chain: each event's hash covers the previous hash and the event's canonical JSON."""

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


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


def chain_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(event)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Break:
    seq: int
    reason: str


def verify(events: Iterable[tuple[int, str, str, Mapping[str, Any]]]) -> Break | None:
    """Recompute the chain over (seq, prev_hash, hash, event) rows in seq order; return the first break."""
    expected_prev = GENESIS
    expected_seq = 1
    for seq, prev_hash, stored_hash, event in events:
        if seq != expected_seq:
            return Break(expected_seq, f"缺少第{expected_seq}条事件（下一条为第{seq}条），疑似被删除")
        if prev_hash != expected_prev:
            return Break(seq, "前一事件哈希不符，链条被改动")
        if chain_hash(prev_hash, event) != stored_hash:
            return Break(seq, "事件内容与哈希不符，记录被篡改")
        expected_prev = stored_hash
        expected_seq += 1
    return None
