"""Agenda and meeting room: which matters may go on a body's agenda (and why not), and the meeting room as plain data.

The rules live in quorum.services.meetings. This module reads them to tell the secretariat in
advance what `meetings.add_item` would answer for each matter, composes scheduling with secret
ballots, and gathers what the meeting list and the meeting room show one person — including
which controls to offer, decided by the same checks the services make.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import voting
from quorum.core.errors import InvalidInput, NotPermitted
from quorum.core.messages import message
from quorum.core.spec import BodySpec
from quorum.core.states import ItemStatus, MatterStatus, MeetingStatus, StepStatus, status_name
from quorum.db import (
    AgendaItem,
    Attendance,
    Ballot,
    Matter,
    MatterStep,
    Meeting,
    Opinion,
    Person,
    Post,
    Unit,
    WrittenOpinion,
)
from quorum.services import attachments, matter_rows, matters, meetings, org, permissions, records, visibility
from quorum.services.env import Env
from quorum.services.policies import policy_set_for

OPEN_ITEM = (ItemStatus.PENDING, ItemStatus.VOTING)
LIVE_MEETING = (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)


# --------------------------------------------------------------------------------------------
# the agenda builder


def candidates(s: Session, body_key: str, unit_id: int | None = None) -> dict[str, list[dict[str, Any]]]:
    """Split active matters routed to this body's meeting into those that may go on now and those not yet.

    For a unit-scoped body (a member unit's leadership meeting) only the matters of that unit are listed. A matter
    at a mandatory step (ratification) is marked: `meetings.schedule` puts it on the next meeting by itself.
    """
    waiting = _on_agendas(s)
    out: dict[str, list[dict[str, Any]]] = {"eligible": [], "blocked": []}
    query = select(Matter).where(Matter.status == MatterStatus.ACTIVE).order_by(Matter.id)
    if unit_id is not None:
        query = query.where(Matter.unit_id == unit_id)
    for matter in s.execute(query).scalars():
        step = _body_step(s, matter, body_key)
        if step is None:
            continue
        body = policy_set_for(s, matter.policy_version_id).body(body_key)
        current = next((st for st in matter.steps if st.step_key == matter.current_step), None)
        reason = _blocked_reason(s, matter, step, body, waiting.get((matter.id, step.step_key)))
        out["blocked" if reason else "eligible"].append({
            "id": matter.id, "title": matter.title, "personnel": matter.personnel, "urgent": matter.urgent,
            "fast_forward": not reason and matter.current_step != step.step_key,
            "secret_allowed": matter.personnel and body.secret_ballot_personnel,
            "mandatory": matter_rows.step_spec(s, matter, step.step_key).mandatory and matter.current_step == step.step_key,
            "current_step": current.name if current else "", "reason": reason})
    return out


def _body_step(s: Session, matter: Matter, body_key: str) -> MatterStep | None:
    """The matter's meeting step for this body that is still ahead of it (or current).

    The body may come from a field (an emergency decision: the body chosen to ratify), so it is read per matter.
    """
    spec = matters.workflow_of(s, matter)
    values = matters.values_of(spec, matter)
    for step in matter.steps:
        if (step.applies and step.status in (StepStatus.PENDING, StepStatus.ACTIVE)
                and spec.step(step.step_key).body_for(values) == body_key):
            return step
    return None


def _on_agendas(s: Session) -> dict[tuple[int, str], Meeting]:
    """Matters already waiting on the agenda of a meeting not yet held or in session."""
    rows = s.execute(select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id).where(
        AgendaItem.status.in_(OPEN_ITEM), Meeting.status.in_(LIVE_MEETING)))
    return {(item.matter_id, item.step_key): meeting for item, meeting in rows}


def _blocked_reason(s: Session, matter: Matter, step: MatterStep, body: BodySpec, waiting: Meeting | None) -> str:
    """Why add_item would refuse this matter now, in the secretariat's words; "" when it would accept it."""
    if matter.urgent and not org.holds_any(s, matter.urgent_by_id, (body.principal_role,)):
        return message("agenda.urgent_not_by_principal", body=body.short_name)
    if matter.current_step != step.step_key and not matter.urgent:
        return meetings.missing_text(s, matter)
    if waiting is not None:
        return message("agenda.already_listed", title=waiting.title, at=waiting.scheduled_at)
    return ""


def schedule(s: Session, env: Env, actor: Person, body_key: str, title: str, at: datetime, place: str,
             items: Iterable[tuple[int, bool]] = (), urgent: bool = False, unit_key: str | None = None) -> Meeting:
    """Call a meeting and put the chosen matters on it, each (matter_id, secret) — secret ballot when asked.

    Matters waiting for ratification are already put on by meetings.schedule; choosing them again is no error.
    """
    meeting = meetings.schedule(s, env, actor, body_key, title, at, place, (), urgent=urgent, unit_key=unit_key)
    already = {i.matter_id for i in meeting.items}
    for matter_id, secret in items:
        if matter_id not in already:
            meetings.add_item(s, env, actor, meeting.id, matter_id, secret=secret)
    return meeting


def organisable_bodies(s: Session, env: Env, actor: Person) -> list[dict[str, Any]]:
    """The bodies whose meetings this person may call, as meetings.can_organise decides."""
    return [{"key": b.key, "name": b.name, "short_name": b.short_name, "notice_working_days": b.notice_working_days,
             "may_call_urgent": org.holds_any(s, actor.id, (b.principal_role,)), "scope": b.scope}
            for b in env.policies.policy_set.bodies.values() if meetings.can_organise(s, env, actor, b)]


def organisable_units(s: Session, env: Env, actor: Person, body: BodySpec) -> list[dict[str, Any]]:
    """For a unit-scoped body: the units that hold seats on it and whose meetings this person may call."""
    seated = set(s.execute(select(Post.unit_id).where(Post.role.in_(body.seat_roles), Post.active.is_(True))).scalars())
    units = s.execute(select(Unit).where(Unit.id.in_(seated)).order_by(Unit.id)).scalars()
    return [{"key": u.key, "id": u.id, "name": u.name, "short_name": u.short_name}
            for u in units if meetings.can_organise(s, env, actor, body, u)]


def schedule_form(s: Session, env: Env, actor: Person, body_key: str | None, unit_key: str | None = None
                  ) -> dict[str, Any]:
    """What the form to schedule a meeting offers this person for one body (the first they may organise by default).

    A unit-scoped body also needs the unit whose meeting it is; the agenda lists that unit's matters.
    """
    bodies = organisable_bodies(s, env, actor)
    body = next((b for b in bodies if b["key"] == body_key), None) if body_key else (bodies[0] if bodies else None)
    if body is None:
        raise NotPermitted.because("agenda.organisers_only")
    units, unit = [], None
    if body["scope"] == "unit":
        units = organisable_units(s, env, actor, env.policies.policy_set.body(body["key"]))
        unit = next((u for u in units if u["key"] == unit_key), None) if unit_key else (units[0] if units else None)
        if unit is None:
            raise NotPermitted.because("agenda.unit_not_yours", body=body["short_name"])
    return {"bodies": bodies, "body": body, "units": units, "unit": unit,
            "candidates": candidates(s, body["key"], unit["id"] if unit else None)}


# --------------------------------------------------------------------------------------------
# who may see a meeting


def may_view(s: Session, env: Env, person: Person, meeting: Meeting) -> bool:
    """Members, observers, organisers, and those granted meeting.view_all (secretariat, administrator, discipline
    inspection) see a meeting.
    """
    if any(m.person_id == person.id for m in meeting.members) or permissions.may(s, env, person, "meeting.view_all"):
        return True
    if meetings.can_organise(s, env, person, meetings.body_of(s, meeting), meetings.meeting_unit(s, meeting)):
        return True
    observer = s.execute(select(Attendance.id).where(Attendance.meeting_id == meeting.id,
                                                     Attendance.person_id == person.id,
                                                     Attendance.status == "observer")).first()
    return observer is not None


def viewable(s: Session, env: Env, person: Person, meeting_id: int) -> Meeting:
    meeting = meetings.get(s, meeting_id)
    if not may_view(s, env, person, meeting):
        raise NotPermitted.because("agenda.viewers_only")
    return meeting


def overview(s: Session, env: Env, actor: Person) -> dict[str, Any]:
    """The meetings this person may see, split into upcoming, in session and closed."""
    groups: dict[str, list[dict[str, Any]]] = {"scheduled": [], "in_session": [], "closed": []}
    for meeting in s.execute(select(Meeting).order_by(Meeting.scheduled_at, Meeting.id)).scalars():
        if meeting.status not in groups or not may_view(s, env, actor, meeting):
            continue
        groups[meeting.status].append({
            "id": meeting.id, "title": meeting.title, "body": meetings.body_of(s, meeting).short_name,
            "scheduled_at": meeting.scheduled_at, "place": meeting.place, "status": meeting.status,
            "urgent": meeting.urgent, "items": len(meeting.items)})
    groups["closed"].reverse()
    return {"upcoming": groups["scheduled"], "in_session": groups["in_session"], "closed": groups["closed"],
            "bodies": organisable_bodies(s, env, actor)}


# --------------------------------------------------------------------------------------------
# the meeting room


def item_state(s: Session, env: Env, actor: Person, meeting_id: int, seq: int) -> dict[str, Any]:
    """One item's live quorum, presiding person, missing votes and result."""
    meeting = viewable(s, env, actor, meeting_id)
    return records.item_record(s, meetings.item(s, meeting, seq))


def room(s: Session, env: Env, actor: Person, meeting_id: int) -> dict[str, Any]:
    """The meeting record plus, for this person, the controls the services would accept."""
    meeting = viewable(s, env, actor, meeting_id)
    body = meetings.body_of(s, meeting)
    record = records.meeting_record(s, meeting.id)
    organiser = meetings.can_organise(s, env, actor, body, meetings.meeting_unit(s, meeting))
    in_session = meeting.status == MeetingStatus.IN_SESSION
    live = meeting.status in LIVE_MEETING
    seats = [(m.person_id, m.name) for m in meeting.members]
    usernames = dict(s.execute(select(Person.id, Person.username).where(
        Person.id.in_([pid for pid, _ in seats]))).all())
    for row, (pid, _name) in zip(record["members"], seats, strict=True):
        row["username"] = usernames[pid]

    def people(ids: Iterable[int]) -> list[dict[str, str]]:
        wanted = set(ids)
        return [{"username": usernames[pid], "name": name} for pid, name in seats if pid in wanted]

    record["items"] = [{**_item_controls(s, env, meeting, body, i, rec, actor, organiser, people),
                        **_my_part(s, i, actor), **_materials(s, env, actor, i)}
                       for i, rec in zip(meeting.items, record["items"], strict=True)]
    open_items = any(i.status in OPEN_ITEM for i in meeting.items)
    record.update(
        me=_me(s, meeting, actor),
        organiser=organiser, chair_speaks_last=body.chair_speaks_last,
        can_open=organiser and meeting.status == MeetingStatus.SCHEDULED,
        can_close=organiser and in_session and not open_items,
        can_attend=organiser and live,
        observer_choices=_observer_choices(s, meeting) if organiser and live else [],
        add_choices=_add_choices(s, meeting, body) if organiser and live else [])
    return record


def _item_controls(s: Session, env: Env, meeting: Meeting, body: BodySpec, item: AgendaItem, rec: dict[str, Any],
                   actor: Person, organiser: bool, choices: Callable[[Iterable[int]], list]) -> dict[str, Any]:
    """What this person may do on one item right now, worked out with the services' own checks."""
    roll = meetings.roll(s, meeting, item)
    presiding = voting.presiding(body, roll)
    votable = meeting.status == MeetingStatus.IN_SESSION and item.status in OPEN_ITEM
    enters_votes = meetings.can_enter_votes(s, env, actor)
    written = set(s.execute(select(WrittenOpinion.person_id).where(WrittenOpinion.item_id == item.id)).scalars())
    waiting_ack = bool(rec["to_acknowledge"]) and rec["acknowledged_at"] is None
    return {**rec,
            "may_vote": votable and not waiting_ack and actor.id in roll.voters and actor.id not in roll.voted,
            "waiting_acknowledgement": votable and waiting_ack,
            "may_acknowledge": votable and waiting_ack and meetings.can_close_item(s, env, actor, presiding),
            "voted_by_me": actor.id in roll.voted,
            "in_my_vote": votable and (actor.id in roll.voters or actor.id in roll.voted),
            "is_presiding": presiding == actor.id,
            "chair_waiting": body.chair_speaks_last and presiding == actor.id
            and bool(voting.pending_before_chair(body, roll)),
            "recuse_choices": choices(roll.expected - roll.recused)
            if organiser and item.status == ItemStatus.PENDING and meeting.status in LIVE_MEETING else [],
            "written_choices": choices(roll.expected - roll.present - written)
            if organiser and meeting.status in LIVE_MEETING and item.status in OPEN_ITEM else [],
            "entry_choices": choices(roll.voters - roll.voted)
            if votable and not waiting_ack and enters_votes and not item.secret else [],
            "can_close": votable and meetings.can_close_item(s, env, actor, presiding),
            "can_defer": votable and organiser,
            "show_ballots": item.status == ItemStatus.DECIDED and not item.secret}


def _me(s: Session, meeting: Meeting, actor: Person) -> dict[str, Any]:
    """The viewer's own seat: whether he holds one, is on leave, and may still hand in his own written opinion."""
    member = any(m.person_id == actor.id for m in meeting.members)
    row = s.execute(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                             Attendance.person_id == actor.id)).scalar_one_or_none()
    absent = row is not None and row.status == "absent"
    open_items = any(i.status in OPEN_ITEM for i in meeting.items)
    return {"member": member, "absent": absent, "absence_reason": row.reason if absent else "",
            "may_hand_in": member and meeting.status == MeetingStatus.SCHEDULED and open_items,
            "not_registered": member and meeting.status == MeetingStatus.IN_SESSION and open_items and row is None}


