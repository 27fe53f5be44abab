"""A database at a county's scale: the demo 医共体 and N matters with two years of history.

    python -m bench.generate --backend sqlite --matters 10000 [--out DIR]
    python -m bench.generate --backend postgresql --matters 100000 [--url URL] [--out DIR]

Filing 100k matters through the services would take hours (~25 ms per action), so the history is
made in two passes:

1. through the REAL services (quorum.services.demo.run and a few more matters walked the same way):
   the demo community, one matter of every chain in its state (三重一大 through two meetings with
   votes, a recusal and a written opinion to 督办; an expenditure being paid; an appointment in its
   试用期; a filed 委派; a ratified 临机处置; a 绩效方案 waiting for a bureau; a 拆分规避 flag), plus
   open ones (a 三重一大 matter at its 前置程序 with four parallel reviews, one at the 分管副院长, an
   expenditure at the member unit head) and a rejected expenditure. These are the templates.
2. in bulk with SQLAlchemy Core (executemany in chunks): each template matter is cloned with all its
   rows — steps, tasks, opinions, flags, 督办 items and reports, the meetings it was decided in with
   their members, attendance, recusals, ballots and written opinions, and its audit events — under new
   ids, a new title, the demo's people permuted (so work is spread over them; open tasks lean on ten
   busy members, who end up with ~100–200 open tasks each) and dates moved back by up to two years.
   The audit events are appended to the chain exactly as quorum.services.audit does (seq, prev_hash,
   hash of the canonical body), so `quorum audit verify` passes on the generated data.

SQLite goes to DIR/quorum.sqlite3; PostgreSQL to a database (re)created at URL (default
postgresql://postgres@127.0.0.1:5432/quorum_bench_<N>). DIR/config.toml points at it, for the CLI
(`quorum --config DIR/config.toml audit verify`) and for bench.load. Prints the time taken and the
row counts, and writes them to bench/results/generate-<backend>.txt.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Date, Table, create_engine, func, insert, select, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/quorum_bench_{n}"
CHUNK = 1000                     # matters cloned per batch of executemany
BUSY = 10                        # members who carry most open tasks
OPEN_SHARE, OPEN_CAP = 0.3, 3000  # open matters: 30 % of N, at most 3,000 (≈ 4,500 open tasks)
SKIP = {"document", "notification", "outbox_message", "audit_event", "attachment",
        "matter_search", "document_search"}    # search text: written by the database's triggers (migration 0016)
AUDIT_SUBJECTS = {"matter": "matter", "task": "task", "step": "matter_step", "meeting": "meeting",
                  "supervision": "supervision_item", "objection": "publicity_objection"}


def machine() -> str:
    """Cores, load average and versions: every benchmark prints where its figures come from."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    pg = ""
    try:
        import subprocess
        pg = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", "show server_version"],
                            capture_output=True, text=True, timeout=5).stdout.strip()
    except Exception:          # no psql on this machine: the version is simply not shown
        pg = "?"
    return (f"machine: {os.cpu_count()} cores, load average {load}, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, PostgreSQL {pg or '?'}")


