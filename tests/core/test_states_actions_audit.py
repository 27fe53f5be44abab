"""quorum.core.states, quorum.core.actions and quorum.core.audit."""

import dataclasses
import hashlib
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from quorum.core import states
from quorum.core.actions import TaskFacts, available_actions, require_action
from quorum.core.audit import GENESIS, Break, canonical_json, chain_hash, json_safe, verify
from quorum.core.errors import InvalidTransition, NotPermitted
from quorum.core.messages import MESSAGES
from quorum.core.states import (
    ITEM,
    MATTER,
    MEETING,
    STEP,
    TASK,
    ItemStatus,
    MatterStatus,
    MeetingStatus,
    StepStatus,
    TaskStatus,
    advance,
)

# --- states --------------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "what", "current", "new"), [
    (MATTER, "matter", MatterStatus.ACTIVE, MatterStatus.CLOSED),
    (MATTER, "matter", MatterStatus.ACTIVE, MatterStatus.WITHDRAWN),
    (STEP, "step", StepStatus.PENDING, StepStatus.SKIPPED),
    (STEP, "step", StepStatus.ACTIVE, StepStatus.RETURNED),
    (STEP, "step", StepStatus.DONE, StepStatus.PENDING),
    (TASK, "task", TaskStatus.OPEN, TaskStatus.CANCELLED),
    (MEETING, "meeting", MeetingStatus.SCHEDULED, MeetingStatus.IN_SESSION),
    (ITEM, "item", ItemStatus.VOTING, ItemStatus.DEFERRED),
])
def test_allowed_transitions(table, what, current, new):
    assert advance(table, what, current, new, "处理") == new


def test_withdrawn_matter_cannot_be_approved():
    with pytest.raises(InvalidTransition) as info:
        advance(MATTER, "matter", MatterStatus.WITHDRAWN, MatterStatus.CLOSED, "办结")
    assert str(info.value) == "事项当前状态为「已撤回」，不能办结"
    assert info.value.key == "invalid_transition"
    assert info.value.http_status == 409


def test_decided_item_cannot_be_voted_again():
    with pytest.raises(InvalidTransition) as info:
        advance(ITEM, "item", ItemStatus.DECIDED, ItemStatus.VOTING, "表决")
    assert str(info.value) == "议题当前状态为「已决定」，不能表决"


def test_closed_meeting_cannot_reopen():
    with pytest.raises(InvalidTransition) as info:
        advance(MEETING, "meeting", MeetingStatus.CLOSED, MeetingStatus.IN_SESSION, "开会")
    assert str(info.value) == "会议当前状态为「已散会」，不能开会"      # the meeting's own word, as on its pages


def test_scheduled_meeting_cannot_close_without_session():
    with pytest.raises(InvalidTransition, match="会议当前状态为「已安排」，不能闭会"):
        advance(MEETING, "meeting", MeetingStatus.SCHEDULED, MeetingStatus.CLOSED, "闭会")


def test_done_task_cannot_be_done_again():
    with pytest.raises(InvalidTransition, match="待办当前状态为「已完成」，不能同意"):
        advance(TASK, "task", TaskStatus.DONE, TaskStatus.DONE, "同意")


def test_pending_step_cannot_jump_to_done():
    with pytest.raises(InvalidTransition, match="环节当前状态为「待处理」，不能完成"):
        advance(STEP, "step", StepStatus.PENDING, StepStatus.DONE, "完成")


@pytest.mark.parametrize("status", sorted({
    str(s) for enum in (states.MatterStatus, states.StepStatus, states.TaskStatus, states.MeetingStatus,
                        states.ItemStatus, states.SupervisionStatus) for s in enum}))
def test_every_status_has_a_chinese_name(status):
    """advance() and the record pages show message(f"status.{…}"); a missing key leaks "status.deferred"."""
    assert f"status.{status}" in MESSAGES


# --- actions -------------------------------------------------------------------------------

