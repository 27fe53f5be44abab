"""How each kind of step runs once active: its deadline, its tasks, and what an answer does.

`quorum.services.matters` owns the lifecycle (activate, finish, return, reject); this module
holds the per-kind behaviour it delegates to:

- countersign: one group per unit; done when all (or `required`) groups have passed; after a
  return, `restart = "objecting"` keeps the answers of the units that had agreed;
- publicity: a publicity window of N working days (counting from the next working day); the outcome
  task opens at once but may be answered only after the window and once every specific
  objection is investigated; postponing the appointment re-opens the decision for at most `postpone_months`;
- filing: the receiving body acknowledges (filing is not approval) or objects;
- timer: waits (a probation of 12 months from the decision) and is finished by `timers.fire_due`;
- execution: the approved money is paid within the validity period (see `expenditure`).
"""

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.calendar import Deadline, add_months
from quorum.core.errors import InvalidInput, NotPermitted
from quorum.core.messages import message
from quorum.core.routing import assignee_role, required_opinions
from quorum.core.spec import OptionSpec, StepSpec, WorkflowSpec
from quorum.core.steps import TaskPlan, kind_class
from quorum.db import Matter, MatterStep, Opinion, Person, PublicityObjection, Task
from quorum.services import assign, audit, matter_rows
from quorum.services.env import Env


def deadline(env: Env, matter: Matter, step_spec: StepSpec, spec: WorkflowSpec) -> Deadline | None:
    """The due date a step gets when it opens, as its kind counts it."""
    execution = spec.rules.execution
    span = step_spec.span(execution.validity_months if execution is not None else None)
    if span is None:
        return None
    start = (decision_date(matter) if span.from_decision else None) or env.now.date()
    if span.months:
        due = add_months(start, span.months)
    elif span.days:
        due = start + timedelta(days=span.days)
    else:
        return env.calendar.add_working_days(start, span.working_days)
    return Deadline(due, env.calendar.is_provisional(due))


def decision_date(matter: Matter) -> date | None:
    """The day of the matter's last collective decision (the appointment and the probation count from it)."""
    last = (matter.decision or {}).get("last")
    return datetime.fromisoformat(last["decided_at"]).date() if last else None


def open_tasks(s: Session, env: Env, matter: Matter, step: MatterStep, step_spec: StepSpec,
               spec: WorkflowSpec, values: dict[str, Any]) -> None:
    """Create the tasks a step needs now that it is active."""
    kind, title = step.kind, message("task.title", step=step.name, title=matter.title)
    if step_spec.tasks is TaskPlan.PER_REQUIREMENT:
        for req, needed, _why in required_opinions(step_spec, values, spec):
            if needed:
                people = assign.holders_for(s, env, spec, matter, step_spec, req.role, kind=kind)
                assign.open_group(s, env, matter, step, kind, req.role, people,
                                  message("task.title", step=req.name, title=matter.title), req.key)
    elif step_spec.tasks is TaskPlan.PER_UNIT:
        _open_countersign(s, env, matter, step, step_spec, spec, title)
    elif step_spec.tasks is TaskPlan.BY_ROLE:
        role = assignee_role(step_spec, values, spec)
        people = assign.holders_for(s, env, spec, matter, step_spec, role, kind=kind)
        due = env.calendar.next_workday(step.due_date, include_self=False) if step_spec.has_window else None
        assign.open_group(s, env, matter, step, kind, role, people, title, None, due)


def _open_countersign(s: Session, env: Env, matter: Matter, step: MatterStep, step_spec: StepSpec,
                      spec: WorkflowSpec, title: str) -> None:
    role = assignee_role(step_spec, _values(matter, spec), spec)
    for unit in assign.countersign_units(s, step_spec):
        if step.round > 1 and step_spec.restart == "objecting":
            earlier = _last_answer(s, matter, step, unit.key)
            if earlier is not None and _effect(step_spec, earlier.decision) == "pass":
                s.add(Opinion(matter_id=matter.id, step_key=step.step_key, round=step.round, author_id=earlier.author_id,
                              requirement=unit.key, decision=earlier.decision,
                              text=message("carried_answer", round=earlier.round, text=earlier.text), created_at=env.now))
                continue
        people = assign.holders_for(s, env, spec, matter, step_spec, role, unit.id, kind="countersign")
        assign.open_group(s, env, matter, step, "countersign", role, people,
                          message("task.title_of_unit", title=title, unit=unit.short_name), unit.key)
    s.flush()


