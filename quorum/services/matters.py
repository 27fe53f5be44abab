"""Matters: submit, route, activate steps, act on tasks, return, withdraw, mark urgent.

A matter moves through the ordered steps of the workflow version it started under. Each step
row records whether it applies and why; activating a step creates its tasks; finishing it
activates the next applicable one. Every status change goes through `_set` and appends an
audit event in the same transaction.
"""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from quorum.core import states
from quorum.core.actions import TaskFacts, require_action
from quorum.core.errors import Conflict, InvalidInput, NotPermitted
from quorum.core.messages import message
from quorum.core.routing import is_personnel, plan_route
from quorum.core.spec import StepSpec, WorkflowSpec, clean_text, coerce_fields
from quorum.core.states import MatterStatus, StepStatus, TaskStatus
from quorum.core.steps import ReturnTo, SetFlag, TaskPlan, kind_class
from quorum.db import AuditEvent, Matter, MatterFlag, MatterStep, Opinion, Person, Task, Unit
from quorum.services import (
    arrivals,
    assign,
    audit,
    checks,
    delegations,
    events,
    org,
    permissions,
    reminders,
    steps,
    supervision,
)
from quorum.services.env import Env
from quorum.services.matter_rows import current, get, locked, locked_task, open_tasks, values_of, workflow_of  # noqa: F401 — also read through here by the modules above the engine
from quorum.services.policies import current_version, policy_set_for


def _stored(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, (Decimal, date)) else v) for k, v in values.items()}


def _set(s: Session, env: Env, actor_id: int | None, row: Any, what: str, new: str,
         verb: str, matter_id: int, **payload: Any) -> None:
    old = states.apply(row, what, new, verb)
    audit.append(s, env, actor_id, f"{what}.{new}", what, row.id, {"from": old, **payload}, matter_id=matter_id)
    if what == "matter":
        arrivals.request_decided(s, env, actor_id, row, payload.get("reason", ""))    # an end: its initiator is told


# --------------------------------------------------------------------------------------------
# submit


def submit(s: Session, env: Env, actor: Person, workflow_key: str, title: str,
           raw_fields: Mapping[str, Any]) -> Matter:
    """File a matter: validate its fields, plan and explain its route, open its first step."""
    spec = env.policies.policy_set.workflow(workflow_key)
    if spec.initiator_roles and not org.holds_any(s, actor.id, spec.initiator_roles):
        names = message("value.list_separator").join(env.policies.policy_set.role_name(r) for r in spec.initiator_roles)
        raise NotPermitted.because("matter.initiators_only", names=names, workflow=spec.name)
    title = clean_text(title, message("matter.title_label"))
    values = coerce_fields(spec, raw_fields, bounds=env.bounds)
    unit_id = _unit_id(s, spec, values)
    _require_own_units(s, env, actor, spec, values)
    checks.people_in_fields(s, spec, values, actor)
    derived = checks.derive(s, env, spec, values, unit_id, actor)
    values.update(derived.values)
    version = current_version(s, env)
    route = plan_route(spec, values)
    matter = Matter(workflow_key=spec.key, policy_version_id=version.id, policy_digest=version.digest,
                    title=title, category=values.get("category"), fields=_stored(values),
                    status=MatterStatus.ACTIVE, initiator_id=actor.id, unit_id=unit_id,
                    personnel=is_personnel(spec, values), route=[*derived.notes, *(r.sentence for r in route)],
                    created_at=env.now, updated_at=env.now)
    s.add(matter)
    s.flush()
    checks.write_flags(s, env, matter, derived)
    rows = [MatterStep(matter_id=matter.id, step_key=step.key, seq=seq, kind=step.kind, name=step.name,
                       status=StepStatus.PENDING if planned.applies else StepStatus.SKIPPED,
                       applies=planned.applies, why=planned.why)
            for seq, (step, planned) in enumerate(zip(spec.steps, route, strict=True))]
    s.add_all(rows)
    s.flush()
    set_committed_value(matter, "steps", rows)      # the new rows, in seq order: no reload
    audit.append(s, env, actor.id, "matter.submitted", "matter", matter.id,
                 {"workflow": spec.key, "title": title, "fields": matter.fields, "policy": version.label,
                  "digest": version.digest, "route": matter.route}, matter_id=matter.id)
    first = matter.steps[0]
    _set(s, env, actor.id, first, "step", StepStatus.ACTIVE, message("matter.action_submit"), matter.id, step=first.step_key)
    _finish_step(s, env, actor.id, matter, first, "submitted")
    return matter


