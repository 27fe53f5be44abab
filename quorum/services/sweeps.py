"""The scheduler's jobs as plain functions: the 15-minute sweep, the daily digest, the nightly checks.

Prefect flows (flows/) and the one-shot commands (`quorum remind`, `quorum digest`, …) call these
same functions. Each business step runs in its own transaction and enqueues its notifications in
that transaction; delivery runs afterwards, outside them (quorum.services.outbox).
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quorum import calendar
from quorum.core import duties as core_duties
from quorum.core import reminders as core
from quorum.core.states import MeetingStatus
from quorum.db import Matter, Meeting, MeetingMember, Person
from quorum.notify.wording import render
from quorum.services import audit, documents, duties, matters, org, outbox, timers
from quorum.services.duty_reminders import duty_reminders
from quorum.services.env import Env
from quorum.services.outbox import Event, Outlets, notify
from quorum.services.reminders import (
    due_now,
    recompute_provisional,
    remembered_holders,
    supervision_reminders,
    task_reminders,
    today_of,
)
from quorum.services.reminders import load as load_reminders

SECRETARIAT = ("secretariat",)
AUDIT_WATCHERS = ("discipline_inspector", "administrator")


@dataclass(frozen=True)
class SweepRules:
    reminders: core.ReminderRules
    duties: Mapping[str, core_duties.Duty]

    @classmethod
    def load(cls, policies_dir: Path | str) -> "SweepRules":
        return cls(load_reminders(policies_dir), duties.load(policies_dir))


# --------------------------------------------------------------------------------------------
# the 15-minute sweep


def deadlines(s: Session, env: Env, outlets: Outlets, rules: SweepRules) -> list[dict[str, Any]]:
    """Recount provisional deadlines; from `send_from` on working days, the day's reminders."""
    out = recompute_provisional(s, env, outlets)
    if due_now(rules.reminders, env):
        with remembered_holders(s):
            out += task_reminders(s, env, outlets, rules.reminders)
            out += supervision_reminders(s, env, outlets, rules.reminders)
            out += duty_reminders(s, env, outlets, rules.reminders, rules.duties)
    return out


def fire_timers(s: Session, env: Env, outlets: Outlets) -> list[dict[str, Any]]:
    """Apply expiries (end of publicity, probation, ratification, consultation silence …) and tell those concerned.

    quorum.services.timers.fire_due changes the state; its notices are enqueued in the same
    transaction, to the people it names (`notify`), the matter's initiator and the secretariat.
    """
    out = []
    for result in timers.fire_due(s, env):
        matter = s.get(Matter, result["matter_id"]) if result.get("matter_id") else None
        people = [*result.get("notify", []), *result.get("person_ids", []), *([matter.initiator_id] if matter else []),
                  *(p.id for role in SECRETARIAT for p in org.holders(s, role))]
        digest = hashlib.sha256(f"{result.get('kind')}|{result.get('text')}".encode()).hexdigest()[:16]
        for pid in dict.fromkeys(people):
            title, body = render(outlets.templates_dir, "expiry", matter=matter or {"title": result.get("text", "")},
                                 person=s.get(Person, pid), text=result.get("text", ""), result=result)
            event = Event(f"expiry:{result.get('matter_id')}:{result.get('kind')}:{digest}", "expiry", title, body,
                          "matter", result.get("matter_id"), result.get("matter_id"),
                          f"/matters/{result['matter_id']}" if result.get("matter_id") else None)
            out += notify(s, env, event, [pid])
        out.append({"channel": "timer", **{k: v for k, v in result.items() if k in ("matter_id", "kind", "text")}})
    return out


