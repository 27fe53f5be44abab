"""Meetings: schedule with notice, agenda, attendance, recusal, ballots and item results.

A matter reaches a meeting only from its workflow's meeting step for that body (its gate and
reviews done), or when a principal leader has marked it urgent; everything else is an impromptu motion
and is refused. Each item's quorum is counted at the moment of each ballot and again at close,
so a member who leaves mid-meeting can cost a personnel item its quorum while an ordinary item
keeps it.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quorum import calendar
from quorum.core import states, voting
from quorum.core.errors import InvalidInput, InvalidTransition, NotFound, NotPermitted, VotingRuleViolated
from quorum.core.messages import message
from quorum.core.spec import BodySpec, clean_text
from quorum.core.states import AttendanceStatus, ItemStatus, MatterStatus, MeetingStatus
from quorum.core.steps import kind_class
from quorum.db import (
    AgendaItem,
    Attendance,
    Ballot,
    BallotReceipt,
    Matter,
    Meeting,
    MeetingMember,
    Opinion,
    Person,
    Recusal,
    SecretTally,
    Task,
    Unit,
    WrittenOpinion,
)
from quorum.services import arrivals, assign, audit, events, matters, org, permissions, validity
from quorum.services.env import Env
from quorum.services.policies import current_version, policy_set_for

ATTENDANCE = ("present", "left", "absent", "observer")


def body_of(s: Session, meeting: Meeting) -> BodySpec:
    return policy_set_for(s, meeting.policy_version_id).body(meeting.body_key)


def can_organise(s: Session, env: Env, actor: Person, body: BodySpec, unit: Unit | None = None) -> bool:
    """Whether the actor may run this body's meetings: the one check behind buttons and services.

    A body's chair or principal runs its meetings (a unit-scoped body's, such as a member unit's leadership meeting,
    at that unit); so does whoever permissions.toml grants meeting.organise (the secretariat).
    """
    if permissions.may(s, env, actor, "meeting.organise"):
        return True
    roles = (body.principal_role, body.chair_role)
    if unit is None:
        return org.holds_any(s, actor.id, roles)
    return any(p.active and p.role in roles and p.unit_id == unit.id for p in actor.posts)


def meeting_unit(s: Session, meeting: Meeting) -> Unit | None:
    return s.get(Unit, meeting.unit_id) if meeting.unit_id else None


def can_enter_votes(s: Session, env: Env, actor: Person) -> bool:
    """Whether the actor may record a named (show-of-hands) vote for a member: meeting.organise (the secretariat)."""
    return permissions.may(s, env, actor, "meeting.organise")


def can_close_item(s: Session, env: Env, actor: Person, presiding_id: int | None) -> bool:
    """Whether the actor may announce an item's result: its presiding member or meeting.organise (the secretariat)."""
    return actor.id == presiding_id or permissions.may(s, env, actor, "meeting.organise")


def _require_organiser(s: Session, env: Env, actor: Person, body: BodySpec, unit: Unit | None = None) -> None:
    if not can_organise(s, env, actor, body, unit):
        raise NotPermitted.because("meeting.organisers_only", body=body.short_name)


def _log(s: Session, env: Env, actor: Person | None, kind: str, meeting: Meeting, matter_id: int | None = None,
         **payload: object) -> None:
    audit.append(s, env, actor.id if actor else None, kind, "meeting", meeting.id, payload, matter_id=matter_id)


# --------------------------------------------------------------------------------------------
# scheduling


