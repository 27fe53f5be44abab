"""三重一大, end to end: 议题申报 → 前置程序 → 分管领导 → 主要负责人 → 院长办公会 → 党委会 → 纪要 → 督办.

Every step runs in its own transaction as the person who would act, and the test reads the matter
back from the database before each assertion. Runs on SQLite and PostgreSQL.
"""

from sqlalchemy import select

from quorum.db import Matter, Person, PolicyVersion, SupervisionItem, Task
from quorum.services import audit, matters, meetings, records, supervision
from tests.helpers import all_agree, pass_gate_and_reviews, person, schedule, start, submit


def matter(sc, matter_id):
    with sc.sessions.begin() as s:
        return records.matter_record(s, matter_id)


def step_status(record, key):
    return next(st["status"] for st in record["steps"] if st["key"] == key)


def open_task(sc, username, matter_id, requirement=None):
    task_id = sc.task_of(username, matter_id, requirement)
    assert task_id is not None, f"{username} has no open task on matter {matter_id}"
    return task_id


def test_remote_consultation_centre_from_proposal_to_supervision(sc):
    secretary, clerk = sc.holder("secretariat", 0), sc.holder("secretariat", 1)

    # 议题申报 by 党政办: a 重大项目安排 of 86万元 within budget.
    submitted = sc.do(secretary, matters.submit, "major_matter", "关于建设医共体远程会诊中心的议题", {
        "category": "重大项目安排", "unit": "general_hospital", "amount": "860,000", "budgeted": "是",
        "staff_interest": "否", "summary": "建设远程会诊中心，连通六家成员单位。"})
    mid = submitted.id
    m = matter(sc, mid)
    assert m["status"] == "active" and m["current_step"] == "pre_review"
    assert any("金额 860,000 元 ≥ 200,000 元" in line and "须提交党委会集体决策" in line for line in m["route"])
    assert step_status(m, "president_office") == "pending" and step_status(m, "party_committee") == "pending"
    with sc.sessions.begin() as s:
        row = s.get(Matter, mid)
        version = s.get(PolicyVersion, row.policy_version_id)
        assert row.policy_digest == version.digest == sc.env.policies.digest
        # 前置程序 of a project: 合法性审查, 风险评估, 征求意见, 财务审核 — no 职代会, no 纪检.
        requirements = set(s.execute(select(Task.requirement).where(Task.matter_id == mid)).scalars())
    assert requirements == {"legality", "risk", "consultation", "finance"}

    # Nobody may put it on an agenda before the 前置程序 is done.
    sc.env = sc.env.later(hours=1)
    refusal = sc.refused(secretary, meetings.schedule, "president_office", "", _in_working_days(sc, 3),
                         "会议室", [mid])
    assert "前置程序未完成" in refusal or "当前处于「前置程序」" in refusal

    for role, requirement in (("legal_counsel", "legality"), ("risk_officer", "risk"),
                              ("finance_center_head", "finance")):
        who = sc.holder(role)
        sc.do(who, matters.act, open_task(sc, who, mid, requirement), "approve", "同意。")
    assert matter(sc, mid)["current_step"] == "pre_review"        # 征求意见 still missing
    sc.do(clerk, matters.act, open_task(sc, clerk, mid, "consultation"), "approve", "各成员单位均同意。")
    m = matter(sc, mid)
    assert step_status(m, "pre_review") == "done" and m["current_step"] == "leader_review"
    # 或签: the secretary's own consultation task was cancelled when the clerk answered.
    assert sc.task_of(secretary, mid, "consultation") is None

    # The initiator holds no review task; the 分管副院长 signs, the 院长 approves for the agenda.
    vp = sc.holder("vice_president", 0)
    sc.do(vp, matters.act, open_task(sc, vp, mid), "approve", "同意上会。")
    assert sc.task_of(sc.holder("vice_president", 1), mid) is None
    president = sc.holder("president")
    sc.do(president, matters.act, open_task(sc, president, mid), "approve", "同意列入院长办公会议程。")
    assert matter(sc, mid)["current_step"] == "president_office"

    # 院长办公会: all five agree, the 院长 last.
    office = schedule(sc, "president_office", [mid])
    people = start(sc, office)
    assert people["chair"] == president
    for member in people["members"]:
        if member != president:
            sc.do(member, meetings.vote, office, 1, "agree")
    sc.do(president, meetings.vote, office, 1, "agree")
    sc.do(secretary, meetings.close_item, office, 1)
    sc.do(secretary, meetings.close, office)
    m = matter(sc, mid)
    assert m["agenda_items"][0]["result"] == "passed"
    assert m["current_step"] == "party_committee"                  # 提请党委会

    # 党委会: 9 seats, one recused (supplier relative), one absent with a written opinion, one dissent.
    recused = sc.holder("member_unit_party_leader", unit="mongolian_tcm_hospital")
    absent = sc.holder("member_unit_party_leader", unit="gerile_station")
    dissenter = sc.holder("member_unit_party_leader", unit="xilin_chc")
    party = schedule(sc, "party_committee", [mid])
    people = start(sc, party, absent={absent: "下乡巡诊"})
    chair = people["chair"]
    assert chair == sc.holder("party_secretary")
    sc.do(secretary, meetings.recuse, party, 1, person(sc, recused), "近亲属在拟投标供应商任职")
    sc.do(secretary, meetings.written_opinion, party, 1, person(sc, absent), "同意，建议优先连通牧区。")
    for member in people["members"]:
        if member in (chair, recused, absent):
            continue
        if member == dissenter:
            sc.do(member, meetings.vote, party, 1, "disagree", "建议先试点两家社区中心。")
        else:
            sc.do(member, meetings.vote, party, 1, "agree")
    sc.do(chair, meetings.vote, party, 1, "agree")
    sc.do(secretary, meetings.close_item, party, 1)
    sc.do(secretary, meetings.close, party)

    m = matter(sc, mid)
    item = m["agenda_items"][1]
    assert item["result"] == "passed"
    assert item["counts"] == {"agree": 6, "disagree": 1, "abstain": 0}
    assert "应到会9人，回避1人，计算基数8人，实到（未回避）7人，法定人数须6人" in item["basis"]
    assert item["ballots"][-1]["name"] == item["presiding"]           # 末位表态 recorded in order
    assert [b["reason"] for b in item["ballots"] if b["choice"] == "disagree"] == ["建议先试点两家社区中心。"]
    assert [w["text"] for w in item["written_opinions"]] == ["同意，建议优先连通牧区。"]
    assert m["decision"]["last"]["body"] == "party_committee"
    assert m["current_step"] == "record"

    # 纪要 and 督办: the 党政办 records the decision and two items with lead units and deadlines.
    sc.env = sc.env.later(days=1)
    sc.do(secretary, matters.act, open_task(sc, secretary, mid), "record", "会议同意建设远程会诊中心。", record={
        "items": [{"title": "完成设备与平台的政府采购", "lead_unit": "general_hospital",
                   "co_units": ["finance_bureau"], "due_working_days": 20},
                  {"title": "完成与六家成员单位的联调上线", "lead_unit": "general_hospital",
                   "co_units": ["wulan_chc", "dongcheng_chc"], "due_date": "2026-12-31"}]})
    m = matter(sc, mid)
    assert m["current_step"] == "supervision" and len(m["supervision"]) == 2
    assert m["supervision"][1]["due_date"].isoformat() == "2026-12-31"

    # A co-unit may report progress but not close the item; the lead unit closes both; the matter ends.
    with sc.sessions.begin() as s:
        item_ids = list(s.execute(select(SupervisionItem.id).where(SupervisionItem.matter_id == mid)
                                  .order_by(SupervisionItem.id)).scalars())
    wulan_head = sc.holder("member_unit_head", unit="wulan_chc")
    sc.refused(wulan_head, supervision.report, item_ids[1], "本中心已完成网络改造。", done=True)
    sc.do(wulan_head, supervision.report, item_ids[1], "本中心已完成网络改造。")
    for item_id in item_ids:
        sc.do(president, supervision.report, item_id, "已完成。", done=True)
    m = matter(sc, mid)
    assert m["status"] == "closed" and m["current_step"] is None
    assert step_status(m, "supervision") == "done"

    with sc.sessions.begin() as s:
        check = audit.verify(s)
    assert check.ok and check.count > 60
    kinds = [e["kind"] for e in m["timeline"]]
    assert kinds[0] == "matter.submitted" and kinds[-1] == "matter.closed"


