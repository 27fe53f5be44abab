"""A member unit's head, on her phone, answers the 绩效分配方案 with 修改后同意 from 我的待办."""

from sqlalchemy import select

from quorum.db import Opinion
from tests.helpers import current_step
from tests.webui import chains


def test_a_member_unit_agrees_with_changes_from_the_inbox_on_a_phone(sc, live, page_for):
    plan = chains.performance_plan(sc)
    page = page_for(chains.HEAD, width=390)
    task = page.locator("[data-testid=tasks] li", has_text="成员单位征求意见")
    assert task.count() == 1
    buttons = [b.strip() for b in task.locator("button[name=action]").all_inner_texts()]
    assert buttons == ["同意", "修改后同意", "反对", "退回"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390        # nothing wider than the phone

    task.locator("button[value=agree_with_changes]").click()              # no changes written: refused, kept
    page.wait_for_load_state()
    assert "选择「修改后同意」时须填写理由或说明" in page.locator("[data-testid=form-error]").inner_text()

    task = page.locator("[data-testid=tasks] li", has_text="成员单位征求意见")
    task.locator("textarea[name=comment]").fill("建议将家庭医生签约服务费单列，不计入绩效总量。")
    task.locator("button[value=agree_with_changes]").click()
    page.wait_for_load_state()
    assert "已修改后同意" in page.locator(".flash").inner_text()
    assert page.locator("[data-testid=tasks]").inner_text().count("成员单位征求意见") == 0
    with sc.sessions.begin() as s:
        answer = s.execute(select(Opinion).where(Opinion.matter_id == plan)).scalar_one()
        assert (answer.decision, answer.requirement, answer.text) == (
            "agree_with_changes", "wulan_chc", "建议将家庭医生签约服务费单列，不计入绩效总量。")
    assert current_step(sc, plan) == "member_agreement"                  # the other five units still to answer
