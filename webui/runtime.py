"""What every request needs: settings, the database, the rules, the clock — and one transaction."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session, lazyload

from quorum import calendar, policies
from quorum.core.errors import NotPermitted
from quorum.database import Database, open_database
from quorum.db import Person
from quorum.policies import LoadedPolicies
from quorum.services import attachment_preview, audit, org, reactions, refusals  # noqa: F401 — reactions: the engine's routes
from quorum.services.env import Env
from quorum.settings import Settings
from webui.form_bounds import check_posted_form


@dataclass
class WebRuntime:
    settings: Settings
    db: Database
    policies: LoadedPolicies
    fixed_now: datetime | None = None

    @classmethod
    def open(cls, settings: Settings, database: Database | None = None, now: datetime | None = None) -> "WebRuntime":
        database = database or open_database(settings, pool_size=settings.web.threads)
        audit.use_settings(settings)        # sign audit events with this deployment's key
        attachment_preview.use_limits(settings.previews)    # [previews]: what one conversion may take
        return cls(settings, database, policies.load(settings.policies_dir), now)

    def env(self) -> Env:
        from quorum.services.calendar_years import current_calendar
        return Env(self.policies, current_calendar(self.db.engine, self.settings), self.fixed_now or calendar.now(),
                   files_dir=self.settings.data_dir / "files", templates_dir=self.settings.templates_dir,
                   bounds=self.settings.limits.bounds)


def runtime() -> WebRuntime:
    return current_app.extensions["quorum"]


def env() -> Env:
    """The environment of this request (one instant and one calendar look-up per request)."""
    if not has_request_context():
        return runtime().env()
    if "quorum_env" not in g:
        g.quorum_env = runtime().env()
    return g.quorum_env


# GET views that write (opening a notification marks it read): they take a write transaction too.
WRITES_ON_GET = frozenset({"notifications.open_link"})


def _reading() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD") and request.endpoint not in WRITES_ON_GET


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    GET and HEAD requests only read: they share ONE read transaction for the whole request — the user
    loader, the view, the navigation counters and the panels — which on SQLite starts with a deferred
    BEGIN and never queues behind a writer, and is ended when the request is torn down. Every other
    request (and every GET in WRITES_ON_GET) takes one write transaction (BEGIN IMMEDIATE) per unit of work.
    """
    db = runtime().db
    if not _reading():
        try:
            with db.sessions.begin() as s:
                yield s
        except NotPermitted as error:
            _record_refusal(error)
            raise
        return
    s = g.get("quorum_reads")
    if s is None:
        s = g.quorum_reads = db.reads()
        _hold_loaded(s)
        s.begin()
    try:
        yield s
    except BaseException as error:
        g.quorum_reads = None        # a failed read transaction is not reused (PostgreSQL aborts it)
        s.rollback()
        s.close()
        if isinstance(error, NotPermitted):
            _record_refusal(error)
        raise


def _record_refusal(error: NotPermitted) -> None:
    """Record a refused attempt for discipline inspection, once per error, after its own transaction has rolled back."""
    if getattr(error, "recorded", False) or not has_request_context():
        return
    error.recorded = True
    person_id = g.get("quorum_person_id")
    if person_id is None and current_user and current_user.is_authenticated:
        person_id = current_user.person_id
    channel = "api" if request.path.startswith("/api/") else "web"
    refusals.record(runtime().db.sessions, env(), person_id, error, channel, f"{request.method} {request.path}")


def _hold_loaded(s: Session) -> None:
    """Keep what the request's read session loads until the request ends: the identity map holds objects
    only weakly, so the view's matter would otherwise be read again by the panels rendered after it."""
    held: list[object] = []
    s.info["quorum.held"] = held
    event.listen(s, "loaded_as_persistent", lambda _session, instance: held.append(instance))


def end_reads(error: BaseException | None = None) -> None:
    """End the request's read transaction (teardown): commit what a GET may have written, else roll back."""
    s = g.pop("quorum_reads", None)
    if s is None:
        return
    try:
        if error is None:
            s.commit()
        else:
            s.rollback()
    finally:
        s.close()


def init_app(app) -> None:
    app.teardown_request(end_reads)


def actor(s: Session) -> Person:
    """The signed-in person, loaded in this session (once per request in a GET's read transaction)."""
    found = s.get(Person, current_user.person_id, options=[lazyload(Person.posts)])
    return found if found is not None else org.person(s, current_user.username)


def call(fn: Callable, *args: Any, **kw: Any) -> Any:
    """Run one use case as the signed-in person in its own transaction and return its result."""
    check_posted_form()              # an over-long form value: InvalidInput, inside the view's own `try`
    with transaction() as s:
        return fn(s, env(), actor(s), *args, **kw)
