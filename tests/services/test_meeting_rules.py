"""议事规则 at the service level: quorum per item, recusal, 末位表态, one vote per person, closing an item.

Each test walks the real process — 议题申报 → 前置程序 → 审核 → 院长办公会 / 党委会 → result — as the
people who would act, one transaction per step, and reads the outcome back from the database in a
fresh session before asserting. The 二连浩特 党委会 has 9 seats: 书记 巴特尔 (chair), 副书记 王建华,
总院长 额尔敦 and six member-unit party leaders. The 院长办公会 has 5.

The helpers at the top are shared by the other tests/services/test_meeting_*.py modules.
"""

import dataclasses
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from quorum.core import voting
from quorum.core.errors import InvalidInput, NotPermitted, QuorumError, QuorumNotMet, VotingRuleViolated
from quorum.db import AgendaItem, Ballot, Person, Task
from quorum.services import meetings, org, records
from tests.helpers import pass_gate_and_reviews, person, schedule, start, submit

REASONS = {"disagree": "人选资历尚浅，建议再培养一段时间。", "postpone": "考察材料不全，建议补充后再议。"}


# --------------------------------------------------------------------------------------------
# helpers


@dataclass(frozen=True)
class Cast:
    """Usernames of the people who act in these scenarios."""

    secretary: str            # 党政办主任
    chair: str                # 党委书记 巴特尔
    deputy: str               # 党委副书记 王建华
    president: str            # 总院长 额尔敦 (chair of the 院长办公会)
    leaders: tuple[str, ...]  # the six member-unit party leaders, in seat order

    @property
    def party(self) -> tuple[str, ...]:
        """The 党委会 seats in seat order."""
        return (self.chair, self.deputy, self.president, *self.leaders)


def cast(sc) -> Cast:
    return Cast(sc.holder("secretariat"), sc.holder("party_secretary"), sc.holder("party_deputy_secretary"),
                sc.holder("president"), tuple(sc.holder("member_unit_party_leader", i) for i in range(6)))


def name(sc, username: str) -> str:
    return person(sc, username).name


def refused(exc_type: type[QuorumError], key: str, sc, username: str, fn, *args, **kw) -> QuorumError:
    """Run a use case the rules must refuse; check the exact exception class and message key."""
    with pytest.raises(exc_type) as info:
        sc.do(username, fn, *args, **kw)
    assert type(info.value) is exc_type
    assert info.value.key == key, f"expected {key}, got {info.value.key}: {info.value}"
    return info.value


def vote(sc, meeting_id: int, seq: int, username: str, choice: str = "agree", by: str | None = None) -> None:
    """Cast a named ballot; dissent and 缓议 carry a reason. `by` = the 党政办 entering a show of hands."""
    reason = REASONS.get(choice, "")
    if by is None:
        sc.do(username, meetings.vote, meeting_id, seq, choice, reason)
    else:
        sc.do(by, meetings.vote, meeting_id, seq, choice, reason, voter=person(sc, username))


def votes(sc, meeting_id: int, seq: int, choices: dict[str, str]) -> None:
    for username, choice in choices.items():
        vote(sc, meeting_id, seq, username, choice)


def item(sc, meeting_id: int, seq: int) -> dict:
    with sc.sessions.begin() as s:
        return records.item_record(s, meetings.item(s, meetings.get(s, meeting_id), seq))


def matter(sc, matter_id: int) -> dict:
    with sc.sessions.begin() as s:
        return records.matter_record(s, matter_id)


def quorum(record: dict) -> tuple[bool, int, int, int]:
    """An item record's live quorum as (met, base, required, present)."""
    q = record["quorum"]
    return q["met"], q["base"], q["required"], q["present"]


def step_statuses(record: dict) -> dict[str, str]:
    return {st["key"]: st["status"] for st in record["steps"]}


def open_tasks(sc, matter_id: int) -> list[tuple[str, str]]:
    """(assignee username, task kind) of the matter's open tasks."""
    with sc.sessions.begin() as s:
        rows = s.execute(select(Task).where(Task.matter_id == matter_id, Task.status == "open")
                         .order_by(Task.id)).scalars()
        return [(s.get(Person, t.assignee_id).username, t.kind) for t in rows]


