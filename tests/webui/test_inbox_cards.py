"""The approval card (issue 15, item 5): 我的待办 shows, on each task, the facts that decide — amount, unit,
workflow and category, due date, attachments, why the step came here — and lets its holder approve or return
with an opinion from the card; a stale card is a 409 with the reason; a 退回 asks where and says where it went.

The world: the demo's organisation; a 三重一大 项目 of ¥860,000 for the 总医院 past its gate opinions, waiting for
the two 分管领导 (或签).
"""

import io
from dataclasses import replace

from sqlalchemy import select

from quorum.db import Matter, Task
from quorum.services import attachments, org
from tests.helpers import give_gate_opinions, submit
from tests.webui.conftest import as_user, flashes, post, text


def reviews(sc, community, matter_id: int) -> list[tuple[int, str]]:
    give_gate_opinions(sc, matter_id)
    from quorum.db import Person
    with community.sessions() as s:
        return list(s.execute(select(Task.id, Person.username).join(Person, Person.id == Task.assignee_id)
                              .where(Task.matter_id == matter_id, Task.status == "open").order_by(Task.id)).all())


def files_env(app, sc):
    return replace(sc.env, files_dir=app.extensions["quorum"].settings.data_dir / "files")


def card(html: str, task_id: int) -> str:
    start = html.index(f'data-testid="task-{task_id}"')
    end = html.find('data-testid="task-', start + 10)
    return html[start:end if end > 0 else len(html)]


def test_the_card_shows_the_facts_that_decide(app, sc, community):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    with community.sessions.begin() as s:
        filer = org.person(s, sc.holder("secretariat", 0))
        attachments.add(s, files_env(app, sc), filer, mid, "建设方案.pdf", "application/pdf", b"%PDF-1.4 plan")
    [(task_id, holder), _other] = reviews(sc, community, mid)
    shown = card(text(as_user(app, holder).get("/tasks")), task_id)
    assert 'data-testid="amount-' in shown and "¥860,000" in shown
    assert "二连浩特市总医院" in shown                                   # the unit, by its name
    assert "三重一大事项集体决策" in shown and "重大项目安排" in shown     # workflow and category
    assert "时限" in shown and "2026-" in shown
    assert f'data-testid="attachments-{task_id}">1 个' in shown
    assert 'data-testid="why-' in shown and "所有事项均须经此环节" in shown
    assert f'action="/tasks/{task_id}/act"' in shown and 'name="comment"' in shown
    assert "不同意时：退回「议题申报」" in shown                          # where a 不同意 sends it, said before


def test_approving_from_the_card_confirms_and_the_card_leaves_the_list(app, sc, community):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    [(task_id, holder), (other_id, _)] = reviews(sc, community, mid)
    leader = as_user(app, holder)
    done = post(leader, f"/tasks/{task_id}/act", {"action": "approve", "comment": "同意，注意控制预算。"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/tasks")
    assert "已同意：分管领导审核签字：关于建设医共体远程会诊中心的议题" in flashes(leader)
    page = text(leader.get("/tasks"))
    assert f'data-testid="task-{task_id}"' not in page
    with community.sessions() as s:
        assert s.get(Task, task_id).status == "done" and s.get(Task, other_id).status == "cancelled"   # 或签

    stale = post(leader, f"/tasks/{task_id}/act", {"action": "approve", "comment": "再点一次", "card": "1"})
    assert stale.status_code == 409, stale.status_code                  # a stale card: the list, and why
    assert 'data-testid="form-error"' in text(stale) and "Traceback" not in text(stale)


def test_returning_from_the_card_asks_where_and_says_where_it_went(app, sc, community):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    [(task_id, holder), _other] = reviews(sc, community, mid)
    leader = as_user(app, holder)
    shown = card(text(leader.get("/tasks")), task_id)
    assert f'data-testid="return-to-{task_id}"' in shown
    assert '<option value="proposal" selected>议题申报</option>' in shown and "前置程序" in shown
    post(leader, f"/tasks/{task_id}/act", {"action": "return", "comment": "请补充法律意见书原件。",
                                           "return_to": "pre_review"})
    assert "已退回：分管领导审核签字：关于建设医共体远程会诊中心的议题，退回至「前置程序」" in flashes(leader)
    with community.sessions() as s:
        assert s.get(Matter, mid).current_step == "pre_review"


def test_an_upload_is_counted_on_every_card_of_its_matter(app, sc, community):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题", amount="1234.5")
    [(task_id, holder), (other_id, other)] = reviews(sc, community, mid)
    with community.sessions.begin() as s:
        filer = org.person(s, sc.holder("secretariat", 0))
        for n in range(3):
            attachments.add(s, files_env(app, sc), filer, mid, f"报价单{n}.pdf", "application/pdf", io.BytesIO(b"%PDF").read())
    for task, username in ((task_id, holder), (other_id, other)):
        shown = card(text(as_user(app, username).get("/tasks")), task)
        assert f'data-testid="attachments-{task}">3 个' in shown and "¥1,234.50" in shown


def test_the_unit_head_is_told_who_files_a_large_expenditure(app, sc):
    head = sc.holder("member_unit_head", 0, "wulan_chc")
    page = text(as_user(app, head).get("/matters/new"))
    assert 'data-testid="file-member_performance_plan"' in page           # what the head may file
    assert 'data-testid="file-expenditure"' not in page
    other = page[page.index('data-testid="cannot-file-expenditure"'):]
    assert "成员单位大额资金使用审批" in other[:400] and "须由成员单位副职（班子成员）申报" in other[:400]
