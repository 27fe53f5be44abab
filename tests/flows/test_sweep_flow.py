"""The sweep flow through Prefect (prefect_test_harness) against the test database, on both backends."""

from datetime import date

import pytest
from sqlalchemy import func, select

from quorum.db import JobRun, Notification
from quorum.settings import load_settings
from tests import helpers
from tests.conftest import ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def flow_runtime(community, tmp_path):
    from flows import runtime
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    runtime.use(runtime.FlowRuntime.open(settings, database=community))
    yield runtime.current()
    runtime.use(None)


def test_the_sweep_flow_reminds_once_through_prefect(harness, flow_runtime, sc):
    from flows.jobs import sweep_flow
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    first = sweep_flow(now="2026-11-12T09:00")
    gate = {n["to"] for n in first["notified"] if "合法性审查" in n["title"] or "2个工作日后到期" in n["title"]}
    assert gate == {"zhouming", "tuya", "gaowenjing", "sarengaowa", "yangxiaodong"}
    assert first["delivered"] == []            # no SMTP host and no robots configured: in-app only
    second = sweep_flow(now="2026-11-12T09:00")
    assert second["notified"] == [] and second["delivered"] == []
    with flow_runtime.db.sessions.begin() as s:
        assert s.execute(select(func.count(Notification.id)).where(Notification.matter_id == mid)).scalar_one() == 5
        recorded = s.execute(select(JobRun.name, JobRun.status, JobRun.trigger).order_by(JobRun.id)).all()
    assert recorded == [("sweep", "completed", "manual")] * 2      # started by hand, not by a schedule
    assert date(2026, 11, 12).weekday() == 3
