"""A person's iCalendar feed: their meetings (as member or observer) and their task and supervision deadlines.

The feed is reached by a secret address (/calendar/<token>.ics) that calendar apps poll without
signing in, so the token is the credential: only its SHA-256 is stored, it is shown once when
issued, and issuing a new one revokes the old.
"""

import hashlib
import secrets
from datetime import date, timedelta
from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from quorum.core.messages import message
from quorum.core.states import MeetingStatus, SupervisionStatus, TaskStatus
from quorum.db import Attendance, CalendarFeed, Matter, Meeting, MeetingMember, Person, Post, SupervisionItem, Task
from quorum.services.env import Env

MEETING_LENGTH = timedelta(hours=2)
PRODID = message("calendar.feed_product_id")


def _digest(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def issue(s: Session, env: Env, actor: Person) -> str:
    """Create the actor's feed address, replacing any earlier one; return the token (shown once)."""
    token = secrets.token_urlsafe(24)
    s.execute(delete(CalendarFeed).where(CalendarFeed.person_id == actor.id))
    s.add(CalendarFeed(person_id=actor.id, token_hash=_digest(token), created_at=env.now))
    s.flush()
    return token


def has_feed(s: Session, person_id: int) -> bool:
    return s.execute(select(CalendarFeed.id).where(CalendarFeed.person_id == person_id)).first() is not None


def path_for(token: str) -> str:
    return f"/calendar/{token}.ics"


def person_for(s: Session, token: str) -> Person | None:
    row = s.execute(select(CalendarFeed).where(CalendarFeed.token_hash == _digest(token))).scalar_one_or_none()
    person = s.get(Person, row.person_id) if row else None
    return person if person is not None and person.active else None


def _all_day(uid: str, day: date, summary: str, description: str, stamp) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    return event


def _meetings(s: Session, person: Person) -> list[Meeting]:
    member = select(MeetingMember.meeting_id).where(MeetingMember.person_id == person.id)
    observer = select(Attendance.meeting_id).where(Attendance.person_id == person.id, Attendance.status == "observer")
    query = (select(Meeting).where(or_(Meeting.id.in_(member), Meeting.id.in_(observer)),
                                   Meeting.status != MeetingStatus.CANCELLED).order_by(Meeting.scheduled_at))
    return list(s.execute(query).scalars())


def build(s: Session, env: Env, person: Person, organisation: str) -> bytes:
    """The person's calendar as iCalendar bytes (times in UTC, dates as all-day events)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{organisation} · {person.name}")
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = env.now
    for m in _meetings(s, person):
        event = Event()
        event.add("uid", f"meeting-{m.id}@quorum")
        event.add("dtstamp", stamp)
        event.add("dtstart", m.scheduled_at)
        event.add("dtend", m.scheduled_at + MEETING_LENGTH)
        event.add("summary", m.title)
        event.add("location", m.place)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    tasks = s.execute(select(Task, Matter).join(Matter, Matter.id == Task.matter_id)
                      .where(Task.assignee_id == person.id, Task.status == TaskStatus.OPEN,
                             Task.due_date.is_not(None)).order_by(Task.due_date)).all()
    for task, matter in tasks:
        note = message("calendar.feed_provisional_note") if task.due_provisional else ""
        summary = message("calendar.feed_task_summary", title=task.title)
        description = message("calendar.feed_task_description", title=matter.title, note=note)
        cal.add_component(_all_day(f"task-{task.id}@quorum", task.due_date, summary, description, stamp))
    units = set(s.execute(select(Post.unit_id).where(Post.person_id == person.id, Post.active.is_(True))).scalars())
    items = s.execute(select(SupervisionItem).where(SupervisionItem.status != SupervisionStatus.DONE)
                      .order_by(SupervisionItem.due_date)).scalars()
    for item in items:
        if item.lead_unit_id in units or units & set(item.co_unit_ids):
            role = message("calendar.feed_role_lead" if item.lead_unit_id in units else "calendar.feed_role_co")
            summary = message("calendar.feed_supervision_summary", title=item.title)
            description = message("calendar.feed_supervision_description", role=role)
            cal.add_component(_all_day(f"supervision-{item.id}@quorum", item.due_date, summary, description, stamp))
    return cal.to_ical()


def invitation(meetings: list[Meeting], organizer: str, attendee: str, attendee_name: str, stamp) -> bytes:
    """The .ics a meeting's notice e-mail carries (METHOD:REQUEST): the calendar app adds the meeting with one tap.

    The UID is the feed's, so a person who also subscribes to the feed sees the meeting once; SEQUENCE follows
    the meeting's version, so a later notice of the same meeting updates the entry instead of adding one.
    Replies are not asked for (RSVP=FALSE): attendance is recorded in the meeting room, not by e-mail.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "REQUEST")
    for m in meetings:
        event = Event()
        event.add("uid", f"meeting-{m.id}@quorum")
        event.add("dtstamp", stamp)
        event.add("sequence", m.version or 0)
        event.add("dtstart", m.scheduled_at)
        event.add("dtend", m.scheduled_at + MEETING_LENGTH)
        event.add("summary", m.title)
        event.add("location", m.place)
        event.add("status", "CONFIRMED")
        name, address = parseaddr(organizer)
        host = vCalAddress(f"mailto:{address}")
        if name:
            host.params["cn"] = vText(name)
        event.add("organizer", host, encode=0)
        guest = vCalAddress(f"mailto:{attendee}")
        guest.params.update({"cn": vText(attendee_name), "role": vText("REQ-PARTICIPANT"),
                             "partstat": vText("NEEDS-ACTION"), "rsvp": vText("FALSE")})
        event.add("attendee", guest, encode=0)
        cal.add_component(event)
    return cal.to_ical()
