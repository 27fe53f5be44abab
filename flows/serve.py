"""The scheduler process: serve every deployment on its cron schedule (Asia/Shanghai).

`python -m flows.serve` (started by `quorum run`) needs a Prefect server (PREFECT_API_URL); without
one, serve() registers nothing. The schedules come from config.toml [scheduler]. It never migrates:
on a schema behind the code (or a broken config.toml) it refuses to start with one line naming what
to do (`quorum migrate`) and exits 2.
"""

import sys

from flows import environment  # noqa: F401  (prepares Prefect's environment first)
from flows.jobs import deliver_flow, digest_flow, nightly_flow, sweep_flow
from quorum.core.errors import QuorumError
from quorum.core.messages import message
from quorum.database import open_database
from quorum.settings import Settings, load_settings

TIMEZONE = "Asia/Shanghai"
EXIT_REFUSED = 2


def deployments(settings=None) -> list:
    from prefect.schedules import Cron
    sched = (settings or load_settings()).delivery.scheduler
    return [
        sweep_flow.to_deployment(name="sweep", schedule=Cron(sched.sweep_cron, timezone=TIMEZONE)),
        digest_flow.to_deployment(name="digest", schedule=Cron(sched.digest_cron, timezone=TIMEZONE)),
        nightly_flow.to_deployment(name="nightly", schedule=Cron(sched.nightly_cron, timezone=TIMEZONE)),
        deliver_flow.to_deployment(name="deliver", schedule=Cron(sched.deliver_cron, timezone=TIMEZONE)),
    ]


def ready() -> Settings:
    """The settings, once the configuration reads and the database is at this code's schema."""
    settings = load_settings()
    open_database(settings).engine.dispose()       # checks the schema head; never migrates
    return settings


def main() -> int:
    try:
        settings = ready()
    except QuorumError as exc:
        print(message("cli.scheduler_refused", reason=exc.params.get("reason", exc)), file=sys.stderr)
        return EXIT_REFUSED
    from prefect import serve
    serve(*deployments(settings), pause_on_shutdown=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
