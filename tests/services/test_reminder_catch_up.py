"""Reminders that fell due while the scheduler was down go out with the next sweep, each at most once
(both backends). A later reminder supersedes an earlier one missed; nothing stale once the deadline passed.

The 三重一大 matter is filed on Monday 2026-11-02; its 前置程序 opinions are due Monday 11-16 and the
task rule reminds 2 working days before (Thursday 11-12), on the day, and every working day after.
"""

from datetime import date

import pytest
from sqlalchemy import select

from quorum.calendar import WorkCalendar
from quorum.core import reminders as core
from quorum.db import Notification, SupervisionItem
from quorum.services import arrivals, sweeps
from tests import helpers
from tests.services.test_duties import add_supervision
from tests.services.test_reminders import sweep

GATE = {"zhouming", "tuya", "gaowenjing", "sarengaowa", "yangxiaodong"}


@pytest.fixture(scope="module")
def rules():
    from tests.conftest import ROOT
    return sweeps.SweepRules.load(ROOT / "policies")


def keys(sc, subject: str) -> list[str]:
    with sc.sessions.begin() as s:
        return list(s.execute(select(Notification.event_key).where(Notification.subject == subject,
                                                                   Notification.kind.not_in(arrivals.KINDS))
                              .order_by(Notification.id)).scalars())


def test_down_three_working_days_the_missed_reminder_goes_out_once_with_the_next_sweep(sc, rules):
    mid = helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    assert sweep(sc, rules, date(2026, 11, 9))["notified"] == []
    # the scheduler is down on Tuesday 11-10, Wednesday 11-11 and Thursday 11-12 (the reminder's day)
    back = sweep(sc, rules, date(2026, 11, 13))
    assert {n["to"] for n in back["notified"]} == GATE and len(back["notified"]) == len(GATE)
    assert all("1个工作日后到期" in n["title"] for n in back["notified"])      # worded for the day it goes out
    assert {k.rsplit(":", 1)[1] for k in keys(sc, "task")} == {"2026-11-12"}   # keyed by the day it fell due
    assert sweep(sc, rules, date(2026, 11, 13), 14)["notified"] == []          # the next sweep: nothing again
    on_the_day = sweep(sc, rules, date(2026, 11, 16))
    assert {n["to"] for n in on_the_day["notified"]} == GATE
    assert all("今日到期" in n["title"] for n in on_the_day["notified"])
    assert len(keys(sc, "task")) == 2 * len(GATE)
    with sc.sessions.begin() as s:
        assert {n.matter_id for n in s.execute(select(Notification)).scalars() if n.subject == "task"} == {mid}


def test_down_over_the_deadline_only_the_overdue_notice_goes_out(sc, rules):
    helpers.submit(sc, "关于购置数字化X射线摄影系统的议题")
    # down from Thursday 11-12 to Tuesday 11-17: the reminder before and the one on the day are stale
    back = sweep(sc, rules, date(2026, 11, 18))
    assert {n["to"] for n in back["notified"]} == GATE
    assert all("逾期" in n["title"] for n in back["notified"]) and len(back["notified"]) == len(GATE)
    assert sweep(sc, rules, date(2026, 11, 18), 16)["notified"] == []
    # down again until Friday 11-20: the escalation (3rd missed day, Thursday 11-19) is caught up, once
    later = sweep(sc, rules, date(2026, 11, 20))
    escalated = [n for n in later["notified"] if n["kind"] == "escalation"]
    assert {n["kind"] for n in later["notified"]} == {"overdue", "escalation"}
    assert len({n["subject_id"] for n in escalated}) == len(GATE)                 # each open task, once
    monday = sweep(sc, rules, date(2026, 11, 23))
    assert {n["kind"] for n in monday["notified"]} == {"overdue"} and len(monday["notified"]) == len(GATE)
    assert sweep(sc, rules, date(2026, 11, 23), 16)["notified"] == []
    assert len([k for k in keys(sc, "task") if k.endswith(":escalation")]) == len(escalated)


def test_a_later_reminder_supersedes_the_missed_earlier_one(sc, rules):
    """督办 item due Friday 11-20: 5 working days before is Friday 11-13, 1 before Thursday 11-19."""
    item_id = add_supervision(sc, "推进县域医共体信息平台建设", None)
    with sc.sessions.begin() as s:
        s.get(SupervisionItem, item_id).due_date = date(2026, 11, 20)
    assert sweep(sc, rules, date(2026, 11, 12), subject="supervision")["notified"] == []
    # down from Friday 11-13 to Wednesday 11-18
    back = sweep(sc, rules, date(2026, 11, 19), subject="supervision")
    assert back["notified"] and all("1个工作日后到期" in n["title"] for n in back["notified"])
    assert sweep(sc, rules, date(2026, 11, 19), 15, subject="supervision")["notified"] == []
    assert {tuple(k.split(":")[2:]) for k in keys(sc, "supervision")} == {("before", "2026-11-19")}


def test_what_a_deadline_calls_for_after_missed_days():
    cal = WorkCalendar()
    rule = core.DeadlineRule("supervision", before_working_days=(5, 1), on_the_day=True, overdue=True)
    due = date(2026, 11, 20)
    assert core.due_reminder(rule, due, date(2026, 11, 13), cal) == core.Reminder(core.BEFORE, 5, date(2026, 11, 13))
    assert core.due_reminder(rule, due, date(2026, 11, 17), cal) == core.Reminder(core.BEFORE, 3, date(2026, 11, 13))
    assert core.due_reminder(rule, due, date(2026, 11, 19), cal) == core.Reminder(core.BEFORE, 1, date(2026, 11, 19))
    assert core.due_reminder(rule, due, date(2026, 11, 21), cal) is None                    # Saturday
    assert core.due_reminder(rule, due, date(2026, 11, 23), cal) == core.Reminder(core.OVERDUE, 1, date(2026, 11, 23))
    # created after the 5-day reminder's day: it never fell due, so nothing is caught up
    assert core.due_reminder(rule, due, date(2026, 11, 17), cal, since=date(2026, 11, 16)) is None
    # a Sunday deadline: its on-the-day reminder is the Friday before, and wins over "1 day before" that Friday
    sunday = date(2026, 11, 22)
    assert core.due_reminder(rule, sunday, date(2026, 11, 20), cal) == core.Reminder(core.DUE_TODAY, 0, date(2026, 11, 20))
    assert core.due_reminder(rule, sunday, date(2026, 11, 18), cal) == core.Reminder(core.BEFORE, 3, date(2026, 11, 16))
