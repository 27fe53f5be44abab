"""My tasks (the inbox): a person's open tasks (their own and those they act on as delegate), the votes awaiting
them and the drafts sent for sign_off they may sign off.

A draft sent for sign_off is not a Task row: a task belongs to a matter's step, while the notice of a meeting or
the minutes have no matter, and
every holder of the signer role sees the same draft until one of them signs it. It is a second kind of
entry, read from the open document_signoff rows (quorum.services.documents.awaiting).

The page costs a fixed number of statements however many tasks a person has: one grouped count,
one page of tasks, their views read together (records.task_views), the card facts of them all (one
statement: units and attachment counts), and the votes.

Each task is an approval card (issue 15, item 5): the facts that decide — the amount, the unit, the
workflow and category, the due date, how many attachments, why the step came to this person (the
step's reason as the route planned it) — and where a return or a reject sends the matter, so approving
or returning from the card is never blind.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from quorum import explain
from quorum.core import voting
from quorum.core.messages import message
from quorum.core.spec import WorkflowSpec
from quorum.core.states import ItemStatus, MeetingStatus, TaskStatus
from quorum.db import (
    AgendaItem,
    Attachment,
    DocumentSignoff,
    Matter,
    MatterStep,
    Meeting,
    MeetingMember,
    Notification,
    Person,
    Task,
    Unit,
)
from quorum.services import delegations, document_records, meetings, records
from quorum.services.policies import policy_set_for

PER_PAGE = 50
MAX_PER_PAGE = 200


def pending_votes(s: Session, person: Person) -> list[dict[str, Any]]:
    """Items of meetings in session on which this person must still vote, with whether they may vote now."""
    return _votes(s, person.id)


def _votes(s: Session, person_id: int) -> list[dict[str, Any]]:
    query = (select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
             .join(MeetingMember, MeetingMember.meeting_id == Meeting.id)
             .where(MeetingMember.person_id == person_id, Meeting.status == MeetingStatus.IN_SESSION,
                    AgendaItem.status.in_((ItemStatus.PENDING, ItemStatus.VOTING)))
             .order_by(Meeting.scheduled_at, AgendaItem.seq))
    out = []
    for item, meeting in s.execute(query):
        roll = meetings.roll(s, meeting, item)
        if person_id not in roll.voters or person_id in roll.voted:
            continue
        body = meetings.body_of(s, meeting)
        waiting = body.chair_speaks_last and person_id == voting.presiding(body, roll) and bool(
            voting.pending_before_chair(body, roll))
        out.append({"meeting_id": meeting.id, "meeting_title": meeting.title, "seq": item.seq, "title": item.title,
                    "matter_id": item.matter_id, "secret": item.secret, "personnel": item.personnel,
                    "options": list(voting.vote_options(body, item.personnel)), "chair_waiting": waiting})
    return out


def _mine(person_id: int, now: datetime):
    """The condition on Task for the open tasks of the person and of those they stand in for now (delegate)."""
    principals = delegations.principals_query(person_id, now)
    return (Task.status == TaskStatus.OPEN) & or_(Task.assignee_id == person_id, Task.assignee_id.in_(principals))


def totals(s: Session, person_id: int, now: datetime) -> tuple[int, int, bool, int]:
    """(open tasks, overdue among them, whether a meeting of theirs is in session, drafts waiting for their
    sign_off) in one grouped count. A draft waits for the people its open round told (the signers when it was
    sent: `arrivals.awaiting_signature`), so the count needs no policy and no post lookup."""
    overdue = func.coalesce(func.sum(case((Task.due_date < now.date(), 1), else_=0)), 0)
    sitting = (select(MeetingMember.meeting_id).join(Meeting, Meeting.id == MeetingMember.meeting_id)
               .where(MeetingMember.person_id == person_id, Meeting.status == MeetingStatus.IN_SESSION).exists())
    told = (select(Notification.id).where(Notification.person_id == person_id,
                                          Notification.kind == "awaiting_signature", Notification.subject == "document",
                                          Notification.subject_id == DocumentSignoff.document_id,
                                          Notification.created_at >= DocumentSignoff.opened_at).exists())
    signoffs = (select(func.count(DocumentSignoff.id)).where(DocumentSignoff.closed_at.is_(None), told)
                .scalar_subquery())
    total, late, in_session, waiting = s.execute(select(func.count(Task.id), overdue, sitting, signoffs)
                                                 .where(_mine(person_id, now))).one()
    return int(total), int(late), bool(in_session), int(waiting)


def inbox(s: Session, person: Person, now: datetime, page: int = 1, per_page: int | None = None) -> dict[str, Any]:
    """One page of the person's open tasks, overdue first, then by due date; and every vote awaiting them.

    Overdue tasks have the earliest due dates, so the order is the due date (none last), then the id.
    """
    per_page = max(1, min(per_page or PER_PAGE, MAX_PER_PAGE))
    total, overdue, in_session, _signoffs = totals(s, person.id, now)
    pages = max(1, -(-total // per_page))
    page = max(1, min(page, pages))
    rows = list(s.execute(select(Task).where(_mine(person.id, now))
                          .order_by(Task.due_date.is_(None), Task.due_date, Task.id)
                          .limit(per_page).offset((page - 1) * per_page)).scalars())
    tasks = records.task_views(s, rows, person, now)
    today = now.date()
    for task in tasks:
        task["overdue"] = bool(task["due_date"] and task["due_date"] < today)
    add_card_facts(s, rows, tasks)
    votes = pending_votes(s, person) if in_session else []
    signoffs = document_records.awaiting_signature(s, person)    # 送签: drafts waiting for my 签发
    return {"tasks": tasks, "votes": votes, "signoffs": signoffs, "total": total, "overdue": overdue,
            "page": page, "per_page": per_page, "pages": pages}


def tasks_on(s: Session, person: Person, matter_id: int, now: datetime) -> list[dict[str, Any]]:
    """The person's open tasks (and those they act on as delegate) on one matter, for its page."""
    rows = list(s.execute(select(Task).where(_mine(person.id, now), Task.matter_id == matter_id)
                          .order_by(Task.due_date.is_(None), Task.due_date, Task.id)).scalars())
    return records.task_views(s, rows, person, now)


