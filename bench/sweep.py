"""The reminder sweep with many open tasks and few due: its cost follows the due set, not the total.

    python -m bench.sweep --backend sqlite|postgresql [--open 10000,100000,1000000] [--due 100]

A fresh database (SQLite in a temporary directory; PostgreSQL in a throw-away schema of
QUORUM_BENCH_PG_URL, default the test server) gets the demo 二连浩特 医共体 and one 三重一大 matter
filed through the services: the template. Its row, its current step and an open task are then
cloned in bulk with SQLAlchemy Core (executemany in chunks) into matters of four open tasks each,
assigned round-robin over the demo's people, until there are --open open tasks (each size in turn,
adding to the last). About --due of them fall due today: a quarter each with a reminder two working
days ahead, on the day, one working day overdue and four overdue (escalated); every other deadline
lies weeks to a year ahead.

At each size one sweep runs as `quorum remind` does (timers, then deadlines, each in its own
transaction; no delivery) twice: the first sends the notices, the second finds nothing new. The
notices of the last size are cleared first, so every size sends the same set. Printed: wall and CPU
seconds (of this process: PostgreSQL's own CPU is not in it), statements, timers, notices, and the
plans (EXPLAIN QUERY PLAN / EXPLAIN) of the sweep's queries that select by due date. Writes the
output to bench/results/sweep-<backend>.txt.
"""

import argparse
import os
import platform
import random
import sqlite3
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, event, func, insert, select, text

