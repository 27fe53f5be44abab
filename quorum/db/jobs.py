"""Runs of the scheduler's jobs (sweep, digest, nightly): when each started and finished, and how.

The health check reads the newest finished sweep; an operator reads why a run failed. Rows are
only appended and finished, never changed afterwards.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from quorum.db.base import Base, IntPK, Key, fk


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


class BackgroundJob(Base):
    """A long action a person started from a page (making a PDF, an export), run off the request.

    Any web worker's job thread (or `quorum jobs run`) claims a queued row — the version column makes
    two claimers of one row a conflict the loser skips — and records its progress, result or error.
    A running row whose lease ran out (its process died) is claimed again.
    """

    __tablename__ = "background_job"
    __table_args__ = (Index("ix_background_job_status_lease", "status", "lease_until"),)

    id: Mapped[IntPK]
    kind: Mapped[Key]                                   # document_pdf | an export ...
    owner_id: Mapped[int] = fk("person.id", index=True)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20))     # queued | running | done | failed
    progress: Mapped[int] = mapped_column(Integer, default=0)           # percent
    note: Mapped[str] = mapped_column(Text, default="")                 # the current stage, in words
    result: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}
