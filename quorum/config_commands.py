"""`quorum config check`: validate the whole config.toml with one schema and say what it configures."""

import argparse
from collections.abc import Callable
from typing import Any

from quorum.cli_support import emit
from quorum.core.messages import message


def cmd_config_check(args: argparse.Namespace) -> None:
    settings = args.runtime.settings           # loading validates every section; an error exits 2
    d = settings.delivery
    data = {
        "organisation": settings.organisation,
        "data_dir": str(settings.data_dir),
        "database": _safe_url(settings.database_url),
        "policies": str(settings.policies_dir),
        "templates": str(settings.templates_dir),
        "mail": d.mail.host or None,
        "robots": [r.name for r in d.robots],
        "sweep_cron": d.scheduler.sweep_cron,
        "backup_dir": str(d.backup.directory),
    }
    emit(args, data, "config_check.txt", config=data)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url
    return make_url(url).render_as_string(hide_password=True)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    config = sub.add_parser("config", help=message("cli.config_help")).add_subparsers(dest="sub", required=True)
    add(config, "check", cmd_config_check, message("cli.config_check_help"))
