"""Pages cost a fixed number of SQL statements, however many tasks a person has (issue 11, target 1).

The 法律顾问 周明 gets one 合法性审查 task on every 三重一大 项目 the 党政办 files. With 5 open tasks
and with 200 his 我的待办, the API task list, a matter page, its API record and the navigation
counters run exactly as many statements (counted with a `before_cursor_execute` listener), each
within its budget; a person with no task pays less still. Timing is left to bench/pages.py.
"""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from quorum.db import Matter, Person, Task
from quorum.services import delegations, demo, inbox, matters, org, records
from quorum.services.policies import policy_set_for
from tests.webui.conftest import PASSWORD, as_user

LAWYER = "zhouming"
FILER = "gaowenjing"
# The budget: 25 statements for each page, whatever the person's number of tasks. A GET
# request shares one read transaction (user loader, view, counters, 公文 panel).
BUDGET = 25
MATTER_PAGE = BUDGET


class Statements:
    """Counts the statements an engine runs inside `counting()`."""

    def __init__(self, engine) -> None:
        self.n, self.on = 0, False
        event.listen(engine, "before_cursor_execute", self._seen)
        self.engine = engine

    def _seen(self, *_args) -> None:
        if self.on:
            self.n += 1

    def of(self, fn) -> int:
        self.n, self.on = 0, True
        try:
            fn()
        finally:
            self.on = False
        return self.n

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


@pytest.fixture
def statements(community):
    counter = Statements(community.engine)
    yield counter
    counter.close()


def file_projects(sc: demo.Scenario, count: int, first: int) -> list[int]:
    ids = []
    for n in range(first, first + count):
        fields = {"category": "project", "unit": "general_hospital", "budgeted": "true", "amount": "860000",
                  "staff_interest": "false", "summary": f"第{n}号建设项目的具体方案。"}
        ids.append(sc.do(FILER, matters.submit, "major_matter", f"关于第{n}号建设项目的议题", fields).id)
    return ids


def pages(app, community, env, username: str, matter_id: int) -> dict[str, object]:
    """What a person opens, as callables that each make one request (or count once)."""
    web = as_user(app, username)
    token = app.test_client().post("/api/v1/token", json={"username": username, "password": PASSWORD}).get_json()
    bearer = {"Authorization": f"Bearer {token['token']}"}
    api = app.test_client()
    with community.sessions.begin() as s:
        person_id = s.execute(select(Person.id).where(Person.username == username)).scalar_one()

    def get(client, path, **kw):
        def run():
            response = client.get(path, **kw)
            assert response.status_code == 200, (path, response.status_code)
        return run

    def nav():
        with community.sessions.begin() as s:
            inbox.counts(s, person_id, env.now)

    return {"inbox": get(web, "/tasks"), "api_tasks": get(api, "/api/v1/me/tasks", headers=bearer),
            "matter_page": get(web, f"/matters/{matter_id}"),
            "api_matter": get(api, f"/api/v1/matters/{matter_id}", headers=bearer), "nav": nav}


def costs(statements: Statements, opened: dict[str, object]) -> dict[str, int]:
    for fn in opened.values():
        fn()                                  # warm: the parsed rules, templates, connections
    return {name: statements.of(fn) for name, fn in opened.items()}


@pytest.mark.slow
def test_pages_cost_the_same_with_5_and_200_open_tasks(app, community, sc, env, statements):
    filed = file_projects(sc, 5, 1)
    opened = pages(app, community, env, LAWYER, filed[0])
    few = costs(statements, opened)
    filed += file_projects(sc, 195, 6)
    with community.sessions.begin() as s:
        lawyer = org.person(s, LAWYER)
        assert len(matters.open_tasks(s, lawyer, env.now)) == 200
    many = costs(statements, opened)

    assert many == few, f"5 tasks: {few}; 200 tasks: {many}"
    assert many["nav"] <= 2                   # BEGIN and one grouped COUNT
    assert {k: v for k, v in many.items() if k != "matter_page" and v > BUDGET} == {}, many
    assert many["matter_page"] <= MATTER_PAGE, many


