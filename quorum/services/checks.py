"""Checks made when a matter is filed: the people it names, split_evasion, and repeated use of a path.

`derive` returns the system values routing needs (the amount that decides, the flags) plus the
sentences that explain them; `write_flags` stores a MatterFlag on every matter involved — the new
request and each earlier one it was summed with — so all of them show the warning — and the matter's
match keys (MatterMatchKey), by which later requests find it without reading the unit's history.
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, or_, select
from sqlalchemy.orm import Session

from quorum.calendar import TZ, add_months
from quorum.core import money
from quorum.core.errors import InvalidInput, NotPermitted
from quorum.core.messages import message
from quorum.core.routing import FieldFormatter, format_money
from quorum.core.spec import WorkflowSpec
from quorum.core.states import MatterStatus
from quorum.db import Matter, MatterFlag, MatterMatchKey, Person
from quorum.services import audit
from quorum.services.env import Env

COUNTED = (MatterStatus.ACTIVE, MatterStatus.CLOSED)


@dataclass
class Derived:
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    flags: list[tuple[str, str, dict[str, Any], list[int]]] = field(default_factory=list)  # kind, text, data, others
    match_keys: dict[str, str] | None = None   # field -> stored key; None: the workflow has no 拆分规避 rule
    refiled: bool = False                      # a resubmit: the matter's earlier keys are replaced


def people_in_fields(s: Session, spec: WorkflowSpec, values: Mapping[str, Any], actor: Person) -> None:
    """Every person a field names must exist; the nominator is never the nominee."""
    for f in spec.fields:
        if f.type not in ("person", "people") or not values.get(f.key):
            continue
        names = values[f.key] if f.type == "people" else [values[f.key]]
        found = set(s.execute(select(Person.username).where(Person.username.in_(names))).scalars())
        missing = [n for n in names if n not in found]
        if missing:
            raise InvalidInput.because("value.people_missing", label=f.label, names=message("value.list_separator").join(missing))
        if f.not_initiator and actor.username in names:
            raise NotPermitted("nominator_is_nominee", field=f.label)


def derive(s: Session, env: Env, spec: WorkflowSpec, values: Mapping[str, Any], unit_id: int | None,
           initiator: Person, matter_id: int | None = None) -> Derived:
    out = Derived(refiled=matter_id is not None)
    if spec.rules.split_evasion is not None:
        _split(s, env, spec, values, unit_id, matter_id, out)
    if spec.rules.repeat_watch is not None:
        _repeat(s, env, spec, initiator, matter_id, out)
    return out


def _window_start(env: Env, months: int) -> datetime:
    return datetime.combine(add_months(env.now.date(), -months), time(0), tzinfo=TZ)


def _split(s: Session, env: Env, spec: WorkflowSpec, values: Mapping[str, Any], unit_id: int | None,
           matter_id: int | None, out: Derived) -> None:
    rule = spec.rules.split_evasion
    labels = {f.key: f.label for f in spec.fields}
    wanted = {name: money.match_key(values.get(name)) for name in rule.match_fields if values.get(name)}
    out.match_keys = {name: stored_key(key) for name, key in wanted.items()}
    own = money.basis_amount(rule, values, labels)
    if own is None:
        return
    out.values[rule.target] = own
    if unit_id is None or not wanted:
        return
    related = []
    for other_id, title, stored in s.execute(_related_query(spec, unit_id, out.match_keys,
                                                            _window_start(env, rule.window_months), matter_id)):
        shared = [labels[n] for n, key in wanted.items() if money.match_key(stored.get(n)) == key]
        amount = money.basis_amount(rule, _typed(spec, stored), labels) if shared else None
        if amount is not None:
            related.append(money.Related(other_id, title, amount, message("value.list_separator").join(shared)))
    thresholds = [spec.thresholds[t] for t in rule.tiers]
    finding = money.assess_split(thresholds, own, related)
    if not finding.crosses:
        return
    out.values[rule.target], out.values[rule.flag] = finding.aggregate, True
    shared = message("value.list_separator").join(dict.fromkeys(r.shared for r in related))
    text = message("split_evasion", months=rule.window_months, shared=shared, aggregate=format_money(finding.aggregate),
                   own=format_money(own))
    listing = message("value.clause_separator").join(
        message("value.related_matter", matter_id=r.matter_id, title=r.title, amount=format_money(r.amount))
        for r in related)
    note = text + message("value.parenthesised", text=listing)
    out.notes.append(note)
    out.flags.append(("split_evasion", note,
                      {"aggregate": str(finding.aggregate), "own": str(own), "related": [r.matter_id for r in related]},
                      [r.matter_id for r in related]))


def stored_key(key: str) -> str:
    """The key as stored and indexed: itself, or a digest when too long for an index entry.

    A match key never holds whitespace, so the digest's leading space keeps it apart from any key.
    """
    return key if len(key) <= 200 else " sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _related_query(spec: WorkflowSpec, unit_id: int, keys: Mapping[str, str], since: datetime,
                   matter_id: int | None) -> Any:
    """Counted matters of the unit in the window sharing any key: ix_matter_match_key_lookup, then by id."""
    sharing = select(MatterMatchKey.matter_id).where(
        MatterMatchKey.workflow_key == spec.key, MatterMatchKey.unit_id == unit_id,
        or_(*((MatterMatchKey.field == name) & (MatterMatchKey.key == key) for name, key in keys.items())),
        MatterMatchKey.created_at >= since)
    query = select(Matter.id, Matter.title, Matter.fields).where(Matter.id.in_(sharing), Matter.status.in_(COUNTED))
    if matter_id is not None:
        query = query.where(Matter.id != matter_id)
    return query.order_by(Matter.id)


def _typed(spec: WorkflowSpec, stored: Mapping[str, Any]) -> dict[str, Any]:
    return {f.key: Decimal(stored[f.key]) if f.type == "money" and stored.get(f.key) is not None else stored.get(f.key)
            for f in spec.fields}


def _repeat(s: Session, env: Env, spec: WorkflowSpec, initiator: Person, matter_id: int | None, out: Derived) -> None:
    rule = spec.rules.repeat_watch
    query = select(func.count(Matter.id)).where(Matter.workflow_key == spec.key, Matter.initiator_id == initiator.id,
                                                Matter.created_at >= _window_start(env, rule.window_months))
    if matter_id is not None:
        query = query.where(Matter.id != matter_id)
    count = s.execute(query).scalar_one() + 1
    if count < rule.threshold:
        return
    text = message("repeat_emergency", name=initiator.name, months=rule.window_months, count=count)
    out.values[rule.flag] = True
    out.notes.append(text)
    out.flags.append(("repeated_use", text, {"count": count, "person": initiator.username}, []))


def write_flags(s: Session, env: Env, matter: Matter, derived: Derived) -> None:
    """Store each finding on the new matter and on every earlier matter it involves; audit each."""
    _write_match_keys(s, matter, derived)
    for kind, text, data, others in derived.flags:
        for target in (matter.id, *others):
            s.add(MatterFlag(matter_id=target, kind=kind, text=text, data={**data, "raised_by": matter.id},
                             created_at=env.now))
            audit.append(s, env, None, "matter.flag_raised", "matter", target, {"kind": kind, "text": text},
                         matter_id=target)
    s.flush()


def _write_match_keys(s: Session, matter: Matter, derived: Derived) -> None:
    """Index the matter's match keys (one INSERT); a re-filed matter's earlier keys go first."""
    if derived.match_keys is None:
        return
    if derived.refiled:
        s.execute(delete(MatterMatchKey).where(MatterMatchKey.matter_id == matter.id))
    if matter.unit_id is not None and derived.match_keys:
        s.execute(insert(MatterMatchKey), [
            {"matter_id": matter.id, "workflow_key": matter.workflow_key, "unit_id": matter.unit_id, "field": name,
             "key": key, "created_at": matter.created_at} for name, key in derived.match_keys.items()])


def flags_of(s: Session, matter_id: int) -> list[MatterFlag]:
    return list(s.execute(select(MatterFlag).where(MatterFlag.matter_id == matter_id).order_by(MatterFlag.id)).scalars())


def formatter(spec: WorkflowSpec) -> FieldFormatter:
    return FieldFormatter(spec.fields)
