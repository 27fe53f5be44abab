"""Ballots and what they decide: 书面意见 of the absent, 无记名投票 on personnel items, 缓议 and ties.

All on the 二连浩特 党委会 (9 seats, quorum >=2/3, pass > 1/2 of 应到会), with 重要干部任免 matters
brought there through 前置程序 and the 书记's 审定.
"""

import io
from collections import Counter

import docx
from sqlalchemy import func, select, text

from quorum.core.errors import InvalidInput, NotPermitted, VotingRuleViolated
from quorum.db import AgendaItem, AuditEvent, Ballot, BallotReceipt, Document, SecretTally
from quorum.services import documents, matters, meetings, records
from tests.helpers import pass_gate_and_reviews, person, schedule, start, submit
from tests.services.test_meeting_rules import (
    REASONS,
    appointment,
    cast,
    item,
    matter,
    name,
    open_tasks,
    project,
    refused,
    step_statuses,
    vote,
    votes,
)

# --------------------------------------------------------------------------------------------
# 8. 书面意见


def test_written_opinion_of_an_absent_member_is_recorded_but_is_neither_presence_nor_vote(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命格日勒敖都卫生服务站站长的议题")
    absentee = p.leaders[5]
    party = schedule(sc, "party_committee", [mid])
    start(sc, party, absent={absentee: "下乡巡诊"})
    before = item(sc, party, 1)
    assert (before["quorum"]["present"], before["quorum"]["required"], before["voted_count"]) == (8, 6, 0)

    sc.do(p.secretary, meetings.written_opinion, party, 1, person(sc, absentee), "同意，该同志熟悉牧区工作。")
    rec = item(sc, party, 1)
    assert rec["written_opinions"] == [{"name": name(sc, absentee), "text": "同意，该同志熟悉牧区工作。"}]
    assert rec["quorum"] == before["quorum"] and rec["voted_count"] == 0 and rec["ballots"] == []
    assert name(sc, absentee) not in rec["pending"]
    refused(VotingRuleViolated, "not_a_voter", sc, absentee, meetings.vote, party, 1, "agree")
    refused(InvalidInput, "invalid_input", sc, p.secretary, meetings.written_opinion, party, 1,
            person(sc, absentee), "再补充一点。")                     # one per member per item
    exc = refused(InvalidInput, "invalid_input", sc, p.secretary, meetings.written_opinion, party, 1,
                  person(sc, p.leaders[0]), "我也书面表态。")
    assert "已到会" in str(exc)

    for member in (p.deputy, p.president, *p.leaders[:5], p.chair):
        vote(sc, party, 1, member)
    sc.do(p.secretary, meetings.close_item, party, 1)
    with sc.sessions.begin() as s:
        record = records.meeting_record(s, party)
    member_row = next(m for m in record["members"] if m["name"] == name(sc, absentee))
    assert (member_row["attendance"], member_row["reason"]) == ("absent", "下乡巡诊")
    decided = record["items"][0]
    assert decided["counts"] == {"agree": 8, "disagree": 0, "postpone": 0}      # the opinion is not a ballot
    assert "实到（未回避）8人" in decided["basis"]
    assert decided["written_opinions"] == rec["written_opinions"]


# --------------------------------------------------------------------------------------------
# 9. 无记名投票


def test_secret_ballot_on_a_personnel_item(sc):
    p = cast(sc)
    mid = appointment(sc, "关于推荐医共体党委委员人选的议题")
    party = schedule(sc, "party_committee", [])
    sc.do(p.secretary, meetings.add_item, party, mid, secret=True)
    start(sc, party)
    assert item(sc, party, 1)["secret"] is True

    refused(NotPermitted, "not_permitted", sc, p.secretary, meetings.vote, party, 1, "agree",
            voter=person(sc, p.leaders[0]))
    refused(VotingRuleViolated, "chair_must_speak_last", sc, p.chair, meetings.vote, party, 1, "agree")
    choices = {p.deputy: "agree", p.president: "disagree", p.leaders[0]: "agree", p.leaders[1]: "postpone",
               p.leaders[2]: "agree", p.leaders[3]: "disagree", p.leaders[4]: "agree", p.leaders[5]: "agree",
               p.chair: "agree"}
    for n, (member, choice) in enumerate(choices.items(), 1):
        sc.do(member, meetings.vote, party, 1, choice)                 # no reason needed in secret
        rec = item(sc, party, 1)
        assert rec["voted_count"] == n and rec["ballots"] == []
    refused(VotingRuleViolated, "already_voted", sc, p.leaders[1], meetings.vote, party, 1, "agree")

    columns = {c.name for c in SecretTally.__table__.columns}
    assert columns == {"item_id", "choice", "count"}                   # no person, no time, no ballot row
    with sc.sessions.begin() as s:
        item_id = s.execute(select(AgendaItem.id).where(AgendaItem.meeting_id == party)).scalar_one()
        stored = Counter({t.choice: t.count for t in s.execute(select(SecretTally).where(
            SecretTally.item_id == item_id)).scalars() if t.count})
        receipts = set(s.execute(select(BallotReceipt.person_id).where(BallotReceipt.item_id == item_id)).scalars())
        named = s.execute(select(func.count(Ballot.id)).where(Ballot.item_id == item_id)).scalar_one()
        payloads = [e.payload for e in s.execute(select(AuditEvent).where(AuditEvent.kind == "meeting.ballot"))
                    .scalars()]
    assert stored == Counter(choices.values()) and named == 0
    assert receipts == {person(sc, u).id for u in p.party}
    assert len(payloads) == 9 and all(pl["secret"] is True and "choice" not in pl for pl in payloads)

    sc.do(p.secretary, meetings.close_item, party, 1)
    rec = item(sc, party, 1)
    assert rec["result"] == "passed" and rec["counts"] == {"agree": 6, "disagree": 2, "postpone": 1}
    assert rec["ballots"] == [] and rec["voted_count"] == 9
    assert matter(sc, mid)["current_step"] == "record"

    # 无记名投票 is for personnel items only.
    works = project(sc, "关于新建发热门诊的议题")
    office = schedule(sc, "president_office", [])
    refused(InvalidInput, "secret_ballot_only_personnel", sc, p.secretary, meetings.add_item, office, works,
            secret=True)
    with sc.sessions.begin() as s:
        assert meetings.get(s, office).items == []


def test_secret_ballot_storage_cannot_be_linked_to_voters(sc, db):
    """No person column is not enough: nothing stored may reveal which choice a voter made.

    An administrator holding the database can read SQLite's implicit rowid (insertion order) and
    PostgreSQL's xmin (the writing transaction, shared with the voter's receipt). Secret choices
    therefore live only in per-option counters, created with the item and all rewritten by every vote.
    """
    p = cast(sc)
    mid = appointment(sc, "关于推荐医共体纪委委员人选的议题")
    party = schedule(sc, "party_committee", [])
    sc.do(p.secretary, meetings.add_item, party, mid, secret=True)
    start(sc, party)
    truth = dict(zip(p.party[1:] + (p.chair,), ["agree", "disagree", "postpone", "agree", "disagree", "agree",
                                                 "postpone", "agree", "disagree"], strict=True))
    for member, choice in truth.items():
        sc.do(member, meetings.vote, party, 1, choice)

    with sc.sessions.begin() as s:
        item_id = s.execute(select(AgendaItem.id).where(AgendaItem.meeting_id == party)).scalar_one()
        tallies = {t.choice: t.count for t in s.execute(select(SecretTally).where(SecretTally.item_id == item_id))
                   .scalars()}
        if db.engine.dialect.name == "postgresql":
            writers = set(s.execute(text("SELECT xmin::text FROM secret_tally WHERE item_id = :i"),
                                    {"i": item_id}).scalars())
            assert len(writers) == 1              # every counter was rewritten by the same (last) vote
        else:
            order = s.execute(text("SELECT choice FROM secret_tally WHERE item_id = :i ORDER BY rowid"),
                              {"i": item_id}).scalars().all()
            assert order == ["agree", "disagree", "postpone"]    # creation order = option order, not vote order
    assert tallies == dict(Counter(truth.values()))               # one row per option, not per ballot


# --------------------------------------------------------------------------------------------
# 10. 缓议 and ties


def test_more_postpone_than_disagree_sends_the_matter_back_with_the_reasons(sc):
    p = cast(sc)
    initiator = sc.holder("hr_head")
    mid = submit(sc, "关于任命总医院护理部主任的议题", category="appointment", amount=None, initiator=initiator)
    pass_gate_and_reviews(sc, mid)
    party = schedule(sc, "party_committee", [mid])
    start(sc, party)
    votes(sc, party, 1, {p.deputy: "agree", p.president: "postpone", p.leaders[0]: "postpone",
                         p.leaders[1]: "disagree", p.leaders[2]: "agree", p.leaders[3]: "postpone",
                         p.leaders[4]: "disagree", p.leaders[5]: "agree", p.chair: "agree"})
    sc.do(p.secretary, meetings.close_item, party, 1)

    rec = item(sc, party, 1)
    assert rec["result"] == "postponed" and rec["result_name"] == "缓议"
    assert rec["counts"] == {"agree": 4, "disagree": 2, "postpone": 3}
    assert rec["basis"].endswith("同意4票，须超过应到会人数（9人）的1/2，即至少5票")
    assert [b["reason"] for b in rec["ballots"] if b["choice"] == "postpone"] == [REASONS["postpone"]] * 3

    m = matter(sc, mid)
    assert m["status"] == "active" and m["current_step"] == "proposal"
    assert step_statuses(m) == {"proposal": "active", "pre_review": "pending", "leader_review": "pending",
                                "principal_review": "pending", "president_office": "skipped",
                                "party_committee": "pending", "record": "pending", "supervision": "pending"}
    assert open_tasks(sc, mid) == [(initiator, "resubmit")]
    assert m["decision"]["last"]["result"] == "postponed"
    returned = [e for e in m["timeline"] if e["kind"] == "step.returned"]
    assert len(returned) == 1 and returned[0]["payload"]["step"] == "party_committee"
    assert returned[0]["payload"]["to"] == "proposal"
    assert returned[0]["payload"]["reason"] == "缓议：" + REASONS["postpone"]     # the shared reason said once
    assert [o["text"] for o in m["opinions"] if o["decision"] == "postpone"] == ["缓议：" + REASONS["postpone"]]

    # The 纪要 names the three who asked for 缓议 together, with their one reason.
    sc.do(p.secretary, meetings.close, party)
    with sc.sessions.begin() as s:
        minutes = s.execute(select(Document).where(Document.kind == "minutes", Document.meeting_id == party)).scalar_one()
        _page, data = documents.render_file(s, sc.env, minutes, number="", day=sc.env.now.date(), signer="")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    postponers = "、".join(name(sc, u) for u in (p.president, p.leaders[0], p.leaders[3]))
    assert f"{postponers}表决意见为缓议，理由：{REASONS['postpone'].rstrip('。')}。" in body
    assert body.count(REASONS["postpone"].rstrip("。")) == 1

    # The initiator re-files with the supplementary materials; the 前置程序 opens again.
    sc.do(initiator, matters.act, sc.task_of(initiator, mid), "resubmit", "已补充考察材料。",
          fields={"summary": "拟任人选考察材料（含民主测评结果）已补充。"})
    m = matter(sc, mid)
    assert m["current_step"] == "pre_review" and next(st for st in m["steps"] if st["key"] == "pre_review")["round"] == 2


def test_a_tie_is_not_passed_and_the_matter_is_rejected(sc):
    p = cast(sc)
    mid = appointment(sc, "关于任命锡林社区中心主任的议题")
    party = schedule(sc, "party_committee", [mid])
    start(sc, party, absent={p.leaders[5]: "病假"})
    votes(sc, party, 1, {p.deputy: "agree", p.president: "disagree", p.leaders[0]: "agree",
                         p.leaders[1]: "disagree", p.leaders[2]: "disagree", p.leaders[3]: "agree",
                         p.leaders[4]: "disagree", p.chair: "agree"})
    sc.do(p.secretary, meetings.close_item, party, 1)

    rec = item(sc, party, 1)
    assert rec["result"] == "not_passed" and rec["counts"] == {"agree": 4, "disagree": 4, "postpone": 0}
    m = matter(sc, mid)
    assert m["status"] == "rejected" and m["current_step"] is None
    assert step_statuses(m)["party_committee"] == "rejected"
    assert open_tasks(sc, mid) == []
    assert m["decision"]["last"]["result"] == "not_passed"
