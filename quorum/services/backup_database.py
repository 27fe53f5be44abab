"""The database half of a backup: a consistent copy with its facts, and loading a copy into an empty target.

SQLite is copied with the online backup API, which is consistent while others write. PostgreSQL is
dumped with `pg_dump --format=custom` of the one schema the tables live in (the first of the URL's
`options=-csearch_path=…`, else the connection's current schema, normally `public`), from a snapshot
exported by a REPEATABLE READ transaction that also reads the facts (schema revision, audit head,
row counts) — so the manifest describes exactly the rows in the dump. pg_restore cannot rename a
schema: an archive restores into a schema of the same name.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from quorum.core.errors import InvalidInput, QuorumError
from quorum.db.session import make_engine


class TargetNotEmpty(QuorumError):
    """A restore only ever writes into an empty database and an empty files directory."""

    key = "backup.target_not_empty"


@dataclass(frozen=True)
class Snapshot:
    path: Path
    member: str
    kind: str
    schema: str | None
    facts: dict[str, Any] = field(default_factory=dict)


def kind_of(database_url: str) -> str:
    kind = make_url(database_url).get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise InvalidInput.because("backup.database_kind_unsupported", kind=kind)
    return kind


def libpq_url(database_url: str) -> tuple[str, str | None]:
    """A URL pg_dump understands (the query kept: sslmode, options …), and the schema search_path names."""
    url = make_url(database_url)
    options = url.query.get("options", "")
    schema = None
    if isinstance(options, str) and options.startswith("-csearch_path="):
        schema = options.split("=", 1)[1].split(",")[0].strip().strip('"') or None
    return url.set(drivername="postgresql").render_as_string(hide_password=False), schema


def facts(conn: Connection) -> dict[str, Any]:
    """Schema revision, audit head and the row count of every table, read with plain SQL."""
    names = sorted(inspect(conn).get_table_names())
    tables = {n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one() for n in names}
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() if "alembic_version" in tables \
        else None
    head = conn.execute(text("SELECT seq, hash FROM audit_head WHERE id = 1")).first() if "audit_head" in tables \
        else None
    return {"schema_revision": revision, "tables": tables,
            "audit_head": {"seq": head.seq, "hash": head.hash} if head else None}


def _run(command: list[str], what: str) -> str:
    result = subprocess.run(command, capture_output=True, text=True, timeout=6 * 3600)
    if result.returncode != 0:
        raise InvalidInput.because("backup.command_failed", what=what, output=result.stderr.strip()[:500])
    return result.stdout


def _program(name: str, configured: str) -> str:
    program = shutil.which(name)
    if program is None:
        raise InvalidInput.because("backup.program_missing", name=name, configured=configured)
    return program


def restore_program(pg_dump: str) -> str:
    """pg_restore beside the configured pg_dump (the same PostgreSQL client version)."""
    return str(Path(pg_dump).with_name("pg_restore")) if "/" in pg_dump else "pg_restore"


def snapshot(database_url: str, work: Path, pg_dump: str) -> Snapshot:
    """Copy the database into the private work directory and read its facts."""
    if kind_of(database_url) == "sqlite":
        return _snapshot_sqlite(Path(make_url(database_url).database or ""), work)
    return _snapshot_postgresql(database_url, work, pg_dump)


def _snapshot_sqlite(source: Path, work: Path) -> Snapshot:
    if not source.is_file():
        raise InvalidInput.because("backup.sqlite_file_missing", source=source)
    copy = work / "quorum.sqlite3"
    try:
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(copy)
        try:
            src.backup(dst)        # the online backup API: consistent even while others write
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        raise InvalidInput.because("backup.sqlite_failed", exc=exc) from None
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as conn:
            found = facts(conn)
    finally:
        engine.dispose()
    return Snapshot(copy, "database/quorum.sqlite3", "sqlite", None, found)


def _snapshot_postgresql(database_url: str, work: Path, pg_dump: str) -> Snapshot:
    program = _program(pg_dump, pg_dump)
    url, _named = libpq_url(database_url)
    dump = work / "quorum.dump"
    engine = make_engine(database_url)
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
            exported = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
            found = facts(conn)
            _run([program, "--format=custom", f"--file={dump}", f"--dbname={url}", f"--schema={schema}",
                  f"--snapshot={exported}"], "pg_dump")
            conn.rollback()
    except SQLAlchemyError as exc:
        raise InvalidInput.because("backup.postgresql_unreadable", error=getattr(exc, 'orig', None) or exc) from None
    finally:
        engine.dispose()
    os.chmod(dump, 0o600)
    return Snapshot(dump, "database/quorum.dump", "postgresql", schema, found)


def check_target(database_url: str, manifest: dict[str, Any]) -> bool:
    """Refuse a target that is not empty or not of the archive's kind; True if the PG schema exists."""
    archived = manifest["database"]
    kind = kind_of(database_url)
    if kind != archived["kind"]:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise InvalidInput.because("backup.restore_kind_mismatch", archived=names[archived["kind"]], target=names[kind])
    if kind == "sqlite":
        path = Path(make_url(database_url).database or "")
        if path.exists() or path.with_name(path.name + "-wal").exists():
            raise TargetNotEmpty.because("backup.restore_sqlite_file_exists", path=path)
        return False
    return _check_postgresql(database_url, archived["schema"])