def schedule(s: Session, env: Env, actor: Person, body_key: str, title: str, at: datetime, place: str,
             matter_ids: Iterable[int] = (), urgent: bool = False, unit_key: str | None = None) -> Meeting:
    """Call a meeting: check the notice period, snapshot the expected members, put the matters on.

    Matters waiting at a mandatory step of this body (ratification of an emergency decision) go on the
    agenda of its next meeting automatically.
    """
    body = env.policies.policy_set.body(body_key)
    unit = _meeting_unit(s, body, unit_key)
    _require_organiser(s, env, actor, body, unit)
    title = clean_text(title, message("meeting.title_label"), required=False)
    place = clean_text(place, message("meeting.place_label"))
    at = calendar.to_local(at)
    if at.year < env.now.year - 1 or at > env.now + timedelta(days=730):
        raise InvalidInput.because("meeting.time_out_of_range")
    if urgent and not org.holds_any(s, actor.id, (body.principal_role,)):
        raise NotPermitted.because("meeting.urgent_by_principal")
    latest = env.calendar.subtract_working_days(at.date(), body.notice_working_days).due
    if not urgent and env.now.date() > latest:
        raise InvalidInput("notice_too_late", days=body.notice_working_days, latest=latest.isoformat())
    if at < env.now:
        raise InvalidInput.because("meeting.time_in_past")
    version = current_version(s, env)
    name = f"{unit.short_name}{body.name}" if unit else body.name
    meeting = Meeting(body_key=body.key, unit_id=unit.id if unit else None, policy_version_id=version.id,
                      title=title or message("meeting.default_title", name=name, year=at.year, month=at.month,
                                                  day=at.day),
                      scheduled_at=at, place=place, status=MeetingStatus.SCHEDULED, urgent=urgent,
                      notice_at=env.now)
    s.add(meeting)
    s.flush()
    seats = _seats(s, body, unit.id if unit else None)
    if not seats:
        raise InvalidInput.because("meeting.no_members", body=body.short_name)
    for order, (person, role) in enumerate(seats):
        s.add(MeetingMember(meeting_id=meeting.id, person_id=person.id, name=person.name, seat_role=role,
                            seat_order=order))
    meeting.chair_id = next((p.id for p, r in seats if r == body.chair_role), None)
    s.flush()
    s.refresh(meeting)
    _log(s, env, actor, "meeting.scheduled", meeting, body=body.key, at=at, place=place, urgent=urgent,
         members=[p.username for p, _ in seats], notice_latest=latest)
    matter_ids = list(matter_ids)
    for matter_id in matter_ids:
        add_item(s, env, actor, meeting.id, matter_id)
    for matter_id in mandatory_waiting(s, body, meeting.unit_id):
        if matter_id not in matter_ids:
            add_item(s, env, actor, meeting.id, matter_id)
    events.publish(s, env, events.MeetingScheduled(meeting))
    arrivals.meeting_called(s, env, actor, meeting)      # 会议通知 to every member and 列席
    return meeting


def _meeting_unit(s: Session, body: BodySpec, unit_key: str | None) -> Unit | None:
    if body.scope != "unit":
        if unit_key:
            raise InvalidInput.because("meeting.body_held_jointly", body=body.short_name)
        return None
    if not unit_key:
        raise InvalidInput.because("meeting.body_needs_unit", body=body.short_name)
    return org.unit(s, unit_key)


def _seats(s: Session, body: BodySpec, unit_id: int | None = None) -> list[tuple[Person, str]]:
    """One seat per person even if they hold two seat roles (one vote per person per body)."""
    seen: dict[int, tuple[Person, str]] = {}
    for role in body.seat_roles:
        for person in org.holders(s, role, unit_id):
            seen.setdefault(person.id, (person, role))
    return list(seen.values())


def mandatory_waiting(s: Session, body: BodySpec, unit_id: int | None) -> list[int]:
    """Matters at a mandatory meeting step of this body (ratification), not yet on an open agenda."""
    found = []
    for matter in s.execute(select(Matter).where(Matter.status == MatterStatus.ACTIVE).order_by(Matter.id)).scalars():
        step = matters.current(matter)
        if step is None or not kind_class(step.kind).waits_for_meeting:
            continue
        spec = matters.workflow_of(s, matter)
        step_spec = spec.step(step.step_key)
        if (step_spec.mandatory and step_spec.body_for(matters.values_of(spec, matter)) == body.key
                and (unit_id is None or matter.unit_id == unit_id) and not _on_open_agenda(s, matter.id, step.step_key)):
            found.append(matter.id)
    return found