LIU_ZHIGANG = 201      # 分管副院长, the assignee of 分管领导审核签字
GAO_WENJING = 301      # 党政办公室, who submitted the matter
EERDUN = 103           # 总院长, someone else

REVIEW = TaskFacts(task_open=True, kind="review", assignee_id=LIU_ZHIGANG, actor_id=LIU_ZHIGANG,
                   matter_initiator_id=GAO_WENJING, can_return=True)


def test_assignee_may_approve_reject_and_return():
    assert available_actions(REVIEW) == ["approve", "reject", "return"]


def test_assignee_without_earlier_step_cannot_return():
    assert available_actions(dataclasses.replace(REVIEW, can_return=False)) == ["approve", "reject"]


def test_gate_assignee_actions():
    gate = dataclasses.replace(REVIEW, kind="gate", can_return=False)
    assert available_actions(gate) == ["approve", "reject"]


def test_record_task():
    record = dataclasses.replace(REVIEW, kind="record", assignee_id=GAO_WENJING, actor_id=GAO_WENJING,
                                 matter_initiator_id=LIU_ZHIGANG)
    assert available_actions(record) == ["record"]


def test_resubmit_task_for_the_initiator():
    resubmit = dataclasses.replace(REVIEW, kind="resubmit", assignee_id=GAO_WENJING, actor_id=GAO_WENJING,
                                   matter_initiator_id=GAO_WENJING, can_return=False)
    assert available_actions(resubmit) == ["resubmit", "withdraw"]
    require_action(resubmit, "withdraw")


def test_initiator_gets_nothing_on_a_review_of_their_own_matter():
    own = dataclasses.replace(REVIEW, matter_initiator_id=LIU_ZHIGANG)
    assert available_actions(own) == []
    with pytest.raises(NotPermitted) as info:
        require_action(own, "approve")
    assert info.value.key == "self_approval"
    assert str(info.value) == "不得审批本人提交的事项"
    assert info.value.http_status == 403


def test_someone_else_gets_nothing():
    other = dataclasses.replace(REVIEW, actor_id=EERDUN)
    assert available_actions(other) == []
    with pytest.raises(NotPermitted) as info:
        require_action(other, "approve")
    assert info.value.key == "not_permitted"
    assert str(info.value) == "无权执行此操作：该待办不是分派给您的，您也不是其代理人"


def test_closed_task_gets_nothing():
    closed = dataclasses.replace(REVIEW, task_open=False)
    assert available_actions(closed) == []
    with pytest.raises(NotPermitted, match="该待办已办结"):
        require_action(closed, "approve")


def test_action_the_task_does_not_support():
    with pytest.raises(NotPermitted) as info:
        require_action(REVIEW, "record")
    assert str(info.value) == "无权执行此操作：此待办不支持「形成纪要/决定」操作"


def test_require_action_allows_what_is_available():
    for action in ("approve", "reject", "return"):
        assert require_action(REVIEW, action) is None


def test_initiator_asking_an_unsupported_action_on_a_resubmit_task_is_not_called_self_approval():
    """Nothing is being approved here: the refusal should name the unsupported action."""
    resubmit = dataclasses.replace(REVIEW, kind="resubmit", assignee_id=GAO_WENJING, actor_id=GAO_WENJING,
                                   matter_initiator_id=GAO_WENJING, can_return=False)
    with pytest.raises(NotPermitted) as info:
        require_action(resubmit, "approve")
    assert info.value.key == "not_permitted"
    assert str(info.value) == "无权执行此操作：此待办不支持「同意」操作"


# --- audit ---------------------------------------------------------------------------------

TZ = timezone(timedelta(hours=8))
EVENTS = [
    {"type": "matter.submitted", "actor": "高文静", "matter": "总医院CT机房防护改造工程",
     "amount": Decimal("600000"), "at": datetime(2026, 11, 2, 9, 30, tzinfo=TZ)},
    {"type": "task.approved", "actor": "刘志刚", "step": "leader_review", "comment": "同意提交院长办公会"},
    {"type": "meeting.vote", "actor": "孟和", "item": 1, "choice": "agree", "recused": {"特木尔"}},
    {"type": "meeting.closed", "actor": "巴特尔", "result": "passed", "date": date(2026, 11, 20)},
]


