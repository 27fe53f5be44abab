"""A decision nobody may take is taken by the role's substitute (issue 14, item 7: `no_other_holder`).

乌兰社区卫生服务中心's deputy 张华 acts as its head (the head's post is his) and files a 大额资金 request: the
成员单位负责人审批 would be his own. roles.toml names the unit's 党组织主要负责人 as the head's substitute, so
特木尔 gets the task, and the matter's record says why. Where no substitute can decide either, the refusal still
names the role. On SQLite and PostgreSQL through the `sc` fixture.
"""

from dataclasses import replace

import pytest
from sqlalchemy import select, update

from quorum.core.errors import InvalidInput
from quorum.db import AuditEvent, Person, Post, Unit
from quorum.services import matters, records
from tests.helpers import open_tasks
from tests.webui.chains import COMPUTERS, DEPUTY


def acting_head(sc) -> None:
    """Give the head's post at 乌兰社区中心 to its deputy 张华."""
    with sc.sessions.begin() as s:
        deputy = s.scalar(select(Person.id).where(Person.username == DEPUTY))
        wulan = s.scalar(select(Unit.id).where(Unit.key == "wulan_chc"))
        s.execute(update(Post).where(Post.role == "member_unit_head", Post.unit_id == wulan).values(person_id=deputy))


def test_the_units_party_leader_decides_when_the_only_head_filed_it(sc):
    acting_head(sc)
    matter_id = sc.do(DEPUTY, matters.submit, "expenditure", "乌兰社区中心购置门诊办公电脑", COMPUTERS).id
    assert [(user, kind) for _id, user, kind, _req in open_tasks(sc, matter_id)] == [("temuer", "review")]
    with sc.sessions.begin() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.kind == "task.substituted",
                                                   AuditEvent.matter_id == matter_id)).one()
        assert (event.payload["role"], event.payload["substitute"]) == ("member_unit_head", "member_unit_party_leader")
        timeline = records.matter_record(s, matter_id)["timeline"]
    said = next(e for e in timeline if e["kind_name"] == "改由替代角色办理")
    assert "「乌兰社区中心成员单位执行院长（负责人）」的担任人均须回避" in said["detail"]
    sc.do("temuer", matters.act, open_tasks(sc, matter_id)[0][0], "approve", "同意。")
    assert matters_current(sc, matter_id) != "member_head_approval"


def test_without_a_substitute_the_refusal_names_the_role(sc):
    acting_head(sc)
    roles = dict(sc.env.policies.policy_set.substitutes)
    roles.pop("member_unit_head")
    sc.env = replace(sc.env, policies=replace(sc.env.policies,
                                              policy_set=replace(sc.env.policies.policy_set, substitutes=roles)))
    with pytest.raises(InvalidInput) as refused:
        sc.do(DEPUTY, matters.submit, "expenditure", "乌兰社区中心购置门诊办公电脑", COMPUTERS)
    assert "「乌兰社区中心成员单位执行院长（负责人）」的担任人是本事项的申报人" in str(refused.value)


def matters_current(sc, matter_id: int) -> str | None:
    with sc.sessions.begin() as s:
        return matters.get(s, matter_id).current_step