def _my_part(s: Session, item: AgendaItem, actor: Person) -> dict[str, Any]:
    """What the viewer chose on a named ballot (never on a secret one: it is not kept) and his own written opinion."""
    ballot = None if item.secret else s.execute(select(Ballot).where(
        Ballot.item_id == item.id, Ballot.person_id == actor.id)).scalar_one_or_none()
    written = s.execute(select(WrittenOpinion.text).where(WrittenOpinion.item_id == item.id,
                                                          WrittenOpinion.person_id == actor.id)).scalar_one_or_none()
    return {"my_choice": ballot.choice if ballot else None,
            "my_choice_name": message(f"choice.{ballot.choice}") if ballot else None,
            "my_reason": ballot.reason if ballot else "", "my_written": written}


def _materials(s: Session, env: Env, actor: Person, item: AgendaItem) -> dict[str, Any]:
    """The item's papers one tap away in the room: the matter's attachments and its gate opinions of the
    current round, for those who may read the matter (the same rule as the matter page).
    """
    matter = s.get(Matter, item.matter_id)
    if not visibility.can_view(s, env, actor, matter):
        return {"materials_visible": False, "attachments": [], "gate_opinions": []}
    spec = matter_rows.workflow_of(s, matter)
    rounds = {st.step_key: st.round for st in matter.steps}
    requirement_names = {r.key: r.name for st in spec.steps for r in st.requirements}    # 前置程序 opinions
    opinions = [o for o in s.execute(select(Opinion).where(Opinion.matter_id == matter.id,
                                                           Opinion.requirement.is_not(None))
                                     .order_by(Opinion.id)).scalars()
                if o.round == rounds.get(o.step_key)]
    names = dict(s.execute(select(Person.id, Person.name).where(
        Person.id.in_({o.author_id for o in opinions if o.author_id}))).all())
    return {"materials_visible": True,
            "attachments": [{"id": a.id, "filename": a.filename, "size": a.size}
                            for a in attachments.listing(s, matter.id)],
            "gate_opinions": [{"requirement": requirement_names.get(o.requirement, ""),
                               "author": names.get(o.author_id) or message("system_author"),
                               "decision": records.action_label(spec.step(o.step_key), o.decision), "text": o.text}
                              for o in opinions]}


