"""Runs of the scheduler's jobs (sweep, digest, nightly): when each started and finished, and how.

The health check reads the newest finished sweep; an operator reads why a run failed. Rows are
only appended and finished, never changed afterwards.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Key


class JobRun(Base):
    __tablename__ = "job_run"
    __table_args__ = (Index("ix_job_run_name_finished", "name", "finished_at"),)

    id: Mapped[IntPK]
    name: Mapped[Key]                          # sweep | digest | nightly
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20))   # running | completed | failed
    trigger: Mapped[str] = mapped_column(String(20), default="schedule")   # schedule | manual
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)
