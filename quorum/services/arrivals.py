"""Notices on arrival: a person is told the moment work lands on them (issue 14, item 1).

One function per kind of arrival, each called from the one place the event happens, in that
change's own transaction: a new task (`task_assigned`), an item put to the vote (`vote_opened`),
a meeting called (`meeting_called`), a draft waiting for sign_off (`awaiting_signature`), a decision on
one's own request (`request_decided`), a copy (`copied`) and an @-mention in an opinion or comment
(`mentioned`). Each enqueues through the outbox (quorum.services.outbox.notify) under a key of its
own, so the same arrival never notifies twice; the wording is templates/messages/<kind>.txt.

Nobody is told of his own action: the acting person of the transaction (the person named by its
latest audit event, or the actor passed in) is left out. The outbox's dispatch later sends each
notice by e-mail and to the group robots whose `kinds` list it, bundling a burst per person and minute.
"""

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum import calendar
from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.core.routing import format_money
from quorum.core.states import MatterStatus
from quorum.db import Attendance, Document, Matter, MatterStep, Meeting, Person, Task, Unit
from quorum.notify.wording import render
from quorum.services import audit, policies, visibility
from quorum.services.env import Env
from quorum.services.outbox import Event, notify

# The kinds of notice this module raises, in the order config.toml and the README list them.
KINDS = ("task_assigned", "vote_opened", "meeting_called", "awaiting_signature", "request_decided", "copied",
         "mentioned")
ENDED = (MatterStatus.CLOSED, MatterStatus.REJECTED, MatterStatus.WITHDRAWN, MatterStatus.LAPSED)
EXCERPT = 200


def acting_person(s: Session) -> int | None:
    """Who acts in this transaction: the person of its latest audit event that names one (None: the system)."""
    pending = s.info.get(audit._PENDING) or []
    return next((e.actor_id for e in reversed(pending) if e.actor_id is not None), None)


def _tell(s: Session, env: Env, kind: str, key: str, people: Iterable[int], *, actor_id: int | None,
          subject: str, subject_id: int | None, matter_id: int | None, link: str, fresh: bool = False,
          **context: Any) -> list[dict[str, Any]]:
    """Render the notice for each person (it greets them by name) and enqueue it; leave out the actor.

    `fresh`: the key is made of an id this transaction has just created, so no notice can hold it yet.
    """
    out: list[dict[str, Any]] = []
    for pid in dict.fromkeys(people):
        if pid is None or pid == actor_id:
            continue
        person = s.get(Person, pid)
        if person is None or not person.active:
            continue
        title, body = render(env.templates_dir, kind, person=person, **context)
        out += notify(s, env, Event(key, kind, title, body, subject, subject_id, matter_id, link), [pid], fresh=fresh)
    return out


def _name(s: Session, person_id: int | None) -> str:
    person = s.get(Person, person_id) if person_id is not None else None
    return person.name if person is not None else ""


def _amount(s: Session, matter: Matter) -> str:
    """The matter's first money field that carries a value, formatted (the amount with the yuan unit); "" when none."""
    try:
        spec = policies.policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
    except QuorumError:
        return ""
    for field in spec.fields:
        value = (matter.fields or {}).get(field.key)
        if field.type == "money" and value not in (None, ""):
            return format_money(value)
    return ""


def matter_link(matter_id: int) -> str:
    return f"/matters/{matter_id}"


# --------------------------------------------------------------------------------------------
# the kinds


def task_assigned(s: Session, env: Env, task: Task, matter: Matter, step: MatterStep | None = None
                  ) -> list[dict[str, Any]]:
    """A new task: its assignee is told the matter, step, unit, amount, due date and where to act."""
    step = step or s.get(MatterStep, task.step_id)
    unit = s.get(Unit, matter.unit_id) if matter.unit_id else None
    actor_id = acting_person(s)
    return _tell(s, env, "task_assigned", f"task:{task.id}:assigned", [task.assignee_id], actor_id=actor_id,
                 subject="task", subject_id=task.id, matter_id=matter.id, link=matter_link(matter.id), fresh=True,
                 task=task, matter=matter, step_name=step.name if step else "", unit_name=unit.name if unit else "",
                 amount=_amount(s, matter))


def vote_opened(s: Session, env: Env, actor: Person, meeting: Meeting, item: Any, voter_ids: Iterable[int],
                voter_id: int | None = None) -> list[dict[str, Any]]:
    """An agenda item is put to the vote (its first ballot): every member present who may vote is told."""
    people = [pid for pid in voter_ids if pid != voter_id]
    return _tell(s, env, "vote_opened", f"item:{item.id}:vote_opened", people, actor_id=actor.id,
                 subject="meeting", subject_id=meeting.id, matter_id=item.matter_id, link=f"/meetings/{meeting.id}",
                 meeting=meeting, item=item)


