"""Pre-appointment publicity objections: lodged during the window, investigated, answered; the outcome waits for them.

Named objections and anonymous ones with specific facts must be investigated before an outcome;
anonymous, vague ones are logged and need not block the appointment. The complainant's name and
contact stay in this table (restricted to the organisation-and-personnel and discipline inspection roles);
the audit trail records only that an objection was lodged and how it was resolved.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.core import states
from quorum.core.errors import InvalidInput, NotFound
from quorum.core.messages import message
from quorum.core.spec import clean_text
from quorum.core.steps import kind_class
from quorum.db import Matter, Person, PublicityObjection
from quorum.services import audit, matters, permissions
from quorum.services.env import Env

RESOLUTIONS = ("verified", "unfounded")


def may_record(s: Session, env: Env, actor: Person) -> bool:
    """Whether the actor may record an objection to a publicity (permissions.toml: publicity.record_objection)."""
    return permissions.may(s, env, actor, "publicity.record_objection")


def may_investigate(s: Session, env: Env, actor: Person) -> bool:
    """Whether the actor may investigate and settle an objection (publicity.resolve_objection)."""
    return permissions.may(s, env, actor, "publicity.resolve_objection")


def lodge(s: Session, env: Env, actor: Person, matter_id: int, text: str, anonymous: bool = False,
          complainant: str = "", contact: str = "", specific: bool = True) -> PublicityObjection:
    """Record an objection to a candidate under publicity; one after the window is kept and marked late."""
    permissions.require(s, env, actor, "publicity.record_objection", subject="matter", subject_id=matter_id)
    matter = matters.locked(s, Matter, matter_id, message("state.what_matter"))
    step = matters.current(matter)
    if step is None or not kind_class(step.kind).has_window:
        raise InvalidInput.because("publicity.not_at_step", title=matter.title)
    text = clean_text(text, message("publicity.objection_text_label"), 4000)
    complainant = clean_text(complainant, message("publicity.complainant_label"), 200, required=not anonymous)
    contact = clean_text(contact, message("publicity.contact_label"), 200, required=False)
    status = "open" if (not anonymous or specific) else "logged"
    row = PublicityObjection(matter_id=matter.id, step_key=step.step_key, round=step.round, anonymous=anonymous,
                             complainant=None if anonymous else complainant, contact=contact or None,
                             specific=specific, text=text, late=env.now.date() > step.due_date, lodged_at=env.now,
                             recorded_by_id=actor.id, status=status)
    s.add(row)
    s.flush()
    audit.append(s, env, actor.id, "publicity.objection_lodged", "objection", row.id,
                 {"anonymous": anonymous, "specific": specific, "status": status, "late": row.late},
                 matter_id=matter.id)
    return row


def resolve(s: Session, env: Env, actor: Person, objection_id: int, result: str, finding: str,
            feedback: str = "") -> PublicityObjection:
    """Record the investigation of an objection and the answer given to a named complainant."""
    permissions.require(s, env, actor, "publicity.resolve_objection", subject="objection", subject_id=objection_id)
    row = s.execute(select(PublicityObjection).where(PublicityObjection.id == objection_id)
                    .with_for_update()).scalar_one_or_none()
    if row is None:
        raise NotFound(what=message("publicity.what_objection"), ref=objection_id)
    if row.status not in ("open", "logged"):
        raise InvalidInput.because("publicity.objection_closed")
    if result not in RESOLUTIONS:
        raise InvalidInput.because("publicity.conclusion_unknown")
    row.finding = clean_text(finding, message("publicity.finding_label"), 4000)
    row.feedback = clean_text(feedback, message("publicity.feedback_label"), 4000, required=not row.anonymous) or None
    states.apply(row, "objection", result, message("publicity.action_resolve"))
    row.resolved_at, row.resolved_by_id = env.now, actor.id
    audit.append(s, env, actor.id, "publicity.objection_resolved", "objection", row.id,
                 {"result": result, "feedback_given": bool(row.feedback)}, matter_id=row.matter_id)
    return row


def of_matter(s: Session, matter_id: int) -> list[PublicityObjection]:
    return list(s.execute(select(PublicityObjection).where(PublicityObjection.matter_id == matter_id)
                          .order_by(PublicityObjection.id)).scalars())
