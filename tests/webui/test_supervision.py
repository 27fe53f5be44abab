"""督办 in the browser: the board by lead unit and due date, and who may report or sign an item off.

The demo 医共体 has just decided to build its 远程会诊中心 (quorum.services.demo.run): the 党委会's
record opened two 督办 items led by the 总医院 — the procurement (co-unit 市财政局, due 2026-11-24)
and the roll-out to the six member units (due 2026-11-30). Two more come from a supplementary
record: one led by the 蒙医中医医院 that was due before today (Monday 2026-11-02), and one led by
the 锡林社区中心 due in 2027, beyond the published holiday calendar, so its date is provisional.
"""

import re

from sqlalchemy import func, select

from quorum.db import Matter, ProgressReport, SupervisionItem
from quorum.services import org, records, supervision
from tests.webui.conftest import as_user, business_events, flashes, post, text

PROCUREMENT = "完成远程会诊中心设备与平台的政府采购"
ROLL_OUT = "完成与六家成员单位远程会诊系统的联调上线"
PRICING = "制定远程会诊收费与绩效分配办法"
SECURITY = "完成远程会诊中心等保二级测评"
LEAD = "liuzhigang"            # 总医院副院长: the lead unit of the procurement
CO_UNIT = "geriletu"           # 市财政局局长: a co-unit of the procurement
OUTSIDER = "hasi"              # 市医保局局长: no part in any of these items


def decided_community(sc, community, decided_demo) -> dict[str, int]:
    """Run the demo decision and add the supplementary 督办 items; return item ids by title."""
    result = decided_demo(sc.env)
    with community.sessions.begin() as s:
        matter = s.get(Matter, result["matter_id"])
        supervision.record_decision(s, sc.env, org.person(s, "gaowenjing"), matter, {"items": [
            {"title": PRICING, "lead_unit": "mongolian_tcm_hospital", "co_units": ["general_hospital"],
             "due_date": "2026-10-30"},
            {"title": SECURITY, "lead_unit": "xilin_chc", "due_date": "2027-03-31"}]},
            "会议同意建设医共体远程会诊中心，并明确收费办法和等保测评的责任单位。")
        return {r["title"]: r["id"] for r in records.supervision_records(s)}





def snapshot(community) -> dict:
    with community.sessions.begin() as s:
        return {"reports": s.execute(select(func.count()).select_from(ProgressReport)).scalar_one(),
                "events": business_events(s),
                "statuses": sorted(s.execute(select(SupervisionItem.id, SupervisionItem.status)).all())}


def groups(page: str) -> list[tuple[str, list[str]]]:
    """(lead unit, item titles in order) for each group on the board, in order."""
    out = []
    for unit, body in re.findall(r'data-testid="unit-([^"]+)">(.*?)</section>', page, re.S):
        out.append((unit, re.findall(r"<strong>([^<]+)</strong>", body)))
    return out


def item_block(page: str, item_id: int) -> str:
    match = re.search(rf'<li id="sup-{item_id}".*?</li>\s*(?=<li id="sup-|</ul>)', page, re.S)
    assert match, f"no 督办 item {item_id} on the board"
    return match.group(0)


def report(client, item_id: int, note: str, done: bool = False):
    data = {"text": note, "next": "/supervision?unit=&status="}
    if done:
        data["done"] = "1"
    response = post(client, f"/supervision/{item_id}/report", data, page="/supervision")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/supervision?unit=&status=#sup-{item_id}")
    return response


# --------------------------------------------------------------------------------------------


