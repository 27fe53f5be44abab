"""Engine throughput against SpiffWorkflow on the same flow, in the same run.

    python -m bench.engine [--backend sqlite|postgresql] [--n 200 2000] [--synchronous normal|full]

The flow (bench/policies/workflows/bench_approval.toml for Quorum, bench/approval.bpmn for
SpiffWorkflow 3.2): 申报 → amount ≥ 10000: 财务 review → countersign of three; else one director
review. Half of the N matters are large (5 actions: submit, review, 3 countersign), half small
(2 actions). All N are filed first, then served round-robin — each pass acts once on every matter
still in flight — one transaction per action.

Quorum runs through the services (the real engine: routing, tasks, opinions, audit chain) on a
fresh database with the demo 二连浩特 医共体 (SQLite in a temporary directory, or a throw-away
schema of QUORUM_BENCH_PG_URL). SpiffWorkflow keeps each workflow serialised as JSON in a SQLite
table (same journal mode and synchronous setting): per task it reads the row, deserialises,
completes the ready task, runs the engine steps, serialises and writes the row, in one transaction.

Printed for each engine and N: actions, tasks/s (wall), CPU ms per action, p50/p99 ms per action,
statements per action (Quorum), and the ratio Quorum / Spiff. The output is also written to
bench/results/engine-<backend>.txt.
"""

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, event, select, text

