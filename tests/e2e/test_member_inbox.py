"""A committee member logs in on a phone, finds the task in 我的待办 and approves it."""

from quorum.services import records
from tests.helpers import submit


def test_legal_counsel_approves_his_task_from_the_inbox(sc, live, page_for):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    counsel = sc.holder("legal_counsel")
    page = page_for(counsel)
    task = page.locator("[data-testid=tasks] li", has_text="合法性审查意见")
    assert task.count() == 1
    assert page.locator("[data-testid=nav-count]").inner_text().strip() == "1"
    task.locator("textarea[name=comment]").fill("经审查，采购程序合法合规。")
    task.locator("button[value=approve]").click()
    page.wait_for_load_state()
    assert "已同意" in page.locator(".flash").inner_text()
    assert page.locator("[data-testid=tasks]").inner_text().count("合法性审查意见") == 0
    with sc.sessions.begin() as s:
        opinions = records.matter_record(s, mid)["opinions"]
    assert [(o["requirement"], o["decision"], o["text"]) for o in opinions] == [
        ("legality", "approve", "经审查，采购程序合法合规。")]
