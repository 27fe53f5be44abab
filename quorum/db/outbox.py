"""The outbox: in-app notifications, outgoing e-mail and webhook messages, calendar feeds, opened duties.

A notification is inserted in the same transaction as the change that causes it, under a unique
key (subject, reminder kind, person, day), so a sweep run twice inserts nothing the second time.
Delivery happens later, outside any business transaction: the deliverer expands new notifications
into outgoing messages (again under unique keys), then claims a message (status "sending", with a lease), sends it, then marks it sent or
schedules a retry with backoff; a message whose lease ran out (the deliverer died) is claimed again.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Key, Name, Status, fk


class Notification(Base):
    """One message to one person, shown on their notifications page; read or unread.

    It is also the outbox entry: the deliverer later expands it (`dispatched_at`) into e-mail and
    group-robot messages as config.toml says, so the change that causes it needs no channel settings.
    """

    __tablename__ = "notification"

    id: Mapped[IntPK]
    key: Mapped[str] = mapped_column(String(240), unique=True)
    event_key: Mapped[str] = mapped_column(String(240), index=True)
    person_id: Mapped[int] = fk("person.id", index=True)
    kind: Mapped[Key]
    subject: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int | None]
    matter_id: Mapped[int | None] = mapped_column(index=True)
    title: Mapped[Name]
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    in_app_only: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    dispatched_at: Mapped[datetime | None] = mapped_column(index=True)
    read_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One message to send over a channel ("email" to an address, "webhook" to a robot)."""

    __tablename__ = "outbox_message"

    id: Mapped[IntPK]
    key: Mapped[str] = mapped_column(String(240), unique=True)
    notification_id: Mapped[int | None] = fk("notification.id")
    channel: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(300))
    kind: Mapped[Key]
    title: Mapped[Name]
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[Status]                 # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class CalendarFeed(Base):
    """A person's secret iCalendar address; only the token's SHA-256 is stored."""

    __tablename__ = "calendar_feed"

    id: Mapped[IntPK]
    person_id: Mapped[int] = fk("person.id", unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class DutyOpening(Base):
    """A recurring duty's period opened as a supervision item (once per duty, year and period)."""

    __tablename__ = "duty_opening"
    __table_args__ = (UniqueConstraint("duty_key", "year", "period"),)

    id: Mapped[IntPK]
    duty_key: Mapped[Key]
    year: Mapped[int]
    period: Mapped[str] = mapped_column(String(8))
    supervision_item_id: Mapped[int | None] = fk("supervision_item.id")
    opened_at: Mapped[datetime]
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
