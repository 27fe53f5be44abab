"""Helpers to run the real `quorum` command in a subprocess, against SQLite or a fresh PostgreSQL schema.

Every command gets QUORUM_DATA_DIR set to a temporary directory and a fixed `--now`, so output
is reproducible. The PostgreSQL variant points QUORUM_DATABASE_URL at a schema of its own
(`?options=-csearch_path%3D<schema>`) and drops the schema afterwards.
"""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text

from quorum.db.session import make_engine

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
        """Run `python -m quorum.cli ARGS --now NOW`; never raises on a non-zero exit."""
        command = [sys.executable, "-m", "quorum.cli", *(str(a) for a in args)]
        if now is not None:
            command += ["--now", now]
        return subprocess.run(command, env=self.environ(), cwd=ROOT, capture_output=True, text=True,
                              encoding="utf-8", timeout=180)

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


def user_error(result: subprocess.CompletedProcess, key: str) -> str:
    """Assert the shape of a refused user mistake; return the one Chinese line (without the key)."""
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("错误："), line
    assert line.endswith(f"（{key}）"), line
    return line[len("错误："):-len(f"（{key}）")]


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
