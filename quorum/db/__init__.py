"""SQLAlchemy models, one module per concept; importing this package registers them all."""

from quorum.db.access import ApiToken, Attachment, Delegation
from quorum.db.audit import AuditEvent, AuditHead
from quorum.db.base import Base
from quorum.db.calendar import CalendarYear
from quorum.db.chains import MatterCopy, MatterFlag, Payment, PublicityObjection
from quorum.db.documents import Document, DocumentSerial, DocumentSignoff
from quorum.db.jobs import BackgroundJob, JobRun
from quorum.db.match_keys import MatterMatchKey
from quorum.db.matters import Matter, MatterStep, Opinion, Task
from quorum.db.meetings import (
                                AgendaItem,
                                Attendance,
                                Ballot,
                                BallotReceipt,
                                Meeting,
                                MeetingMember,
                                Recusal,
                                SecretTally,
                                WrittenOpinion,
)
from quorum.db.org import Person, Post, Unit
from quorum.db.outbox import CalendarFeed, DutyOpening, Notification, OutboxMessage
from quorum.db.policy import PolicyVersion
from quorum.db.search import DocumentSearch, MatterSearch
from quorum.db.supervision import ProgressReport, SupervisionItem

__all__ = [
    "MatterCopy", "MatterFlag", "MatterMatchKey", "Payment", "PublicityObjection",
    "AgendaItem", "ApiToken", "Attachment", "Delegation", "Attendance", "AuditEvent", "AuditHead", "Ballot", "BallotReceipt", "Base", "Document",
    "DocumentSerial", "DocumentSignoff", "Matter",
    "MatterStep", "Meeting", "MeetingMember", "Opinion", "Person", "PolicyVersion", "Post", "ProgressReport",
    "Recusal", "SecretTally", "SupervisionItem", "Task", "Unit", "WrittenOpinion",
    "CalendarFeed", "DutyOpening", "Notification", "OutboxMessage", "JobRun", "BackgroundJob", "CalendarYear",
    "MatterSearch", "DocumentSearch",
]
