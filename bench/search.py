"""Search over a county's matters: p50/p95 of quorum.services.search on the bench.generate data set.

    python -m bench.generate --backend sqlite --matters 100000 --out /tmp/quorum-bench/search-sqlite-100000
    python -m bench.search --backend sqlite [--data /tmp/quorum-bench/search-sqlite-100000] [--repeat 30]
    python -m bench.search --backend postgresql [--data /tmp/quorum-bench/search-postgresql-100000]

Each representative query — a word of a title, of a field value, of an opinion, a title's own number, a word of
one or two characters (below the trigram index: LIKE), then the same with filters (status, workflow, unit, the
last 90 days, 我申报或办理的, 待我办理) and page 1 against page 50 — runs `repeat` times, each in its own read
transaction, as the page, the API and `quorum matter list` run it: the total (COUNT) and one page of 20 rows
with their names. The words are read from the data (a template title, a field value, an opinion), so they match
as many matters as real words would in a data set cloned from a dozen templates: thousands. Prints each
query's matches, statements and p50/p95/max in ms, the p95 over all queries, and writes the output to
bench/results/search-<backend>.txt. Target: p95 < 100 ms on 100k matters (issue 15).
"""

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, func, select

from bench.generate import machine
from quorum import calendar, policies
from quorum.database import open_database
from quorum.db import Matter, Opinion, Person, Task, Unit
from quorum.db.session import make_read_session_factory
from quorum.services import org, search
from quorum.services.calendar_years import current_calendar
from quorum.services.env import Env
from quorum.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
OVERSEER = "sunlixin"          # 纪检监察室主任: sees every matter, personnel ones too (matter.view_all)
TARGET_MS = 100


def words(s) -> dict[str, str]:
    """Words a person would type, read from the data: from a title, a field value, an opinion."""
    middle = s.execute(select(func.max(Matter.id))).scalar_one() // 2
    matter = s.get(Matter, middle)
    title = matter.title.split("（")[0]
    number = matter.title.rsplit("（", 1)[-1].rstrip("）")
    values = [v for v in matter.fields.values() if isinstance(v, str) and len(v) >= 8 and not v.isascii()]
    field = values[0] if values else title
    opinion = s.execute(select(Opinion.text).where(Opinion.matter_id == middle, func.length(Opinion.text) >= 8)
                        .order_by(Opinion.id)).scalars().first() or title
    return {"title": title[2:6], "number": f"（{number}）", "field": field[2:6], "opinion": opinion[:4],
            "short": title[2:4], "one": title[3]}


def busy_member(s) -> str:
    """The member with the most open tasks (the load driver signs in as these)."""
    return s.execute(select(Person.username).join(Task, Task.assignee_id == Person.id).where(Task.status == "open")
                     .group_by(Person.username).order_by(func.count().desc()).limit(1)).scalar_one()


def queries(s, env: Env) -> list[tuple[str, str, dict]]:
    w = words(s)
    member = busy_member(s)
    unit = s.execute(select(Unit.key).join(Matter, Matter.unit_id == Unit.id).group_by(Unit.key)
                     .order_by(func.count().desc()).limit(1)).scalar_one()
    workflow = s.execute(select(Matter.workflow_key).group_by(Matter.workflow_key)
                         .order_by(func.count().desc()).limit(1)).scalar_one()
    recent = (env.now - timedelta(days=90)).date().isoformat()
    return [
        ("list, no words (page 1)", OVERSEER, {}),
        (f"title word 「{w['title']}」", OVERSEER, {"q": w["title"]}),
        (f"title word 「{w['title']}」 page 50", OVERSEER, {"q": w["title"], "page": 50}),
        (f"title number 「{w['number']}」", OVERSEER, {"q": w["number"]}),
        (f"field word 「{w['field']}」", OVERSEER, {"q": w["field"]}),
        (f"opinion word 「{w['opinion']}」", OVERSEER, {"q": w["opinion"]}),
        (f"two words 「{w['title']} {w['opinion']}」", OVERSEER, {"q": f"{w['title']} {w['opinion']}"}),
        (f"2 characters 「{w['short']}」", OVERSEER, {"q": w["short"]}),
        (f"1 character 「{w['one']}」 page 50", OVERSEER, {"q": w["one"], "page": 50}),
        (f"field word + status active + {workflow}", OVERSEER,
         {"q": w["field"], "status": "active", "workflow": workflow}),
        (f"title word + unit {unit} + last 90 days", OVERSEER, {"q": w["title"], "unit": unit, "start": recent}),
        ("status closed, page 50", OVERSEER, {"status": "closed", "page": 50}),
        (f"{member}: list, no words (visibility applies)", member, {}),
        (f"{member}: mine + title word", member, {"q": w["title"], "mine": True}),
        (f"{member}: waiting for me", member, {"waiting": True}),
        (f"{member}: opinion word (visibility applies)", member, {"q": w["opinion"]}),
        (f"{member}: mine, page 50", member, {"mine": True, "page": 50}),
    ]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    fn()                                   # warm: parsed rules, the statement cache, the pages read
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.search", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--data", type=Path, help="the data directory bench.generate wrote (its config.toml)")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    data = args.data or Path(f"/tmp/quorum-bench/search-{args.backend}-100000")
    settings = load_settings(data / "config.toml")
    db = open_database(settings)
    reads = make_read_session_factory(db.engine)
    env = Env(policies.load(settings.policies_dir), current_calendar(db.engine, settings), calendar.now())
    statements = {"n": 0}
    event.listen(db.engine, "before_cursor_execute", lambda *_a: statements.__setitem__("n", statements["n"] + 1))

    with reads.begin() as s:
        matters = s.execute(select(func.count()).select_from(Matter)).scalar_one()
        chosen = queries(s, env)
    lines = [f"bench.search — {args.backend}, {matters} matters, {args.repeat} runs per query "
             f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})", machine(),
             f"database: {settings.database_url}", "",
             f"{'query':<58} {'matches':>8} {'stmts':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"]
    everything: list[float] = []
    for label, username, raw in chosen:
        found: dict = {}

        def run(username=username, raw=raw, found=found) -> None:
            with reads.begin() as s:
                me = org.person(s, username)
                page = search.matters(s, env, me, search.filters(s, env, **raw))
                found["total"], found["rows"] = page.total, len(page.rows)
        statements["n"] = 0
        run()
        count = statements["n"]
        samples = timed(run, args.repeat)
        everything += samples
        lines.append(f"{label:<58} {found['total']:>8} {count:>6} {statistics.median(samples):>8.1f} "
                     f"{p95(samples):>8.1f} {max(samples):>8.1f}")
    verdict = "met" if p95(everything) < TARGET_MS else "NOT met"
    lines += ["", f"all queries: p50 {statistics.median(everything):.1f} ms, p95 {p95(everything):.1f} ms, "
                  f"max {max(everything):.1f} ms — target p95 < {TARGET_MS} ms {verdict}"]
    db.engine.dispose()
    report = "\n".join(lines) + "\n"
    print(report, end="")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"search-{args.backend}.txt").write_text(report, encoding="utf-8")


if __name__ == "__main__":
    main()
