"""Recurring duties on their dates: open each period, remind on its deadline, report it missed, escalate.

A period opens on its reminder date (duties.toml `remind_working_days_before`): the owner unit is told,
and a duty whose evidence is a done supervision item (or a manual confirmation) gets that item opened, so
completing it is what counts. A period that ends unmet is reported once to the owner, the leader
and the secretariat; a per_year duty still short on its `escalate_on` date (the promotion mechanism met
fewer than twice by 1 November) is escalated once.
"""

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quorum.core import duties as core_duties
from quorum.core import reminders as core
from quorum.core.messages import message
from quorum.core.states import SupervisionStatus
from quorum.db import DutyOpening, Person, SupervisionItem, Unit
from quorum.services import audit, duties
from quorum.services.env import Env
from quorum.services.outbox import Outlets, notify
from quorum.services.reminders import build_event, copies, leader_for, today_of, unit_contacts

REPORT_WINDOW = timedelta(days=30)     # a missed period is reported within a month of its deadline, not years later


def duty_reminders(s: Session, env: Env, outlets: Outlets, rules: core.ReminderRules,
                   loaded: Mapping[str, core_duties.Duty]) -> list[dict[str, Any]]:
    rule, today, out = rules.rule("duty"), today_of(env), []
    units = {u.key: u for u in s.execute(select(Unit)).scalars()}

    def before(d: date, n: int) -> date:
        return env.calendar.subtract_working_days(d, n).due

    for duty in loaded.values():
        owner = units.get(duty.owner)
        contacts = unit_contacts(s, rule, owner.id) if owner else []
        for year in sorted({today.year - 1, today.year}):
            dates = duties.evidence_dates(s, duty, year)
            for st in core_duties.assess(duty, year, dates, today, before):
                ctx = dict(duty=duty, year=year, period_name=core_duties.period_name(st.label), due=st.due,
                           count=st.count, required=st.required, owner=owner.name if owner else duty.owner,
                           today=today, due_is_today=st.due == today)
                key = f"duty:{duty.key}:{year}:{st.label}"
                if st.label == core_duties.TOTAL:
                    if st.escalated and st.due + REPORT_WINDOW >= today:
                        people = _leader(s, rule, owner, contacts) + contacts + copies(s, rule)
                        out += _tell(s, env, outlets, "duty_escalation", "escalation", f"{key}:escalation", people, ctx)
                elif st.status == core_duties.DUE and today <= st.due:    # a manual duty stays "due": open it in time only
                    out += _open(s, env, outlets, rule, duty, owner, st, year, contacts, ctx, key)
                elif st.status == core_duties.MISSING and st.due + REPORT_WINDOW >= today:
                    people = contacts + _leader(s, rule, owner, contacts) + copies(s, rule)
                    out += _tell(s, env, outlets, "duty_missing", "duty_missing", f"{key}:missing", people, ctx)
    return out


def _leader(s: Session, rule: core.DeadlineRule, owner: Unit | None, contacts: list[int]) -> list[int]:
    leader = leader_for(s, rule, owner.id if owner else None, contacts)
    return [leader] if leader else []


def _tell(s: Session, env: Env, outlets: Outlets, template: str, kind: str, key: str, people: list[int],
          ctx: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for pid in dict.fromkeys(people):
        event = build_event(outlets, template, kind, key, "duty", None, None, "/supervision",
                       **ctx, person=s.get(Person, pid))
        out += notify(s, env, event, [pid])
    return out


def _open(s: Session, env: Env, outlets: Outlets, rule: core.DeadlineRule, duty: core_duties.Duty, owner: Unit | None,
          st: core_duties.PeriodStatus, year: int, contacts: list[int], ctx: dict[str, Any],
          key: str) -> list[dict[str, Any]]:
    """Open the period (once) and tell the owner; on its last working day remind again."""
    item_id = open_period(s, env, duty, owner, st, year)
    out = _tell(s, env, outlets, "duty_open", "duty_open", f"{key}:open", contacts + copies(s, rule),
                {**ctx, "item_id": item_id})
    today = today_of(env)
    if rule.on_the_day and env.calendar.is_workday(today) and today == env.calendar.subtract_working_days(st.due, 0).due:
        out += _tell(s, env, outlets, "duty_due_today", "reminder", f"{key}:due_today:{today}", contacts, ctx)
    return out


def period_title(duty: core_duties.Duty, year: int, label: str) -> str:
    """The supervision item's title; it contains the duty's evidence text, so finishing it counts."""
    title = message("duty.period_title", name=duty.name, year=year, period=core_duties.period_name(label))
    if duty.evidence.kind == "supervision_title_contains" and duty.evidence.value not in title:
        title = message("duty.period_title_with_evidence", evidence=duty.evidence.value, title=title)
    return title[:200]


def open_period(s: Session, env: Env, duty: core_duties.Duty, owner: Unit | None, st: core_duties.PeriodStatus,
                year: int) -> int | None:
    """Record the period as opened; for supervision or manual evidence, open its supervision item. Idempotent."""
    found = s.execute(select(DutyOpening).where(DutyOpening.duty_key == duty.key, DutyOpening.year == year,
                                                DutyOpening.period == st.label)).scalar_one_or_none()
    if found is not None:
        return found.supervision_item_id
    try:
        with s.begin_nested():
            item = None
            if owner is not None and duty.evidence.kind != "meetings_of":
                item = SupervisionItem(matter_id=None, title=period_title(duty, year, st.label), lead_unit_id=owner.id,
                                       co_unit_ids=[], due_date=st.due, due_provisional=env.calendar.is_provisional(st.due),
                                       status=SupervisionStatus.OPEN, created_at=env.now)
                s.add(item)
                s.flush()
                audit.append(s, env, None, "supervision.opened", "supervision", item.id,
                             {"title": item.title, "lead_unit": owner.key, "co_units": [], "due": st.due,
                              "provisional": item.due_provisional, "duty": duty.key, "period": f"{year}{st.label}"})
            s.add(DutyOpening(duty_key=duty.key, year=year, period=st.label,
                              supervision_item_id=item.id if item else None, opened_at=env.now,
                              details={"due": st.due.isoformat(), "source": duty.source}))
            s.flush()
    except IntegrityError:           # a concurrent sweep opened it first
        return s.execute(select(DutyOpening.supervision_item_id).where(
            DutyOpening.duty_key == duty.key, DutyOpening.year == year, DutyOpening.period == st.label)).scalar()
    return item.id if item else None