def counts(s: Session, person_id: int, now: datetime) -> dict[str, int]:
    """The navigation's counters: open tasks and overdue ones (one grouped count), votes awaiting me, and the
    drafts waiting for my sign_off."""
    total, overdue, in_session, signoffs = totals(s, person_id, now)
    return {"tasks": total, "votes": len(_votes(s, person_id)) if in_session else 0, "overdue": overdue,
            "signoffs": signoffs}


def add_card_facts(s: Session, rows: list[Task], tasks: list[dict[str, Any]]) -> None:
    """Add to each task view the facts its card shows (key "card"), in one statement for the whole page.

    The matters and their steps are those records.task_views has just loaded (the session's identity map);
    one query reads the units' names and the attachment counts; the rules come from the policy cache.
    """
    if not rows:
        return
    ids = {row.matter_id for row in rows}
    loaded = {i: m for i in ids if (m := s.identity_map.get(identity_key(Matter, i))) is not None}
    missing = ids - loaded.keys()
    if missing:
        loaded.update((m.id, m) for m in s.execute(select(Matter).where(Matter.id.in_(missing))).scalars())
    files = (select(func.count(Attachment.id)).where(Attachment.matter_id == Matter.id)
             .correlate(Matter).scalar_subquery())
    facts = {matter_id: (unit, count) for matter_id, unit, count in s.execute(
        select(Matter.id, Unit.name, files).outerjoin(Unit, Unit.id == Matter.unit_id).where(Matter.id.in_(ids)))}
    steps = {st.id: st for m in loaded.values() for st in m.steps}
    for row, task in zip(rows, tasks, strict=True):
        matter = loaded[row.matter_id]
        spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
        unit, count = facts.get(matter.id, (None, 0))
        task["card"] = _card(spec, matter, steps[row.step_id], unit, count)


def _card(spec: WorkflowSpec, matter: Matter, step: MatterStep, unit: str | None, attachments: int) -> dict[str, Any]:
    step_spec = spec.step(step.step_key)
    earlier = [st for st in matter.steps if st.seq < step.seq and st.applies]
    default = step_spec.return_target or spec.steps[0].key
    if default not in {st.step_key for st in earlier} and earlier:
        default = earlier[0].step_key
    category = next((f.choice_label(matter.fields[f.key]) for f in spec.fields
                     if f.type == "choice" and f.key == "category" and matter.fields.get(f.key)), None)
    return {"workflow": spec.name, "category": category, "unit": unit, "amount": _amount(spec, matter),
            "attachments": attachments, "reason": step.why or None, "step": step.name,
            "returns": [{"key": st.step_key, "name": st.name} for st in earlier], "return_default": default,
            "on_reject": explain.reject_line(spec, step_spec) if step_spec.states_reject_rule else None}


def _amount(spec: WorkflowSpec, matter: Matter) -> str | None:
    """The matter's first money field, as ¥1,234,567 (¥1,234.50 with cents)."""
    for field in spec.fields:
        value = matter.fields.get(field.key) if field.type == "money" else None
        if value in (None, ""):
            continue
        try:
            text = f"{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
        return message("inbox.amount", amount=text[:-3] if text.endswith(".00") else text)
    return None
