"""`quorum remind` as a one-shot command (both backends): it prints what it sent, and nothing the second time."""

import pytest
from sqlalchemy import select

from quorum.db import JobRun
from tests.cli.support import Cli, cli_backends, make_cli


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path):
    yield from make_cli(request.param, tmp_path / "data")


def test_remind_twice_at_the_same_instant_sends_nothing_the_second_time(cli: Cli):
    cli.ok("init", "--demo-org")
    cli.ok("matter", "submit", "--workflow", "major_matter", "--title", "关于购置数字化X射线摄影系统的议题",
           "--field", "category=project", "--field", "unit=general_hospital", "--field", "amount=860000",
           "--field", "budgeted=true", "--field", "staff_interest=false", "--field", "summary=购置DR一台。",
           "--as", "gaowenjing")
    first = cli.ok("remind", now="2026-11-12T09:00")
    assert "站内 → 周明：【待办提醒】合法性审查意见：关于购置数字化X射线摄影系统的议题（2个工作日后到期）" in first
    assert "推进机制研究医共体工作" in first
    assert cli.ok("remind", now="2026-11-12T09:00") == "此时没有需要发送的提醒或通知。\n"
    again = cli.json("remind", now="2026-11-12T09:15")
    assert again["notified"] == [] and again["delivered"] == [] and again["timers"] == []
    mine = cli.json("notifications", "--as", "zhouming", "--unread")
    assert [n["kind"] for n in mine] == ["reminder", "task_assigned"] and "合法性审查意见" in mine[0]["title"]
    assert cli.ok("outbox", "list") == "没有发送失败或等待重试的消息。\n"
    engine = cli.engine()          # each sweep is a job run, so /healthz sees a cron-driven `quorum remind`
    with engine.connect() as conn:
        runs = conn.execute(select(JobRun.name, JobRun.status, JobRun.trigger)).all()
    engine.dispose()
    assert runs == [("sweep", "completed", "command")] * 3


def test_a_bad_mail_setting_is_a_clear_error(cli: Cli, tmp_path):
    from tests.cli.support import ROOT
    text = (ROOT / "config.toml").read_text(encoding="utf-8").replace('security = "none"', 'security = "tls"')
    text = text.replace('policies = "policies"', f'policies = "{ROOT / "policies"}"')
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    result = cli.run("--config", config, "remind")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"配置文件 {config} [mail] security：应为 none、starttls、ssl 之一，实为「tls」" in result.stderr
