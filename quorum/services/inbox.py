"""我的待办: a person's open tasks (their own and those they act on as 代理) and the votes awaiting them."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import voting
from quorum.core.states import ItemStatus, MeetingStatus
from quorum.db import AgendaItem, Meeting, MeetingMember, Person
from quorum.services import meetings, records


def pending_votes(s: Session, person: Person) -> list[dict[str, Any]]:
    """Items of meetings in session on which this person must still vote, with whether they may vote now."""
    query = (select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
             .join(MeetingMember, MeetingMember.meeting_id == Meeting.id)
             .where(MeetingMember.person_id == person.id, Meeting.status == MeetingStatus.IN_SESSION,
                    AgendaItem.status.in_((ItemStatus.PENDING, ItemStatus.VOTING)))
             .order_by(Meeting.scheduled_at, AgendaItem.seq))
    out = []
    for item, meeting in s.execute(query):
        roll = meetings.roll(s, meeting, item)
        if person.id not in roll.voters or person.id in roll.voted:
            continue
        body = meetings.body_of(s, meeting)
        waiting = body.chair_speaks_last and person.id == voting.presiding(body, roll) and bool(
            voting.pending_before_chair(body, roll))
        out.append({"meeting_id": meeting.id, "meeting_title": meeting.title, "seq": item.seq, "title": item.title,
                    "matter_id": item.matter_id, "secret": item.secret, "personnel": item.personnel,
                    "options": list(voting.vote_options(body, item.personnel)), "chair_waiting": waiting})
    return out


def inbox(s: Session, person: Person, now: datetime) -> dict[str, Any]:
    tasks = records.my_tasks(s, person, now)
    today = now.date()
    for task in tasks:
        task["overdue"] = bool(task["due_date"] and task["due_date"] < today)
    tasks.sort(key=lambda t: (not t["overdue"], t["due_date"] is None, t["due_date"] or today, t["id"]))
    return {"tasks": tasks, "votes": pending_votes(s, person)}


def counts(s: Session, person_id: int, now: datetime) -> dict[str, int]:
    person = s.get(Person, person_id)
    box = inbox(s, person, now)
    return {"tasks": len(box["tasks"]), "votes": len(box["votes"]),
            "overdue": sum(1 for t in box["tasks"] if t["overdue"])}
