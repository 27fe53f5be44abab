"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL is the real server at 127.0.0.1:5432 (database `test`, trust auth), reached through
QUORUM_TEST_PG_URL. Each test run works in its own schema, and each test starts from empty
tables. When the server cannot be reached the PostgreSQL tests fail — they never skip silently —
unless QUORUM_TEST_SKIP_PG=1 is set by a developer on purpose.

The demo community is built once per test run and backend — once for all the pytest-xdist workers — then
copied into each test's database (tests/snapshots.py): `community` starts every test from the same rows, ids and
audit chain. The process that starts the run (the xdist controller, or the only process) makes the run's shared
directory, hands it to the workers and removes it, with the PostgreSQL snapshot schemas, at the end.
"""

import functools
import hashlib
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import flask
import jinja2
import pytest
from sqlalchemy import create_engine, text

from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.database import Database, migrate
from quorum.db.session import make_engine, make_session_factory
from quorum.services import demo, org, reactions  # noqa: F401 — the engine's routes, as every entry point
from quorum.services.env import Env
from tests.snapshots import Run, Snapshots, empty_tables, end_run, locked, new_run

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("QUORUM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
# A Monday with no holiday nearby: 2026-11-02 09:00 in Asia/Shanghai.
START = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)


RUN = pytest.StashKey[Run]()


OWN_RUN = pytest.StashKey[bool]()


def pytest_configure(config: pytest.Config) -> None:
    """The run's shared directory: the controller's (or the only process's) own, a worker's from its controller —
    or its own, if the controller did not load this conftest and handed none (the worker then removes it)."""
    worker = getattr(config, "workerinput", None)
    if worker is not None and "quorum_run_root" in worker:
        config.stash[RUN] = Run(Path(worker["quorum_run_root"]), worker["quorum_run_id"])
        config.stash[OWN_RUN] = False
    else:
        config.stash[RUN] = new_run()
        config.stash[OWN_RUN] = True


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:
    """pytest-xdist: every worker shares the controller's run (its saved states, its PDFs)."""
    run = node.config.stash[RUN]
    node.workerinput["quorum_run_root"] = str(run.root)
    node.workerinput["quorum_run_id"] = run.run_id


def pytest_unconfigure(config: pytest.Config) -> None:
    if config.stash.get(OWN_RUN, False):
        end_run(config.stash[RUN], PG_URL)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The long modules first: those marked slow or driving the browser, then the others by their number of
    tests, most first; a module's own tests keep their order. pytest-xdist (--dist loadfile
    --no-loadscope-reorder, scripts/test.sh) hands the modules out in this order, so the longest ones start while
    the other worker still has plenty of short ones to run, instead of one of them starting last and running alone.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)

    def rank(module: list[pytest.Item]) -> tuple[bool, int]:
        long = any(i.get_closest_marker("slow") or "browser" in getattr(i, "fixturenames", ()) for i in module)
        return not long, -len(module)
    items[:] = [item for module in sorted(modules.values(), key=rank) for item in module]


@pytest.fixture(scope="session")
def shared_run(request) -> Run:
    """The run's directory and id, shared by the pytest-xdist workers (not `run`: modules have fixtures by that
    name)."""
    return request.config.stash[RUN]


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


class CompiledTemplates(jinja2.BytecodeCache):
    """The web templates compiled once per test process and shared by the Flask apps of all its tests.

    Each test builds its own app (create_app), and each app's Jinja environment compiled every page it rendered
    again (~0.1 s a template, a sixth of a web test's time). A compiled template is kept by its name, its file,
    the source's checksum (an edited template is compiled again) and what the compiler reads from the
    environment (syntax, autoescaping, filters and tests and what they are passed), so two environments that
    would compile it differently never share it.
    """

    def __init__(self) -> None:
        self.codes: dict[str, tuple[str, object]] = {}

    def get_bucket(self, environment, name, filename, source) -> jinja2.bccache.Bucket:
        key = repr((self.get_cache_key(name, filename), _compiled_by(environment, name)))
        bucket = jinja2.bccache.Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket) -> None:
        kept = self.codes.get(bucket.key)
        if kept is not None and kept[0] == bucket.checksum:
            bucket.code = kept[1]

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key] = (bucket.checksum, bucket.code)