def _unit_id(s: Session, spec: WorkflowSpec, values: Mapping[str, Any]) -> int | None:
    unit_id = None
    for field in spec.fields:
        if field.type == "unit" and values.get(field.key):
            found = s.execute(select(Unit).where(Unit.key == values[field.key])).scalar_one_or_none()
            if found is None:
                raise InvalidInput.because("matter.unit_not_registered", label=field.label, value=values[field.key])
            unit_id = unit_id or found.id
    return unit_id


def _require_own_units(s: Session, env: Env, actor: Person, spec: WorkflowSpec, values: Mapping[str, Any],
                       matter_id: int | None = None) -> None:
    """A unit field marked own_unit (the applying unit) names a unit where the filer holds a post, unless granted
    otherwise.
    """
    held = {unit_id for _role, unit_id in org.posts_of(s, actor.id)}
    for field in spec.fields:
        if field.own_unit and values.get(field.key):
            unit = s.execute(select(Unit).where(Unit.key == values[field.key])).scalar_one_or_none()
            if unit is not None and unit.id not in held:
                permissions.require(s, env, actor, "matter.file_for_other_unit", subject="matter",
                                    subject_id=matter_id)


# --------------------------------------------------------------------------------------------
# step lifecycle


def _step(matter: Matter, key: str) -> MatterStep:
    return next(st for st in matter.steps if st.step_key == key)


def _advance(s: Session, env: Env, actor_id: int | None, matter: Matter, after_seq: int) -> None:
    """Open the next applicable step after seq, or close the matter when none is left."""
    for step in matter.steps:
        if step.seq > after_seq and step.status == StepStatus.PENDING:
            _activate(s, env, actor_id, matter, step)
            return
    matter.current_step = None
    _set(s, env, actor_id, matter, "matter", MatterStatus.CLOSED, message("matter.action_close"), matter.id)


def _activate(s: Session, env: Env, actor_id: int | None, matter: Matter, step: MatterStep) -> None:
    spec = workflow_of(s, matter)
    step_spec = spec.step(step.step_key)
    step.round += 1
    step.started_at, step.finished_at, step.outcome = env.now, None, None
    due = steps.deadline(env, matter, step_spec, spec)
    step.due_date, step.due_provisional = (due.due, due.provisional) if due else (None, False)
    matter.current_step = step.step_key
    matter.updated_at = env.now
    _set(s, env, actor_id, step, "step", StepStatus.ACTIVE, message("matter.action_start"), matter.id,
         step=step.step_key, round=step.round, due=step.due_date, provisional=step.due_provisional)
    events.publish(s, env, events.StepActivated(matter, step))
    if step_spec.reopens_to_initiator:
        assign.open_task(s, env, matter, step, "resubmit", "initiator", s.get(Person, matter.initiator_id),
                         message("matter.resubmit_task_title", title=matter.title), None, f"{step.id}:{step.round}")
    elif step_spec.waits_for_supervision and supervision.all_done(s, matter.id):
        _finish_step(s, env, actor_id, matter, step, "done")
    else:
        steps.open_tasks(s, env, matter, step, step_spec, spec, values_of(spec, matter))


