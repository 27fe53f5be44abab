"""CPU and statements per 纪要 of a 10-item meeting, rendered N times as 签发 renders it.

    python -m bench.documents [--backend sqlite|postgresql|both] [--n 1000] [--items 10]

A fresh database per backend (as bench.pages makes them) gets the demo 二连浩特 医共体; the 党政办
files `--items` 三重一大 matters through the services, takes them through 前置程序 and 审核, and
holds one 院长办公会 on all of them (one member on leave with a 书面意见, one recusal, one dissent
per item), whose closing drafts the 纪要. The bench then renders that 纪要 N times, each in its own
read-only transaction, exactly as 签发 does (record → wording → Page → .docx bytes), and prints the
median / p95 CPU milliseconds and the statements per document and the CPU total for N; the output
goes to bench/results/documents-<backend>.txt.
"""

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from bench.pages import NOW, Counter, database, machine
from quorum import policies
from quorum.calendar import TZ, WorkCalendar
from quorum.db import Document, Person, Task
from quorum.services import demo, documents, matters, meetings
from quorum.services.env import Env

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SECRETARY = "gaowenjing"


def file_matter(sc: demo.Scenario, n: int) -> int:
    """A 三重一大 项目 matter taken through 前置程序 and 审核 to the 院长办公会 step."""
    fields = {"category": "project", "unit": "general_hospital", "budgeted": "true", "amount": str(300000 + n * 1000),
              "staff_interest": "false", "summary": f"第{n}号建设项目的具体方案，资金来源为预算内专项资金。"}
    mid = sc.do(SECRETARY, matters.submit, "major_matter", f"关于第{n}号建设项目的议题", fields).id
    for _ in range(10):
        with sc.sessions.begin() as s:
            m = matters.get(s, mid)
            if next(st for st in m.steps if st.step_key == m.current_step).kind == "meeting":
                return mid
            rows = s.execute(select(Task.id, Task.group_key, Person.username).join(Person, Person.id == Task.assignee_id)
                             .where(Task.matter_id == mid, Task.status == "open").order_by(Task.id)).all()
        done: set[str | None] = set()
        for task_id, group, username in rows:
            if group is not None and group in done:
                continue
            done.add(group)
            sc.do(username, matters.act, task_id, "approve", "同意。")
    raise AssertionError(f"matter {mid} did not reach a meeting step")


def minutes_of_meeting(sc: demo.Scenario, items: int) -> int:
    """Hold a 院长办公会 on `items` matters; return the id of the 纪要 its closing drafted."""
    ids = [file_matter(sc, n) for n in range(1, items + 1)]
    day = sc.env.calendar.add_working_days(sc.env.now.date(), 3).due
    office = sc.do(SECRETARY, meetings.schedule, "president_office", "",
                   datetime.combine(day, datetime.min.time().replace(hour=9), tzinfo=TZ), "总医院行政楼三楼会议室", ids)
    sc.at(day, 9)
    with sc.sessions.begin() as s:
        roster = meetings.get(s, office.id)
        seated = {m.person_id for m in roster.members}
        names = {p.id: p.username for p in s.execute(select(Person)).scalars()}
    seated_users = [names[pid] for pid in sorted(seated) if names[pid] != names[roster.chair_id]]
    absent, recused, dissenter = seated_users[0], seated_users[1], seated_users[2]
    demo._hold(sc, SECRETARY, office.id, recusals={recused: "其近亲属在拟参与投标的供应商任职，依规回避"},
               absent={absent: ("外出学习请假", "同意，建议分期实施。")},
               dissent={dissenter: "建议先做可行性论证，下次会议再议。"})
    with sc.sessions.begin() as s:
        return s.execute(select(Document.id).where(Document.meeting_id == office.id,
                                                   Document.kind == "minutes")).scalar_one()


def render_once(db, env: Env, doc_id: int) -> int:
    with db.sessions.begin() as s:
        return len(documents.render_file(s, env, documents.get(s, doc_id), number="第1期", day=env.now.date(),
                                         signer="")[1])


def run_backend(backend: str, n: int, items: int) -> list[str]:
    env = Env(policies.load(ROOT / "policies"), WorkCalendar(), NOW)
    lines = []
    with database(backend) as db, tempfile.TemporaryDirectory() as tmp:
        env = Env(env.policies, env.calendar, NOW, files_dir=Path(tmp) / "files", templates_dir=ROOT / "templates")
        demo.ensure_community(db.sessions, env)
        sc = demo.Scenario(db.sessions, env)
        started = time.perf_counter()
        doc_id = minutes_of_meeting(sc, items)
        lines.append(f"-- a {items}-item 纪要 (built through the services in {time.perf_counter() - started:.1f} s), "
                     f"rendered {n} times")
        counter = Counter(db.engine)
        size = render_once(db, sc.env, doc_id)                          # warm: caches, templates, connections
        runs = [counter.measure(lambda: render_once(db, sc.env, doc_id)) for _ in range(n)]
        cpu = sorted(ms for _, ms in runs)
        shown = "/".join(str(k) for k in sorted({k for k, _ in runs}))
        lines += [f"statements per document   {shown}",
                  f"CPU per document          median {statistics.median(cpu):.1f} ms, "
                  f"p95 {cpu[min(len(cpu) - 1, int(len(cpu) * 0.95))]:.1f} ms, .docx {size} bytes",
                  f"CPU for {n} documents    {sum(cpu) / 1000:.1f} s"
                  + (f" (1,000 documents ≈ {sum(cpu) / n:.1f} s)" if n != 1000 else "")]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.documents", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--n", type=int, default=1000, help="documents rendered (default 1000)")
    parser.add_argument("--items", type=int, default=10, help="items on the meeting (default 10)")
    args = parser.parse_args(argv)
    for backend in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        started = datetime.now(TZ).strftime("%Y-%m-%d %H:%M %Z")
        lines = [f"bench.documents on {backend}, {started}", *machine(backend), *run_backend(backend, args.n, args.items)]
        output = "\n".join(lines) + "\n"
        print(output)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"documents-{backend}.txt").write_text(output, encoding="utf-8")


if __name__ == "__main__":
    main()
