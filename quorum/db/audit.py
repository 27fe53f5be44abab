"""The append-only, hash-chained audit log and its head pointer.

AuditHead is a single row holding the last sequence number and hash. Appending locks it
(SELECT … FOR UPDATE on PostgreSQL; SQLite serialises writers with BEGIN IMMEDIATE), so two
transactions can never fork the chain, and a deleted tail event is detected by comparing the
last event with the head.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[IntPK]
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None] = mapped_column(index=True)
    matter_id: Mapped[int | None] = mapped_column(index=True)
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    scheme: Mapped[str] = mapped_column(String(16), server_default="sha256")   # "hmac-sha256" since 0013


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