def _values(matter: Matter, spec: WorkflowSpec) -> dict[str, Any]:
    return matter_rows.values_of(spec, matter)


def _last_answer(s: Session, matter: Matter, step: MatterStep, unit_key: str) -> Opinion | None:
    return s.execute(select(Opinion).where(Opinion.matter_id == matter.id, Opinion.step_key == step.step_key,
                                           Opinion.requirement == unit_key, Opinion.round < step.round)
                     .order_by(Opinion.id.desc()).limit(1)).scalar_one_or_none()


def _effect(step_spec: StepSpec, decision: str) -> str | None:
    option = step_spec.option(decision)
    return option.effect if option else None


def options_for(step_spec: StepSpec, task_kind: str) -> tuple[str, ...]:
    """The answers a task offers: its step's; a re-opened publicity decision can no longer be postponed."""
    return tuple(o.key for o in step_spec.options if not (task_kind == "publicity_decision" and o.effect == "postpone"))


def option(step_spec: StepSpec, action: str) -> OptionSpec:
    """Return the step's answer `action`, refusing one the step does not offer."""
    found = step_spec.option(action)
    if found is None:
        raise NotPermitted.because("task.answer_unsupported", action=action)
    return found


def check_answer(s: Session, matter: Matter, step: MatterStep, task: Task, chosen: OptionSpec, comment: str) -> None:
    """Refuse an answer whose preconditions are not met (reasons, open publicity objections)."""
    if chosen.needs_comment and not comment:
        raise InvalidInput.because("task.answer_needs_comment", option=chosen.label)
    if kind_class(step.kind).has_window:
        open_count = unresolved_objections(s, matter, step)
        if open_count:
            raise InvalidInput.because("task.objections_open", count=open_count)


def unresolved_objections(s: Session, matter: Matter, step: MatterStep) -> int:
    rows = s.execute(select(PublicityObjection.id).where(
        PublicityObjection.matter_id == matter.id, PublicityObjection.step_key == step.step_key,
        PublicityObjection.round == step.round, PublicityObjection.status == "open"))
    return len(rows.all())


def countersign_complete(s: Session, step: MatterStep, step_spec: StepSpec) -> bool:
    """Every unit's group — or `required` of them — has given a passing answer this round."""
    answers = s.execute(select(Opinion.requirement, Opinion.decision).where(
        Opinion.matter_id == step.matter_id, Opinion.step_key == step.step_key, Opinion.round == step.round,
        Opinion.requirement.is_not(None)))
    passed = {unit for unit, decision in answers if _effect(step_spec, decision) == "pass"}
    needed = step_spec.required or (len(step_spec.units) if step_spec.units and not step_spec.unit_kind
                                    else len(assign.countersign_units(s, step_spec)))
    return len(passed) >= needed


def postpone_publicity(s: Session, env: Env, actor: Person, matter: Matter, step: MatterStep,
                       step_spec: StepSpec, task: Task, comment: str) -> None:
    """Postpone the appointment: the decision waits at most postpone_months, then must be taken (only once)."""
    if task.kind == "publicity_decision":
        raise InvalidInput.because("task.postponed_once")
    due = add_months(env.now.date(), step_spec.postpone_months)
    step.due_date, step.due_provisional = due, env.calendar.is_provisional(due)
    people = assign.holders_for(s, env, workflow(s, matter), matter, step_spec, task.role, kind="publicity")
    assign.open_group(s, env, matter, step, "publicity_decision", task.role, people,
                      message("postponed_decision_title", title=matter.title), "postponed", due)
    audit.append(s, env, actor.id, "step.publicity_postponed", "step", step.id,
                 {"until": due, "reason": comment, "months": step_spec.postpone_months}, matter_id=matter.id)


def workflow(s: Session, matter: Matter) -> WorkflowSpec:
    return matter_rows.workflow_of(s, matter)
