"""One 大额资金 matter over the API alone: 申报 → 前置程序 → 分管领导 → 总院长 → 院长办公会 → 纪要 → 督办.

Each step is done by the person who holds the role in the demo 二连浩特 医共体, with their own token,
and the state is read back through the API between steps.
"""

from datetime import datetime, time

from quorum.calendar import TZ
from tests.webui.test_api import as_user, audit_count, set_clock

FIELDS = {"category": "funds", "unit": "general_hospital", "amount": "150000", "budgeted": True,
          "staff_interest": False,
          "summary": "为六家成员单位采购便携式心电图机12台，总价15万元，资金来源为2026年医共体设备购置预算。",
          "options_compared": "方案一：统一采购（15万元）；方案二：各单位自购（约17万元）。推荐方案一。"}


def open_task(api, matter_id: int) -> dict:
    tasks = [t for t in api.get("/me/tasks").get_json()["tasks"] if t["matter_id"] == matter_id]
    assert len(tasks) == 1, tasks
    return tasks[0]


def approve(api, matter_id: int, comment: str) -> dict:
    task = open_task(api, matter_id)
    assert "approve" in task["actions"]
    response = api.post(f"/tasks/{task['id']}/actions", json={"action": "approve", "comment": comment})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_funds_matter_goes_from_filing_to_supervision_over_the_api(app, client, sc):
    secretary, clerk = as_user(client, "gaowenjing"), as_user(client, "sarengaowa")

    # 申报 by the 党政办; 15万 within budget: 院长办公会 decides, the 党委会 step does not apply.
    created = secretary.post("/matters", json={"workflow": "major_matter", "title": "关于统一采购成员单位心电图机的议题",
                                               "fields": FIELDS})
    assert created.status_code == 201, created.get_json()
    matter = created.get_json()
    mid = matter["id"]
    assert [s["applies"] for s in matter["steps"] if s["key"] == "party_committee"] == [False]

    # 前置程序: the legal counsel sees his task with its actions and approves it.
    counsel = as_user(client, "zhouming")
    task = open_task(counsel, mid)
    assert task["actions"] == ["approve", "reject", "return"] and task["action_names"] == ["同意", "不同意", "退回"]
    done = approve(counsel, mid, "经审查，采购程序符合《政府采购法》规定。")
    assert done["task"]["status"] == "done" and done["task"]["actions"] == []
    assert open_task(clerk, mid)["title"].startswith("征求意见汇总")
    approve(clerk, mid, "已征求六家成员单位意见，均表示同意。")
    finished = approve(as_user(client, "yangxiaodong"), mid, "资金已列入2026年预算。")
    assert finished["matter"]["current_step"] == "leader_review"

    # 分管领导 and 总院长. The initiator has no actions on a review of her own matter.
    approve(as_user(client, "liuzhigang"), mid, "同意提交院长办公会研究。")
    president = as_user(client, "eerdun")
    approved = approve(president, mid, "同意列入院长办公会议程。")
    assert approved["matter"]["current_step"] == "president_office"

    # 院长办公会: notice today, meeting three working days later.
    day = sc.env.calendar.add_working_days(sc.env.now.date(), 3).due
    at = datetime.combine(day, time(8, 30), tzinfo=TZ)
    scheduled = secretary.post("/meetings", json={"body": "president_office", "at": at.isoformat(),
                                                  "place": "总医院行政楼三楼会议室", "matters": [mid]})
    assert scheduled.status_code == 201, scheduled.get_json()
    meeting = scheduled.get_json()
    meeting_id = meeting["id"]
    assert datetime.fromisoformat(meeting["scheduled_at"]) == at and meeting["chair"] == "额尔敦"
    members = [m["username"] for m in meeting["members"]]
    assert set(members) == {"eerdun", "liuzhigang", "wuyunqiqige", "zhangliping", "wangjianhua"}
    assert [m["id"] for m in secretary.get("/meetings").get_json()] == [meeting_id]

    set_clock(app, sc, at)
    assert secretary.post(f"/meetings/{meeting_id}/open").get_json()["status"] == "in_session"
    for username in members:
        marked = secretary.post(f"/meetings/{meeting_id}/attendance", json={"person": username, "status": "present"})
        assert marked.status_code == 200 and marked.get_json()["status"] == "present"
    observer = secretary.post(f"/meetings/{meeting_id}/attendance", json={"person": "sunlixin", "status": "observer"})
    assert observer.status_code == 200
    assert as_user(client, "sunlixin").get(f"/meetings/{meeting_id}").get_json()["observers"] == ["孙立新"]

    # 末位表态: the chair may not speak first.
    chair_waits = [v for v in president.get("/me/tasks").get_json()["votes"] if v["meeting_id"] == meeting_id]
    assert chair_waits[0]["chair_waiting"] is True and chair_waits[0]["options"] == ["agree", "disagree", "abstain"]
    early = president.post(f"/meetings/{meeting_id}/items/1/votes", json={"choice": "agree"})
    assert early.status_code == 409
    assert early.get_json()["error"] == "chair_must_speak_last" and "末位表态" in early.get_json()["message"]
    for username in ("liuzhigang", "wuyunqiqige", "wangjianhua"):
        cast = as_user(client, username).post(f"/meetings/{meeting_id}/items/1/votes", json={"choice": "agree"})
        assert cast.status_code == 201, cast.get_json()
    accountant = as_user(client, "zhangliping")
    dissent = accountant.post(f"/meetings/{meeting_id}/items/1/votes",
                              json={"choice": "disagree", "reason": "建议分两批采购，先配备牧区卫生服务站。"})
    assert dissent.status_code == 201
    again = accountant.post(f"/meetings/{meeting_id}/items/1/votes", json={"choice": "agree"})
    assert again.status_code == 409 and again.get_json()["error"] == "already_voted"
    last = president.post(f"/meetings/{meeting_id}/items/1/votes", json={"choice": "agree"}).get_json()
    assert [b["name"] for b in last["ballots"]][-1] == "额尔敦" and last["pending"] == []

    decided = secretary.post(f"/meetings/{meeting_id}/items/1/close")
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["result"] == "passed" and decided.get_json()["counts"]["agree"] == 4
    assert secretary.post(f"/meetings/{meeting_id}/close").get_json()["status"] == "closed"

    # 纪要 and 督办 by the 党政办.
    record_task = open_task(secretary, mid)
    assert record_task["actions"] == ["record"]
    recorded = secretary.post(f"/tasks/{record_task['id']}/actions", json={
        "action": "record", "comment": "会议同意统一采购成员单位心电图机12台，总价15万元。",
        "record": {"items": [{"title": "完成心电图机政府采购并配发到六家成员单位", "lead_unit": "general_hospital",
                              "co_units": ["finance_bureau"], "due_working_days": 20}]}})
    assert recorded.status_code == 200, recorded.get_json()
    assert recorded.get_json()["matter"]["current_step"] == "supervision"
    board = clerk.get("/supervision").get_json()
    assert [(i["title"], i["lead_unit"], i["status"]) for i in board] == [
        ("完成心电图机政府采购并配发到六家成员单位", "二连浩特市总医院", "open")]
    datetime.fromisoformat(board[0]["due_date"])
    reported = clerk.post(f"/supervision/{board[0]['id']}/reports",
                          json={"text": "12台心电图机已到货并配发完毕。", "done": True})
    assert reported.status_code == 201 and reported.get_json()["status"] == "done"

    final = secretary.get(f"/matters/{mid}").get_json()
    assert final["status"] == "closed" and final["documents"] == []
    assert final["decision"]["last"]["result"] == "passed"
    assert [o["author"] for o in final["opinions"]][:3] == ["周明", "萨仁高娃", "杨晓东"]
    assert "meeting.ballot" in [e["kind"] for e in final["timeline"]]

    verified = as_user(client, "sunlixin").get("/audit/verify")
    assert verified.status_code == 200
    assert verified.get_json() == {"ok": True, "events": audit_count(sc), "first_bad_seq": None, "reason": ""}