def _on_open_agenda(s: Session, matter_id: int, step_key: str) -> int | None:
    return s.execute(select(AgendaItem.meeting_id).join(Meeting, Meeting.id == AgendaItem.meeting_id).where(
        AgendaItem.matter_id == matter_id, AgendaItem.step_key == step_key,
        AgendaItem.status.in_((ItemStatus.PENDING, ItemStatus.VOTING)),
        Meeting.status.in_((MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION)))).scalars().first()


def add_item(s: Session, env: Env, actor: Person, meeting_id: int, matter_id: int, secret: bool = False) -> AgendaItem:
    """Put a matter on the agenda; refuse impromptu motions and matters whose gate is not complete."""
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    body = body_of(s, meeting)
    _require_organiser(s, env, actor, body, meeting_unit(s, meeting))
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION):
        raise states_error(meeting, message("meeting.action_add_item"))
    matter = matters.locked(s, Matter, matter_id, message("state.what_matter"))
    step_key = _meeting_step_for(s, matter, body)
    if meeting.unit_id is not None and matter.unit_id != meeting.unit_id:
        raise InvalidInput.because("meeting.matter_other_unit", title=matter.title,
                                    unit=meeting_unit(s, meeting).short_name)
    expired = validity.expired_results(s, env, matter, step_key)
    if expired:
        raise InvalidInput("result_expired", **expired)
    if meeting.status == MeetingStatus.IN_SESSION and not matter.urgent:
        raise InvalidInput("ad_hoc_motion")
    needs_urgent_path = meeting.status == MeetingStatus.IN_SESSION or matter.current_step != step_key
    if needs_urgent_path and matter.urgent and not org.holds_any(s, matter.urgent_by_id, (body.principal_role,)):
        raise InvalidInput("ad_hoc_motion")      # only this body's principal leader may waive the ban
    if matter.current_step != step_key:
        if not matter.urgent:
            raise InvalidInput("gate_not_passed", title=matter.title, missing=missing_text(s, matter))
        matters.fast_forward_to(s, env, actor.id, matter, step_key)
    if secret and not (matter.personnel and body.secret_ballot_personnel):
        raise InvalidInput("secret_ballot_only_personnel")
    waiting = _on_open_agenda(s, matter.id, step_key)
    if waiting is not None:
        where = (message("meeting.this_meeting") if waiting == meeting.id
                 else message("meeting.numbered_meeting", number=waiting))
        raise InvalidInput.because("meeting.item_already_listed", title=matter.title, where=where)
    item = AgendaItem(meeting_id=meeting.id, matter_id=matter.id, step_key=step_key, seq=len(meeting.items) + 1,
                      title=matter.title, personnel=matter.personnel, secret=secret, urgent=matter.urgent,
                      status=ItemStatus.PENDING)
    s.add(item)
    s.flush()
    if secret:
        for option in voting.vote_options(body, True):
            s.add(SecretTally(item_id=item.id, choice=option, count=0))
    s.refresh(meeting)
    _log(s, env, actor, "meeting.item_added", meeting, matter.id, item=item.seq, title=matter.title,
         personnel=item.personnel, secret=secret, urgent=item.urgent)
    _recuse_named(s, env, meeting, item, matter)
    return item


def _recuse_named(s: Session, env: Env, meeting: Meeting, agenda_item: AgendaItem, matter: Matter) -> None:
    """The nominee and relatives named on the matter recuse themselves from its item automatically."""
    spec = matters.workflow_of(s, matter)
    named = assign.excluded_people(s, spec, matter)
    for member in meeting.members:
        if member.person_id in named:
            reason = message("recused_named")
            s.add(Recusal(item_id=agenda_item.id, person_id=member.person_id, reason=reason, recorded_at=env.now))
            _log(s, env, None, "meeting.recusal", meeting, matter.id, item=agenda_item.seq,
                 person=s.get(Person, member.person_id).username, reason=reason, automatic=True)
    s.flush()


