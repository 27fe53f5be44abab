"""Task operations beside the decision: add_signer, copy and comments with attachments.

Adding a signer gives another person a task in its own group on the same step, so the step completes only
when they have acted too. A copy lets a person read the matter without acting on it. A comment is an
opinion that closes nothing; it may carry attachments. Each is audited.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core.actions import require_action
from quorum.core.errors import InvalidInput, NotPermitted
from quorum.core.messages import message
from quorum.core.spec import clean_text
from quorum.core.states import MatterStatus, TaskStatus
from quorum.db import Matter, MatterCopy, MatterStep, Opinion, Person, Task
from quorum.services import arrivals, assign, attachments, audit, matters, permissions
from quorum.services.env import Env


def add_signer(s: Session, env: Env, actor: Person, task_id: int, signer: Person, reason: str) -> Task:
    """Add a signer: ask one more person to act on this step before it may complete."""
    task = matters.locked(s, Task, task_id, message("state.what_task"))
    matter = matters.locked(s, Matter, task.matter_id, message("state.what_matter"))
    facts = matters.task_facts(s, task, matter, actor, env.now)
    require_action(facts, "add_signer")
    if not signer.active:
        raise InvalidInput.because("task.signer_inactive", name=signer.name)
    if signer.id == matter.initiator_id:
        raise NotPermitted("self_approval")
    if signer.id in facts.excluded:
        raise NotPermitted("own_nomination")
    step = s.get(MatterStep, task.step_id)
    already = s.execute(select(Task.id).where(Task.step_id == step.id, Task.round == step.round,
                                              Task.assignee_id == signer.id, Task.status == TaskStatus.OPEN)).first()
    if already is not None:
        raise InvalidInput.because("task.signer_has_task", name=signer.name)
    reason = clean_text(reason, message("task.add_signer_reason_label"), 1000)
    added = assign.open_task(s, env, matter, step, task.kind, task.role, signer, task.title, task.requirement,
                             f"{step.id}:{step.round}:signer:{signer.id}", task.due_date)
    audit.append(s, env, actor.id, "task.signer_added", "task", added.id,
                 {"by_task": task.id, "signer": signer.username, "reason": reason}, matter_id=matter.id)
    return added


def may_copy(s: Session, env: Env, actor: Person, matter: Matter) -> bool:
    """Whether the actor may copy an active matter (matter.copy: initiator, secretariat, an open task's holder)."""
    if matter.status != MatterStatus.ACTIVE:
        return False
    relations = {"initiator"} if actor.id == matter.initiator_id else set()
    mine = s.execute(select(Task.id).where(Task.matter_id == matter.id, Task.status == TaskStatus.OPEN,
                                           Task.assignee_id == actor.id).limit(1)).first()
    if mine is not None:
        relations.add("task_holder")
    return permissions.may(s, env, actor, "matter.copy", (matter.unit_id,), relations)


def copy_to(s: Session, env: Env, actor: Person, matter_id: int, people: Iterable[Person], note: str = "") -> list[MatterCopy]:
    """Copy the matter to people, who may then read it (personnel matters included) but not act."""
    matter = matters.locked(s, Matter, matter_id, message("state.what_matter"))
    if not may_copy(s, env, actor, matter):
        raise permissions.refusal(NotPermitted.because("task.copy_who"), "matter.copy",
                                  "matter", matter.id)
    note = clean_text(note, message("task.copy_note_label"), 1000, required=False)
    existing = set(s.execute(select(MatterCopy.person_id).where(MatterCopy.matter_id == matter.id)).scalars())
    rows = []
    for person in people:
        if person.id in existing or person.id == actor.id:
            continue
        row = MatterCopy(matter_id=matter.id, person_id=person.id, by_id=actor.id, note=note, created_at=env.now)
        s.add(row)
        rows.append(row)
        existing.add(person.id)
        audit.append(s, env, actor.id, "matter.copied", "matter", matter.id, {"to": person.username, "note": note},
                     matter_id=matter.id)
    if not rows:
        raise InvalidInput.because("task.copy_all_present")
    s.flush()
    arrivals.copied(s, env, actor, matter, rows)      # each person copied is told at once
    return rows


def comment(s: Session, env: Env, actor: Person, task_id: int, text: str, uploads: Iterable = ()) -> Opinion:
    """A comment on an open task, with optional attachments; it closes nothing."""
    task = matters.locked(s, Task, task_id, message("state.what_task"))
    matter = s.get(Matter, task.matter_id)
    require_action(matters.task_facts(s, task, matter, actor, env.now), "comment")
    step = s.get(MatterStep, task.step_id)
    row = Opinion(matter_id=matter.id, step_key=step.step_key, round=step.round, task_id=task.id, author_id=actor.id,
                  decision="comment", text=clean_text(text, message("task.comment_label"), 4000), created_at=env.now)
    s.add(row)
    s.flush()
    stored = attachments.store_for_opinion(s, env, actor, matter, row, list(uploads))
    audit.append(s, env, actor.id, "matter.commented", "matter", matter.id,
                 {"task": task.id, "attachments": [a.sha256 for a in stored]}, matter_id=matter.id)
    arrivals.mentioned(s, env, actor, matter, row.text, f"opinion:{row.id}")    # @姓名 in the comment
    return row
