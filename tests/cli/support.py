"""Helpers to run the `quorum` command against SQLite or a PostgreSQL schema of its own.

Every command gets QUORUM_DATA_DIR set to a temporary directory and a fixed `--now`, so output
is reproducible. The PostgreSQL variant points QUORUM_DATABASE_URL at a schema of its own
(`?options=-csearch_path%3D<schema>`). A command runs in-process — `quorum.cli.main(argv)` with the
environment, working directory, stdin/stdout/stderr of a fresh process and every database it opened
closed afterwards — and returns what the process would have: exit code, stdout, stderr (a traceback
for an unexpected exception, exit 1). A `Cli(process=True)` — the tests marked `cli_process` — runs
the real `python -m quorum.cli` in a subprocess instead, end to end.
"""

import contextlib
import io
import json
import os
import subprocess
import sys
import traceback
import uuid
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text

from quorum.core.messages import MESSAGES
from quorum.db.session import make_engine
from tests.snapshots import Snapshots

ROOT = Path(__file__).resolve().parents[2]
PG_URL = os.environ.get("QUORUM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = "2026-11-02T09:00"          # a Monday without holidays nearby


def cli_backends() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    if os.environ.get("QUORUM_TEST_SKIP_PG") != "1":
        params.append(pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres))
    return params


@dataclass
class Cli:
    """One deployment as the command line sees it: a data directory and, for PostgreSQL, a URL."""

    data_dir: Path
    database_url: str | None = None
    schema: str | None = None
    process: bool = False       # run each command in a real subprocess (the end-to-end tests)
    snapshots: Snapshots | None = None      # the session's saved states (tests/snapshots.py), if any

    @property
    def backend(self) -> str:
        return "sqlite" if self.database_url is None else "postgresql"

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
        env["QUORUM_DATA_DIR"] = str(self.data_dir)
        env["PYTHONIOENCODING"] = "utf-8"
        if self.database_url:
            env["QUORUM_DATABASE_URL"] = self.database_url
        return env

    def run(self, *args: Any, now: str | None = NOW) -> subprocess.CompletedProcess:
        """Run `quorum ARGS --now NOW` (in-process, or `python -m quorum.cli` with process=True);
        never raises on a non-zero exit."""
        argv = [str(a) for a in args] + (["--now", now] if now is not None else [])
        if not self.process:
            return in_process(argv, self.environ())
        return subprocess.run([sys.executable, "-m", "quorum.cli", *argv], env=self.environ(), cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", timeout=180)

    def ok(self, *args: Any, now: str | None = NOW) -> str:
        """Run a command that must succeed; return its stdout."""
        result = self.run(*args, now=now)
        assert result.returncode == 0, f"quorum {' '.join(map(str, args))} failed:\n{result.stderr}"
        assert "Traceback" not in result.stderr
        return result.stdout

    def json(self, *args: Any, now: str | None = NOW) -> Any:
        return json.loads(self.ok(*args, "--json", now=now))

    def engine(self) -> Engine:
        """An engine on the same database the command line uses (for direct reads and tampering)."""
        if self.database_url is None:
            return make_engine(f"sqlite:///{self.data_dir / 'quorum.sqlite3'}")
        return create_engine(PG_URL, connect_args={"options": f"-csearch_path={self.schema}"})


def in_process(argv: list[str], environ: dict[str, str]) -> subprocess.CompletedProcess:
    """Run quorum.cli.main(argv) as a fresh process would: its environment, cwd and streams; no engine left open."""
    out, err = io.StringIO(), io.StringIO()
    with _process_state(environ), _engines_closed(), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        code = _exit_code(argv)
    return subprocess.CompletedProcess(["quorum", *argv], code, out.getvalue(), err.getvalue())


def _exit_code(argv: list[str]) -> int:
    """main()'s exit code, with SystemExit and an unexpected exception handled as the interpreter does."""
    from quorum.cli import main
    try:
        return main(argv)
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code, file=sys.stderr)
        return 1
    except Exception:
        traceback.print_exc()
        return 1


@contextlib.contextmanager
def _process_state(environ: dict[str, str]) -> Iterator[None]:
    """The environment, working directory and empty stdin of `subprocess.run(..., cwd=ROOT)`, restored after,
    and the test's audit keyring, which the command's runtime replaces with its deployment's."""
    from quorum.services import audit
    saved_env, saved_cwd, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    saved_keys = (audit._Keys.keys, audit._Keys.file, audit._Keys.stamp)
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(ROOT)
    sys.stdin = io.StringIO()
    try:
        yield
    finally:
        audit._Keys.keys, audit._Keys.file, audit._Keys.stamp = saved_keys
        sys.stdin = saved_stdin
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)


@contextlib.contextmanager
def _engines_closed() -> Iterator[None]:
    """Close the connections of every engine a command used, as the end of its process would."""
    pools: weakref.WeakSet = weakref.WeakSet()

    def seen(conn) -> None:
        pools.add(conn.engine.pool)

    event.listen(Engine, "engine_connect", seen)
    try:
        yield
    finally:
        event.remove(Engine, "engine_connect", seen)
        for pool in list(pools):
            pool.dispose()


def user_error(result: subprocess.CompletedProcess, key: str) -> str:
    """Assert the shape of a refused user mistake — one Chinese line in the wording of refusal `key`, never the key
    itself — and return the line's text after 「错误：」."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("错误：" + MESSAGES[key].split("{")[0]), (key, line)
    assert key not in line, line
    return line[len("错误："):]


def json_error(result: subprocess.CompletedProcess, key: str) -> str:
    """Assert a refused --json command printed {"error": key, "message": …} on stderr; return the message."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    body = json.loads(result.stderr)
    assert set(body) == {"error", "message"}
    assert body["error"] == key
    return body["message"]


def pg_url_for(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def _create_schema() -> str:
    schema = f"quorum_cli_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema


def _drop_schema(schema: str) -> None:
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def make_cli(backend: str, data_dir: Path) -> Iterator[Cli]:
    """Yield a Cli on an empty database of the backend; drop the PostgreSQL schema afterwards."""
    if backend == "sqlite":
        yield Cli(data_dir)
        return
    schema = _create_schema()
    try:
        yield Cli(data_dir, pg_url_for(schema), schema)
    finally:
        _drop_schema(schema)


def with_snapshot(cli: Cli, name: str, build) -> Any:
    """Bring the deployment to the state build() makes with commands: the run's first test builds it (the other
    pytest-xdist worker waits for that build), the others get a copy of its database and data/files (a real
    process always builds)."""
    store = cli.snapshots
    if store is None or cli.process:
        return build()
    engine = cli.engine()
    try:
        if not store.has(cli.backend, name):
            with store.building(cli.backend, name):
                if not store.has(cli.backend, name):
                    result = build()
                    store.save(engine, name, result, cli.data_dir / "files")
                    return result
        if cli.backend == "sqlite":
            engine.dispose()
            return store.restore_file(name, cli.data_dir / "quorum.sqlite3", cli.data_dir / "files")
        return store.restore(engine, name, cli.data_dir / "files")
    finally:
        engine.dispose()