def _meeting_step_for(s: Session, matter: Matter, body: BodySpec) -> str:
    if matter.status != MatterStatus.ACTIVE:
        raise InvalidInput.because("meeting.matter_not_active", title=matter.title,
                                    status=message("status." + matter.status))
    spec = matters.workflow_of(s, matter)
    values = matters.values_of(spec, matter)
    for step in matter.steps:
        if step.applies and spec.step(step.step_key).body_for(values) == body.key:
            if step.status in ("pending", "active", "skipped"):
                return step.step_key
    raise InvalidInput("not_at_meeting_step", title=matter.title, body=body.short_name)


def missing_text(s: Session, matter: Matter) -> str:
    """Say where a matter stands and which opinions or approvals it still lacks before it may go on an agenda."""
    current = next((st for st in matter.steps if st.step_key == matter.current_step), None)
    if current is None:
        return message("meeting.matter_not_in_progress")
    open_tasks = s.execute(select(Task).where(Task.step_id == current.id, Task.status == "open")).scalars()
    waiting = sorted({t.title.split(message("meeting.task_title_separator"))[0] for t in open_tasks})
    lacking = message("meeting.matter_still_lacks", names=message("value.list_separator").join(waiting))
    return message("meeting.matter_stands_at", step=current.name) + (lacking if waiting else "")


def states_error(meeting: Meeting, action: str) -> Exception:
    return InvalidTransition(what=message("state.what_meeting"), state=message(f"status.{meeting.status}"), action=action)


# --------------------------------------------------------------------------------------------
# in session


def open_session(s: Session, env: Env, actor: Person, meeting_id: int) -> Meeting:
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    body = body_of(s, meeting)
    _require_organiser(s, env, actor, body, meeting_unit(s, meeting))
    earliest = meeting.scheduled_at - timedelta(minutes=body.open_early_minutes)
    if not meeting.urgent and meeting.status == MeetingStatus.SCHEDULED and env.now < earliest:
        raise InvalidTransition("meeting.too_early", at=earliest.strftime("%Y-%m-%d %H:%M"))
    states.apply(meeting, "meeting", MeetingStatus.IN_SESSION, message("meeting.action_open"))
    meeting.opened_at = env.now
    _log(s, env, actor, "meeting.opened", meeting)
    return meeting


def _in_session(s: Session, meeting_id: int) -> Meeting:
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    if meeting.status != MeetingStatus.IN_SESSION:
        raise states_error(meeting, message("meeting.action_any"))
    return meeting


def attend(s: Session, env: Env, actor: Person, meeting_id: int, person: Person, status: str,
           reason: str = "") -> Attendance:
    """Record that a person is present, has left, is absent (on leave) or attends as an observer."""
    if status not in ATTENDANCE:
        raise InvalidInput.because("meeting.attendance_unknown", status=status)
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    _require_organiser(s, env, actor, body_of(s, meeting), meeting_unit(s, meeting))
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION):
        raise states_error(meeting, message("meeting.action_attend"))
    is_member = any(m.person_id == person.id for m in meeting.members)
    if status == "observer" and is_member:
        raise InvalidInput.because("meeting.member_not_observer", name=person.name)
    if status != "observer" and not is_member:
        raise InvalidInput.because("meeting.observer_only", name=person.name)
    label = message("meeting.absence_reason_label" if status == "absent" else "meeting.attendance_note_label")
    reason = clean_text(reason, label, 1000, required=status == "absent")
    row = s.execute(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                             Attendance.person_id == person.id)).scalar_one_or_none()
    newly_observer = status == "observer" and (row is None or row.status != "observer")
    if row is None:
        row = Attendance(meeting_id=meeting.id, person_id=person.id, status=status, reason=reason, changed_at=env.now)
        s.add(row)
    else:
        states.apply(row, "attendance", status, message("meeting.action_attendance"))
        row.reason, row.changed_at = reason, env.now
    s.flush()
    _log(s, env, actor, "meeting.attendance", meeting, person=person.username, status=status, reason=reason)
    if newly_observer and meeting.status == MeetingStatus.SCHEDULED:
        arrivals.observer_invited(s, env, actor, meeting, person.id)     # the 会议通知 reaches a late 列席 too
    return row


