"""The state vocabulary of every aggregate and the transitions each allows.

`apply(row, what, new, action)` is the one place a status changes: every service moves a matter, a
step, a task, a meeting, an agenda item, a supervision item, a document, a delivery or a job run through it,
so an impossible move (voting on a closed item, approving a withdrawn matter, signing a void
document) is refused in one place and in words. tests/test_architecture.py fails on a service that
assigns a status itself.
"""

from enum import StrEnum
from typing import Protocol

from quorum.core.documents import TRANSITIONS as DOCUMENT
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


class AttendanceStatus(StrEnum):
    """A seat's attendance as the secretariat (or the member, for a leave of absence) records it."""
    PRESENT = "present"
    LEFT = "left"            # left during the meeting: counts no more toward the quorum
    ABSENT = "absent"
    OBSERVER = "observer"    # 列席: present, never counted


class ObjectionStatus(StrEnum):
    """A publicity objection: open (named, or anonymous with specific facts) or logged, then found true or unfounded."""
    OPEN = "open"
    LOGGED = "logged"
    VERIFIED = "verified"
    UNFOUNDED = "unfounded"


class DeliveryStatus(StrEnum):
    """An outbox message on its way to a mailbox or a group robot."""
    PENDING = "pending"      # waiting for its (next) attempt
    SENDING = "sending"      # claimed by a deliverer, under a lease
    SENT = "sent"
    FAILED = "failed"        # the last attempt failed: the 党政办 is told and may resend


class RunStatus(StrEnum):
    """A run of a scheduled job."""
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"


class JobStatus(StrEnum):
    """A background job a person started from a page (issue 15: making a PDF, exports)."""
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


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
DELIVERY = {
    DeliveryStatus.PENDING: {DeliveryStatus.SENDING, DeliveryStatus.PENDING},     # resent now, before its retry
    DeliveryStatus.SENDING: {DeliveryStatus.SENT, DeliveryStatus.PENDING, DeliveryStatus.FAILED,
                             DeliveryStatus.SENDING},    # a lease ran out: the next deliverer claims it again
    DeliveryStatus.FAILED: {DeliveryStatus.PENDING},     # resent by hand
}
RUN = {RunStatus.RUNNING: {RunStatus.COMPLETED, RunStatus.FAILED}}
JOB = {JobStatus.QUEUED: {JobStatus.RUNNING},
       JobStatus.RUNNING: {JobStatus.DONE, JobStatus.FAILED, JobStatus.RUNNING}}   # RUNNING: lease ran out, reclaimed
ATTENDANCE = {status: set(AttendanceStatus) for status in AttendanceStatus}    # recorded as it happens
OBJECTION = {ObjectionStatus.OPEN: {ObjectionStatus.VERIFIED, ObjectionStatus.UNFOUNDED},
             ObjectionStatus.LOGGED: {ObjectionStatus.VERIFIED, ObjectionStatus.UNFOUNDED}}
TABLES: dict[str, dict] = {"matter": MATTER, "step": STEP, "task": TASK, "meeting": MEETING, "item": ITEM,
                           "supervision": SUPERVISION, "document": DOCUMENT, "delivery": DELIVERY, "run": RUN, "job": JOB,
                           "attendance": ATTENDANCE, "objection": OBJECTION}


class Stateful(Protocol):
    status: str


def status_name(what: str, status: str) -> str:
    """Return the name of a status of `what`: its own word where it has one (a meeting's), else the shared one."""
    own = f"state.{what}_{status}"
    return message(own) if own in MESSAGES else message(f"status.{status}")


def advance(table: dict, what: str, current: str, new: str, action: str) -> str:
    """Return new if table allows current → new, else raise InvalidTransition in words."""
    if new not in table.get(current, set()):
        raise InvalidTransition(what=message(f"state.what_{what}"), state=status_name(what, current), action=action)
    return new


def apply(row: Stateful, what: str, new: str, action: str) -> str:
    """Move row to status `new` if the transitions of `what` allow it, else refuse in words; return the old status."""
    old = row.status
    row.status = advance(TABLES[what], what, old, new, action)
    return old
