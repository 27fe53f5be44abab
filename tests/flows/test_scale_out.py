"""The scale-out set-up, once: Prefect server on PostgreSQL (database `prefect`), a process work pool,
a worker, and one run of the sweep deployment against a Quorum database. Bounded and cleaned up."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select

from quorum.db import Notification
from quorum.db.session import make_engine
from tests.notify.receivers import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("QUORUM_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PREFECT_DB = "postgresql+asyncpg://postgres@127.0.0.1:5432/prefect"

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def ensure_prefect_database() -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'prefect'").fetchone() is None:
            conn.execute("CREATE DATABASE prefect")


def api(url: str, path: str, body: dict | None = None, method: str = "POST") -> dict | list:
    request = urllib.request.Request(f"{url}{path}", data=json.dumps(body or {}).encode(), method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
    return json.loads(raw) if raw else {}


def wait_until(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"timed out waiting for {what}")


def stop(proc: subprocess.Popen) -> None:
    for sig in (signal.SIGINT, signal.SIGKILL):
        if proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            continue


def test_server_on_postgres_work_pool_worker_and_one_deployment_run(tmp_path):
    ensure_prefect_database()
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("QUORUM_", "PREFECT_"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_API_URL=url, DO_NOT_TRACK="1",
               PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_API_DATABASE_CONNECTION_URL=PREFECT_DB,
               PREFECT_SERVER_API_HOST="127.0.0.1", PREFECT_SERVER_API_PORT=str(port), PREFECT_UI_ENABLED="false",
               QUORUM_DATA_DIR=str(data), PYTHONIOENCODING="utf-8")
    quorum = [sys.executable, "-m", "quorum.cli"]
    subprocess.run([*quorum, "init", "--demo-org", "--now", "2026-11-02T09:00"], env=env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    pool = f"quorum-test-{uuid.uuid4().hex[:8]}"
    with open(tmp_path / "server.log", "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                   "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    worker = None
    try:
        wait_until(lambda: _healthy(url), 180, "the Prefect server")
        prefect = [sys.executable, "-m", "prefect"]
        subprocess.run([*prefect, "work-pool", "create", pool, "--type", "process"], env=env, cwd=ROOT, check=True,
                       capture_output=True, timeout=120)
        deployed = subprocess.run([sys.executable, "-m", "flows.deploy", "--pool", pool, "--no-schedules"], env=env,
                                  cwd=ROOT, capture_output=True, text=True, timeout=180)
        assert deployed.returncode == 0, deployed.stderr[-2000:]
        sweep_id = api(url, "/deployments/name/quorum-sweep/sweep", method="GET")["id"]
        assert sweep_id in deployed.stdout
        with open(tmp_path / "worker.log", "wb") as worker_log:       # the child keeps its own copy
            worker = subprocess.Popen([*prefect, "worker", "start", "--pool", pool], env=env, cwd=ROOT,
                                      stdout=worker_log, stderr=subprocess.STDOUT, start_new_session=True)
        run = api(url, f"/deployments/{sweep_id}/create_flow_run", {"parameters": {"now": "2026-11-12T09:00"}})
        state = wait_until(lambda: _final_state(url, run["id"]), 240, "the flow run")
        assert state == "COMPLETED", (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
        engine = make_engine(f"sqlite:///{data / 'quorum.sqlite3'}")
        with engine.connect() as conn:
            assert conn.execute(select(func.count(Notification.id))).scalar_one() > 0
        engine.dispose()
        deployment = api(url, f"/deployments/{sweep_id}", method="GET")
        assert deployment["work_pool_name"] == pool and deployment["name"] == "sweep"
    finally:
        if worker is not None:
            stop(worker)
        try:
            if _healthy(url):
                api(url, f"/work_pools/{pool}", method="DELETE")
        except OSError:
            pass
        stop(server)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _final_state(url: str, run_id: str) -> str | None:
    state = api(url, f"/flow_runs/{run_id}", method="GET")["state"]["type"]
    return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None
