"""The scheduled flows. Each reads like a short script of tasks; each task is one service call.

Tasks pass ids and plain data. Retries are set only where the work is idempotent: the sweep's
notices are keyed, delivery claims each message, timers act once per step round. Each flow run is
recorded in job_run (quorum.services.jobs) in transactions of its own, so /healthz can tell when
the last sweep completed and an operator can see why one failed.
"""

from collections.abc import Callable
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.context import FlowRunContext

from flows.runtime import current
from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.services import audit_anchor, backup, jobs, outbox, sweeps


def _summary(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: r.get(k) for k in ("channel", "to", "kind", "title", "status", "matter_id", "text") if k in r}
            for r in rows]


def trigger() -> str:
    """"schedule" when Prefect's scheduler created this flow run, "manual" otherwise."""
    context = FlowRunContext.get()
    run = context.flow_run if context is not None else None
    return "schedule" if run is not None and run.auto_scheduled else "manual"


def recorded(name: str, body: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run the flow's body as a recorded job run (quorum.services.jobs.recorded)."""
    return jobs.recorded(current().db.sessions, name, trigger(), body)


@task(retries=2, retry_delay_seconds=30)
def fire_timers(now: str | None) -> list[dict[str, Any]]:
    rt = current()
    with rt.db.sessions.begin() as s:
        return _summary(sweeps.fire_timers(s, rt.env(now), rt.outlets))


@task(retries=2, retry_delay_seconds=30)
def remind(now: str | None) -> list[dict[str, Any]]:
    rt = current()
    with rt.db.sessions.begin() as s:
        return _summary(sweeps.deadlines(s, rt.env(now), rt.outlets, rt.rules))


@task(retries=2, retry_delay_seconds=60)
def deliver(now: str | None) -> list[dict[str, Any]]:
    rt = current()
    return _summary(outbox.deliver_pending(rt.db.sessions, rt.env(now), rt.outlets))


@task
def pending_documents() -> list[int]:
    rt = current()
    with rt.db.sessions.begin() as s:
        return sweeps.pending_documents(s)


@task(retries=1, retry_delay_seconds=120)
def convert_document(document_id: int, now: str | None) -> int:
    rt = current()
    with rt.db.sessions.begin() as s:
        sweeps.convert_document(s, rt.env(now), document_id)
    return document_id


@flow(name="quorum-sweep", log_prints=True)
def sweep_flow(now: str | None = None) -> dict[str, Any]:
    """Every 15 minutes: expiries, reminders and escalations, delivery, PDFs of frozen documents."""
    return recorded("sweep", lambda: _sweep(now))


def _sweep(now: str | None) -> dict[str, Any]:
    timers = fire_timers(now)
    notified = remind(now)
    delivered = deliver(now)
    converted = [convert_document(doc, now) for doc in pending_documents()]
    get_run_logger().info("sweep: %d expiries, %d notices, %d deliveries, %d PDFs",
                          sum(1 for t in timers if t.get("channel") == "timer"), len(notified), len(delivered),
                          len(converted))
    return {"timers": timers, "notified": notified, "delivered": delivered, "converted": converted}


@flow(name="quorum-deliver", log_prints=True)
def deliver_flow(now: str | None = None) -> dict[str, Any]:
    """Every minute: send what waits in the outbox, so a notice on arrival (a task, the notice of a meeting, a draft
    sent for sign_off) reaches mail and the group robots within a minute of the change. Not recorded as a job run (the
    sweep is): a quiet minute sends nothing, and delivery is idempotent.
    """
    return {"delivered": deliver(now)}


@task(retries=2, retry_delay_seconds=60)
def digest(now: str | None) -> list[dict[str, Any]]:
    rt = current()
    with rt.db.sessions.begin() as s:
        return _summary(sweeps.digest(s, rt.env(now), rt.outlets, rt.rules))


@flow(name="quorum-digest", log_prints=True)
def digest_flow(now: str | None = None) -> dict[str, Any]:
    """Each working-day morning: one summary per person, then delivery."""
    return recorded("digest", lambda: {"notified": digest(now), "delivered": deliver(now)})


@task
def verify_audit(now: str | None) -> dict[str, Any]:
    rt = current()
    with rt.db.sessions.begin() as s:
        result = sweeps.verify_audit(s, rt.env(now), rt.outlets)
    return {**result, "notified": _summary(result["notified"])}


@task
def anchor_audit(now: str | None) -> dict[str, Any]:
    """Anchor the chain's head outside the data directory and tell discipline inspection (skipped if misconfigured)."""
    rt = current()
    try:
        target = rt.settings.audit.checked_anchor_file()
        with rt.db.sessions.begin() as s:
            head = audit_anchor.anchor(s, rt.env(now), target)
    except QuorumError as exc:
        return {"anchored": False, "reason": str(exc)}
    return {"anchored": True, "seq": head.seq, "hash": head.hash, "file": str(target)}


@task(retries=1, retry_delay_seconds=300)
def back_up(now: str | None) -> dict[str, Any]:
    rt = current()
    env = rt.env(now)
    try:
        return backup.backup(rt.settings.database_url, rt.settings.delivery.backup, env.now,
                             files_dir=rt.settings.data_dir / "files")
    except Exception as exc:          # reported to the administrators, then the task fails visibly
        with rt.db.sessions.begin() as s:
            sweeps.backup_failed(s, env, rt.outlets, str(exc), rt.settings)
        raise


@flow(name="quorum-nightly", log_prints=True)
def nightly_flow(now: str | None = None) -> dict[str, Any]:
    """Each night: verify the audit chain, back the database up (with retention), deliver notices."""
    return recorded("nightly", lambda: _nightly(now))


def _nightly(now: str | None) -> dict[str, Any]:
    audit = verify_audit(now)
    skipped = {"anchored": False, "reason": message("flows.anchor_skipped_audit_failed")}
    anchored = anchor_audit(now) if audit.get("ok") else skipped
    saved = back_up(now)
    return {"audit": audit, "anchor": anchored, "backup": saved, "delivered": deliver(now)}