def test_a_person_without_tasks_pays_less_than_the_budget(app, community, sc, env, statements):
    filed = file_projects(sc, 1, 1)
    nobody = costs(statements, pages(app, community, env, "eerdun", filed[0]))       # 总院长: nothing open yet
    assert nobody["nav"] <= 2
    assert {k: v for k, v in nobody.items() if k != "matter_page" and v > BUDGET} == {}, nobody
    assert nobody["matter_page"] <= MATTER_PAGE, nobody


def test_the_inbox_pages_its_tasks_overdue_first_with_totals(app, community, sc, env, monkeypatch):
    file_projects(sc, 7, 1)
    later = sc.env.at(sc.env.now + timedelta(days=30))          # every 合法性审查 is past its 10 working days
    sc.env = later
    file_projects(sc, 3, 8)
    app.extensions["quorum"].fixed_now = later.now
    token = app.test_client().post("/api/v1/token", json={"username": LAWYER, "password": PASSWORD}).get_json()
    api = app.test_client()
    bearer = {"Authorization": f"Bearer {token['token']}"}

    first = api.get("/api/v1/me/tasks?per_page=4", headers=bearer).get_json()
    assert (first["total"], first["overdue"], first["page"], first["pages"]) == (10, 7, 1, 3)
    assert [t["overdue"] for t in first["tasks"]] == [True] * 4
    rest = [api.get(f"/api/v1/me/tasks?per_page=4&page={n}", headers=bearer).get_json()["tasks"] for n in (2, 3)]
    ids = [t["id"] for t in first["tasks"] + rest[0] + rest[1]]
    assert len(set(ids)) == 10
    assert [t["overdue"] for t in rest[0] + rest[1]] == [True] * 3 + [False] * 3

    web = as_user(app, LAWYER)
    html = web.get("/tasks").get_data(as_text=True)
    assert "待办事项（10）" in html and 'data-testid="pages"' not in html
    monkeypatch.setattr(inbox, "PER_PAGE", 4)
    html = web.get("/tasks?page=3").get_data(as_text=True)
    assert "待办事项（10）" in html and "第 3 / 3 页，共 10 项" in html and "上一页" in html and "下一页" not in html
    assert html.count('data-testid="task-') == 2 and "已逾期" not in html
    assert web.get("/tasks?page=x").get_data(as_text=True).count("已逾期") == 4


def test_tasks_read_together_have_the_same_facts_as_one_by_one(community, env, decided_demo):
    """records.task_facts_of (the whole list at once) agrees with matters.task_facts (task by task).

    The demo's matters of every chain, with 周明 standing in (代理) for the 党政办主任 meanwhile.
    """
    decided_demo(env)
    with community.sessions.begin() as s:
        secretary, lawyer = org.person(s, FILER), org.person(s, LAWYER)
        delegations.create(s, env, secretary, secretary, lawyer, env.now - timedelta(days=1),
                           env.now + timedelta(days=30), "外出学习")
    with community.sessions.begin() as s:
        tasks = list(s.execute(select(Task).order_by(Task.id)).scalars())
        assert len(tasks) > 30 and len({t.kind for t in tasks}) >= 4, {t.kind for t in tasks}
        open_ones = [t for t in tasks if t.status == "open"]
        people = [lawyer.id, secretary.id, *sorted({t.assignee_id for t in open_ones})[:4]]
        for person in (s.get(Person, pid) for pid in people):
            for now in (None, env.now):
                together = records.task_facts_of(s, tasks, person, now)
                for task in tasks:
                    one = matters.task_facts(s, task, s.get(Matter, task.matter_id), person, now)
                    assert relevant(together[task.id][0]) == relevant(one), (task.id, person.username)


def relevant(facts):
    """The facts as they bear on this task: of the people the actor stands in for, only its assignee counts."""
    return replace(facts, acting_for=facts.acting_for & {facts.assignee_id})


def test_a_stored_policy_version_is_read_and_parsed_once_per_process(community, sc, statements):
    filed = file_projects(sc, 1, 1)
    with community.sessions.begin() as s:
        version_id = s.get(Matter, filed[0]).policy_version_id
        parsed = policy_set_for(s, version_id)
    with community.sessions.begin() as s:
        again = []
        assert statements.of(lambda: again.append(policy_set_for(s, version_id))) == 0
    assert again == [parsed] and again[0] is parsed
