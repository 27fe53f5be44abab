"""Scale-out: register the flows as deployments of a Prefect work pool, for workers to run.

    prefect work-pool create quorum --type process
    python -m flows.deploy --pool quorum
    prefect worker start --pool quorum

The deployments load the flows from this checkout (the same path on every worker host).
"""

import argparse
from pathlib import Path

from flows import environment  # noqa: F401  (prepares Prefect's environment first)
from quorum.core.messages import message
from quorum.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Shanghai"
FLOWS = (("sweep", "sweep_flow", "sweep_cron"), ("digest", "digest_flow", "digest_cron"),
         ("nightly", "nightly_flow", "nightly_cron"), ("deliver", "deliver_flow", "deliver_cron"))


def deploy(pool: str, schedules: bool = True) -> list[str]:
    """Create or update the four deployments in the pool; return their ids."""
    from prefect import flow
    from prefect.schedules import Cron
    sched = load_settings().delivery.scheduler
    ids = []
    for name, function, cron in FLOWS:
        remote = flow.from_source(source=str(ROOT), entrypoint=f"flows/jobs.py:{function}")
        schedule = Cron(getattr(sched, cron), timezone=TIMEZONE) if schedules else None
        ids.append(str(remote.deploy(name=name, work_pool_name=pool, build=False, push=False, schedule=schedule,
                                     print_next_steps=False)))
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=message("flows.deploy_description"))
    parser.add_argument("--pool", default="quorum", help=message("flows.deploy_pool_help"))
    parser.add_argument("--no-schedules", action="store_true", help=message("flows.deploy_no_schedules_help"))
    args = parser.parse_args()
    for deployment_id in deploy(args.pool, schedules=not args.no_schedules):
        print(deployment_id)


if __name__ == "__main__":
    main()
