"""Record the scheduler's job runs, and tell when a job last completed (for /healthz and operators)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from quorum import calendar
from quorum.core import states
from quorum.core.messages import message
from quorum.core.states import RunStatus
from quorum.db import JobRun


def started(s: Session, name: str, now: datetime, trigger: str = "schedule") -> int:
    """Record that a run of job `name` started; return its id."""
    run = JobRun(name=name, started_at=now, status=RunStatus.RUNNING, trigger=trigger, summary={})
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
    states.apply(run, "run", RunStatus.FAILED if error else RunStatus.COMPLETED, message("job.action_finish"))
    run.summary = summary or {}
    run.error = error


def last_completed(s: Session, name: str) -> datetime | None:
    """When the newest completed run of job `name` finished (None if it never completed)."""
    return s.scalar(select(JobRun.finished_at).where(JobRun.name == name, JobRun.status == "completed")
                    .order_by(JobRun.finished_at.desc()).limit(1))


def recorded(sessions: sessionmaker[Session], name: str, trigger: str, body: Callable[[], dict[str, Any]],
             clock: Callable[[], datetime] = calendar.now) -> dict[str, Any]:
    """Run a job's body between a started and a finished job_run row (wall-clock times).

    The rows are written in transactions of their own, so a failing body is still recorded, with its error.
    """
    with sessions.begin() as s:
        run_id = started(s, name, clock(), trigger)
    try:
        result = body()
    except BaseException as exc:
        with sessions.begin() as s:
            finished(s, run_id, clock(), error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    with sessions.begin() as s:
        finished(s, run_id, clock(), summary=counts(result))
    return result


def counts(result: dict[str, Any]) -> dict[str, Any]:
    """What a run did, in numbers (lists counted, plain values kept)."""
    return {k: len(v) if isinstance(v, list) else counts(v) if isinstance(v, dict) else v
            for k, v in result.items() if isinstance(v, list | dict | int | float | str | bool | None)}
