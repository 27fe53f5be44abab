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
        reminders = select(func.count(Notification.id)).where(Notification.matter_id == mid,
                                                                Notification.kind == "reminder")
        assert s.execute(reminders).scalar_one() == 5         # the sweep's (the notices on arrival came at once)
        recorded = s.execute(select(JobRun.name, JobRun.status, JobRun.trigger).order_by(JobRun.id)).all()
    assert recorded == [("sweep", "completed", "manual")] * 2      # started by hand, not by a schedule
    assert date(2026, 11, 12).weekday() == 3


def test_the_deliver_flow_sends_a_new_task_by_mail_within_its_minute(harness, flow_runtime, sc):
    """Issue 14: the notice on arrival reaches mail at the next minute's delivery run, not at the next sweep."""
    from dataclasses import replace

    from flows.jobs import deliver_flow
    from flows.serve import deployments
    from quorum.scheduler_settings import MailSettings
    from tests.notify.receivers import smtp_server

    served = {d.name: d for d in deployments(flow_runtime.settings)}
    assert set(served) == {"sweep", "digest", "nightly", "deliver"}
    assert served["deliver"].schedules[0].schedule.cron == "* * * * *"

    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")              # 前置程序 tasks land on 周明, 图雅 …
    with smtp_server() as (box, port):
        flow_runtime.outlets = replace(flow_runtime.outlets,
                                       mail=MailSettings(host="127.0.0.1", port=port, sender="quorum@example.org"))
        result = deliver_flow(now=(sc.env.now.replace(second=0)).isoformat())
    to = {address for rcpt, _msg in box.messages for address in rcpt}
    assert "zhouming@example.org" in to and result["delivered"]
    assert all(d["status"] == "sent" for d in result["delivered"] if d.get("channel") == "email")
