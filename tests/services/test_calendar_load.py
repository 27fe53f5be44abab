"""Loading next year's arrangement (both backends): exact deadlines, moved ones told once, no restart.

Two 三重一大 matters are filed in 2027, before the State Council's 2027 notice is loaded:
- on Monday 2027-03-01 the 前置程序 opinions are due in 10 working days, 2027-03-15 (暂定);
- on Tuesday 2027-09-28 they are due 2027-10-13 (暂定): the fallback skips only 国庆 10-01..03.
The (made-up) arrangement in tests/fixtures/calendar/2027_example.toml gives 10-01..07 off and
Saturday 10-09 as a working day, so the second deadline moves to Monday 2027-10-18 and its five
assignees are told; the first stays 03-15 and only loses its 暂定.
"""

from datetime import date

import pytest
from sqlalchemy import func, select, text

from quorum import cli, database
from quorum.calendar_arrangement import read_arrangement
from quorum.db import AuditEvent, CalendarYear, Notification, Task
from quorum.services import calendar_years
from quorum.services.outbox import Outlets
from quorum.settings import load_settings
from tests import helpers
from tests.conftest import PG_URL, ROOT
from tests.webui.conftest import login
from webui import create_app

EXAMPLE = ROOT / "tests" / "fixtures" / "calendar" / "2027_example.toml"
OUTLETS = Outlets(ROOT / "templates")
GATE = {"zhouming", "tuya", "gaowenjing", "sarengaowa", "yangxiaodong"}


def file_two_matters(sc) -> tuple[int, int]:
    sc.at(date(2027, 3, 1), 9)
    spring = helpers.submit(sc, "关于2027年度设备更新计划的议题")
    sc.at(date(2027, 9, 28), 9)
    autumn = helpers.submit(sc, "关于2027年第四季度药品集中采购的议题")
    sc.at(date(2027, 9, 29), 10)
    return spring, autumn


def deadlines(sc, matter_id: int) -> set[tuple[date, bool]]:
    with sc.sessions.begin() as s:
        tasks = s.execute(select(Task).where(Task.matter_id == matter_id, Task.status == "open")).scalars()
        return {(t.due_date, t.due_provisional) for t in tasks}


def moved_notices(sc) -> list[tuple[str, str]]:
    from quorum.db import Person
    with sc.sessions.begin() as s:
        return [tuple(r) for r in s.execute(
            select(Person.username, Notification.body).join(Person, Person.id == Notification.person_id)
            .where(Notification.kind == "deadline_moved").order_by(Notification.id))]


def test_loading_2027_makes_deadlines_exact_and_tells_the_assignees_of_moved_ones_once(sc):
    spring, autumn = file_two_matters(sc)
    assert deadlines(sc, spring) == {(date(2027, 3, 15), True)}
    assert deadlines(sc, autumn) == {(date(2027, 10, 13), True)}

    result = sc.do("gaowenjing", calendar_years.load_year, read_arrangement(EXAMPLE), OUTLETS)
    assert not result["unchanged"] and result["warnings"] == []
    assert {n["to"] for n in result["moved"]} == GATE and len(result["moved"]) == 5
    assert deadlines(sc, spring) == {(date(2027, 3, 15), False)}
    assert deadlines(sc, autumn) == {(date(2027, 10, 18), False)}
    notices = moved_notices(sc)
    assert {who for who, _ in notices} == GATE and len(notices) == 5
    assert all("由 2027-10-13（周三） 调整为 2027-10-18（周一）。" in body for _, body in notices)   # no 仍为暂定

    again = sc.do("gaowenjing", calendar_years.load_year, read_arrangement(EXAMPLE), OUTLETS)
    assert again["unchanged"] and again["moved"] == []
    assert len(moved_notices(sc)) == 5
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count(CalendarYear.id))).scalar_one() == 1
        loaded = s.execute(select(AuditEvent).where(AuditEvent.kind == "calendar.year_loaded")).scalar_one()
        assert loaded.payload["year"] == 2027 and "2027-10-09" in loaded.payload["workdays"]
        assert loaded.actor_id is not None
        recounted = s.execute(select(func.count(AuditEvent.id))
                              .where(AuditEvent.kind == "step.deadline_recomputed")).scalar_one()
        assert recounted == 2                                                  # both gate steps, once each


def test_the_calendar_of_a_new_env_reflects_the_database_without_a_restart(sc, community):
    settings = load_settings(ROOT / "config.toml", env={})
    with sc.sessions() as s:
        before = calendar_years.work_calendar(s, settings)
    assert before.is_provisional(date(2027, 10, 9)) and not before.is_workday(date(2027, 10, 9))
    sc.do("gaowenjing", calendar_years.load_year, read_arrangement(EXAMPLE), OUTLETS)
    after = calendar_years.current_calendar(community.engine, settings)
    assert after.is_workday(date(2027, 10, 9)) and not after.is_provisional(date(2027, 10, 9))
    assert before.is_provisional(date(2027, 10, 9))               # an Env already built keeps its calendar