def build_chain(events) -> list[tuple[int, str, str, dict]]:
    rows, prev = [], GENESIS
    for seq, event in enumerate(events, start=1):
        digest = chain_hash(prev, event)
        rows.append((seq, prev, digest, event))
        prev = digest
    return rows


def test_canonical_json_sorts_keys_keeps_chinese_and_serialises_values():
    event = {"type": "matter.submitted", "amount": Decimal("860000.00"), "actor": "巴特尔",
             "on": date(2026, 11, 20), "units": {"wulan_chc", "dongcheng_chc"}, "steps": ("a", "b")}
    assert canonical_json(event) == ('{"actor":"巴特尔","amount":"860000.00","on":"2026-11-20","steps":["a","b"],'
                                     '"type":"matter.submitted","units":["dongcheng_chc","wulan_chc"]}')
    assert json_safe(event)["amount"] == "860000.00"


def test_canonical_json_refuses_unknown_types():
    with pytest.raises(TypeError):
        canonical_json({"payload": object()})


def test_chain_hash_is_deterministic_and_order_independent():
    event = {"type": "task.approved", "actor": "刘志刚", "amount": Decimal("600000")}
    reordered = {"amount": Decimal("600000"), "actor": "刘志刚", "type": "task.approved"}
    assert chain_hash(GENESIS, event) == chain_hash(GENESIS, reordered)
    expected = hashlib.sha256(
        (GENESIS + '{"actor":"刘志刚","amount":"600000","type":"task.approved"}').encode("utf-8")).hexdigest()
    assert chain_hash(GENESIS, event) == expected
    assert len(expected) == 64


def test_chain_hash_depends_on_previous_hash_and_content():
    event = {"type": "task.approved", "actor": "刘志刚"}
    assert chain_hash(GENESIS, event) != chain_hash("1" * 64, event)
    assert chain_hash(GENESIS, event) != chain_hash(GENESIS, {**event, "actor": "乌云其其格"})


def test_intact_chain_verifies():
    assert verify(build_chain(EVENTS)) is None
    assert verify([]) is None


def test_changed_event_is_found():
    rows = build_chain(EVENTS)
    seq, prev, digest, event = rows[2]
    rows[2] = (seq, prev, digest, {**event, "choice": "disagree"})
    assert verify(rows) == Break(3, "事件内容与哈希不符，记录被篡改")


def test_changed_amount_is_found():
    rows = build_chain(EVENTS)
    seq, prev, digest, event = rows[0]
    rows[0] = (seq, prev, digest, {**event, "amount": Decimal("60000")})
    assert verify(rows) == Break(1, "事件内容与哈希不符，记录被篡改")


def test_changed_prev_hash_is_found():
    rows = build_chain(EVENTS)
    seq, _, digest, event = rows[1]
    rows[1] = (seq, "f" * 64, digest, event)
    assert verify(rows) == Break(2, "前一事件哈希不符，链条被改动")


def test_rewritten_event_with_recomputed_hash_breaks_the_next_link():
    rows = build_chain(EVENTS)
    seq, prev, _, event = rows[1]
    forged = {**event, "comment": "不同意"}
    rows[1] = (seq, prev, chain_hash(prev, forged), forged)
    assert verify(rows) == Break(3, "前一事件哈希不符，链条被改动")


def test_deleted_event_is_found():
    rows = build_chain(EVENTS)
    del rows[1]
    assert verify(rows) == Break(2, "缺少第2条事件（下一条为第3条），疑似被删除")


def test_deleted_first_event_is_found():
    rows = build_chain(EVENTS)[1:]
    assert verify(rows) == Break(1, "缺少第1条事件（下一条为第2条），疑似被删除")