def meeting_called(s: Session, env: Env, actor: Person, meeting: Meeting) -> list[dict[str, Any]]:
    """The notice of a meeting: every member and observer of a newly called meeting gets its time, place and agenda."""
    observers = list(s.execute(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id,
                                                                  Attendance.status == "observer")).scalars())
    members = [m.person_id for m in meeting.members]
    context = {"meeting": meeting, "at": calendar.to_local(meeting.scheduled_at),
               "items": [i.title for i in meeting.items]}
    key, link = f"meeting:{meeting.id}:called", f"/meetings/{meeting.id}"
    out = _tell(s, env, "meeting_called", key, members, actor_id=actor.id, subject="meeting",
                subject_id=meeting.id, matter_id=None, link=link, fresh=True, observer=False, **context)
    out += _tell(s, env, "meeting_called", key, [p for p in observers if p not in members], actor_id=actor.id,
                 subject="meeting", subject_id=meeting.id, matter_id=None, link=link, fresh=True, observer=True,
                 **context)
    return out


def observer_invited(s: Session, env: Env, actor: Person, meeting: Meeting, person_id: int) -> list[dict[str, Any]]:
    """An observer recorded after the notice of the meeting went out gets the same notice then (once: the key is the
    notice's).
    """
    context = {"meeting": meeting, "at": calendar.to_local(meeting.scheduled_at),
               "items": [i.title for i in meeting.items]}
    return _tell(s, env, "meeting_called", f"meeting:{meeting.id}:called", [person_id], actor_id=actor.id,
                 subject="meeting", subject_id=meeting.id, matter_id=None, link=f"/meetings/{meeting.id}",
                 observer=True, **context)


def awaiting_signature(s: Session, env: Env, document: Document, signer_ids: Iterable[int],
                       signoff_id: int | None = None) -> list[dict[str, Any]]:
    """Sent for sign_off: a draft waits; the people who may sign it off are told (not the one who sent it).

    `signoff_id` (the round of sending for sign_off) keys the notice, so a draft sent again after a return is told
    again.
    """
    unit = s.get(Unit, document.issuer_unit_id) if document.issuer_unit_id else None
    about = ""
    if document.matter_id:
        about = s.get(Matter, document.matter_id).title
    elif document.meeting_id:
        about = s.get(Meeting, document.meeting_id).title
    actor_id = acting_person(s) or document.created_by_id
    key = f"document:{document.id}:signoff:{signoff_id}" if signoff_id else f"document:{document.id}:awaiting_signature"
    return _tell(s, env, "awaiting_signature", key, signer_ids,
                 actor_id=actor_id, subject="document", subject_id=document.id, matter_id=document.matter_id,
                 link=f"/documents/{document.id}", fresh=True, document=document, issuer_name=unit.name if unit else "",
                 about=about if about != document.title else "")


def request_decided(s: Session, env: Env, actor_id: int | None, matter: Matter, reason: str = ""
                    ) -> list[dict[str, Any]]:
    """A matter reached an end (done, not passed, withdrawn, lapsed): its initiator is told, unless he ended it."""
    if matter.status not in ENDED:
        return []
    actor_id = actor_id if actor_id is not None else acting_person(s)
    return _tell(s, env, "request_decided", f"matter:{matter.id}:{matter.status}", [matter.initiator_id],
                 actor_id=actor_id, subject="matter", subject_id=matter.id, matter_id=matter.id,
                 link=matter_link(matter.id), matter=matter, status_name=message(f"status.{matter.status}"),
                 reason=reason or "", by_name=_name(s, actor_id))


def copied(s: Session, env: Env, actor: Person, matter: Matter, copies: Iterable[Any]) -> list[dict[str, Any]]:
    """Copy: each person the matter was copied to is told who copied it, with the note."""
    out: list[dict[str, Any]] = []
    for row in copies:
        out += _tell(s, env, "copied", f"copy:{row.id}", [row.person_id], actor_id=actor.id, subject="matter",
                     subject_id=matter.id, matter_id=matter.id, link=matter_link(matter.id), fresh=True,
                     matter=matter, actor=actor, note=row.note or "")
    return out


MENTION = re.compile("[@" + chr(0xFF20) + "]")      # @ or the full-width at sign


def mentioned_people(s: Session, text: str) -> list[Person]:
    """The active people an `@name` in the text names (the longest name that follows each @); others are ignored."""
    if not text or not MENTION.search(text):
        return []
    people = list(s.execute(select(Person).where(Person.active.is_(True))).scalars())
    by_name: dict[str, list[Person]] = {}
    for p in people:
        by_name.setdefault(p.name, []).append(p)
    names = sorted(by_name, key=len, reverse=True)
    found: dict[int, Person] = {}
    for at in MENTION.finditer(text):
        rest = text[at.end():]
        name = next((n for n in names if n and rest.startswith(n)), None)
        if name is not None:
            for p in by_name[name]:
                found.setdefault(p.id, p)
    return list(found.values())


def mentioned(s: Session, env: Env, actor: Person, matter: Matter, text: str, where: str) -> list[dict[str, Any]]:
    """An @-mention in an opinion or comment: each active person named who may read the matter is told
    (`where` keys the opinion); a name that matches nobody, or somebody the matter is closed to, tells no one."""
    people = [p for p in mentioned_people(s, text) if visibility.can_view(s, env, p, matter)]
    if not people:
        return []
    excerpt = text.strip()
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[:EXCERPT] + message("arrivals.ellipsis")
    return _tell(s, env, "mentioned", f"{where}:mention", [p.id for p in people], actor_id=actor.id,
                 subject="matter", subject_id=matter.id, matter_id=matter.id, link=matter_link(matter.id),
                 matter=matter, actor=actor, excerpt=excerpt)