from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.core.states import TaskStatus
from quorum.database import migrate
from quorum.db import Matter, Person, Task
from quorum.db.session import make_engine, make_session_factory
from quorum.services import demo, matters, org
from quorum.services.env import Env

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PG_URL = os.environ.get("QUORUM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)      # a Monday with no holiday nearby
FILER = "gaowenjing"                               # 党政办主任 files every matter
WORKFLOW = "bench_approval"
LARGE, SMALL = 12000, 8000


@dataclass
class Run:
    """Timings of one engine over one N."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    per_action: list[float] = field(default_factory=list)
    statements: int = 0

    def timed(self, fn: Callable[[], None]) -> None:
        w, c = time.perf_counter(), time.process_time()
        fn()
        dw, dc = time.perf_counter() - w, time.process_time() - c
        self.wall += dw
        self.cpu += dc
        self.per_action.append(dw * 1000)

    @property
    def actions(self) -> int:
        return len(self.per_action)

    def rate(self) -> float:
        return self.actions / self.wall if self.wall else 0.0

    def line(self) -> str:
        q = statistics.quantiles(self.per_action, n=100, method="inclusive")
        stmts = f"{self.statements / self.actions:6.1f}" if self.statements else "     –"
        return (f"{self.name:<22}{self.actions:>8}{self.rate():>10.1f}{self.cpu * 1000 / self.actions:>10.2f}"
                f"{statistics.median(self.per_action):>9.2f}{q[98]:>9.2f}{stmts:>9}")


HEADER = f"{'engine':<22}{'actions':>8}{'tasks/s':>10}{'cpu ms':>10}{'p50 ms':>9}{'p99 ms':>9}{'stmts':>9}"


# --------------------------------------------------------------------------------------------
# Quorum


def bench_policies(tmp: Path) -> policies.LoadedPolicies:
    """The county's policies/ plus the benchmark's workflow, in a temporary copy."""
    target = tmp / "policies"
    shutil.copytree(ROOT / "policies", target)
    shutil.copy(BENCH / "policies" / "workflows" / f"{WORKFLOW}.toml", target / "workflows")
    return policies.load(target)


def quorum_engine(backend: str, tmp: Path, synchronous: str):
    if backend == "sqlite":
        return make_engine(f"sqlite:///{tmp / 'quorum.sqlite3'}", **_sync_kw(synchronous)), None
    schema = f"bench_engine_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_engine(PG_URL, pool_pre_ping=True, connect_args={"options": f"-csearch_path={schema}"})
    return engine, (admin, schema)


def _sync_kw(synchronous: str) -> dict:
    """make_engine takes `synchronous` once the [database] setting exists; older code ignores it."""
    import inspect
    return {"synchronous": synchronous} if "synchronous" in inspect.signature(make_engine).parameters else {}


class Quorum:
    def __init__(self, backend: str, tmp: Path, synchronous: str) -> None:
        self.engine, self.pg = quorum_engine(backend, tmp, synchronous)
        migrate(self.engine)
        self.sessions = make_session_factory(self.engine)
        self.env = Env(bench_policies(tmp), WorkCalendar(), NOW)
        demo.ensure_community(self.sessions, self.env)
        self.statements, self.counting = 0, False
        event.listen(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        if self.counting:
            self.statements += 1

    def run(self, n: int) -> Run:
        result = Run(f"Quorum (N={n})")
        ids: list[int] = []
        self.statements, self.counting = 0, True

        def file(i: int) -> Callable[[], None]:
            def one() -> None:
                with self.sessions.begin() as s:
                    actor = org.person(s, FILER)          # as the web loads the signed-in person
                    amount = LARGE if i % 2 == 0 else SMALL
                    ids.append(matters.submit(s, self.env, actor, WORKFLOW, f"基准事项 {i}",
                                              {"amount": str(amount)}).id)
            return one

        for i in range(n):
            result.timed(file(i))
        active = list(ids)
        while active:
            still = []
            for matter_id in active:
                self.counting = False
                task = self._next_task(matter_id)
                self.counting = True
                if task is None:
                    continue
                result.timed(self._approve(*task))
                still.append(matter_id)
            active = still
        self.counting = False
        result.statements = self.statements
        self._check(ids)
        return result

    def _next_task(self, matter_id: int) -> tuple[int, str] | None:
        """What the assignee's inbox shows: one open task of the matter and who holds it (not timed)."""
        with self.sessions.begin() as s:
            row = s.execute(select(Task.id, Person.username).join(Person, Person.id == Task.assignee_id)
                            .where(Task.matter_id == matter_id, Task.status == TaskStatus.OPEN)
                            .order_by(Task.id).limit(1)).first()
        return tuple(row) if row else None

    def _approve(self, task_id: int, username: str) -> Callable[[], None]:
        def one() -> None:
            with self.sessions.begin() as s:
                matters.act(s, self.env, org.person(s, username), task_id, "approve")
        return one

    def _check(self, ids: list[int]) -> None:
        with self.sessions.begin() as s:
            statuses = set(s.execute(select(Matter.status).where(Matter.id.in_(ids))).scalars())
        assert statuses == {"closed"}, statuses

    def close(self) -> None:
        self.engine.dispose()
        if self.pg:
            admin, schema = self.pg
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


# --------------------------------------------------------------------------------------------
# SpiffWorkflow


class Spiff:
    """SpiffWorkflow 3.2 on bench/approval.bpmn, each instance kept as JSON in a SQLite row."""

    def __init__(self, tmp: Path, synchronous: str) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        parser = BpmnParser()
        parser.add_bpmn_file(str(BENCH / "approval.bpmn"))
        self.spec = parser.get_spec("bench_approval")
        self.serializer = BpmnWorkflowSerializer()
        self.db = sqlite3.connect(tmp / "spiff.sqlite3", isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute(f"PRAGMA synchronous={synchronous.upper()}")
        self.db.execute("CREATE TABLE IF NOT EXISTS workflow (id INTEGER PRIMARY KEY, state TEXT NOT NULL)")

    def run(self, n: int) -> Run:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        result = Run(f"SpiffWorkflow (N={n})")
        ids: list[int] = []

        def file(i: int) -> Callable[[], None]:
            def one() -> None:
                wf = BpmnWorkflow(self.spec)
                wf.do_engine_steps()
                self._complete(wf, {"amount": LARGE if i % 2 == 0 else SMALL})
                self.db.execute("BEGIN IMMEDIATE")
                ids.append(self.db.execute("INSERT INTO workflow (state) VALUES (?)",
                                           (self.serializer.serialize_json(wf),)).lastrowid)
                self.db.execute("COMMIT")
            return one

        for i in range(n):
            result.timed(file(i))
        active = list(ids)
        while active:
            still = []
            for wf_id in active:
                done: list[bool] = []
                result.timed(self._act(wf_id, done))
                if not done[0]:
                    still.append(wf_id)
            active = still
        return result

    def _act(self, wf_id: int, done: list[bool]) -> Callable[[], None]:
        def one() -> None:
            self.db.execute("BEGIN IMMEDIATE")
            (state,) = self.db.execute("SELECT state FROM workflow WHERE id = ?", (wf_id,)).fetchone()
            wf = self.serializer.deserialize_json(state)
            self._complete(wf, {"approved": True})
            self.db.execute("UPDATE workflow SET state = ? WHERE id = ?", (self.serializer.serialize_json(wf), wf_id))
            self.db.execute("COMMIT")
            done.append(wf.is_completed())
        return one

    @staticmethod
    def _complete(wf, data: dict) -> None:
        from SpiffWorkflow.util.task import TaskState
        task = wf.get_next_task(state=TaskState.READY, manual=True)
        task.data.update(data)
        task.run()
        wf.do_engine_steps()

    def close(self) -> None:
        self.db.close()


# --------------------------------------------------------------------------------------------


def machine(backend: str, engine) -> str:
    pg = ""
    if backend == "postgresql":
        with engine.connect() as conn:
            pg = " PostgreSQL " + conn.execute(text("SHOW server_version")).scalar_one()
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"machine: {os.cpu_count()} cores, load average {load}; Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}{pg}")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.engine", description=__doc__.splitlines()[0])
    p.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--n", type=int, nargs="+", default=[200, 2000])
    p.add_argument("--synchronous", choices=("normal", "full"), default="normal",
                   help="SQLite synchronous setting for both engines (Quorum's [database] synchronous)")
    args = p.parse_args(argv)
    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    started = datetime.now().astimezone().isoformat(timespec="seconds")
    say(f"bench.engine — {started} — Quorum on {args.backend}, SpiffWorkflow 3.2 on SQLite; "
        f"SQLite journal WAL, synchronous {args.synchronous.upper()}")
    for n in args.n:
        with tempfile.TemporaryDirectory(prefix="quorum-bench-") as tmp:
            quorum = Quorum(args.backend, Path(tmp), args.synchronous)
            spiff = Spiff(Path(tmp), args.synchronous)
            try:
                say(machine(args.backend, quorum.engine))
                q = quorum.run(n)
                sp = spiff.run(n)
                say(HEADER)
                say(q.line())
                say(sp.line())
                say(f"ratio Quorum/Spiff (tasks/s): {q.rate() / sp.rate():.2f}   "
                    f"CPU per action: Quorum {q.cpu * 1000 / q.actions:.2f} ms, Spiff {sp.cpu * 1000 / sp.actions:.2f} ms")
                say()
            finally:
                quorum.close()
                spiff.close()
    say(machine(args.backend, None) if args.backend == "sqlite" else "")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"engine-{args.backend}.txt").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(json.dumps({"written": str(RESULTS / f"engine-{args.backend}.txt")}, ensure_ascii=False))


if __name__ == "__main__":
    main()