def hand_in(s: Session, env: Env, actor: Person, meeting_id: int, reason: str, opinions: dict[int, str]) -> str:
    """A member who cannot attend: his leave of absence (when he gives a reason) and his written opinion on each item he
    wrote one for, in one go before the meeting opens. Returns what was handed in, in words.
    """
    done = []
    if reason.strip():
        meetings.request_leave(s, env, actor, meeting_id, reason)
        done.append(message("meeting_room.leave_recorded"))
    filed = [meetings.own_written_opinion(s, env, actor, meeting_id, seq, text)
             for seq, text in sorted(opinions.items()) if text.strip()]
    if filed:
        done.append(message("meeting_room.opinions_recorded", count=len(filed)))
    if not done:
        raise InvalidInput.because("meeting_room.nothing_handed_in")
    return message("meeting_room.handed_in", what=message("value.list_separator").join(done))


def _observer_choices(s: Session, meeting: Meeting) -> list[dict[str, str]]:
    """People who could attend as observers: active, not expected members, not already observing."""
    taken = {m.person_id for m in meeting.members} | set(s.execute(select(Attendance.person_id).where(
        Attendance.meeting_id == meeting.id, Attendance.status == "observer")).scalars())
    people = s.execute(select(Person).where(Person.active.is_(True)).order_by(Person.id)).scalars()
    return [{"username": p.username, "name": p.name} for p in people if p.id not in taken]


def _add_choices(s: Session, meeting: Meeting, body: BodySpec) -> list[dict[str, Any]]:
    """Matters that may still join this agenda: eligible ones before the meeting, urgent ones during it."""
    eligible = candidates(s, body.key, meeting.unit_id)["eligible"]
    if meeting.status == MeetingStatus.IN_SESSION:
        return [c for c in eligible if c["urgent"]]
    return eligible


def listing(s: Session, env: Env, person: Person, status: str | None = None) -> list[dict[str, Any]]:
    """Summaries of the meetings this person may see (same rule as may_view), latest first."""
    query = select(Meeting).order_by(Meeting.scheduled_at.desc(), Meeting.id.desc())
    if status:
        query = query.where(Meeting.status == status)
    out = []
    for meeting in s.execute(query).scalars():
        if not may_view(s, env, person, meeting):
            continue
        body = meetings.body_of(s, meeting)
        out.append({"id": meeting.id, "title": meeting.title, "body": body.key, "body_name": body.name,
                    "status": meeting.status, "status_name": status_name("meeting", meeting.status),
                    "scheduled_at": meeting.scheduled_at, "place": meeting.place, "urgent": meeting.urgent,
                    "items": len(meeting.items)})
    return out
