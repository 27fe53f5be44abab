"""Long actions off the request (issue 15, item 5): making a PDF, exports, previews rendered by LibreOffice.

A page calls `start(s, env, kind, owner, params)`: the kind's check runs at once (a refusal is the usual
Chinese error), and a queued background_job row is written; the page gets its id and polls
`status(s, job_id, person)` — which only the job's owner may read — until it is done (with a result the
page turns into a link) or failed (with the error in Chinese).

Any process may run the queue: each web worker has a job thread (webui.jobs) that calls `run_pending`,
and `run_pending` may be called by the scheduler or a test. Why rows and not a thread pool in the
request: the web runs in several gunicorn workers that restart; a row survives them. A runner claims a
queued row through states.apply and the row's version column, so when two runners claim one row the
second's flush fails and it moves on; a running row whose lease ran out (its process died) is claimed
again, at most MAX_ATTEMPTS times, then failed.

Kinds register themselves from their own module (`register(kind, check, run)`), imported by the entry
points through quorum.services.job_kinds. A kind's `run(sessions, env, owner_id, params, progress)` opens
its own transactions and calls `progress(percent, note)` between them (progress is written in a short
transaction of its own, so it must not be called while the kind holds a write transaction: SQLite has one
writer). It returns the result (JSON): {"document_id": …} for making a PDF, or {"file": path under the files
directory, "filename": …, "content_type": …} for a file the owner downloads from the job.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from quorum.core import states
from quorum.core.errors import NotFound, QuorumError
from quorum.core.messages import message
from quorum.core.states import JobStatus
from quorum.db import BackgroundJob, Person
from quorum.services.env import Env

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=10)      # a running job not finished by then is taken as lost with its process
MAX_ATTEMPTS = 2

Progress = Callable[[int, str], None]
Check = Callable[[Session, Env, Person, dict[str, Any]], None]
Run = Callable[[sessionmaker[Session], Env, int, dict[str, Any], Progress], dict[str, Any]]


@dataclass(frozen=True)
class Kind:
    check: Check      # may this person start it, with these params? raises QuorumError (in Chinese) if not
    run: Run


KINDS: dict[str, Kind] = {}


def register(kind: str, check: Check, run: Run) -> None:
    """Make a kind of job startable; registering a kind twice with another function is an error."""
    known = KINDS.get(kind)
    if known is not None and known != Kind(check, run):
        raise ValueError(f"background job kind registered twice: {kind}")
    KINDS[kind] = Kind(check, run)


def start(s: Session, env: Env, kind: str, owner: Person, params: dict[str, Any]) -> int:
    """Check that `owner` may start this job now and queue it; return its id. An unknown kind is a bug."""
    spec = KINDS[kind]
    spec.check(s, env, owner, params)
    job = BackgroundJob(kind=kind, owner_id=owner.id, params=dict(params), status=JobStatus.QUEUED, progress=0,
                        note=message("job.note_queued"), attempts=0, created_at=env.now)
    s.add(job)
    s.flush()
    return job.id


def status(s: Session, job_id: int, person: Person) -> dict[str, Any]:
    """The job as its owner sees it (polled by the page); anyone else is told it does not exist."""
    job = s.get(BackgroundJob, job_id)
    if job is None or job.owner_id != person.id:
        raise NotFound(what=message("state.what_job"), ref=job_id)
    return view(job)


def view(job: BackgroundJob) -> dict[str, Any]:
    return {"id": job.id, "kind": job.kind, "status": job.status, "status_name": states.status_name("job", job.status),
            "progress": job.progress, "note": job.note, "result": job.result or {}, "error": job.error,
            "params": job.params, "created_at": job.created_at, "finished_at": job.finished_at,
            "finished": job.status in (JobStatus.DONE, JobStatus.FAILED)}


def claim(sessions: sessionmaker[Session], now: datetime) -> int | None:
    """Take the oldest runnable job (queued, or running with its lease run out); None when there is none.

    Two runners may read the same row: the version column lets only the first flush through.
    """
    with sessions() as s:
        candidates = list(s.execute(
            select(BackgroundJob.id).where(or_(BackgroundJob.status == JobStatus.QUEUED,
                                               (BackgroundJob.status == JobStatus.RUNNING)
                                               & (BackgroundJob.lease_until < now)))
            .order_by(BackgroundJob.id).limit(5)).scalars())
    for job_id in candidates:
        try:
            with sessions.begin() as s:
                job = s.get(BackgroundJob, job_id)
                if job is None or not _runnable(job, now):
                    continue
                if job.attempts >= MAX_ATTEMPTS:            # lost twice with its process: give up, say so
                    _end(job, now, JobStatus.FAILED, error=message("job.error_lost"))
                    continue
                states.apply(job, "job", JobStatus.RUNNING, message("job.action_claim"))
                job.attempts += 1
                job.started_at, job.lease_until = now, now + LEASE
                job.note = message("job.note_started")
                job.progress = max(job.progress, 1)
        except StaleDataError:                               # another runner claimed it first
            continue
        else:
            if job.status == JobStatus.RUNNING:
                return job_id
    return None


def _runnable(job: BackgroundJob, now: datetime) -> bool:
    return job.status == JobStatus.QUEUED or (job.status == JobStatus.RUNNING and job.lease_until is not None
                                              and job.lease_until < now)


def _end(job: BackgroundJob, now: datetime, new: str, result: dict | None = None, error: str | None = None) -> None:
    states.apply(job, "job", new, message("job.action_finish"))
    job.finished_at, job.lease_until = now, None
    job.progress = 100 if new == JobStatus.DONE else job.progress
    job.result, job.error = result, error
    job.note = message("job.note_done" if new == JobStatus.DONE else "job.note_failed")


def run_one(sessions: sessionmaker[Session], env: Env, job_id: int,
            clock: Callable[[], datetime] | None = None) -> None:
    """Run a claimed job to its end: its kind's result, or its error in Chinese (a bug: a general sentence)."""
    clock = clock or (lambda: env.now)
    with sessions() as s:
        job = s.get(BackgroundJob, job_id)
        kind, owner_id, params = job.kind, job.owner_id, dict(job.params)

    def progress(percent: int, note: str) -> None:
        with sessions.begin() as s:
            row = s.get(BackgroundJob, job_id)
            if row is not None and row.status == JobStatus.RUNNING:
                row.progress, row.note = max(0, min(99, int(percent))), note[:500]

    try:
        spec = KINDS[kind]
        with sessions.begin() as s:                         # still allowed? (rights may have changed since)
            spec.check(s, env, s.get(Person, owner_id), params)
        result = spec.run(sessions, env, owner_id, params, progress)
    except QuorumError as exc:
        _finish(sessions, job_id, clock(), JobStatus.FAILED, error=str(exc))
    except Exception:                                      # a bug or a crash of the converter: logged, told plainly
        log.exception("background job %s (%s) failed", job_id, kind)
        _finish(sessions, job_id, clock(), JobStatus.FAILED, error=message("job.error_internal"))
    else:
        _finish(sessions, job_id, clock(), JobStatus.DONE, result=result)


def _finish(sessions: sessionmaker[Session], job_id: int, now: datetime, new: str, **kw: Any) -> None:
    with sessions.begin() as s:
        job = s.get(BackgroundJob, job_id)
        if job is not None and job.status == JobStatus.RUNNING:
            _end(job, now, new, **kw)


def run_pending(sessions: sessionmaker[Session], env_of: Callable[[], Env], limit: int = 10) -> int:
    """Claim and run queued jobs one after the other (at most `limit`); return how many ran."""
    ran = 0
    while ran < limit:
        env = env_of()
        job_id = claim(sessions, env.now)
        if job_id is None:
            break
        run_one(sessions, env, job_id)
        ran += 1
    return ran
