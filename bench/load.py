"""20 concurrent clients against the REAL production server on a generated database.

    python -m bench.load --backend sqlite --data /tmp/quorum-bench/sqlite-100000 [--clients 20] [--seconds 60]
    python -m bench.load --backend postgresql --data /tmp/quorum-bench/postgresql-100000 [--url URL]

Starts `quorum serve` (gunicorn, [web] workers and threads as the repository's config.toml sets
them, or --workers/--threads) on a free loopback port, through a temporary config.toml pointing at
the database bench.generate made (DIR/config.toml; --url overrides the database). The clients are
the members with the most open tasks (demo password): half sign in through the login form (CSRF token
from the page, session cookie), half by API token (POST /api/v1/token). Each loops without pause
(or, with --think MS, pausing a random 0..2×MS after each request, as a person reading):

- form client: 我的待办 (GET /tasks), one matter page of its list (GET /matters/<id>), and on its
  first round and every --approve-every'th after 同意 on one of its tasks (POST /tasks/<id>/act with the CSRF token);
- token client: the API task list (GET /api/v1/me/tasks), the matter's record (GET /api/v1/matters/<id>),
  and the same approval through POST /api/v1/tasks/<id>/actions.

Bounded by --seconds and --max-requests; loopback only. Prints per endpoint the count, p50/p95/p99
ms, 5xx and other errors with samples, the server log lines of any 5xx, the workers' RSS (start, max,
end), the machine (cores, load average) and the targets (p95 < 50 ms for each of the four endpoints,
0 × 5xx, a worker < 120 MB RSS), then writes the output to bench/results/load-<backend>.txt.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from bench.generate import RESULTS, ROOT, machine

PASSWORD = "quorum-demo"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
QUICK = re.compile(r'action="/tasks/(\d+)/act"(.*?)</form>', re.S)
MATTER_LINK = re.compile(r'href="/matters/(\d+)"')
TARGET_MS, TARGET_RSS_MB = 50.0, 120.0
ENDPOINTS = [("inbox", "我的待办 GET /tasks (form)"), ("api_tasks", "API task list GET /api/v1/me/tasks (token)"),
             ("matter", "matter page GET /matters/<id> (form)"), ("api_matter", "matter GET /api/v1/matters/<id> (token)"),
             ("approve", "approve POST /tasks/<id>/act (form)"), ("api_approve", "approve POST /api/v1/tasks/<id>/actions (token)")]
TARGETS = [("inbox page", ("inbox",)), ("API task list", ("api_tasks",)), ("matter page", ("matter", "api_matter")),
           ("approve", ("approve", "api_approve"))]


@dataclass
class Stats:
    """What every client saw; appended under one lock."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    other_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0

    def record(self, endpoint: str, ms: float, status: int, ok: tuple[int, ...], detail: bytes = b"") -> None:
        with self.lock:
            self.requests += 1
            self.times[endpoint].append(ms)
            if status >= 500 or status == 0:
                self.server_errors[endpoint] += 1
            elif status not in ok:
                self.other_errors[endpoint] += 1
            else:
                return
            if len(self.samples) < 12:
                self.samples.append(f"{endpoint}: HTTP {status} {one_line(detail.decode(errors='replace'))}")