def run_sweep(sessions: sessionmaker[Session], env: Env, outlets: Outlets, rules: SweepRules,
              deliver: bool = True) -> dict[str, Any]:
    """One sweep as `quorum remind` runs it: timers, deadlines (each its own transaction), then delivery."""
    with sessions.begin() as s:
        timers = fire_timers(s, env, outlets)
    with sessions.begin() as s:
        notified = deadlines(s, env, outlets, rules)
    delivered = outbox.deliver_pending(sessions, env, outlets) if deliver else []
    return {"at": env.now, "timers": [t for t in timers if t.get("channel") == "timer"],
            "notified": [n for n in timers if n.get("channel") != "timer"] + notified, "delivered": delivered}


# --------------------------------------------------------------------------------------------
# documents: frozen ones are converted to PDF by the sweep flow, one task each


def pending_documents(s: Session) -> list[int]:
    return list(documents.pending_pdf(s))


def convert_document(s: Session, env: Env, document_id: int) -> Any:
    return documents.convert_pdf(s, env, document_id)


# --------------------------------------------------------------------------------------------
# the daily digest


def digest(s: Session, env: Env, outlets: Outlets, rules: SweepRules) -> list[dict[str, Any]]:
    """Each working day, one summary per person with open tasks or meetings coming up."""
    today = today_of(env)
    if not env.calendar.is_workday(today):
        return []
    horizon = env.calendar.add_working_days(today, rules.reminders.digest_horizon_working_days).due
    until = datetime.combine(horizon + timedelta(days=1), time(0), tzinfo=calendar.TZ)
    out = []
    for person in s.execute(select(Person).where(Person.active.is_(True)).order_by(Person.id)).scalars():
        tasks = [{"title": t.title, "due_date": t.due_date, "overdue": bool(t.due_date and t.due_date < today)}
                 for t in matters.open_tasks(s, person, env.now)]
        upcoming = list(s.execute(
            select(Meeting).join(MeetingMember, MeetingMember.meeting_id == Meeting.id)
            .where(MeetingMember.person_id == person.id, Meeting.status == MeetingStatus.SCHEDULED,
                   Meeting.scheduled_at >= env.now, Meeting.scheduled_at < until)
            .order_by(Meeting.scheduled_at)).scalars())
        if not tasks and not upcoming:
            continue
        title, body = render(outlets.templates_dir, "digest", person=person, today=today, tasks=tasks,
                             overdue=sum(1 for t in tasks if t["overdue"]), meetings=upcoming,
                             unread=outbox.unread_count(s, person.id))
        out += notify(s, env, Event(f"digest:{today}", "digest", title, body, "person", person.id,
                                             link="/tasks"), [person.id])
    return out


# --------------------------------------------------------------------------------------------
# nightly


def verify_audit(s: Session, env: Env, outlets: Outlets) -> dict[str, Any]:
    """Recompute the audit chain; a break is reported to discipline inspection and the administrators (once a day)."""
    result = audit.verify(s)
    notified = []
    if not result.ok:
        today = today_of(env)
        people = [p.id for role in AUDIT_WATCHERS for p in org.holders(s, role)]
        for pid in dict.fromkeys(people):
            title, body = render(outlets.templates_dir, "audit_broken", person=s.get(Person, pid), result=result,
                                 today=today)
            notified += notify(s, env, Event(f"audit_broken:{today}", "audit_broken", title, body,
                                                      "audit", result.first_bad_seq), [pid])
    return {"ok": result.ok, "events": result.count, "first_bad_seq": result.first_bad_seq,
            "reason": result.reason, "notified": notified}


def backup_failed(s: Session, env: Env, outlets: Outlets, error: str, settings: Any) -> list[dict[str, Any]]:
    """Tell the administrators the nightly backup failed (once a day)."""
    today = today_of(env)
    out = []
    for person in org.holders(s, "administrator"):
        title, body = render(outlets.templates_dir, "backup_failed", person=person, today=today, error=error,
                             directory=settings.delivery.backup.directory,
                             postgres=settings.database_url.startswith("postgresql"))
        out += notify(s, env, Event(f"backup_failed:{today}", "backup_failed", title, body, "backup"), [person.id])
    return out