def _finish_step(s: Session, env: Env, actor_id: int | None, matter: Matter, step: MatterStep,
                 outcome: str) -> None:
    step.finished_at, step.outcome = env.now, outcome
    _set(s, env, actor_id, step, "step", StepStatus.DONE, message("matter.action_finish"), matter.id,
         step=step.step_key, outcome=outcome)
    events.publish(s, env, events.StepFinished(matter, step))
    _advance(s, env, actor_id, matter, step.seq)


def _cancel_open_tasks(s: Session, env: Env, matter: Matter, step: MatterStep | None = None,
                       group: str | None = None, among: list[Task] | None = None) -> None:
    """Cancel the matter's open tasks (of one step, of one any_of group); `among`: the candidates, already loaded."""
    if among is not None:
        for task in among:
            if task.status == TaskStatus.OPEN and (group is None or task.group_key == group):
                _set(s, env, None, task, "task", TaskStatus.CANCELLED, message("matter.action_cancel"), matter.id)
        return
    query = select(Task).where(Task.matter_id == matter.id, Task.status == TaskStatus.OPEN)
    if step is not None:
        query = query.where(Task.step_id == step.id)
    if group is not None:
        query = query.where(Task.group_key == group)
    for task in s.execute(query).scalars():
        _set(s, env, None, task, "task", TaskStatus.CANCELLED, message("matter.action_cancel"), matter.id)


def return_to(s: Session, env: Env, actor_id: int | None, matter: Matter, target_key: str, reason: str) -> None:
    """Send the matter back to an earlier step; later steps it had passed are opened again in turn."""
    current = _step(matter, matter.current_step)
    target = next((st for st in matter.steps if st.step_key == target_key), None)
    if target is None:
        raise InvalidInput.because("matter.return_target_unknown", step=target_key)
    if target.seq >= current.seq:
        raise InvalidInput.because("matter.return_target_not_before", target=target.name, current=current.name)
    _cancel_open_tasks(s, env, matter)
    _clear_flags_from(s, env, actor_id, matter, target.seq)
    current.finished_at, current.outcome = env.now, "returned"
    _set(s, env, actor_id, current, "step", StepStatus.RETURNED, message("matter.action_return"), matter.id,
         step=current.step_key, to=target_key, reason=reason)
    for step in matter.steps:
        if target.seq <= step.seq < current.seq and step.status == StepStatus.DONE:
            _set(s, env, actor_id, step, "step", StepStatus.PENDING, message("matter.action_redo"), matter.id,
                 step=step.step_key)
    _set(s, env, actor_id, current, "step", StepStatus.PENDING, message("matter.action_await_redo"), matter.id,
         step=current.step_key)
    _activate(s, env, actor_id, matter, target)


def _clear_flags_from(s: Session, env: Env, actor_id: int | None, matter: Matter, seq: int) -> None:
    """Flags raised by answers of steps that will run again are lowered (their history stays in MatterFlag)."""
    spec = workflow_of(s, matter)
    again = spec.steps[seq:]
    names = {o.sets for st in again for o in st.options if o.sets} | {st.reject_flag for st in again if st.reject_flag}
    raised = [n for n in sorted(names) if matter.fields.get(n) is True]
    if raised:
        matter.fields = {**matter.fields, **{n: None for n in raised}}
        audit.append(s, env, actor_id, "matter.flags_cleared", "matter", matter.id, {"flags": raised},
                     matter_id=matter.id)


def end_rejected(s: Session, env: Env, actor_id: int | None, matter: Matter, step: MatterStep, reason: str) -> None:
    _cancel_open_tasks(s, env, matter)
    step.finished_at, step.outcome = env.now, "rejected"
    _set(s, env, actor_id, step, "step", StepStatus.REJECTED, message("matter.action_reject"), matter.id,
         step=step.step_key, reason=reason)
    matter.current_step = None
    _set(s, env, actor_id, matter, "matter", MatterStatus.REJECTED, message("matter.action_reject"), matter.id, reason=reason)


