"""Record the scheduler's job runs, and tell when a job last completed (for /healthz and operators)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from quorum.db import JobRun


def started(s: Session, name: str, now: datetime, trigger: str = "schedule") -> int:
    """Record that a run of job `name` started; return its id."""
    run = JobRun(name=name, started_at=now, status="running", trigger=trigger, summary={})
    s.add(run)
    s.flush()
    return run.id


def finished(s: Session, run_id: int, now: datetime, summary: dict[str, Any] | None = None,
             error: str | None = None) -> None:
    """Record how a run ended: completed, or failed with its error."""
    run = s.get(JobRun, run_id)
    if run is None or run.finished_at is not None:
        return
    run.finished_at = now
    run.status = "failed" if error else "completed"
    run.summary = summary or {}
    run.error = error


def last_completed(s: Session, name: str) -> datetime | None:
    """When the newest completed run of job `name` finished (None if it never completed)."""
    return s.scalar(select(JobRun.finished_at).where(JobRun.name == name, JobRun.status == "completed")
                    .order_by(JobRun.finished_at.desc()).limit(1))