from bench.pages import database
from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.database import Database
from quorum.db import Base, Matter, MatterStep, Notification, OutboxMessage, Person, Task
from quorum.services import demo, matters, sweeps
from quorum.services.env import Env
from quorum.services.outbox import Outlets

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_URL = os.environ.get("QUORUM_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)      # a Monday, 09:00: reminders go out, no holiday nearby
FILER = "gaowenjing"                               # 党政办主任 files the template
PER_MATTER = 4                                     # open tasks per matter (the four parallel 前置审查)
CHUNK = 20_000                                     # rows per executemany
BIG_TABLES = ("task", "matter", "matter_step", "notification", "audit_event", "outbox_message")
KEY_QUERIES = ("task.due_date <=", "supervision_item.due_date <=", "matter_step.due_date <=",
               "matter_step.due_provisional", "matter.workflow_key =")



class Recorder:
    """Counts statements and keeps the distinct ones that select by due date, for EXPLAIN."""

    def __init__(self, engine) -> None:
        self.n, self.on, self.kept, self.selects = 0, False, {}, {}
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not self.on:
            return
        self.n += 1
        if statement.lstrip().upper().startswith("SELECT"):
            self.selects.setdefault(statement, parameters)
            if any(k in statement for k in KEY_QUERIES):
                self.kept.setdefault(statement, parameters)


# ----------------------------------------------------------------------------------------------
# data


def template(db: Database, env: Env) -> dict[str, dict[str, Any]]:
    """The demo community and one 三重一大 matter filed through the services: rows to clone."""
    demo.ensure_community(db.sessions, env)
    fields = {"category": "project", "unit": "general_hospital", "budgeted": "true", "amount": "860000",
              "staff_interest": "false", "summary": "第1号建设项目的具体方案。"}
    matter_id = demo.Scenario(db.sessions, env).do(FILER, matters.submit, "major_matter", "关于第1号建设项目的议题",
                                                   fields).id
    tables = Base.metadata.tables
    with db.engine.connect() as conn:
        matter = dict(conn.execute(select(tables["matter"]).where(tables["matter"].c.id == matter_id)).mappings().one())
        step = dict(conn.execute(select(tables["matter_step"]).where(
            tables["matter_step"].c.matter_id == matter_id,
            tables["matter_step"].c.step_key == matter["current_step"])).mappings().one())
        task = dict(conn.execute(select(tables["task"]).where(tables["task"].c.step_id == step["id"])
                                 .order_by(tables["task"].c.id).limit(1)).mappings().one())
        people = list(conn.execute(select(Person.id).where(Person.active.is_(True)).order_by(Person.id)).scalars())
    return {"matter": matter, "step": step, "task": task, "people": people}


def due_dates(cal: WorkCalendar, today: date) -> list[date]:
    """The four deadlines of the due set: 2 working days ahead, today, 1 and 4 working days overdue."""
    return [cal.add_working_days(today, 2).due, today, cal.subtract_working_days(today, 1).due,
            cal.subtract_working_days(today, 4).due]


class Cloner:
    """Adds matters of PER_MATTER open tasks in bulk, the first `due_matters` of them falling due now."""

    def __init__(self, db: Database, rows: dict[str, Any], env: Env, due: int, spread_over: int, seed: int = 11) -> None:
        self.db, self.rows, self.env, self.made = db, rows, env, 0
        self.spread = max(1, spread_over // PER_MATTER // max(1, due // PER_MATTER))
        self.random = random.Random(seed)
        self.due_matters = max(1, due // PER_MATTER)
        self.due_dates = due_dates(env.calendar, NOW.date())
        with db.engine.connect() as conn:
            self.next = {name: conn.execute(select(func.max(t.id))).scalar() + 1
                         for name, t in (("matter", Matter), ("step", MatterStep), ("task", Task))}

    def grow_to(self, open_tasks: int) -> float:
        """Clone until there are `open_tasks` generated tasks; return seconds taken."""
        started = time.perf_counter()
        wanted = open_tasks // PER_MATTER
        tables = Base.metadata.tables
        while self.made < wanted:
            count = min(CHUNK // PER_MATTER, wanted - self.made)
            out: dict[str, list[dict[str, Any]]] = {"matter": [], "matter_step": [], "task": []}
            for _ in range(count):
                self._one(out)
            with self.db.engine.begin() as conn:
                for name in ("matter", "matter_step", "task"):
                    conn.execute(insert(tables[name]), out[name])
        return time.perf_counter() - started

    def _one(self, out: dict[str, list[dict[str, Any]]]) -> None:
        n, r = self.made, self.rows
        spread = self.spread
        if n % spread == 0 and n // spread < self.due_matters:
            due = self.due_dates[(n // spread) % len(self.due_dates)]
        else:
            due = NOW.date() + timedelta(days=self.random.randint(20, 400))
        mid, sid = self.next["matter"], self.next["step"]
        self.next["matter"] += 1
        self.next["step"] += 1
        out["matter"].append({**r["matter"], "id": mid, "title": f"关于第{mid}号建设项目的议题", "version": 1})
        out["matter_step"].append({**r["step"], "id": sid, "matter_id": mid, "due_date": due})
        for k in range(PER_MATTER):
            tid = self.next["task"]
            self.next["task"] += 1
            person = r["people"][(n * PER_MATTER + k) % len(r["people"])]
            out["task"].append({**r["task"], "id": tid, "matter_id": mid, "step_id": sid, "assignee_id": person,
                                "group_key": f"bench:{tid}", "due_date": due, "version": 1,
                                "created_at": NOW - timedelta(days=10)})
        self.made += 1


# ----------------------------------------------------------------------------------------------
# measuring


def sweep_once(db: Database, env: Env, outlets: Outlets, rules: sweeps.SweepRules, rec: Recorder) -> dict[str, Any]:
    rec.n, rec.on = 0, True
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        result = sweeps.run_sweep(db.sessions, env, outlets, rules, deliver=False)
    finally:
        rec.on = False
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "statements": rec.n,
            "timers": len(result["timers"]), "notices": len(result["notified"])}


def explain(db: Database, kept: dict[str, Any]) -> list[str]:
    lines = []
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as conn:
        for statement, parameters in kept.items():
            lines.append("   " + " ".join(statement.split()))
            plan = conn.exec_driver_sql(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
            for row in plan:
                lines.append("      " + (" | ".join(str(v) for v in row[-1:]) if sqlite else row[0]))
    return lines


def full_scans(db: Database, selects: dict[str, Any]) -> list[str]:
    """Every distinct SELECT of the sweep whose plan reads a whole big table (there should be none)."""
    sqlite = db.engine.dialect.name == "sqlite"
    marks = [f"SCAN {t}" if sqlite else f"Seq Scan on {t} " for t in BIG_TABLES]
    out = []
    with db.engine.connect() as conn:
        for statement, parameters in selects.items():
            plan = conn.exec_driver_sql(("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters)
            rows = [str(row[-1] if sqlite else row[0]) for row in plan]
            if any(any(row.strip().startswith(m) or f"{m}" in row for m in marks) for row in rows):
                out += ["   " + " ".join(statement.split())[:300], *("      " + r for r in rows)]
    return out or ["   none"]


def run_backend(backend: str, sizes: list[int], due: int) -> list[str]:
    env = Env(policies.load(ROOT / "policies"), WorkCalendar(), NOW)
    outlets = Outlets(ROOT / "templates")
    rules = sweeps.SweepRules.load(ROOT / "policies")
    lines = [f"due set: ~{due} open tasks ({', '.join(d.isoformat() for d in due_dates(env.calendar, NOW.date()))}), "
             f"{PER_MATTER} open tasks per matter, today {NOW:%Y-%m-%d %H:%M} (周一)"]
    with database(backend, prefix="bench_sweep") as db:
        rows = template(db, env)
        cloner = Cloner(db, rows, env, due, spread_over=sizes[0])     # the due set is spread over the first size
        rec = Recorder(db.engine)
        for size in sizes:
            seconds = cloner.grow_to(size)
            with db.engine.begin() as conn:
                open_total = conn.execute(select(func.count()).select_from(Task).where(Task.status == "open")).scalar()
                conn.execute(delete(OutboxMessage))
                conn.execute(delete(Notification))
                if backend == "postgresql":
                    conn.execute(text("ANALYZE task, matter, matter_step"))   # this schema's only (search_path)
            lines.append(f"-- {open_total:,} open tasks (generated in {seconds:.1f} s)")
            for label in ("first sweep ", "second sweep"):
                r = sweep_once(db, env, outlets, rules, rec)
                lines.append(f"   {label}: wall {r['wall']:6.3f} s   CPU {r['cpu']:6.3f} s   statements {r['statements']:5}"
                             f"   timers {r['timers']:3}   notices {r['notices']:4}")
            print("\n".join(lines[-3:]), flush=True)
        lines.append("-- plans of the queries that select by due date (at the largest size)")
        lines += explain(db, rec.kept)
        lines.append(f"-- statements of the sweep that read a whole table of {', '.join(BIG_TABLES)}")
        lines += full_scans(db, rec.selects)
    return lines


def machine(backend: str) -> str:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    out = (f"machine: {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}, "
           f"SQLite {sqlite3.sqlite_version}")
    if backend == "postgresql":
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            out += f", PostgreSQL {conn.execute(text('SHOW server_version')).scalar()}"
        engine.dispose()
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--open", default="10000,100000,1000000",
                        help="open-task counts, ascending, each added to the last (default 10000,100000,1000000)")
    parser.add_argument("--due", type=int, default=100, help="open tasks falling due now (default 100)")
    args = parser.parse_args(argv)
    sizes = sorted({int(n) for n in args.open.split(",")})
    started = datetime.now(TZ).strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"bench.sweep on {args.backend}, {started}", machine(args.backend),
             *run_backend(args.backend, sizes, args.due), "machine at the end: " + machine(args.backend)]
    output = "\n".join(lines) + "\n"
    print(output)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"sweep-{args.backend}.txt").write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
