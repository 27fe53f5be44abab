"""The README's "Scaling out" block, run as it stands: PostgreSQL for Quorum and for Prefect, `quorum
migrate`, a Prefect server, a process work pool, the deployments on their cron schedules, a worker and a
multi-worker `quorum serve`. Only ports, database names and paths are swapped for free ones; nothing
is triggered by hand — the test waits for a *scheduled* sweep to complete through the worker and for
/healthz to answer 200. Bounded, and everything it started is stopped and dropped."""

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.notify.receivers import free_port

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = os.environ.get("QUORUM_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def readme_block() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- scale-out:begin -->\n```bash\n(.*?)```\n<!-- scale-out:end -->", text, re.S)
    assert found, "README.md has no scale-out block"
    return found.group(1)


def localised(block: str, *, web: int, prefect: int, config: Path, data: Path, quorum_db: str,
              prefect_db: str) -> str:
    """The block with this test's ports, databases and paths — every command stays as written."""
    swaps = [(":4200", f":{prefect}"), ("--port 4200", f"--port {prefect}"), (":8080", f":{web}"),
             ("/etc/quorum/config.toml", str(config)), ("/srv/quorum/data", str(data)),
             ("5432/quorum", f"5432/{quorum_db}"), ("-U postgres quorum ", f"-U postgres {quorum_db} "),
             ("5432/prefect", f"5432/{prefect_db}"), ("-U postgres prefect ", f"-U postgres {prefect_db} "),
             ("0.0.0.0", "127.0.0.1")]
    for old, new in swaps:
        assert old in block, f"the README block no longer contains {old!r}"
        block = block.replace(old, new)
    return block


def write_config(path: Path) -> None:
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace('policies = "policies"', f'policies = "{ROOT / "policies"}"')
    text = text.replace('templates = "templates"', f'templates = "{ROOT / "templates"}"')
    text = re.sub(r'sweep_cron = "[^"]*"', 'sweep_cron = "* * * * *"', text)
    path.write_text(text, encoding="utf-8")


def get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def post(url: str, body: dict) -> list | dict:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"{}")


def completed_scheduled_sweeps(api: str) -> list[dict]:
    """The completed runs the scheduler started on the `sweep` deployment's cron (the `deliver` deployment runs
    every minute too, and may well complete first: it does not count)."""
    runs = post(f"{api}/flow_runs/filter", {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
                                           "limit": 50})
    scheduled = [r for r in runs if r.get("deployment_id") and "auto-scheduled" in (r.get("tags") or [])]
    ids = sorted({r["deployment_id"] for r in scheduled})
    names = {d["id"]: d["name"] for d in post(f"{api}/deployments/filter", {"deployments": {"id": {"any_": ids}}})} \
        if ids else {}
    return [r for r in scheduled if names.get(r["deployment_id"]) == "sweep"]


def wait_until(check, seconds: float, what: str, logs: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(2)
    raise AssertionError(f"timed out waiting for {what}\n{logs.read_text(errors='replace')[-4000:]}")


def drop(*databases: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        for name in databases:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_readme_scale_out_block_runs_a_scheduled_sweep_through_a_worker(tmp_path):
    web, prefect = free_port(), free_port()
    suffix = uuid.uuid4().hex[:8]
    quorum_db, prefect_db = f"quorum_readme_{suffix}", f"prefect_readme_{suffix}"
    config, data = tmp_path / "config.toml", tmp_path / "shared-data"
    write_config(config)
    script = localised(readme_block(), web=web, prefect=prefect, config=config, data=data, quorum_db=quorum_db,
                       prefect_db=prefect_db)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUORUM_", "PREFECT_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), DO_NOT_TRACK="1", PYTHONIOENCODING="utf-8",
               PREFECT_SERVER_ANALYTICS_ENABLED="false")
    logs = tmp_path / "block.log"
    with open(logs, "wb") as log:
        shell = subprocess.Popen(["bash", "-e", "-c", script], cwd=tmp_path, env=env, stdout=log,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        assert shell.wait(timeout=300) == 0, logs.read_text(errors="replace")[-4000:]
        api = f"http://127.0.0.1:{prefect}/api"
        runs = wait_until(lambda: completed_scheduled_sweeps(api), 240, "a scheduled sweep run", logs)
        assert runs and all("auto-scheduled" in r["tags"] for r in runs)
        status, health = wait_until(lambda: (lambda r: r if r[0] == 200 else None)(get(
            f"http://127.0.0.1:{web}/healthz")), 60, "/healthz 200", logs)
        assert health["status"] == "ok" and health["scheduler"]["last_sweep"]
    finally:
        try:
            os.killpg(shell.pid, signal.SIGTERM)
            deadline = time.monotonic() + 5       # up to 5 s to stop, then killed; no longer than that
            while time.monotonic() < deadline:
                shell.poll()                      # reap the shell, so an empty group reads as gone
                os.killpg(shell.pid, 0)           # ProcessLookupError once every process of the block is gone
                time.sleep(0.1)
            os.killpg(shell.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        drop(quorum_db, prefect_db)
