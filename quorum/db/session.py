"""Engine and session factories: SQLite in WAL mode, or PostgreSQL.

On SQLite a write transaction starts with BEGIN IMMEDIATE, so writers queue on the busy timeout
instead of failing when one of them upgrades a read lock; a read-only transaction (the `reads`
factory, used for GET requests) starts with a deferred BEGIN and never waits for a writer — WAL
lets it read its snapshot while another connection writes.

`synchronous`: WAL with NORMAL (the default) never corrupts the database, but a power loss or an
operating-system crash may roll back the last transactions committed before it (an application
crash loses nothing); FULL syncs the WAL at every commit, so a committed transaction survives a
power loss too, at the cost of one fsync per commit.
"""

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from quorum.db.search import GRAMS_FUNCTION, gram_tokens

SYNCHRONOUS = ("normal", "full")
READ_ONLY = "quorum_read_only"      # execution option of the engine behind the `reads` factory


def make_engine(url: str, echo: bool = False, synchronous: str = "normal", pool_size: int | None = None) -> Engine:
    """Create an engine; pool_size (the server's threads) sizes the pool so a request never waits for it.

    A request holds at most two connections at once (its transaction and the navigation counters'), so
    threads + 2 × threads overflow is never exhausted behind gunicorn; the threaded development server
    (unbounded threads) waits for a connection rather than fail at once.
    """
    pool = {} if pool_size is None else {"pool_size": pool_size, "max_overflow": 2 * pool_size}
    if url.startswith("sqlite"):
        if synchronous not in SYNCHRONOUS:
            raise ValueError(f"synchronous must be one of {SYNCHRONOUS}, not {synchronous!r}")
        engine = create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}, **pool)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            dbapi_conn.isolation_level = None      # let us issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous.upper()}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
            # the search triggers index a text's grams through it (quorum.db.search, migration 0017)
            dbapi_conn.create_function(GRAMS_FUNCTION, 1, gram_tokens, deterministic=True)

        @event.listens_for(engine, "begin")
        def _begin(conn) -> None:
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return create_engine(url, echo=echo, pool_pre_ping=True, **pool)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def make_read_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for transactions that only read: a deferred BEGIN on SQLite, the same as writes elsewhere."""
    if engine.dialect.name != "sqlite":
        return make_session_factory(engine)
    return sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
