"""The state vocabulary of every aggregate and the transitions each allows.

Only quorum.services changes a status, and always through `advance(table, current, new)`, so
an impossible move (voting on a closed item, approving a withdrawn matter) is refused in one place.
"""

from enum import StrEnum

from quorum.core.errors import InvalidTransition
from quorum.core.messages import MESSAGES, message


class MatterStatus(StrEnum):
    ACTIVE = "active"        # moving through its steps
    CLOSED = "closed"        # decided and every supervision item done (or none needed)
    REJECTED = "rejected"    # ended by a rejection or a vote that did not pass
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"        # approved, but not executed within the validity period


class StepStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    DONE = "done"
    SKIPPED = "skipped"
    LAPSED = "lapsed"
    RETURNED = "returned"    # was active; the matter went back to an earlier step
    REJECTED = "rejected"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class MeetingStatus(StrEnum):
    SCHEDULED = "scheduled"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ItemStatus(StrEnum):
    PENDING = "pending"
    VOTING = "voting"
    DECIDED = "decided"
    DEFERRED = "deferred"    # quorum lost or not reached: back to the queue for a later meeting


class SupervisionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


MATTER = {
    MatterStatus.ACTIVE: {MatterStatus.CLOSED, MatterStatus.REJECTED, MatterStatus.WITHDRAWN, MatterStatus.LAPSED},
}
STEP = {
    StepStatus.PENDING: {StepStatus.ACTIVE, StepStatus.SKIPPED},
    StepStatus.ACTIVE: {StepStatus.DONE, StepStatus.RETURNED, StepStatus.REJECTED, StepStatus.SKIPPED,
                        StepStatus.LAPSED},
    StepStatus.DONE: {StepStatus.PENDING},        # a later step returned the matter to before this one
    StepStatus.RETURNED: {StepStatus.ACTIVE, StepStatus.PENDING},
    StepStatus.SKIPPED: {StepStatus.PENDING},
}
TASK = {TaskStatus.OPEN: {TaskStatus.DONE, TaskStatus.CANCELLED}}
MEETING = {
    MeetingStatus.SCHEDULED: {MeetingStatus.IN_SESSION, MeetingStatus.CANCELLED},
    MeetingStatus.IN_SESSION: {MeetingStatus.CLOSED},
}
ITEM = {
    ItemStatus.PENDING: {ItemStatus.VOTING, ItemStatus.DEFERRED, ItemStatus.DECIDED},
    ItemStatus.VOTING: {ItemStatus.DECIDED, ItemStatus.DEFERRED},
}
SUPERVISION = {SupervisionStatus.OPEN: {SupervisionStatus.DONE}}


def status_name(what: str, status: str) -> str:
    """Return the name of a status of `what`: its own word where it has one (会议 已散会), else the shared one."""
    own = f"state.{what}_{status}"
    return message(own) if own in MESSAGES else message(f"status.{status}")


def advance(table: dict, what: str, current: str, new: str, action: str) -> str:
    """Return new if table allows current → new, else raise InvalidTransition in words."""
    if new not in table.get(current, set()):
        raise InvalidTransition(what=message(f"state.what_{what}"), state=status_name(what, current), action=action)
    return new
