"""Database snapshots: a state built once per test run and backend, then copied into each test's database.

The first test that needs a state (the demo community, the decided demo matter…) builds it in its own database
and the state is saved; every later test gets a copy instead of building it again — in every pytest-xdist worker:
the saved states live in one directory of the run (`shared_run`), and a state is built under a file lock, so the
second worker that needs it waits for the first one's build and copies it. SQLite keeps a snapshot as a
file, copied with the sqlite3 backup API (consistent on a live WAL database, and the test's open connections and
pool stay valid); PostgreSQL keeps one schema of plain tables per snapshot (named after the run, so the process
that started the run drops them all at its end), copied back with INSERT … SELECT, every sequence then set where
the build left it. Files the build wrote (frozen documents) are kept beside it and copied too. A restored test
starts from exactly the rows, ids, audit chain and files the build left, and shares nothing with other tests.
"""

import contextlib
import copy
import fcntl
import os
import pickle
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, text

from quorum.db import Base
from quorum.services.policies import forget_parsed


@dataclass(frozen=True)
class Saved:
    """One saved state: where its rows and files are kept, what its build returned, its sequences."""

    where: str
    result: Any
    files: Path | None
    sequences: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class Run:
    """What the processes of one test run share: a directory and an id (the PostgreSQL schemas' prefix)."""

    root: Path
    run_id: str

    @property
    def schema_prefix(self) -> str:
        return f"quorum_snap_{self.run_id}_"


def new_run() -> Run:
    """A run's shared directory and id, made by the process that starts the run (the xdist controller)."""
    return Run(Path(tempfile.mkdtemp(prefix="quorum-test-run-")), uuid.uuid4().hex[:8])


def end_run(run: Run, pg_url: str) -> None:
    """Drop the run's PostgreSQL snapshot schemas (if it made any) and its directory."""
    if any(run.root.glob("snapshots/postgresql-*.lock")):
        admin = create_engine(pg_url)
        with admin.begin() as conn:
            schemas = conn.execute(text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"),
                                   {"p": run.schema_prefix}).scalars().all()
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
    shutil.rmtree(run.root, ignore_errors=True)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on path (created if missing), across the processes of the run."""
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tables() -> list[str]:
    """The application's tables, parents first (alembic_version is the same in every migrated database)."""
    return [t.name for t in Base.metadata.sorted_tables]


_EMPTYING: dict[Engine, str] = {}


def empty_tables(engine: Engine) -> None:
    """Empty every table of a migrated PostgreSQL schema and restart its sequences, in one round trip.

    DELETE with the foreign-key triggers off (session_replication_role) and ALTER SEQUENCE … RESTART take
    ~20 ms where a TRUNCATE … RESTART IDENTITY of the ~40 tables took 150–400 ms per test.
    """
    if engine not in _EMPTYING:
        with engine.connect() as conn:
            sequences = conn.execute(text("SELECT sequencename FROM pg_sequences "
                                          "WHERE schemaname = current_schema()")).scalars().all()
        _EMPTYING[engine] = "SET LOCAL session_replication_role = replica; " + " ".join(
            [f'DELETE FROM "{table}";' for table in reversed(tables())]
            + [f'ALTER SEQUENCE "{sequence}" RESTART;' for sequence in sequences])
    with engine.begin() as conn:
        conn.exec_driver_sql(_EMPTYING[engine])


def sqlite_path(engine: Engine) -> Path:
    return Path(engine.url.database)


