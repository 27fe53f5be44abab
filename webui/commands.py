"""`quorum serve` and the web part of `quorum run`, registered through the quorum.commands entry point."""

import argparse

from quorum.core.messages import message


def register(sub, add) -> None:
    p = add(sub, "serve", cmd_serve, message("cli.help_serve"))
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    run = sub.choices["run"]
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8080)
    run.add_argument("--no-serve", action="store_true", help=message("cli.help_no_serve"))
    run.add_argument("--no-scheduler", action="store_true", help=message("cli.help_no_scheduler"))
    run.set_defaults(fn=cmd_run)


def _serve(args: argparse.Namespace) -> None:
    from werkzeug.serving import run_simple

    from webui import create_app
    app = create_app(args.runtime.settings)
    run_simple(args.host, args.port, app, threaded=True, use_reloader=False)


def cmd_serve(args: argparse.Namespace) -> None:
    print(message("cli.serving", host=args.host, port=args.port), flush=True)
    _serve(args)


def cmd_run(args: argparse.Namespace) -> None:
    """Initialise the embedded default with demo data if empty, print the record, then serve."""
    from quorum.cli import cmd_run as print_demo
    from quorum.services import demo
    print_demo(args)
    if args.no_serve:
        return
    users = demo.demo_data()
    names = ", ".join(f"{p['username']}（{p['name']}）" for p in users["people"][:6])
    print("\n" + message("cli.serving", host=args.host, port=args.port))
    print(message("cli.demo_logins", password=users["demo_password"], names=names))
    print(message("cli.all_demo_users"), flush=True)
    settings = args.runtime.settings
    if args.no_scheduler or not settings.delivery.scheduler.start_with_run:
        _serve(args)
        return
    _serve_with_scheduler(args, settings)


def _serve_with_scheduler(args: argparse.Namespace, settings) -> None:
    """Serve the UI at once; meanwhile run the Prefect server and the scheduler; stop all on Ctrl-C."""
    import signal

    from webui.background import Background
    background = Background(settings)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    background.start()
    print(message("cli.scheduler_starting", url=background.api_url.removesuffix("/api"),
                  logs=background.logs), flush=True)
    try:
        _serve(args)
    except KeyboardInterrupt:
        pass
    finally:
        background.stop()
        print(message("cli.scheduler_stopped"), flush=True)


def _exit_on_sigterm(_signum, _frame) -> None:
    raise SystemExit(0)      # run the cleanup in cmd_run's finally, as Ctrl-C does
