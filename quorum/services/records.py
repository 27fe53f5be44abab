"""Read models: plain dictionaries of a matter, a meeting, a task list — for CLI, web and API alike."""

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from quorum.core import states, voting
from quorum.core.actions import ACTION_NAMES, TaskFacts, available_actions, secondary_actions
from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.core.routing import FieldFormatter
from quorum.core.spec import StepSpec, WorkflowSpec
from quorum.core.states import MatterStatus, TaskStatus
from quorum.core.steps import kind_class
from quorum.db import (
    AgendaItem,
    Attendance,
    AuditEvent,
    Ballot,
    Matter,
    MatterCopy,
    MatterStep,
    Meeting,
    Opinion,
    Payment,
    Person,
    ProgressReport,
    PublicityObjection,
    Recusal,
    SupervisionItem,
    Task,
    Unit,
    WrittenOpinion,
)
from quorum.services import (
    checks,
    delegations,
    expenditure,
    matter_rows,
    matters,
    meetings,
    publicity,
    steps,
    task_ops,
    validity,
    visibility,
)
from quorum.services.env import Env
from quorum.services.policies import policy_set_for
from quorum.services.steps import options_for


def people_names(s: Session, ids, usernames: set[Any]) -> tuple[dict[int, str], dict[str, str]]:
    """Id → name and username → name in one question (event payloads name people by username)."""
    ids = {i for i in ids if i is not None}
    wanted = {u for u in usernames if isinstance(u, str) and u}
    if not ids and not wanted:
        return {}, {}
    rows = s.execute(select(Person.id, Person.username, Person.name)
                     .where(or_(Person.id.in_(ids), Person.username.in_(wanted)))).all()
    return {pid: name for pid, _u, name in rows}, {u: name for _pid, u, name in rows}


