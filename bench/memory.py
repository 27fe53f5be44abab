"""Resident memory of each `quorum serve` worker before and after a bounded run of page requests.

    python -m bench.memory [--backend sqlite|postgresql|both] [--requests 2000] [--trace]

A throw-away data directory gets the demo (`quorum init --data-dir`, `quorum demo`; on PostgreSQL
a throw-away database on QUORUM_BENCH_PG_HOST, default the test server) and `quorum serve
--workers 2` on a free loopback port. One client signed in through the form (and by token) asks
for 我的待办, the API task list, matter pages and their API records in turn, `--requests` in all;
the RSS of every worker (from /proc) is printed after 50 warm-up requests and at the end. `--trace`
runs the same requests in process with tracemalloc and prints where the memory that stayed was
allocated. The output goes to bench/results/memory-<backend>.txt. Target (issue 11): a worker
stays under 120 MB.
"""

import argparse
import os
import platform
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_HOST = os.environ.get("QUORUM_BENCH_PG_HOST", "postgres@127.0.0.1:5432")
USER, PASSWORD = "gaowenjing", "quorum-demo"        # 党政办主任: files and sees every demo matter
WARM = 50


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return sorted(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_url(backend: str, data_dir: Path) -> Iterator[str]:
    """"" for the embedded SQLite; on PostgreSQL a throw-away database, dropped afterwards."""
    if backend == "sqlite":
        yield ""
        return
    from sqlalchemy import create_engine, text
    name = f"bench_memory_{uuid.uuid4().hex[:10]}"
    admin = create_engine(f"postgresql+psycopg://{PG_HOST}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://{PG_HOST}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepared(tmp: Path, url: str) -> tuple[Path, dict[str, str]]:
    """A data directory with the demo run in it, and the environment its commands run with."""
    home = tmp / "county"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    if url:
        env["QUORUM_DATABASE_URL"] = url
    quorum = [sys.executable, "-m", "quorum.cli"]
    subprocess.run([*quorum, "init", "--data-dir", str(home)], cwd=tmp, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*quorum, "demo"], cwd=home, env=env, check=True, stdout=subprocess.DEVNULL)
    return home, env


def requests_for(client, base: str) -> list[Callable[[], int]]:
    """The pages a member opens all day, signed in through the form and by token."""
    page = client.get(f"{base}/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    form = {"username": USER, "password": PASSWORD, **({"csrf_token": token.group(1)} if token else {})}
    assert client.post(f"{base}/login", data=form).status_code in (200, 302)
    bearer = {"Authorization": "Bearer " + client.post(f"{base}/api/v1/token",
                                                       json={"username": USER, "password": PASSWORD}).json()["token"]}
    listed = client.get(f"{base}/api/v1/matters", headers=bearer).json()
    ids = [m["id"] for m in (listed.get("items", []) if isinstance(listed, dict) else listed)][:10] or [1]
    calls: list[Callable[[], int]] = [lambda: client.get(f"{base}/tasks").status_code,
                                      lambda: client.get(f"{base}/api/v1/me/tasks", headers=bearer).status_code]
    for mid in ids:
        calls.append(lambda mid=mid: client.get(f"{base}/matters/{mid}").status_code)
        calls.append(lambda mid=mid: client.get(f"{base}/api/v1/matters/{mid}", headers=bearer).status_code)
    return calls


def drive(calls: list[Callable[[], int]], count: int) -> dict[int, int]:
    statuses: dict[int, int] = {}
    for n in range(count):
        code = calls[n % len(calls)]()
        statuses[code] = statuses.get(code, 0) + 1
    return statuses


def served(backend: str, count: int) -> list[str]:
    import httpx
    with tempfile.TemporaryDirectory(prefix="quorum-bench-memory-") as tmp, database_url(backend, Path(tmp)) as url:
        home, env = prepared(Path(tmp), url)
        port = free_port()
        server = subprocess.Popen([sys.executable, "-m", "quorum.cli", "serve", "--workers", "2", "--bind",
                                   f"127.0.0.1:{port}"], cwd=home, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(follow_redirects=False, timeout=30) as client:
                for _ in range(120):
                    try:
                        if client.get(f"{base}/healthz").status_code < 600:
                            break
                    except httpx.TransportError:
                        time.sleep(0.5)
                calls = requests_for(client, base)
                drive(calls, WARM)
                workers = children(server.pid)
                before = {pid: rss_mb(pid) for pid in workers}
                started = time.perf_counter()
                statuses = drive(calls, count)
                elapsed = time.perf_counter() - started
                after = {pid: rss_mb(pid) for pid in children(server.pid)}
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
    lines = [f"-- quorum serve --workers 2, {count} requests from one client in {elapsed:.1f} s "
             f"({len(calls)} pages in turn), statuses {dict(sorted(statuses.items()))}",
             f"master RSS not counted; workers after {WARM} warm-up requests and at the end:"]
    for pid in sorted(set(before) | set(after)):
        shown = f"{before[pid]:6.1f} MB" if pid in before else "   (new)"
        lines.append(f"  worker {pid:>7}  {shown} → {after.get(pid, 0):6.1f} MB")
    return lines


def traced(backend: str, count: int, top: int = 12) -> list[str]:
    """The same requests in process through Flask's test client; where the memory that stayed came from."""
    from quorum.settings import load_settings
    from webui import create_app
    with tempfile.TemporaryDirectory(prefix="quorum-bench-memory-") as tmp, database_url(backend, Path(tmp)) as url:
        home, env = prepared(Path(tmp), url)
        overrides = {"QUORUM_DATA_DIR": str(home / "data"), **({"QUORUM_DATABASE_URL": url} if url else {})}
        app = create_app(load_settings(home / "config.toml", env=overrides),
                         test_config={"TESTING": True, "WTF_CSRF_ENABLED": False})
        client = app.test_client()

        class Adapter:                          # httpx-like calls on the test client
            def get(self, path, headers=None):
                return Response(client.get(path.removeprefix("local"), headers=headers))

            def post(self, path, data=None, json=None):
                return Response(client.post(path.removeprefix("local"), data=data, json=json))

        class Response:
            def __init__(self, raw):
                self.status_code, self.text, self._raw = raw.status_code, raw.get_data(as_text=True), raw

            def json(self):
                return self._raw.get_json()

        calls = requests_for(Adapter(), "local")
        drive(calls, WARM)
        tracemalloc.start(8)
        first = tracemalloc.take_snapshot()
        drive(calls, count)
        grown = tracemalloc.take_snapshot().compare_to(first, "traceback")
        tracemalloc.stop()
    lines = [f"-- tracemalloc, {count} requests in process: the {top} largest allocations that stayed"]
    for stat in grown[:top]:
        frame = next((f for f in stat.traceback if "/quorum/" in f.filename or "/webui/" in f.filename),
                     stat.traceback[0])
        lines.append(f"  {stat.size_diff / 1024:8.1f} KiB  {stat.count_diff:+6d} blocks  "
                     f"{frame.filename.replace(str(ROOT) + '/', '')}:{frame.lineno}")
    return lines


def machine(backend: str) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = (f"machine: {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}, "
           f"SQLite {sqlite3.sqlite_version}")
    if backend == "postgresql":
        from sqlalchemy import create_engine, text
        engine = create_engine(f"postgresql+psycopg://{PG_HOST}/postgres")
        with engine.connect() as conn:
            out += f", PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}"
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--requests", type=int, default=2000, help="requests after the warm-up (default 2000)")
    parser.add_argument("--trace", action="store_true", help="also run in process with tracemalloc")
    args = parser.parse_args(argv)
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        started = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
        lines = [f"bench.memory on {backend}, {started}", machine(backend), *served(backend, args.requests)]
        print("\n".join(lines), flush=True)
        if args.trace:
            found = traced(backend, args.requests)
            lines += found
            print("\n".join(found), flush=True)
        output = "\n".join(lines) + "\n"
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"memory-{backend}.txt").write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
