"""Fixtures for the command-line tests: a fresh deployment per test, on SQLite and PostgreSQL."""

from collections.abc import Iterator

import pytest

from tests.cli.support import Cli, cli_backends, make_cli


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path) -> Iterator[Cli]:
    """A fresh, empty deployment on each backend."""
    yield from make_cli(request.param, tmp_path / "data")


@pytest.fixture
def sqlite_cli(tmp_path) -> Cli:
    """A fresh SQLite deployment, for checks that do not depend on the backend."""
    return Cli(tmp_path / "data")