class Client:
    """One keep-alive connection with its cookies (form) or bearer token (API)."""

    def __init__(self, port: int, username: str, mode: str, stats: Stats, think: float = 0.0) -> None:
        self.port, self.username, self.mode, self.stats, self.think = port, username, mode, stats, think
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.csrf = ""
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes, float]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0, str(exc).encode(), (time.perf_counter() - started) * 1000
                continue
            ms = (time.perf_counter() - started) * 1000
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            if self.think:                 # a person reading the page before the next click (0..2 × think)
                time.sleep(random.uniform(0, 2 * self.think))
            return response.status, data, ms
        raise AssertionError("unreachable")

    def sign_in(self) -> None:
        if self.mode == "form":
            _status, page, _ms = self.request("GET", "/login")
            self.csrf = CSRF.search(page.decode()).group(1)
            form = urllib.parse.urlencode({"csrf_token": self.csrf, "username": self.username, "password": PASSWORD})
            status, _page, _ms = self.request("POST", "/login", form.encode(),
                                              {"Content-Type": "application/x-www-form-urlencoded"})
            if status != 302:
                raise SystemExit(f"form sign-in of {self.username} answered {status}")
        else:
            body = json.dumps({"username": self.username, "password": PASSWORD}).encode()
            status, data, _ms = self.request("POST", "/api/v1/token", body, {"Content-Type": "application/json"})
            if status != 200:
                raise SystemExit(f"token sign-in of {self.username} answered {status}: {data[:200]!r}")
            self.token = json.loads(data)["token"]

    def round(self, number: int, approve_every: int, rng: random.Random) -> None:
        if self.mode == "form":
            self._form_round(number, approve_every, rng)
        else:
            self._api_round(number, approve_every, rng)

    def _form_round(self, number: int, approve_every: int, rng: random.Random) -> None:
        status, page, ms = self.request("GET", "/tasks")
        self.stats.record("inbox", ms, status, (200,), page)
        html = page.decode(errors="replace")
        found = CSRF.search(html)
        self.csrf = found.group(1) if found else self.csrf
        matters = MATTER_LINK.findall(html)
        approvable = [int(t) for t, form in QUICK.findall(html) if 'value="approve"' in form and int(t) % 2 == 0]
        if matters:
            status, page, ms = self.request("GET", f"/matters/{rng.choice(matters)}")
            self.stats.record("matter", ms, status, (200,), page)
        if approvable and (number - 1) % approve_every == 0:
            form = urllib.parse.urlencode({"csrf_token": self.csrf, "action": "approve", "comment": "同意。"})
            status, page, ms = self.request("POST", f"/tasks/{rng.choice(approvable)}/act", form.encode(),
                                            {"Content-Type": "application/x-www-form-urlencoded"})
            self.stats.record("approve", ms, status, (302, 303), page)

    def _api_round(self, number: int, approve_every: int, rng: random.Random) -> None:
        status, data, ms = self.request("GET", "/api/v1/me/tasks")
        self.stats.record("api_tasks", ms, status, (200,), data)
        try:
            box = json.loads(data)
        except ValueError:
            return
        tasks = box.get("tasks", box.get("items", [])) if isinstance(box, dict) else box
        tasks = [t for t in tasks if isinstance(t, dict)]
        if tasks:
            matter = rng.choice(tasks).get("matter_id")
            status, data, ms = self.request("GET", f"/api/v1/matters/{matter}")
            self.stats.record("api_matter", ms, status, (200,), data)
        approvable = [t["id"] for t in tasks if "approve" in (t.get("actions") or []) and t["id"] % 2 == 1]
        if approvable and (number - 1) % approve_every == 0:
            body = json.dumps({"action": "approve", "comment": "同意。"}).encode()
            status, data, ms = self.request("POST", f"/api/v1/tasks/{rng.choice(approvable)}/actions", body,
                                            {"Content-Type": "application/json"})
            self.stats.record("api_approve", ms, status, (200,), data)


# ----------------------------------------------------------------------------------------------
# the server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_config(data: Path, url: str | None, port: int, workers: int | None, threads: int | None) -> Path:
    """A temporary config.toml: the generated data directory and database, [web] as configured."""
    generated = tomllib.loads((data / "config.toml").read_text(encoding="utf-8"))
    web = tomllib.loads((ROOT / "config.toml").read_text(encoding="utf-8"))["web"]
    database = url if url is not None else generated.get("database", {}).get("url", "")
    folder = Path(tempfile.mkdtemp(prefix="quorum-load-"))
    path = folder / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{data}"\npolicies = "{ROOT / "policies"}"\ntemplates = "{ROOT / "templates"}"\n'
        f'[database]\nurl = "{database}"\n'
        f'[web]\nsecret_key = "{secrets.token_hex(16)}"\nbind = "127.0.0.1:{port}"\n'
        f'workers = {workers or web.get("workers", 2)}\nthreads = {threads or web.get("threads", 4)}\n'
        f'timeout = {web.get("timeout", 60)}\nproxies = 0\n'
        f'[scheduler]\nstart_with_run = false\n', encoding="utf-8")
    return path


