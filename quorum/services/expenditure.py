"""Executing an approved expenditure: payments within the validity period and the tolerance.

The approval covers the contract (or project) total. Payments are recorded against it by the
finance management centre on the execution step's task; their sum may exceed the approved total by at
most the workflow's tolerance, beyond which the amount must first be changed and approved again. A
change within the tolerance is recorded; a larger one sends the matter back to its application
so it is routed again by the new amount. An approval not used in time lapses (`timers`).
"""

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quorum.core import money, states
from quorum.core.actions import require_action
from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.core.routing import format_money
from quorum.core.spec import clean_text, coerce_value
from quorum.core.states import TaskStatus
from quorum.core.steps import kind_class
from quorum.db import Matter, MatterStep, Opinion, Payment, Person, Task
from quorum.services import audit, matters, permissions
from quorum.services.env import Env


def approved_amount(s: Session, matter: Matter) -> Decimal:
    spec = matters.workflow_of(s, matter)
    rule = spec.rules.split_evasion
    values = matters.values_of(spec, matter)
    basis = money.basis_amount(rule, values, {f.key: f.label for f in spec.fields}) if rule else None
    if basis is None:
        raise InvalidInput.because("expenditure.no_approved_amount")
    return basis


def paid_total(s: Session, matter_id: int) -> Decimal:
    total = s.execute(select(func.coalesce(func.sum(Payment.amount), 0)).where(Payment.matter_id == matter_id))
    return Decimal(total.scalar_one())


def _execution_task(s: Session, env: Env, actor: Person, task_id: int, action: str) -> tuple[Task, Matter, MatterStep]:
    task = matters.locked(s, Task, task_id, message("state.what_task"))
    matter = matters.locked(s, Matter, task.matter_id, message("state.what_matter"))
    require_action(matters.task_facts(s, task, matter, actor, env.now), action)
    return task, matter, s.get(MatterStep, task.step_id)


def pay(s: Session, env: Env, actor: Person, task_id: int, amount: str, paid_on: date | None = None,
        note: str = "") -> Payment:
    """Record a payment under the approval; refuse one that would exceed the approved total plus tolerance."""
    task, matter, step = _execution_task(s, env, actor, task_id, "pay")
    spec = matters.workflow_of(s, matter)
    value = coerce_value(spec.field("amount"), amount, env.bounds)
    if value is None or value <= 0:
        raise InvalidInput.because("expenditure.amount_not_positive")
    approved, paid = approved_amount(s, matter), paid_total(s, matter.id)
    tolerance = spec.rules.execution.tolerance if spec.rules.execution else Decimal(0)
    if money.exceeds_tolerance(approved, paid + value, tolerance):
        raise InvalidInput("exceeds_tolerance", paid=format_money(paid + value), approved=format_money(approved),
                           percent=f"{tolerance * 100:.0f}%")
    paid_on = paid_on or env.now.date()
    if paid_on > env.now.date():
        raise InvalidInput.because("expenditure.paid_in_future")
    row = Payment(matter_id=matter.id, amount=value, paid_on=paid_on, note=clean_text(note, message("expenditure.payment_note_label"), 1000, False),
                  recorded_by_id=actor.id, created_at=env.now)
    s.add(row)
    s.flush()
    audit.append(s, env, actor.id, "expenditure.paid", "matter", matter.id,
                 {"amount": str(value), "paid_on": paid_on, "total": str(paid + value), "approved": str(approved)},
                 matter_id=matter.id)
    return row


def complete(s: Session, env: Env, actor: Person, task_id: int, comment: str = "") -> Task:
    """Close the execution step once the money has been paid."""
    task, matter, step = _execution_task(s, env, actor, task_id, "complete")
    paid = paid_total(s, matter.id)
    if paid <= 0:
        raise InvalidInput.because("expenditure.nothing_paid")
    comment = clean_text(comment, message("expenditure.execution_label"), 4000, required=False)
    task.acted_at, task.outcome = env.now, "complete"
    states.apply(task, "task", TaskStatus.DONE, message("expenditure.completed"))
    s.add(Opinion(matter_id=matter.id, step_key=step.step_key, round=step.round, task_id=task.id, author_id=actor.id,
                  decision="complete", text=comment or message("expenditure.paid_total", amount=format_money(paid)),
                  created_at=env.now))
    audit.append(s, env, actor.id, "task.done", "task", task.id, {"action": "complete", "paid": str(paid)},
                 matter_id=matter.id)
    matters.apply_outcome(s, env, actor.id, matter, "approve", message("expenditure.completed"))
    return task


def may_change_amount(s: Session, env: Env, actor: Person, matter: Matter) -> bool:
    """expenditure.change_amount, while the matter is at its execution step (the form and the check alike)."""
    current = matters.current(matter)
    relations = {"initiator"} if actor.id == matter.initiator_id else set()
    return (current is not None and kind_class(current.kind).pays_out
            and permissions.may(s, env, actor, "expenditure.change_amount", (matter.unit_id,), relations))


def change_amount(s: Session, env: Env, actor: Person, matter_id: int, field: str, new_amount: str,
                  reason: str) -> Matter:
    """Change an approved amount: within the tolerance it is recorded; beyond it the matter is approved again."""
    matter = matters.locked(s, Matter, matter_id, message("state.what_matter"))
    spec = matters.workflow_of(s, matter)
    permissions.require(s, env, actor, "expenditure.change_amount", (matter.unit_id,),
                        {"initiator"} if actor.id == matter.initiator_id else set(), subject="matter",
                        subject_id=matter.id)
    current = matters.current(matter)
    if current is None or not kind_class(current.kind).pays_out:
        raise InvalidInput.because("expenditure.change_not_executing")
    if field not in (spec.rules.split_evasion.basis_fields if spec.rules.split_evasion else ()):
        raise InvalidInput.because("expenditure.change_field_unknown", field=field)
    value = coerce_value(spec.field(field), new_amount, env.bounds)
    if value is None:
        raise InvalidInput.because("expenditure.change_amount_missing")
    reason = clean_text(reason, message("expenditure.change_reason_label"), 1000)
    approved = approved_amount(s, matter)
    matter.fields = {**matter.fields, field: str(value)}
    tolerance = spec.rules.execution.tolerance if spec.rules.execution else Decimal(0)
    needs_approval = money.exceeds_tolerance(approved, approved_amount(s, matter), tolerance)
    audit.append(s, env, actor.id, "expenditure.amount_changed", "matter", matter.id,
                 {"field": field, "from": str(approved), "to": str(value), "reason": reason,
                  "reapproval": needs_approval}, matter_id=matter.id)
    if needs_approval:
        text = message("expenditure.change_needs_approval", approved=format_money(approved), value=format_money(value),
                       percent=tolerance * 100, reason=reason)
        matters.return_to(s, env, actor.id, matter, spec.steps[0].key, text)
    return matter
