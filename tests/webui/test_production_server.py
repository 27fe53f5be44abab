"""`quorum serve` for real: gunicorn, several workers, one PostgreSQL database and one data directory.

A release on a schema one migration behind is refused in the master, before any worker starts, with
one line naming `quorum migrate`; after the migration four workers start and every one answers. A
signed-in session, an upload and an API token then work whichever worker a request lands on. Each
request carries its own X-Request-ID, and the access log line with that id names the worker's pid.
"""

import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from quorum import calendar
from quorum.database import MIGRATIONS, alembic_config, code_head, schema_revision
from quorum.db.session import make_engine
from quorum.services import jobs
from tests.conftest import PG_URL, ROOT
from tests.webui.test_matters import REMOTE_CENTRE, forms
from tests.webui.test_serve import free_port

PASSWORD = "quorum-demo"
SECRETARY = "gaowenjing"          # 党政办主任 高文静: files 重大事项
ACCESS = re.compile(r"\[(\d+)\] quorum\.access \[rid=(\S+) user=(\S+)\] (\S+) (\S+) (\d+) ")

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A database URL whose connections work in a schema of their own (dropped afterwards)."""
    schema = f"quorum_serve_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def write_config(tmp_path: Path, url: str, workers: int) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[paths]
data_dir = "{tmp_path / 'data'}"
policies = "{ROOT / 'policies'}"
templates = "{ROOT / 'templates'}"

[database]
url = "{url}"

[web]
secret_key = "{uuid.uuid4().hex}"
workers = {workers}
threads = 1                 # one request per worker at a time: concurrent requests spread over the workers
timeout = 60

[scheduler]
start_with_run = false
""", encoding="utf-8")
    return path


def quorum(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "quorum.cli", *args], cwd=ROOT, env=environ(config),
                          capture_output=True, text=True, timeout=timeout)


def environ(config: Path) -> dict[str, str]:
    import os
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUORUM_")}
    return {**env, "QUORUM_CONFIG": str(config), "PYTHONIOENCODING": "utf-8"}


@dataclass
class Server:
    base: str
    log: Path

    def served_by(self) -> dict[str, tuple[int, str, str, int]]:
        """request id → (worker pid, user, path, status), from the access log."""
        out = {}
        for m in ACCESS.finditer(self.log.read_text(encoding="utf-8", errors="replace")):
            out[m.group(2)] = (int(m.group(1)), m.group(3), m.group(5), int(m.group(6)))
        return out

    def logged(self, rids: list[str]) -> dict[str, tuple[int, str, str, int]]:
        """The access log once it has a line for each of `rids` (written as each response leaves)."""
        for _ in range(50):
            seen = self.served_by()
            if all(rid in seen for rid in rids):
                return seen
            time.sleep(0.05)
        raise AssertionError(f"no access line for {rids}")


@contextmanager
def serving(config: Path, tmp_path: Path) -> Iterator[Server]:
    port, log = free_port(), tmp_path / "serve.log"
    with open(log, "w", encoding="utf-8") as err:
        proc = subprocess.Popen([sys.executable, "-m", "quorum.cli", "serve", "--port", str(port)], cwd=ROOT,
                                env=environ(config), stdout=subprocess.DEVNULL, stderr=err)
    server = Server(f"http://127.0.0.1:{port}", log)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(f"{server.base}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert proc.poll() is None, log.read_text(encoding="utf-8")
                assert time.monotonic() < deadline, "the server never answered"
                time.sleep(0.3)
        yield server
    finally:
        proc.send_signal(signal.SIGTERM)              # graceful: the master stops the workers, then itself
        assert proc.wait(timeout=60) == 0, log.read_text(encoding="utf-8")[-3000:]


def one_behind(url: str) -> str:
    """Migrate the empty schema to the revision before this code's head; return that revision."""
    previous = ScriptDirectory(str(MIGRATIONS)).get_revision(code_head()).down_revision
    assert isinstance(previous, str)
    engine = make_engine(url)
    try:
        config = alembic_config(engine)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, previous)
        assert schema_revision(engine) == previous
    finally:
        engine.dispose()
    return previous