def _names(s: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {pid: name for pid, name in s.execute(select(Person.id, Person.name).where(Person.id.in_(ids)))}


def _units(s: Session) -> dict[int, Unit]:
    return {u.id: u for u in s.execute(select(Unit)).scalars()}


def task_view(s: Session, task: Task, actor: Person, now=None) -> dict[str, Any]:
    """A task with the actions the engine allows this person, labelled as its step words them."""
    return task_views(s, [task], actor, now)[0]


def task_views(s: Session, tasks: list[Task], actor: Person, now=None) -> list[dict[str, Any]]:
    """Views of many tasks (as task_view) from rows read once for the whole list, not once per task."""
    facts = task_facts_of(s, tasks, actor, now)
    names = _names(s, [t.assignee_id for t in tasks if t.assignee_id != actor.id])
    return [_view(task, *facts[task.id], names.get(task.assignee_id) if task.assignee_id != actor.id else None)
            for task in tasks]


def _view(task: Task, facts: TaskFacts, matter: Matter, step_spec: StepSpec, on_behalf: str | None) -> dict[str, Any]:
    actions = available_actions(facts)
    labels = {a: action_label(step_spec, a) for a in actions}
    return {"id": task.id, "title": task.title, "kind": task.kind, "matter_id": matter.id, "on_behalf_of": on_behalf,
            "matter_title": matter.title, "status": task.status, "due_date": task.due_date,
            "due_provisional": task.due_provisional, "actions": actions,
            "action_names": [labels[a] for a in actions], "labels": labels,
            "needs_comment": [a for a in actions if _needs_comment(step_spec, a)],
            "tones": {a: _tone(step_spec, a) for a in actions},
            "secondary": secondary_actions(facts), "step_key": step_spec.key, "step_kind": step_spec.kind,
            "blocked": _blocked(facts) if not actions else None}


def task_facts_of(s: Session, tasks: list[Task], actor: Person,
                  now=None) -> dict[int, tuple[TaskFacts, Matter, StepSpec]]:
    """matters.task_facts for many tasks at once: their matters (with steps), the actor's delegations and the
    people each matter recuses are read in a fixed number of statements, the rules from the cache.

    The facts are the same as matters.task_facts gives task by task (a test holds them equal).
    """
    if not tasks:
        return {}
    loaded = _matters(s, {t.matter_id for t in tasks})
    acting_for = delegations.principals_of(s, actor.id, now) if now is not None else frozenset()
    specs = {m.id: policy_set_for(s, m.policy_version_id).workflow(m.workflow_key) for m in loaded.values()}
    excluded = _excluded(s, loaded, specs)
    steps_by_id = {st.id: st for m in loaded.values() for st in m.steps}
    out = {}
    for task in tasks:
        matter, spec = loaded[task.matter_id], specs[task.matter_id]
        step = steps_by_id[task.step_id]
        step_spec = spec.step(step.step_key)
        earlier = spec.step_index(step.step_key) > 0 and step_spec.answers_may_return
        facts = TaskFacts(task_open=task.status == TaskStatus.OPEN and matter.status == MatterStatus.ACTIVE,
                          kind="publicity" if task.kind == "publicity_decision" else task.kind,
                          assignee_id=task.assignee_id, actor_id=actor.id, matter_initiator_id=matter.initiator_id,
                          can_return=earlier, acting_for=acting_for, options=options_for(step_spec, task.kind),
                          excluded=excluded[matter.id],
                          not_before=step.due_date if task.kind == "publicity" else None,
                          today=now.date() if now is not None else None)
        out[task.id] = (facts, matter, step_spec)
    return out


def _matters(s: Session, ids: set[int]) -> dict[int, Matter]:
    """The matters with these ids, with their steps; those the session holds already are not read again."""
    held = {i: m for i in ids if (m := s.identity_map.get(identity_key(Matter, i))) is not None}
    missing = ids - held.keys()
    if missing:
        held.update((m.id, m) for m in s.execute(select(Matter).where(Matter.id.in_(missing))).scalars())
    return held


def _excluded(s: Session, loaded: dict[int, Matter], specs: dict[int, WorkflowSpec]) -> dict[int, frozenset[int]]:
    """assign.excluded_people of each matter (nominee, relatives), in one query for them all."""
    wanted: dict[int, list[str]] = {}
    for matter_id, matter in loaded.items():
        names = wanted[matter_id] = []
        for field in specs[matter_id].recused_fields:
            value = matter.fields.get(field.key)
            names.extend(value if isinstance(value, list) else [value] if value else [])
    every = {n for names in wanted.values() for n in names}
    ids = dict(s.execute(select(Person.username, Person.id).where(Person.username.in_(every))).all()) if every else {}
    return {matter_id: frozenset(ids[n] for n in names if n in ids) for matter_id, names in wanted.items()}


def _step_spec_of(s: Session, matter: Matter, task: Task) -> StepSpec:
    return matters.workflow_of(s, matter).step(s.get(MatterStep, task.step_id).step_key)


def task_action_label(s: Session, task: Task, action: str) -> str:
    """How the task's step words an action (for the confirmation after acting)."""
    return action_label(_step_spec_of(s, s.get(Matter, task.matter_id), task), action)


def requirement_names(spec: WorkflowSpec, units: Iterable[tuple[str, str]]) -> dict[str, str]:
    """What an opinion answered, by its requirement key: a gate requirement's name, or the unit a countersign group
    is of (from `units`, (key, name) pairs the page has already read) — never the key itself.
    """
    return {**dict(units), **{r.key: r.name for st in spec.steps for r in st.requirements}}


def action_label(step_spec: StepSpec, action: str) -> str:
    """The step's own wording of an answer (OptionSpec.label), else the message table's."""
    option = step_spec.option(action)
    return option.label if option else ACTION_NAMES.get(action, action)


def _tone(step_spec: StepSpec, action: str) -> str:
    """How a button looks: "ok" for an answer that simply lets the matter go on, "danger" otherwise."""
    option = step_spec.option(action)
    if option is not None:
        return "ok" if option.effect == "pass" and not option.sets else "danger"
    return {"approve": "ok", "complete": "ok", "record": "primary", "resubmit": "primary", "pay": "primary"
            }.get(action, "danger")


def _needs_comment(step_spec: StepSpec, action: str) -> bool:
    option = step_spec.option(action)
    return option.needs_comment if option else action in ("reject", "return")


def _blocked(facts) -> str | None:
    """Why a task of this person offers no action, in the engine's words."""
    if not facts.task_open or not facts.may_act:
        return None
    if facts.self_approval:
        return message("self_approval")
    if facts.conflicted:
        return message("own_nomination")
    if facts.too_early:
        return message("publicity_running", end=facts.not_before.isoformat())
    return None


def my_tasks(s: Session, person: Person, now=None) -> list[dict[str, Any]]:
    return task_views(s, matters.open_tasks(s, person, now), person, now)


def matter_record(s: Session, matter_id: int) -> dict[str, Any]:
    """Everything about a matter: fields, route and why, steps, tasks, opinions, votes, supervision, timeline."""
    matter = matters.get(s, matter_id)
    spec = policy_set_for(s, matter.policy_version_id).workflow(matter.workflow_key)
    tasks = list(s.execute(select(Task).where(Task.matter_id == matter.id).order_by(Task.id)).scalars())
    opinions = list(s.execute(select(Opinion).where(Opinion.matter_id == matter.id).order_by(Opinion.id)).scalars())
    events = list(s.execute(select(AuditEvent).where(AuditEvent.matter_id == matter.id)
                            .order_by(AuditEvent.seq)).scalars())
    names, named = people_names(s, [matter.initiator_id, *(t.assignee_id for t in tasks), *(o.author_id for o in opinions),
                               *(o.on_behalf_of_id for o in opinions), *(e.actor_id for e in events)],
                           {e.payload.get(k) for e in events for k in ("assignee", "transferred_to")})
    units = _units(s)
    fields = []
    people = _people_named(s, spec, matter.fields)
    for f in spec.fields:
        value = matter.fields.get(f.key)
        shown = units[matter.unit_id].name if f.type == "unit" and value and matter.unit_id else value
        if f.type in ("person", "people") and value:
            display = message("value.list_separator").join(people.get(u, u) for u in ([value] if f.type == "person" else value))
        else:
            display = "" if value is None else _display(spec, f.key, shown)
        fields.append({"key": f.key, "label": f.label, "value": value, "type": f.type, "input": f.input,
                       "display": display})
    steps = {st.step_key: st.name for st in matter.steps}
    items = list(s.execute(select(AgendaItem).where(AgendaItem.matter_id == matter.id)
                           .order_by(AgendaItem.id)).scalars())
    return {
        "id": matter.id, "title": matter.title, "workflow": spec.key, "workflow_name": spec.name,
        "status": matter.status, "status_name": message(f"status.{matter.status}"),
        "policy_version_id": matter.policy_version_id, "policy_digest": matter.policy_digest,
        "initiator": names.get(matter.initiator_id), "unit": units[matter.unit_id].name if matter.unit_id else None,
        "personnel": matter.personnel, "urgent": matter.urgent, "current_step": matter.current_step,
        "current_step_name": steps.get(matter.current_step) if matter.current_step else None,
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
        "supervision": supervision_records(s, matter.id, units),
        "flags": flag_records(s, spec, matter.id),
        "execution": execution_record(s, spec, matter),
        "objections": objection_records(s, matter.id, reveal=False),
        "copies": copy_records(s, matter.id),
        "timeline": [{"seq": e.seq, "at": e.at, "actor": names.get(e.actor_id), "kind": e.kind,
                      "kind_name": message(f"event.{e.kind}"), "detail": event_detail(e.payload, steps, named),
                      "payload": e.payload} for e in events],
    }


def _people_named(s: Session, spec: WorkflowSpec, values: dict[str, Any]) -> dict[str, str]:
    """Usernames in the matter's person/people fields → the person's name (never the username: issue 14)."""
    wanted = set()
    for f in spec.fields:
        value = values.get(f.key)
        if f.type == "person" and value:
            wanted.add(value)
        elif f.type == "people" and value:
            wanted.update(value)
    if not wanted:
        return {}
    rows = s.execute(select(Person.username, Person.name).where(Person.username.in_(wanted)))
    return {u: name for u, name in rows}


def flag_records(s: Session, spec: WorkflowSpec, matter_id: int) -> list[dict[str, Any]]:
    """The warnings on a matter (split_evasion, ratification refused, repeated emergency decisions, ratification
    overdue, objections ...), oldest first.
    """
    return [{"kind": f.kind, "name": visibility.flag_name(spec, f.kind), "text": f.text, "at": f.created_at}
            for f in checks.flags_of(s, matter_id)]


def execution_record(s: Session, spec: WorkflowSpec, matter: Matter) -> dict[str, Any] | None:
    """Payments under an approved expenditure against the approved amount and the tolerance; None elsewhere."""
    if spec.rules.execution is None:
        return None
    try:
        approved = expenditure.approved_amount(s, matter)
    except QuorumError:
        approved = None
    rows = list(s.execute(select(Payment).where(Payment.matter_id == matter.id).order_by(Payment.id)).scalars())
    names = _names(s, [p.recorded_by_id for p in rows])
    tolerance = spec.rules.execution.tolerance
    current = matters.current(matter)
    return {"approved": approved, "paid": expenditure.paid_total(s, matter.id), "tolerance": tolerance,
            "active": current is not None and kind_class(current.kind).pays_out,
            "ceiling": approved * (1 + tolerance) if approved is not None else None,
            "validity_months": spec.rules.execution.validity_months,
            "amount_fields": [{"key": k, "label": spec.field(k).label}
                              for k in (spec.rules.split_evasion.basis_fields if spec.rules.split_evasion else ())],
            "payments": [{"id": p.id, "amount": p.amount, "paid_on": p.paid_on, "note": p.note,
                          "by": names.get(p.recorded_by_id), "at": p.created_at} for p in rows]}


def objection_records(s: Session, matter_id: int, reveal: bool) -> list[dict[str, Any]]:
    """Publicity objections; the complainant's name and contact only when `reveal` (recorders and investigators)."""
    rows = list(s.execute(select(PublicityObjection).where(PublicityObjection.matter_id == matter_id)
                          .order_by(PublicityObjection.id)).scalars())
    names = _names(s, [r.resolved_by_id for r in rows])
    out = []
    for r in rows:
        view = {"id": r.id, "step": r.step_key, "round": r.round, "anonymous": r.anonymous, "specific": r.specific,
                "text": r.text, "late": r.late, "lodged_at": r.lodged_at, "status": r.status,
                "status_name": message(f"objection.{r.status}"), "finding": r.finding,
                "resolved_at": r.resolved_at, "resolved_by": names.get(r.resolved_by_id)}
        if reveal:
            view.update(complainant=r.complainant, contact=r.contact, feedback=r.feedback)
        out.append(view)
    return out


def matter_controls(s: Session, env: Env, actor: Person, matter: Matter, record: dict[str, Any]) -> dict[str, Any]:
    """The matter page's forms beside the tasks this person may use, decided by the services' own checks.

    The complainant's name and contact of a publicity objection are given only to those who record or
    investigate objections (DOMAIN §6.5 #39).
    """
    step = matters.current(matter)
    at_publicity = step is not None and kind_class(step.kind).has_window
    may_record, may_investigate = publicity.may_record(s, env, actor), publicity.may_investigate(s, env, actor)
    reveal = may_record or may_investigate
    return {"may_copy": task_ops.may_copy(s, env, actor, matter),
            "may_change_amount": record["execution"] is not None and expenditure.may_change_amount(s, env, actor,
                                                                                                    matter),
            "may_lodge": at_publicity and may_record,
            "may_investigate": may_investigate,
            "objections": objection_records(s, matter.id, reveal) if reveal else record["objections"],
            "reveal_complainants": reveal,
            "open_objections": steps.unresolved_objections(s, matter, step) if at_publicity else 0}


def copy_records(s: Session, matter_id: int) -> list[dict[str, Any]]:
    rows = list(s.execute(select(MatterCopy).where(MatterCopy.matter_id == matter_id).order_by(MatterCopy.id)).scalars())
    names = _names(s, [r.person_id for r in rows] + [r.by_id for r in rows])
    return [{"name": names.get(r.person_id), "by": names.get(r.by_id), "note": r.note, "at": r.created_at}
            for r in rows]


def event_detail(payload: dict[str, Any], steps: dict[str, str], named: dict[str, str]) -> str:
    """A few words on what an event was about, for the timeline (people by name, steps by name)."""
    parts = []
    if payload.get("step"):
        parts.append(steps.get(payload["step"], payload["step"]))
    for key in ("assignee", "transferred_to"):
        if payload.get(key):
            parts.append(message("record.to_person", name=named.get(payload[key], payload[key])))
    if payload.get("action"):
        parts.append(ACTION_NAMES.get(payload["action"], payload["action"]))
    if payload.get("choice"):
        parts.append(message(f"choice.{payload['choice']}"))
    if payload.get("result"):
        parts.append(message(f"result.{payload['result']}"))
    if payload.get("reason"):
        parts.append(str(payload["reason"]))
    if payload.get("number"):                  # a 公文 signed or voided: its 发文字号
        parts.append(str(payload["number"]))
    return " ".join(parts)


def _display(spec, key: str, value: Any) -> str:
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
        "mandatory": _mandatory(s, item),
        "to_acknowledge": validity.to_acknowledge(s, s.get(Matter, item.matter_id), item.step_key),
        "acknowledged_at": item.acknowledged_at, "acknowledgement": item.acknowledgement,
        "acknowledged_by": _names(s, [item.acknowledged_by_id]).get(item.acknowledged_by_id),
    }