def test_board_groups_by_lead_unit_sorted_by_due_date_with_overdue_and_provisional_marked(app, sc, community, decided_demo):
    ids = decided_community(sc, community, decided_demo)
    page = text(as_user(app, LEAD).get("/supervision"))
    assert groups(page) == [("二连浩特市蒙医中医医院", [PRICING]),          # overdue first
                            ("二连浩特市总医院", [PROCUREMENT, ROLL_OUT]),   # then by due date
                            ("二连浩特市锡林社区卫生服务中心", [SECURITY])]
    assert "已逾期" in item_block(page, ids[PRICING]) and 'class="overdue"' in item_block(page, ids[PRICING])
    assert "已逾期" not in item_block(page, ids[PROCUREMENT])
    assert "时限 2026-11-24" in item_block(page, ids[PROCUREMENT])
    assert "暂定" in item_block(page, ids[SECURITY]) and "暂定" not in item_block(page, ids[ROLL_OUT])
    assert "配合单位：二连浩特市财政局" in item_block(page, ids[PROCUREMENT])
    assert "采购需求已论证，招标文件已报财政局备案。" in item_block(page, ids[PROCUREMENT])

    by_unit = text(as_user(app, LEAD).get("/supervision?unit=二连浩特市财政局"))
    assert groups(by_unit) == [("二连浩特市总医院", [PROCUREMENT])]
    overdue = text(as_user(app, LEAD).get("/supervision?status=overdue"))
    assert groups(overdue) == [("二连浩特市蒙医中医医院", [PRICING])]
    assert "没有符合条件的督办事项" in text(as_user(app, LEAD).get("/supervision?status=done"))

    # Three weeks on, the procurement is late too.
    app.extensions["quorum"].fixed_now = sc.env.now.replace(day=25)
    later = text(as_user(app, LEAD).get("/supervision?status=overdue"))
    assert groups(later) == [("二连浩特市蒙医中医医院", [PRICING]), ("二连浩特市总医院", [PROCUREMENT])]
    assert "已逾期" in item_block(later, ids[PROCUREMENT])


def test_a_co_unit_reports_progress_but_only_the_lead_unit_signs_the_item_off(app, sc, community, decided_demo):
    ids = decided_community(sc, community, decided_demo)
    finance = as_user(app, CO_UNIT)
    before = snapshot(community)
    report(finance, ids[PROCUREMENT], "财政局已完成采购预算审核。", done=True)
    assert "只有牵头单位的负责人或党政办可以确认督办事项办结" in flashes(finance)
    assert snapshot(community) == before

    report(finance, ids[PROCUREMENT], "财政局已完成采购预算审核。")
    assert "已报告进展：" + PROCUREMENT in flashes(finance)
    after = snapshot(community)
    assert after["reports"] == before["reports"] + 1 and after["statuses"] == before["statuses"]

    lead = as_user(app, LEAD)
    report(lead, ids[PROCUREMENT], "设备与平台已完成政府采购，合同已签订。", done=True)
    assert "已确认办结：" + PROCUREMENT in flashes(lead)
    with community.sessions.begin() as s:
        assert s.get(SupervisionItem, ids[PROCUREMENT]).status == "done"
    block = item_block(text(lead.get("/supervision")), ids[PROCUREMENT])
    assert "已办结" in block and "确认办结" in block and "报告进展" not in block
    assert "财政局已完成采购预算审核。" in block


def test_who_may_see_and_use_the_board(app, sc, community, decided_demo):
    ids = decided_community(sc, community, decided_demo)
    anonymous = app.test_client()
    response = anonymous.get("/supervision")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    before = snapshot(community)
    response = post(anonymous, f"/supervision/{ids[PRICING]}/report", {"text": "已完成", "done": "1"}, page="/login")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert snapshot(community) == before

    outsider = as_user(app, OUTSIDER)
    assert outsider.get("/supervision").status_code == 200          # the board is open to every signed-in user
    for done in (False, True):
        report(outsider, ids[PRICING], "医保局已知悉。", done=done)
        assert "只有责任单位（牵头单位、协办单位）的负责人或党政办可以报告督办进展" in flashes(outsider)
    lead = as_user(app, LEAD)
    report(lead, ids[PROCUREMENT], "   ")
    assert "进展情况" in flashes(lead)                    # the engine asks for the text
    assert snapshot(community) == before

    # A co-unit of one item is no co-unit of another.
    finance = as_user(app, CO_UNIT)
    report(finance, ids[ROLL_OUT], "财政局配合联调。")
    assert "只有责任单位（牵头单位、协办单位）的负责人或党政办可以报告督办进展" in flashes(finance)
    assert snapshot(community) == before