def item(s: Session, meeting: Meeting, seq: int) -> AgendaItem:
    found = next((i for i in meeting.items if i.seq == seq), None)
    if found is None:
        raise NotFound(what=message("state.what_item"), ref=message("meeting.item_ref", seq=seq))
    return found


def recuse(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, person: Person, reason: str) -> Recusal:
    """Record a recusal: the member takes no part in that item and leaves its quorum base."""
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    _require_organiser(s, env, actor, body_of(s, meeting), meeting_unit(s, meeting))
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION):
        raise states_error(meeting, message("meeting.action_recuse"))
    agenda_item = item(s, meeting, seq)
    if agenda_item.status not in (ItemStatus.PENDING,):
        raise InvalidInput.because("meeting.recusal_after_voting")
    if not any(m.person_id == person.id for m in meeting.members):
        raise InvalidInput.because("meeting.recusal_not_member", name=person.name)
    reason = clean_text(reason, message("meeting.recusal_reason_label"), 1000)
    row = Recusal(item_id=agenda_item.id, person_id=person.id, reason=reason, recorded_at=env.now)
    s.add(row)
    try:
        with s.begin_nested():
            s.flush()
    except IntegrityError:
        raise InvalidInput.because("meeting.recusal_twice", name=person.name) from None
    _log(s, env, actor, "meeting.recusal", meeting, agenda_item.matter_id, item=seq, person=person.username,
         reason=reason)
    return row


def written_opinion(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, person: Person,
                    text: str) -> WrittenOpinion:
    """Record an absent member's written opinion: kept in the record, never counted as presence or a vote."""
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    _require_organiser(s, env, actor, body_of(s, meeting), meeting_unit(s, meeting))
    if meeting.status not in (MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION):
        raise states_error(meeting, message("meeting.action_written_opinion"))
    if not any(m.person_id == person.id for m in meeting.members):
        raise InvalidInput.because("meeting.written_opinion_not_member", name=person.name)
    return _file_written(s, env, actor, meeting, seq, person, text)


def _file_written(s: Session, env: Env, actor: Person, meeting: Meeting, seq: int, person: Person,
                  text: str) -> WrittenOpinion:
    """Keep a member's written opinion on one open item, once, and record who filed it."""
    name = person.name                  # read now: a refused insert rolls back and expires the actor's row
    agenda_item = item(s, meeting, seq)
    if agenda_item.status not in (ItemStatus.PENDING, ItemStatus.VOTING):
        raise InvalidInput.because("meeting.written_opinion_too_late")
    if person.id in _present(s, meeting):
        raise InvalidInput.because("meeting.written_opinion_present", name=person.name)
    row = WrittenOpinion(item_id=agenda_item.id, person_id=person.id, text=clean_text(text, message("meeting.written_opinion_label"), 4000),
                         recorded_at=env.now)
    s.add(row)
    try:
        with s.begin_nested():
            s.flush()
    except IntegrityError:
        raise InvalidInput.because("meeting.written_opinion_twice", name=name) from None
    _log(s, env, actor, "meeting.written_opinion", meeting, agenda_item.matter_id, item=seq, person=person.username,
         own=actor.id == person.id)
    return row


def request_leave(s: Session, env: Env, actor: Person, meeting_id: int, reason: str) -> Attendance:
    """A member says himself, before the meeting opens, that he cannot attend (leave of absence), with the reason."""
    meeting = _before_opening(s, actor, meeting_id)
    reason = clean_text(reason, message("meeting.absence_reason_label"), 1000)
    row = s.execute(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                             Attendance.person_id == actor.id)).scalar_one_or_none()
    if row is None:
        row = Attendance(meeting_id=meeting.id, person_id=actor.id, status="absent", reason=reason, changed_at=env.now)
        s.add(row)
    else:
        states.apply(row, "attendance", AttendanceStatus.ABSENT, message("meeting.action_attendance"))
        row.reason, row.changed_at = reason, env.now
    s.flush()
    _log(s, env, actor, "meeting.attendance", meeting, person=actor.username, status="absent", reason=reason,
         own=True)
    return row


