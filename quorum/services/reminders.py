"""Deadline reminders, overdue notices and escalation for tasks and supervision items; provisional deadlines.

The rules live in policies/reminders.toml (quorum.core.reminders decides what a deadline calls for
today); this module finds the deadlines in the record and enqueues notifications through the
outbox in the caller's transaction. Each notice is keyed by (subject, kind, person, day), so
running a sweep again — the same minute or an hour later — enqueues nothing new, and nothing is
sent for a task once it is done (#44). A reminder's day is the day it fell due: one missed while
the scheduler was down goes out with the next sweep (quorum.core.reminders.due_reminder), once.
"""

import tomllib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum import calendar
from quorum.core import reminders as core
from quorum.core.errors import InvalidPolicy
from quorum.core.messages import message
from quorum.core.states import MatterStatus, StepStatus, SupervisionStatus, TaskStatus
from quorum.db import DutyOpening, Matter, MatterStep, Person, Post, SupervisionItem, Task, Unit
from quorum.notify.wording import render
from quorum.services import audit, matter_rows, org
from quorum.services.env import Env
from quorum.services.outbox import Event, Outlets, notify

FILE = "reminders.toml"


def load(policies_dir: Path | str) -> core.ReminderRules:
    """Read and validate policies/reminders.toml; its roles must exist in roles.toml beside it."""
    directory = Path(policies_dir)
    source = f"{directory.name}/{FILE}"
    try:
        raw = tomllib.loads((directory / FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidPolicy(source=source, reason=message("duty.file_missing")) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidPolicy(source=source, reason=message("duty.toml_error", error=exc)) from None
    roles = None
    if (directory / "roles.toml").exists():
        roles = list(tomllib.loads((directory / "roles.toml").read_text(encoding="utf-8")).get("roles", {}))
    return core.parse_rules(raw, source, roles)


def due_now(rules: core.ReminderRules, env: Env) -> bool:
    """Whether the day's reminders may go out yet (from `send_from`, on working days)."""
    local = calendar.to_local(env.now)
    return local.time() >= rules.send_from and env.calendar.is_workday(local.date())


def today_of(env: Env) -> date:
    return calendar.to_local(env.now).date()


def local_day(moment: datetime) -> date:
    return calendar.to_local(moment).date()


# --------------------------------------------------------------------------------------------
# who


MEMO = "quorum.reminders.holders"


@contextmanager
def remembered_holders(s: Session) -> Iterator[None]:
    """Within the block, who holds a role (and where a person's post is) is asked once per transaction.

    A sweep asks the same few questions for every due task (the leader to escalate to, the copies);
    posts do not change while it runs. Outside such a block every question goes to the database.
    The people are read once and held, so `s.get(Person, id)` for each notice needs no statement
    (the session's identity map keeps only the objects somebody still refers to).
    """
    outer = MEMO in s.info
    s.info.setdefault(MEMO, {"people": s.execute(select(Person)).scalars().all()})
    try:
        yield
    finally:
        if not outer:
            s.info.pop(MEMO, None)


def _remembered(s: Session, key: tuple[Any, ...], ask: Callable[[], Any]) -> Any:
    memo = s.info.get(MEMO)
    if memo is None:
        return ask()
    if key not in memo:
        memo[key] = ask()
    return memo[key]


def holder_ids(s: Session, role: str, unit_id: int | None = None) -> list[int]:
    return _remembered(s, ("holders", role, unit_id), lambda: [p.id for p in org.holders(s, role, unit_id)])


def holders_by_role(s: Session, roles: Iterable[str], unit_id: int | None = None) -> dict[str, list[int]]:
    return {role: holder_ids(s, role, unit_id) for role in roles}


def leader_for(s: Session, rule: core.DeadlineRule, unit_id: int | None, exclude: Iterable[int]) -> int | None:
    """The leader in charge / responsible leader: the first escalate_to role held at the unit, else anywhere."""
    at_unit = holders_by_role(s, rule.escalate_to, unit_id) if unit_id is not None else {}
    return core.pick_leader(rule.escalate_to, at_unit, holders_by_role(s, rule.escalate_to), exclude)


def unit_contacts(s: Session, rule: core.DeadlineRule, unit_id: int) -> list[int]:
    """Who speaks for a responsible unit: the holders of the first recipients role held at the unit."""
    for role in rule.recipients:
        people = holder_ids(s, role, unit_id)
        if people:
            return people
    return []


def copies(s: Session, rule: core.DeadlineRule) -> list[int]:
    return [pid for role in rule.copy_to for pid in holder_ids(s, role)]


def _unit_of_post(s: Session, person_id: int, role: str) -> int | None:
    return _remembered(s, ("post_unit", person_id, role), lambda: s.execute(
        select(Post.unit_id).where(Post.person_id == person_id, Post.role == role, Post.active.is_(True))
        .order_by(Post.id)).scalars().first())


# --------------------------------------------------------------------------------------------
# tasks


def build_event(outlets: Outlets | Path | None, template: str, kind: str, key: str, subject: str, subject_id: int | None,
           matter_id: int | None, link: str, **context: Any) -> Event:
    """Render a notice from the deployment's templates (the outlets', or a templates directory given)."""
    templates_dir = outlets.templates_dir if isinstance(outlets, Outlets) else outlets
    title, body = render(templates_dir, template, **context)
    return Event(key, kind, title, body, subject, subject_id, matter_id, link)


def _routing_kind(reminder_kind: str) -> str:
    return "overdue" if reminder_kind == core.OVERDUE else "reminder"


def _within(column: Any, window: tuple[date | None, date]) -> list[Any]:
    """Deadlines inside the day's window (quorum.core.reminders.due_window), so the sweep reads the due set only."""
    earliest, latest = window
    return [column <= latest] + ([column >= earliest] if earliest is not None else [])


def task_reminders(s: Session, env: Env, outlets: Outlets, rules: core.ReminderRules) -> list[dict[str, Any]]:
    """Remind assignees of open tasks before, on and after their deadlines; escalate after N misses."""
    rule, today, out = rules.rule("task"), today_of(env), []
    query = (select(Task, Matter).join(Matter, Matter.id == Task.matter_id)
             .where(Task.status == TaskStatus.OPEN, Task.due_date.is_not(None), Matter.status == MatterStatus.ACTIVE,
                    *_within(Task.due_date, core.due_window(rule, today, env.calendar)))
             .order_by(Task.id))
    for task, matter in s.execute(query).all():
        assignee = s.get(Person, task.assignee_id)
        reminder = core.due_reminder(rule, task.due_date, today, env.calendar, since=local_day(task.created_at))
        if reminder is not None:
            ctx = dict(task=task, matter=matter, person=assignee, days=reminder.working_days,
                       due_is_today=task.due_date == today, escalate_after=rule.escalate_after_misses)
            event = build_event(outlets, f"task_{reminder.kind}", _routing_kind(reminder.kind),
                           f"task:{task.id}:{reminder.kind}:{reminder.on}", "task", task.id, matter.id,
                           f"/matters/{matter.id}", **ctx)
            out += notify(s, env, event, [assignee.id])
        if core.escalation_due(rule, task.due_date, today, env.calendar):
            out += _escalate_task(s, env, outlets, rule, task, matter, assignee, today)
    return out


def _escalate_task(s: Session, env: Env, outlets: Outlets, rule: core.DeadlineRule, task: Task, matter: Matter,
                   assignee: Person, today: date) -> list[dict[str, Any]]:
    leader_id = leader_for(s, rule, _unit_of_post(s, assignee.id, task.role), [assignee.id])
    recipients = ([leader_id] if leader_id else []) + copies(s, rule)
    out = []
    for pid in recipients:
        ctx = dict(task=task, matter=matter, assignee=assignee, person=s.get(Person, pid),
                   days=core.misses(task.due_date, today, env.calendar))
        event = build_event(outlets, "task_escalation", "escalation", f"task:{task.id}:escalation", "task", task.id,
                       matter.id, f"/matters/{matter.id}", **ctx)
        out += notify(s, env, event, [pid])
    return out


def urged(s: Session, env: Env, actor: Person, task: Task, matter: Matter) -> list[dict[str, Any]]:
    """Tell the assignee of an urge, in the urge's own transaction; once per task and day."""
    event = build_event(env.templates_dir, "urge", "urge", f"task:{task.id}:urge:{today_of(env)}", "task", task.id, matter.id,
                        f"/matters/{matter.id}", task=task, matter=matter, actor=actor,
                        person=s.get(Person, task.assignee_id))
    return notify(s, env, event, [task.assignee_id])


# --------------------------------------------------------------------------------------------
# 督办 items


def supervision_reminders(s: Session, env: Env, outlets: Outlets, rules: core.ReminderRules) -> list[dict[str, Any]]:
    """Remind all responsible units of open supervision items (lead, co-units; #43); escalate to the lead's leader."""
    rule, today, out = rules.rule("supervision"), today_of(env), []
    duty_items = set(s.execute(select(DutyOpening.supervision_item_id)
                               .where(DutyOpening.supervision_item_id.is_not(None))).scalars())
    units = {u.id: u for u in s.execute(select(Unit)).scalars()}
    items = s.execute(select(SupervisionItem).where(SupervisionItem.status != SupervisionStatus.DONE,
                                                    SupervisionItem.due_date.is_not(None),
                                                    *_within(SupervisionItem.due_date,
                                                             core.due_window(rule, today, env.calendar)))
                      .order_by(SupervisionItem.id)).scalars()
    for item in items:
        if item.id in duty_items:        # a duty's own item is followed by the duty sweep
            continue
        contacts = [pid for uid in (item.lead_unit_id, *item.co_unit_ids) for pid in unit_contacts(s, rule, uid)]
        lead_name = units[item.lead_unit_id].name if item.lead_unit_id in units else ""
        reminder = core.due_reminder(rule, item.due_date, today, env.calendar, since=local_day(item.created_at))
        if reminder is not None:
            recipients = contacts + (copies(s, rule) if reminder.kind == core.OVERDUE else [])
            for pid in dict.fromkeys(recipients):
                ctx = dict(item=item, person=s.get(Person, pid), days=reminder.working_days, lead_unit=lead_name,
                           due_is_today=item.due_date == today)
                event = build_event(outlets, f"supervision_{reminder.kind}", _routing_kind(reminder.kind),
                               f"supervision:{item.id}:{reminder.kind}:{reminder.on}", "supervision", item.id,
                               item.matter_id, f"/supervision#sup-{item.id}", **ctx)
                out += notify(s, env, event, [pid])
        if core.escalation_due(rule, item.due_date, today, env.calendar):
            leader_id = leader_for(s, rule, item.lead_unit_id, contacts)
            for pid in dict.fromkeys(([leader_id] if leader_id else []) + copies(s, rule)):
                ctx = dict(item=item, person=s.get(Person, pid), lead_unit=lead_name,
                           days=core.misses(item.due_date, today, env.calendar))
                event = build_event(outlets, "supervision_escalation", "escalation", f"supervision:{item.id}:escalation",
                               "supervision", item.id, item.matter_id, f"/supervision#sup-{item.id}", **ctx)
                out += notify(s, env, event, [pid])
    return out


# --------------------------------------------------------------------------------------------
# provisional deadlines


def recompute_provisional(s: Session, env: Env, outlets: Outlets) -> list[dict[str, Any]]:
    """Recount provisional step deadlines with today's calendar (e.g. after next year's overrides).

    A step's deadline is N working days from the day it started; when the recount gives another
    date, the step and its open tasks move, the change is audited, and the assignees are told.
    """
    out = []
    steps = s.execute(select(MatterStep).where(MatterStep.due_provisional.is_(True),
                                               MatterStep.status == StepStatus.ACTIVE,
                                               MatterStep.started_at.is_not(None)).order_by(MatterStep.id)).scalars()
    for step in list(steps):
        matter = s.get(Matter, step.matter_id)
        spec = matter_rows.step_spec(s, matter, step.step_key)
        days = spec.counted_working_days()
        if days is None:       # a fixed span (months, days): its date stands; only the flag may clear
            fresh = calendar.Deadline(step.due_date, step.due_date is None or env.calendar.is_provisional(step.due_date))
        else:
            fresh = env.calendar.add_working_days(calendar.to_local(step.started_at).date(), days)
        if (fresh.due, fresh.provisional) == (step.due_date, step.due_provisional):
            continue
        old = step.due_date
        step.due_date, step.due_provisional = fresh.due, fresh.provisional
        audit.append(s, env, None, "step.deadline_recomputed", "step", step.id,
                     {"step": step.step_key, "from": old, "to": fresh.due, "provisional": fresh.provisional},
                     matter_id=matter.id)
        tasks = s.execute(select(Task).where(Task.step_id == step.id, Task.round == step.round,
                                             Task.status == TaskStatus.OPEN)).scalars()
        for task in list(tasks):
            if task.due_date != old:   # a task with its own due date (e.g. 暂缓任用) keeps it
                continue
            task.due_date, task.due_provisional = fresh.due, fresh.provisional
            if fresh.due == old:       # only confirmed (no longer 暂定): nothing to tell
                continue
            ctx = dict(task=task, matter=matter, person=s.get(Person, task.assignee_id), old_due=old,
                       new_due=fresh.due, provisional=fresh.provisional)
            event = build_event(outlets, "deadline_moved", "deadline_moved", f"task:{task.id}:moved:{fresh.due}", "task",
                           task.id, matter.id, f"/matters/{matter.id}", **ctx)
            out += notify(s, env, event, [task.assignee_id])
    for item in s.execute(select(SupervisionItem).where(SupervisionItem.due_provisional.is_(True))).scalars():
        if not env.calendar.is_provisional(item.due_date):
            item.due_provisional = False
            audit.append(s, env, None, "supervision.deadline_confirmed", "supervision", item.id,
                         {"due": item.due_date}, matter_id=item.matter_id)
    return out