def lapse(s: Session, env: Env, matter: Matter, step: MatterStep, reason: str) -> None:
    """An approval not used within its validity period lapses; the matter must be filed again."""
    _cancel_open_tasks(s, env, matter)
    step.finished_at, step.outcome = env.now, "lapsed"
    _set(s, env, None, step, "step", StepStatus.LAPSED, message("matter.action_lapse"), matter.id, step=step.step_key,
         reason=reason)
    matter.current_step = None
    _set(s, env, None, matter, "matter", MatterStatus.LAPSED, message("matter.action_lapse"), matter.id, reason=reason)


def apply_outcome(s: Session, env: Env, actor_id: int | None, matter: Matter, outcome: str, reason: str) -> None:
    """Finish the current step with approve / reject / postpone as its spec says."""
    step = _step(matter, matter.current_step)
    spec = workflow_of(s, matter).step(step.step_key)
    if outcome == "approve":
        _finish_step(s, env, actor_id, matter, step, "approved")
        return
    rule = (spec.on_postpone or spec.on_reject) if outcome == "postpone" else spec.on_reject
    if isinstance(rule, ReturnTo):
        return_to(s, env, actor_id, matter, rule.step, reason)
    elif isinstance(rule, SetFlag):            # e.g. 不予追认: record it and go on to the remediation step
        _cancel_open_tasks(s, env, matter, step)
        set_flags(s, env, actor_id, matter, [rule.field], reason, after_seq=step.seq)
        _finish_step(s, env, actor_id, matter, step, "not_passed")
    else:
        end_rejected(s, env, actor_id, matter, step, reason)


def set_flags(s: Session, env: Env, actor_id: int | None, matter: Matter, names: list[str], reason: str,
              after_seq: int) -> None:
    """Raise system flags on a matter and plan the steps after `after_seq` again (a flag opens or skips them)."""
    new = [n for n in names if matter.fields.get(n) is not True]
    if not new:
        return
    matter.fields = {**matter.fields, **{n: True for n in new}}
    spec = workflow_of(s, matter)
    for name in new:
        s.add(MatterFlag(matter_id=matter.id, kind=name, text=message("matter.flag_text", label=spec.field(name).label, reason=reason),
                         data={"by": actor_id}, created_at=env.now))
    audit.append(s, env, actor_id, "matter.flagged", "matter", matter.id, {"flags": new, "reason": reason},
                 matter_id=matter.id)
    replan(s, env, actor_id, matter, after_seq)


def replan(s: Session, env: Env, actor_id: int | None, matter: Matter, after_seq: int) -> None:
    """Decide again which of the steps after `after_seq` apply, from the matter's current values."""
    spec = workflow_of(s, matter)
    route = plan_route(spec, values_of(spec, matter))
    notes = [r for r in matter.route if not r.startswith(message("matter.route_sentence_mark"))]
    matter.route = [*notes, *(r.sentence for r in route)]
    changed = []
    for row, planned in zip(matter.steps, route, strict=True):
        if row.seq > after_seq and row.status in (StepStatus.PENDING, StepStatus.SKIPPED) and row.applies != planned.applies:
            changed.append(row.step_key)
        if row.seq > after_seq and row.status in (StepStatus.PENDING, StepStatus.SKIPPED):
            row.applies, row.why = planned.applies, planned.why
            applies = StepStatus.PENDING if planned.applies else StepStatus.SKIPPED
            if row.status != applies:
                states.apply(row, "step", applies, message("matter.action_replan"))
    if changed:
        audit.append(s, env, actor_id, "matter.rerouted", "matter", matter.id, {"steps": changed, "route": matter.route},
                     matter_id=matter.id)


# --------------------------------------------------------------------------------------------
# tasks


