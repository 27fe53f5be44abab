"""`quorum serve` and the web part of `quorum run`, registered through the quorum.commands entry point.

Both serve through gunicorn: one master and `[web] workers` processes of `threads` threads each. The
master checks the database before it forks (a schema behind the code is refused with one line naming
`quorum migrate`; no worker ever migrates), then every worker builds its own app and connection pool
(`preload_app = False`: nothing opened in the master is shared across fork). `--dev` keeps Werkzeug's
development server for working on the UI.
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from quorum.core.errors import InvalidInput
from quorum.core.messages import message
from quorum.web_settings import split_bind, valid_bind

if TYPE_CHECKING:
    from quorum.settings import Settings


def register(sub, add) -> None:
    p = add(sub, "serve", cmd_serve, message("cli.help_serve"))
    _server_options(p)
    p.add_argument("--dev", action="store_true", help=message("cli.help_dev"))
    run = sub.choices["run"]
    _server_options(run)
    run.add_argument("--no-serve", action="store_true", help=message("cli.help_no_serve"))
    run.add_argument("--no-scheduler", action="store_true", help=message("cli.help_no_scheduler"))
    run.set_defaults(fn=cmd_run)


def _server_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--bind", help=message("cli.help_bind"))
    p.add_argument("--host", help=message("cli.help_host"))
    p.add_argument("--port", type=int, help=message("cli.help_port"))
    p.add_argument("--workers", type=int, help=message("cli.help_workers"))


def bind_address(args: argparse.Namespace, settings: Settings) -> str:
    """--bind, else --host/--port over [web] bind, else [web] bind."""
    if args.bind:
        if not valid_bind(args.bind):
            raise InvalidInput(reason=message("cli.bad_bind", bind=args.bind))
        return args.bind
    if args.host is None and args.port is None:
        return settings.web.bind
    host, port = split_bind(settings.web.bind) or ("127.0.0.1", 8080)
    host, port = args.host or host, args.port if args.port is not None else port
    if not 1 <= port <= 65535:
        raise InvalidInput(reason=message("cli.bad_bind", bind=f"{host}:{port}"))
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _where(bind: str) -> str:
    """The line that says where the UI is served."""
    address = split_bind(bind)
    if address is None:
        return message("cli.serving_socket", bind=bind)
    host, port = address
    return message("cli.serving", host=f"[{host}]" if ":" in host else host, port=port)


def _options(args: argparse.Namespace, settings: Settings, bind: str) -> dict[str, Any]:
    web = settings.web
    workers = args.workers if args.workers is not None else web.workers
    if not 1 <= workers <= 64:
        raise InvalidInput(reason=message("cli.bad_workers", workers=workers))
    return {"bind": [bind], "workers": workers, "threads": web.threads, "worker_class": "gthread",
            "timeout": web.timeout, "graceful_timeout": min(web.timeout, 30), "preload_app": False,
            "errorlog": "-", "accesslog": None, "loglevel": "info", "proc_name": "quorum",
            "forwarded_allow_ips": "",          # X-Forwarded-*: only ProxyFix decides, after [web] proxies
            "control_socket_disable": True}     # the default control socket path is shared by every gunicorn


def _ready(args: argparse.Namespace) -> None:
    """Check, in the master, what every worker will need: the rules load and the schema is at head.

    Opening the database only checks its revision (quorum.database.SchemaBehind names `quorum migrate`);
    the connections are then closed so that no pool crosses a fork.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from webui.server import unreachable
    if args.runtime.settings.secret_key in SHIPPED_SECRETS:      # anyone who read config.toml could sign a session
        raise InvalidInput(reason=message("cli.shipped_secret_key"))
    _ = args.runtime.policies        # loading validates policies/ (InvalidPolicy names the file)
    try:
        args.runtime.db.engine.dispose()
    except SQLAlchemyError as exc:
        raise unreachable(args.runtime.settings, exc) from None


def _serve(args: argparse.Namespace) -> None:
    from webui.requestlog import configure_logging
    settings = args.runtime.settings
    bind = bind_address(args, settings)
    options = _options(args, settings, bind)
    _ready(args)
    configure_logging()
    if getattr(args, "dev", False):
        _serve_dev(settings, bind)
        return
    from webui.server import QuorumServer
    QuorumServer(settings, options).run()


def _serve_dev(settings: Settings, bind: str) -> None:
    """Werkzeug's development server, one process: only with --dev."""
    from werkzeug.serving import run_simple

    from webui import create_app
    address = split_bind(bind)
    if address is None:
        raise InvalidInput(reason=message("cli.dev_needs_port", bind=bind))
    run_simple(address[0], address[1], create_app(settings), threaded=True, use_reloader=False)


def cmd_serve(args: argparse.Namespace) -> None:
    where = _where(bind_address(args, args.runtime.settings))
    _ready(args)                     # a refusal is the only line printed
    print(where, flush=True)
    _serve(args)


def cmd_run(args: argparse.Namespace) -> None:
    """Initialise the embedded default with demo data if empty, print the record, then serve."""
    from quorum.cli import cmd_run as print_demo
    from quorum.services import demo
    _demo_secret_key(args)
    print_demo(args)
    if args.no_serve:
        return
    users = demo.demo_data()
    names = ", ".join(message("web.demo_login_name", username=p["username"],
                              name=p["name"]) for p in users["people"][:6])
    print("\n" + _where(bind_address(args, args.runtime.settings)))
    print(message("cli.demo_logins", password=users["demo_password"], names=names))
    print(message("cli.all_demo_users"), flush=True)
    settings = args.runtime.settings
    if args.no_scheduler or not settings.delivery.scheduler.start_with_run:
        _serve(args)
        return
    _serve_with_scheduler(args, settings)


SHIPPED_SECRETS = frozenset({"", "change-me", "change-me-in-production"})   # empty, Settings' default, config.toml's


def _demo_secret_key(args: argparse.Namespace) -> None:
    """The demo on the shipped config: sign sessions with a random key kept in <data_dir>/secret_key (0600)."""
    import dataclasses
    import secrets
    settings = args.runtime.settings
    if settings.secret_key not in SHIPPED_SECRETS:
        return
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(48))
    key = path.read_text(encoding="ascii").strip()
    os.environ["QUORUM_SECRET_KEY"] = key                # the scheduler's children read the same config
    args.runtime._settings = dataclasses.replace(settings, secret_key=key)


def _serve_with_scheduler(args: argparse.Namespace, settings: Settings) -> None:
    """Serve the UI at once; meanwhile run the Prefect server and the scheduler; stop all on Ctrl-C.

    gunicorn's workers are forks of this process and leave through this frame too (SystemExit):
    only the process that started the background stops it.
    """
    import signal

    from webui.background import Background
    background = Background(settings, config=getattr(args, "config", None))     # the same config.toml for its children
    owner = os.getpid()
    signal.signal(signal.SIGTERM, _exit_on_sigterm)      # until gunicorn installs its own handlers
    background.start()
    print(message("cli.scheduler_starting", url=background.api_url.removesuffix("/api"),
                  logs=background.logs), flush=True)
    try:
        _serve(args)
    except KeyboardInterrupt:
        pass
    finally:
        if os.getpid() == owner:
            background.stop()
            print(message("cli.scheduler_stopped"), flush=True)


def _exit_on_sigterm(_signum, _frame) -> None:
    raise SystemExit(0)      # run the cleanup in cmd_run's finally, as Ctrl-C does
