"""What happens when time runs out: the state changes a sweep makes, once each.

`fire_due(s, env)` is a plain function the scheduler (and `quorum remind`) calls in its own
transaction. Each rule acts at most once for the same step round, so running it twice at the
same instant does nothing the second time. It returns what it did, one dict per change:
`{"matter_id", "kind", "text", "notify": [person ids]}` for the notification outbox.

- timer steps whose period has passed finish (end of probation → the probation review opens);
- a publicity window that has ended is announced to whoever decides the outcome;
- a postponed appointment that has run its months is escalated: the escalation role gets the decision too;
- a consultation with `silence_consent_days` unanswered that long counts as consent (dual management);
- an approved expenditure not executed within its validity period lapses;
- a result with `valid_months` (a democratic recommendation) that expired before its `valid_until` step
  decided sends the matter back to that step;
- a mandatory meeting step (ratification) past its deadline is flagged for accountability.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.calendar import add_months
from quorum.core import states
from quorum.core.conditions import evaluate
from quorum.core.messages import message
from quorum.core.routing import FieldFormatter
from quorum.core.states import MatterStatus, StepStatus, TaskStatus
from quorum.db import AuditEvent, Matter, MatterFlag, MatterStep, Opinion, Payment, PolicyVersion, Task
from quorum.services import assign, audit, matters, org
from quorum.services.env import Env
from quorum.services.policies import policy_set_for


def fire_due(s: Session, env: Env) -> list[dict[str, Any]]:
    """Apply every time-based rule that is due now; return what was done."""
    done: list[dict[str, Any]] = []
    for matter, step in _current_steps(s, sorted(_candidates(s, env))):
        spec = matters.workflow_of(s, matter)
        step_spec = spec.step(step.step_key)
        for rule in (_expired_result, _timer, _publicity_end, _postponement, _silence, _lapse, _ratification):
            result = rule(s, env, matter, step, step_spec, spec)
            if result:
                done.append({"matter_id": matter.id, "title": matter.title, **result})
                break
    return done


def _current_steps(s: Session, matter_ids: list[int], chunk: int = 500) -> list[tuple[Matter, MatterStep]]:
    """The matters (in id order) with their current step, read before any rule changes them."""
    rows: list[tuple[Matter, MatterStep]] = []
    for start in range(0, len(matter_ids), chunk):
        query = (select(Matter, MatterStep).join(MatterStep, (MatterStep.matter_id == Matter.id)
                                                 & (MatterStep.step_key == Matter.current_step))
                 .where(Matter.status == MatterStatus.ACTIVE, Matter.id.in_(matter_ids[start:start + chunk]))
                 .order_by(Matter.id))
        rows += [(matter, step) for matter, step in s.execute(query).all()]
    return rows


def _candidates(s: Session, env: Env) -> set[int]:
    """The active matters a rule may act on now, found by index — so a sweep reads the due set, not every matter.

    A superset the rules below still decide on: every rule but two needs the current step's deadline
    passed (or, for a timer, reached); silence counts from the step's start, and an expiring result
    (valid_months) is looked for in every active matter of a workflow that has one.
    """
    current = (MatterStep.matter_id == Matter.id) & (MatterStep.step_key == Matter.current_step)
    active = Matter.status == MatterStatus.ACTIVE
    # status || '': not by the status index (every active matter) but by the deadline's (SQLite has no statistics)
    found = set(s.execute(select(Matter.id).join(MatterStep, current)
                          .where(Matter.status.concat("") == MatterStatus.ACTIVE,
                                 MatterStep.due_date <= env.now.date())).scalars())
    silence, expiring = _timed_steps(s)
    for (workflow, step_key), days in silence.items():
        found.update(s.execute(select(Matter.id).join(MatterStep, current).where(
            active, Matter.workflow_key == workflow, Matter.current_step == step_key,
            MatterStep.started_at <= env.now - timedelta(days=days))).scalars())
    if expiring:
        found.update(s.execute(select(Matter.id).where(active, Matter.workflow_key.in_(sorted(expiring)))).scalars())
    return found


def _timed_steps(s: Session) -> tuple[dict[tuple[str, str], int], set[str]]:
    """Over every stored policy version: the shortest silence per (workflow, step), the workflows with valid_months."""
    silence: dict[tuple[str, str], int] = {}
    expiring: set[str] = set()
    for version_id in s.execute(select(PolicyVersion.id)).scalars().all():
        for workflow in policy_set_for(s, version_id).workflows.values():
            for step in workflow.steps:
                if step.silence_consent_days is not None:
                    key = (workflow.key, step.key)
                    silence[key] = min(step.silence_consent_days, silence.get(key, step.silence_consent_days))
                if step.valid_months:
                    expiring.add(workflow.key)
    return silence, expiring


def _once(s: Session, kind: str, step: MatterStep) -> bool:
    """Whether this rule already acted on this step round (the audit trail is the memory)."""
    rows = s.execute(select(AuditEvent.payload).where(AuditEvent.kind == kind, AuditEvent.subject_id == step.id))
    return any(p.get("round") == step.round for p in rows.scalars())


def _mark(s: Session, env: Env, kind: str, matter: Matter, step: MatterStep, **payload: Any) -> None:
    audit.append(s, env, None, kind, "step", step.id, {"round": step.round, **payload}, matter_id=matter.id)


def _open_holders(s: Session, step: MatterStep) -> list[int]:
    return list(s.execute(select(Task.assignee_id).where(Task.step_id == step.id, Task.round == step.round,
                                                         Task.status == TaskStatus.OPEN)).scalars())


def _timer(s, env, matter, step, step_spec, spec) -> dict | None:
    if not step_spec.fires_when_due or step.due_date is None or env.now.date() < step.due_date:
        return None
    matters.apply_outcome(s, env, None, matter, "approve", message("state.timer_elapsed_note"))
    return {"kind": "timer_elapsed", "text": message("timer_elapsed", step=step.name, title=matter.title),
            "notify": _open_holders(s, current) if (current := matters.current(matter)) else []}


def _publicity_end(s, env, matter, step, step_spec, spec) -> dict | None:
    if not step_spec.has_window or step.due_date is None or env.now.date() <= step.due_date:
        return None
    if _once(s, "step.publicity_window_ended", step) or _postponed(s, step):
        return None
    _mark(s, env, "step.publicity_window_ended", matter, step, end=step.due_date)
    return {"kind": "publicity_ended", "text": message("publicity_ended", end=step.due_date, title=matter.title),
            "notify": _open_holders(s, step)}


def _postponed(s: Session, step: MatterStep) -> bool:
    return s.execute(select(Task.id).where(Task.step_id == step.id, Task.round == step.round,
                                           Task.kind == "publicity_decision").limit(1)).first() is not None


def _postponement(s, env, matter, step, step_spec, spec) -> dict | None:
    postponed = s.execute(select(Task).where(Task.step_id == step.id, Task.round == step.round,
                                             Task.kind == "publicity_decision", Task.status == TaskStatus.OPEN)).scalars()
    first = next(iter(postponed), None)
    if first is None or env.now.date() <= step.due_date or _once(s, "step.postponement_expired", step):
        return None
    notify = _open_holders(s, step)
    if step_spec.escalate_role:
        people = [p for p in org.holders(s, step_spec.escalate_role) if p.id not in notify]
        for person in people:
            assign.open_task(s, env, matter, step, "publicity_decision", step_spec.escalate_role, person, first.title,
                             "postponed", first.group_key, step.due_date)
        notify += [p.id for p in people]
    _mark(s, env, "step.postponement_expired", matter, step, end=step.due_date)
    return {"kind": "postponement_expired", "text": message("postponement_expired", end=step.due_date, title=matter.title),
            "notify": notify}


def _silence(s, env, matter, step, step_spec, spec) -> dict | None:
    days = step_spec.silence_consent_days
    if days is None or step.started_at is None or env.now < step.started_at + timedelta(days=days):
        return None
    values = matters.values_of(spec, matter)
    if step_spec.silence_consent_when is not None and not evaluate(step_spec.silence_consent_when, values,
                                                                   FieldFormatter(spec.fields))[0]:
        return None
    open_tasks = list(s.execute(select(Task).where(Task.step_id == step.id, Task.round == step.round,
                                                   Task.status == TaskStatus.OPEN)).scalars())
    if not open_tasks:
        return None
    text = message("silence_consent", days=days)
    consent = next(o.key for o in step_spec.options if o.effect == "pass")
    for task in open_tasks:
        task.acted_at, task.outcome = env.now, "silence"
        states.apply(task, "task", TaskStatus.CANCELLED, message("state.consent_by_silence"))
        audit.append(s, env, None, "task.cancelled", "task", task.id, {"from": TaskStatus.OPEN, "reason": "silence"},
                     matter_id=matter.id)
    s.add(Opinion(matter_id=matter.id, step_key=step.step_key, round=step.round, author_id=None,
                  requirement=open_tasks[0].requirement, decision=consent, text=text, created_at=env.now))
    _mark(s, env, "step.silence_consent", matter, step, days=days)
    notify = [t.assignee_id for t in open_tasks]
    matters.apply_outcome(s, env, None, matter, "approve", text)
    return {"kind": "silence_consent", "text": message("state.notice_about_matter", text=text, title=matter.title), "notify": [matter.initiator_id, *notify]}


def _lapse(s, env, matter, step, step_spec, spec) -> dict | None:
    if not step_spec.pays_out or step.due_date is None or env.now.date() <= step.due_date:
        return None
    if s.execute(select(Payment.id).where(Payment.matter_id == matter.id).limit(1)).first() is not None:
        return None
    months = spec.rules.execution.validity_months if spec.rules.execution else 0
    text = message("lapsed", date=step.due_date.isoformat(), months=months)
    notify = _open_holders(s, step)
    matters.lapse(s, env, matter, step, text)
    return {"kind": "lapsed", "text": message("state.notice_about_matter", text=text, title=matter.title), "notify": [matter.initiator_id, *notify]}


def _expired_result(s, env, matter, step, step_spec, spec) -> dict | None:
    for earlier in matter.steps:
        earlier_spec = spec.step(earlier.step_key)
        if not earlier_spec.valid_months or earlier.status != StepStatus.DONE or earlier.finished_at is None:
            continue
        until = next(st for st in matter.steps if st.step_key == earlier_spec.valid_until)
        if until.seq < step.seq or until.status == StepStatus.DONE:
            continue
        expiry = add_months(earlier.finished_at.date(), earlier_spec.valid_months)
        if env.now.date() <= expiry:
            continue
        text = message("result_expired_return", step=earlier.name, months=earlier_spec.valid_months)
        matters.return_to(s, env, None, matter, earlier.step_key, text)
        return {"kind": "result_expired", "text": message("state.notice_about_matter", text=text, title=matter.title), "notify": [matter.initiator_id]}
    return None


def _ratification(s, env, matter, step, step_spec, spec) -> dict | None:
    if not step_spec.mandatory or step.due_date is None or env.now.date() <= step.due_date:
        return None
    if _once(s, "step.ratification_overdue", step):
        return None
    text = message("ratification_overdue", due=step.due_date.isoformat(), title=matter.title)
    s.add(MatterFlag(matter_id=matter.id, kind="ratification_overdue", text=text, data={"due": str(step.due_date)},
                     created_at=env.now))
    _mark(s, env, "step.ratification_overdue", matter, step, due=step.due_date)
    secretariat = [p.id for p in org.holders(s, "secretariat")]
    return {"kind": "ratification_overdue", "text": text, "notify": [matter.initiator_id, *secretariat]}