def record_sweep(url: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as s, s.begin():
            run = jobs.started(s, "sweep", calendar.now())
            jobs.finished(s, run, calendar.now(), {"reminders": 0})
    finally:
        engine.dispose()


def fresh_connection(client: httpx.Client, method: str, path: str, headers: dict | None = None,
                     **kw) -> tuple[str, httpx.Response]:
    """One request on a new connection (so any worker may take it) with its own request id."""
    rid = f"t-{uuid.uuid4().hex[:16]}"
    return rid, client.request(method, path, headers={"Connection": "close", "X-Request-ID": rid, **(headers or {})},
                               **kw)


def spread(client: httpx.Client, server: Server, method: str, path: str, want: int, **kw) -> dict[int, list]:
    """Send concurrent rounds of requests until `want` workers served one; return pid → responses."""
    by_pid: dict[int, list[httpx.Response]] = {}
    deadline = time.monotonic() + 60                 # a worker still booting on a busy machine catches up
    with ThreadPoolExecutor(4) as pool:
        while time.monotonic() < deadline:
            answers = list(pool.map(lambda _i: fresh_connection(client, method, path, **kw), range(4)))
            seen = server.logged([rid for rid, _r in answers])
            for rid, response in answers:
                by_pid.setdefault(seen[rid][0], []).append(response)
            if len(by_pid) >= want:
                return by_pid
    raise AssertionError(f"only workers {sorted(by_pid)} answered {path}")


def sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text[:300]


def test_four_workers_refuse_an_old_schema_then_share_sessions_uploads_and_the_api(pg_url, tmp_path):
    config = write_config(tmp_path, pg_url, workers=4)
    previous = one_behind(pg_url)

    refused = quorum(config, "serve", "--port", str(free_port()))
    assert refused.returncode == 2 and refused.stdout == ""
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误：")  # in the master: no worker booted, no traceback
    assert f"数据库结构版本 {previous} 落后于程序（{code_head()}）" in lines[0] and "quorum migrate" in lines[0]

    assert quorum(config, "migrate").returncode == 0
    assert quorum(config, "init", "--demo-org").returncode == 0

    with serving(config, tmp_path) as server, httpx.Client(base_url=server.base, timeout=30) as client:
        # every worker boots and answers, none migrates; no sweep yet: unhealthy
        answered = spread(client, server, "GET", "/healthz", want=4)
        assert all(r.status_code == 503 and r.json()["database"]["revision"] == code_head()
                   for rs in answered.values() for r in rs)
        record_sweep(pg_url)
        assert {r.status_code for rs in spread(client, server, "GET", "/healthz", want=2).values() for r in rs} == {200}
        assert all("werkzeug" not in r.headers.get("server", "").lower() for rs in answered.values() for r in rs)

        # one signed-in session, served by several workers
        sign_in(client, SECRETARY)
        inbox = spread(client, server, "GET", "/tasks", want=2)
        assert all(r.status_code == 200 and "高文静" in r.text for rs in inbox.values() for r in rs)
        assert {user for _pid, user, path, _s in server.served_by().values() if path == "/tasks"} == {SECRETARY}

        # an attachment uploaded through one worker is downloaded through another
        form = forms(client.get("/matters/new?workflow=major_matter").text)["matter-form"]
        plan = "远程会诊中心建设方案".encode() + b" %PDF-1.7 " + uuid.uuid4().bytes
        rid, filed = fresh_connection(client, "POST", form.action,
                                      data=form.data(title="关于建设医共体远程会诊中心的议题", **REMOTE_CENTRE),
                                      files=[("attachments", ("远程会诊中心建设方案.pdf", plan, "application/pdf"))])
        assert filed.status_code == 302, filed.text[:500]
        uploader = server.logged([rid])[rid][0]
        matter_page = client.get(filed.headers["Location"]).text
        link = re.search(r'/matters/\d+/attachments/\d+', matter_page).group(0)
        downloads = spread(client, server, "GET", link, want=2)
        other = next(pid for pid in downloads if pid != uploader)
        assert all(r.status_code == 200 and r.content == plan for r in downloads[other])

        # an API token issued by one worker opens the API on the others
        token = client.post("/api/v1/token", json={"username": SECRETARY, "password": PASSWORD}).json()["token"]
        matter_id = int(link.split("/")[2])
        with httpx.Client(base_url=server.base, timeout=30) as no_cookie:
            api = spread(no_cookie, server, "GET", f"/api/v1/matters/{matter_id}", want=2,
                         headers={"Authorization": f"Bearer {token}"})
        assert all(r.status_code == 200 and r.json()["title"] == "关于建设医共体远程会诊中心的议题"
                   for rs in api.values() for r in rs)
        assert len({pid for pid, *_ in server.served_by().values()}) == 4
    log = server.log.read_text(encoding="utf-8")
    assert "Traceback" not in log and log.count("Booting worker") == 4     # none died, none was restarted
