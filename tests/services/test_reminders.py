"""Deadline reminders through the outbox (both backends): before, on the day, overdue, escalation, once each.

The 三重一大 matter is filed on Monday 2026-11-02; its 前置程序 opinions are due in 10 working days,
on Monday 2026-11-16. Reminders go 2 working days before (Thursday 11-12), on the day, every working
day after, and the 3rd missed working day (Thursday 11-19) is escalated to the 分管 leader.
"""

from datetime import date

import pytest
from sqlalchemy import func, select

from quorum.calendar import WorkCalendar
from quorum.db import AuditEvent, Notification, OutboxMessage, Task
from quorum.services import arrivals, matters, outbox, sweeps
from quorum.services.outbox import Outlets
from tests import helpers
from tests.conftest import ROOT

OUTLETS = Outlets(ROOT / "templates")


@pytest.fixture(scope="module")
def rules():
    return sweeps.SweepRules.load(ROOT / "policies")


def sweep(sc, rules, day: date, hour: int = 9, minute: int = 0, subject: str | None = "task") -> dict:
    """Run a sweep at the moment; `notified` keeps the notices about `subject` (all when None)."""
    sc.at(day, hour, minute)
    result = sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
    result["all"] = result["notified"]
    result["notified"] = [n for n in result["notified"] if subject is None or n["subject"] == subject]
    return result


def task_notices(sc) -> list[tuple[str, str, str]]:
    """(username, kind, title) of every in-app notification about tasks, in order."""
    from quorum.db import Person
    with sc.sessions.begin() as s:
        rows = s.execute(select(Person.username, Notification.kind, Notification.title)
                         .join(Person, Person.id == Notification.person_id)
                         .where(Notification.subject == "task", Notification.kind.not_in(arrivals.KINDS))
                         .order_by(Notification.id)).all()
    return [tuple(r) for r in rows]


def test_a_sweep_run_twice_sends_nothing_twice(sc, rules):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    first = sweep(sc, rules, date(2026, 11, 12))
    gate = {n["to"] for n in first["notified"]}
    assert gate == {"zhouming", "tuya", "gaowenjing", "sarengaowa", "yangxiaodong"}
    assert all("2个工作日后到期" in n["title"] for n in first["notified"])
    assert {n["subject"] for n in first["all"]} == {"task", "duty"}      # the duties of the year open too
    again = sweep(sc, rules, date(2026, 11, 12), subject=None)
    assert again["notified"] == [] and again["delivered"] == []
    later = sweep(sc, rules, date(2026, 11, 12), 15, 45, subject=None)
    assert later["notified"] == []
    with sc.sessions.begin() as s:
        swept = Notification.kind.not_in(arrivals.KINDS)          # not the notices of the tasks' arrival
        assert s.execute(select(func.count(Notification.id)).where(Notification.subject == "task", swept)
                         ).scalar_one() == 5
        assert s.execute(select(func.count(Notification.id)).where(swept)).scalar_one() == len(first["all"])
        assert {n.matter_id for n in s.execute(select(Notification).where(Notification.subject == "task", swept))
                .scalars()} == {mid}


def test_nothing_goes_out_before_the_morning_or_on_days_without_a_reminder(sc, rules):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    assert sweep(sc, rules, date(2026, 11, 12), 7, 45)["notified"] == []
    assert sweep(sc, rules, date(2026, 11, 11))["notified"] == []       # 3 working days before: no rule
    assert sweep(sc, rules, date(2026, 11, 14))["notified"] == []       # Saturday


