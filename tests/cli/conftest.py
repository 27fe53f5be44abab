"""Fixtures for the command-line tests: a fresh deployment per test, on SQLite and PostgreSQL.

Commands run in-process (tests/cli/support.py); a test marked `cli_process` runs each in a real subprocess.
"""

from collections.abc import Iterator

import pytest

from tests.cli.support import Cli, cli_backends, pg_url_for
from tests.conftest import current_schema, empty_tables


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path, snapshots) -> Iterator[Cli]:
    """A fresh, empty deployment on each backend (on PostgreSQL the session's migrated schema, emptied)."""
    process = request.node.get_closest_marker("cli_process") is not None
    data_dir = tmp_path / "data"
    if request.param == "sqlite":
        yield Cli(data_dir, process=process, snapshots=snapshots)
        return
    engine = request.getfixturevalue("pg_engine")
    empty_tables(engine)
    schema = current_schema(engine)
    yield Cli(data_dir, pg_url_for(schema), schema, process=process, snapshots=snapshots)


@pytest.fixture
def sqlite_cli(request, tmp_path) -> Cli:
    """A fresh SQLite deployment, for checks that do not depend on the backend."""
    return Cli(tmp_path / "data", process=request.node.get_closest_marker("cli_process") is not None)