def appointment(sc, title: str) -> int:
    """A 重要干部任免 through 前置程序 and 审核: personnel, it skips the 院长办公会 and waits for the 党委会."""
    mid = submit(sc, title, category="appointment", amount=None)
    pass_gate_and_reviews(sc, mid)
    m = matter(sc, mid)
    assert m["personnel"] and m["current_step"] == "party_committee"
    assert step_statuses(m)["president_office"] == "skipped"
    return mid


def project(sc, title: str, amount: str = "860000") -> int:
    """A 重大项目安排 through 前置程序 and 审核, waiting for the 院长办公会."""
    mid = submit(sc, title, category="project", amount=amount)
    pass_gate_and_reviews(sc, mid)
    assert matter(sc, mid)["current_step"] == "president_office"
    return mid


def everyone_agrees(sc, meeting_id: int, seq: int, roster: dict, skip: tuple[str, ...] = ()) -> None:
    """Every present member votes 同意, the chair last (末位表态)."""
    for member in roster["members"]:
        if member not in (roster["chair"], *skip):
            vote(sc, meeting_id, seq, member)
    vote(sc, meeting_id, seq, roster["chair"])


def through_office(sc, matter_ids: list[int]) -> int:
    """Hold a 院长办公会 that agrees on every item, so the matters move on to the 党委会."""
    secretary = sc.holder("secretariat")
    office = schedule(sc, "president_office", matter_ids)
    roster = start(sc, office)
    for seq in range(1, len(matter_ids) + 1):
        everyone_agrees(sc, office, seq, roster)
        sc.do(secretary, meetings.close_item, office, seq)
    sc.do(secretary, meetings.close, office)
    for mid in matter_ids:
        assert matter(sc, mid)["current_step"] == "party_committee"
    return office


def party_meeting(sc, matter_ids: list[int], absent: dict[str, str] | None = None) -> tuple[int, dict]:
    """Call a 党委会 with notice, move to its hour, open it and take the roll."""
    meeting_id = schedule(sc, "party_committee", matter_ids)
    return meeting_id, start(sc, meeting_id, absent)


# --------------------------------------------------------------------------------------------
# 1. recusal shrinks the base


def test_recusal_shrinks_the_base_and_five_of_eight_pass(sc):
    p = cast(sc)
    mid = project(sc, "关于购置车载移动CT的议题")
    through_office(sc, [mid])
    party, _ = party_meeting(sc, [mid])
    recused = p.leaders[0]
    sc.do(p.secretary, meetings.recuse, party, 1, person(sc, recused), "其配偶在拟投标的设备供应商任职")

    rec = item(sc, party, 1)
    assert rec["recusals"] == [{"name": name(sc, recused), "reason": "其配偶在拟投标的设备供应商任职"}]
    assert rec["quorum"] == {"met": True, "base": 8, "required": 6, "present": 8,
                             "basis": "应到会9人，回避1人，计算基数8人，实到（未回避）8人，法定人数须6人（不少于2/3）"}
    refused(VotingRuleViolated, "not_a_voter", sc, recused, meetings.vote, party, 1, "agree")

    # 5 同意, 2 弃权, 1 不同意: exactly the 5 needed, more than half of the base of 8.
    votes(sc, party, 1, {p.deputy: "agree", p.president: "agree", p.leaders[1]: "agree", p.leaders[2]: "agree",
                         p.leaders[3]: "abstain", p.leaders[4]: "abstain", p.leaders[5]: "disagree",
                         p.chair: "agree"})
    sc.do(p.secretary, meetings.close_item, party, 1)

    rec = item(sc, party, 1)
    assert (rec["status"], rec["result"]) == ("decided", "passed")
    assert rec["counts"] == {"agree": 5, "disagree": 1, "abstain": 2}
    assert rec["basis"] == ("应到会9人，回避1人，计算基数8人，实到（未回避）8人，法定人数须6人（不少于2/3）；"
                            "同意5票，须超过应到会人数扣除回避后（8人）的1/2，即至少5票")
    m = matter(sc, mid)
    assert m["current_step"] == "record" and step_statuses(m)["party_committee"] == "done"
    assert m["decision"]["last"]["result"] == "passed" and m["decision"]["last"]["body"] == "party_committee"


