"""Filing as history grows: the 拆分规避 check must not read the unit's whole history on every submit.

    python -m bench.filing --backend sqlite|postgresql [--n 10000] [--repeat 3]

A fresh database (SQLite in a temporary directory; PostgreSQL in a throw-away schema of
QUORUM_BENCH_PG_URL, default the test server) gets the demo 二连浩特 医共体. The head of 东城社区卫生服务中心
then files --n expenditure requests through the services, one transaction each, 40 minutes apart
(so all of them stay inside the check's 12-month window), of 20,000 元 each, --repeat consecutive
ones to the same supplier for the same purpose: every request is checked against all of the unit's
earlier ones, and a supplier's third request crosses the 50,000 元 tier (a 拆分规避 flag on it and
the two before, as the rules require) — so the work a submit must do stays the same, and any growth
is the check reading history. Printed per block of --block submits (default 1,000): wall and CPU milliseconds per submit (median
and mean) and statements per submit — flat when the check costs the same whatever the history.
Writes the output to bench/results/filing-<backend>.txt.
"""

import argparse
import statistics
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bench.sweep import database, machine
from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.db import MatterFlag
from quorum.services import demo, matters
from quorum.services.env import Env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
START = datetime(2026, 1, 5, 9, 0, tzinfo=TZ)
FILER, UNIT = "sunhongmei", "dongcheng_chc"


def fields(n: int, repeat: int) -> dict[str, str]:
    v = n // repeat
    return {"unit": UNIT, "purpose": f"第{v}批耗材采购", "vendor": f"二连浩特市第{v}供应商", "amount": "20000",
            "summary": f"第{n}号采购申请，用于门诊日常耗材补充。"}


def run_backend(backend: str, n: int, repeat: int, block: int) -> list[str]:
    lines = [f"{n} expenditure submits by {FILER} ({UNIT}), 40 min apart from {START:%Y-%m-%d}, "
             f"20,000 元 each, {repeat} in a row to one supplier"]
    env = Env(policies.load(ROOT / "policies"), WorkCalendar(), START)
    with database(backend) as db:
        from bench.sweep import Recorder
        demo.ensure_community(db.sessions, env)
        sc = demo.Scenario(db.sessions, env)
        rec = Recorder(db.engine)
        walls, cpus, statements = [], [], []
        for i in range(n):
            sc.env = env.at(START + timedelta(minutes=40 * i))
            rec.n, rec.on = 0, True
            wall, cpu = time.perf_counter(), time.process_time()
            sc.do(FILER, matters.submit, "expenditure", f"东城社区中心第{i + 1}号采购申请", fields(i, repeat))
            walls.append((time.perf_counter() - wall) * 1000)
            cpus.append((time.process_time() - cpu) * 1000)
            rec.on = False
            statements.append(rec.n)
            if (i + 1) % block == 0 or i + 1 == n:
                start = i + 1 - (len(walls))
                lines.append(f"submits {start + 1:>6}–{i + 1:<6}  wall median {statistics.median(walls):6.1f} ms"
                             f" mean {statistics.mean(walls):6.1f}   CPU median {statistics.median(cpus):6.1f} ms"
                             f" mean {statistics.mean(cpus):6.1f}   statements/submit {statistics.mean(statements):5.1f}")
                print(lines[-1], flush=True)
                walls, cpus, statements = [], [], []
        with db.sessions() as s:
            flags = s.execute(select(func.count()).select_from(MatterFlag)).scalar()
        lines.append(f"拆分规避 flags raised: {flags}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.filing", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--n", type=int, default=10000, help="submits (default 10000)")
    parser.add_argument("--block", type=int, default=1000, help="submits per line of figures (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="consecutive requests to one supplier (default 3)")
    args = parser.parse_args(argv)
    started = datetime.now(TZ).strftime("%Y-%m-%d %H:%M %Z")
    lines = [f"bench.filing on {args.backend}, {started}", machine(args.backend),
             *run_backend(args.backend, args.n, args.repeat, args.block), "machine at the end: " + machine(args.backend)]
    output = "\n".join(lines) + "\n"
    print(output)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"filing-{args.backend}.txt").write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
