"""What the other governance chains add to a matter: flags, publicity objections, copies and payments.

A MatterFlag is append-only: a split_evasion warning, a ratification-refused accountability mark or a
repeated emergency decision stays on the record; a later clarification is another flag, never an edit.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Key, Status, fk


class MatterFlag(Base):
    __tablename__ = "matter_flag"

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    kind: Mapped[Key]                         # split_evasion | accountability | repeated_emergency | ...
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class PublicityObjection(Base):
    """An objection lodged during a pre-appointment publicity, with the investigation and the complainant's feedback."""

    __tablename__ = "publicity_objection"

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    step_key: Mapped[Key]
    round: Mapped[int]
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    complainant: Mapped[str | None] = mapped_column(String(200))   # never shown beyond the investigators
    contact: Mapped[str | None] = mapped_column(String(200))
    specific: Mapped[bool] = mapped_column(Boolean, default=True)  # anonymous and vague: logged only
    text: Mapped[str] = mapped_column(Text)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    lodged_at: Mapped[datetime]
    recorded_by_id: Mapped[int] = fk("person.id")
    status: Mapped[Status]                    # open | verified | unfounded | logged
    finding: Mapped[str | None] = mapped_column(Text)
    feedback: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = fk("person.id")


class MatterCopy(Base):
    """Copy: a person kept informed of a matter; they may read it, not act on it."""

    __tablename__ = "matter_copy"

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    person_id: Mapped[int] = fk("person.id", index=True)
    by_id: Mapped[int] = fk("person.id")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class Payment(Base):
    """A payment made under an approved expenditure (the approval covers the contract total)."""

    __tablename__ = "payment"

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    paid_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int] = fk("person.id")
    created_at: Mapped[datetime]
