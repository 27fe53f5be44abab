"""Supervision: turn a decision into tracked items with a lead unit, co-units and due dates."""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import states
from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.core.spec import clean_text
from quorum.core.states import SupervisionStatus
from quorum.db import Matter, Person, ProgressReport, SupervisionItem, Unit
from quorum.services import audit, events, permissions
from quorum.services.env import Env
from quorum.services.supervision_import import quarter_end


def allowed(s: Session, env: Env, actor: Person, item_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """(may report progress, may confirm it done) per supervision item — for the board's forms, as report() checks."""
    rows = s.execute(select(SupervisionItem.id, SupervisionItem.lead_unit_id, SupervisionItem.co_unit_ids)
                     .where(SupervisionItem.id.in_(item_ids)))
    return {item_id: (permissions.may(s, env, actor, "supervision.report", (lead, *(co or ()))),
                      permissions.may(s, env, actor, "supervision.complete", (lead,)))
            for item_id, lead, co in rows}


def _unit(s: Session, key: str) -> Unit:
    found = s.execute(select(Unit).where(Unit.key == key)).scalar_one_or_none()
    if found is None:
        raise InvalidInput.because("supervision.unit_not_registered", unit=key)
    return found


def _due(env: Env, raw: Mapping[str, Any]) -> tuple[date, bool]:
    if raw.get("due_date"):
        try:
            due = raw["due_date"] if isinstance(raw["due_date"], date) else date.fromisoformat(str(raw["due_date"]))
        except ValueError:
            raise InvalidInput.because("supervision.due_date_malformed", value=raw["due_date"]) from None
        return due, env.calendar.is_provisional(due)
    if raw.get("due_working_days") not in (None, ""):
        try:
            days = int(str(raw["due_working_days"]))
        except ValueError:
            raise InvalidInput.because("supervision.due_days_malformed", value=raw["due_working_days"]) from None
        if not 0 < days <= 1000:
            raise InvalidInput.because("supervision.due_days_range")
        deadline = env.calendar.add_working_days(env.now.date(), days)
        return deadline.due, deadline.provisional
    raise InvalidInput.because("supervision.due_missing", title=raw.get("title", ""))


def record_decision(s: Session, env: Env, actor: Person, matter: Matter, record: Mapping[str, Any],
                    summary: str) -> list[SupervisionItem]:
    """Store the minutes' record of a decided matter and open its supervision items."""
    items = []
    raw_items = record.get("items", [])
    if not isinstance(raw_items, list) or not all(isinstance(r, dict) for r in raw_items):
        raise InvalidInput.because("supervision.items_not_list")
    for raw in raw_items:
        title = clean_text(raw.get("title"), message("supervision.item_title_label"))
        lead = _unit(s, clean_text(raw.get("lead_unit"), message("supervision.lead_unit_label"), 64))
        co_keys = raw.get("co_units", [])
        if not isinstance(co_keys, list) or not all(isinstance(k, str) for k in co_keys):
            raise InvalidInput.because("supervision.partners_not_list")
        co_units = [_unit(s, k).id for k in co_keys]
        due, provisional = _due(env, raw)
        item = SupervisionItem(matter_id=matter.id, title=title, lead_unit_id=lead.id, co_unit_ids=co_units,
                               due_date=due, due_provisional=provisional, status=SupervisionStatus.OPEN,
                               created_at=env.now)
        s.add(item)
        s.flush()
        items.append(item)
        audit.append(s, env, actor.id, "supervision.opened", "supervision", item.id,
                     {"title": title, "lead_unit": lead.key, "co_units": co_units, "due": due,
                      "provisional": provisional}, matter_id=matter.id)
    matter.decision = {**(matter.decision or {}), "record": summary or record.get("summary", ""),
                       "recorded_by": actor.id, "recorded_at": env.now.isoformat()}
    audit.append(s, env, actor.id, "matter.decision_recorded", "matter", matter.id,
                 {"summary": matter.decision["record"], "items": len(items)}, matter_id=matter.id)
    return items


def all_done(s: Session, matter_id: int) -> bool:
    pending = s.execute(select(SupervisionItem.id).where(SupervisionItem.matter_id == matter_id,
                                                         SupervisionItem.status != SupervisionStatus.DONE))
    return pending.first() is None


def report(s: Session, env: Env, actor: Person, item_id: int, text: str, done: bool = False) -> SupervisionItem:
    """Record progress on a supervision item; only the lead unit or the secretariat may mark it done."""
    item = s.execute(select(SupervisionItem).where(SupervisionItem.id == item_id).with_for_update()).scalar_one_or_none()
    if item is None:
        raise NotFound(what=message("supervision.what_item"), ref=item_id)
    text = clean_text(text, message("supervision.progress_label"), 4000)
    permissions.require(s, env, actor, "supervision.report", (item.lead_unit_id, *item.co_unit_ids),
                        subject="supervision", subject_id=item.id)
    if done:
        permissions.require(s, env, actor, "supervision.complete", (item.lead_unit_id,),
                            subject="supervision", subject_id=item.id)
    s.add(ProgressReport(item_id=item.id, author_id=actor.id, text=text.strip(), done=done, reported_at=env.now))
    audit.append(s, env, actor.id, "supervision.progress", "supervision", item.id, {"text": text, "done": done},
                 matter_id=item.matter_id)
    if done:
        item.done_at = env.now
        states.apply(item, "supervision", SupervisionStatus.DONE, message("supervision.action_done"))
        audit.append(s, env, actor.id, "supervision.done", "supervision", item.id, {}, matter_id=item.matter_id)
        if item.recurrence:
            _next_check(s, env, actor, item)
        if item.matter_id is not None and all_done(s, item.matter_id):
            events.publish(s, env, events.SupervisionSettled(item.matter_id, actor.id))
    return item


def _next_check(s: Session, env: Env, actor: Person, item: SupervisionItem) -> SupervisionItem:
    """Done, and kept going: a done milestone becomes a check at the end of the next quarter, and so on."""
    due = quarter_end(quarter_end(env.now.date()) + timedelta(days=1))
    follow = SupervisionItem(matter_id=item.matter_id, title=item.title, lead_unit_id=item.lead_unit_id,
                             co_unit_ids=list(item.co_unit_ids), due_date=due,
                             due_provisional=env.calendar.is_provisional(due), recurrence=item.recurrence,
                             status=SupervisionStatus.OPEN, created_at=env.now)
    s.add(follow)
    s.flush()
    audit.append(s, env, actor.id, "supervision.recurred", "supervision", follow.id,
                 {"after": item.id, "due": due, "recurrence": item.recurrence}, matter_id=item.matter_id)
    return follow


def board(s: Session) -> list[SupervisionItem]:
    return list(s.execute(select(SupervisionItem).order_by(SupervisionItem.status, SupervisionItem.due_date)).scalars())