def task_facts(s: Session, task: Task, matter: Matter, actor: Person, now=None) -> TaskFacts:
    """The facts `available_actions` decides on; with `now`, active delegations count too.

    Delegations matter only for someone else's task: acting on one's own needs no look-up.
    """
    spec = workflow_of(s, matter)
    step = s.get(MatterStep, task.step_id)
    acting_for = delegations.principals_of(s, actor.id, now) if now is not None and actor.id != task.assignee_id \
        else frozenset()
    step_spec = spec.step(step.step_key)
    earlier = spec.step_index(step.step_key) > 0 and step_spec.answers_may_return
    not_before = step.due_date if task.kind == "publicity" else None
    return TaskFacts(task_open=task.status == TaskStatus.OPEN and matter.status == MatterStatus.ACTIVE,
                     kind="publicity" if task.kind == "publicity_decision" else task.kind,
                     assignee_id=task.assignee_id, actor_id=actor.id,
                     matter_initiator_id=matter.initiator_id, can_return=earlier,
                     acting_for=acting_for,
                     options=steps.options_for(step_spec, task.kind), excluded=assign.excluded_people(s, spec, matter),
                     not_before=not_before, today=now.date() if now is not None else None)


def act(s: Session, env: Env, actor: Person, task_id: int, action: str, comment: str = "",
        return_to_step: str | None = None, fields: Mapping[str, Any] | None = None,
        record: Mapping[str, Any] | None = None) -> Task:
    """Act on a task: answer it (approve, reject, the step's own options), return, resubmit, withdraw, record."""
    task, matter, others = locked_task(s, task_id)
    require_action(task_facts(s, task, matter, actor, env.now), action)
    if action in ("comment", "cc", "add_signer"):
        raise InvalidInput.because("matter.act_other_operations")
    step = s.get(MatterStep, task.step_id)
    step_spec = workflow_of(s, matter).step(step.step_key)
    comment = clean_text(comment, message("matter.comment_label"), 4000, required=False)
    chosen = None if action in ("return", "resubmit", "withdraw", "record", "pay", "complete") else \
        steps.option(step_spec, action)
    if action == "return" and not comment:
        raise InvalidInput.because("matter.return_reason_required")
    if chosen is not None:
        steps.check_answer(s, matter, step, task, chosen, comment)
    if action in ("pay", "complete"):
        raise InvalidInput.because("matter.payment_elsewhere")
    on_behalf = task.assignee_id if task.assignee_id != actor.id else None
    task.acted_at, task.outcome = env.now, action
    _set(s, env, actor.id, task, "task", TaskStatus.DONE, message("matter.action_handle"), matter.id, action=action,
         on_behalf_of=on_behalf)
    s.add(Opinion(matter_id=matter.id, step_key=step.step_key, round=step.round, task_id=task.id,
                  author_id=actor.id, on_behalf_of_id=on_behalf, requirement=task.requirement, decision=action,
                  text=comment.strip(), created_at=env.now))
    arrivals.mentioned(s, env, actor, matter, comment, f"task:{task.id}:{action}")    # @姓名 in the opinion
    _cancel_open_tasks(s, env, matter, group=task.group_key, among=others)
    matter.updated_at = env.now
    if chosen is not None:
        _answer(s, env, actor, matter, step, step_spec, task, chosen, comment, others)
    elif action == "withdraw":
        _cancel_open_tasks(s, env, matter)
        _set(s, env, actor.id, matter, "matter", MatterStatus.WITHDRAWN, message("matter.action_withdraw"), matter.id)
    elif action == "resubmit":
        _resubmit(s, env, actor, matter, step, fields or {})
    elif action == "record":
        supervision.record_decision(s, env, actor, matter, record or {}, comment)
        _finish_step(s, env, actor.id, matter, step, "recorded")
    elif action == "return":
        spec = workflow_of(s, matter)
        target = return_to_step or step_spec.return_target or spec.steps[0].key
        return_to(s, env, actor.id, matter, target, comment)
    return task