def test_on_the_day_overdue_and_escalation_once_to_the_leader(sc, rules):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    # everyone but the 法律顾问 answers in time
    with sc.sessions.begin() as s:
        open_gate = s.execute(select(Task.id, Task.requirement).where(Task.matter_id == mid, Task.status == "open")
                              .order_by(Task.id)).all()
    done_groups = set()
    for task_id, requirement in open_gate:
        if requirement == "legality" or requirement in done_groups:
            continue
        done_groups.add(requirement)
        with sc.sessions.begin() as s:
            username = s.get(Task, task_id).assignee_id
            from quorum.db import Person
            username = s.get(Person, username).username
        sc.do(username, matters.act, task_id, "approve", "同意。")
    day = sweep(sc, rules, date(2026, 11, 16))
    assert [(n["to"], n["kind"]) for n in day["notified"]] == [("zhouming", "reminder")]
    assert "今日到期" in day["notified"][0]["title"]
    assert [n["kind"] for n in sweep(sc, rules, date(2026, 11, 17))["notified"]] == ["overdue"]
    assert [n["kind"] for n in sweep(sc, rules, date(2026, 11, 18))["notified"]] == ["overdue"]
    third = sweep(sc, rules, date(2026, 11, 19))
    assert [(n["to"], n["kind"]) for n in third["notified"]] == [("zhouming", "overdue"), ("liuzhigang", "escalation")]
    assert "已逾期3个工作日" in third["notified"][1]["title"]
    fourth = sweep(sc, rules, date(2026, 11, 20))
    assert [(n["to"], n["kind"]) for n in fourth["notified"]] == [("zhouming", "overdue")]   # escalated once
    # done: the reminders stop
    sc.do("zhouming", matters.act, sc.task_of("zhouming", mid, "legality"), "approve", "经审查合法合规。")
    assert [n for n in sweep(sc, rules, date(2026, 11, 23))["notified"] if n["to"] == "zhouming"] == []


def test_an_urge_notifies_the_assignee_in_the_same_transaction(sc, rules):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    task_id = sc.task_of("zhouming", mid, "legality")
    sc.do("gaowenjing", matters.urge, task_id)
    with sc.sessions.begin() as s:
        row = s.execute(select(Notification).where(Notification.kind == "urge")).scalar_one()
        assert row.subject_id == task_id and "催办" in row.title and "高文静" in row.body
        assert s.execute(select(AuditEvent.id).where(AuditEvent.kind == "task.urged")).first() is not None
    assert task_notices(sc)[0][:2] == ("zhouming", "urge")


def test_a_non_working_day_deadline_is_reminded_on_the_working_day_before(sc, rules):
    """#41: 督办 due on Sunday 2026-11-29 ("11月底") keeps its date; the on-the-day notice goes on Friday."""
    from tests.services.test_duties import add_supervision
    item_id = add_supervision(sc, "完成远程会诊系统联调", None)
    with sc.sessions.begin() as s:
        from quorum.db import SupervisionItem
        s.get(SupervisionItem, item_id).due_date = date(2026, 11, 29)
    friday = sweep(sc, rules, date(2026, 11, 27), subject="supervision")
    assert friday["notified"] and all("今天是截止前最后一个工作日" in n["title"] or n["kind"] == "reminder"
                                      for n in friday["notified"])
    assert {n["kind"] for n in friday["notified"]} == {"reminder"}
    with sc.sessions.begin() as s:
        body = s.execute(select(Notification.body).where(Notification.subject == "supervision")).scalars().first()
    assert "2026-11-29（周日）（非工作日），今天是截止前最后一个工作日" in body
    assert sweep(sc, rules, date(2026, 11, 29), subject=None)["notified"] == []        # Sunday: nothing
    monday = sweep(sc, rules, date(2026, 11, 30), subject="supervision")
    assert {n["kind"] for n in monday["notified"]} == {"overdue"}
    assert "gaowenjing" in {n["to"] for n in monday["notified"]}          # copied to the 党政办