# --------------------------------------------------------------------------------------------
# 2. the chair is recused: the 副书记 presides and speaks last


def test_recused_chair_hands_the_item_to_the_deputy_who_speaks_last(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命总医院医务部主任的议题")
    party, roster = party_meeting(sc, [mid])
    assert roster["chair"] == p.chair
    sc.do(p.secretary, meetings.recuse, party, 1, person(sc, p.chair), "拟任人选系其近亲属")

    assert item(sc, party, 1)["presiding"] == name(sc, p.deputy)
    refused(VotingRuleViolated, "not_a_voter", sc, p.chair, meetings.vote, party, 1, "agree")
    exc = refused(VotingRuleViolated, "chair_must_speak_last", sc, p.deputy, meetings.vote, party, 1, "agree")
    assert exc.params["pending"] == "、".join(name(sc, u) for u in (p.president, *p.leaders))

    for member in (p.president, *p.leaders):
        vote(sc, party, 1, member)
    vote(sc, party, 1, p.deputy)                   # last: accepted
    # The meeting's chair is not presiding over this item, so he may not announce its result.
    refused(NotPermitted, "not_permitted", sc, p.chair, meetings.close_item, party, 1)
    sc.do(p.deputy, meetings.close_item, party, 1)

    rec = item(sc, party, 1)
    assert rec["result"] == "passed" and rec["counts"] == {"agree": 8, "disagree": 0, "postpone": 0}
    assert [b["name"] for b in rec["ballots"]][-1] == name(sc, p.deputy)
    assert name(sc, p.chair) not in [b["name"] for b in rec["ballots"]]
    assert "回避1人，计算基数8人" in rec["basis"]
    with sc.sessions.begin() as s:
        row = s.execute(select(AgendaItem).where(AgendaItem.meeting_id == party)).scalar_one()
        assert row.presiding_id == org.person(s, p.deputy).id


# --------------------------------------------------------------------------------------------
# 3. a member leaves mid-meeting: quorum is re-checked per item
#
# Personnel items never reach the 院长办公会 (the only body whose general quorum, >1/2, differs from
# its personnel quorum, >=2/3): the workflow sends 重要干部任免 straight to the 党委会, where both
# ratios are >=2/3. The mixed agenda is therefore built where it really happens, on one 党委会:
# two leaders with an interest in the project are recused from it, so its base is 7 (needs 5) while the
# personnel item's base stays 9 (needs 6). When those two leave the room, the project item keeps
# its quorum and the personnel item loses it. The second test shows the ratio difference itself on
# a real 院长办公会 roll.


def test_members_leaving_cost_the_personnel_item_its_quorum_but_not_the_project_item(sc):
    p = cast(sc)
    cadre = appointment(sc, "关于任命蒙医中医医院副院长的议题")
    works = project(sc, "关于蒙医中医医院门诊楼改造的议题", amount="1200000")
    through_office(sc, [works])
    absent = {p.leaders[4]: "外出学习", p.leaders[5]: "下乡巡诊"}
    party, roster = party_meeting(sc, [cadre, works], absent=absent)
    interests = {p.leaders[0]: "所在单位为项目实施单位", p.leaders[1]: "其亲属为拟投标施工企业负责人"}
    for member, reason in interests.items():
        sc.do(p.secretary, meetings.recuse, party, 2, person(sc, member), reason)
    leaving = tuple(interests)

    # 7 of 9 present: both items have their quorum.
    assert quorum(item(sc, party, 1)) == (True, 9, 6, 7)
    assert quorum(item(sc, party, 2)) == (True, 7, 5, 5)
    votes(sc, party, 1, {p.leaders[2]: "agree", p.leaders[3]: "agree"})

    for member in leaving:
        sc.do(p.secretary, meetings.attend, party, person(sc, member), "left", "另有公务离席")

    assert quorum(item(sc, party, 1)) == (False, 9, 6, 5)      # personnel: 5 present, 6 needed
    assert quorum(item(sc, party, 2)) == (True, 7, 5, 5)       # project: still 5 of the 5 needed
    assert item(sc, party, 1)["quorum"]["basis"] == "应到会9人，回避0人，计算基数9人，实到（未回避）5人，法定人数须6人（不少于2/3）"
    refused(QuorumNotMet, "quorum_not_met", sc, p.president, meetings.vote, party, 1, "agree")
    refused(VotingRuleViolated, "not_a_voter", sc, leaving[0], meetings.vote, party, 1, "agree")
    refused(QuorumNotMet, "quorum_not_met", sc, p.secretary, meetings.close_item, party, 1)

    # The project item is voted and decided by the five who remain.
    everyone_agrees(sc, party, 2, roster, skip=(*leaving, *absent))
    sc.do(p.secretary, meetings.close_item, party, 2)
    assert item(sc, party, 2)["result"] == "passed"
    assert matter(sc, works)["current_step"] == "record"

    # The personnel item is deferred; the matter waits at its 党委会 step for a later meeting.
    sc.do(p.secretary, meetings.defer_item, party, 1, "人事议题到会人数不足2/3，暂缓表决")
    sc.do(p.secretary, meetings.close, party)
    rec = item(sc, party, 1)
    assert (rec["status"], rec["result"], rec["note"]) == ("deferred", "deferred", "人事议题到会人数不足2/3，暂缓表决")
    m = matter(sc, cadre)
    assert m["status"] == "active" and m["current_step"] == "party_committee"
    assert step_statuses(m)["party_committee"] == "active"

    later, roster = party_meeting(sc, [cadre])
    everyone_agrees(sc, later, 1, roster)
    sc.do(p.secretary, meetings.close_item, later, 1)
    assert item(sc, later, 1)["result"] == "passed"
    assert [i["result"] for i in matter(sc, cadre)["agenda_items"]] == ["deferred", "passed"]


def test_office_general_quorum_survives_departures_a_personnel_item_could_not(sc):
    p = cast(sc)
    mid = project(sc, "关于总医院信息系统升级的议题")
    office = schedule(sc, "president_office", [mid])
    roster = start(sc, office)
    gone = roster["members"][1:3]                       # both 副院长 leave for an emergency
    for member in gone:
        sc.do(p.secretary, meetings.attend, office, person(sc, member), "left", "急诊抢救")

    assert quorum(item(sc, office, 1)) == (True, 5, 3, 3)      # general quorum: more than half of 5
    with sc.sessions.begin() as s:                      # the same roll, judged as a personnel item
        meeting = meetings.get(s, office)
        roll = meetings.roll(s, meeting, meetings.item(s, meeting, 1))
        as_personnel = voting.quorum_state(meetings.body_of(s, meeting), dataclasses.replace(roll, personnel=True))
    assert not as_personnel.met and (as_personnel.present, as_personnel.required) == (3, 4)

    everyone_agrees(sc, office, 1, roster, skip=tuple(gone))
    sc.do(p.secretary, meetings.close_item, office, 1)
    assert item(sc, office, 1)["result"] == "passed"     # 3 同意 > 1/2 of the 5 应到会


# --------------------------------------------------------------------------------------------
# 4. one vote per person per item


def test_a_second_vote_is_refused_whoever_enters_it(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命妇幼中心副主任的议题")
    party, _ = party_meeting(sc, [mid])
    first, second = p.leaders[2], p.leaders[3]

    vote(sc, party, 1, first, "agree")
    exc = refused(VotingRuleViolated, "already_voted", sc, first, meetings.vote, party, 1, "disagree", "改变主意")
    assert name(sc, first) in str(exc)
    refused(VotingRuleViolated, "already_voted", sc, p.secretary, meetings.vote, party, 1, "agree",
            voter=person(sc, first))
    vote(sc, party, 1, second, "agree", by=p.secretary)          # show of hands entered by the 党政办
    refused(VotingRuleViolated, "already_voted", sc, second, meetings.vote, party, 1, "agree")
    # A member may not enter a vote for a colleague.
    refused(NotPermitted, "not_permitted", sc, p.leaders[4], meetings.vote, party, 1, "agree",
            voter=person(sc, p.leaders[5]))

    rec = item(sc, party, 1)
    assert [(b["name"], b["choice"]) for b in rec["ballots"]] == [(name(sc, first), "agree"),
                                                                  (name(sc, second), "agree")]
    with sc.sessions.begin() as s:
        rows = s.execute(select(Ballot.person_id).join(AgendaItem, AgendaItem.id == Ballot.item_id)
                         .where(AgendaItem.meeting_id == party)).scalars().all()
    assert len(rows) == len(set(rows)) == 2


# --------------------------------------------------------------------------------------------
# 5. 末位表态


def test_chair_may_not_vote_before_the_others(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命东城社区中心主任的议题")
    absentee = p.leaders[5]
    party, _ = party_meeting(sc, [mid], absent={absentee: "病假"})

    exc = refused(VotingRuleViolated, "chair_must_speak_last", sc, p.chair, meetings.vote, party, 1, "agree")
    pending = [p.deputy, p.president, *p.leaders[:5]]
    assert exc.params["pending"] == "、".join(name(sc, u) for u in pending)
    assert str(exc) == ("末位表态：主持人须在其他到会且未回避的成员全部表态后表态，尚待表态："
                        + "、".join(name(sc, u) for u in pending))
    assert name(sc, absentee) not in str(exc) and name(sc, p.chair) not in exc.params["pending"]

    for member in pending[:-1]:
        vote(sc, party, 1, member)
    exc = refused(VotingRuleViolated, "chair_must_speak_last", sc, p.secretary, meetings.vote, party, 1, "agree",
                  voter=person(sc, p.chair))
    assert exc.params["pending"] == name(sc, pending[-1])
    assert item(sc, party, 1)["pending"] == [name(sc, p.chair), name(sc, pending[-1])]

    vote(sc, party, 1, pending[-1])
    vote(sc, party, 1, p.chair)
    sc.do(p.secretary, meetings.close_item, party, 1)
    rec = item(sc, party, 1)
    assert rec["result"] == "passed" and rec["ballots"][-1]["name"] == name(sc, p.chair)


# --------------------------------------------------------------------------------------------
# 11. closing an item


def test_item_closes_only_when_everyone_has_voted_and_only_by_the_presiding_member_or_secretariat(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命乌兰社区中心副主任的议题")
    party, _ = party_meeting(sc, [mid])
    laggard = p.leaders[5]
    for member in (p.deputy, p.president, *p.leaders[:5]):
        vote(sc, party, 1, member)

    exc = refused(InvalidInput, "invalid_input", sc, p.secretary, meetings.close_item, party, 1)
    assert str(exc) == f"输入有误：尚有到会成员未表态：{name(sc, p.chair)}、{name(sc, laggard)}"
    vote(sc, party, 1, laggard)
    for outsider in (p.president, p.leaders[0], sc.holder("legal_counsel"), sc.holder("discipline_inspector")):
        refused(NotPermitted, "not_permitted", sc, outsider, meetings.close_item, party, 1)
    exc = refused(InvalidInput, "invalid_input", sc, p.chair, meetings.close_item, party, 1)
    assert str(exc).endswith(f"尚有到会成员未表态：{name(sc, p.chair)}")
    assert item(sc, party, 1)["status"] == "voting"

    vote(sc, party, 1, p.chair)
    sc.do(p.chair, meetings.close_item, party, 1)
    rec = item(sc, party, 1)
    assert (rec["status"], rec["result"]) == ("decided", "passed")
    refused(InvalidInput, "invalid_input", sc, p.secretary, meetings.vote, party, 1, "agree",
            voter=person(sc, p.chair))
    assert matter(sc, mid)["current_step"] == "record"
