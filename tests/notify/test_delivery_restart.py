"""The deliverer killed mid-delivery and restarted delivers every message, each exactly once per key.

`quorum deliver` (the scheduler's delivery step as a plain command) is SIGKILLed while the robot
holds its second post. The restarted deliverer re-sends only that in-flight message — with the same
X-Quorum-Delivery-Key, which is how a receiver recognises the copy — and every other message once.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from quorum.db import OutboxMessage
from tests.cli.support import ROOT, Cli, cli_backends, make_cli
from tests.notify.receivers import Robot, robot_server, smtp_server

NOW = "2026-11-03T09:00"


@pytest.fixture(params=cli_backends())
def cli(request, tmp_path) -> Iterator[Cli]:
    yield from make_cli(request.param, tmp_path / "data")


def write_config(tmp_path: Path, port: int, smtp_port: int) -> Path:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('policies = "policies"', f'policies = "{ROOT / "policies"}"')
    text = text.replace('templates = "templates"', f'templates = "{ROOT / "templates"}"')
    text = text.replace("[webhooks]\n", f'[webhooks]\n[[webhooks.robots]]\nname = "党政办工作群"\nformat = "wecom"\n'
                                         f'url = "http://127.0.0.1:{port}/cgi-bin/webhook/send?key=k"\n')
    text = text.replace('host = ""                   # e.g. "smtp.example.org"', 'host = "127.0.0.1"')
    text = text.replace("port = 25\n", f"port = {smtp_port}\n")
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_killed_mid_delivery_then_restarted_delivers_each_message_once(cli, tmp_path):
    robot = Robot(hold=2, hold_seconds=60)
    with robot_server(robot) as port, smtp_server() as (mailbox, smtp_port):
        config = write_config(tmp_path, port, smtp_port)
        cli.ok("--config", config, "init", "--demo-org")
        cli.ok("--config", config, "remind", "--no-deliver", now=NOW)
        # A burst of one person's notices is one robot message: a matter filed a minute later gives the
        # robot several more (each new task's assignee is told of it), so a post is in flight between others.
        cli.ok("--config", config, "matter", "submit", "--workflow", "major_matter", "--title", "关于购置彩超的议题",
               *[a for f in ("category=project", "amount=860000", "unit=general_hospital", "budgeted=true",
                             "staff_interest=false", "summary=方案") for a in ("--field", f)],
               "--as", "gaowenjing", now="2026-11-03T09:01")
        engine = cli.engine()
        with engine.connect() as conn:
            keys = set(conn.execute(select(OutboxMessage.key)).scalars())     # none yet: dispatch is part of delivery
        assert keys == set()
        command = [sys.executable, "-m", "quorum.cli", "--config", str(config), "deliver", "--now", "2026-11-03T09:05"]
        proc = subprocess.Popen(command, env=cli.environ(), cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while len(robot.posts) < 2 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.05)
            assert len(robot.posts) == 2, proc.stderr.read().decode() if proc.poll() is not None else "too slow"
            os.killpg(proc.pid, signal.SIGKILL)        # mid-delivery: the second robot post is in flight
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            proc.stderr.close()
        robot.hold = None
        with engine.connect() as conn:
            rows = conn.execute(select(OutboxMessage.key, OutboxMessage.status)).all()
        assert {status for _k, status in rows} >= {"sent", "sending", "pending"}
        early = cli.json("--config", config, "deliver", now="2026-11-03T09:06")       # lease not over yet
        in_flight = next(k for k, status in rows if status == "sending")
        assert in_flight not in {d["key"] for d in early["delivered"]}
        late = cli.json("--config", config, "deliver", now="2026-11-03T09:20")        # the lease (300 s) ran out
        assert [d["key"] for d in late["delivered"]] == [in_flight]
        with engine.connect() as conn:
            final = conn.execute(select(OutboxMessage.key, OutboxMessage.status, OutboxMessage.attempts)).all()
        engine.dispose()
        mails = [str(m["X-Quorum-Delivery-Key"]).strip() for _to, m in mailbox.messages]
    emailed = {k for k, _s, _a in final if k.endswith(":email")}
    assert len(emailed) > 5 and sorted(mails) == sorted(emailed)         # each e-mail exactly once
    received = robot.keys()
    from urllib.parse import unquote
    received = [unquote(k) for k in received]
    assert {status for _k, status, _a in final} == {"sent"}
    assert set(received) == {k for k, _s, _a in final} - emailed       # every robot message arrived
    duplicates = {k for k in received if received.count(k) > 1}
    assert duplicates == {in_flight}                                    # only the one in flight, same key
    assert received.count(in_flight) == 2
    assert {k: a for k, _s, a in final if a != 1} == {in_flight: 2}
    assert cli.json("--config", config, "deliver", now="2026-11-03T10:00")["delivered"] == []