def _answer(s: Session, env: Env, actor: Person, matter: Matter, step: MatterStep, step_spec: StepSpec,
            task: Task, chosen, comment: str, others: list[Task] | None = None) -> None:
    """Carry out what the chosen answer does: count toward the step, reject, return, end or postpone."""
    if chosen.sets:
        set_flags(s, env, actor.id, matter, [chosen.sets], comment or chosen.label, after_seq=step.seq)
    effect = chosen.effect
    if effect == "reject":
        apply_outcome(s, env, actor.id, matter, "reject", comment)
    elif effect.startswith("return:"):
        return_to(s, env, actor.id, matter, chosen.return_target, comment)
    elif effect == "end":
        end_rejected(s, env, actor.id, matter, step, comment)
    elif effect == "postpone":
        steps.postpone_publicity(s, env, actor, matter, step, step_spec, task, comment)
    elif step_spec.tasks is TaskPlan.PER_UNIT:
        if steps.countersign_complete(s, step, step_spec):
            _cancel_open_tasks(s, env, matter, step, among=others)
            _finish_step(s, env, actor.id, matter, step, "approved")
    elif _step_complete(s, step, others):
        _finish_step(s, env, actor.id, matter, step, chosen.key if step_spec.outcome_is_answer else "approved")


def _step_complete(s: Session, step: MatterStep, others: list[Task] | None = None) -> bool:
    """A gate or review step is complete when no task of this round is still open (add_signer tasks included).

    `others`: the round's open tasks as locked with the acted one (see `locked_task`), now updated.
    """
    if others is not None:
        return not any(t.status == TaskStatus.OPEN for t in others)
    still_open = s.execute(select(Task.id).where(Task.step_id == step.id, Task.round == step.round,
                                                 Task.status == TaskStatus.OPEN).limit(1)).first()
    return still_open is None


def _resubmit(s: Session, env: Env, actor: Person, matter: Matter, step: MatterStep,
              raw_fields: Mapping[str, Any]) -> None:
    """Re-file a returned matter, possibly with changed fields; the route is planned again."""
    spec = workflow_of(s, matter)
    if raw_fields or spec.rules.split_evasion or spec.rules.repeat_watch:
        current = _stored(values_of(spec, matter))
        inputs = {f.key for f in spec.input_fields}
        merged = {**{k: v for k, v in current.items() if k in inputs}, **raw_fields}
        system = {f.key: values_of(spec, matter).get(f.key) for f in spec.fields if not f.input}
        values = coerce_fields(spec, merged, system, bounds=env.bounds)
        _require_own_units(s, env, actor, spec, values, matter.id)
        checks.people_in_fields(s, spec, values, s.get(Person, matter.initiator_id))
        derived = checks.derive(s, env, spec, values, _unit_id(s, spec, values) or matter.unit_id,
                                s.get(Person, matter.initiator_id), matter_id=matter.id)
        values.update(derived.values)
        matter.fields = _stored(values)
        matter.personnel = is_personnel(spec, values)
        matter.unit_id = _unit_id(s, spec, values) or matter.unit_id
        matter.route = list(derived.notes)
        checks.write_flags(s, env, matter, derived)
    audit.append(s, env, actor.id, "matter.resubmitted", "matter", matter.id,
                 {"fields": matter.fields}, matter_id=matter.id)
    replan(s, env, actor.id, matter, step.seq)
    _finish_step(s, env, actor.id, matter, step, "resubmitted")


def _acted_by_others(s: Session, matter: Matter) -> bool:
    return s.execute(select(Opinion.id).where(Opinion.matter_id == matter.id,
                                              Opinion.author_id != matter.initiator_id).limit(1)).first() is not None


def may_withdraw(s: Session, actor: Person, matter: Matter) -> bool:
    """The initiator may withdraw an active matter nobody else has acted on (button and check alike)."""
    return actor.id == matter.initiator_id and matter.status == MatterStatus.ACTIVE and not _acted_by_others(s, matter)


