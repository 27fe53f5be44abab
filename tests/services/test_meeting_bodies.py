"""One person, several bodies: a vote in each body's meeting, never two seats in one body.

巴特尔 (bater) is 医共体党委书记 and, for the 卫健委, a member of the 管委会 (DOMAIN.md §6.2.4). The
shipped workflows send nothing to the 管委会, so this module adds one small test workflow — 议题申报
→ 管委会审议 — to a copy of policies/ (its W6 decisions are the real-world counterpart); everything
else runs on the unchanged rules.
"""

import dataclasses
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from quorum import policies
from quorum.core.errors import VotingRuleViolated
from quorum.db import MeetingMember, Person, Post, Unit
from quorum.services import matters, meetings
from quorum.services.demo import Scenario
from tests.helpers import person, schedule, start
from tests.services.test_meeting_rules import appointment, cast, everyone_agrees, item, matter, refused, vote

ROOT = Path(__file__).resolve().parents[2]
COMMITTEE_WORKFLOW = """
key = "committee_matter"
name = "管委会审议事项"
description = "医共体管理委员会审议的事项（测试用）。"
initiator_roles = ["management_office"]

[[fields]]
key = "summary"
label = "议题内容及方案"
type = "textarea"
required = true

[[steps]]
key = "proposal"
kind = "submit"
name = "议题申报"

[[steps]]
key = "management_committee"
kind = "meeting"
name = "管委会审议"
body = "management_committee"
on_reject = "end"
on_postpone = "return:proposal"
"""


@pytest.fixture
def msc(community, env, tmp_path) -> Scenario:
    """A scenario whose rules also route a matter to the 管委会."""
    target = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", target)
    (target / "workflows" / "committee_matter.toml").write_text(COMMITTEE_WORKFLOW, encoding="utf-8")
    return Scenario(community.sessions, dataclasses.replace(env, policies=policies.load(target)))


def seats(sc, meeting_id: int) -> list[tuple[str, str]]:
    with sc.sessions.begin() as s:
        rows = s.execute(select(Person.username, MeetingMember.seat_role)
                         .join(MeetingMember, MeetingMember.person_id == Person.id)
                         .where(MeetingMember.meeting_id == meeting_id).order_by(MeetingMember.seat_order)).all()
        return [tuple(r) for r in rows]


def test_bater_votes_once_in_the_party_committee_and_once_in_the_management_committee(msc):
    sc, p = msc, cast(msc)
    assert p.chair == "bater"
    cadre = appointment(sc, "关于任命医共体总医院副院长的议题")
    office_of_mc = sc.holder("management_office")
    plan = sc.do(office_of_mc, matters.submit, "committee_matter", "关于医共体2027年度绩效考核方案的议题",
                 {"summary": "按六家成员单位分类考核，考核结果与院长年薪挂钩。"}).id
    assert matter(sc, plan)["current_step"] == "management_committee"

    party = schedule(sc, "party_committee", [cadre], days_ahead=3)
    committee = schedule(sc, "management_committee", [plan], days_ahead=4)
    assert [u for u, _ in seats(sc, party)].count("bater") == 1
    assert ("bater", "party_secretary") in seats(sc, party)
    assert [u for u, _ in seats(sc, committee)].count("bater") == 1
    assert ("bater", "management_committee_member") in seats(sc, committee)
    assert len(seats(sc, committee)) == 8

    # 党委会: he chairs and votes last, once.
    roster = start(sc, party)
    everyone_agrees(sc, party, 1, roster)
    refused(VotingRuleViolated, "already_voted", sc, "bater", meetings.vote, party, 1, "agree")
    sc.do(p.secretary, meetings.close_item, party, 1)
    rec = item(sc, party, 1)
    assert rec["result"] == "passed" and rec["counts"]["agree"] == 9
    assert [b["name"] for b in rec["ballots"]].count("巴特尔") == 1

    # 管委会 the next working day, chaired by the 副市长: an ordinary member there, he votes once.
    roster = start(sc, committee)
    assert roster["chair"] == sc.holder("management_committee_director")
    vote(sc, committee, 1, "bater", "agree")
    refused(VotingRuleViolated, "already_voted", sc, "bater", meetings.vote, committee, 1, "agree")
    everyone_agrees(sc, committee, 1, roster, skip=("bater",))
    sc.do(p.secretary, meetings.close_item, committee, 1)
    rec = item(sc, committee, 1)
    assert rec["result"] == "passed" and rec["counts"] == {"agree": 8, "disagree": 0, "abstain": 0}
    assert [b["name"] for b in rec["ballots"]].count("巴特尔") == 1
    assert matter(sc, plan)["status"] == "closed"


def test_a_person_holding_two_seat_roles_in_one_body_has_one_seat_and_one_vote(sc):
    """The 副书记 also stands in as party leader of a member unit: still one seat, one vote."""
    p = cast(sc)
    deputy_id = person(sc, p.deputy).id
    with sc.sessions.begin() as s:
        station = s.execute(select(Unit).where(Unit.key == "gerile_station")).scalar_one()
        s.add(Post(person_id=deputy_id, unit_id=station.id, role="member_unit_party_leader",
                   title="格日勒敖都苏木卫生服务站党支部书记（兼）", since=sc.env.now))
    assert p.deputy in [sc.holder("member_unit_party_leader", i) for i in range(7)]

    mid = appointment(sc, "关于任命格日勒敖都卫生服务站副站长的议题")
    party = schedule(sc, "party_committee", [mid])
    members = seats(sc, party)
    assert len(members) == 9 and [u for u, _ in members].count(p.deputy) == 1
    assert (p.deputy, "party_deputy_secretary") in members

    roster = start(sc, party)
    assert item(sc, party, 1)["quorum"]["basis"].startswith("应到会9人")
    vote(sc, party, 1, p.deputy)
    refused(VotingRuleViolated, "already_voted", sc, p.deputy, meetings.vote, party, 1, "agree")
    everyone_agrees(sc, party, 1, roster, skip=(p.deputy,))
    sc.do(p.secretary, meetings.close_item, party, 1)
    assert item(sc, party, 1)["counts"] == {"agree": 9, "disagree": 0, "postpone": 0}
