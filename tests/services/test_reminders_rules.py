"""Reminder rules, working days and recurring duties: 公示 over National Day, bad policy files, the 推进机制."""

import shutil
from datetime import date

import pytest
from sqlalchemy import select

from quorum.calendar import WorkCalendar
from quorum.core import reminders as core
from quorum.core.errors import InvalidPolicy
from quorum.db import DutyOpening, Notification, SupervisionItem
from quorum.scheduler_settings import BackupSettings
from quorum.services import backup, reminders, supervision, sweeps
from quorum.services.outbox import Outlets
from tests.conftest import ROOT
from tests.services.test_duties import hold_management_committee

CAL = WorkCalendar()
OUTLETS = Outlets(ROOT / "templates")


@pytest.fixture(scope="module")
def rules():
    return sweeps.SweepRules.load(ROOT / "policies")


def test_a_publicity_window_over_national_day_counts_the_make_up_working_days():
    """任前公示 5 个工作日 from Tuesday 2026-09-29: 9-30, 10-8, 10-9, Saturday 10-10 (调休), 10-12."""
    window = CAL.add_working_days(date(2026, 9, 29), 5)
    assert window == CAL.add_working_days(date(2026, 9, 29), 5) and window.due == date(2026, 10, 12)
    assert not window.provisional
    rule = core.DeadlineRule("supervision", before_working_days=(1,), on_the_day=True)
    days = {d: core.reminder_for(rule, window.due, d, CAL) for d in (date(2026, 10, day) for day in range(1, 13))}
    assert days[date(2026, 10, 10)] == core.Reminder(core.BEFORE, 1)           # the 调休 Saturday is a working day
    assert days[date(2026, 10, 12)] == core.Reminder(core.DUE_TODAY, 0)
    assert {d for d, r in days.items() if r} == {date(2026, 10, 10), date(2026, 10, 12)}


def test_publicity_reminders_go_out_on_the_make_up_saturday(sc, rules):
    """A 5-working-day 公示 opened as a 督办 item on 2026-09-29 is due 10-12; its eve reminder goes on Sat 10-10."""
    from tests.services.test_duties import add_supervision
    item_id = add_supervision(sc, "干部任前公示（公示期5个工作日）", None)
    with sc.sessions.begin() as s:
        sc.at(date(2026, 9, 29), 9)
        due, provisional = supervision._due(sc.env, {"due_working_days": 5})
        s.get(SupervisionItem, item_id).due_date = due
    assert due == date(2026, 10, 12)
    sent = {}
    for day in [date(2026, 9, 29), date(2026, 9, 30), *(date(2026, 10, d) for d in range(1, 13))]:
        sc.at(day, 9)
        result = sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
        sent[day] = [n for n in result["notified"] if n["subject"] == "supervision"]
    assert [d.isoformat() for d, notes in sent.items() if notes] == ["2026-09-29", "2026-10-10", "2026-10-12"]
    assert all("5个工作日后到期" in n["title"] for n in sent[date(2026, 9, 29)])   # not caught up again on 10-08
    assert all("1个工作日后到期" in n["title"] for n in sent[date(2026, 10, 10)])
    assert all("今日到期" in n["title"] for n in sent[date(2026, 10, 12)])


@pytest.mark.parametrize(("edit", "where", "reason"), [
    (("before_working_days = [2]", "before_working_days = [0]"), "[deadlines.task]", "不能含 0"),
    (("escalate_after_misses = 3", "escalate_after_misses = \"三\""), "[deadlines.task]", "escalate_after_misses"),
    (("on_the_day = true\noverdue = true\nescalate_after_misses = 3", "on_the_day = \"yes\""), "[deadlines.task]",
     "on_the_day 应为 true 或 false"),
    (('escalate_to = ["vice_president", "president", "party_secretary"]', 'escalate_to = ["vice_chair"]'),
     "[deadlines]", "vice_chair 不在 roles.toml"),
    (('send_from = "08:00"', 'send_from = "8点"'), "[timing]", "HH:MM"),
    (("[deadlines.duty]", "[deadlines.dutyy]"), "[deadlines]", "缺少 duty"),
    (("copy_to = []", "copy_to = []\nremind_on = 1"), "[deadlines.task]", "未知的字段 remind_on"),
])
def test_a_malformed_reminders_policy_names_the_file_and_key(tmp_path, edit, where, reason):
    policies = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", policies)
    path = policies / "reminders.toml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    with pytest.raises(InvalidPolicy) as caught:
        reminders.load(policies)
    assert f"policies/reminders.toml {where}" in str(caught.value) and reason in str(caught.value)


