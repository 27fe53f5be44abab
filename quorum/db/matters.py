"""Matters, their steps, tasks and opinions.

Status changes go through quorum.services only. Matter and Task carry a version column: two
approvers clicking at once load the same version, the second flush fails, and the service
turns that into a clear 409 message instead of a double approval.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quorum.db.base import Base, IntPK, Key, Name, Status, fk


class Matter(Base):
    __tablename__ = "matter"
    # the sweep's candidates of one workflow (silence, expiring results); 拆分规避 over one unit's window
    __table_args__ = (Index("ix_matter_workflow_step_status", "workflow_key", "current_step", "status"),
                      Index("ix_matter_workflow_unit_created", "workflow_key", "unit_id", "created_at"))

    id: Mapped[IntPK]
    workflow_key: Mapped[Key]
    policy_version_id: Mapped[int] = fk("policy_version.id")
    policy_digest: Mapped[str] = mapped_column(String(64))
    title: Mapped[Name]
    category: Mapped[str | None] = mapped_column(String(40))
    fields: Mapped[dict[str, Any]]
    status: Mapped[Status]
    current_step: Mapped[str | None] = mapped_column(String(64))
    initiator_id: Mapped[int] = fk("person.id")
    unit_id: Mapped[int | None] = fk("unit.id")
    personnel: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent_by_id: Mapped[int | None] = fk("person.id")
    route: Mapped[list[Any]]
    decision: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    steps: Mapped[list["MatterStep"]] = relationship(order_by="MatterStep.seq", lazy="selectin")
    __mapper_args__ = {"version_id_col": version}


class MatterStep(Base):
    __tablename__ = "matter_step"
    __table_args__ = (UniqueConstraint("matter_id", "step_key"),
                      Index("ix_matter_step_due_date", "due_date"),              # timers: deadlines passed
                      Index("ix_matter_step_provisional", "due_provisional", "status"))

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    step_key: Mapped[Key]
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[Name]
    status: Mapped[Status]
    applies: Mapped[bool] = mapped_column(Boolean)
    why: Mapped[str] = mapped_column(Text)
    round: Mapped[int] = mapped_column(Integer, default=0)
    due_date: Mapped[date | None]
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(40))


class Task(Base):
    __tablename__ = "task"
    __table_args__ = (Index("ix_task_assignee_status", "assignee_id", "status"),      # 我的待办
                      # the matters a person had a task on, read from the index alone (visibility, 0017)
                      Index("ix_task_assignee_matter", "assignee_id", "matter_id"),
                      Index("ix_task_step_round_status", "step_id", "round", "status"),
                      Index("ix_task_status_due", "status", "due_date"))           # the reminder sweep

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    step_id: Mapped[int] = fk("matter_step.id")
    round: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(20))          # review | gate | record
    requirement: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[Name]
    role: Mapped[Key]
    assignee_id: Mapped[int] = fk("person.id")
    group_key: Mapped[str] = mapped_column(String(120))    # tasks sharing a key are 或签: one act closes all
    status: Mapped[Status]
    due_date: Mapped[date | None]
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    acted_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class Opinion(Base):
    """An opinion given on a step: an approval comment, a gate opinion, a rejection reason."""

    __tablename__ = "opinion"

    id: Mapped[IntPK]
    matter_id: Mapped[int] = fk("matter.id", index=True)
    step_key: Mapped[Key]
    round: Mapped[int] = mapped_column(Integer, default=0)
    task_id: Mapped[int | None] = fk("task.id")
    author_id: Mapped[int | None] = fk("person.id")          # None: the engine itself (逾期视为同意)
    on_behalf_of_id: Mapped[int | None] = fk("person.id")     # 代 X: a delegate acted for X
    requirement: Mapped[str | None] = mapped_column(String(64))
    decision: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
