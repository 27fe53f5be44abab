"""Read models: plain dictionaries of a matter, a meeting, a task list — for CLI, web and API alike."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import voting
from quorum.core.actions import ACTION_NAMES, available_actions
from quorum.core.messages import message
from quorum.db import (
    AgendaItem,
    Attendance,
    AuditEvent,
    Ballot,
    Matter,
    Meeting,
    Opinion,
    Person,
    ProgressReport,
    Recusal,
    SupervisionItem,
    Task,
    Unit,
    WrittenOpinion,
)
from quorum.services import matters, meetings
from quorum.services.policies import policy_set_for


def _names(s: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {pid: name for pid, name in s.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))}


def _units(s: Session) -> dict[int, Unit]:
    return {u.id: u for u in s.execute(select(Unit)).scalars()}


def task_view(s: Session, task: Task, actor: Person, now=None) -> dict[str, Any]:
    matter = s.get(Matter, task.matter_id)
    actions = available_actions(matters.task_facts(s, task, matter, actor, now))
    on_behalf = _names(s, [task.assignee_id]).get(task.assignee_id) if task.assignee_id != actor.id else None
    return {"id": task.id, "title": task.title, "kind": task.kind, "matter_id": matter.id, "on_behalf_of": on_behalf,
            "matter_title": matter.title, "status": task.status, "due_date": task.due_date,
            "due_provisional": task.due_provisional, "actions": actions,
            "action_names": [ACTION_NAMES[a] for a in actions]}


def my_tasks(s: Session, person: Person, now=None) -> list[dict[str, Any]]:
    return [task_view(s, t, person, now) for t in matters.open_tasks(s, person, now)]


def matter_record(s: Session, matter_id: int) -> dict[str, Any]:
    """Everything about a matter: fields, route and why, steps, tasks, opinions, votes, 督办, timeline."""
    matter = matters.get(s, matter_id)
    spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
    tasks = list(s.execute(select(Task).where(Task.matter_id == matter.id).order_by(Task.id)).scalars())
    opinions = list(s.execute(select(Opinion).where(Opinion.matter_id == matter.id).order_by(Opinion.id)).scalars())
    events = list(s.execute(select(AuditEvent).where(AuditEvent.matter_id == matter.id)
                            .order_by(AuditEvent.seq)).scalars())
    names = _names(s, [matter.initiator_id, *(t.assignee_id for t in tasks), *(o.author_id for o in opinions),
                       *(o.on_behalf_of_id for o in opinions),
                       *(e.actor_id for e in events)])
    units = _units(s)
    fields = []
    for f in spec.fields:
        value = matter.fields.get(f.key)
        shown = units[matter.unit_id].name if f.type == "unit" and value and matter.unit_id else value
        fields.append({"key": f.key, "label": f.label, "value": value,
                       "display": "" if value is None else _display(spec, f.key, shown)})
    steps = {st.step_key: st.name for st in matter.steps}
    items = list(s.execute(select(AgendaItem).where(AgendaItem.matter_id == matter.id)
                           .order_by(AgendaItem.id)).scalars())
    return {
        "id": matter.id, "title": matter.title, "workflow": spec.key, "workflow_name": spec.name,
        "status": matter.status, "status_name": message(f"status.{matter.status}"),
        "policy_version_id": matter.policy_version_id, "policy_digest": matter.policy_digest,
        "initiator": names.get(matter.initiator_id), "unit": units[matter.unit_id].name if matter.unit_id else None,
        "personnel": matter.personnel, "urgent": matter.urgent, "current_step": matter.current_step,
        "created_at": matter.created_at, "fields": fields, "route": matter.route, "decision": matter.decision,
        "steps": [{"key": st.step_key, "name": st.name, "kind": st.kind, "status": st.status,
                   "status_name": message(f"status.{st.status}"), "applies": st.applies, "why": st.why,
                   "round": st.round, "due_date": st.due_date, "due_provisional": st.due_provisional,
                   "outcome": st.outcome} for st in matter.steps],
        "tasks": [{"id": t.id, "title": t.title, "assignee": names.get(t.assignee_id), "status": t.status,
                   "outcome": t.outcome, "due_date": t.due_date} for t in tasks],
        "opinions": [{"step": o.step_key, "requirement": o.requirement, "author": names.get(o.author_id) or message("system_author"),
                      "on_behalf_of": names.get(o.on_behalf_of_id),
                      "decision": o.decision, "decision_name": ACTION_NAMES.get(o.decision, o.decision),
                      "text": o.text, "at": o.created_at} for o in opinions],
        "agenda_items": [item_record(s, i) for i in items],
        "supervision": supervision_records(s, matter.id),
        "timeline": [{"seq": e.seq, "at": e.at, "actor": names.get(e.actor_id), "kind": e.kind,
                      "kind_name": message(f"event.{e.kind}"), "detail": _detail(e.payload, steps),
                      "payload": e.payload} for e in events],
    }


def _detail(payload: dict[str, Any], steps: dict[str, str]) -> str:
    """A few words on what an event was about, for the timeline."""
    parts = []
    if payload.get("step"):
        parts.append(steps.get(payload["step"], payload["step"]))
    if payload.get("assignee"):
        parts.append(f"→ {payload['assignee']}")
    if payload.get("action"):
        parts.append(ACTION_NAMES.get(payload["action"], payload["action"]))
    if payload.get("choice"):
        parts.append(message(f"choice.{payload['choice']}"))
    if payload.get("result"):
        parts.append(message(f"result.{payload['result']}"))
    if payload.get("reason"):
        parts.append(str(payload["reason"]))
    return " ".join(parts)


def _display(spec, key: str, value: Any) -> str:
    from quorum.core.routing import FieldFormatter
    field = spec.field(key)
    if field.type == "unit":
        return str(value)
    if field.type == "money":
        from decimal import Decimal
        return FieldFormatter(spec.fields).value(key, Decimal(value))
    return FieldFormatter(spec.fields).value(key, value)


def item_record(s: Session, item: AgendaItem) -> dict[str, Any]:
    """An agenda item with its live quorum state, ballots (named only), recusals and written opinions."""
    meeting = s.get(Meeting, item.meeting_id)
    body = meetings.body_of(s, meeting)
    roll = meetings.roll(s, meeting, item)
    quorum = voting.quorum_state(body, roll)
    recusals = list(s.execute(select(Recusal).where(Recusal.item_id == item.id)).scalars())
    written = list(s.execute(select(WrittenOpinion).where(WrittenOpinion.item_id == item.id)).scalars())
    ballots = [] if item.secret else list(s.execute(select(Ballot).where(Ballot.item_id == item.id)
                                                    .order_by(Ballot.id)).scalars())
    presiding = voting.presiding(body, roll)
    return {
        "meeting_id": meeting.id, "meeting_title": meeting.title, "body": body.short_name, "seq": item.seq,
        "title": item.title, "matter_id": item.matter_id, "personnel": item.personnel, "secret": item.secret,
        "urgent": item.urgent, "status": item.status, "result": item.result,
        "result_name": message(f"result.{item.result}") if item.result else None,
        "counts": item.counts, "basis": item.basis, "note": item.note,
        "quorum": {"met": quorum.met, "required": quorum.required, "present": quorum.present, "base": quorum.base,
                   "basis": quorum.basis},
        "presiding": roll.name(presiding) if presiding else None,
        "pending": [roll.name(p) for p in voting.missing_votes(roll)],
        "options": list(voting.vote_options(body, item.personnel)),
        "recusals": [{"name": roll.name(r.person_id), "reason": r.reason} for r in recusals],
        "written_opinions": [{"name": roll.name(w.person_id), "text": w.text} for w in written],
        "ballots": [{"order": n, "name": roll.name(b.person_id), "choice": b.choice,
                     "choice_name": message(f"choice.{b.choice}"), "reason": b.reason}
                    for n, b in enumerate(ballots, 1)],
        "voted_count": len(roll.voted),
    }


def meeting_record(s: Session, meeting_id: int) -> dict[str, Any]:
    meeting = meetings.get(s, meeting_id)
    body = meetings.body_of(s, meeting)
    policies = policy_set_for(s, meeting.policy_version_id)
    attendance = {a.person_id: a for a in s.execute(select(Attendance).where(Attendance.meeting_id == meeting.id))
                  .scalars()}
    names = _names(s, [meeting.chair_id, *attendance])
    usernames = {pid: u for pid, u in s.execute(select(Person.id, Person.username).where(
        Person.id.in_([m.person_id for m in meeting.members])))}
    return {
        "id": meeting.id, "title": meeting.title, "body": body.key, "body_name": body.name,
        "status": meeting.status, "status_name": message(f"status.{meeting.status}"),
        "scheduled_at": meeting.scheduled_at, "place": meeting.place, "urgent": meeting.urgent,
        "notice_at": meeting.notice_at, "chair": names.get(meeting.chair_id),
        "members": [{"name": m.name, "username": usernames.get(m.person_id), "role": m.seat_role,
                     "role_name": policies.role_name(m.seat_role),
                     "attendance": attendance[m.person_id].status if m.person_id in attendance else None,
                     "reason": attendance[m.person_id].reason if m.person_id in attendance else ""}
                    for m in meeting.members],
        "observers": [names.get(pid) for pid, a in attendance.items() if a.status == "observer"],
        "items": [item_record(s, i) for i in meeting.items],
    }


def supervision_records(s: Session, matter_id: int | None = None) -> list[dict[str, Any]]:
    query = select(SupervisionItem).order_by(SupervisionItem.due_date, SupervisionItem.id)
    if matter_id is not None:
        query = query.where(SupervisionItem.matter_id == matter_id)
    units = _units(s)
    out = []
    for item in s.execute(query).scalars():
        reports = s.execute(select(ProgressReport).where(ProgressReport.item_id == item.id)
                            .order_by(ProgressReport.id)).scalars()
        out.append({"id": item.id, "matter_id": item.matter_id, "title": item.title,
                    "lead_unit": units[item.lead_unit_id].name,
                    "co_units": [units[u].name for u in item.co_unit_ids], "due_date": item.due_date,
                    "due_provisional": item.due_provisional, "status": item.status,
                    "status_name": message(f"status.{item.status}"),
                    "reports": [{"text": r.text, "done": r.done, "at": r.reported_at} for r in reports]})
    return out
