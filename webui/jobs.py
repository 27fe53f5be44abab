"""Background jobs seen from a page: the status fragment a page polls, the file of a finished export,
and the job thread each web process runs (quorum.services.background_jobs explains the queue).

A page that starts a job (making a PDF: webui.documents.make_pdf) redirects to itself with ?job=<id> and
includes templates/web/jobs/_status.html; webui/static/jobs.js reloads that fragment from
/jobs/<id> until the job is finished, then shows its link or its error. Only the owner sees a job.
"""

import logging
import threading
from io import BytesIO
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, render_template, send_file, url_for
from flask_login import login_required

from quorum.core.errors import NotFound
from quorum.services import background_jobs, job_kinds  # noqa: F401 — job_kinds: every kind registered
from webui.downloads import content_disposition
from webui.runtime import WebRuntime, actor, env, transaction

bp = Blueprint("jobs", __name__)
log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
IDLE_SECONDS = 60.0


def job_link(job: dict) -> str | None:
    """Where a finished job's result is read: the document's PDF, or the job's own file."""
    result = job["result"]
    if job["status"] != "done":
        return None
    if "document_id" in result:
        return url_for("documents.download", document_id=result["document_id"], which="pdf")
    if "file" in result:
        return url_for("jobs.download", job_id=job["id"])
    return None


def job_view(job_id: int | None) -> dict | None:
    """The signed-in person's job for a page (None if there is none or it is someone else's)."""
    if job_id is None:
        return None
    with transaction() as s:
        try:
            job = background_jobs.status(s, job_id, actor(s))
        except NotFound:
            return None
    return {**job, "link": job_link(job)}


@bp.route("/jobs/<int:job_id>")
@login_required
def status(job_id: int):
    job = job_view(job_id)
    if job is None:
        abort(404)
    return render_template("jobs/_status.html", job=job)


@bp.route("/jobs/<int:job_id>/file")
@login_required
def download(job_id: int):
    job = job_view(job_id)
    if job is None or "file" not in job["result"]:
        abort(404)
    base = (env().files_dir or Path(".")).resolve()
    path = (base / job["result"]["file"]).resolve()
    if base not in path.parents or not path.is_file():
        abort(404)
    response = send_file(BytesIO(path.read_bytes()), mimetype=job["result"].get("content_type",
                                                                                "application/octet-stream"))
    response.headers["Content-Disposition"] = content_disposition(job["result"].get("filename", path.name),
                                                                  f"job-{job_id}{path.suffix}")
    return response


class JobThread:
    """Claim and run queued jobs in this web process.

    Started by any request this process serves (wake, from before_request: a restarted worker picks up
    what a dead one left queued as soon as it serves anyone), it polls the table every POLL_SECONDS and
    ends after IDLE_SECONDS without work (or with the database away), until the next request wakes it.
    """

    def __init__(self, quorum: WebRuntime) -> None:
        self.quorum = quorum
        self.stop = threading.Event()
        self.kick = threading.Event()
        self.lock = threading.Lock()
        self.thread: threading.Thread | None = None

    def wake(self) -> None:
        """Make sure the thread runs, and have it look at the table now."""
        with self.lock:
            self.kick.set()
            if self.stop.is_set() or (self.thread is not None and self.thread.is_alive()):
                return
            self.thread = threading.Thread(target=self._loop, name="quorum-jobs", daemon=True)
            self.thread.start()

    def _loop(self) -> None:
        idle = 0.0
        while not self.stop.is_set():
            self.kick.clear()
            try:
                ran = background_jobs.run_pending(self.quorum.db.sessions, self.quorum.env)
            except Exception:                     # the database away for a moment: try again, then rest
                log.exception("background job runner")
                ran = 0
            if ran:
                idle = 0.0
                continue
            if self.kick.wait(POLL_SECONDS):
                idle = 0.0
                continue
            idle += POLL_SECONDS
            if idle >= IDLE_SECONDS:
                with self.lock:
                    if not self.kick.is_set():
                        self.thread = None
                        return


def wake() -> None:
    """Have this process's job thread look at the queue now (a page queued a job, or polls one)."""
    runner = current_app.extensions.get("quorum_jobs")
    if runner is not None:
        runner.wake()


def init_app(app: Flask) -> None:
    """Register the routes and the job thread, woken by every request; under test the tests run the queue."""
    app.register_blueprint(bp)
    if not app.testing and app.config.get("QUORUM_JOB_THREAD", True):
        runner = app.extensions["quorum_jobs"] = JobThread(app.extensions["quorum"])
        app.before_request(runner.wake)