def test_the_promotion_mechanism_met_once_by_1_november_is_escalated_once(sc, rules):
    hold_management_committee(sc, date(2026, 4, 1))
    sc.at(date(2026, 11, 2), 9)
    result = sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
    escalated = [n for n in result["notified"] if n["kind"] == "escalation" and n["subject"] == "duty"]
    assert {n["to"] for n in escalated} == {"tianzhiyuan", "bater", "gaowenjing", "sarengaowa"}
    assert all("2026年仅完成1次（要求不少于2次）" in n["title"] for n in escalated)
    sc.at(date(2026, 11, 3), 9)
    again = sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
    assert [n for n in again["notified"] if n["kind"] == "escalation" and n["subject"] == "duty"] == []


def test_a_duty_period_opens_as_a_supervision_item_whose_completion_counts(sc, rules):
    """每半年财务分析 H2 opens 10 working days before 12-31; finishing its 督办 item is the evidence."""
    sc.at(date(2026, 12, 17), 9)
    result = sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
    opened = [n for n in result["notified"] if n["kind"] == "duty_open" and "财务分析" in n["title"]]
    assert {n["to"] for n in opened} >= {"eerdun", "gaowenjing"}
    with sc.sessions.begin() as s:
        row = s.execute(select(DutyOpening).where(DutyOpening.duty_key == "financial_analysis",
                                                  DutyOpening.period == "H2")).scalar_one()
        item = s.get(SupervisionItem, row.supervision_item_id)
        assert item.title == "每半年财务分析（2026年下半年）" and item.due_date == date(2026, 12, 31)
    sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
    with sc.sessions.begin() as s:
        assert len(s.execute(select(DutyOpening).where(DutyOpening.duty_key == "financial_analysis")).all()) == 1
    sc.do("gaowenjing", supervision.report, row.supervision_item_id, "下半年财务分析已完成并报管委会。", done=True)
    from quorum.services import duties
    with sc.sessions.begin() as s:
        report = duties.report(s, rules.duties, 2026, date(2026, 12, 18), CAL)
    assert next(r for r in report if r["duty"] == "financial_analysis" and r["period"] == "H2")["status"] == "done"


def test_backup_keeps_the_newest_copies(db, env, tmp_path):
    from quorum.services import demo
    demo.ensure_community(db.sessions, env)
    from pathlib import Path

    from sqlalchemy import text

    from quorum.services.backup_archive import verify
    url = db.engine.url
    if db.engine.dialect.name == "postgresql":         # the test schema, named as a deployment would
        with db.engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar()
        url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    settings = BackupSettings(directory=tmp_path / "backups", keep=2)
    url = url.render_as_string(hide_password=False)
    made = [backup.backup(url, settings, env.later(days=i).now) for i in range(3)]
    names = sorted(p.name for p in (tmp_path / "backups").iterdir())
    assert names == [made[1]["file"].rsplit("/", 1)[1], made[2]["file"].rsplit("/", 1)[1]]
    assert made[2]["removed"] == [made[0]["file"].rsplit("/", 1)[1]] and made[2]["bytes"] > 0
    manifest = verify(Path(made[2]["file"]))
    assert manifest["database"]["kind"] == db.engine.dialect.name and manifest["database"]["tables"]["person"] > 30
    assert manifest["files_included"] is False            # no files_dir given: the database only


def test_notifications_are_read_and_unread(sc, rules):
    sc.at(date(2026, 11, 2), 9)
    sweeps.run_sweep(sc.sessions, sc.env, OUTLETS, rules)
    from quorum.services import org, outbox
    with sc.sessions.begin() as s:
        bater = org.person(s, "bater")
        mine = outbox.notifications_of(s, bater.id)
        assert mine and outbox.unread_count(s, bater.id) == len(mine)
        outbox.mark_read(s, sc.env, bater, [mine[0].id])
        assert outbox.unread_count(s, bater.id) == len(mine) - 1
        outbox.mark_read(s, sc.env, bater, None)
        assert outbox.unread_count(s, bater.id) == 0
        outbox.mark_read(s, sc.env, bater, [mine[0].id], read=False)
        assert outbox.notifications_of(s, bater.id, unread_only=True)[0].id == mine[0].id
        others = s.execute(select(Notification).where(Notification.person_id != bater.id)).scalars().all()
        assert others and all(n.read_at is None for n in others)