def _mandatory(s: Session, item: AgendaItem) -> bool:
    """Whether the item is at a mandatory meeting step (ratification of an emergency decision)."""
    matter = s.get(Matter, item.matter_id)
    return matter_rows.step_spec(s, matter, item.step_key).mandatory


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
        "status": meeting.status, "status_name": states.status_name("meeting", meeting.status),
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


def supervision_records(s: Session, matter_id: int | None = None,
                        units: dict[int, Unit] | None = None) -> list[dict[str, Any]]:
    query = select(SupervisionItem).order_by(SupervisionItem.due_date, SupervisionItem.id)
    if matter_id is not None:
        query = query.where(SupervisionItem.matter_id == matter_id)
    units = units if units is not None else _units(s)
    found = list(s.execute(query).scalars())
    reports_of: dict[int, list[ProgressReport]] = {item.id: [] for item in found}
    if found:
        for report in s.execute(select(ProgressReport).where(ProgressReport.item_id.in_(reports_of))
                                .order_by(ProgressReport.id)).scalars():
            reports_of[report.item_id].append(report)
    out = []
    for item in found:
        reports = reports_of[item.id]
        out.append({"id": item.id, "matter_id": item.matter_id, "title": item.title,
                    "lead_unit": units[item.lead_unit_id].name,
                    "co_units": [units[u].name for u in item.co_unit_ids], "due_date": item.due_date,
                    "due_provisional": item.due_provisional, "status": item.status,
                    "status_name": states.status_name("supervision", item.status),
                    "reports": [{"text": r.text, "done": r.done, "at": r.reported_at} for r in reports]})
    return out