def may_urge(s: Session, env: Env, actor: Person, matter: Matter) -> bool:
    """Whether the actor may urge an active matter's open tasks (matter.urge: its initiator, the secretariat)."""
    return matter.status == MatterStatus.ACTIVE and permissions.may(
        s, env, actor, "matter.urge", (matter.unit_id,), {"initiator"} if actor.id == matter.initiator_id else ())


def withdraw(s: Session, env: Env, actor: Person, matter_id: int, reason: str) -> Matter:
    """Let the initiator withdraw a matter before anyone else has acted on it."""
    matter = locked(s, Matter, matter_id, message("state.what_matter"))
    if actor.id != matter.initiator_id:
        raise NotPermitted.because("matter.withdraw_initiator_only")
    if matter.status != MatterStatus.ACTIVE:
        raise InvalidInput.because("matter.withdraw_not_active", title=matter.title,
                                    status=message("status." + matter.status))
    if _acted_by_others(s, matter):
        raise InvalidInput.because("matter.withdraw_after_action")
    reason = clean_text(reason, message("matter.withdraw_reason_label"), 1000)
    _cancel_open_tasks(s, env, matter)
    matter.current_step = None
    _set(s, env, actor.id, matter, "matter", MatterStatus.WITHDRAWN, message("matter.action_withdraw"), matter.id, reason=reason)
    return matter


def transfer(s: Session, env: Env, actor: Person, task_id: int, to: Person, reason: str) -> Task:
    """Transfer: hand an open task to another person, who then holds it in the same any_of group."""
    task = locked(s, Task, task_id, message("state.what_task"))
    matter = locked(s, Matter, task.matter_id, message("state.what_matter"))
    facts = task_facts(s, task, matter, actor, env.now)
    if not facts.task_open or not facts.may_act:
        raise NotPermitted.because("matter.transfer_own_open_only")
    if not to.active or to.id in (actor.id, task.assignee_id):
        raise InvalidInput.because("matter.transfer_other_person")
    if task.kind == "review" and to.id == matter.initiator_id:
        raise NotPermitted("self_approval")
    reason = clean_text(reason, message("matter.transfer_reason_label"), 1000)
    step = s.get(MatterStep, task.step_id)
    task.acted_at, task.outcome = env.now, "transferred"
    _set(s, env, actor.id, task, "task", TaskStatus.CANCELLED, message("matter.action_transfer"), matter.id,
         transferred_to=to.username, reason=reason)
    assign.open_task(s, env, matter, step, task.kind, task.role, to, task.title, task.requirement, task.group_key,
                     task.due_date)
    return task


def urge(s: Session, env: Env, actor: Person, task_id: int) -> Task:
    """Urge: the initiator or the secretariat presses an open task — at most once per task per day."""
    task = locked(s, Task, task_id, message("state.what_task"))
    matter = s.get(Matter, task.matter_id)
    if not may_urge(s, env, actor, matter):
        raise NotPermitted.because("matter.urge_who")
    if task.status != TaskStatus.OPEN:
        raise InvalidInput.because("matter.urge_task_done")
    day_start = env.now.replace(hour=0, minute=0, second=0, microsecond=0)
    already = s.execute(select(AuditEvent.id).where(AuditEvent.kind == "task.urged", AuditEvent.subject_id == task.id,
                                                    AuditEvent.at >= day_start).limit(1)).first()
    if already is not None:
        raise InvalidInput.because("matter.urge_once_a_day")
    audit.append(s, env, actor.id, "task.urged", "task", task.id, {"assignee_id": task.assignee_id, "title": task.title},
                 matter_id=matter.id)
    reminders.urged(s, env, actor, task, matter)      # the assignee's notice, in this same transaction
    return task