def start_server(config: Path, port: int, log: Path) -> subprocess.Popen:
    quorum = Path(sys.executable).with_name("quorum")
    process = subprocess.Popen([str(quorum), "--config", str(config), "serve"], stdout=log.open("wb"),
                               stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"quorum serve exited with {process.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("quorum serve did not answer within 90 s")


def workers_of(master: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                out.append(int(entry.name))
    return sorted(out)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (from /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


class RssWatch(threading.Thread):
    """Sample the workers' RSS every second: the first, the largest and the last figure per worker."""

    def __init__(self, master: int) -> None:
        super().__init__(daemon=True)
        self.master, self.stop = master, threading.Event()
        self.first: dict[int, float] = {}
        self.peak: dict[int, float] = defaultdict(float)
        self.last: dict[int, float] = {}
        self.cpu_first: dict[int, float] = {}
        self.cpu_last: dict[int, float] = {}

    def run(self) -> None:
        while not self.stop.is_set():
            self.sample()
            self.stop.wait(1.0)

    def sample(self) -> None:
        for pid in workers_of(self.master):
            value = rss_mb(pid)
            if value:
                self.first.setdefault(pid, value)
                self.peak[pid] = max(self.peak[pid], value)
                self.last[pid] = value
                self.cpu_first.setdefault(pid, cpu_seconds(pid))
                self.cpu_last[pid] = cpu_seconds(pid)

    def mark(self) -> None:
        """Count CPU from now on (after the sign-ins, whose password hashing is not the endpoints' cost)."""
        self.cpu_first = {pid: cpu_seconds(pid) for pid in workers_of(self.master)}
        self.cpu_last = dict(self.cpu_first)

    def cpu(self) -> float:
        """CPU seconds the workers spent between the first and the last sample."""
        return sum(self.cpu_last[pid] - self.cpu_first[pid] for pid in self.cpu_first)


def busiest(config: Path, count: int) -> list[str]:
    """The members with the most open tasks (the heaviest inboxes), busiest first."""
    from sqlalchemy import text

    from quorum.db.session import make_engine
    from quorum.settings import load_settings
    engine = make_engine(load_settings(config).database_url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT p.username, count(*) FROM task t JOIN person p ON p.id = t.assignee_id "
            "WHERE t.status = 'open' AND p.active GROUP BY p.username ORDER BY count(*) DESC, p.username "
            "LIMIT :n"), {"n": count}).all()
    engine.dispose()
    return [(r[0], r[1]) for r in rows]


# ----------------------------------------------------------------------------------------------
# the run


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def drive(port: int, users: list[str], args: argparse.Namespace, stats: Stats, watch: RssWatch) -> float:
    clients = [Client(port, users[(i // 2) % len(users)], "form" if i % 2 == 0 else "token", stats)
               for i in range(args.clients)]
    for c in clients:
        c.sign_in()
        c.think = args.think / 1000
    stop_at = time.monotonic() + args.seconds
    start = threading.Barrier(len(clients) + 1)

    def loop(index: int, client: Client) -> None:
        rng = random.Random(index)
        start.wait()
        number = 0
        while time.monotonic() < stop_at and stats.requests < args.max_requests:
            number += 1
            client.round(number, args.approve_every, rng)

    threads = [threading.Thread(target=loop, args=(i, c), daemon=True) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    watch.mark()
    start.wait()
    began = time.monotonic()
    for t in threads:
        t.join(args.seconds + 180)
    return time.monotonic() - began


def error_lines(log: Path, limit: int = 12) -> list[str]:
    """The server's 5xx access lines (a few) and each distinct exception that ended a traceback, counted."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    access = [line for line in lines if re.search(r"quorum\.access .* 5\d\d [\d.]+ms", line)]
    exceptions: dict[str, int] = defaultdict(int)
    for i, line in enumerate(lines):
        if line.startswith("Traceback"):
            j = i + 1
            while j < len(lines) and (lines[j].startswith((" ", "\t")) or not lines[j].strip()):
                j += 1
            if j < len(lines):
                exceptions[lines[j][:300]] += 1
    other = [line for line in lines if re.search(r"WORKER TIMEOUT|Worker .* was sent|CRITICAL|Reason:", line)]
    out = [f"{len(access)} access lines with a 5xx, e.g.:"] + [f"  {line}" for line in access[:5]]
    out += [f"exceptions ({sum(exceptions.values())} tracebacks):"] + [
        f"  {n} × {text}" for text, n in sorted(exceptions.items(), key=lambda kv: -kv[1])[:limit]]
    if other:
        out += ["gunicorn:"] + [f"  {line}" for line in other[:limit]]
    return out if access or exceptions else []


ACCESS = re.compile(r"quorum\.access .*\] (GET|POST) (\S+) (\d{3}) ([\d.]+)ms")
ROUTES = [("inbox", "GET", re.compile(r"^/tasks(\?.*)?$")), ("api_tasks", "GET", re.compile(r"^/api/v1/me/tasks(\?.*)?$")),
          ("matter", "GET", re.compile(r"^/matters/\d+$")), ("api_matter", "GET", re.compile(r"^/api/v1/matters/\d+$")),
          ("approve", "POST", re.compile(r"^/tasks/\d+/act$")), ("api_approve", "POST", re.compile(r"^/api/v1/tasks/\d+/actions$"))]


def server_times(log: Path) -> dict[str, list[float]]:
    """Milliseconds per request as the server's access log has them (inside a worker, without the accept queue)."""
    out: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = ACCESS.search(line)
        if found:
            method, path, ms = found.group(1), found.group(2), float(found.group(4))
            key = next((k for k, m, pattern in ROUTES if m == method and pattern.match(path)), None)
            if key:
                out[key].append(ms)
    return out


def one_line(detail: str) -> str:
    """An error body as one line: an HTML page's <title>, else the start of the JSON or text."""
    try:
        body = json.loads(detail)
        return f"{body.get('error')}: {body.get('message')}"[:200]
    except (ValueError, AttributeError):
        pass
    alert = re.search(r'class="flash error"[^>]*>(.*?)</div>', detail, re.S)
    found = alert or re.search(r"<title>(.*?)</title>", detail, re.S)
    return (found.group(1).strip() if found else " ".join(detail.split()))[:200]


def report(args, stats: Stats, elapsed: float, users, watch: RssWatch, log: Path, config: Path,
           load_before: str) -> str:
    from quorum.settings import load_settings
    settings = load_settings(config)
    lines = [f"bench.load — {args.backend}, {args.clients} clients, {args.seconds} s, "
             f"{f'think time {args.think:.0f} ms (mean)' if args.think else 'no think time (closed loop)'} "
             f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
             machine(), f"load average before the run: {load_before}",
             f"data: {args.data} ({settings.database_url}); server: quorum serve (gunicorn) "
             f"{settings.web.workers} workers × {settings.web.threads} threads",
             f"clients: {', '.join(f'{u} ({n} open tasks)' for u, n in users)} — each one form and one token client",
             f"requests: {stats.requests} in {elapsed:.1f} s = {stats.requests / elapsed:.1f} req/s; workers' CPU "
             f"{watch.cpu():.1f} s = {1000 * watch.cpu() / max(1, stats.requests):.0f} ms CPU per request (all endpoints)",
             "",
             "client-side ms (what a user waits); server ms = the access log's time inside a worker",
             f"{'endpoint':<48}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'5xx':>6}{'4xx':>6}"
             f"{'server p50':>12}{'server p95':>12}"]
    served = defaultdict(int)
    for pid in re.findall(r"INFO \[(\d+)\] quorum\.access", log.read_text(encoding="utf-8", errors="replace")):
        served[pid] += 1
    lines.insert(-3, "requests per worker (access log; keep-alive connections stay on the worker that accepted them): "
                 + ", ".join(f"pid {pid} {n}" for pid, n in sorted(served.items())))
    inside = server_times(log)
    for key, label in ENDPOINTS:
        values = stats.times.get(key, [])
        lines.append(f"{label:<48}{len(values):>7}{percentile(values, 50):>9.0f}{percentile(values, 95):>9.0f}"
                     f"{percentile(values, 99):>9.0f}{max(values, default=float('nan')):>9.0f}"
                     f"{stats.server_errors.get(key, 0):>6}{stats.other_errors.get(key, 0):>6}"
                     f"{percentile(inside.get(key, []), 50):>12.0f}{percentile(inside.get(key, []), 95):>12.0f}")
    lines += ["", f"targets: p95 < {TARGET_MS:.0f} ms each, 0 × 5xx, worker RSS < {TARGET_RSS_MB:.0f} MB"]
    for name, keys in TARGETS:
        values = [v for k in keys for v in stats.times.get(k, [])]
        errors = sum(stats.server_errors.get(k, 0) for k in keys)
        p95 = percentile(values, 95)
        verdict = "met" if values and p95 < TARGET_MS and not errors else "MISSED"
        lines.append(f"  {name:<16} p95 {p95:>8.0f} ms, {errors} × 5xx — {verdict}")
    peak = max(watch.peak.values(), default=0.0)
    lines.append("worker RSS MB (start → max → end): " + "; ".join(
        f"pid {pid} {watch.first[pid]:.0f} → {watch.peak[pid]:.0f} → {watch.last[pid]:.0f}" for pid in sorted(watch.first))
        + f" — {'met' if 0 < peak < TARGET_RSS_MB else 'MISSED'}")
    if stats.samples:
        lines += ["", "error samples:"] + [f"  {s}" for s in stats.samples]
    errors = error_lines(log)
    if errors:
        lines += ["", f"server log ({log}):"] + [f"  {e}" for e in errors]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--data", type=Path, help="the directory bench.generate wrote (config.toml inside)")
    parser.add_argument("--url", help="database URL (default: the one in DATA/config.toml)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--max-requests", type=int, default=50000)
    parser.add_argument("--approve-every", type=int, default=4, help="approve on the first and every n-th round after (default 4)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean pause in ms after each request (0: closed loop, every client always waiting)")
    parser.add_argument("--workers", type=int, help="override [web] workers")
    parser.add_argument("--threads", type=int, help="override [web] threads")
    parser.add_argument("--tag", help="results file bench/results/load-<backend>-<tag>.txt (e.g. 10k, before)")
    args = parser.parse_args(argv)
    args.data = (args.data or Path(f"/tmp/quorum-bench/{args.backend}-100000")).resolve()
    port = free_port()
    config = server_config(args.data, args.url, port, args.workers, args.threads)
    log = config.with_name("server.log")
    users = busiest(config, max(1, args.clients // 2))
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    server = start_server(config, port, log)
    watch = RssWatch(server.pid)
    try:
        watch.sample()
        watch.start()
        stats = Stats()
        elapsed = drive(port, [u for u, _n in users], args, stats, watch)
        watch.sample()
    finally:
        watch.stop.set()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    text = report(args, stats, elapsed, users, watch, log, config, load_before)
    print(text, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"load-{args.backend}-{args.tag}.txt" if args.tag else f"load-{args.backend}.txt"
    (RESULTS / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