def _compiled_by(env: jinja2.Environment, name: str | None) -> tuple:
    """What of the environment the Jinja compiler reads while compiling template `name`."""
    def passed(functions: dict) -> tuple:
        return tuple(sorted((key, repr(getattr(f, "jinja_pass_arg", None))) for key, f in functions.items()))
    escape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    return (type(env).__qualname__, env.block_start_string, env.block_end_string, env.variable_start_string,
            env.variable_end_string, env.comment_start_string, env.comment_end_string, env.line_statement_prefix,
            env.line_comment_prefix, env.trim_blocks, env.lstrip_blocks, env.newline_sequence,
            env.keep_trailing_newline, tuple(sorted(env.extensions)), env.optimized, env.is_async,
            env.finalize is not None, bool(escape), passed(env.filters), passed(env.tests))


@pytest.fixture(scope="session", autouse=True)
def _web_templates_compiled_once():
    """Every Flask app of the process shares CompiledTemplates (rendering is unchanged, only compiled once)."""
    shared = CompiledTemplates()
    create = flask.Flask.create_jinja_environment

    def create_jinja_environment(app):
        env = create(app)
        env.bytecode_cache = shared
        return env
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(flask.Flask, "create_jinja_environment", create_jinja_environment)
        yield


@pytest.fixture(scope="session", autouse=True)
def _password_checks_memoised():
    """A sign-in checks the password against its scrypt hash, ~0.3 s of CPU by design; the suite signs the same
    demo people in with the same password thousands of times. werkzeug's check is a pure function of the hash and
    the password, so its answers are kept for the session: the same answer, computed once per pair."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(org, "check_password_hash", functools.lru_cache(maxsize=None)(org.check_password_hash))
        yield


@pytest.fixture(scope="session")
def loaded_policies():
    return policies.load(ROOT / "policies")


@pytest.fixture(scope="session")
def pdfs(shared_run):
    """pdfs({stem: docx bytes}) → {stem: PDF bytes}, as quorum.documents.pdf.to_pdf_many, but LibreOffice
    converts each distinct .docx once per test run: several tests print the same frozen document (every kind,
    the 请示, the 纪要). Kept by content hash in the run's directory, shared by the pytest-xdist workers
    (written to a temporary name, then renamed into place)."""
    from quorum.documents.pdf import to_pdf_many
    cache = shared_run.root / "pdf-cache"
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
def sqlite_template(shared_run) -> Path:
    """An empty migrated SQLite database, migrated once per run (the first worker's, the others wait)."""
    path = shared_run.root / "template.sqlite3"
    with locked(shared_run.root / "template.lock"):
        if not path.exists():
            part = shared_run.root / f"template.{os.getpid()}.part"
            engine = make_engine(f"sqlite:///{part}")
            migrate(engine)
            engine.dispose()
            part.replace(path)
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
def snapshots(shared_run) -> Snapshots:
    """The states built once per run and backend, whichever worker needs one first (tests/snapshots.py)."""
    return Snapshots(shared_run, PG_URL)


def from_snapshot(snapshots: Snapshots, db: Database, name: str, build, files_dir: Path | None = None,
                  emptied: bool = False):
    """Give db (and files_dir) the state `build()` makes: built by the run's first test, copied for the others
    (emptied: db is as the `db` fixture left it, its tables already empty)."""
    return snapshots.built(db.engine, name, build, files_dir, emptied)


@pytest.fixture
def community(db, env, snapshots) -> Database:
    """The demo 二连浩特 医共体 loaded into the database (a copy of the one built first)."""
    from_snapshot(snapshots, db, "community", lambda: demo.ensure_community(db.sessions, env), emptied=True)
    return db


@pytest.fixture
def decided_demo(community, snapshots):
    """decided_demo(env) → demo.run(community, env): the demo matter decided and its drafts signed (their files
    under env.files_dir), built once per run, backend and clock, then copied."""
    def run(env: Env) -> dict:
        name = f"demo_run_{env.now:%Y%m%dT%H%M}_{'files' if env.files_dir else 'no_files'}"
        return from_snapshot(snapshots, community, name, lambda: demo.run(community.sessions, env), env.files_dir)
    return run


@pytest.fixture
def sc(community, env) -> demo.Scenario:
    """A scenario driver: sc.do(username, service_fn, *args) runs one use case in its own transaction."""
    return demo.Scenario(community.sessions, env)