def own_written_opinion(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, text: str) -> WrittenOpinion:
    """An absent member files his own written opinion on an item before the meeting opens (the same record as the
    secretariat's): shown in the room and printed in the minutes, never counted as presence or a vote.
    """
    meeting = _before_opening(s, actor, meeting_id)
    absent = s.execute(select(Attendance.id).where(Attendance.meeting_id == meeting.id, Attendance.person_id == actor.id,
                                                   Attendance.status == "absent")).first()
    if absent is None:
        raise InvalidInput.because("meeting_room.leave_first")
    return _file_written(s, env, actor, meeting, seq, actor, text)


def _before_opening(s: Session, actor: Person, meeting_id: int) -> Meeting:
    """Lock a meeting not yet opened of which the actor holds a seat; refuse anyone else, or once it opened (409)."""
    meeting = matters.locked(s, Meeting, meeting_id, message("state.what_meeting"))
    if not any(m.person_id == actor.id for m in meeting.members):
        raise NotPermitted.because("meeting_room.members_only")
    if meeting.status != MeetingStatus.SCHEDULED:
        raise InvalidTransition("meeting_room.too_late", state=states.status_name("meeting", meeting.status))
    return meeting


def _present(s: Session, meeting: Meeting) -> frozenset[int]:
    rows = s.execute(select(Attendance.person_id).where(Attendance.meeting_id == meeting.id,
                                                        Attendance.status == "present"))
    return frozenset(rows.scalars())


def roll(s: Session, meeting: Meeting, agenda_item: AgendaItem) -> voting.ItemRoll:
    """Gather who counts for an item right now."""
    seats = tuple(voting.Seat(m.person_id, m.name, m.seat_role) for m in meeting.members)
    recused = frozenset(s.execute(select(Recusal.person_id).where(Recusal.item_id == agenda_item.id)).scalars())
    ballot_model = BallotReceipt if agenda_item.secret else Ballot
    voted = frozenset(s.execute(select(ballot_model.person_id).where(ballot_model.item_id == agenda_item.id)).scalars())
    return voting.ItemRoll(seats, _present(s, meeting), recused, voted, agenda_item.personnel)


def vote(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, choice: str, reason: str = "",
         voter: Person | None = None) -> None:
    """Cast a ballot. The secretariat may enter a named (show-of-hands) vote for a member; never a secret one.

    The rules are `voting.decide_ballot`'s; this loads the facts it needs and records the ballot it returns.
    """
    meeting = _in_session(s, meeting_id)
    body = body_of(s, meeting)
    agenda_item = matters.locked(s, AgendaItem, item(s, meeting, seq).id, message("state.what_item"))
    voter = voter or actor
    current = roll(s, meeting, agenda_item)
    facts = voting.ItemFacts(agenda_item.title, agenda_item.status, agenda_item.result, agenda_item.secret,
                             _unacknowledged(s, agenda_item))
    reason = clean_text(reason, message("meeting.vote_reason_label"), 2000, required=False)
    proxy = voter.id != actor.id
    command = voting.CastBallot(voter.id, voter.name, choice, reason, by_proxy=proxy,
                                may_enter_votes=proxy and can_enter_votes(s, env, actor))
    cast = voting.decide_ballot(body, current, facts, command)
    _record_ballot(s, env, actor, meeting, agenda_item, voter, cast, current)