def test_delivery_retries_with_backoff_and_reports_failure(sc, rules):
    from quorum.notify import DeliveryError
    from quorum.scheduler_settings import MailSettings, SchedulerSettings
    outlets = Outlets(ROOT / "templates", MailSettings(host="127.0.0.1", port=9, sender="quorum@example.org",
                                                       kinds=("reminder",)),
                      scheduler=SchedulerSettings(max_attempts=2, backoff_seconds=60))
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    sc.at(date(2026, 11, 12), 9)
    with sc.sessions.begin() as s:
        sweeps.deadlines(s, sc.env, outlets, rules)

    def refuse(msg):
        raise DeliveryError("邮件服务器拒收收件人")
    first = outbox.deliver_pending(sc.sessions, sc.env, outlets, sender=refuse)
    with sc.sessions.begin() as s:
        emails = s.execute(select(func.count(OutboxMessage.id))).scalar_one()
        people_with_mail = s.execute(select(func.count(Notification.id)).where(Notification.kind == "reminder"))
        assert emails == people_with_mail.scalar_one() == 5            # every demo person has an e-mail address
    assert len(first) == emails and {r["status"] for r in first} == {"pending"}
    assert {r["error"] for r in first} == {"邮件服务器拒收收件人"}
    assert outbox.deliver_pending(sc.sessions, sc.env.later(seconds=30), outlets, sender=refuse) == []
    second = outbox.deliver_pending(sc.sessions, sc.env.later(seconds=61), outlets, sender=refuse)
    assert len(second) == emails and {r["status"] for r in second} == {"failed"}
    assert outbox.deliver_pending(sc.sessions, sc.env.later(hours=5), outlets, sender=refuse) == []
    with sc.sessions.begin() as s:
        failed = outbox.problems(s)
        assert len(failed) == emails and all(m.attempts == 2 and m.status == "failed" for m in failed)
        notices = s.execute(select(Notification).where(Notification.kind == "delivery_failed")).scalars().all()
        assert len(notices) == 2 * emails                                 # each failure to both 党政办 staff
        assert "邮件服务器拒收收件人" in notices[0].body
        assert s.execute(select(func.count(OutboxMessage.id))).scalar_one() == emails   # no mail about failed mail
        gaowenjing = s.execute(select(Notification.person_id).where(Notification.kind == "delivery_failed")).first()[0]
        from quorum.db import Person
        retried = outbox.retry(s, sc.env, s.get(Person, gaowenjing), failed[0].id)
        assert (retried.status, retried.attempts) == ("pending", 0)
    sent = outbox.deliver_pending(sc.sessions, sc.env.later(hours=6), outlets, sender=lambda msg: None)
    assert [r["status"] for r in sent] == ["sent"]


def test_a_2027_deadline_is_provisional_and_recomputed_when_an_override_is_added(sc, rules):
    """Filed on Thursday 2026-12-24, 10 working days run into 2027, which chinesecalendar 1.11 does not know:
    the statutory fallback keeps 元旦 off (due Friday 01-08, 暂定); a 调休 Sunday 01-03 brings it to Thursday."""
    sc.at(date(2026, 12, 24), 9)
    mid = helpers.submit(sc, "关于2027年度设备更新计划的议题")
    with sc.sessions.begin() as s:
        task = s.execute(select(Task).where(Task.matter_id == mid, Task.status == "open")).scalars().first()
        assert (task.due_date, task.due_provisional) == (date(2027, 1, 8), True)
    sc.env = sc.env.__class__(sc.env.policies, WorkCalendar({date(2027, 1, 3): True}), sc.env.now)
    result = sweep(sc, rules, date(2026, 12, 28))
    moved = [n for n in result["notified"] if n["kind"] == "deadline_moved"]
    assert {n["to"] for n in moved} == {"zhouming", "tuya", "gaowenjing", "sarengaowa", "yangxiaodong"}
    with sc.sessions.begin() as s:
        tasks = s.execute(select(Task).where(Task.matter_id == mid, Task.status == "open")).scalars().all()
        assert {(t.due_date, t.due_provisional) for t in tasks} == {(date(2027, 1, 7), True)}
        event = s.execute(select(AuditEvent).where(AuditEvent.kind == "step.deadline_recomputed")).scalar_one()
        assert event.payload["from"] == "2027-01-08" and event.payload["to"] == "2027-01-07"
        body = s.execute(select(Notification.body).where(Notification.kind == "deadline_moved")).scalars().first()
    assert "由 2027-01-08（周五） 调整为 2027-01-07（周四）（仍为暂定）" in body
    assert [n for n in sweep(sc, rules, date(2026, 12, 28), 10)["notified"] if n["kind"] == "deadline_moved"] == []
