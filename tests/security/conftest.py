"""The web fixtures (demo community on SQLite and PostgreSQL), and helpers to tune [security] per test."""

import dataclasses

from tests.webui.conftest import app, client  # noqa: F401  (fixtures)


def tune(app, **rules) -> None:  # noqa: F811
    """Run this app with other [security] values (e.g. a shorter idle timeout)."""
    runtime = app.extensions["quorum"]
    runtime.settings = dataclasses.replace(runtime.settings,
                                           security=dataclasses.replace(runtime.settings.security, **rules))
