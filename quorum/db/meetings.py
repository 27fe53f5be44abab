"""Meetings, their expected members, attendance, agenda items, recusals and ballots.

Uniqueness is the last line of defence against double votes: one Ballot (named) or one
BallotReceipt (secret) per person per item. Secret choices are never stored one by one: each
secret item has one SecretTally counter per vote option, created when the item is put on the
agenda, and every secret vote updates all of the item's counters in one statement. No row, row
order or transaction id records a single choice, so a choice cannot be linked to its voter
afterwards — not even by an administrator holding the database. (Someone watching the counters
live, vote by vote, during the meeting could still diff them; that needs a live database
session during the vote and is outside what storage can prevent.)
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quorum.db.base import Base, IntPK, Key, Name, Status, fk


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[IntPK]
    body_key: Mapped[Key]
    unit_id: Mapped[int | None] = fk("unit.id")     # a unit-scoped body (成员单位班子会): whose meeting
    policy_version_id: Mapped[int] = fk("policy_version.id")
    title: Mapped[Name]
    scheduled_at: Mapped[datetime]
    place: Mapped[Name]
    status: Mapped[Status]
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_at: Mapped[datetime]
    chair_id: Mapped[int | None] = fk("person.id")
    recorder_id: Mapped[int | None] = fk("person.id")
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    members: Mapped[list["MeetingMember"]] = relationship(order_by="MeetingMember.seat_order", lazy="selectin")
    items: Mapped[list["AgendaItem"]] = relationship(order_by="AgendaItem.seq", lazy="selectin")
    __mapper_args__ = {"version_id_col": version}


class MeetingMember(Base):
    """An expected member, snapshotted from the posts when the meeting is scheduled."""

    __tablename__ = "meeting_member"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = fk("meeting.id", index=True)
    person_id: Mapped[int] = fk("person.id")
    name: Mapped[Name]
    seat_role: Mapped[Key]
    seat_order: Mapped[int]


class Attendance(Base):
    """Where a person is: present, left (mid-meeting), absent (on leave), or observer."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = fk("meeting.id", index=True)
    person_id: Mapped[int] = fk("person.id")
    status: Mapped[Status]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime]


class AgendaItem(Base):
    __tablename__ = "agenda_item"
    # a meeting's items with their matters and ids, read from the index alone (the visibility rule's seats, 0017)
    __table_args__ = (UniqueConstraint("meeting_id", "matter_id"),
                      Index("ix_agenda_item_meeting_matter_id", "meeting_id", "matter_id", "id"))

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = fk("meeting.id")
    matter_id: Mapped[int] = fk("matter.id", index=True)
    step_key: Mapped[Key]
    seq: Mapped[int]
    title: Mapped[Name]
    personnel: Mapped[bool] = mapped_column(Boolean, default=False)
    secret: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[Status]
    result: Mapped[str | None] = mapped_column(String(20))
    counts: Mapped[dict[str, Any] | None]
    presiding_id: Mapped[int | None] = fk("person.id")
    basis: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = fk("person.id")    # 不同意的征求意见已告知会议
    acknowledged_at: Mapped[datetime | None]
    acknowledgement: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class Recusal(Base):
    __tablename__ = "recusal"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[IntPK]
    item_id: Mapped[int] = fk("agenda_item.id", index=True)
    person_id: Mapped[int] = fk("person.id")
    reason: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]


class Ballot(Base):
    """A named vote, with its order (for the chair_speaks_last record) and reason (dissent is kept)."""

    __tablename__ = "ballot"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[IntPK]
    item_id: Mapped[int] = fk("agenda_item.id", index=True)
    person_id: Mapped[int] = fk("person.id")
    choice: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    cast_at: Mapped[datetime]


class BallotReceipt(Base):
    """That a person voted on a secret item — never what they chose."""

    __tablename__ = "ballot_receipt"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[IntPK]
    item_id: Mapped[int] = fk("agenda_item.id", index=True)
    person_id: Mapped[int] = fk("person.id")
    cast_at: Mapped[datetime]


class SecretTally(Base):
    """The running count of one option of a secret item."""

    __tablename__ = "secret_tally"

    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), primary_key=True)
    choice: Mapped[str] = mapped_column(String(20), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class WrittenOpinion(Base):
    """The written opinion of an absent member: recorded, never counted as presence or vote."""

    __tablename__ = "written_opinion"
    __table_args__ = (UniqueConstraint("item_id", "person_id"),)

    id: Mapped[IntPK]
    item_id: Mapped[int] = fk("agenda_item.id", index=True)
    person_id: Mapped[int] = fk("person.id")
    text: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[datetime]
