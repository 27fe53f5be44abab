"""Open the configured database and hand out sessions; migrating is a release step of its own.

`quorum migrate` (and `init`, `demo`, `run` on the embedded default) bring the schema to head. Web
workers, flows and every other command only check: on a schema behind the code they refuse to start
with one line naming the command to run, so restarting several workers after an upgrade never races.
"""

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.db.session import make_engine, make_read_session_factory, make_session_factory
from quorum.settings import Settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


@dataclass(frozen=True)
class Database:
    """The engine and its session factories: `sessions` for every transaction that may write, `reads` for
    those that only read (a deferred BEGIN on SQLite, so readers never queue behind a writer)."""

    engine: Engine
    sessions: sessionmaker[Session]
    reads: sessionmaker[Session] | None = None

    def __post_init__(self) -> None:
        if self.reads is None:
            object.__setattr__(self, "reads", make_read_session_factory(self.engine))


class SchemaBehind(InvalidInput):
    """The database's schema is not the one this code was written for."""


def alembic_config(engine: Engine) -> "Config":
    from alembic.config import Config
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(.*)$", re.M)


@functools.cache
def _revisions() -> tuple[frozenset[str], str]:
    """The revisions this code ships and its single head, read from the migration files as text.

    Alembic itself is imported only to migrate: every command checks the schema, and importing alembic
    costs most of a read command's start-up. tests/test_migrations.py checks this agrees with alembic.
    """
    revisions, downs = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found = _REVISION.search(source)
        if found is None:
            continue
        revisions.add(found.group(1))
        down = _DOWN.search(source)
        downs.update(re.findall(r"['\"]([^'\"]+)['\"]", down.group(1)) if down else ())
    heads = revisions - downs
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return frozenset(revisions), heads.pop()


def code_head() -> str:
    """The newest migration this code ships."""
    return _revisions()[1]


def schema_revision(engine: Engine) -> str | None:
    """The revision the database is at (None for an empty database)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def check_schema(engine: Engine) -> None:
    """Refuse to serve a schema that is not at this code's head."""
    current, head = schema_revision(engine), code_head()
    if current == head:
        return
    if current is None:
        raise SchemaBehind.because("database.not_initialised", head=head)
    if current not in _revisions()[0]:
        raise SchemaBehind.because("database.newer_than_program", current=current, head=head)
    raise SchemaBehind.because("database.behind_program", current=current, head=head)


def unreachable(database_url: str, exc: Exception) -> InvalidInput:
    """The database cannot be reached: where, and the driver's first line (password hidden)."""
    url = make_url(database_url).render_as_string(hide_password=True)
    detail = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
    return InvalidInput(reason=message("cli.database_unreachable", url=url, detail=detail))


def open_database(settings: Settings, upgrade: bool = False, pool_size: int | None = None) -> Database:
    """Open the database; with upgrade=True migrate it to head first, else check that it is at head.

    pool_size: the web server's threads per worker (None: SQLAlchemy's default pool). An unreachable
    database is one line naming it (password hidden), never a traceback.
    """
    Path(settings.data_dir).mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url, synchronous=settings.database_synchronous, pool_size=pool_size)
    try:
        if upgrade:
            migrate(engine)
        else:
            check_schema(engine)
    except OperationalError as exc:
        engine.dispose()
        raise unreachable(settings.database_url, exc) from None
    except Exception:
        engine.dispose()
        raise
    return Database(engine, make_session_factory(engine))