class Snapshots:
    """The snapshots of one test run, by backend and name, shared by its worker processes.

    A state is saved as `<backend>-<name>.saved` (a pickled Saved, written last and renamed into place, so a
    state another process sees is complete) beside its SQLite file and files; `built(…)` builds a state once.
    """

    def __init__(self, run: Run, pg_url: str) -> None:
        self.run, self.root, self.pg_url = run, run.root / "snapshots", pg_url
        self.root.mkdir(exist_ok=True)
        self._saved: dict[tuple[str, str], Saved] = {}

    def has(self, backend: str, name: str) -> bool:
        return self._load(backend, name) is not None

    def built(self, engine: Engine, name: str, build: Callable[[], Any], files_dir: Path | None = None,
              emptied: bool = False) -> Any:
        """Give the engine's database (and files_dir) the state `build()` makes: the run's first test that needs
        it builds and saves it (the other processes wait for that build), every other test gets a copy."""
        backend = engine.dialect.name
        if not self.has(backend, name):
            with self.building(backend, name):
                if not self.has(backend, name):
                    result = build()
                    self.save(engine, name, result, files_dir)
                    return result
        return self.restore(engine, name, files_dir, emptied)

    def building(self, backend: str, name: str):
        """The lock held while a state is looked for and built (one build per run, whichever process)."""
        return locked(self.root / f"{backend}-{name}.lock")

    def save(self, engine: Engine, name: str, result: Any = None, files_dir: Path | None = None) -> None:
        """Keep the engine's database (and files_dir) as it is now under name."""
        backend = engine.dialect.name
        tag = uuid.uuid4().hex[:8]          # a second save of a name never overwrites what a reader copies
        files = self._keep_files(f"{backend}-{name}-{tag}", files_dir)
        if backend == "sqlite":
            where = self.root / f"{name}-{tag}.sqlite3"
            _sqlite_backup(sqlite_path(engine), where)
            self._publish(backend, name, Saved(str(where), copy.deepcopy(result), files))
            return
        where = f"{self.run.schema_prefix}{tag}_{name}"[:63]
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{where}"'))
            for table in tables():
                conn.execute(text(f'CREATE TABLE "{where}"."{table}" AS TABLE "{table}"'))
            sequences = tuple((name, value) for name, value in conn.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = current_schema() AND last_value IS NOT NULL")))
        self._publish(backend, name, Saved(where, copy.deepcopy(result), files, sequences))

    def restore(self, engine: Engine, name: str, files_dir: Path | None = None, emptied: bool = False) -> Any:
        """Make the engine's (migrated) database the saved state; return a copy of the build's result.

        emptied: the PostgreSQL tables were just emptied (by the `db` fixture), so not again.
        """
        backend = engine.dialect.name
        saved = self._load(backend, name)
        if backend == "sqlite":
            _sqlite_restore(Path(saved.where), engine)
        else:
            _pg_restore(engine, saved, emptied)
        if saved.files is not None and files_dir is not None:
            shutil.rmtree(files_dir, ignore_errors=True)
            shutil.copytree(saved.files, files_dir)
        forget_parsed()
        return copy.deepcopy(saved.result)

    def restore_file(self, name: str, path: Path, files_dir: Path | None = None) -> Any:
        """Write the saved SQLite state of name to path (a database no engine has open); return the result."""
        saved = self._load("sqlite", name)
        copy_sqlite(Path(saved.where), path)
        if saved.files is not None and files_dir is not None:
            shutil.copytree(saved.files, files_dir, dirs_exist_ok=True)
        return copy.deepcopy(saved.result)

    def _publish(self, backend: str, name: str, saved: Saved) -> None:
        part = self.root / f"{backend}-{name}.{os.getpid()}.part"
        part.write_bytes(pickle.dumps(saved))
        part.replace(self.root / f"{backend}-{name}.saved")
        self._saved[(backend, name)] = saved

    def _load(self, backend: str, name: str) -> Saved | None:
        if (backend, name) not in self._saved:
            path = self.root / f"{backend}-{name}.saved"
            if not path.exists():
                return None
            self._saved[(backend, name)] = pickle.loads(path.read_bytes())
        return self._saved[(backend, name)]

    def _keep_files(self, key: str, files_dir: Path | None) -> Path | None:
        if files_dir is None or not files_dir.exists():
            return None
        kept = self.root / f"{key}-files"
        shutil.copytree(files_dir, kept)
        return kept


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a closed SQLite database file over target, removing target's leftover WAL and shared memory."""
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _sqlite_backup(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    src, dst = sqlite3.connect(source), sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_restore(source: Path, engine: Engine) -> None:
    """Copy the saved file's pages into the engine's database through one of its own connections."""
    raw = engine.raw_connection()
    try:
        saved = sqlite3.connect(source)
        try:
            saved.backup(raw.driver_connection)
        finally:
            saved.close()
    finally:
        raw.close()


def _pg_restore(engine: Engine, saved: Saved, emptied: bool) -> None:
    """Empty the test schema's tables, copy the saved rows in, set the sequences (one transaction)."""
    if not emptied:
        empty_tables(engine)
    with engine.begin() as conn:
        # the rows were consistent when saved: skip the foreign-key triggers while copying them back
        conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables():
            # the model's columns: a generated one (the search grams, migration 0017) is computed again
            names = ", ".join(f'"{c.name}"' for c in Base.metadata.tables[table].columns)
            conn.execute(text(f'INSERT INTO "{table}" ({names}) SELECT {names} FROM "{saved.where}"."{table}"'))
        for sequence, value in saved.sequences:
            conn.execute(text("SELECT setval(quote_ident(:s), :v)"), {"s": sequence, "v": value})