def mark_urgent(s: Session, env: Env, actor: Person, matter_id: int, reason: str) -> Matter:
    """Let a principal leader mark a matter urgent so it may go on an agenda out of turn."""
    matter = locked(s, Matter, matter_id, message("state.what_matter"))
    if matter.status != MatterStatus.ACTIVE:
        raise InvalidInput.because("matter.urgent_not_active", title=matter.title,
                                    status=message("status." + matter.status))
    permissions.require(s, env, actor, "matter.mark_urgent", (matter.unit_id,),
                        relations_to(s, env, actor, matter, "matter.mark_urgent"),
                        subject="matter", subject_id=matter.id)
    if matter.urgent:
        raise Conflict.because("permission.already_urgent", title=matter.title)
    reason = clean_text(reason, message("matter.urgent_reason_label"), 1000)
    matter.urgent, matter.urgent_by_id = True, actor.id
    audit.append(s, env, actor.id, "matter.marked_urgent", "matter", matter.id, {"reason": reason},
                 matter_id=matter.id)
    return matter


def relations_to(s: Session, env: Env, actor: Person, matter: Matter, action: str) -> set[str]:
    """The actor's relations to a matter that `action`'s grant names (only those are worked out)."""
    wanted, found = permissions.grant(env, action).relations, set()
    if "initiator" in wanted and actor.id == matter.initiator_id:
        found.add("initiator")
    if "hearing_principal" in wanted and _hears_it(s, actor, matter):
        found.add("hearing_principal")
    if "task_holder" in wanted:
        held = select(Task.id).where(Task.matter_id == matter.id, Task.assignee_id == actor.id).limit(1)
        if s.execute(held).first() is not None:
            found.add("task_holder")
    return found


def _hears_it(s: Session, actor: Person, matter: Matter) -> bool:
    """Whether the actor is the principal of a body the matter will still meet in (at the matter's unit if unit-run)."""
    bodies = policy_set_for(s, matter.policy_version_id).bodies
    spec = workflow_of(s, matter)
    posts = org.posts_of(s, actor.id)
    for row in matter.steps:
        body = bodies.get(getattr(spec.step(row.step_key), "body", None) or "")
        if body is None or row.status not in (StepStatus.PENDING, StepStatus.ACTIVE):
            continue
        if any(role == body.principal_role and (body.scope != "unit" or unit_id == matter.unit_id)
               for role, unit_id in posts):
            return True
    return False


def may_mark_urgent(s: Session, env: Env, actor: Person, matter: Matter) -> bool:
    """The "mark urgent" button and mark_urgent's check alike: an active matter not yet urgent, by its hearer."""
    return (matter.status == MatterStatus.ACTIVE and not matter.urgent
            and permissions.may(s, env, actor, "matter.mark_urgent", (matter.unit_id,),
                                relations_to(s, env, actor, matter, "matter.mark_urgent")))


def fast_forward_to(s: Session, env: Env, actor_id: int, matter: Matter, step_key: str) -> None:
    """Skip an urgent matter's remaining steps up to a meeting step, recording why."""
    target = _step(matter, step_key)
    _cancel_open_tasks(s, env, matter)
    for step in matter.steps:
        if step.seq < target.seq and step.status in (StepStatus.ACTIVE, StepStatus.PENDING):
            step.outcome, step.why = "urgent", message("matter.urgent_skip_why", why=step.why)
            _set(s, env, actor_id, step, "step", StepStatus.SKIPPED, message("matter.action_skip"), matter.id,
                 step=step.step_key, reason="urgent")
    if target.status == StepStatus.SKIPPED:
        states.apply(target, "step", StepStatus.PENDING, message("matter.action_urgent"))
    _activate(s, env, actor_id, matter, target)


def on_supervision_settled(s: Session, env: Env, actor_id: int, matter_id: int) -> None:
    """The last supervision item of a matter is done: a step waiting for its supervision finishes."""
    matter = locked(s, Matter, matter_id, message("state.what_matter"))
    step = current(matter)
    if step is not None and kind_class(step.kind).waits_for_supervision:
        apply_outcome(s, env, actor_id, matter, "approve", message("supervision.all_done_note"))
