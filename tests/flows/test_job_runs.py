"""Each flow run is recorded in job_run, in transactions of its own: completed with a summary, or failed
with its error; outside a scheduled flow run the trigger is "manual". On both backends."""

import pytest
from sqlalchemy import select

from quorum.db import JobRun
from quorum.services import jobs
from quorum.settings import load_settings
from tests.conftest import ROOT


@pytest.fixture
def flow_runtime(db, tmp_path):
    from flows import runtime
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    runtime.use(runtime.FlowRuntime.open(settings, database=db))
    yield runtime.current()
    runtime.use(None)


def runs(rt) -> list[JobRun]:
    with rt.db.sessions.begin() as s:
        return list(s.execute(select(JobRun).order_by(JobRun.id)).scalars())


def test_a_completed_run_is_recorded_with_what_it_did(flow_runtime):
    from flows.jobs import recorded
    result = recorded("sweep", lambda: {"notified": [{"to": "tuya"}, {"to": "bater"}], "delivered": [],
                                        "audit": {"ok": True, "notified": []}})
    assert result["notified"][0] == {"to": "tuya"}
    [run] = runs(flow_runtime)
    assert (run.name, run.status, run.trigger, run.error) == ("sweep", "completed", "manual", None)
    assert run.summary == {"notified": 2, "delivered": 0, "audit": {"ok": True, "notified": 0}}
    assert run.finished_at >= run.started_at
    with flow_runtime.db.sessions.begin() as s:
        assert jobs.last_completed(s, "sweep") == run.finished_at
        assert jobs.last_completed(s, "nightly") is None


def test_a_failed_run_is_recorded_as_failed_and_the_error_still_raised(flow_runtime):
    from flows.jobs import recorded

    def broken() -> dict:
        raise OSError("pg_dump: 连接被拒绝")

    with pytest.raises(OSError):
        recorded("nightly", broken)
    [run] = runs(flow_runtime)
    assert (run.name, run.status, run.error) == ("nightly", "failed", "OSError: pg_dump: 连接被拒绝")
    assert run.finished_at is not None
    with flow_runtime.db.sessions.begin() as s:
        assert jobs.last_completed(s, "nightly") is None
