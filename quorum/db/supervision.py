"""Supervision items: decided work with a lead unit, co-units, a due date and progress reports."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Name, Status, fk


class SupervisionItem(Base):
    __tablename__ = "supervision_item"
    __table_args__ = (Index("ix_supervision_item_due_status", "due_date", "status"),)   # the reminder sweep

    id: Mapped[IntPK]
    matter_id: Mapped[int | None] = fk("matter.id", index=True)
    title: Mapped[Name]
    lead_unit_id: Mapped[int] = fk("unit.id", index=True)
    co_unit_ids: Mapped[list[Any]]
    due_date: Mapped[date]
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    recurrence: Mapped[str | None] = mapped_column(String(20))   # "quarterly": done opens the next check
    status: Mapped[Status]
    created_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class ProgressReport(Base):
    __tablename__ = "progress_report"

    id: Mapped[IntPK]
    item_id: Mapped[int] = fk("supervision_item.id", index=True)
    author_id: Mapped[int] = fk("person.id")
    text: Mapped[str] = mapped_column(Text)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_at: Mapped[datetime]