def _record_ballot(s: Session, env: Env, actor: Person, meeting: Meeting, agenda_item: AgendaItem, voter: Person,
                   cast: voting.BallotCast, current: voting.ItemRoll) -> None:
    try:
        with s.begin_nested():
            if cast.secret:
                s.add(BallotReceipt(item_id=agenda_item.id, person_id=voter.id, cast_at=env.now))
                s.execute(update(SecretTally).where(SecretTally.item_id == agenda_item.id).values(
                    count=SecretTally.count + case((SecretTally.choice == cast.choice, 1), else_=0)))
            else:
                s.add(Ballot(item_id=agenda_item.id, person_id=voter.id, choice=cast.choice, reason=cast.reason,
                             cast_at=env.now))
            s.flush()
    except IntegrityError:
        raise VotingRuleViolated("already_voted", name=voter.name) from None
    if cast.opens_voting:
        states.apply(agenda_item, "item", ItemStatus.VOTING, message("meeting.action_vote"))
        arrivals.vote_opened(s, env, actor, meeting, agenda_item, current.voters, voter.id)   # the room is told
    payload = {"item": agenda_item.seq, "voter": voter.username, "secret": cast.secret}
    if not cast.secret:
        payload |= {"choice": cast.choice, "reason": cast.reason}
    _log(s, env, actor, "meeting.ballot", meeting, agenda_item.matter_id, **payload)


def _presided_item(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, what: str
                   ) -> tuple[Meeting, BodySpec, AgendaItem, int | None]:
    """Lock an item of a meeting in session for its presiding member or the secretariat, refusing anyone else."""
    meeting = _in_session(s, meeting_id)
    body = body_of(s, meeting)
    agenda_item = matters.locked(s, AgendaItem, item(s, meeting, seq).id, message("state.what_item"))
    presiding = voting.presiding(body, roll(s, meeting, agenda_item))
    if not can_close_item(s, env, actor, presiding):
        raise NotPermitted.because("meeting.presiding_only", action=what)
    return meeting, body, agenda_item, presiding


def close_item(s: Session, env: Env, actor: Person, meeting_id: int, seq: int) -> AgendaItem:
    """Announce an item's result: every voter must have voted, and the quorum must still hold."""
    meeting, body, agenda_item, presiding = _presided_item(s, env, actor, meeting_id, seq,
                                                          message("meeting.action_announce"))
    current = roll(s, meeting, agenda_item)
    quorum = voting.require_quorum(body, current)
    missing = voting.missing_votes(current)
    if missing:
        names = message("value.list_separator").join(current.name(p) for p in missing)
        raise InvalidInput.because("meeting.votes_missing", names=names)
    if agenda_item.secret:
        tallies = s.execute(select(SecretTally).where(SecretTally.item_id == agenda_item.id)).scalars()
        choices = [t.choice for t in tallies for _ in range(t.count)]
    else:
        choices = s.execute(select(Ballot.choice).where(Ballot.item_id == agenda_item.id)).scalars()
    result = voting.tally(body, current, list(choices))
    agenda_item.result, agenda_item.counts = result.result, result.counts
    agenda_item.basis = message("value.clause_separator").join((quorum.basis, result.basis))
    agenda_item.presiding_id, agenda_item.decided_at = presiding, env.now
    states.apply(agenda_item, "item", ItemStatus.DECIDED, message("meeting.action_decide"))
    _log(s, env, actor, "meeting.item_decided", meeting, agenda_item.matter_id, item=seq, result=result.result,
         counts=result.counts, basis=agenda_item.basis, presiding=presiding)
    _apply_to_matter(s, env, actor, meeting, body, agenda_item, result)
    return agenda_item


def _apply_to_matter(s: Session, env: Env, actor: Person, meeting: Meeting, body: BodySpec,
                     agenda_item: AgendaItem, result: voting.Tally) -> None:
    matter = matters.locked(s, Matter, agenda_item.matter_id, message("state.what_matter"))
    decision = {"body": body.key, "body_name": body.short_name, "meeting_id": meeting.id, "item": agenda_item.seq,
                "result": result.result, "counts": result.counts, "decided_at": env.now.isoformat()}
    matter.decision = {**(matter.decision or {}), "last": decision,
                       "history": [*(matter.decision or {}).get("history", []), decision]}
    reason = (_postpone_reasons(s, agenda_item) if result.result == "postponed"
              else message("meeting.not_passed_reason", body=body.short_name))
    if result.result != "passed":
        step = next(st for st in matter.steps if st.step_key == agenda_item.step_key)
        s.add(Opinion(matter_id=matter.id, step_key=step.step_key, round=step.round, author_id=actor.id,
                      decision="postpone" if result.result == "postponed" else "reject", text=reason,
                      created_at=env.now))
    outcome = {"passed": "approve", "not_passed": "reject", "postponed": "postpone"}[result.result]
    matters.apply_outcome(s, env, actor.id, matter, outcome, reason)