def test_small_budgeted_expenditure_ends_at_the_presidents_office(sc):
    secretary = sc.holder("secretariat", 0)
    mid = submit(sc, "关于购置乌兰社区卫生服务中心办公设备的议题", category="funds", amount="150000")
    m = matter(sc, mid)
    assert step_status(m, "party_committee") == "skipped"
    assert any("金额 150,000 元 < 200,000 元" in line for line in m["route"])
    pass_gate_and_reviews(sc, mid)
    office = schedule(sc, "president_office", [mid])
    people = start(sc, office)
    all_agree(sc, office, people)
    sc.do(secretary, meetings.close_item, office, 1)
    assert matter(sc, mid)["current_step"] == "record"             # no 党委会 step for this one


def _in_working_days(sc, n):
    from datetime import datetime, time

    from quorum.calendar import TZ
    day = sc.env.calendar.add_working_days(sc.env.now.date(), n).due
    return datetime.combine(day, time(9), tzinfo=TZ)


def test_the_timeline_names_people_never_usernames(sc):
    """分派待办 前置程序 → 高文静, not → gaowenjing (issue 14: no internal identifier reaches a person)."""
    mid = submit(sc, "关于购置数字化X光机的议题")
    with sc.sessions.begin() as s:
        usernames = set(s.execute(select(Person.username)).scalars())
        details = [e["detail"] for e in records.matter_record(s, mid)["timeline"]]
    handed = [d for d in details if "→ " in d]
    assert handed and all(d.split("→ ", 1)[1] not in usernames for d in handed)
    assert not any(u in d.split() for d in details for u in usernames)
