"""The reminder sweep reads the due set, not every open task (both backends).

Two 三重一大 matters are filed on Monday 2026-11-02; their 前置程序 opinions fall due on Monday 11-16,
when the sweep reminds their holders. Three hundred more open tasks, due next year, are then added
in bulk: the same sweep on the same day runs exactly as many statements and sends the same notices.
"""

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, func, insert, select

from quorum.db import Base, Matter, MatterStep, Notification, OutboxMessage, Task
from quorum.services import sweeps
from quorum.services.outbox import Outlets
from tests import helpers

DUE_DAY = date(2026, 11, 16)


@pytest.fixture(scope="module")
def rules():
    from tests.conftest import ROOT
    return sweeps.SweepRules.load(ROOT / "policies")


def counted_sweep(db, sc, rules) -> tuple[int, list[str]]:
    """Run the sweep at 09:00 on the due day; return its statements and the notices' keys."""
    from tests.conftest import ROOT
    seen = []
    listener = lambda *args: seen.append(1)  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        sc.at(DUE_DAY, 9)
        result = sweeps.run_sweep(sc.sessions, sc.env, Outlets(ROOT / "templates"), rules, deliver=False)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen), sorted(n["key"] for n in result["notified"] if "key" in n)


def add_open_tasks(db, template_matter: int, matters: int, per_matter: int = 3) -> None:
    """Clone the matter's current step and one open task, due in 2027, in bulk (no services)."""
    tables = Base.metadata.tables
    with db.engine.begin() as conn:
        matter = dict(conn.execute(select(tables["matter"]).where(Matter.id == template_matter)).mappings().one())
        step = dict(conn.execute(select(tables["matter_step"]).where(
            MatterStep.matter_id == template_matter, MatterStep.step_key == matter["current_step"])).mappings().one())
        task = dict(conn.execute(select(tables["task"]).where(Task.step_id == step["id"]).limit(1)).mappings().one())
        ids = {t: conn.execute(select(func.max(t.id))).scalar() + 1 for t in (Matter, MatterStep, Task)}
        rows: dict[str, list[dict[str, Any]]] = {"matter": [], "matter_step": [], "task": []}
        for n in range(matters):
            mid, sid, due = ids[Matter] + n, ids[MatterStep] + n, date(2027, 3, 1) + timedelta(days=n % 200)
            rows["matter"].append({**matter, "id": mid, "title": f"关于第{mid}号建设项目的议题"})
            rows["matter_step"].append({**step, "id": sid, "matter_id": mid, "due_date": due})
            rows["task"] += [{**task, "id": ids[Task] + n * per_matter + k, "matter_id": mid, "step_id": sid,
                              "group_key": f"clone:{mid}:{k}", "due_date": due} for k in range(per_matter)]
        for name in ("matter", "matter_step", "task"):
            conn.execute(insert(tables[name]), rows[name])


def forget_notices(sc) -> None:
    with sc.sessions.begin() as s:
        s.execute(delete(OutboxMessage))
        s.execute(delete(Notification))


def test_a_sweep_over_many_open_tasks_with_few_due_costs_what_it_costs_over_few(db, sc, rules):
    first = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    helpers.submit(sc, "关于改造总医院门诊楼的议题")
    few, sent = counted_sweep(db, sc, rules)
    assert sent, "the opinions due today are reminded"

    add_open_tasks(db, first, matters=100)
    forget_notices(sc)
    with sc.sessions.begin() as s:
        open_tasks = s.execute(select(func.count()).select_from(Task).where(Task.status == "open")).scalar()
    many, sent_again = counted_sweep(db, sc, rules)

    assert open_tasks >= 300
    assert sent_again == sent
    assert many == few, f"{few} statements with few open tasks, {many} with {open_tasks}"


def test_the_day_s_window_reaches_the_furthest_before_reminder_and_back_to_every_overdue_deadline(rules):
    from quorum.calendar import WorkCalendar
    from quorum.core import reminders as core
    task, cal = rules.reminders.rule("task"), WorkCalendar()
    # 2 working days ahead: on Monday 11-02 deadlines up to Wednesday; on Friday 11-06 up to Tuesday 11-10
    assert core.due_window(task, date(2026, 11, 2), cal) == (None, date(2026, 11, 4))
    assert core.due_window(task, date(2026, 11, 6), cal) == (None, date(2026, 11, 10))
    quiet = core.DeadlineRule("task", before_working_days=(3, 1))      # no overdue notices, no escalation
    assert core.due_window(quiet, date(2026, 11, 6), cal) == (date(2026, 11, 6), date(2026, 11, 11))
