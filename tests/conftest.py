"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the real server at 127.0.0.1:5432 (database `test`, trust auth), reached through
QUORUM_TEST_PG_URL. Each test run works in its own schema, and each test starts from empty
tables. When the server cannot be reached the PostgreSQL tests fail — they never skip silently —
unless QUORUM_TEST_SKIP_PG=1 is set by a developer on purpose.

The demo community is built once per session and backend, then copied into each test's database
(tests/snapshots.py): `community` starts every test from the same rows, ids and audit chain.
"""

import hashlib
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.database import Database, migrate
from quorum.db.session import make_engine, make_session_factory
from quorum.services import demo, reactions  # noqa: F401 — the engine's routes, as every entry point
from quorum.services.env import Env
from tests.snapshots import Snapshots, empty_tables

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("QUORUM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# A Monday with no holiday nearby: 2026-11-02 09:00 in Asia/Shanghai.
START = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


def backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("QUORUM_TEST_SKIP_PG") != "1":
        params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return params


@pytest.fixture(scope="session")
def checkout_audit_key() -> bytes:
    from quorum.audit_settings import load_key
    return load_key(ROOT / "audit.key")


@pytest.fixture(autouse=True)
def _audit_key_of_the_checkout(checkout_audit_key):
    """Every test starts signing with the checkout's audit key (beside config.toml, as the CLI tests use it).

    A runtime sets the process's key from its settings; an app built from a temporary config.toml in one test
    must not leave its key to the fixtures of the next one.
    """
    from quorum.services import audit
    audit.use_key(checkout_audit_key)
    yield
    audit.use_key(checkout_audit_key)


@pytest.fixture(scope="session")
def loaded_policies():
    return policies.load(ROOT / "policies")


@pytest.fixture(scope="session")
def pdfs(tmp_path_factory):
    """pdfs({stem: docx bytes}) → {stem: PDF bytes}, as quorum.documents.pdf.to_pdf_many, but LibreOffice
    converts each distinct .docx once per test run: several tests print the same frozen document (every kind,
    the 请示, the 纪要). Kept by content hash in the run's directory, shared by the pytest-xdist workers
    (written to a temporary name, then renamed into place)."""
    from quorum.documents.pdf import to_pdf_many
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent              # the controller's directory above popen-gw0, popen-gw1…
    cache = root / "pdf-cache"
    cache.mkdir(exist_ok=True)

    def convert(files: dict[str, bytes]) -> dict[str, bytes]:
        keys = {stem: hashlib.sha256(data).hexdigest() for stem, data in files.items()}
        missing = {stem: files[stem] for stem, key in keys.items() if not (cache / f"{key}.pdf").exists()}
        if missing:
            for stem, pdf in to_pdf_many(missing).items():
                part = cache / f"{keys[stem]}.{os.getpid()}.part"
                part.write_bytes(pdf)
                part.replace(cache / f"{keys[stem]}.pdf")
        return {stem: (cache / f"{key}.pdf").read_bytes() for stem, key in keys.items()}
    return convert


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "quorum.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_engine():
    schema = f"quorum_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    migrate(engine)
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=backends())
def db(request, tmp_path, sqlite_template) -> Database:
    """An empty, migrated database on the parametrised backend."""
    if request.param == "sqlite":
        path = tmp_path / "quorum.sqlite3"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield Database(engine, make_session_factory(engine))
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_engine")
    empty_tables(engine)
    yield Database(engine, make_session_factory(engine))


def current_schema(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(text("SELECT current_schema()")).scalar_one()


@pytest.fixture
def env(loaded_policies) -> Env:
    return Env(loaded_policies, WorkCalendar(), START)


@pytest.fixture(scope="session")
def snapshots(tmp_path_factory):
    """The states built once per session and backend (tests/snapshots.py)."""
    store = Snapshots(tmp_path_factory.mktemp("snapshots"), PG_URL)
    yield store
    store.close()


def from_snapshot(snapshots: Snapshots, db: Database, name: str, build, files_dir: Path | None = None,
                  emptied: bool = False):
    """Give db (and files_dir) the state `build()` makes: built by the first test, copied for the others
    (emptied: db is as the `db` fixture left it, its tables already empty)."""
    if snapshots.has(db.engine.dialect.name, name):
        return snapshots.restore(db.engine, name, files_dir, emptied)
    result = build()
    snapshots.save(db.engine, name, result, files_dir)
    return result


@pytest.fixture
def community(db, env, snapshots) -> Database:
    """The demo 二连浩特 医共体 loaded into the database (a copy of the one built first)."""
    from_snapshot(snapshots, db, "community", lambda: demo.ensure_community(db.sessions, env), emptied=True)
    return db


@pytest.fixture
def decided_demo(community, snapshots):
    """decided_demo(env) → demo.run(community, env): the demo matter decided and its drafts signed (their files
    under env.files_dir), built once per session, backend and clock, then copied."""
    def run(env: Env) -> dict:
        name = f"demo_run_{env.now:%Y%m%dT%H%M}_{'files' if env.files_dir else 'no_files'}"
        return from_snapshot(snapshots, community, name, lambda: demo.run(community.sessions, env), env.files_dir)
    return run


@pytest.fixture
def sc(community, env) -> demo.Scenario:
    """A scenario driver: sc.do(username, service_fn, *args) runs one use case in its own transaction."""
    return demo.Scenario(community.sessions, env)
