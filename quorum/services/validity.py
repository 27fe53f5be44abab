"""Results that expire and opinions a body must acknowledge before it votes.

A step with `valid_months` (a democratic recommendation, valid 12 months) gives a result that must still be
valid when its `valid_until` step decides; an expired one is refused at the agenda and sent back by
the sweep. A meeting step with `acknowledge = [flag]` may not be voted on while that flag is
raised (e.g. the health commission disagreed when consulted) until the presiding member or the secretariat
has recorded that the meeting heard those opinions — advice is not a veto, but it is never skipped.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.calendar import add_months
from quorum.core.messages import message
from quorum.core.states import StepStatus
from quorum.db import Matter, Opinion, Person
from quorum.services import matter_rows
from quorum.services.env import Env


def expired_results(s: Session, env: Env, matter: Matter, step_key: str) -> dict[str, Any] | None:
    """The first earlier result that has expired before `step_key` decides, in the words of `result_expired`."""
    spec = matter_rows.workflow_of(s, matter)
    target = spec.step_index(step_key)
    for row in matter.steps:
        step_spec = spec.step(row.step_key)
        if not step_spec.valid_months or row.status != StepStatus.DONE or row.finished_at is None:
            continue
        if spec.step_index(step_spec.valid_until) < target:
            continue
        expiry = add_months(row.finished_at.date(), step_spec.valid_months)
        if env.now.date() > expiry:
            return {"step": row.name, "expired": expiry.isoformat(), "months": step_spec.valid_months}
    return None


def to_acknowledge(s: Session, matter: Matter, step_key: str) -> list[str]:
    """The opinions behind the raised flags this meeting step must acknowledge, as the author, a full-width colon,
    the text.
    """
    spec = matter_rows.workflow_of(s, matter)
    flags = [f for f in spec.step(step_key).acknowledge if matter.fields.get(f) is True]
    if not flags:
        return []
    answers = {(st.key, o.key) for st in spec.steps for o in st.options if o.sets in flags}
    rows = s.execute(select(Opinion, Person.name).join(Person, Person.id == Opinion.author_id, isouter=True)
                     .where(Opinion.matter_id == matter.id).order_by(Opinion.id)).all()
    return [message("value.labelled", label=name or message("system_author"), text=o.text)
            for o, name in rows if (o.step_key, o.decision) in answers]
