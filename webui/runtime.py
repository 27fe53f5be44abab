"""What every request needs: settings, the database, the rules, the clock — and one transaction."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

from quorum import calendar, policies
from quorum.database import Database, open_database
from quorum.db import Person
from quorum.policies import LoadedPolicies
from quorum.services import org
from quorum.services.env import Env
from quorum.settings import Settings


@dataclass
class WebRuntime:
    settings: Settings
    db: Database
    policies: LoadedPolicies
    fixed_now: datetime | None = None

    @classmethod
    def open(cls, settings: Settings, database: Database | None = None, now: datetime | None = None) -> "WebRuntime":
        database = database or open_database(settings, pool_size=settings.web.threads)
        return cls(settings, database, policies.load(settings.policies_dir), now)

    def env(self) -> Env:
        from quorum.services.calendar_years import current_calendar
        return Env(self.policies, current_calendar(self.db.engine, self.settings), self.fixed_now or calendar.now(),
                   files_dir=self.settings.data_dir / "files", templates_dir=self.settings.templates_dir)


def runtime() -> WebRuntime:
    return current_app.extensions["quorum"]


def env() -> Env:
    return runtime().env()


# GET views that write (opening a notification marks it read): they take a write transaction too.
WRITES_ON_GET = frozenset({"notifications.open_link"})


def _reading() -> bool:
    return has_request_context() and request.method in ("GET", "HEAD") and request.endpoint not in WRITES_ON_GET


@contextmanager
def transaction() -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    GET and HEAD requests only read: on SQLite their transaction starts with a deferred BEGIN and never
    queues behind a writer; every other request (and every GET in WRITES_ON_GET) takes BEGIN IMMEDIATE.
    """
    db = runtime().db
    with (db.reads if _reading() else db.sessions).begin() as s:
        yield s


def actor(s: Session) -> Person:
    """The signed-in person, loaded in this session."""
    return org.person(s, current_user.username)


def call(fn: Callable, *args: Any, **kw: Any) -> Any:
    """Run one use case as the signed-in person in its own transaction and return its result."""
    with transaction() as s:
        return fn(s, env(), actor(s), *args, **kw)
