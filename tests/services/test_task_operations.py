"""Task operations: 撤回 before anyone acted, 转交 to a colleague, 催办 once a day."""

import pytest
from sqlalchemy import select

from quorum.core.errors import InvalidInput, NotPermitted
from quorum.db import Task
from quorum.services import matters, records
from tests.helpers import give_gate_opinions, person, submit


def record(sc, mid):
    with sc.sessions.begin() as s:
        return records.matter_record(s, mid)


def test_initiator_withdraws_before_anyone_acted_but_not_after(sc):
    secretary = sc.holder("secretariat", 0)
    first = submit(sc, "关于购置总医院办公家具的议题", category="funds", amount="60000")
    with pytest.raises(NotPermitted):
        sc.do(sc.holder("president"), matters.withdraw, first, "不需要了")
    sc.do(secretary, matters.withdraw, first, "预算调整，暂不购置")
    m = record(sc, first)
    assert m["status"] == "withdrawn" and all(t["status"] != "open" for t in m["tasks"])

    second = submit(sc, "关于购置总医院会议设备的议题", category="funds", amount="60000")
    counsel = sc.holder("legal_counsel")
    sc.do(counsel, matters.act, sc.task_of(counsel, second, "legality"), "approve", "合法。")
    with pytest.raises(InvalidInput) as refused:
        sc.do(secretary, matters.withdraw, second, "改变主意")
    assert "已有人办理过此事项" in str(refused.value)
    assert record(sc, second)["status"] == "active"


def test_a_task_is_transferred_and_the_new_holder_acts(sc):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    counsel, risk = sc.holder("legal_counsel"), sc.holder("risk_officer")
    task_id = sc.task_of(counsel, mid, "legality")
    with pytest.raises(NotPermitted):
        sc.do(risk, matters.transfer, task_id, person(sc, risk), "代为审查")
    sc.do(counsel, matters.transfer, task_id, person(sc, risk), "本人出差，请风险管理科代为审查")
    assert sc.task_of(counsel, mid, "legality") is None
    new_task = sc.task_of(risk, mid, "legality")
    sc.do(risk, matters.act, new_task, "approve", "经审查合法。")
    opinions = [o for o in record(sc, mid)["opinions"] if o["requirement"] == "legality"]
    assert [(o["author"], o["decision"]) for o in opinions] == [(person(sc, risk).name, "approve")]
    with sc.sessions.begin() as s:
        old = s.get(Task, task_id)
        assert (old.status, old.outcome) == ("cancelled", "transferred")


def test_review_is_never_transferred_to_the_initiator(sc):
    vp = sc.holder("vice_president", 0)
    mid = submit(sc, "关于调整总医院夜班费标准的议题", category="decision", amount=None, initiator=vp)
    give_gate_opinions(sc, mid)
    other = sc.holder("vice_president", 1)
    with pytest.raises(NotPermitted) as refused:
        sc.do(other, matters.transfer, sc.task_of(other, mid), person(sc, vp), "请分管领导本人审核")
    assert refused.value.key == "self_approval"


def test_urge_once_a_day_by_the_initiator_or_secretariat(sc):
    mid = submit(sc, "关于建设医共体远程会诊中心的议题")
    counsel = sc.holder("legal_counsel")
    task_id = sc.task_of(counsel, mid, "legality")
    with pytest.raises(NotPermitted):
        sc.do(sc.holder("risk_officer"), matters.urge, task_id)
    sc.do(sc.holder("secretariat", 0), matters.urge, task_id)
    with pytest.raises(InvalidInput):
        sc.do(sc.holder("secretariat", 1), matters.urge, task_id)
    sc.env = sc.env.later(days=1)
    sc.do(sc.holder("secretariat", 1), matters.urge, task_id)
    with sc.sessions.begin() as s:
        from quorum.db import AuditEvent
        urged = s.execute(select(AuditEvent).where(AuditEvent.kind == "task.urged")).scalars().all()
    assert len(urged) == 2 and all(e.subject_id == task_id for e in urged)
