"""Who may read what through the API — the same service-layer rules the pages use.

Matters: quorum.services.visibility (personnel matters are restricted). Meetings:
quorum.services.agenda.may_view (members, observers, organisers, the secretariat, the administrator,
discipline inspection). Audit: discipline inspection and administrators. This module only adapts them to the
API's calls.
"""

from typing import Any

from sqlalchemy.orm import Session

from quorum.db import Matter, Meeting, Person
from quorum.services import agenda, permissions, visibility
from quorum.services.env import Env
from webui.runtime import env


def require_matter(s: Session, person: Person, matter_id: int) -> Matter:
    return visibility.require_view(s, env(), person, matter_id)


def visible_matter_ids(s: Session, person: Person, ids: set[int]) -> set[int]:
    return visibility.visible_ids(s, env(), person, ids)


def require_meeting(s: Session, person: Person, meeting_id: int) -> Meeting:
    return agenda.viewable(s, env(), person, meeting_id)


def meeting_list(s: Session, person: Person, status: str | None) -> list[dict[str, Any]]:
    return agenda.listing(s, env(), person, status)


def require_auditor(s: Session, env: Env, person: Person) -> None:
    """Only those granted audit.inspect (discipline inspection, the administrator) verify the chain or read refusals
    on request."""
    permissions.require(s, env, person, "audit.inspect", subject="audit")
