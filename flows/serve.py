"""The scheduler process: serve every deployment on its cron schedule (Asia/Shanghai).

`python -m flows.serve` (started by `quorum run`) needs a Prefect server (PREFECT_API_URL); without
one, serve() registers nothing. The schedules come from config.toml [scheduler].
"""

from flows import environment  # noqa: F401  (prepares Prefect's environment first)
from flows.jobs import digest_flow, nightly_flow, sweep_flow
from quorum.settings import load_settings

TIMEZONE = "Asia/Shanghai"


def deployments(settings=None) -> list:
    from prefect.schedules import Cron
    sched = (settings or load_settings()).delivery.scheduler
    return [
        sweep_flow.to_deployment(name="sweep", schedule=Cron(sched.sweep_cron, timezone=TIMEZONE)),
        digest_flow.to_deployment(name="digest", schedule=Cron(sched.digest_cron, timezone=TIMEZONE)),
        nightly_flow.to_deployment(name="nightly", schedule=Cron(sched.nightly_cron, timezone=TIMEZONE)),
    ]


def main() -> None:
    from prefect import serve
    serve(*deployments(), pause_on_shutdown=False)


if __name__ == "__main__":
    main()
