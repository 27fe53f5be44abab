"""The production server: gunicorn run from Python, each worker building its own app after the fork."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication
from sqlalchemy.exc import SQLAlchemyError

from quorum import database
from quorum.core.errors import InvalidInput, QuorumError
from quorum.core.messages import message

if TYPE_CHECKING:
    from flask import Flask

    from quorum.settings import Settings

WORKER_BOOT_ERROR = 3        # gunicorn's code: the master stops instead of forking the worker again


class QuorumServer(BaseApplication):
    """gunicorn with its options from [web] (and the command line), serving webui.create_app."""

    def __init__(self, settings: Settings, options: dict[str, Any]) -> None:
        self.settings = settings
        self.options = options
        super().__init__(prog="quorum serve")

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        """Build the app in the worker; a refusal (e.g. the schema moved on meanwhile) is one line, not a traceback."""
        from webui import create_app
        try:
            return create_app(self.settings)
        except SQLAlchemyError as exc:
            refusal: QuorumError = unreachable(self.settings, exc)
        except QuorumError as exc:
            refusal = exc
        print(message("cli.error_line", exc=refusal), file=sys.stderr, flush=True)
        sys.exit(WORKER_BOOT_ERROR)


def unreachable(settings: Settings, exc: SQLAlchemyError) -> InvalidInput:
    """The database cannot be reached: where, and the driver's first line (password hidden)."""
    return database.unreachable(settings.database_url, exc)
