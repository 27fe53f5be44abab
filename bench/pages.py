"""Statements and CPU per page for a person with few and with many open tasks.

    python -m bench.pages [--backend sqlite|postgresql|both] [--tasks 5,200] [--repeat 15]

A fresh database per backend (SQLite in a temporary directory; PostgreSQL in a throw-away schema
of QUORUM_BENCH_PG_URL, default the test server) gets the demo 二连浩特 医共体; the 法律顾问 then
receives one 合法性审查 task per filed 三重一大 matter, filed through the services. For each task
count the bench requests, in process through Flask's test client, 我的待办 (HTML, with the
navigation counters), the API task list, the matter page and its API record, and the navigation
counters alone; it prints the statements (counted with a `before_cursor_execute` listener) and the
median CPU milliseconds of each, then writes the output to bench/results/pages-<backend>.txt.
"""

import argparse
import os
import platform
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, event, select, text

from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.database import Database, migrate
from quorum.db import Person
from quorum.db.session import make_engine, make_session_factory
from quorum.services import demo, inbox, matters
from quorum.services.env import Env
from quorum.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("QUORUM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)      # a Monday with no holiday nearby
PERSON = "zhouming"                                # 法律顾问: one 合法性审查 task per 三重一大 matter
FILER = "gaowenjing"                               # 党政办主任 files them
PASSWORD = "quorum-demo"


class Counter:
    """Counts the statements an engine runs while `counting` is on."""

    def __init__(self, engine) -> None:
        self.n, self.on = 0, False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        if self.on:
            self.n += 1

    def measure(self, fn: Callable[[], object]) -> tuple[int, float]:
        """Run fn once; return (statements, CPU milliseconds)."""
        self.n, self.on = 0, True
        start = time.process_time()
        try:
            fn()
        finally:
            self.on = False
        return self.n, (time.process_time() - start) * 1000


@contextmanager
def database(backend: str, prefix: str = "bench_pages") -> Iterator[Database]:
    """A fresh, migrated database on the backend, removed afterwards."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            engine = make_engine(f"sqlite:///{tmp}/quorum.sqlite3")
            migrate(engine)
            yield Database(engine, make_session_factory(engine))
            engine.dispose()
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        migrate(engine)
        yield Database(engine, make_session_factory(engine))
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def file_matters(sc: demo.Scenario, count: int, first: int) -> list[int]:
    """File `count` 三重一大 项目 matters; each opens a 合法性审查 task for the 法律顾问."""
    ids = []
    for n in range(first, first + count):
        fields = {"category": "project", "unit": "general_hospital", "budgeted": "true", "amount": "860000",
                  "staff_interest": "false", "summary": f"第{n}号建设项目的具体方案。"}
        ids.append(sc.do(FILER, matters.submit, "major_matter", f"关于第{n}号建设项目的议题", fields).id)
    return ids


def app_for(db: Database, env: Env, tmp: str):
    from webui import create_app
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": tmp})
    app = create_app(settings, database=db, now=env.now, test_config={"TESTING": True, "WTF_CSRF_ENABLED": False})
    app.extensions["quorum"].policies = env.policies
    return app


def signed_in(app):
    """A browser signed in through the form, and the API's bearer header."""
    web = app.test_client()
    assert web.post("/login", data={"username": PERSON, "password": PASSWORD}).status_code == 302
    token = app.test_client().post("/api/v1/token", json={"username": PERSON, "password": PASSWORD}).get_json()
    return web, {"Authorization": f"Bearer {token['token']}"}


def pages(app, db: Database, env: Env, matter_id: int) -> dict[str, Callable[[], object]]:
    web, bearer = signed_in(app)
    api = app.test_client()
    with db.sessions.begin() as s:
        person_id = s.execute(select(Person.id).where(Person.username == PERSON)).scalar_one()

    def get(client, path, **kw):
        def run():
            response = client.get(path, **kw)
            assert response.status_code == 200, (path, response.status_code)
        return run

    def nav():
        with db.sessions.begin() as s:
            inbox.counts(s, person_id, env.now)

    return {"我的待办 GET /tasks": get(web, "/tasks"),
            "API GET /api/v1/me/tasks": get(api, "/api/v1/me/tasks", headers=bearer),
            f"事项页 GET /matters/{matter_id}": get(web, f"/matters/{matter_id}"),
            f"API GET /api/v1/matters/{matter_id}": get(api, f"/api/v1/matters/{matter_id}", headers=bearer),
            "导航计数 inbox.counts": nav}


def run_backend(backend: str, sizes: list[int], repeat: int) -> list[str]:
    lines = []
    env = Env(policies.load(ROOT / "policies"), WorkCalendar(), NOW)
    with database(backend) as db, tempfile.TemporaryDirectory() as tmp:
        demo.ensure_community(db.sessions, env)
        sc = demo.Scenario(db.sessions, env)
        app = app_for(db, env, tmp)
        counter = Counter(db.engine)
        filed: list[int] = []
        for size in sizes:
            started = time.perf_counter()
            filed += file_matters(sc, size - len(filed), len(filed) + 1)
            lines.append(f"-- {PERSON} with {size} open tasks (filed through the services in "
                         f"{time.perf_counter() - started:.1f} s); the lists show one page: "
                         f"{min(size, inbox.PER_PAGE)} of {size}")
            for name, fn in pages(app, db, env, filed[0]).items():
                fn()                                           # warm: caches, templates, connections
                runs = [counter.measure(fn) for _ in range(repeat)]
                statements = {n for n, _ in runs}
                shown = "/".join(str(n) for n in sorted(statements))
                lines.append(f"{name:<36} statements {shown:>5}   CPU median {statistics.median(ms for _, ms in runs):7.1f} ms")
    return lines


def machine(backend: str) -> list[str]:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = [f"machine: {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}, "
           f"SQLite {sqlite3.sqlite_version}"]
    if backend == "postgresql":
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            out[0] += f", PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}"
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--tasks", default="5,200", help="open-task counts to measure, ascending (default 5,200)")
    parser.add_argument("--repeat", type=int, default=15, help="requests per page and size (default 15)")
    args = parser.parse_args(argv)
    sizes = sorted({int(n) for n in args.tasks.split(",")})
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        started = datetime.now(TZ).strftime("%Y-%m-%d %H:%M %Z")
        lines = [f"bench.pages on {backend}, {started}", *machine(backend),
                 *run_backend(backend, sizes, args.repeat)]
        output = "\n".join(lines) + "\n"
        print(output)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"pages-{backend}.txt").write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