def write_config(out: Path, url: str) -> Path:
    """DIR/config.toml: the data directory, the repository's policies and templates, the database."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / "config.toml"
    path.write_text(
        f'[paths]\ndata_dir = "{out}"\npolicies = "{ROOT / "policies"}"\ntemplates = "{ROOT / "templates"}"\n'
        f'[database]\nurl = "{url}"\n', encoding="utf-8")
    return path


def fresh_postgres(url: str) -> None:
    """Drop and create the benchmark database (never the server's own databases)."""
    parsed = make_url(url)
    name = parsed.database
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to recreate database {name!r}")
    admin = create_engine(parsed.set(drivername="postgresql+psycopg", database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


# ----------------------------------------------------------------------------------------------
# pass 1: templates through the services


def templates(sessions, env) -> None:
    """The demo, then open and rejected matters walked through the same services."""
    from quorum.services import demo, demo_chains, matters
    demo.run(sessions, env)
    sc = demo.Scenario(sessions, env)
    walk = demo_chains.Walk(sc)
    secretary = sc.holder("secretariat", 0)
    fields = {"category": "project", "unit": "general_hospital", "amount": "520000", "budgeted": "true",
              "staff_interest": "false", "summary": "拟为总医院及成员单位更新一批急救设备，资金来源为年度设备购置预算。",
              "options_compared": "方案一：一次性集中采购；方案二：分两年采购。经比较推荐方案一。"}
    sc.do(secretary, matters.submit, "major_matter", "关于购置医共体急救设备的议题", fields)
    second = sc.do(secretary, matters.submit, "major_matter", "关于改造总医院门诊楼的议题",
                   {**fields, "amount": "1200000", "summary": "门诊楼建成二十年，拟进行消防及无障碍改造。"}).id
    for requirement in ("legality", "risk", "consultation", "finance"):
        walk.answer(second, "approve", "同意。", requirement=requirement)
    rejected = sc.do("sunhongmei", matters.submit, "expenditure", "东城社区中心购置办公家具的申请", {
        "unit": "dongcheng_chc", "purpose": "办公家具购置", "vendor": "二连浩特市家具城", "amount": "20000",
        "summary": "更换门诊候诊椅及办公桌椅。"}).id
    walk.answer(rejected, "reject", "预算未列支，暂不同意。")


# ----------------------------------------------------------------------------------------------
# pass 2: clone in bulk


class Snapshot:
    """Every row of every template matter, read once through the model tables (types applied)."""

    def __init__(self, conn, tables: dict[str, Table]) -> None:
        self.tables = tables
        self.rows: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        matters = [dict(r._mapping) for r in conn.execute(select(tables["matter"]).order_by(tables["matter"].c.id))]
        self.matters = {m["id"]: m for m in matters}
        open_count = dict(conn.execute(select(tables["task"].c.matter_id, func.count())
                                       .where(tables["task"].c.status == "open")
                                       .group_by(tables["task"].c.matter_id)).all())
        self.open = [m for m in self.matters if open_count.get(m)]
        self.history = [m for m in self.matters if not open_count.get(m)]
        self._collect(conn)

    def _by(self, conn, name: str, column: str, values) -> list[dict[str, Any]]:
        table = self.tables[name]
        return [dict(r._mapping) for r in conn.execute(select(table).where(table.c[column].in_(list(values))))]

    def _collect(self, conn) -> None:
        ids = list(self.matters)
        for m in self.matters.values():
            self.rows[m["id"]]["matter"].append(m)
        for name, table in self.tables.items():
            if name in SKIP or name == "matter" or "matter_id" not in table.c:
                continue
            for row in self._by(conn, name, "matter_id", ids):
                self.rows[row["matter_id"]][name].append(row)
        for mid, rows in self.rows.items():
            meetings = {i["meeting_id"] for i in rows["agenda_item"]}
            items = [i["id"] for i in rows["agenda_item"]]
            rows["meeting"] = self._by(conn, "meeting", "id", meetings)
            for name in ("meeting_member", "attendance"):
                rows[name] = self._by(conn, name, "meeting_id", meetings)
            for name in ("recusal", "ballot", "ballot_receipt", "secret_tally", "written_opinion"):
                rows[name] = self._by(conn, name, "item_id", items)
            rows["progress_report"] = self._by(conn, "progress_report", "item_id",
                                               [i["id"] for i in rows["supervision_item"]])
            audit = self.tables["audit_event"]
            rows["audit_event"] = [dict(r._mapping) for r in conn.execute(
                select(audit).where(audit.c.matter_id == mid).order_by(audit.c.seq))]


class Cloner:
    """Turn template rows into new rows: new ids, remapped references, permuted people, shifted dates."""

    def __init__(self, conn, tables: dict[str, Table], snapshot: Snapshot, rng: random.Random) -> None:
        self.tables, self.snap, self.rng = tables, snapshot, rng
        self.next_id = {name: (conn.execute(select(func.max(t.c.id))).scalar() or 0) + 1
                        for name, t in tables.items() if "id" in t.c}
        people = conn.execute(select(tables["person"].c.id, tables["person"].c.name, tables["person"].c.active)
                              .order_by(tables["person"].c.id)).all()
        self.people = [p.id for p in people if p.active]
        self.names = {p.id: p.name for p in people}
        self.busy = self.rng.sample(self.people, BUSY)
        self.refs = {name: {c.name: next(iter(c.foreign_keys)).column.table.name
                            for c in t.c if c.foreign_keys and c.name != "id"} for name, t in tables.items()}
        self.shifted = {name: [c.name for c in t.c if isinstance(c.type, Date) or c.type.__class__.__name__ ==
                               "LocalDateTime"] for name, t in tables.items()}

    def permutation(self, force: tuple[int, int] | None) -> dict[int, int]:
        shuffled = self.people[:]
        self.rng.shuffle(shuffled)
        mapping = dict(zip(self.people, shuffled, strict=True))
        if force and force[0] in mapping:
            old, target = force
            holder = next(k for k, v in mapping.items() if v == target)
            mapping[holder], mapping[old] = mapping[old], target
        return mapping

    def clone(self, template: int, number: int, is_open: bool, out: dict[str, list[dict[str, Any]]],
              audit_out: list[dict[str, Any]]) -> None:
        rows = self.snap.rows[template]
        force = None
        if is_open:
            first = next(t for t in rows["task"] if t["status"] == "open")
            weights = [4 if p in self.busy else 1 for p in self.people]
            force = (first["assignee_id"], self.rng.choices(self.people, weights)[0])
        people = self.permutation(force)
        delta = timedelta(days=-self.rng.uniform(0, 20) if is_open else -self.rng.uniform(0, 730))
        ids: dict[str, dict[int, int]] = defaultdict(dict)
        for name in self.tables:
            for row in rows.get(name, ()):
                if "id" in row:
                    ids[name][row["id"]] = self.next_id[name]
                    self.next_id[name] += 1
        title = f"{self.snap.matters[template]['title']}（{number}）"
        for name, table_rows in rows.items():
            if name == "audit_event":
                continue
            for row in table_rows:
                out[name].append(self._row(name, row, ids, people, delta, title))
        for event in rows["audit_event"]:
            new = dict(event)
            new.pop("id")
            new["matter_id"] = ids["matter"][event["matter_id"]]
            new["actor_id"] = people.get(event["actor_id"], event["actor_id"])
            target = AUDIT_SUBJECTS.get(event["subject"])
            if target and event["subject_id"] in ids[target]:
                new["subject_id"] = ids[target][event["subject_id"]]
            new["at"] = (event["at"] + delta).replace(microsecond=0)
            audit_out.append(new)

    def _row(self, name, row, ids, people, delta, title) -> dict[str, Any]:
        new = dict(row)
        if "id" in new:
            new["id"] = ids[name][row["id"]]
        for column, target in self.refs[name].items():
            value = row[column]
            if value is None:
                continue
            if target == "person":
                new[column] = people.get(value, value)
            elif value in ids.get(target, {}):
                new[column] = ids[target][value]
        for column in self.shifted[name]:
            if new[column] is not None:
                new[column] = new[column] + delta if isinstance(new[column], datetime | date) else new[column]
        if name == "matter":
            new["title"] = title
        elif name == "agenda_item":
            new["title"] = title
        elif name == "meeting_member":
            new["name"] = self.names[new["person_id"]]
        elif name == "task" and new["group_key"]:
            step, _, rest = new["group_key"].partition(":")
            if step.isdigit() and int(step) in ids["matter_step"]:
                new["group_key"] = f"{ids['matter_step'][int(step)]}:{rest}"
        return new


def chain(conn, tables: dict[str, Table], events: list[dict[str, Any]]) -> None:
    """Append events to the audit chain exactly as quorum.services.audit.append would, then move the head."""
    from quorum.core import audit as core
    head = conn.execute(select(tables["audit_head"]).where(tables["audit_head"].c.id == 1)).one()
    seq, prev = head.seq, head.hash
    for e in events:
        seq += 1
        body = {"seq": seq, "at": e["at"].isoformat(), "actor_id": e["actor_id"], "kind": e["kind"],
                "subject": e["subject"], "subject_id": e["subject_id"], "matter_id": e["matter_id"],
                "payload": e["payload"]}
        e["seq"], e["prev_hash"] = seq, prev
        prev = e["hash"] = core.chain_hash(prev, body)
    for start in range(0, len(events), 5000):
        insert_rows(conn, tables["audit_event"], events[start:start + 5000])
    conn.execute(update(tables["audit_head"]).where(tables["audit_head"].c.id == 1).values(seq=seq, hash=prev))


def bulk(conn, tables: dict[str, Table], out: dict[str, list[dict[str, Any]]], order: list[str]) -> None:
    """Insert table by table, parents first: COPY on PostgreSQL, executemany on SQLite."""
    for name in order:
        rows = out.get(name)
        if rows:
            insert_rows(conn, tables[name], rows)


def insert_rows(conn, table: Table, rows: list[dict[str, Any]]) -> None:
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    columns = [c.name for c in table.c if c.name in rows[0]]
    cursor = conn.connection.dbapi_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([_copy_value(row.get(c)) for c in columns])
    cursor.close()


def _copy_value(value: Any) -> Any:
    """What the model types would bind: naive UTC instants, JSON text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def clone_all(engine, n: int, seed: int) -> dict[str, float]:
    from quorum.db import Base
    tables = dict(Base.metadata.tables)
    order = [t.name for t in Base.metadata.sorted_tables]
    rng = random.Random(seed)
    with engine.connect() as conn:
        snap = Snapshot(conn, tables)
        cloner = Cloner(conn, tables, snap, rng)
    have = len(snap.matters)
    todo = max(0, n - have)
    opens = min(int(n * OPEN_SHARE), OPEN_CAP) - len(snap.open)
    plan = [True] * max(0, min(opens, todo)) + [False] * max(0, todo - max(0, opens))
    rng.shuffle(plan)
    weights = [3 if snap.matters[m]["workflow_key"] in ("major_matter", "expenditure") else 1 for m in snap.history]
    cpu = {"hash": 0.0}
    for start in range(0, len(plan), CHUNK):
        out: dict[str, list[dict[str, Any]]] = defaultdict(list)
        events: list[dict[str, Any]] = []
        for offset, is_open in enumerate(plan[start:start + CHUNK]):
            template = rng.choice(snap.open) if is_open else rng.choices(snap.history, weights)[0]
            cloner.clone(template, have + start + offset + 1, is_open, out, events)
        with engine.begin() as conn:
            bulk(conn, tables, out, order)
            t0 = time.process_time()
            chain(conn, tables, events)
            cpu["hash"] += time.process_time() - t0
        print(f"  {min(start + CHUNK, len(plan)):>7} / {len(plan)} matters cloned", file=sys.stderr, flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for name, t in tables.items():
                if "id" in t.c and t.c.id.autoincrement is not False and t.c.id.primary_key:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    return cpu


def counts(engine) -> dict[str, int]:
    from quorum.db import Base
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar()
                for t in Base.metadata.sorted_tables}


def busiest(engine, limit: int = 12) -> list[tuple[str, int]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT p.username, count(*) FROM task t JOIN person p ON p.id = t.assignee_id "
            "WHERE t.status = 'open' GROUP BY p.username ORDER BY count(*) DESC, p.username LIMIT :n"), {"n": limit})]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--matters", type=int, default=10000)
    parser.add_argument("--out", type=Path, help="data directory (config.toml, files; the SQLite database)")
    parser.add_argument("--url", help="PostgreSQL URL of the database to (re)create")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--tag", help="results file bench/results/generate-<backend>-<tag>.txt")
    args = parser.parse_args(argv)
    out = (args.out or Path(f"/tmp/quorum-bench/{args.backend}-{args.matters}")).resolve()
    if args.backend == "sqlite":
        db_file = out / "quorum.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        url = ""
    else:
        url = args.url or PG_DEFAULT.format(n=args.matters)
        fresh_postgres(url)
    config = write_config(out, url)

    from quorum import calendar, policies
    from quorum.database import open_database
    from quorum.services.calendar_years import current_calendar
    from quorum.services.env import Env
    from quorum.settings import load_settings

    started = time.perf_counter()
    settings = load_settings(config)
    db = open_database(settings, upgrade=True)
    env = Env(policies.load(settings.policies_dir), current_calendar(db.engine, settings), calendar.now(),
              files_dir=settings.data_dir / "files", templates_dir=settings.templates_dir)
    templates(db.sessions, env)
    through_services = time.perf_counter() - started
    t0, c0 = time.perf_counter(), time.process_time()
    cpu = clone_all(db.engine, args.matters, args.seed)
    cloned, cloned_cpu = time.perf_counter() - t0, time.process_time() - c0
    rows = counts(db.engine)
    busy = busiest(db.engine)
    db.engine.dispose()

    lines = [
        f"bench.generate — {args.backend}, {args.matters} matters ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
        machine(),
        f"database: {settings.database_url}",
        f"config:   {config}",
        f"templates through the services: {through_services:.1f} s",
        f"bulk clone: {cloned:.1f} s wall, {cloned_cpu:.1f} s CPU (audit chain hashing {cpu['hash']:.1f} s CPU)",
        f"total: {time.perf_counter() - started:.1f} s",
        "rows: " + ", ".join(f"{k} {v}" for k, v in rows.items() if v),
        f"open tasks: {rows_where(settings.database_url, 'open')}",
        "busiest members (open tasks): " + ", ".join(f"{u} {c}" for u, c in busy),
    ]
    report = "\n".join(lines) + "\n"
    print(report, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"generate-{args.backend}-{args.tag}.txt" if args.tag else f"generate-{args.backend}.txt"
    (RESULTS / name).write_text(report, encoding="utf-8")


def rows_where(database_url: str, status: str) -> int:
    from quorum.db.session import make_engine
    engine = make_engine(database_url)
    with engine.connect() as conn:
        value = conn.execute(text("SELECT count(*) FROM task WHERE status = :s"), {"s": status}).scalar()
    engine.dispose()
    return value


if __name__ == "__main__":
    main()
