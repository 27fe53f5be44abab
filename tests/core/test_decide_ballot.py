"""voting.decide_ballot: every rule of one ballot as a pure decision — command and facts in, the ballot to record
(or the refusal) out. The service only loads the facts and records what this returns (issue 13, item 1)."""

import pytest

from quorum.core.errors import InvalidInput, NotPermitted, QuorumNotMet, VotingRuleViolated
from quorum.core.voting import BallotCast, CastBallot, ItemFacts, decide_ballot, presiding
from tests.core.test_voting import OFFICE, WANG_JIANHUA, roll

OPEN = ItemFacts("关于购置数字化X射线摄影系统的议题", "pending", None, secret=False, unacknowledged=())
LIU = OFFICE[1]


def cast(voter=LIU, choice="agree", reason="", **command) -> CastBallot:
    return CastBallot(voter.person_id, voter.name, choice, reason, **command)


def test_a_members_first_ballot_opens_the_vote(party_committee):
    assert decide_ballot(party_committee, roll(OFFICE), OPEN, cast()) == BallotCast(LIU.person_id, "agree", "",
                                                                                    False, opens_voting=True)
    voting = ItemFacts(OPEN.title, "voting", None, False, ())
    assert decide_ballot(party_committee, roll(OFFICE), voting, cast()).opens_voting is False


def test_a_no_or_a_postponement_needs_its_reason_unless_secret(party_committee):
    with pytest.raises(InvalidInput):
        decide_ballot(party_committee, roll(OFFICE), OPEN, cast(choice="disagree", reason="  "))
    assert decide_ballot(party_committee, roll(OFFICE), OPEN, cast(choice="disagree", reason=" 价格偏高 ")).reason == "价格偏高"
    secret = ItemFacts(OPEN.title, "pending", None, secret=True, unacknowledged=())
    assert decide_ballot(party_committee, roll(OFFICE, personnel=True), secret,
                         cast(choice="disagree")).secret is True


def test_the_secretariat_enters_a_named_vote_only(party_committee):
    with pytest.raises(NotPermitted):
        decide_ballot(party_committee, roll(OFFICE), OPEN, cast(by_proxy=True, may_enter_votes=False))
    secret = ItemFacts(OPEN.title, "pending", None, secret=True, unacknowledged=())
    with pytest.raises(NotPermitted):
        decide_ballot(party_committee, roll(OFFICE), secret, cast(by_proxy=True, may_enter_votes=True))
    assert decide_ballot(party_committee, roll(OFFICE), OPEN, cast(by_proxy=True, may_enter_votes=True)).voter_id \
        == LIU.person_id


def test_a_decided_item_an_outsider_and_an_unacknowledged_opinion_are_refused(party_committee):
    decided = ItemFacts(OPEN.title, "decided", "passed", False, ())
    with pytest.raises(InvalidInput):
        decide_ballot(party_committee, roll(OFFICE), decided, cast())
    with pytest.raises(VotingRuleViolated) as refused:
        decide_ballot(party_committee, roll(OFFICE[:3]), OPEN, cast(voter=WANG_JIANHUA))
    assert "王建华" in str(refused.value)
    stale = ItemFacts(OPEN.title, "pending", None, False, unacknowledged=("合法性审查意见已超过六个月",))
    with pytest.raises(VotingRuleViolated) as refused:
        decide_ballot(party_committee, roll(OFFICE), stale, cast())
    assert "合法性审查意见已超过六个月" in str(refused.value)


def test_the_rules_of_the_body_still_apply(party_committee):
    with pytest.raises(QuorumNotMet):
        decide_ballot(party_committee, roll(OFFICE, present=OFFICE[:2]), OPEN, cast())
    everyone = roll(OFFICE)
    chair = next(seat for seat in OFFICE if seat.person_id == presiding(party_committee, everyone))
    with pytest.raises(VotingRuleViolated) as refused:          # 末位表态: the presiding member before the others
        decide_ballot(party_committee, everyone, OPEN, cast(voter=chair))
    assert refused.value.key == "chair_must_speak_last"