def _postpone_reasons(s: Session, agenda_item: AgendaItem) -> str:
    """The postpone reasons of the item's ballots, each said once (voters often give the same reason)."""
    reasons = s.execute(select(Ballot.reason).where(Ballot.item_id == agenda_item.id, Ballot.choice == "postpone")
                        .order_by(Ballot.id))
    texts = list(dict.fromkeys(r.strip() for r in reasons.scalars() if r and r.strip()))
    reasons = message("value.clause_separator").join(texts) if texts else message("meeting.postponed_default")
    return message("meeting.postponed_reason", reasons=reasons)


def defer_item(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, reason: str) -> AgendaItem:
    """Take an item off this meeting (e.g. quorum lost); the matter waits for a later meeting."""
    meeting = _in_session(s, meeting_id)
    _require_organiser(s, env, actor, body_of(s, meeting), meeting_unit(s, meeting))
    agenda_item = matters.locked(s, AgendaItem, item(s, meeting, seq).id, message("state.what_item"))
    reason = clean_text(reason, message("meeting.defer_reason_label"), 1000)
    states.apply(agenda_item, "item", ItemStatus.DEFERRED, message("meeting.action_defer"))
    agenda_item.result, agenda_item.note = "deferred", reason
    _log(s, env, actor, "meeting.item_deferred", meeting, agenda_item.matter_id, item=seq, reason=reason)
    return agenda_item


def close(s: Session, env: Env, actor: Person, meeting_id: int) -> Meeting:
    meeting = _in_session(s, meeting_id)
    _require_organiser(s, env, actor, body_of(s, meeting), meeting_unit(s, meeting))
    open_items = [i.title for i in meeting.items if i.status in (ItemStatus.PENDING, ItemStatus.VOTING)]
    if open_items:
        raise InvalidInput.because("meeting.items_open", titles=message("value.list_separator").join(open_items))
    states.apply(meeting, "meeting", MeetingStatus.CLOSED, message("meeting.action_close"))
    meeting.closed_at = env.now
    _log(s, env, actor, "meeting.closed", meeting)
    events.publish(s, env, events.MeetingClosed(meeting))
    return meeting


def get(s: Session, meeting_id: int) -> Meeting:
    meeting = s.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(what=message("state.what_meeting"), ref=meeting_id)
    return meeting


def acknowledge(s: Session, env: Env, actor: Person, meeting_id: int, seq: int, text: str) -> AgendaItem:
    """Record that the meeting heard the dissenting opinions the item's step requires it to acknowledge."""
    meeting, _body, agenda_item, _presiding = _presided_item(s, env, actor, meeting_id, seq,
                                                                   message("meeting.action_acknowledge"))
    matter = s.get(Matter, agenda_item.matter_id)
    if not validity.to_acknowledge(s, matter, agenda_item.step_key):
        raise InvalidInput.because("meeting.nothing_to_acknowledge")
    if agenda_item.acknowledged_at is not None:
        raise InvalidInput.because("meeting.acknowledged_twice")
    agenda_item.acknowledgement = clean_text(text, message("meeting.acknowledgement_label"), 2000)
    agenda_item.acknowledged_by_id, agenda_item.acknowledged_at = actor.id, env.now
    _log(s, env, actor, "meeting.acknowledged", meeting, matter.id, item=seq, text=agenda_item.acknowledgement)
    return agenda_item


def _unacknowledged(s: Session, agenda_item: AgendaItem) -> tuple[str, ...]:
    """The opinions the body must acknowledge before this item is voted on (none once acknowledged)."""
    if agenda_item.acknowledged_at is not None:
        return ()
    return tuple(validity.to_acknowledge(s, s.get(Matter, agenda_item.matter_id), agenda_item.step_key))