def _check_postgresql(database_url: str, archived_schema: str) -> bool:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            schema = libpq_url(database_url)[1] or conn.execute(text("SELECT current_schema()")).scalar() \
                or "public"
            if schema != archived_schema:
                raise InvalidInput.because("backup.restore_schema_mismatch", archived_schema=archived_schema,
                                           schema=schema)
            exists = conn.execute(text("SELECT oid FROM pg_namespace WHERE nspname = :s"), {"s": schema}).scalar()
            used = conn.execute(text("SELECT count(*) FROM pg_class WHERE relnamespace = :n "
                                     "AND relkind IN ('r', 'p', 'S', 'v', 'm', 'f')"), {"n": exists}).scalar_one()
    except SQLAlchemyError as exc:
        raise InvalidInput.because("backup.restore_target_unreachable", error=getattr(exc, 'orig', None) or exc) \
            from None
    finally:
        engine.dispose()
    if used:
        raise TargetNotEmpty.because("backup.restore_schema_not_empty", schema=schema, used=used)
    return exists is not None


def load(database_url: str, copy: Path, schema_exists: bool, pg_dump: str) -> None:
    """Put the verified copy into the (checked, empty) target database."""
    if kind_of(database_url) == "sqlite":
        _place(copy, Path(make_url(database_url).database or ""))
        return
    program = _program(restore_program(pg_dump), pg_dump)
    entries = _run([program, "--list", str(copy)], "pg_restore --list").splitlines()
    if schema_exists:           # CREATE SCHEMA would fail on the existing, empty schema (public always exists)
        entries = [e for e in entries if not re.match(r"^\d+; \d+ \d+ (SCHEMA - |COMMENT - SCHEMA )", e)]
    listing = copy.with_name("restore.list")
    listing.write_text("\n".join(entries) + "\n")
    _extensions(database_url)
    _run([program, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error", f"--use-list={listing}",
          f"--dbname={libpq_url(database_url)[0]}", str(copy)], "pg_restore")


def _extensions(database_url: str) -> None:
    """The extensions the schema's indexes use (pg_trgm: the search text's trigram indexes, migration 0016).

    pg_dump of one schema leaves database-level objects out, so a fresh target database needs them first.
    """
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))   # as migration 0016 makes it
    finally:
        engine.dispose()


def _place(source: Path, target: Path) -> None:
    """Move a file into place atomically, across file systems through a partial copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(source, target)
    except OSError:
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(source, partial)
        os.replace(partial, target)


def restored_facts(database_url: str) -> dict[str, Any]:
    """The facts of the restored database, to compare with the manifest."""
    engine = make_engine(database_url) if kind_of(database_url) == "postgresql" \
        else create_engine(database_url)
    try:
        with engine.connect() as conn:
            return facts(conn)
    finally:
        engine.dispose()
