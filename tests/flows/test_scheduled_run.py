"""The scheduler fires by itself: the real processes of `quorum run` — a local Prefect server and
`python -m flows.serve` (webui.background.Background) — on a one-minute sweep cron, on SQLite and on
PostgreSQL. Nothing starts a flow run by hand: the test waits until a run created by the schedule has
completed, its reminder has reached a local SMTP server, and job_run holds the scheduled sweep.

The reminder is due whatever the hour: send_from is 00:00 in a copy of policies/, and today and
tomorrow are made working days in config.toml (a run crossing midnight sends the overdue notice).
"""

import json
import shutil
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text, update

from quorum import calendar, policies
from quorum.core.states import StepStatus, TaskStatus
from quorum.db import JobRun, MatterStep, Person, Task
from quorum.services import demo
from quorum.services.env import Env
from quorum.settings import load_settings
from tests import helpers
from tests.conftest import ROOT
from tests.notify.receivers import free_port, smtp_server

pytestmark = pytest.mark.slow
WAIT_SECONDS = 240
TITLE = "关于购置全自动生化分析仪的议题"


def write_config(tmp_path: Path, smtp_port: int) -> Path:
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    reminders = policies / "reminders.toml"
    reminders.write_text(reminders.read_text(encoding="utf-8").replace('send_from = "08:00"', 'send_from = "00:00"'),
                         encoding="utf-8")
    today = calendar.now().date()
    workdays = ", ".join(f'"{today + timedelta(days=n)}"' for n in (0, 1))
    path = tmp_path / "config.toml"
    path.write_text(f"""
[organisation]
name = "二连浩特市紧密型医共体"
[paths]
data_dir = "data"
policies = "policies"
templates = "{ROOT / 'templates'}"
[calendar]
workdays = [{workdays}]
[mail]
host = "127.0.0.1"
port = {smtp_port}
sender = "医共体议事决策平台 <quorum@example.org>"
[scheduler]
sweep_cron = "* * * * *"
prefect_port = {free_port()}
""", encoding="utf-8")
    return path


def database_url(db) -> str:
    """The test database as a URL another process can open (PostgreSQL: the run's own schema)."""
    url = db.engine.url.render_as_string(hide_password=False)
    if db.engine.dialect.name != "postgresql":
        return url
    with db.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    return f"{url}?options=-csearch_path%3D{schema}"


def open_task_due_today(db, settings) -> tuple[int, set[str]]:
    """The demo community and one submitted matter whose open tasks fall due today; their e-mail addresses."""
    env = Env(policies.load(settings.policies_dir), settings.calendar(), calendar.now())
    demo.ensure_community(db.sessions, env)
    matter_id = helpers.submit(demo.Scenario(db.sessions, env), TITLE)
    today = calendar.to_local(env.now).date()
    with db.sessions.begin() as s:
        s.execute(update(MatterStep).where(MatterStep.matter_id == matter_id, MatterStep.status == StepStatus.ACTIVE)
                  .values(due_date=today, due_provisional=False))
        s.execute(update(Task).where(Task.matter_id == matter_id, Task.status == TaskStatus.OPEN)
                  .values(due_date=today, due_provisional=False))
        emails = set(s.execute(select(Person.email).join(Task, Task.assignee_id == Person.id)
                               .where(Task.matter_id == matter_id, Task.status == TaskStatus.OPEN,
                                      Person.email.is_not(None))).scalars())
    return matter_id, {e for e in emails if e}


def prefect_api(url: str, path: str, body: dict) -> list:
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def scheduled_sweeps_completed(url: str) -> list[dict]:
    try:
        runs = prefect_api(url, "/flow_runs/filter", {
            "deployments": {"name": {"any_": ["sweep"]}},
            "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}})
    except OSError:
        return []
    return [r for r in runs if r["auto_scheduled"] and (r.get("created_by") or {}).get("type") == "SCHEDULE"]


def scheduled_job_runs(db) -> list[tuple[str, str]]:
    with db.sessions.begin() as s:
        return [tuple(r) for r in s.execute(select(JobRun.status, JobRun.trigger).where(JobRun.name == "sweep"))]


def reminders(mailbox) -> list:
    """The due-today reminders of the matter (its tasks' notices on arrival were mailed before, by themselves)."""
    return [(rcpts, message) for rcpts, message in mailbox.messages
            if "今日到期" in message["Subject"] + message.get_content() and TITLE in message.get_content()]


def logs(data_dir: Path) -> str:
    out = []
    for log in sorted((data_dir / "logs").glob("*.log")):
        out.append(f"----- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
    return "\n".join(out)


def test_the_scheduler_sends_a_due_reminder_by_itself(db, tmp_path, monkeypatch):
    from webui.background import Background
    with smtp_server() as (mailbox, smtp_port):
        config = write_config(tmp_path, smtp_port)
        for name in ("QUORUM_CONFIG", "QUORUM_DATA_DIR", "QUORUM_DATABASE_URL"):
            monkeypatch.delenv(name, raising=False)      # as with `quorum run --config …`: the children are told
        monkeypatch.setenv("PREFECT_UI_ENABLED", "false")
        settings = load_settings(config, env={"QUORUM_DATABASE_URL": database_url(db)})
        _, emails = open_task_due_today(db, settings)
        assert emails, "the matter's open tasks should have assignees with e-mail addresses"
        background = Background(settings, config=config)
        background.start()
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            done = None
            while time.monotonic() < deadline:
                runs = scheduled_sweeps_completed(background.api_url)
                mailed = {to for rcpts, message in reminders(mailbox) for to in rcpts}
                recorded = ("completed", "schedule") in scheduled_job_runs(db)
                if runs and emails <= mailed and recorded:
                    done = runs, mailed
                    break
                time.sleep(2)
            assert done, f"no scheduled sweep completed with its reminder in {WAIT_SECONDS} s\n{logs(settings.data_dir)}"
        finally:
            background.stop()
    runs, mailed = done
    assert mailed == emails                                   # each assignee once, nobody else
    assert len(reminders(mailbox)) == len(emails)
    assert all(r["state_type"] == "COMPLETED" for r in runs)
    assert "InvalidRequestError" not in (settings.data_dir / "logs" / "prefect-server.log").read_text(errors="replace")