def test_only_an_administrator_or_the_secretariat_may_load(sc):
    refusal = sc.refused("zhouming", calendar_years.load_year, read_arrangement(EXAMPLE), OUTLETS)
    assert "只有系统管理员或党政办可以导入节假日安排" in refusal
    with sc.sessions.begin() as s:
        assert s.execute(select(func.count(CalendarYear.id))).scalar_one() == 0


def test_a_web_app_opened_before_the_load_shows_the_exact_deadline_after_it(sc, community, tmp_path):
    spring, autumn = file_two_matters(sc)
    settings = load_settings(ROOT / "config.toml", env={"QUORUM_DATA_DIR": str(tmp_path / "data")})
    app = create_app(settings, database=community, now=sc.env.now, test_config={"TESTING": True})
    app.extensions["quorum"].policies = sc.env.policies
    client = app.test_client()
    login(client, "tuya")
    page = client.get(f"/matters/{autumn}").get_data(as_text=True)
    assert "时限 2027-10-13（暂定）" in page
    assert app.extensions["quorum"].env().calendar.is_provisional(date(2027, 10, 8))

    sc.do("gaowenjing", calendar_years.load_year, read_arrangement(EXAMPLE), OUTLETS)

    page = client.get(f"/matters/{autumn}").get_data(as_text=True)
    assert "时限 2027-10-18" in page and "暂定" not in page
    calendar = app.extensions["quorum"].env().calendar
    assert calendar.is_workday(date(2027, 10, 9)) and not calendar.is_provisional(date(2027, 10, 8))


# --- the command line, in process -----------------------------------------------------------------------


@pytest.fixture
def run(community, tmp_path, monkeypatch, capsys):
    """Run `quorum ARGS` against the scenario's database; return (exit code, stdout, stderr)."""
    url = community.engine.url.render_as_string(hide_password=False)
    if community.engine.dialect.name == "postgresql":
        with community.engine.connect() as conn:
            schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    monkeypatch.setenv("QUORUM_DATABASE_URL", url)
    monkeypatch.setenv("QUORUM_DATA_DIR", str(tmp_path / "data"))
    original = cli._plugin_commands

    def with_calendar(sub, add):        # until cli.build_parser registers calendar_commands itself
        if "calendar" not in sub.choices:
            from quorum import calendar_commands
            calendar_commands.register(sub, add)
        original(sub, add)

    monkeypatch.setattr(cli, "_plugin_commands", with_calendar)
    opened = []
    open_database = database.open_database
    monkeypatch.setattr(database, "open_database", lambda *a, **kw: opened.append(open_database(*a, **kw)) or opened[-1])

    def invoke(*args: str) -> tuple[int, str, str]:
        code = cli.main([*args, "--now", "2027-09-29T10:00"])
        for db in opened:                 # a command process would exit here; close its connections
            db.engine.dispose()
        out = capsys.readouterr()
        return code, out.out, out.err
    return invoke


def test_calendar_show_and_load_on_the_command_line(sc, run):
    file_two_matters(sc)
    code, out, _ = run("calendar", "show", "2027")
    assert code == 0 and "2027年节假日（法定节日推算（暂定，未含调休））" in out
    assert "2027-10-01（周五）  休息  国庆节（暂定）" in out and "quorum calendar load" in out

    code, _, err = run("calendar", "load", str(EXAMPLE), "--as", "zhouming")
    assert code == 2 and "只有系统管理员或党政办可以导入节假日安排" in err and "Traceback" not in err
    code, _, err = run("calendar", "load", str(ROOT / "nowhere.toml"), "--as", "gaowenjing")
    assert code == 2 and "找不到放假安排文件" in err

    code, out, _ = run("calendar", "load", str(EXAMPLE), "--as", "gaowenjing")
    assert code == 0 and "已导入。2027年的期限自此按此安排计算" in out
    assert "截止日期调整的待办：5 条。" in out and "gaowenjing" not in out
    code, out, _ = run("calendar", "load", str(EXAMPLE), "--as", "gaowenjing")
    assert code == 0 and "与已导入的安排相同，未作改动。" in out

    code, out, _ = run("calendar", "show", "2027")
    assert code == 0 and "2027-10-09（周六）  上班  调休上班  〔已导入的国务院办公厅放假安排〕" in out
    assert "2027年的放假安排已完整，期限为准确日期。" in out and "暂定" not in out
